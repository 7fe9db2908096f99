//===--- SIMDMath.swift ---------------------------------------------------===//
// exp and log over SIMD lanes (one schedule candidate per lane), for the
// vectorised final-loss evaluation of the search (Pace's kernels).
//===----------------------------------------------------------------------===//

import Pace

typealias Lanes = SIMD4<Double>

/// e^x per lane (x <= 709; below -708 the result is 0): Pace's vectorised
/// `exp` (within 1 ulp), with the range the law's evaluation has always used.
@inline(__always)
func vexp(_ x: Lanes) -> Lanes {
  let clamped = x.clamped(lowerBound: Lanes(repeating: -708), upperBound: Lanes(repeating: 709))
  var out = Elementary.exp(clamped)
  out.replace(with: 0, where: x .< -708)
  return out
}

/// ln x per lane (x > 0, finite, normal): Pace's vectorised `log`.
@inline(__always)
func vlog(_ x: Lanes) -> Lanes { Elementary.log(x) }

extension LossLaw {
  /// Final losses of four sequences at once (same length and warmup; lanes
  /// beyond `count` are ignored): the multi-power law vectorised across
  /// candidates. Falls back to the scalar path for the annealing law or when
  /// the lanes' warmups differ.
  func finalLosses(_ lanes: [[Double]], warmupSteps: Int) -> [Double] {
    precondition(!lanes.isEmpty && lanes.count <= 4)
    let n = lanes[0].count
    guard kind == .multiPower, n >= 2, lanes.allSatisfy({ $0.count == n }) else {
      return lanes.map { finalLoss(rates: $0, warmupSteps: warmupSteps) }
    }
    var effective: [[Double]] = []
    var firstDrop = -1
    for r in lanes {
      let seq = LRSequence(unchecked: r, warmupSteps: Swift.min(warmupSteps, n - 1), peak: r.max() ?? 0)
      let e = seq.effective(warmup)
      if firstDrop >= 0 && e.firstDrop != firstDrop { return lanes.map { finalLoss(rates: $0, warmupSteps: warmupSteps) } }
      firstDrop = e.firstDrop
      effective.append(e.rates)
    }
    while effective.count < 4 { effective.append(effective[0]) }
    let p = parameters
    let (C, beta, gamma, B) = (p[4], p[5], p[6], p[3])
    var floorRate = Lanes()
    for l in 0..<4 { floorRate[l] = (effective[l].max() ?? 0) * LossDropEvaluator.floorRatio }
    // Interleave: eta[t * 4 + lane].
    var eta = [Double](repeating: 0, count: 4 * n)
    for l in 0..<4 { for t in 0..<n { eta[t * 4 + l] = effective[l][t] } }
    let T = n - 1
    var s1 = Lanes(), ld = Lanes(), suffix = Lanes()
    eta.withUnsafeBufferPointer { e in
      let base = UnsafeRawPointer(e.baseAddress!).assumingMemoryBound(to: Lanes.self)
      for i in 1...T { s1 += base[i] }
      var k = T
      var next = base[T]
      while k >= 1 {
        let cur = next
        next = base[k - 1]
        suffix += cur
        if k >= firstDrop {
          let d = next - cur
          if any(d .!= 0) {
            let ke = cur.replacing(with: floorRate, where: cur .< floorRate)
            let x = C * vexp(-gamma * vlog(ke)) * suffix
            let g = 1 - vexp(-beta * vlog(1 + x))
            ld += d * g
          }
        }
        k -= 1
      }
    }
    var out: [Double] = []
    for l in 0..<lanes.count {
      let power = p[1] * _exp(-p[2] * _log(s1[l]))
      out.append(s1[l] > 0 ? p[0] + power - B * ld[l] : .nan)
    }
    return out
  }
}
