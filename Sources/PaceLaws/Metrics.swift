//===--- Metrics.swift ----------------------------------------------------===//
// Prediction quality, as the multi-power law paper reports it.
//===----------------------------------------------------------------------===//

/// Agreement of predicted and observed losses on one curve: R^2, MAE, RMSE,
/// PredE = mean |pred - obs| / obs, WorstE = max |pred - obs| / obs.
public struct LawMetrics: Sendable, Equatable {
  public var r2: Double
  public var mae: Double
  public var rmse: Double
  public var predE: Double
  public var worstE: Double
  public var points: Int

  public init(r2: Double, mae: Double, rmse: Double, predE: Double, worstE: Double, points: Int) {
    self.r2 = r2
    self.mae = mae
    self.rmse = rmse
    self.predE = predE
    self.worstE = worstE
    self.points = points
  }

  /// Metrics of `predicted` against `observed` (same length, >= 1).
  public init(observed: [Double], predicted: [Double]) {
    precondition(observed.count == predicted.count && !observed.isEmpty)
    let n = Double(observed.count)
    let mean = observed.reduce(0, +) / n
    var ssRes = 0.0, ssTot = 0.0, abs = 0.0, rel = 0.0, worst = 0.0
    for (o, p) in zip(observed, predicted) {
      let e = p - o
      ssRes += e * e
      ssTot += (o - mean) * (o - mean)
      abs += Swift.abs(e)
      let r = Swift.abs(e) / o
      rel += r
      worst = Swift.max(worst, r)
    }
    r2 = ssTot > 0 ? 1 - ssRes / ssTot : (ssRes == 0 ? 1 : -.infinity)
    mae = abs / n
    rmse = (ssRes / n).squareRoot()
    predE = rel / n
    worstE = worst
    points = observed.count
  }

  /// The mean of each metric over several curves (as the paper averages).
  public static func average(_ all: [LawMetrics]) -> LawMetrics {
    let n = Double(Swift.max(all.count, 1))
    return LawMetrics(r2: all.map(\.r2).reduce(0, +) / n, mae: all.map(\.mae).reduce(0, +) / n,
                      rmse: all.map(\.rmse).reduce(0, +) / n, predE: all.map(\.predE).reduce(0, +) / n,
                      worstE: all.map(\.worstE).reduce(0, +) / n, points: all.map(\.points).reduce(0, +))
  }
}
