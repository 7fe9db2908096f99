//===--- SIMDMath.swift ---------------------------------------------------===//
// exp and log over SIMD lanes (one schedule candidate per lane), for the
// vectorised final-loss evaluation of the search. Relative error ~2e-16.
//===----------------------------------------------------------------------===//

typealias Lanes = SIMD4<Double>

/// 1.5 * 2^52: adding it rounds a float64 of magnitude < 2^51 to an integer
/// held in the low bits of the sum (and back).
private let shifter = Lanes(repeating: 6755399441055744.0)
private let shifterBits = SIMD4<Int64>(repeating: 0x4338_0000_0000_0000)

/// e^x per lane (x <= 709; below -708 the result is 0).
@inline(__always)
func vexp(_ x: Lanes) -> Lanes {
  let clamped = x.clamped(lowerBound: Lanes(repeating: -708), upperBound: Lanes(repeating: 709))
  // k = round(x / ln2) through the 1.5 * 2^52 shifter: its low bits hold k
  // (no generic float -> integer conversion, which is slow per lane).
  let shifted = clamped * 1.4426950408889634 + shifter
  let k = shifted - shifter
  // r = x - k ln2 in two parts (Cody-Waite).
  let r = (clamped - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10
  // Taylor to degree 13 on |r| <= 0.347: error < 1e-17 relative.
  var p = Lanes(repeating: 1.0 / 6227020800)
  p = p * r + 1.0 / 479001600
  p = p * r + 1.0 / 39916800
  p = p * r + 1.0 / 3628800
  p = p * r + 1.0 / 362880
  p = p * r + 1.0 / 40320
  p = p * r + 1.0 / 5040
  p = p * r + 1.0 / 720
  p = p * r + 1.0 / 120
  p = p * r + 1.0 / 24
  p = p * r + 1.0 / 6
  p = p * r + 0.5
  p = p * r + 1
  p = p * r + 1
  let bits = (unsafeBitCast(shifted, to: SIMD4<Int64>.self) &- shifterBits &+ 1023) &<< 52
  let scale = unsafeBitCast(bits, to: Lanes.self)
  var out = p * scale
  out.replace(with: 0, where: x .< -708)
  return out
}

/// ln x per lane (x > 0, finite, normal).
@inline(__always)
func vlog(_ x: Lanes) -> Lanes {
  let bits = unsafeBitCast(x, to: SIMD4<Int64>.self)
  var e = (bits &>> 52) &- 1023
  // Mantissa in [1, 2).
  var m = unsafeBitCast((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000, to: Lanes.self)
  // Into [sqrt(1/2), sqrt(2)).
  let big = m .> 1.4142135623730951
  m.replace(with: m * 0.5, where: big)
  e.replace(with: e &+ 1, where: big)
  // ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716.
  let s = (m - 1) / (m + 1)
  let s2 = s * s
  var p = Lanes(repeating: 1.0 / 23)
  p = p * s2 + 1.0 / 21
  p = p * s2 + 1.0 / 19
  p = p * s2 + 1.0 / 17
  p = p * s2 + 1.0 / 15
  p = p * s2 + 1.0 / 13
  p = p * s2 + 1.0 / 11
  p = p * s2 + 1.0 / 9
  p = p * s2 + 1.0 / 7
  p = p * s2 + 1.0 / 5
  p = p * s2 + 1.0 / 3
  p = p * s2 + 1
  let lnm = 2 * s * p
  let ed = unsafeBitCast(e &+ shifterBits, to: Lanes.self) - shifter
  return ed * 6.93147180369123816490e-01 + (ed * 1.90821492927058770002e-10 + lnm)
}

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
