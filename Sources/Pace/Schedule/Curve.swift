//===--- Curve.swift ------------------------------------------------------===//
// The decay curves d(p) of the interpolating shapes.
//===----------------------------------------------------------------------===//
/// A decay curve `d(p)` with `d(0) = 1`, used by the interpolating shapes.
///
/// Curves take both the progress `p` and its complement `q = 1 - p`, each
/// computed directly from the step (not as `1 - p`), so that values near the
/// end of a phase keep full relative precision.
@frozen
@usableFromInline package enum Curve: Sendable, Equatable {
  /// `1 - p`.
  case linear
  /// `(0.5 * (1 + cos(2 pi c p)))^e`; `cycles` c > 0, `exponent` e > 0.
  case cosine(cycles: Double, exponent: Double)
  /// `1 - sqrt(p)` (the WSD "1-sqrt" cooldown).
  case sqrt
  /// `1 - p^2` (the WSD "1-square" cooldown).
  case square
  /// `(1 - p)^k`.
  case polynomial(power: Double)
  /// REX: `(1 - p) / (1 - p/2)`.
  case rex
  /// UBA: `2s / (2 phi + (2 - phi) s)` with `s = 1 + cos(pi p)`.
  case uba(phi: Double)

  /// The shape's name in the spec.
  @usableFromInline package var name: String {
    switch self {
    case .linear: return "linear"
    case .cosine: return "cosine"
    case .sqrt: return "sqrt"
    case .square: return "square"
    case .polynomial: return "polynomial"
    case .rex: return "rex"
    case .uba: return "uba"
    }
  }

  /// `d(p)`, given `p` and `q = 1 - p`, both in [0, 1] (the curve's
  /// ``DecayKernel`` on one lane).
  @inlinable
  package func decay(p: Double, q: Double) -> Double {
    withDecay(DecayAt(p: p, q: q))
  }
}

/// Evaluates a decay kernel on one lane.
@usableFromInline
struct DecayAt: DecayKernelVisitor {
  @usableFromInline let p: Double
  @usableFromInline let q: Double

  @inlinable
  init(p: Double, q: Double) {
    self.p = p
    self.q = q
  }

  @inlinable
  func visit<D: DecayKernel>(_ decay: D) -> Double { decay(p: p, q: q) }
}
