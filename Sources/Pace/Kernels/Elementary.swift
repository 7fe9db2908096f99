//===--- Elementary.swift -------------------------------------------------===//
// exp, log and pow in float64, vectorisable, without libm.
//===----------------------------------------------------------------------===//

/// Exponential, logarithm and power kernels written over ``DoubleLanes``, so
/// `pace_schedule_at` (one lane) and the fills (``FillLanes``) perform the same
/// IEEE operations and agree bit for bit. Every lane is handled without
/// branches: special inputs are patched in with per-lane selects.
///
/// - `exp`: Cody–Waite reduction `x = n ln2 + r` (`ln2` split in a 42-bit
///   head, so `n * ln2Hi` is exact), `|r| <= ln2/2`, Taylor series of
///   `e^r - 1 - r` to `r^13` (truncation below 5e-18), and the scaling by
///   `2^n` done as two exact halves so results round correctly into the
///   subnormals. It also takes a low part `xl` (`e^(x + xl)`), which `pow`
///   uses.
/// - `log`: `x = 2^e m`, `m` in [sqrt(1/2), sqrt(2)), `s = (m - 1)/(m + 1)`,
///   `log m = 2s + s^3 (2/3 + s^2 Q(s^2))` (the atanh series, truncation below
///   2^-71 relative), with `s`, `s^3`, the `2/3` bracket and the final sums
///   carried in double-double: the result is a pair `hi + lo` accurate to
///   about 2^-66 relative, which `pow` needs.
/// - `pow(x, y) = exp(y log|x|)` with the product formed exactly (fused
///   multiply-add) from the double-double logarithm, so the error does not
///   grow with `|y log x|` (up to the overflow threshold 709.8).
///
/// Accuracy (measured by `pace kernels` against glibc's long-double `expl`,
/// `logl` and `powl` on 10^7 random points per range; `make test` runs it
/// and fails above 2 ulp; docs/performance.md has the table): `exp` within
/// 0.81 ulp over [-745.1, 709.7] (subnormal results included, mean 0.26);
/// `log` within 0.50 ulp over all positive doubles (mean 0.25); `pow`
/// within 0.96 ulp for x in 2^[-20, 20] and |y log x| < 709, 0.82 ulp on
/// the schedule ranges (x in (0, 1] with y in [0, 8], gamma^step near 1,
/// x up to 1e16 with y in [-1, 0]); mean 0.26.
///
/// The fused multiply-adds are single instructions when the library is
/// built for a CPU with FMA (the Makefile's `-target-cpu haswell`);
/// elsewhere they are correctly rounded software calls, slower but giving
/// the same bits.
public enum Elementary {
  /// ln 2 in two parts: a 42-bit head (so `n * ln2Hi` is exact for
  /// |n| < 2^11) and the rest.
  @inlinable static var ln2Hi: Double { 0x1.62e42fefa3800p-1 }
  @inlinable static var ln2Lo: Double { 0x1.ef35793c76730p-45 }
  @inlinable static var invLn2: Double { 0x1.71547652b82fep+0 }

  /// `e^x` for any `x` (overflow to +inf above 709.78, subnormal results
  /// below -708.4, zero below -745.13, NaN for NaN).
  @inlinable @inline(__always)
  public static func exp<V: DoubleLanes>(_ x: V) -> V {
    exp(x, V(broadcast: 0))
  }

  /// `e^(xh + xl)` for `|xl|` below `ulp(xh)`-ish (the low part of a
  /// double-double); `xl` is ignored where `xh` is outside [-746, 710].
  ///
  /// Vectors whose lanes all lie in [-708, 709] (normal, finite results:
  /// every schedule's ordinary range) skip the clamps and scale by `2^n` in
  /// one exact product: the bits of the general path, whose clamps are then
  /// no-ops and whose two-step scaling is then exact too.
  @inlinable @inline(__always)
  public static func exp<V: DoubleLanes>(_ xh: V, _ xl: V) -> V {
    let ordinary = V.all(V(broadcast: -708), lessOrEqual: xh) && V.all(xh, lessOrEqual: V(broadcast: 709))
    var x = xh
    var tail = xl
    if !ordinary {
      // Clamp (NaN lanes pass through both selects unchanged).
      let low = V(broadcast: -746)
      let high = V(broadcast: 710)
      x = V.choose(xh, lessOrEqual: low, low, xh)
      x = V.choose(high, lessOrEqual: x, high, x)
      tail = V.choose(x, equal: xh, xl, V(broadcast: 0))
    }
    let (e, n) = expReduced(x, tail)
    if ordinary { return e * V.twoPower(n) }
    // Times 2^n in two exact halves (n in [-1076, 1024], each half in
    // [-538, 512]): only the last product rounds, once, into subnormals.
    let shifter = V(broadcast: 0x1.8p52)
    let n1 = (n * V(broadcast: 0.5) + shifter) - shifter
    return (e * V.twoPower(n1)) * V.twoPower(n - n1)
  }

  /// `(e, n)` with `e^(x + tail) = e * 2^n`, `n = round(x / ln 2)` and `e` in
  /// about [0.7, 1.42] (rounded once), for `x` in [-746, 710] or NaN.
  @inlinable @inline(__always)
  static func expReduced<V: DoubleLanes>(_ x: V, _ tail: V) -> (e: V, n: V) {
    let shifter = V(broadcast: 0x1.8p52)
    // round(x / ln2), integer-valued (any nearby integer would do).
    let n = shifter.addingProductLanes(x, V(broadcast: invLn2)) - shifter
    let rh = x.addingProductLanes(n.negatedLanes, V(broadcast: ln2Hi))  // exact: n ln2Hi is, and Sterbenz
    let rl = tail.addingProductLanes(n.negatedLanes, V(broadcast: ln2Lo))
    let r = rh + rl
    let re = (rh - r) + rl  // what rounding r lost
    // e^r - 1 - r = r^2 P(r), P(r) = sum r^(k-2) / k!, k = 2 ... 13.
    var p = V(broadcast: 0x1.6124613a86d09p-33)  // 1/13!
    p = V(broadcast: 0x1.1eed8eff8d898p-29).addingProductLanes(p, r)  // 1/12!
    p = V(broadcast: 0x1.ae64567f544e4p-26).addingProductLanes(p, r)  // 1/11!
    p = V(broadcast: 0x1.27e4fb7789f5cp-22).addingProductLanes(p, r)  // 1/10!
    p = V(broadcast: 0x1.71de3a556c734p-19).addingProductLanes(p, r)  // 1/9!
    p = V(broadcast: 0x1.a01a01a01a01ap-16).addingProductLanes(p, r)  // 1/8!
    p = V(broadcast: 0x1.a01a01a01a01ap-13).addingProductLanes(p, r)  // 1/7!
    p = V(broadcast: 0x1.6c16c16c16c17p-10).addingProductLanes(p, r)  // 1/6!
    p = V(broadcast: 0x1.1111111111111p-7).addingProductLanes(p, r)   // 1/5!
    p = V(broadcast: 0x1.5555555555555p-5).addingProductLanes(p, r)   // 1/4!
    p = V(broadcast: 0x1.5555555555555p-3).addingProductLanes(p, r)   // 1/3!
    p = V(broadcast: 0.5).addingProductLanes(p, r)                    // 1/2!
    // e^(r + re) - 1 = r + (r^2 P + re (1 + r)).
    let t = re.addingProductLanes(re, r).addingProductLanes(r * r, p)
    return (V(broadcast: 1) + (r + t), n)
  }

  /// `log(a)` as a double-double `(hi, lo)` for `a >= 0` (hi is -inf at 0,
  /// +inf at +inf, NaN for NaN and negative `a`; lo is then unspecified).
  @inlinable @inline(__always)
  public static func logDoubleDouble<V: DoubleLanes>(_ a: V) -> (hi: V, lo: V) {
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

  /// Natural logarithm (-inf at 0, NaN below 0 and for NaN).
  @inlinable @inline(__always)
  public static func log<V: DoubleLanes>(_ x: V) -> V {
    logDoubleDouble(x).hi
  }

  /// `|x|` per lane (clears the sign bit's effect: -0 gives +0).
  @inlinable @inline(__always)
  public static func magnitude<V: DoubleLanes>(_ x: V) -> V {
    V.choose(signBitOf: x, V(broadcast: 0) - x, x)
  }

  /// `x^y` with the special values of C's `pow`.
  @inlinable @inline(__always)
  public static func pow<V: DoubleLanes>(_ x: V, _ y: V) -> V {
    pow(x, y, logOfMagnitude: logDoubleDouble(magnitude(x)))
  }

  /// `x^y` given `logDoubleDouble(|x|)`, which callers raising one `x` to
  /// many `y` compute once: the result is the same, bit for bit, as
  /// `pow(x, y)`.
  @inlinable @inline(__always)
  public static func pow<V: DoubleLanes>(_ x: V, _ y: V, logOfMagnitude log: (hi: V, lo: V)) -> V {
    let zero = V(broadcast: 0)
    let one = V(broadcast: 1)
    var r = powOfPositive(y, logOfX: log)
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

  /// `x^y` for positive finite `x` and finite `y`, given
  /// `logDoubleDouble(x)`: `pow` without its special-value selects (which
  /// change nothing there), for kernels whose base is known to be ordinary.
  @inlinable @inline(__always)
  public static func powOfPositive<V: DoubleLanes>(_ y: V, logOfX log: (hi: V, lo: V)) -> V {
    // y log x exactly as a double-double (fma recovers the product's error).
    let zh = y * log.hi
    let zl = V.productError(y, log.hi, product: zh).addingProductLanes(y, log.lo)
    return exp(zh, zl)
  }

  /// `a / b` correctly rounded, given `reciprocal = 1 / b` (rounded to
  /// nearest; `b` finite, `1 / b` normal): a multiplication and two fused
  /// multiply-adds in place of a division (Markstein's correction: the
  /// residual `a - q b` is exact, and `q + residual / b` then rounds to the
  /// quotient), several times faster than a vector division.
  @inlinable @inline(__always)
  public static func divide<V: DoubleLanes>(_ a: V, by b: V, reciprocal: V) -> V {
    guard hasHardwareFMA else { return a / b }  // the division itself: the same quotient
    let q = a * reciprocal
    let residual = a.fusedAddingProductLanes(q.negatedLanes, b)
    return q.fusedAddingProductLanes(residual, reciprocal)
  }

  /// Per-lane floor for `x >= 0` (any size; NaN stays NaN).
  @inlinable @inline(__always)
  public static func floor<V: DoubleLanes>(_ x: V) -> V {
    // Doubles from 2^52 up are integers already.
    V.choose(x, lessThan: V(broadcast: 0x1p52), Trigonometry.floorLanes(x), x)
  }
}
