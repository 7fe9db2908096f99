//===--- SearchKernel.swift -----------------------------------------------===//
// The exact predicted final loss of schedule-search candidates, four or
// eight candidates per SIMD vector (one per lane), with the warmup's
// eta^-gamma computed once per search.
//===----------------------------------------------------------------------===//
import Pace

/// Candidates per vector, one per lane: Pace's fill width (four in
/// x86-64-v3 builds, where an eight-lane log splits into 128-bit halves;
/// eight in x86-64-v4 builds).
typealias CandidateLanes = FillLanes

/// Evaluates the final loss (at step `budget - 1`) of candidates that share
/// a budget and a warmup, by the law's definition (no kernel approximation):
/// the multi-power law's `LD(T) = sum_k d_k G(eta_k^-gamma S_k(T))` in one
/// backward pass per vector of candidates, the annealing law by
/// ``LossLaw/finalLoss(rates:warmupSteps:gradient:)``.
///
/// Each lane's arithmetic is its own: a candidate's loss has the same bits
/// whichever candidates share its vector and whichever thread runs it.
///
/// - Complexity: O(budget) per vector; steps without an LR change
///   (a stable phase) cost one addition per vector, and steps whose LR
///   equals the shared warmup's skip the two transcendentals of
///   `eta^-gamma`.
struct SearchKernel {
  static let lanes = CandidateLanes.scalarCount

  let law: LossLaw
  /// Steps per candidate (n = budget).
  let count: Int
  /// The warmup passed to ``LossLaw/finalLoss(rates:warmupSteps:gradient:)``
  /// (clamped to count - 1).
  let warmupSteps: Int
  /// The effective LRs of the reference candidate on steps 0 ..< tableCount
  /// and `C max(eta, floor)^-gamma` of each (multi-power, raw or peak mode).
  let tableRates: [Double]
  let tableScales: [Double]
  /// The floor of the reference candidate (`max eta * floorRatio`).
  let tableFloor: Double

  /// A kernel for candidates of `count` steps whose first `warmupSteps`
  /// LRs are usually those of `reference` (per-step rates, count values).
  init(law: LossLaw, count: Int, warmupSteps: Int, reference: [Double]) {
    self.law = law
    self.count = count
    self.warmupSteps = Swift.min(warmupSteps, count - 1)
    var rates: [Double] = []
    var scales: [Double] = []
    var floor = 0.0
    if law.kind == .multiPower, reference.count == count, count >= 2 {
      let seq = LRSequence(unchecked: reference, warmupSteps: self.warmupSteps, peak: reference.max() ?? 0)
      let eta = seq.effective(law.warmup).rates
      floor = (eta.max() ?? 0) * LossDropEvaluator.floorRatio
      let n = Swift.min(self.warmupSteps + 1, count)
      rates = Array(eta[0..<n])
      let (C, gamma) = (law.parameters[4], law.parameters[6])
      scales = rates.map { eta in
        let ke = CandidateLanes(repeating: Swift.max(eta, floor))
        return (CandidateLanes(repeating: C) * Elementary.exp(CandidateLanes(repeating: -gamma) * Elementary.log(ke)))[0]
      }
    }
    tableRates = rates
    tableScales = scales
    tableFloor = floor
  }

  /// Final losses of `lanes` candidates (1 ... `Self.lanes`) whose per-step rates are
  /// interleaved in `eta` (`eta[t * L + lane]`, `count * L` values; lanes
  /// past `lanes` hold copies and are ignored) into `out[0 ..< lanes]`.
  /// `eta` is rewritten with the law's effective rates.
  func finalLosses(_ eta: UnsafeMutableBufferPointer<Double>, lanes: Int, into out: UnsafeMutableBufferPointer<Double>) {
    let L = Self.lanes
    guard law.kind == .multiPower, count >= 2 else {
      for l in 0..<lanes {
        let rates = (0..<count).map { eta[$0 * L + l] }
        out[l] = law.finalLoss(rates: rates, warmupSteps: warmupSteps)
      }
      return
    }
    let base = UnsafeMutableRawPointer(eta.baseAddress!).bindMemory(to: CandidateLanes.self, capacity: count)
    let W = warmupSteps
    // The effective rates (LRSequence.effective) and the first counted drop.
    var firstDrop = 1
    switch law.warmup {
    case .sum: firstDrop = W + 1
    case .raw: break
    case .peak:
      let top = base[W]
      for i in 0..<W { base[i] = top }
    }
    var peak = base[0]
    for t in 1..<count { peak = CandidateLanes.choose(peak, lessThan: base[t], base[t], peak) }
    let floor = peak * LossDropEvaluator.floorRatio
    let p = law.parameters
    let (C, beta, gamma, B) = (CandidateLanes(repeating: p[4]), CandidateLanes(repeating: p[5]),
                               CandidateLanes(repeating: p[6]), p[3])
    let one = CandidateLanes(repeating: 1)
    // The shared table applies where the lane's LR and floor are the reference's.
    let tableUsable = floor == CandidateLanes(repeating: tableFloor)
    let tableCount = tableUsable ? tableRates.count : 0
    let T = count - 1
    var s1 = CandidateLanes()
    for i in 1...T { s1 += base[i] }
    var ld = CandidateLanes()
    var suffix = CandidateLanes()
    tableRates.withUnsafeBufferPointer { tableRate in
      tableScales.withUnsafeBufferPointer { tableScale in
        var k = T
        var next = base[T]
        while k >= 1 {
          let cur = next
          next = base[k - 1]
          suffix += cur
          if k >= firstDrop {
            let d = next - cur
            if d != CandidateLanes() {
              let scale: CandidateLanes
              if k < tableCount, cur == CandidateLanes(repeating: tableRate[k]) {
                scale = CandidateLanes(repeating: tableScale[k])
              } else {
                let ke = CandidateLanes.choose(cur, lessThan: floor, floor, cur)
                scale = C * Elementary.exp(-gamma * Elementary.log(ke))
              }
              let x = scale * suffix
              let g = one - Elementary.exp(-beta * Elementary.log(one + x))
              ld += d * g
            }
          }
          k -= 1
        }
      }
    }
    for l in 0..<lanes {
      let power = p[1] * _exp(-p[2] * _log(s1[l]))
      out[l] = s1[l] > 0 ? p[0] + power - B * ld[l] : .nan
    }
  }
}
