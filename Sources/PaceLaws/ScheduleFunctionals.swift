//===--- ScheduleFunctionals.swift ----------------------------------------===//
// S1 (forward area) and S2 (annealing area) of a learning-rate sequence.
//===----------------------------------------------------------------------===//

/// The schedule functionals of the annealing scaling law (Tissue et al. 2024).
public enum ScheduleFunctionals {
  /// `S1(s) = sum_{i=1}^{s} eta_i` for every `s` in `0 ..< eta.count`
  /// (`S1(0) = 0`), compensated summation.
  ///
  /// - Complexity: O(n).
  public static func forwardArea(_ eta: [Double]) -> [Double] {
    var out = [Double](repeating: 0, count: eta.count)
    var sum = 0.0
    var compensation = 0.0
    for s in 1..<Swift.max(eta.count, 1) {
      let y = eta[s] - compensation
      let t = sum + y
      compensation = (t - sum) - y
      sum = t
      out[s] = sum
    }
    return out
  }

  /// `S2(s) = sum_{i=1}^{s} m_i` with `m_i = lambda * m_{i-1} + (eta_{i-1} - eta_i)`,
  /// `m_0 = 0` (the annealing area with momentum `lambda`), for every `s`.
  ///
  /// - Complexity: O(n).
  public static func annealingArea(_ eta: [Double], lambda: Double) -> [Double] {
    var out = [Double](repeating: 0, count: eta.count)
    var m = 0.0
    var sum = 0.0
    for s in 1..<Swift.max(eta.count, 1) {
      m = lambda * m + (eta[s - 1] - eta[s])
      sum += m
      out[s] = sum
    }
    return out
  }
}
