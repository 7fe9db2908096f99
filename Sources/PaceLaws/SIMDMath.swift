//===--- SIMDMath.swift ---------------------------------------------------===//
// A lean natural logarithm over SIMD lanes for the schedule search's
// kernel, where it runs twice per candidate and step.
//===----------------------------------------------------------------------===//
import Pace

/// Logarithms for ``SearchKernel``: plain float64 (about 1 ulp), about half
/// the work of Pace's double-double `Elementary.log`, which the search does
/// not need (its scores are checked against the law's definition to 1e-13
/// relative, not bit for bit).
enum SearchMath {
  /// The kernel's vector.
  typealias V = CandidateLanes

  /// True when every lane is a positive normal finite double, the domain of
  /// ``logOfNormal(_:)`` (callers take `Elementary.log` otherwise).
  @inline(__always)
  static func allNormal(_ x: V) -> Bool {
    V.all(V(broadcast: 0x1p-1022), lessOrEqual: x) && V.all(x, lessThan: V(broadcast: .infinity))
  }

  /// `ln x` per lane for positive normal finite `x` (other lanes give
  /// unspecified values): `x = 2^e (1 + f)` with `1 + f` in [sqrt(1/2),
  /// sqrt(2)), `s = f / (2 + f)`, and `ln(1 + f) = 2 atanh(s) = 2s + s R(s^2)`
  /// (the atanh series, `R(z) = sum_{k=1}^{9} 2 z^k / (2k + 1)`, truncation
  /// below 2^-55 relative for `|s| <= 0.1716`), arranged as
  /// `f - (f^2/2 - s (f^2/2 + R))` so that the large term `f` is exact; then
  /// `+ e ln 2` with ln 2 in two parts. Within about 1 ulp of the correctly
  /// rounded logarithm (measured in the tests against glibc).
  ///
  /// Cost: one division and about 20 other vector operations; O(1) per lane.
  @inline(__always)
  static func logOfNormal(_ x: V) -> V {
    var (m, e) = V.significandAndExponent(x)
    let sqrt2 = V(broadcast: 0x1.6a09e667f3bcdp+0)
    e = V.choose(m, lessThan: sqrt2, e, e + V(broadcast: 1))
    m = V.choose(m, lessThan: sqrt2, m, m * V(broadcast: 0.5))
    let f = m - V(broadcast: 1)  // exact
    let s = f / (V(broadcast: 2) + f)
    let z = s * s
    var r = V(broadcast: 2.0 / 19)
    r = V(broadcast: 2.0 / 17).addingProductLanes(r, z)
    r = V(broadcast: 2.0 / 15).addingProductLanes(r, z)
    r = V(broadcast: 2.0 / 13).addingProductLanes(r, z)
    r = V(broadcast: 2.0 / 11).addingProductLanes(r, z)
    r = V(broadcast: 2.0 / 9).addingProductLanes(r, z)
    r = V(broadcast: 2.0 / 7).addingProductLanes(r, z)
    r = V(broadcast: 2.0 / 5).addingProductLanes(r, z)
    r = V(broadcast: 2.0 / 3).addingProductLanes(r, z)
    r = r * z
    let halfSquare = V(broadcast: 0.5) * f * f
    // ln 2 = ln2Hi + ln2Lo, ln2Hi with 42 significant bits: e * ln2Hi is exact.
    let ln2Hi = V(broadcast: 0x1.62e42fefa3800p-1)
    let ln2Lo = V(broadcast: 0x1.ef35793c76730p-45)
    let correction = (halfSquare - s * (halfSquare + r)) - e * ln2Lo
    return (e * ln2Hi) + (f - correction)
  }

  /// `ln x` per lane for any `x`: ``logOfNormal(_:)`` on positive normal
  /// finite lanes, `Elementary.log` on the others (zero, subnormal,
  /// infinite, negative, NaN), chosen per lane, so a lane's result never
  /// depends on the other lanes. The slow path runs only for vectors with
  /// such a lane.
  @inline(__always)
  static func log(_ x: V) -> V {
    let lean = logOfNormal(x)
    if allNormal(x) { return lean }
    let slow = Elementary.log(x)
    var r = V.choose(x, lessThan: V(broadcast: 0x1p-1022), slow, lean)
    r = V.choose(V(broadcast: .infinity), lessOrEqual: x, slow, r)
    return V.choose(x, equal: x, r, slow)
  }
}
