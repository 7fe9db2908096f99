//===--- Trigonometry.swift -----------------------------------------------===//
// cos(pi x) kernels in float64, vectorisable, without libm.
//===----------------------------------------------------------------------===//

/// Trigonometric kernels for the cosine-based shapes, written over
/// ``DoubleLanes`` so the scalar and SIMD paths agree bit for bit.
///
/// Accuracy (measured by `pace kernels` against glibc's long-double `cosl`
/// and `sinl` on 10^7 random points per range; `make test` runs it):
/// `cosPi` within 1.48 ulp for |x| <= 2^20 (mean 0.30 ulp); `halfCosSquared`
/// within 2.71 ulp over [0, 1] (mean 0.46 ulp) and 2.45 ulp for p in
/// [1 - 2^-20, 1) — being computed from whichever of `p` and `1 - p` is
/// smaller, it keeps that accuracy relative to the tiny values near the end
/// of a decay, where `0.5 * (1 + cos(pi p))` loses digits to cancellation.
@usableFromInline package enum Trigonometry {
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
  package static func cosPi<V: DoubleLanes>(_ x: V) -> V {
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
  /// (`1 + w C(w)`, `w = p^2`) and from `q` otherwise (`sin^2(pi q / 2) =
  /// -v C(v)`, `v = q^2`), so the result keeps full relative precision down
  /// to the end of a decay. `C` is one series for both (see
  /// ``halfCosSeries(_:sign:)``); no multiplication by pi, no square.
  ///
  /// One polynomial per vector whatever its lanes: a vector whose lanes
  /// straddle `p = q` evaluates it on each lane's own argument (`p` or `q`).
  /// Both sides read the same eleven coefficients (the sine side negates
  /// `v` instead of the series: `(-v) C(v)` rounds to the same bits as
  /// `v (-C(v))`, round to nearest being symmetric), so a fill loop holds
  /// eleven constants instead of twenty-two in its sixteen AVX2 registers
  /// (builds without FMA keep the negated series: there the negation cost more).
  ///
  /// - Complexity: O(1) per lane: about 14 vector operations.
  @inlinable @inline(__always)
  package static func halfCosSquared<V: DoubleLanes>(p: V, q: V) -> V {
    let one = V(broadcast: 1)
    // Lanes usually agree on the side (a run of steps in one half of a
    // phase): then no select.
    if V.all(p, lessOrEqual: q) {
      let w = p * p
      return one.addingProductLanes(w, halfCosSeries(w, sign: 1))
    }
    // No lane with p <= q (the same comparison, NaN lanes included: the
    // mixed case below gives them this side too).
    if !V.any(p, lessOrEqual: q) {
      let v = q * q
      // Without FMA (SSE2: two registers per vector) the negated series
      // is faster: with the negation the baseline build's second half of a
      // cosine decay measured 12% slower (the same bits either way).
      return hasHardwareFMA ? v.negatedLanes * halfCosSeries(v, sign: 1) : v * halfCosSeries(v, sign: -1)
    }
    let z = V.choose(p, lessOrEqual: q, p * p, q * q)
    let c = halfCosSeries(z, sign: 1)
    return V.choose(p, lessOrEqual: q, one.addingProductLanes(z, c), z.negatedLanes * c)
  }

  /// `sign * C(w)` with `C(w) = sum_k (-1)^k pi^(2k) / (2 (2k)!) w^(k-1)`,
  /// k = 1 ... 11: `cos^2(pi p / 2) = 1 + w C(w)` at `w = p^2` and
  /// `sin^2(pi q / 2) = -v C(v)` at `v = q^2`, for `w, v <= 1/4`
  /// (truncation below 4.1e-20 absolute, 6.7e-20 relative to the sine
  /// side; `C` is in [-2.47, -2] there, never zero). Ten multiply-adds
  /// (Horner: a shorter scheme would round differently). `sign` is 1 or -1:
  /// with every coefficient negated each step rounds to the negated value,
  /// so `sign: -1` gives `-C(w)` bit for bit. Coefficients from 60-digit
  /// decimal arithmetic, rounded to nearest.
  @inlinable @inline(__always)
  static func halfCosSeries<V: DoubleLanes>(_ w: V, sign s: Double) -> V {
    var r = V(broadcast: s * -0x1.52ae4120fde27p-35)                       // k = 11
    r = V(broadcast: s * 0x1.ef6e308d6d1c4p-30).addingProductLanes(w, r)    // k = 10
    r = V(broadcast: s * -0x1.2a0c591af8314p-24).addingProductLanes(w, r)   // k = 9
    r = V(broadcast: s * 0x1.20c62c2f2d7f5p-19).addingProductLanes(w, r)    // k = 8
    r = V(broadcast: s * -0x1.b6e24f44b128fp-15).addingProductLanes(w, r)   // k = 7
    r = V(broadcast: s * 0x1.f9d38a3763cc3p-11).addingProductLanes(w, r)    // k = 6
    r = V(broadcast: s * -0x1.a6d1f2a204a8cp-7).addingProductLanes(w, r)    // k = 5
    r = V(broadcast: s * 0x1.e1f506891babbp-4).addingProductLanes(w, r)     // k = 4
    r = V(broadcast: s * -0x1.55d3c7e3cbffap-1).addingProductLanes(w, r)    // k = 3
    r = V(broadcast: s * 0x1.03c1f081b5ac4p+1).addingProductLanes(w, r)     // k = 2
    return V(broadcast: s * -0x1.3bd3cc9be45dep+1).addingProductLanes(w, r)  // k = 1: -pi^2/4
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
