//===--- LossDrop.swift ---------------------------------------------------===//
// The multi-power law's loss drop LD(t), in linear time, with derivatives.
//===----------------------------------------------------------------------===//
//
//   LD(t) = sum_{k=k0}^{t} d_k G(eta_k^(-gamma) S_k(t)),   d_k = eta_{k-1} - eta_k,
//   G(x) = 1 - (1 + C x)^(-beta),                          S_k(t) = sum_{tau=k}^{t} eta_tau.
//
// Written as LD(t) = sum d_k - F(t) with
//   F(t) = sum_k v_k x_tk^(-beta),  v_k = d_k g_k^beta,  g_k = eta_k^gamma / C,
//   x_tk = g_k + S_k(t),
// and x^(-beta) replaced by PowerKernel's exponential sum, every node j
// carries a state H_j(t) = sum_{k<=t} v_k e^(-s_j x_tk) that advances by
//   H_j(t) = e^(-s_j eta_t) H_j(t-1) + v_t e^(-s_j (g_t + eta_t)),
// so all of LD(0..T) costs O(T J), J ~ 45-70 nodes, instead of O(T^2).
// Exact O(T) for every t at once is not possible for a general beta: the
// matrix (x_tk^(-beta)) is a Cauchy-like kernel of full numerical rank over
// the full range; the exponential sum is its separable approximation with
// relative error ~1e-16 (3 chains) or ~1e-12 (2 chains), and J grows only as
// log(x_hi / x_lo). Runs of equal LRs advance in one multiplication, so the
// cost is really O((steps where the LR changes + query steps) * J).

/// The running sum of rates since the first drop (compensated) and whether
/// any drop has entered.
struct LossDropCursor {
  var Q = 0.0
  var compensation = 0.0
  var active = false

  @inline(__always)
  mutating func add(_ eta: Double, _ n: Int) {
    let y = eta * Double(n) - compensation
    let t = Q + y
    compensation = (t - Q) - y
    Q = t
  }
}

/// Derivatives of LD at the query steps with respect to C, beta, gamma.
public struct LossDropDerivatives: Sendable {
  public var dC: [Double]
  public var dBeta: [Double]
  public var dGamma: [Double]
}

/// Precomputed run structure of one LR sequence: evaluates LD at sorted
/// steps for any (C, beta, gamma).
public struct LossDropEvaluator: Sendable {
  /// LRs at or below floorRatio * peak use the floor in eta^(-gamma).
  public static let floorRatio = 1e-10

  let rates: [Double]
  let firstDrop: Int
  let floorRate: Double
  /// Runs of equal LR from firstDrop on: start step, length, LR, drop at the start.
  let runStart: [Int]
  let runLength: [Int]
  let runRate: [Double]
  let runDrop: [Double]
  /// ln of the kernel rate (the LR, floored) of each run: parameter-free, so
  /// a fit's evaluations take eta^gamma = e^(gamma ln eta) with one exp.
  let runLogRate: [Double]

  public init(rates: [Double], firstDrop: Int) {
    self.rates = rates
    self.firstDrop = Swift.max(1, firstDrop)
    self.floorRate = (rates.max() ?? 0) * Self.floorRatio
    var starts: [Int] = []
    var lengths: [Int] = []
    var etas: [Double] = []
    var drops: [Double] = []
    var t = self.firstDrop
    while t < rates.count {
      let eta = rates[t]
      var end = t + 1
      while end < rates.count, rates[end] == eta { end += 1 }
      starts.append(t)
      lengths.append(end - t)
      etas.append(eta)
      drops.append(rates[t - 1] - eta)
      t = end
    }
    runStart = starts
    runLength = lengths
    runRate = etas
    runDrop = drops
    let floor = floorRate
    runLogRate = etas.map { _log(Swift.max($0, floor)) }
  }

  /// `sum_{k=k0}^{t} d_k`, the drop if G were 1.
  @inline(__always) func totalDrop(_ t: Int) -> Double {
    t < firstDrop ? 0 : rates[firstDrop - 1] - rates[t]
  }

  @inline(__always) func kernelRate(_ eta: Double) -> Double { Swift.max(eta, floorRate) }

  /// LD at `steps` (ascending, each < rates.count), and optionally its
  /// derivatives. `chains`: 3 for ~1e-16 relative accuracy, 2 for ~1e-12.
  public func evaluate(at steps: [Int], C: Double, beta: Double, gamma: Double,
                       derivatives: Bool = false, chains: Int = 3) -> (values: [Double], derivatives: LossDropDerivatives?) {
    let q = steps.count
    var values = [Double](repeating: 0, count: q)
    var dC = [Double](repeating: 0, count: derivatives ? q : 0)
    var dBeta = dC
    var dGamma = dC
    let result: () -> (values: [Double], derivatives: LossDropDerivatives?) = {
      (values, derivatives ? LossDropDerivatives(dC: dC, dBeta: dBeta, dGamma: dGamma) : nil)
    }
    guard let last = steps.last, last >= firstDrop else { return result() }
    // Range of x over the active drops up to the last query. The kernel
    // needs x^(-beta) only where F is read, at the queries: there the
    // smallest x is min over drops k <= t of g_k + S_k(t) = Q_t + min(g_k - Q_{k-1})
    // (Q: rates summed since the first drop), often far above min(g_k + eta_k)
    // (a raw warmup's first drops have a tiny g); fewer nodes, same accuracy.
    var xLo = Double.infinity
    var gMax = 0.0
    var firstActive = -1
    let lnC = _log(C)
    var shift = Double.infinity  // min over drops so far of g_k - Q_{k-1}
    var before = 0.0             // Q_{a-1} at the start a of the run
    var xQuery = Double.infinity
    var qi = 0
    for r in 0..<runStart.count {
      let a = runStart[r]
      if a > last { break }
      let eta = runRate[r]
      if runDrop[r] != 0 {
        let g = _exp(gamma * runLogRate[r] - lnC)
        xLo = Swift.min(xLo, g + eta)
        gMax = Swift.max(gMax, g)
        if firstActive < 0 { firstActive = r }
        shift = Swift.min(shift, g - before)
      }
      let end = a + runLength[r]
      while qi < q, steps[qi] < end {
        let t = steps[qi]
        if t >= a, firstActive >= 0 { xQuery = Swift.min(xQuery, before + eta * Double(t - a + 1) + shift) }
        qi += 1
      }
      if firstActive >= 0 { before += eta * Double(runLength[r]) }
    }
    // Every x_tk >= g_k + eta_k, so the query bound only raises xLo (1% margin for rounding).
    if xQuery.isFinite { xLo = Swift.max(xLo, 0.99 * xQuery) }
    // Drops only: F = 0 (G's argument never starts) -> LD = sum of drops = 0 here.
    for (i, t) in steps.enumerated() { values[i] = totalDrop(t) }
    guard firstActive >= 0 else { return result() }
    var span = 0.0
    for t in runStart[firstActive]...last { span += rates[t] }
    let xHi = gMax + span
    guard xLo > 0, xLo.isFinite, xHi.isFinite, beta > 0, beta.isFinite,
          PowerKernel.nodeCount(beta: beta, xLo: xLo, xHi: Swift.max(xHi, xLo), chains: chains) != nil else {
      for i in 0..<q { values[i] = .nan }
      return result()
    }
    let kernel = PowerKernel(beta: beta, xLo: xLo, xHi: Swift.max(xHi, xLo), chains: chains)
    let J = kernel.count
    let M = PowerKernel.moments
    let families = derivatives ? 4 : 1
    // States: H[f * J + j]; raw moment sums R[f * M + i] of v_k (-w_k)^i.
    var binom = [Double](repeating: 0, count: M * M)
    for m in 0..<M {
      binom[m * M] = 1
      for i in 1...Swift.max(1, m) where i <= m { binom[m * M + i] = binom[(m - 1) * M + i - 1] + (i < m ? binom[(m - 1) * M + i] : 0) }
    }
    let s0 = kernel.s0
    var qIndex = 0
    while qIndex < q, steps[qIndex] < runStart[firstActive] { qIndex += 1 }
    // All state in one allocation: H (families x J), E, F (J each), R (families x M), powers (2 M).
    let stateCount = families * J + 2 * J + families * M + 2 * M
    let state = UnsafeMutablePointer<Double>.allocate(capacity: stateCount)
    state.initialize(repeating: 0, count: stateCount)
    defer { state.deallocate() }
    let H0 = state
    let Ep = state + families * J
    let Fp = Ep + J
    let Rp = Fp + J
    let zpow = Rp + families * M
    let wpow = zpow + M
    var cursor = LossDropCursor()
    kernel.nodes.withUnsafeBufferPointer { S in
    kernel.weights.withUnsafeBufferPointer { W in
    kernel.dWeights.withUnsafeBufferPointer { dW in
    kernel.tail.withUnsafeBufferPointer { tail in
    kernel.dTail.withUnsafeBufferPointer { dTail in
    binom.withUnsafeBufferPointer { binomial in
    values.withUnsafeMutableBufferPointer { valuesOut in
    dC.withUnsafeMutableBufferPointer { dCOut in
    dBeta.withUnsafeMutableBufferPointer { dBetaOut in
    dGamma.withUnsafeMutableBufferPointer { dGammaOut in
      for r in firstActive..<runStart.count {
        let a = runStart[r]
        if a > last { break }
        let eta = runRate[r]
        let n = runLength[r]
        // Step a: advance by eta, then the drop entering at a. When both
        // happen, their two exponential sets are computed in one pass.
        let d = runDrop[r]
        let lnEta = runLogRate[r]
        let lnG = gamma * lnEta - lnC
        let g = d != 0 ? _exp(lnG) : 0
        let x0 = g + eta
        if cursor.active {
          if d != 0 && eta > 0 {
            kernel.exponentials(eta, Ep, x0, Fp)
            Self.scale(H0, by: Ep, families, J)
          } else {
            Self.advance(kernel, eta, H0, Ep, families, J)
            if d != 0 { kernel.exponentials(x0, Fp) }
          }
        } else if d != 0 {
          kernel.exponentials(x0, Fp)
        }
        cursor.add(eta, 1)
        if d != 0 {
          let v = d * _exp(beta * lnG)
          for j in 0..<J { H0[j] += v * Fp[j] }
          if derivatives {
            let hb = H0 + J, hc = H0 + 2 * J, hg = H0 + 3 * J
            let vb = v * lnG, vC = v / C, vG = v * lnEta
            for j in 0..<J {
              let e = Fp[j]
              let sg = S[j] * g
              hb[j] += vb * e
              hc[j] += vC * e * (sg - beta)
              hg[j] += vG * e * (beta - sg)
            }
          }
          // Raw moments of -w = s0 (g - Q_{a-1}); Q already includes eta_a.
          let mw = s0 * (g - (cursor.Q - eta))
          wpow[0] = 1
          for i in 1..<M { wpow[i] = wpow[i - 1] * mw }
          // d(-w)/dtheta = s0 dg/dtheta: dg/dC = -g/C, dg/dgamma = g lnEta, dg/dbeta = 0.
          for i in 0..<M {
            Rp[i] += v * wpow[i]
            if derivatives {
              let dpow = i > 0 ? Double(i) * wpow[i - 1] * s0 : 0
              Rp[M + i] += v * lnG * wpow[i]
              Rp[2 * M + i] += (-beta * v / C) * wpow[i] + v * dpow * (-g / C)
              Rp[3 * M + i] += (beta * v * lnEta) * wpow[i] + v * dpow * (g * lnEta)
            }
          }
          cursor.active = true
        }
        var cur = a
        while qIndex < q, steps[qIndex] < a + n {
          let t = steps[qIndex]
          if t > cur {
            Self.advance(kernel, eta * Double(t - cur), H0, Ep, families, J)
            cursor.add(eta, t - cur)
            cur = t
          }
          // F and its derivatives at this query.
          var f0 = 0.0, fC = 0.0, fB = 0.0, fG = 0.0
          for j in 0..<J { f0 += W[j] * H0[j] }
          if derivatives {
            let hb = H0 + J, hc = H0 + 2 * J, hg = H0 + 3 * J
            for j in 0..<J {
              fB += dW[j] * H0[j] + W[j] * hb[j]
              fC += W[j] * hc[j]
              fG += W[j] * hg[j]
            }
          }
          // Moments: mu_m = sum_i C(m,i) z^(m-i) R_i, z = s0 Q.
          let z = s0 * cursor.Q
          zpow[0] = 1
          for m in 1..<M { zpow[m] = zpow[m - 1] * z }
          for m in 0..<M {
            for fam in 0..<families {
              var mu = 0.0
              for i in 0...m { mu += binomial[m * M + i] * zpow[m - i] * Rp[fam * M + i] }
              switch fam {
              case 0:
                f0 += tail[m] * mu
                if derivatives { fB += dTail[m] * mu }
              case 1: fB += tail[m] * mu
              case 2: fC += tail[m] * mu
              default: fG += tail[m] * mu
              }
            }
          }
          valuesOut[qIndex] -= f0
          if derivatives {
            dCOut[qIndex] = fC
            dBetaOut[qIndex] = fB
            dGammaOut[qIndex] = fG
          }
          qIndex += 1
        }
        if qIndex >= q { break }
        let rest = a + n - 1 - cur
        if rest > 0 {
          Self.advance(kernel, eta * Double(rest), H0, Ep, families, J)
          cursor.add(eta, rest)
        }
      }
    }}}}}}}}}}
    if derivatives {
      // LD = total drop - F.
      for i in 0..<q {
        dC[i] = -dC[i]
        dBeta[i] = -dBeta[i]
        dGamma[i] = -dGamma[i]
      }
    }
    return result()
  }

  /// Multiplies every node state by e^(-s_j z), flushing negligible states
  /// (they would become subnormal, which is slow).
  @inline(__always)
  static func advance(_ kernel: PowerKernel, _ z: Double, _ H: UnsafeMutablePointer<Double>,
                      _ E: UnsafeMutablePointer<Double>, _ families: Int, _ J: Int) {
    guard z > 0 else { return }
    kernel.exponentials(z, E)
    scale(H, by: E, families, J)
  }

  /// Multiplies every node state by E[j] (the node's e^(-s_j z)), flushing
  /// negligible states.
  @inline(__always)
  static func scale(_ H: UnsafeMutablePointer<Double>, by E: UnsafeMutablePointer<Double>, _ families: Int, _ J: Int) {
    for f in 0..<families {
      let h = H + f * J
      for j in 0..<J {
        let x = h[j] * E[j]
        h[j] = Swift.abs(x) < 1e-250 ? 0 : x
      }
    }
  }

  /// LD at one step by the definition, O(t), exact: the reference the fast
  /// path is tested against, and the evaluation used when one step is asked.
  public func exact(at t: Int, C: Double, beta: Double, gamma: Double) -> Double {
    guard t >= firstDrop else { return 0 }
    var sum = 0.0
    var suffix = 0.0
    var k = t
    while k >= firstDrop {
      suffix += rates[k]
      let d = rates[k - 1] - rates[k]
      if d != 0 {
        let x = C * _pow(kernelRate(rates[k]), -gamma) * suffix
        sum += d * -_expm1(-beta * _log1p(x))
      }
      k -= 1
    }
    return sum
  }
}
