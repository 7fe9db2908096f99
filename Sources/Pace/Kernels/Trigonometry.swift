//===--- Trigonometry.swift -----------------------------------------------===//
// cos(pi x) kernels in float64, vectorisable, without libm.
//===----------------------------------------------------------------------===//

/// Trigonometric kernels for the cosine-based shapes, written over
/// ``DoubleLanes`` so the scalar and SIMD paths agree bit for bit.
///
/// Accuracy (measured by `pace kernels` against glibc's long-double `cosl`
/// and `sinl` on 10^7 random points per range; `make test` runs it):
/// `cosPi` within 1.48 ulp for |x| <= 2^20 (mean 0.30 ulp); `halfCosSquared`
/// within 3.29 ulp over [0, 1] (the square of a value within 2 ulp; mean
/// 0.63 ulp) — and, being computed from
/// whichever of `p` and `1 - p` is smaller, it keeps that accuracy relative
/// to the tiny values near the end of a decay, where `0.5 * (1 + cos(pi p))`
/// loses digits to cancellation.
public enum Trigonometry {
  /// pi split in two: `piHigh + piLow` is pi to about 2^-106.
  @usableFromInline static let piHigh = 3.141592653589793
  @usableFromInline static let piLow = 1.2246467991473532e-16

  /// `sin(x)` for `x` in [0, pi/4]: Taylor series to x^17 (truncation below
  /// 1e-19 relative there), Horner steps as fused multiply-adds.
  @inlinable @inline(__always)
  static func sinSmall<V: DoubleLanes>(_ x: V) -> V {
    let z = x * x
    // sin x = x + x z (-1/3! + z (1/5! - z (1/7! ...)))
    var r = V(broadcast: 1.0 / 355_687_428_096_000)             // 1/17!
    r = V(broadcast: -1.0 / 1_307_674_368_000).addingProductLanes(z, r)           // 1/15!
    r = V(broadcast: 1.0 / 6_227_020_800).addingProductLanes(z, r)                // 1/13!
    r = V(broadcast: -1.0 / 39_916_800).addingProductLanes(z, r)                  // 1/11!
    r = V(broadcast: 1.0 / 362_880).addingProductLanes(z, r)                      // 1/9!
    r = V(broadcast: -1.0 / 5040).addingProductLanes(z, r)                        // 1/7!
    r = V(broadcast: 1.0 / 120).addingProductLanes(z, r)                          // 1/5!
    r = V(broadcast: -1.0 / 6).addingProductLanes(z, r)                           // 1/3!
    return x.addingProductLanes(x * z, r)
  }

  /// `cos(x)` for `x` in [0, pi/4]: Taylor series to x^16, with the final
  /// `1 - z/2` formed so that its rounding error is recovered.
  @inlinable @inline(__always)
  static func cosSmall<V: DoubleLanes>(_ x: V) -> V {
    let z = x * x
    var r = V(broadcast: 1.0 / 20_922_789_888_000)               // 1/16!
    r = V(broadcast: -1.0 / 87_178_291_200).addingProductLanes(z, r)              // 1/14!
    r = V(broadcast: 1.0 / 479_001_600).addingProductLanes(z, r)                  // 1/12!
    r = V(broadcast: -1.0 / 3_628_800).addingProductLanes(z, r)                   // 1/10!
    r = V(broadcast: 1.0 / 40320).addingProductLanes(z, r)                        // 1/8!
    r = V(broadcast: -1.0 / 720).addingProductLanes(z, r)                         // 1/6!
    r = V(broadcast: 1.0 / 24).addingProductLanes(z, r)                           // 1/4!
    let one = V(broadcast: 1)
    let half = V(broadcast: 0.5) * z
    let w = one - half
    return w + ((one - w) - half).addingProductLanes(z * z, r)
  }

  /// `pi * t` for `t` in [0, 0.25], in double-double before rounding once.
  @inlinable @inline(__always)
  static func timesPi<V: DoubleLanes>(_ t: V) -> V {
    (t * V(broadcast: piLow)).addingProductLanes(t, V(broadcast: piHigh))
  }

  /// `cos(pi x)` for any finite `x` (exact range reduction: no error from
  /// rounding pi x).
  @inlinable @inline(__always)
  public static func cosPi<V: DoubleLanes>(_ x: V) -> V {
    let zero = V(broadcast: 0)
    let one = V(broadcast: 1)
    let two = V(broadcast: 2)
    let half = V(broadcast: 0.5)
    let quarter = V(broadcast: 0.25)
    // |x| reduced to r in [0, 2) exactly: r = |x| - 2 floor(|x| / 2).
    var a = V.choose(x, lessOrEqual: zero, zero - x, x)
    a = a - two * floorLanes(a * half)
    // cos(pi r) = cos(pi (2 - r)); fold to [0, 1].
    a = V.choose(a, lessOrEqual: one, a, two - a)
    // cos(pi r) = -cos(pi (1 - r)); fold to [0, 0.5] with a sign.
    let sign = V.choose(a, lessOrEqual: half, one, zero - one)
    a = V.choose(a, lessOrEqual: half, a, one - a)
    // [0, 0.25]: cos(pi a); (0.25, 0.5]: sin(pi (0.5 - a)).
    let c = cosSmall(timesPi(a))
    let s = sinSmall(timesPi(half - a))
    return sign * V.choose(a, lessOrEqual: quarter, c, s)
  }

  /// `cos^2(pi p / 2) = 0.5 * (1 + cos(pi p))` for `p` in [0, 1], given
  /// `q = 1 - p` computed independently: evaluated from `p` when `p <= q`
  /// (`cos(pi p/2)^2`) and from `q` otherwise (`sin(pi q/2)^2`), so the
  /// result keeps full relative precision down to the end of a decay.
  @inlinable @inline(__always)
  public static func halfCosSquared<V: DoubleLanes>(p: V, q: V) -> V {
    let half = V(broadcast: 0.5)
    // Lanes usually agree on the branch (a run of steps in one half of a
    // phase): then only one polynomial is evaluated.
    if V.all(p, lessOrEqual: q) {
      let c = cosSmall(timesPi(half * p))
      return c * c
    }
    if V.all(q, lessThan: p) {  // strict: a tie takes the first branch, as one lane would
      let s = sinSmall(timesPi(half * q))
      return s * s
    }
    let c = cosSmall(timesPi(half * p))
    let s = sinSmall(timesPi(half * q))
    return V.choose(p, lessOrEqual: q, c * c, s * s)
  }

  /// Per-lane floor for non-negative inputs below 2^52.
  @inlinable @inline(__always)
  static func floorLanes<V: DoubleLanes>(_ x: V) -> V {
    // Adding and subtracting 2^52 rounds to an integer (to nearest); step
    // back by one where that rounded up.
    let big = V(broadcast: 4_503_599_627_370_496)
    let rounded = (x + big) - big
    return V.choose(rounded, lessOrEqual: x, rounded, rounded - V(broadcast: 1))
  }
}
