//===--- PredictionInterval.swift -----------------------------------------===//
// Prediction intervals of a law from leave-one-curve-out residuals.
//===----------------------------------------------------------------------===//

/// A prediction interval for a law's predicted losses, calibrated by
/// leave-one-curve-out cross-validation of the fit.
///
/// For each of the K fitted curves the law is fitted again without it and
/// predicts it; the log residuals `log(observed / predicted)` of those
/// predictions are the calibration sample. Each curve weighs the same (a
/// point of a curve with n points weighs 1 / (K n)), so a long curve does
/// not drown the others: the question asked is "how wrong is the law on a
/// run it did not see", and a run is the unit. The interval at level `l`
/// (0 < l < 1) for a prediction `p` is
/// `[p exp(Q((1 - l) / 2)), p exp(Q((1 + l) / 2))]` with `Q` the weighted
/// quantile function of the residuals, widened where needed so that it
/// always contains `p` (lower <= p <= upper). It is a relative band: the
/// same fraction of the prediction at every step and for every schedule.
///
/// Why this and not a bootstrap over curves: the residuals measure the error
/// the interval is about (predicting a curve the fit did not see, with every
/// fit re-run from its start grid), cost K extra fits once, and need no
/// model of the error; a bootstrap would cost hundreds of fits and, with 3
/// to 9 curves, resample almost the same sets. Its coverage is measured, not
/// assumed (Benchmarks/laws/cv.py, docs/laws.md).
public struct PredictionInterval: Sendable, Equatable {
  /// Number of stored quantiles: probabilities 0, 1/200, ..., 1.
  public static let tableSize = 201
  /// Largest |log residual| accepted in a saved table (a factor e^20).
  static let maxLogResidual = 20.0

  /// The weighted quantiles of the log residuals at probabilities
  /// `j / (tableSize - 1)`, non-decreasing (`tableSize` values).
  public let quantiles: [Double]
  /// Calibration curves (K) and residual points in total.
  public let curves: Int
  public let points: Int

  /// An interval from per-curve log residuals `log(observed / predicted)`
  /// (non-finite values are skipped; at least one curve with a point).
  ///
  /// - Complexity: O(N log N) for N residuals.
  public init(logResiduals perCurve: [[Double]]) throws(LawError) {
    var weighted: [(r: Double, w: Double)] = []
    let used = perCurve.map { $0.filter { $0.isFinite } }.filter { !$0.isEmpty }
    guard !used.isEmpty else { throw .argument("a prediction interval needs residuals of at least one curve") }
    for residuals in used {
      let w = 1 / (Double(used.count) * Double(residuals.count))
      for r in residuals { weighted.append((Swift.max(-Self.maxLogResidual, Swift.min(Self.maxLogResidual, r)), w)) }
    }
    weighted.sort { $0.r < $1.r }
    // Plotting position of each residual: the middle of its weight.
    var positions: [Double] = []
    positions.reserveCapacity(weighted.count)
    var cumulative = 0.0
    for item in weighted {
      positions.append(cumulative + item.w / 2)
      cumulative += item.w
    }
    var table: [Double] = []
    table.reserveCapacity(Self.tableSize)
    var k = 0
    for j in 0..<Self.tableSize {
      let p = Double(j) / Double(Self.tableSize - 1)
      while k < positions.count && positions[k] < p { k += 1 }
      if k == 0 {
        table.append(weighted[0].r)
      } else if k == positions.count {
        table.append(weighted[positions.count - 1].r)
      } else {
        let (p0, p1) = (positions[k - 1], positions[k])
        let t = p1 > p0 ? (p - p0) / (p1 - p0) : 1
        table.append(weighted[k - 1].r + t * (weighted[k].r - weighted[k - 1].r))
      }
    }
    self.quantiles = table
    self.curves = used.count
    self.points = weighted.count
  }

  /// A stored table (as saved): `tableSize` finite non-decreasing values of
  /// magnitude at most 20; curves >= 1; points >= curves.
  public init(quantiles: [Double], curves: Int, points: Int) throws(LawError) {
    guard quantiles.count == Self.tableSize else {
      throw .argument("an interval table has \(Self.tableSize) quantiles, got \(quantiles.count)")
    }
    guard quantiles.allSatisfy({ $0.isFinite && Swift.abs($0) <= Self.maxLogResidual }) else {
      throw .argument("interval quantiles must be finite log residuals of magnitude <= \(Self.maxLogResidual)")
    }
    guard zip(quantiles, quantiles.dropFirst()).allSatisfy({ $0 <= $1 }) else {
      throw .argument("interval quantiles must be non-decreasing")
    }
    guard curves >= 1, points >= curves else {
      throw .argument("an interval needs curves >= 1 and points >= curves, got \(curves) and \(points)")
    }
    self.quantiles = quantiles
    self.curves = curves
    self.points = points
  }

  /// Whether `level` is a valid interval level: 0 < level < 1.
  public static func isValidLevel(_ level: Double) -> Bool { level > 0 && level < 1 }

  /// The weighted quantile of the log residuals at probability p in [0, 1]
  /// (linear between the stored ones).
  public func quantile(_ p: Double) -> Double {
    let x = Swift.max(0, Swift.min(1, p)) * Double(Self.tableSize - 1)
    let j = Swift.min(Int(x), Self.tableSize - 2)
    let t = x - Double(j)
    return quantiles[j] + t * (quantiles[j + 1] - quantiles[j])
  }

  /// The interval's log offsets at `level` (0 < level < 1): lower <= 0 <= upper,
  /// lower non-increasing and upper non-decreasing in the level.
  public func logBounds(level: Double) -> (lower: Double, upper: Double) {
    (Swift.min(0, quantile((1 - level) / 2)), Swift.max(0, quantile((1 + level) / 2)))
  }

  /// Lower and upper bounds of `predictions` at `level` (0 < level < 1).
  ///
  /// - Complexity: O(predictions.count).
  public func bounds(_ predictions: [Double], level: Double) -> (lower: [Double], upper: [Double]) {
    let (lo, hi) = logBounds(level: level)
    let (a, b) = (_exp(lo), _exp(hi))
    return (predictions.map { $0 * a }, predictions.map { $0 * b })
  }
}

extension PredictionInterval {
  /// Leave-one-curve-out calibration from two callbacks: `fit(indices)`
  /// fits a law on the curves at `indices` (all but one), and
  /// `residuals(law, i)` gives that law's log residuals on curve i. Needs
  /// at least 2 curves; runs `curveCount` fits.
  public static func leaveOneCurveOut<E: Error>(
    curveCount: Int, fit: ([Int]) throws(E) -> LossLaw, residuals: (LossLaw, Int) throws(E) -> [Double]
  ) throws(E) -> [[Double]] {
    var all: [[Double]] = []
    for held in 0..<curveCount {
      let law = try fit((0..<curveCount).filter { $0 != held })
      all.append(try residuals(law, held))
    }
    return all
  }

  /// The interval of `kind` fitted with `options` on `curves` (at least 2):
  /// each curve predicted by the law fitted on the others.
  ///
  /// - Complexity: `curves.count` fits.
  public static func leaveOneCurveOut(_ kind: LawKind, curves: [LossCurve], options: FitOptions = FitOptions())
    throws(LawError) -> PredictionInterval {
    guard curves.count >= 2 else {
      throw .argument("a prediction interval needs at least 2 curves (each is predicted from the others), got \(curves.count)")
    }
    let residuals = try leaveOneCurveOut(
      curveCount: curves.count,
      fit: { (indices: [Int]) throws(LawError) -> LossLaw in
        try LawFitter.fit(kind, curves: indices.map { curves[$0] }, options: options).law
      },
      residuals: { (law: LossLaw, i: Int) throws(LawError) -> [Double] in
        try logResiduals(law, curve: curves[i])
      })
    return try PredictionInterval(logResiduals: residuals)
  }

  /// `log(observed / predicted)` of `law` at the curve's points.
  public static func logResiduals(_ law: LossLaw, curve: LossCurve) throws(LawError) -> [Double] {
    try logResiduals(law, sequence: curve.sequence, steps: curve.steps, losses: curve.losses)
  }

  /// `log(losses / predicted)` of `law` at `steps` of `sequence` (same
  /// length; each step in `1 ..< sequence.count`).
  public static func logResiduals(_ law: LossLaw, sequence: LRSequence, steps: [Int], losses: [Double])
    throws(LawError) -> [Double] {
    let predicted = try law.predict(sequence, at: steps)
    // A prediction that is not a positive number is as wrong as a table can say.
    return zip(losses, predicted).map { o, p in
      p > 0 && p.isFinite ? _log(o / p) : (p == .infinity ? -maxLogResidual : maxLogResidual)
    }
  }
}
