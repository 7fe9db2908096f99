//===--- Curve.swift ------------------------------------------------------===//
// The decay curves d(p) of the interpolating shapes.
//===----------------------------------------------------------------------===//
import RealModule

/// A decay curve `d(p)` with `d(0) = 1`, used by the interpolating shapes.
///
/// Curves take both the progress `p` and its complement `q = 1 - p`, each
/// computed directly from the step (not as `1 - p`), so that values near the
/// end of a phase keep full relative precision.
@frozen
public enum Curve: Sendable, Equatable {
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
  public var name: String {
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

  /// `d(p)`, given `p` and `q = 1 - p`, both in [0, 1].
  @inlinable @inline(__always)
  public func decay(p: Double, q: Double) -> Double {
    switch self {
    case .linear:
      return q
    case .cosine(let c, let e):
      let v = 0.5 * (1.0 + Double.cos(Double.pi * c * 2.0 * p))
      return e == 1 ? v : Double.pow(v, e)
    case .sqrt:
      return 1.0 - p.squareRoot()
    case .square:
      return 1.0 - p * p
    case .polynomial(let k):
      return k == 1 ? q : Double.pow(q, k)
    case .rex:
      return q / (1.0 - 0.5 * p)
    case .uba(let phi):
      let s = 1.0 + Double.cos(Double.pi * p)
      return 2.0 * s / (2.0 * phi + (2.0 - phi) * s)
    }
  }

  /// `d(1 - p)`: the curve played backwards in time (a mirrored warmup),
  /// given `p` and `q = 1 - p`.
  @inlinable
  public func mirroredDecay(p: Double, q: Double) -> Double {
    switch self {
    case .cosine(let c, let e) where c == 0.5:
      // cos(pi (1 - p)) = -cos(pi p), without the rounding of 1 - p.
      let v = 0.5 * (1.0 - Double.cos(Double.pi * p))
      return e == 1 ? v : Double.pow(v, e)
    case .uba(let phi):
      let s = 1.0 - Double.cos(Double.pi * p)
      return 2.0 * s / (2.0 * phi + (2.0 - phi) * s)
    default:
      return decay(p: q, q: p)
    }
  }
}
