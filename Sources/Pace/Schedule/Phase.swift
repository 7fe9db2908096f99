//===--- Phase.swift ------------------------------------------------------===//
// One resolved phase of a schedule.
//===----------------------------------------------------------------------===//

/// A phase with every default resolved.
///
/// A phase plays positions `offset ..< length` of its curve, so it lasts
/// `length - offset` steps. All values are multipliers of the schedule's
/// `peak`.
@usableFromInline package struct Phase {
  @usableFromInline package var shape: Shape
  /// Multiplier at `p = 0`.
  @usableFromInline package var from: Double
  /// Multiplier at `p = 1` (interpolating shapes and `exponential` with `to`).
  @usableFromInline package var to: Double
  /// Curve length `L` in steps; `.infinity` for an open-ended last phase.
  @usableFromInline package var length: Double
  /// Start position inside the curve, `0 <= offset < length`.
  @usableFromInline package var offset: Double
  @usableFromInline package var endpoint: Endpoint
  @usableFromInline package var mirror: Bool
  /// The schedule's peak (the `power` shape divides by it).
  @usableFromInline package var peak: Double

  /// Steps the phase lasts: `length - offset`.
  @inlinable
  package var duration: Double { length - offset }
}

/// Maps the endpoint values (`from`, `to`, table values) of a phase inside a
/// repeat block to the cycle being played.
@frozen
@usableFromInline package struct EndpointMap: Sendable {
  @usableFromInline var mode: UInt8  // 0 identity, 1 amplitude, 2 peak
  @usableFromInline var floor: Double
  @usableFromInline var factor: Double

  @usableFromInline package static let identity = EndpointMap(mode: 0, floor: 0, factor: 1)

  @inlinable
  init(mode: UInt8, floor: Double, factor: Double) {
    self.mode = mode
    self.floor = floor
    self.factor = factor
  }

  @inlinable
  package init(decayMode: DecayMode, floor: Double, factor: Double) {
    self.init(mode: decayMode == .amplitude ? 1 : 2, floor: floor, factor: factor)
  }

  @inlinable
  package func apply(_ v: Double) -> Double {
    switch mode {
    case 0: return v
    case 1: return floor + (v - floor) * factor
    default:
      if abs(v - floor) <= 1e-12 * abs(floor) { return v }
      return v * factor
    }
  }
}
