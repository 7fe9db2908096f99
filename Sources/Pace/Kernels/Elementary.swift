//===--- Elementary.swift -------------------------------------------------===//
// exp, log and pow in float64, vectorisable, without libm.
//===----------------------------------------------------------------------===//

/// Exponential, logarithm and power kernels written over ``DoubleLanes``, so
/// `pace_schedule_at` (one lane) and the fills (``FillLanes``) perform the same
/// IEEE operations and agree bit for bit. Every lane is handled without
/// branches: special inputs are patched in with per-lane selects.
///
/// - `exp2(zh, zl)`: `2^(zh + zl)` for a double-double exponent, reduced to
///   `2^floor(k/16) * 2^(j/16) * 2^r` with `k = round(16 zh)`, `j = k mod 16`
///   and `|r| <= 1/32`: a 16-entry double-double table for `2^(j/16)`, the
///   degree-7 Taylor series of `2^r - 1` with its top term economised
///   (Chebyshev; error 0.07 ulp, five multiply-adds) and one
///   correctly rounded scaling (results round correctly into the
///   subnormals). `exp(x)` is `exp2` of `x log2 e` formed exactly.
/// - `log`: `x = 2^e m`, `m` in [sqrt(1/2), sqrt(2)), `s = (m - 1)/(m + 1)`,
///   `log m = 2s + s^3 (2/3 + s^2 Q(s^2))` (the atanh series, truncation below
///   2^-71 relative), with `s`, `s^3`, the `2/3` bracket and the final sums
///   carried in double-double: the result is a pair `hi + lo` accurate to
///   about 2^-66 relative, which `pow` needs.
/// - `pow(x, y) = exp2(y log2|x|)` with the product formed exactly (fused
///   multiply-add) from the double-double logarithm (converted to base 2),
///   so the error does not grow with `|y log x|` (up to the overflow
///   threshold 709.8).
///
/// Accuracy (measured by `pace kernels` against glibc's long-double `expl`,
/// `logl` and `powl` on 10^7 random points per range; `make test` runs it
/// and fails above 2 ulp; docs/performance.md has the table): `exp` within
/// 0.66 ulp over [-1, 1] and 0.80 ulp over [-745.1, 709.7] (the subnormal
/// results, rounded twice, give the maximum; mean 0.25); `log` within 0.50
/// ulp over all positive doubles (mean 0.25); `pow` within 0.81 ulp for x
/// in 2^[-20, 20] and |y log x| < 709, 0.79 ulp on the schedule ranges (x in
/// (0, 1] with y in [0, 8], gamma^step near 1, x up to 1e16 with y in
/// [-1, 0]); mean 0.25.
///
/// The error-free products (`productError`) are exact in every build; the
/// polynomial steps are fused multiply-adds where the build has hardware FMA
/// (x86-64-v3 and v4 builds, arm64) and a product then a sum elsewhere, so
/// the portable baseline library may differ from the host one in the last
/// bit (never `at` from the fills of one library).
@usableFromInline package enum Elementary {
  /// ln 2 in two parts: a 42-bit head (so `e * ln2Hi` is exact for the
  /// exponents `e` of doubles) and the rest.
  @inlinable static var ln2Hi: Double { 0x1.62e42fefa3800p-1 }
  @inlinable static var ln2Lo: Double { 0x1.ef35793c76730p-45 }
  /// log2(e) = 1/ln 2 as a double-double (head rounded to nearest, then the
  /// rest).
  @inlinable static var log2eHi: Double { 0x1.71547652b82fep+0 }
  @inlinable static var log2eLo: Double { 0x1.777d0ffda0d24p-56 }

  /// `e^x` for any `x` (overflow to +inf above 709.78, subnormal results
  /// below -708.4, zero below -745.13, NaN for NaN): `2^(x log2 e)` with the
  /// product kept as an exact double-double.
  @inlinable @inline(__always)
  package static func exp<V: DoubleLanes>(_ x: V) -> V {
    let log2e = V(broadcast: log2eHi)
    let zh = x * log2e
    let zl = V.productError(x, log2e, product: zh).addingProductLanes(x, V(broadcast: log2eLo))
    return exp2(zh, zl)
  }

  /// `2^(zh + zl)` for the double-double `zh + zl` (`|zl|` about `ulp(zh)`
  /// or less; `zl` is ignored where `zh` is outside (-1100, 1100), where the
  /// result is 0 or +inf, and where `zh` is NaN).
  ///
  /// `zh = k/16 + rh` with `k = round(16 zh)` (so `|rh| <= 1/32`, exact), then
  /// `2^(zh + zl) = 2^floor(k/16) * 2^(j/16) * 2^r` with `j = k mod 16`,
  /// `r = rh + zl`. `2^(j/16)` comes from a 16-entry double-double table
  /// (`_CKernels.h`; in x86-64-v4 builds one in-register permute per half),
  /// `2^r - 1 = r P(r)` from the Taylor series of degree 7 with its top term
  /// economised (error below 1.6e-17), and the scaling by `2^floor(k/16)` rounds once
  /// (``DoubleLanes/scaled(_:byTwoPowerFloor:)``: `vscalefpd` in x86-64-v4
  /// builds), so subnormal results are rounded correctly too.
  ///
  /// Cost: about 14 vector operations when every lane of `zh` is inside
  /// (-1020, 1020) (the power of two is then built from the bits of the
  /// rounded exponent, exact, no clamp), about 26 otherwise (in a function
  /// of its own, ``exp2OutOfRange(_:_:)``); O(1) per lane.
  @inlinable @inline(__always)
  package static func exp2<V: DoubleLanes>(_ zh: V, _ zl: V) -> V {
    let fastLow = V(broadcast: -1020)
    let fastHigh = V(broadcast: 1020)
    if V.all(fastLow, lessThan: zh) && V.all(zh, lessThan: fastHigh) {
      // k = round(16 zh) in [-16320, 16320]: floor(k/16) in [-1020, 1020],
      // so 2^floor(k/16) is a normal power of two and the product is exact
      // (the same bits as the general scaling below).
      let (e, shifted, _) = exp2Reduced(zh, zl)
      return e * V.twoPowerFloorSixteenth(shifted)
    }
    return exp2OutOfRange(zh, zl)
  }

  /// ``exp2(_:_:)`` for a vector with a lane outside (-1020, 1020) (or
  /// NaN): clamped, then scaled by ``DoubleLanes/scaled(_:byTwoPowerFloor:)``.
  /// Never inlined: a fill loop then holds one copy of the reduction and
  /// the table lookup, and its registers are not shared with this rare path
  /// (on AVX2's sixteen registers the inlined copy cost register moves on
  /// every vector of the common path).
  @inlinable @inline(never)
  static func exp2OutOfRange<V: DoubleLanes>(_ zh: V, _ zl: V) -> V {
    let low = V(broadcast: -1100)
    let high = V(broadcast: 1100)
    // Clamp (NaN lanes pass through both selects unchanged) and drop the
    // tail where clamped (it is NaN where zh is infinite).
    var x = V.choose(zh, lessOrEqual: low, low, zh)
    x = V.choose(high, lessOrEqual: x, high, x)
    let tail = V.choose(x, equal: zh, zl, V(broadcast: 0))
    let (e, _, k) = exp2Reduced(x, tail)
    return V.scaled(e, byTwoPowerFloor: k * V(broadcast: 0.0625))
  }

  /// The reduction and polynomial of ``exp2(_:_:)`` for `x` in
  /// [-1100, 1100] (or NaN): `e = 2^(j/16) 2^r` in about [0.98, 2.05), the
  /// shifted sum holding `k = round(16 x)` in its low bits, and `k` itself.
  @inlinable @inline(__always)
  static func exp2Reduced<V: DoubleLanes>(_ x: V, _ tail: V) -> (e: V, shifted: V, k: V) {
    // 16 x + 1.5 * 2^52 rounds 16 x to the integer k, held in the low bits
    // of `shifted` (the table index is its low four bits).
    let shifter = V(broadcast: 0x1.8p52)
    let shifted = shifter.addingProductLanes(x, V(broadcast: 16))
    let k = shifted - shifter
    let r = x.addingProductLanes(k, V(broadcast: -0.0625)) + tail  // x - k/16 is exact
    // 2^r - 1 = r P(r): the Taylor series P(r) = sum (ln 2)^n r^(n-1) / n!,
    // n = 1 ... 7, with its r^6 term economised by the Chebyshev polynomial
    // T6 over |r| <= 1/32 (into the r^4, r^2 and r^0 coefficients; error
    // below 1.6e-17 absolute in 2^r - 1 with the truncation, 0.07 ulp):
    // five multiply-adds.
    var p = V(broadcast: 0x1.430912f86c787p-13)
    p = V(broadcast: 0x1.5d897e51a3b5ep-10).addingProductLanes(p, r)
    p = V(broadcast: 0x1.3b2ab6fba4e77p-7).addingProductLanes(p, r)
    p = V(broadcast: 0x1.c6b08d6f2a294p-5).addingProductLanes(p, r)
    p = V(broadcast: 0x1.ebfbdff82c58fp-3).addingProductLanes(p, r)
    p = V(broadcast: 0x1.62e42fefa39f3p-1).addingProductLanes(p, r)
    let m = p * r
    // 2^(j/16) 2^r = th + (tl + th m), about [0.98, 2.05).
    let (th, tl) = V.twoPowerSixteenths(shifted)
    return (th + tl.addingProductLanes(th, m), shifted, k)
  }

  /// `log(a)` as a double-double `(hi, lo)` for `a >= 0` (hi is -inf at 0,
  /// +inf at +inf, NaN for NaN and negative `a`; lo is then unspecified).
  @inlinable @inline(__always)
  package static func logDoubleDouble<V: DoubleLanes>(_ a: V) -> (hi: V, lo: V) {
    let zero = V(broadcast: 0)
    let two = V(broadcast: 2)
    // Subnormals: scale into the normals first.
    let normalMin = V(broadcast: 0x1p-1022)
    let scaled = V.choose(a, lessThan: normalMin, a * V(broadcast: 0x1p54), a)
    let bias = V.choose(a, lessThan: normalMin, V(broadcast: -54), zero)
    var (m, e) = V.significandAndExponent(scaled)
    // m in [sqrt(1/2), sqrt(2)).
    let sqrt2 = V(broadcast: 0x1.6a09e667f3bcdp+0)
    e = V.choose(m, lessThan: sqrt2, e, e + V(broadcast: 1)) + bias
    m = V.choose(m, lessThan: sqrt2, m, m * V(broadcast: 0.5))
    let f = m - V(broadcast: 1)  // exact
    // s = f / (2 + f) in double-double.
    let uh = two + f
    let ul = (two - uh) + f
    let sh = f / uh
    let product = sh * uh
    let residual = (f - product) - V.productError(sh, uh, product: product)  // f - sh uh, exact
    let sl = (residual - sh * ul) / uh
    // s^2 and s^3 in double-double.
    let zh = sh * sh
    let zl = V.productError(sh, sh, product: zh) + two * sh * sl
    let ch = zh * sh
    let cl = V.productError(zh, sh, product: ch) + (zl * sh + zh * sl)
    // Q(z) = sum 2 z^(k-2) / (2k + 1), k = 2 ... 11.
    var q = V(broadcast: 0x1.642c8590b2164p-4)  // 2/23
    q = V(broadcast: 0x1.8618618618618p-4).addingProductLanes(q, zh)  // 2/21
    q = V(broadcast: 0x1.af286bca1af28p-4).addingProductLanes(q, zh)  // 2/19
    q = V(broadcast: 0x1.e1e1e1e1e1e1ep-4).addingProductLanes(q, zh)  // 2/17
    q = V(broadcast: 0x1.1111111111111p-3).addingProductLanes(q, zh)  // 2/15
    q = V(broadcast: 0x1.3b13b13b13b14p-3).addingProductLanes(q, zh)  // 2/13
    q = V(broadcast: 0x1.745d1745d1746p-3).addingProductLanes(q, zh)  // 2/11
    q = V(broadcast: 0x1.c71c71c71c71cp-3).addingProductLanes(q, zh)  // 2/9
    q = V(broadcast: 0x1.2492492492492p-2).addingProductLanes(q, zh)  // 2/7
    q = V(broadcast: 0x1.999999999999ap-2).addingProductLanes(q, zh)  // 2/5
    // B = 2/3 + z Q in double-double (2/3 itself in two parts).
    let twoThirds = V(broadcast: 0x1.5555555555555p-1)
    let t = V(broadcast: 0x1.5555555555555p-55).addingProductLanes(zh, q)
    let bh = twoThirds + t
    let bl = (twoThirds - bh) + t
    // s^3 B, then log m = 2s + s^3 B.
    let th = ch * bh
    let tl = V.productError(ch, bh, product: th) + (ch * bl + cl * bh)
    let sh2 = two * sh
    let lh = sh2 + th
    let ll = ((sh2 - lh) + th) + (two * sl + tl)
    // + e ln 2 (e ln2Hi exact; |e ln2| >= |log m| unless e = 0).
    let eh = e * V(broadcast: ln2Hi)
    let h = eh + lh
    let l = ((eh - h) + lh) + (e * V(broadcast: ln2Lo) + ll)
    var hi = h + l
    let lo = (h - hi) + l
    // Special lanes: 0, +inf, NaN and negative.
    let infinity = V(broadcast: .infinity)
    hi = V.choose(a, equal: zero, zero - infinity, hi)
    hi = V.choose(infinity, lessOrEqual: a, a, hi)
    hi = V.choose(a, lessThan: zero, V(broadcast: .nan), hi)
    hi = V.choose(a, equal: a, hi, a)
    return (hi, lo)
  }

  /// `log2(a)` as a double-double: ``logDoubleDouble(_:)`` times `log2 e`
  /// (about 2^-66 relative; the special values of `hi` are those of `log`).
  @inlinable @inline(__always)
  package static func log2DoubleDouble<V: DoubleLanes>(_ a: V) -> (hi: V, lo: V) {
    let (h, l) = logDoubleDouble(a)
    let c = V(broadcast: log2eHi)
    let hi = h * c
    let lo = V.productError(h, c, product: hi) + (l * c).addingProductLanes(h, V(broadcast: log2eLo))
    return (hi, lo)
  }

  /// Natural logarithm (-inf at 0, NaN below 0 and for NaN).
  @inlinable @inline(__always)
  package static func log<V: DoubleLanes>(_ x: V) -> V {
    logDoubleDouble(x).hi
  }

  /// `|x|` per lane (clears the sign bit's effect: -0 gives +0).
  @inlinable @inline(__always)
  package static func magnitude<V: DoubleLanes>(_ x: V) -> V {
    V.choose(signBitOf: x, V(broadcast: 0) - x, x)
  }

  /// `x^y` with the special values of C's `pow`.
  @inlinable @inline(__always)
  package static func pow<V: DoubleLanes>(_ x: V, _ y: V) -> V {
    pow(x, y, log2OfMagnitude: log2DoubleDouble(magnitude(x)))
  }

  /// `x^y` given `log2DoubleDouble(|x|)`, which callers raising one `x` to
  /// many `y` compute once: the result is the same, bit for bit, as
  /// `pow(x, y)`.
  @inlinable @inline(__always)
  package static func pow<V: DoubleLanes>(_ x: V, _ y: V, log2OfMagnitude log: (hi: V, lo: V)) -> V {
    let zero = V(broadcast: 0)
    let one = V(broadcast: 1)
    var r = powOfPositive(y, log2OfX: log)
    // |x| = 1: 1 for every y (y = +-inf included).
    r = V.choose(magnitude(x), equal: one, one, r)
    // Negative x (and -0, -inf): an odd integer y flips the sign; a finite
    // x < 0 with y not an integer has no real power. d = y/2 - floor(y/2)
    // is 0 for even integers (and |y| >= 2^53), 0.5 for odd ones.
    let ay = magnitude(y)
    let big = V(broadcast: 0x1p52)
    let half = V.choose(ay, lessOrEqual: big, ay, big) * V(broadcast: 0.5)
    let d = half - Trigonometry.floorLanes(half)
    let flipped = V.choose(d, equal: V(broadcast: 0.5), r * V(broadcast: -1), r)  // -0 for 0
    let integral = V.choose(d, equal: zero, flipped, V.choose(d, equal: V(broadcast: 0.5), flipped, V(broadcast: .nan)))
    let finiteNegative = V.choose(V(broadcast: -.infinity), lessThan: x, integral, flipped)
    r = V.choose(signBitOf: x, V.choose(x, lessThan: zero, finiteNegative, flipped), r)
    // NaN y gives NaN, except 1^y = 1 and x^0 = 1 for every x.
    r = V.choose(y, equal: y, r, y)
    r = V.choose(x, equal: one, one, r)
    return V.choose(y, equal: zero, one, r)
  }

  /// A double-double constant (a kernel's `log2` of its base, taken once) in
  /// every lane.
  @inlinable @inline(__always)
  package static func broadcast<V: DoubleLanes>(_ pair: (hi: Double, lo: Double)) -> (hi: V, lo: V) {
    (V(broadcast: pair.hi), V(broadcast: pair.lo))
  }

  /// `x^y` for positive finite `x` and finite `y`, given
  /// `log2DoubleDouble(x)`: `pow` without its special-value selects (which
  /// change nothing there), for kernels whose base is known to be ordinary.
  @inlinable @inline(__always)
  package static func powOfPositive<V: DoubleLanes>(_ y: V, log2OfX log: (hi: V, lo: V)) -> V {
    // y log2 x exactly as a double-double (fma recovers the product's error).
    let zh = y * log.hi
    let zl = V.productError(y, log.hi, product: zh).addingProductLanes(y, log.lo)
    return exp2(zh, zl)
  }

  /// `a / b` correctly rounded, given `reciprocal = 1 / b` (rounded to
  /// nearest; `b` finite, `1 / b` normal): a multiplication and two fused
  /// multiply-adds in place of a division (Markstein's correction: the
  /// residual `a - q b` is exact, and `q + residual / b` then rounds to the
  /// quotient), several times faster than a vector division.
  @inlinable @inline(__always)
  package static func divide<V: DoubleLanes>(_ a: V, by b: V, reciprocal: V) -> V {
    guard hasHardwareFMA else { return a / b }  // the division itself: the same quotient
    let q = a * reciprocal
    let residual = a.fusedAddingProductLanes(q.negatedLanes, b)
    return q.fusedAddingProductLanes(residual, reciprocal)
  }

  /// Per-lane floor for `x >= 0` (any size; NaN stays NaN).
  @inlinable @inline(__always)
  package static func floor<V: DoubleLanes>(_ x: V) -> V {
    // Doubles from 2^52 up are integers already.
    V.choose(x, lessThan: V(broadcast: 0x1p52), Trigonometry.floorLanes(x), x)
  }
}
