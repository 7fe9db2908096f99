//===--- ScheduleFunctionals.swift ----------------------------------------===//
// S1 (forward area), S2 (annealing area) and LD (multi-power loss drop) of a
// learning-rate sequence.
//===----------------------------------------------------------------------===//

/// The schedule functionals of the annealing law (Tissue et al. 2024) and the
/// multi-power law (Luo et al. 2025).
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
  /// Drops before `firstDrop` (a warmup) are left out: `m_i = 0` for `i < firstDrop`.
  ///
  /// - Complexity: O(n).
  public static func annealingArea(_ eta: [Double], lambda: Double, firstDrop: Int = 1) -> [Double] {
    var out = [Double](repeating: 0, count: eta.count)
    var m = 0.0
    var sum = 0.0
    for s in Swift.max(1, firstDrop)..<Swift.max(eta.count, Swift.max(1, firstDrop)) {
      m = lambda * m + (eta[s - 1] - eta[s])
      sum += m
      out[s] = sum
    }
    return out
  }

  /// The multi-power law's loss drop at every step,
  /// `LD(t) = sum_{k=firstDrop}^{t} (eta_{k-1} - eta_k) (1 - (1 + C eta_k^(-gamma) S_k(t))^(-beta))`,
  /// `S_k(t) = sum_{tau=k}^{t} eta_tau` (0 before `firstDrop`).
  ///
  /// - Complexity: O(n J) with J ~ 45-70 exponential-sum nodes (see
  ///   ``LossDropEvaluator``), instead of the definition's O(n^2).
  public static func lossDrop(_ eta: [Double], firstDrop: Int = 1, C: Double, beta: Double,
                              gamma: Double) -> [Double] {
    guard !eta.isEmpty else { return [] }
    return LossDropEvaluator(rates: eta, firstDrop: firstDrop)
      .evaluate(at: Array(0..<eta.count), C: C, beta: beta, gamma: gamma).values
  }

  // MARK: Sequences with a warmup

  /// S1 of a sequence under a warmup mode (`.sum` counts the warmup LRs,
  /// `.peak` counts the peak in their place).
  public static func forwardArea(_ sequence: LRSequence, warmup: WarmupMode) -> [Double] {
    forwardArea(sequence.effective(warmup).rates)
  }

  /// S2 of a sequence under a warmup mode.
  public static func annealingArea(_ sequence: LRSequence, warmup: WarmupMode, lambda: Double) -> [Double] {
    let e = sequence.effective(warmup)
    return annealingArea(e.rates, lambda: lambda, firstDrop: e.firstDrop)
  }

  /// LD of a sequence under a warmup mode (`.sum`: drops start after the warmup).
  public static func lossDrop(_ sequence: LRSequence, warmup: WarmupMode, C: Double, beta: Double,
                              gamma: Double) -> [Double] {
    let e = sequence.effective(warmup)
    return lossDrop(e.rates, firstDrop: e.firstDrop, C: C, beta: beta, gamma: gamma)
  }
}
