//===--- Phase.swift ------------------------------------------------------===//
// One resolved phase of a schedule.
//===----------------------------------------------------------------------===//

/// A phase with every default resolved.
///
/// A phase plays positions `offset ..< length` of its curve, so it lasts
/// `length - offset` steps. All values are multipliers of the schedule's
/// `peak`.
public struct Phase {
  public var shape: Shape
  /// Multiplier at `p = 0`.
  public var from: Double
  /// Multiplier at `p = 1` (interpolating shapes and `exponential` with `to`).
  public var to: Double
  /// Curve length `L` in steps; `.infinity` for an open-ended last phase.
  public var length: Double
  /// Start position inside the curve, `0 <= offset < length`.
  public var offset: Double
  public var endpoint: Endpoint
  public var mirror: Bool
  /// The schedule's peak (the `power` shape divides by it).
  public var peak: Double

  /// Steps the phase lasts: `length - offset`.
  @inlinable
  public var duration: Double { length - offset }
}

/// Maps the endpoint values (`from`, `to`, table values) of a phase inside a
/// repeat block to the cycle being played.
@frozen
public struct EndpointMap: Sendable {
  @usableFromInline var mode: UInt8  // 0 identity, 1 amplitude, 2 peak
  @usableFromInline var floor: Double
  @usableFromInline var factor: Double

  public static let identity = EndpointMap(mode: 0, floor: 0, factor: 1)

  @inlinable
  init(mode: UInt8, floor: Double, factor: Double) {
    self.mode = mode
    self.floor = floor
    self.factor = factor
  }

  @inlinable
  public init(decayMode: DecayMode, floor: Double, factor: Double) {
    self.init(mode: decayMode == .amplitude ? 1 : 2, floor: floor, factor: factor)
  }

  @inlinable
  public func apply(_ v: Double) -> Double {
    switch mode {
    case 0: return v
    case 1: return floor + (v - floor) * factor
    default:
      if abs(v - floor) <= 1e-12 * abs(floor) { return v }
      return v * factor
    }
  }
}
