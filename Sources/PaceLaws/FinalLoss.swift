//===--- FinalLoss.swift --------------------------------------------------===//
// The predicted loss at the last step of a sequence and its gradient with
// respect to every LR: both exact and O(T).
//===----------------------------------------------------------------------===//

/// Under `.peak` the warmup steps play the LR of step `w`: their
/// sensitivities belong to step `w`, and the raw warmup LRs have none.
private func foldWarmup(_ gradient: UnsafeMutableBufferPointer<Double>, _ w: Int) {
  guard w > 0, w < gradient.count else { return }
  var sum = 0.0
  for j in 0..<w {
    sum += gradient[j]
    gradient[j] = 0
  }
  gradient[w] += sum
}

extension LossLaw {
  /// The loss predicted at the last step of `rates` (per-step LRs, warmup
  /// steps `0 ..< warmupSteps`), exactly, in O(T) (a single evaluation
  /// point needs no kernel approximation). `gradient`, when non-nil and of
  /// length `rates.count`, receives dL/d eta_t for every t.
  public func finalLoss(rates raw: [Double], warmupSteps: Int, gradient: UnsafeMutableBufferPointer<Double>? = nil) -> Double {
    let n = raw.count
    guard n >= 2 else { return .nan }
    let seq = LRSequence(unchecked: raw, warmupSteps: Swift.min(warmupSteps, n - 1), peak: raw.max() ?? 0)
    let (eta, firstDrop) = seq.effective(warmup)
    let p = parameters
    let T = n - 1
    // S1 = sum_{i=1}^{T} eta_i.
    var s1 = 0.0
    for i in 1...T { s1 += eta[i] }
    guard s1 > 0 else { return .nan }
    let power = p[1] * _exp(-p[2] * _log(s1))
    let dPower = -p[2] * power / s1
    switch kind {
    case .multiPower:
      let (C, beta, gamma, B) = (p[4], p[5], p[6], p[3])
      let floorRate = (eta.max() ?? 0) * LossDropEvaluator.floorRatio
      var ld = 0.0
      var suffix = 0.0
      // Backward pass: S_k and G_k; keep x_k, G'_k terms for the gradient.
      var gk = [Double](repeating: 0, count: gradient == nil ? 0 : n + 1)
      var wk = [Double](repeating: 0, count: gradient == nil ? 0 : n + 1)  // d_k G'(x_k) C eta_k^-gamma
      var own = [Double](repeating: 0, count: gradient == nil ? 0 : n + 1) // d_k G'(x_k) (-gamma) x_k / eta_k
      var k = T
      while k >= 1 {
        suffix += eta[k]
        if k >= firstDrop {
          let d = eta[k - 1] - eta[k]
          let ke = Swift.max(eta[k], floorRate)
          let scale = C * _exp(-gamma * _log(ke))
          let x = scale * suffix
          let l1p = _log1p(x)
          let g = -_expm1(-beta * l1p)
          ld += d * g
          if gradient != nil {
            gk[k] = g
            let gp = beta * _exp(-(beta + 1) * l1p)
            wk[k] = d * gp * scale
            own[k] = eta[k] > floorRate ? d * gp * (-gamma) * x / ke : 0
          }
        }
        k -= 1
      }
      if let gradient {
        // dLD/deta_j = -G_j + G_{j+1} + own_j + sum_{k<=j} wk_k  (terms present for k >= firstDrop).
        var prefix = 0.0
        for j in 0...T {
          if j >= 1 { prefix += wk[j] }
          var dld = prefix + (j >= 1 ? own[j] - gk[j] : 0)
          if j + 1 <= T { dld += gk[j + 1] }
          gradient[j] = (j >= 1 ? dPower : 0) - B * dld
        }
        if warmup == .peak { foldWarmup(gradient, seq.warmupSteps) }
      }
      return p[0] + power - B * ld
    case .annealing:
      let (C, lambda) = (p[3], p[4])
      var m = 0.0, s2 = 0.0
      for i in Swift.max(1, firstDrop)...Swift.max(T, Swift.max(1, firstDrop)) where i <= T {
        m = lambda * m + (eta[i - 1] - eta[i])
        s2 += m
      }
      if let gradient {
        // S2 = sum_i m_i, m_i = sum_{k<=i} lambda^(i-k) (eta_{k-1} - eta_k): the weight of drop k is
        // c_k = sum_{i=k}^{T} lambda^(i-k) = (1 - lambda^(T-k+1)) / (1 - lambda).
        func c(_ k: Int) -> Double {
          guard k >= Swift.max(1, firstDrop), k <= T else { return 0 }
          return (1 - _pow(lambda, Double(T - k + 1))) / (1 - lambda)
        }
        for j in 0...T {
          let ds2 = c(j + 1) - c(j)
          gradient[j] = (j >= 1 ? dPower : 0) - C * ds2
        }
        if warmup == .peak { foldWarmup(gradient, seq.warmupSteps) }
      }
      return p[0] + power - C * s2
    }
  }
}
