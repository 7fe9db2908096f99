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

  /// True when ``decayLanes(p:q:)`` computes the curve (no libm call), so
  /// fills evaluate it four steps at a time.
  @inlinable
  public var isVectorisable: Bool {
    switch self {
    case .cosine(_, let e): return e == 1
    case .polynomial(let k): return k == 1 || k == 2
    default: return true
    }
  }

  /// `d(p)` over lanes, given `p` and `q = 1 - p`, both in [0, 1], for
  /// vectorisable curves (the cosine's exponent and a polynomial power other
  /// than 1 and 2 are applied by ``decay(p:q:)``).
  @inlinable @inline(__always)
  public func decayLanes<V: DoubleLanes>(p: V, q: V) -> V {
    let one = V(broadcast: 1)
    switch self {
    case .linear:
      return q
    case .cosine(let c, _):
      if c == 0.5 { return Trigonometry.halfCosSquared(p: p, q: q) }
      return V(broadcast: 0.5) * (one + Trigonometry.cosPi(V(broadcast: c * 2.0) * p))
    case .sqrt:
      return one - p.squareRootLanes
    case .square:
      return one - p * p
    case .polynomial(let k):
      return k == 2 ? q * q : q
    case .rex:
      return q / (one - V(broadcast: 0.5) * p)
    case .uba(let phi):
      let s = V(broadcast: 2) * Trigonometry.halfCosSquared(p: p, q: q)
      return V(broadcast: 2) * s / (V(broadcast: 2.0 * phi) + V(broadcast: 2.0 - phi) * s)
    }
  }

  /// `d(p)`, given `p` and `q = 1 - p`, both in [0, 1].
  @inlinable @inline(__always)
  public func decay(p: Double, q: Double) -> Double {
    switch self {
    case .cosine(_, let e) where e != 1:
      return Double.pow(decayLanes(p: p, q: q), e)
    case .polynomial(let k) where k != 1 && k != 2:
      return Double.pow(q, k)
    default:
      return decayLanes(p: p, q: q)
    }
  }

  /// `d(1 - p)`: the curve played backwards in time (a mirrored warmup).
  /// Every curve is written in terms of both `p` and `q`, so this is the
  /// curve with the two exchanged (exact, no `1 - p` rounding).
  @inlinable @inline(__always)
  public func mirroredDecay(p: Double, q: Double) -> Double {
    decay(p: q, q: p)
  }
}
