//===--- ExponentialFit.swift ---------------------------------------------===//
// L(x) = a·exp(b·x) + c by least squares: b by a 1-D search, (a, c) exactly.
//===----------------------------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The forecast model a·exp(b·x) + c with b < 0.
struct ExponentialFit: Equatable {
  var a: Double
  var b: Double
  var c: Double

  func value(at x: Double) -> Double { a * exp(b * x) + c }

  /// For a fixed rate b: (a, c) by linear least squares on [exp(b x), 1] and
  /// the residual sum of squares, in closed form from centred sums.
  static func linearPart(_ xs: [Double], _ ys: [Double], rate b: Double) -> (a: Double, c: Double, residual: Double) {
    let n = Double(xs.count)
    var zMean = 0.0, yMean = 0.0
    for i in 0..<xs.count {
      zMean += exp(b * xs[i])
      yMean += ys[i]
    }
    zMean /= n
    yMean /= n
    var szz = 0.0, szy = 0.0, syy = 0.0
    for i in 0..<xs.count {
      let dz = exp(b * xs[i]) - zMean, dy = ys[i] - yMean
      szz += dz * dz
      szy += dz * dy
      syy += dy * dy
    }
    guard szz > 1e-300 else { return (0, yMean, syy) }
    let a = szy / szz
    return (a, yMean - a * zMean, max(syy - szy * szy / szz, 0))
  }

  /// Fits the model to (xs, ys), b = −exp(β) with β minimising the residual
  /// of the exact linear part: a 96-point grid over b·span in [1e-4, 50]
  /// (span = the x range), refined by 60 golden-section steps between the
  /// best point's neighbours. Deterministic. Nil for fewer than 3 points,
  /// a zero x range or non-finite data.
  ///
  /// - Complexity: O(156 n).
  static func fit(_ xs: [Double], _ ys: [Double]) -> ExponentialFit? {
    guard xs.count >= 3, xs.count == ys.count, xs.allSatisfy(\.isFinite), ys.allSatisfy(\.isFinite),
      let lo = xs.min(), let hi = xs.max(), hi > lo
    else { return nil }
    let span = hi - lo
    let betaLow = log(1e-4 / span), betaHigh = log(50 / span)
    let count = 96
    let stepSize = (betaHigh - betaLow) / Double(count - 1)
    func residual(_ beta: Double) -> Double { linearPart(xs, ys, rate: -exp(beta)).residual }
    var bestIndex = 0, bestValue = Double.infinity
    for i in 0..<count {
      let r = residual(betaLow + Double(i) * stepSize)
      if r < bestValue { bestValue = r; bestIndex = i }
    }
    let refined = GoldenSection.minimise(residual, betaLow + Double(max(bestIndex - 1, 0)) * stepSize,
                                         betaLow + Double(min(bestIndex + 1, count - 1)) * stepSize, iterations: 60)
    let beta = refined.value <= bestValue ? refined.x : betaLow + Double(bestIndex) * stepSize
    let b = -exp(beta)
    let linear = linearPart(xs, ys, rate: b)
    let fit = ExponentialFit(a: linear.a, b: b, c: linear.c)
    return fit.a.isFinite && fit.c.isFinite ? fit : nil
  }
}
