//===--- RegressionSpline.swift -------------------------------------------===//
// The smoother of the loss forecast: a least-squares quadratic spline with as
// few knots as the noise allows.
//===----------------------------------------------------------------------===//
import _CLAPACKE

/// A quadratic spline fitted by least squares, with uniform interior knots.
///
/// The reference smooths with scipy's `UnivariateSpline(k=2)`, whose default
/// smoothing budget s = m (the number of points) presumes unit noise; on
/// losses of order one that budget accepts a single parabola almost always.
/// Here the budget is s = m σ̂², with σ̂ estimated from the data (the median
/// absolute second difference), and the spline takes the fewest knots
/// (0, 1, 2, 4, 8, ...) whose residual sum of squares is within it: a
/// reconstruction with FITPACK's knot-adding criterion and a scale-aware
/// budget, not FITPACK's penalised fit.
struct RegressionSpline {
  let lower: Double
  let width: Double
  let knots: [Double]
  /// Coefficients of 1, u, u², (u − t_j)₊² for u = (x − lower) / width.
  let coefficients: [Double]

  /// The spline's value at `x`.
  func callAsFunction(_ x: Double) -> Double {
    let u = (x - lower) / width
    var v = coefficients[0] + u * (coefficients[1] + u * coefficients[2])
    for (j, t) in knots.enumerated() where u > t { v += coefficients[3 + j] * (u - t) * (u - t) }
    return v
  }

  /// The least-squares spline with `knotCount` uniform interior knots, by
  /// LAPACKE `dgels` (QR). Nil when there are fewer than 3 + knotCount points
  /// or the system is rank deficient.
  ///
  /// - Complexity: O(m p^2) for m points and p = 3 + knotCount.
  static func leastSquares(_ xs: [Double], _ ys: [Double], knotCount: Int) -> RegressionSpline? {
    let m = xs.count, p = 3 + knotCount
    guard m >= p, let lo = xs.min(), let hi = xs.max(), hi > lo else { return nil }
    let width = hi - lo
    let knots = (0..<knotCount).map { Double($0 + 1) / Double(knotCount + 1) }
    var a = [Double](repeating: 0, count: m * p)  // column-major m x p
    for i in 0..<m {
      let u = (xs[i] - lo) / width
      a[i] = 1
      a[m + i] = u
      a[2 * m + i] = u * u
      for (j, t) in knots.enumerated() where u > t { a[(3 + j) * m + i] = (u - t) * (u - t) }
    }
    var b = ys
    let info = a.withUnsafeMutableBufferPointer { pa in
      b.withUnsafeMutableBufferPointer { pb in
        LAPACKE_dgels(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), pace_lapack_int(m), pace_lapack_int(p), 1,
                      pa.baseAddress, pace_lapack_int(m), pb.baseAddress, pace_lapack_int(m))
      }
    }
    guard info == 0 else { return nil }
    let coefficients = Array(b[0..<p])
    guard coefficients.allSatisfy(\.isFinite) else { return nil }
    return RegressionSpline(lower: lo, width: width, knots: knots, coefficients: coefficients)
  }

  /// The noise level σ̂ of `ys`: 1.4826 · median |Δ²y| / √6 (the second
  /// difference of white noise has variance 6σ²). 0 for fewer than 5 points.
  static func noiseLevel(_ ys: [Double]) -> Double {
    guard ys.count >= 5 else { return 0 }
    var d: [Double] = []
    for i in 1..<(ys.count - 1) {
      let second: Double = ys[i - 1] - 2 * ys[i] + ys[i + 1]
      d.append(abs(second))
    }
    d.sort()
    let median = d.count % 2 == 1 ? d[d.count / 2] : 0.5 * (d[d.count / 2 - 1] + d[d.count / 2])
    return 1.4826 * median / 6.0.squareRoot()
  }

  /// The spline with the fewest knots (0, 1, 2, 4, ...; at most m/4) whose
  /// residual sum of squares is at most m σ̂²; the last one tried when none is.
  /// Nil for fewer than 3 points or all-equal x.
  static func smoothing(_ xs: [Double], _ ys: [Double]) -> RegressionSpline? {
    let sigma = noiseLevel(ys)
    let budget = Double(ys.count) * sigma * sigma
    var best: RegressionSpline?
    var knotCount = 0
    while 3 + knotCount <= max(3, xs.count / 4) {
      if let s = leastSquares(xs, ys, knotCount: knotCount) {
        best = s
        var rss = 0.0
        for i in 0..<xs.count { rss += (ys[i] - s(xs[i])) * (ys[i] - s(xs[i])) }
        if rss <= budget { break }
      }
      knotCount = knotCount == 0 ? 1 : knotCount * 2
    }
    return best
  }
}
