//===--- Shape.swift ------------------------------------------------------===//
// What a phase computes: the shapes of schedule spec v1.
//===----------------------------------------------------------------------===//

/// Where an interpolating phase reaches its `to` value.
@usableFromInline package enum Endpoint: String, Sendable {
  /// `p = u / L`: `to` is reached at the first step after the phase
  /// (PyTorch, optax, Hugging Face).
  case exclusive
  /// `p = (u + 1) / L`: `to` is reached at the phase's last step (llm.c).
  case inclusive
}

/// How a `table` given by `points` is joined between points.
@usableFromInline package enum TableInterpolation: String, Sendable {
  case linear
  case step
}

/// Explicit multipliers: one per step (`values`), or `points` joined by
/// ``TableInterpolation``.
///
/// The buffers belong to the schedule's ``Arena``.
@usableFromInline package struct Table {
  /// One multiplier per local step; empty when `points` are used.
  @usableFromInline package var values: ArenaBuffer<Double>
  /// Local positions (increasing) of the points.
  @usableFromInline package var pointPositions: ArenaBuffer<Double>
  /// Multipliers at the points.
  @usableFromInline package var pointValues: ArenaBuffer<Double>
  @usableFromInline package var interpolation: TableInterpolation

  /// Multiplier at local position `u` (before endpoint mapping).
  ///
  /// - Complexity: O(1) for `values`, O(log n) for `points`.
  @inlinable
  package func value(at u: Double) -> Double {
    if !values.isEmpty {
      let last = values.count - 1
      if !(u >= 0) { return values[0] }
      if u >= Double(last) { return values[last] }
      return values[Int(u)]
    }
    return piece(pointIndex(at: u)).piece.value(at: u)
  }
}

/// The shape of one phase, with its shape-specific parameters.
@usableFromInline package enum Shape {
  /// Interpolates `from` -> `to` along a ``Curve``.
  case interpolating(Curve)
  /// Geometric: `from * (to/from)^p`, or `from * gamma^u` when `gamma` is set
  /// (then open-ended). `staircase` k > 0 replaces `u` by `floor(u/k) * k`.
  case exponential(gamma: Double?, staircase: Double?)
  /// `from`, forever.
  case constant
  /// `from * gamma^floor(u / stepSize)` or `from * gamma^(milestones <= u)`.
  case step(gamma: Double, stepSize: Double?, milestones: ArenaBuffer<Double>)
  /// `from / sqrt(1 + u / timescale)`.
  case inverseSqrt(timescale: Double)
  /// `min(from, a * (t * tokensPerStep)^b / peak)`, t the global step.
  case power(a: Double, b: Double, tokensPerStep: Double)
  /// Explicit multipliers.
  case table(Table)
  /// Another schedule played over the phase: ``SegmentPlayback``.
  case segment(SegmentPlayback)

  /// The shape's name in the spec.
  @usableFromInline package var name: String {
    switch self {
    case .interpolating(let c): return c.name
    case .exponential: return "exponential"
    case .constant: return "constant"
    case .step: return "step"
    case .inverseSqrt: return "inverse_sqrt"
    case .power: return "power"
    case .table: return "table"
    case .segment: return "segment"
    }
  }

  /// True for shapes that may run forever (no length).
  @usableFromInline package var isOpenEnded: Bool {
    switch self {
    case .constant, .step, .inverseSqrt, .power, .segment: return true
    case .exponential(let gamma, _): return gamma != nil
    case .interpolating, .table: return false
    }
  }

  /// True for shapes that take `to`, `endpoint` and `mirror`.
  @usableFromInline package var interpolates: Bool {
    switch self {
    case .interpolating: return true
    case .exponential(let gamma, _): return gamma == nil
    default: return false
    }
  }
}
