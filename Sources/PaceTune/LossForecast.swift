//===--- LossForecast.swift -----------------------------------------------===//
// A trial's loss series -> the loss its LR would reach: outliers removed,
// a·exp(b·x) + c fitted and extrapolated.
//===----------------------------------------------------------------------===//

/// The forecast of AutoLRS (Jin et al. 2021, reference `exp_forecast`).
enum LossForecast {
  /// The value standing for a diverged trial (a NaN or infinite loss, or a
  /// non-finite forecast), as the reference reports NaN: 1e6.
  static let divergedLoss = 1e6

  /// Which outlier rule applies.
  enum Series: UInt8 {
    /// Training losses: 10 rounds, each dropping the 3% largest residuals
    /// (at least one point) that lie in the first half of the series.
    case training = 0
    /// Validation losses: 1 round dropping the largest residual if it lies
    /// in the first half.
    case validation = 1
  }

  /// The points left after the reference's iterative outlier removal: each
  /// round smooths the series (``RegressionSpline/smoothing(_:_:)``) and
  /// drops the largest residuals among the points with x below the original
  /// series' middle x. Stops early when fewer than 8 points would remain.
  ///
  /// - Complexity: O(rounds · n log n).
  static func withoutOutliers(_ xs: [Double], _ ys: [Double], _ series: Series) -> (xs: [Double], ys: [Double]) {
    guard xs.count >= 8 else { return (xs, ys) }
    let bound = xs[(xs.count - 1) / 2]
    var xs = xs, ys = ys
    let rounds = series == .training ? 10 : 1
    for _ in 0..<rounds {
      guard let smooth = RegressionSpline.smoothing(xs, ys) else { break }
      let drop = series == .training ? max(1, Int((0.03 * Double(xs.count)).rounded())) : 1
      let residuals = xs.indices.map { abs(ys[$0] - smooth(xs[$0])) }
      let order = xs.indices.sorted { i, j in residuals[i] != residuals[j] ? residuals[i] > residuals[j] : i < j }
      let outliers = Set(order.prefix(drop).filter { xs[$0] < bound })
      guard !outliers.isEmpty, xs.count - outliers.count >= 8 else { break }
      let keep = xs.indices.filter { !outliers.contains($0) }
      xs = keep.map { xs[$0] }
      ys = keep.map { ys[$0] }
    }
    return (xs, ys)
  }

  /// The fitted model of `losses` (x = 0, 1, ..., n − 1): outliers removed,
  /// then ``ExponentialFit`` of the points kept. (The reference fits the
  /// spline through the kept points, evaluated at every x; the least-squares
  /// exponential is its own smoother, and fitting the points avoids the
  /// bias a low-knot spline puts on a short, strongly curved series.)
  /// Nil for fewer than 4 points or a failed fit.
  static func model(_ losses: [Double], _ series: Series) -> ExponentialFit? {
    guard losses.count >= 4, losses.allSatisfy(\.isFinite) else { return nil }
    let xs = (0..<losses.count).map(Double.init)
    let kept = withoutOutliers(xs, losses, series)
    return ExponentialFit.fit(kept.xs, kept.ys)
  }

  /// The forecast loss at index `horizon` of the series (x counts reported
  /// losses from 0). A series with a NaN or infinite value, or a non-finite
  /// forecast, gives ``divergedLoss``; fewer than 4 points (or a failed
  /// fit) give the last loss.
  static func forecast(_ losses: [Double], at horizon: Double, _ series: Series) -> Double {
    guard let last = losses.last else { return divergedLoss }
    guard losses.allSatisfy(\.isFinite) else { return divergedLoss }
    guard let fit = model(losses, series) else { return last }
    let value = fit.value(at: horizon)
    return value.isFinite ? value : divergedLoss
  }
}
