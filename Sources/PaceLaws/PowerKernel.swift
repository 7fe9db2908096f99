//===--- PowerKernel.swift ------------------------------------------------===//
// x^(-beta) as a sum of exponentials, the tool that makes the multi-power
// law's loss drop linear in time.
//===----------------------------------------------------------------------===//
//
// x^(-beta) = 1/Gamma(beta) * Integral_0^inf s^(beta-1) e^(-s x) ds. With
// s = e^u the integrand is analytic in the strip |Im u| < pi/2, so the
// trapezoid rule on a grid u_j = u_0 + j h converges geometrically: its
// relative error is 2 |Gamma(beta + 2 pi i / h)| / Gamma(beta), about
// 2e-12 for h = ln(2)/2 and 1e-18 for h = ln(2)/3 at beta ~ 0.6. The nodes
// s_j = s_0 * 2^(j/c) (c = 2 or 3 chains) make e^(-s_j z) computable from c
// calls to expm1 and repeated squaring. Nodes above s_0 x_hi-range cut where
// e^(-s x_lo) is negligible; the nodes below s_0 (infinitely many, s x <=
// 0.1) are summed in closed form through the Taylor series of e^(-s x),
// which turns them into the moments sum_k v_k x_k^m, m <= 8.

/// Quadrature of x^(-beta) on [xLo, xHi]: sum_j w_j e^(-s_j x) + sum_m t_m (s_0 x)^m.
struct PowerKernel {
  static let moments = 9  // m = 0 ... 8

  let beta: Double
  let chains: Int
  let s0: Double
  /// s_j, j = 0 ..< count.
  let nodes: [Double]
  let weights: [Double]
  /// d weights / d beta.
  let dWeights: [Double]
  /// t_m for the moments of (s_0 x)^m.
  let tail: [Double]
  let dTail: [Double]

  var count: Int { nodes.count }

  /// The most nodes a kernel may have (a range xHi / xLo of ~1e300).
  static let maxNodes = 4096

  /// The number of nodes for a range, or nil when the range is not finite
  /// or needs more than `maxNodes`.
  static func nodeCount(beta: Double, xLo: Double, xHi: Double, chains: Int) -> Int? {
    // Largest s x_lo: (s x_lo)^beta e^(-s x_lo) negligible (a few steps from this start).
    var zMax = 40 + 2 * beta * _log(beta + 2)
    while beta * _log(zMax) - zMax > -39 { zMax += 4 }
    let h = _log(2) / Double(chains)
    let span = (_log(zMax) - _log(0.1 / xHi) - _log(xLo)) / h
    guard span.isFinite, span < Double(maxNodes - 1) else { return nil }
    return Swift.max(1, Int(span.rounded(.up)) + 1)
  }

  /// chains = 3: relative error ~1e-16; chains = 2: ~1e-12 (beta <= 1).
  init(beta: Double, xLo: Double, xHi: Double, chains: Int = 3) {
    precondition(beta > 0 && xLo > 0 && xHi >= xLo && (chains == 2 || chains == 3))
    self.beta = beta
    self.chains = chains
    let h = _log(2) / Double(chains)
    let s0 = 0.1 / xHi
    self.s0 = s0
    // ln(zMax / (s0 xLo)) as a sum of logs (the product may underflow);
    // callers keep it finite and below maxNodes (see nodeCount).
    let count = Self.nodeCount(beta: beta, xLo: xLo, xHi: xHi, chains: chains) ?? 1
    let lg = _lgamma(beta)
    let psi = digamma(beta)
    var nodes = [Double](repeating: 0, count: count)
    var weights = nodes
    var dWeights = nodes
    var base = [Double](repeating: 0, count: chains)
    for c in 0..<chains { base[c] = s0 * _exp(Double(c) * h) }
    for j in 0..<count {
      // s_j = base[j % chains] * 2^(j / chains), exact doublings.
      var s = base[j % chains]
      for _ in 0..<(j / chains) { s *= 2 }
      nodes[j] = s
      let ls = _log(s)
      weights[j] = h * _exp(beta * ls - lg)
      dWeights[j] = weights[j] * (ls - psi)
    }
    self.nodes = nodes
    self.weights = weights
    self.dWeights = dWeights
    var tail = [Double](repeating: 0, count: Self.moments)
    var dTail = tail
    let ls0 = _log(s0)
    var factorial = 1.0
    for m in 0..<Self.moments {
      if m > 0 { factorial *= Double(m) }
      let q = _exp(-(beta + Double(m)) * h)
      let sign: Double = m % 2 == 0 ? 1 : -1
      tail[m] = sign / factorial * h * _exp(beta * ls0 - lg) * q / (1 - q)
      dTail[m] = tail[m] * (ls0 - psi - h / (1 - q))
    }
    self.tail = tail
    self.dTail = dTail
  }

  /// out[j] = e^(-s_j z) for z >= 0: `chains` calls to expm1, then squaring
  /// (on 1 - y while y > 1/2, keeping relative accuracy; then on y). The
  /// chains advance together, so their squarings (a serial dependency
  /// within a chain) overlap. O(J).
  @inline(__always)
  func exponentials(_ z: Double, _ out: UnsafeMutablePointer<Double>) {
    let n = nodes.count
    nodes.withUnsafeBufferPointer { s in
      var c0 = ExponentialChain(s[0] * z)
      guard n > 1 else { out[0] = c0.next(); return }
      var c1 = ExponentialChain(s[1] * z)
      var j = 0
      if chains == 3, n > 2 {
        var c2 = ExponentialChain(s[2] * z)
        while j + 2 < n {
          out[j] = c0.next()
          out[j + 1] = c1.next()
          out[j + 2] = c2.next()
          j += 3
        }
        if j < n { out[j] = c0.next() }
        if j + 1 < n { out[j + 1] = c1.next() }
        return
      }
      while j + 1 < n {
        out[j] = c0.next()
        out[j + 1] = c1.next()
        j += 2
      }
      if j < n { out[j] = c0.next() }
    }
  }
}

extension PowerKernel {
  /// `exponentials(z1, out1)` and `exponentials(z2, out2)` in one pass, the
  /// same values bit for bit: twice the independent chains in flight (each
  /// chain's squarings are a serial dependency, so the second set of chains
  /// runs in the latency of the first). Two-chain kernels (the fits'); other
  /// kernels take the two calls one after the other.
  ///
  /// - Complexity: O(count).
  func exponentials(_ z1: Double, _ out1: UnsafeMutablePointer<Double>,
                    _ z2: Double, _ out2: UnsafeMutablePointer<Double>) {
    let n = nodes.count
    guard n > 1, chains == 2 else {  // the fits' kernels have 2 chains; 3 (predictions) one at a time
      exponentials(z1, out1)
      exponentials(z2, out2)
      return
    }
    nodes.withUnsafeBufferPointer { s in
      var a0 = ExponentialChain(s[0] * z1), a1 = ExponentialChain(s[1] * z1)
      var b0 = ExponentialChain(s[0] * z2), b1 = ExponentialChain(s[1] * z2)
      var j = 0
      while j + 1 < n {
        out1[j] = a0.next()
        out2[j] = b0.next()
        out1[j + 1] = a1.next()
        out2[j + 1] = b1.next()
        j += 2
      }
      if j < n {
        out1[j] = a0.next()
        out2[j] = b0.next()
      }
    }
  }
}

/// e^(-x), e^(-2x), e^(-4x), ...: one expm1, then squarings, on q = 1 - y
/// while y > 1/2 (keeping relative accuracy near 1), then on y (flushed to 0
/// below 1e-150, where the square would be subnormal and slow). Branch-free:
/// both squarings run and a select keeps the one of the current phase (q
/// only grows, so the phase changes once).
struct ExponentialChain {
  var q: Double
  var y: Double

  @inline(__always)
  init(_ x: Double) {
    q = -_expm1(-x)
    y = 1 - q
  }

  /// The current value, then advances to its square.
  @inline(__always)
  mutating func next() -> Double {
    let out = y
    let qn = q * (2 - q)
    let yn = y < 1e-150 ? 0 : y * y
    y = q < 0.5 ? 1 - qn : yn
    q = qn
    return out
  }
}
