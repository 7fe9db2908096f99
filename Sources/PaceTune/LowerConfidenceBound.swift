//===--- LowerConfidenceBound.swift ---------------------------------------===//
// The acquisition: the lower confidence bound of the GP, minimised over the
// normalised log-LR range.
//===----------------------------------------------------------------------===//

/// LCB(u) = μ(u) − κ σ(u), minimised over u in [0, 1].
///
/// The reference asks scikit-optimize with `acq_func='LCB'` and κ = 1e6, so
/// the choice is, in effect, the point of largest posterior uncertainty (the
/// mean only breaks near-ties): the K trials spread over the range where the
/// model knows least, and the stage keeps the LR of the lowest forecast.
enum LowerConfidenceBound {
  /// The exploration weight κ of the reference.
  static let kappa = 1e6
  /// Grid points over [0, 1] (2^8 intervals).
  static let gridSize = 257
  /// Golden-section iterations of the local refinement (bracket shrinks by 0.618^40 ≈ 4e-9).
  static let refinementIterations = 40
  /// A candidate closer than this to a tried point counts as that point.
  static let separation = 1.0 / 4096

  /// The acquisition at each of `points`.
  static func values(_ gp: GaussianProcess, at points: [Double]) -> [Double] {
    let p = gp.posterior(at: points)
    return (0..<points.count).map { p.mean[$0] - kappa * p.variance[$0].squareRoot() }
  }

  /// The minimiser over [0, 1], at least ``separation`` away from every
  /// point of `tried`: the best point of a 257-point grid, refined by
  /// golden section between its grid neighbours. Deterministic.
  ///
  /// - Complexity: O(n^2 · 300) for n observations.
  static func minimiser(_ gp: GaussianProcess, avoiding tried: [Double]) -> Double {
    let grid = (0..<gridSize).map { Double($0) / Double(gridSize - 1) }
    let acquisition = values(gp, at: grid)
    func isFree(_ u: Double) -> Bool { tried.allSatisfy { abs($0 - u) >= separation } }
    var bestIndex = -1
    for i in 0..<gridSize where isFree(grid[i]) && (bestIndex < 0 || acquisition[i] < acquisition[bestIndex]) {
      bestIndex = i
    }
    guard bestIndex >= 0 else { return 0.5 }
    let refined = GoldenSection.minimise({ values(gp, at: [$0])[0] }, grid[max(bestIndex - 1, 0)],
                                         grid[min(bestIndex + 1, gridSize - 1)], iterations: refinementIterations)
    return refined.value <= acquisition[bestIndex] && isFree(refined.x) ? refined.x : grid[bestIndex]
  }
}
