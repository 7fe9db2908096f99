//===--- SearchKernel.swift -----------------------------------------------===//
// The exact predicted final loss of schedule-search candidates, four or
// eight candidates per SIMD vector (one per lane), in one backward pass.
//===----------------------------------------------------------------------===//
import Pace

/// Candidates per vector, one per lane: Pace's fill width (four in
/// x86-64-v3 builds, where an eight-lane log splits into 128-bit halves;
/// eight in x86-64-v4 builds).
typealias CandidateLanes = FillLanes

/// Evaluates the final loss (at step `count - 1`) of candidates that share
/// a length and a warmup (the LRs of steps `0 ..< warmupSteps`), by the
/// law's definition (no kernel approximation): the multi-power law's
/// `LD(T) = sum_k d_k G(eta_k^-gamma S_k(T))` and `S1(T)` in one backward
/// pass per vector of candidates, the annealing law by
/// ``LossLaw/finalLoss(rates:warmupSteps:gradient:)``.
///
/// Each lane's arithmetic is its own (no branch or fallback of one lane
/// changes another's bits): a candidate's loss has the same bits whichever
/// candidates share its vector and whichever thread runs it.
///
/// - Complexity: O(count) per vector; steps without an LR change (a stable
///   phase) cost two additions per vector, steps with one two logarithms
///   and two exponentials (``SearchMath``, `Elementary.exp`), and warmup
///   steps, whose `eta^-gamma` is tabulated once per search, one of each.
struct SearchKernel {
  static let lanes = CandidateLanes.scalarCount

  let law: LossLaw
  /// Steps per candidate (n = budget).
  let count: Int
  /// The warmup passed to ``LossLaw/finalLoss(rates:warmupSteps:gradient:)``
  /// (clamped to count - 1).
  let warmupSteps: Int
  /// The shared LRs of steps `0 ..< warmupSteps`.
  let warmupRates: [Double]
  /// Their maximum (0 without a warmup).
  let warmupMaximum: Double
  /// The law's effective LR (raw or peak warmup mode) of steps
  /// `0 ..< tableRates.count` (the warmup and the step after it) of the
  /// reference, and `C max(eta, floor)^-gamma` of each, with
  /// `floor = tablePeak * floorRatio`: the table serves the candidates
  /// whose largest effective LR is the reference's, `tablePeak`.
  let tableRates: [Double]
  let tableScales: [Double]
  let tablePeak: Double

  /// A kernel for candidates of `count` steps (>= 2) whose first
  /// `warmupSteps` LRs are `reference`'s (per-step rates, at least
  /// `count` values) and whose LRs after the warmup peak at `reference`'s.
  init(law: LossLaw, count: Int, warmupSteps: Int, reference: [Double]) {
    precondition(count >= 2 && reference.count >= count)
    self.law = law
    self.count = count
    let w = Swift.min(warmupSteps, count - 1)
    self.warmupSteps = w
    warmupRates = Array(reference[0..<w])
    warmupMaximum = warmupRates.max() ?? 0
    let restMaximum = reference[w..<count].max() ?? 0
    tablePeak = Self.peak(warmup: warmupMaximum, rest: restMaximum, law.warmup)
    var rates: [Double] = []
    var scales: [Double] = []
    if law.kind == .multiPower {
      switch law.warmup {
      case .raw: rates = Array(reference[0...w])
      case .peak, .sum: rates = []  // no warmup drop counts (see finalLosses)
      }
      let floor = CandidateLanes(repeating: tablePeak) * CandidateLanes(repeating: LossDropEvaluator.floorRatio)
      let (C, gamma) = (CandidateLanes(repeating: law.parameters[4]), CandidateLanes(repeating: law.parameters[6]))
      scales = rates.map { eta in
        Self.scale(logRate: Self.logRate(CandidateLanes(repeating: eta), floor: floor), C: C, gamma: gamma)[0]
      }
    }
    tableRates = rates
    tableScales = scales
  }

  /// The largest effective LR: under `.peak` the warmup plays step
  /// `warmupSteps`'s LR, which `rest` includes.
  static func peak<V: DoubleLanes>(warmup: V, rest: V, _ mode: WarmupMode) -> V {
    mode == .peak ? rest : V.choose(warmup, lessThan: rest, rest, warmup)
  }

  /// `ln max(eta, floor)` per lane, the first half of ``scale(logRate:C:gamma:)``.
  @inline(__always)
  static func logRate(_ eta: CandidateLanes, floor: CandidateLanes) -> CandidateLanes {
    SearchMath.log(CandidateLanes.choose(eta, lessThan: floor, floor, eta))
  }

  /// `C max(eta, floor)^-gamma` per lane from ``logRate(_:floor:)``.
  @inline(__always)
  static func scale(logRate: CandidateLanes, C: CandidateLanes, gamma: CandidateLanes) -> CandidateLanes {
    C * Elementary.exp(CandidateLanes.zero - gamma * logRate)
  }

  /// Final losses of `lanes` candidates (1 ... `Self.lanes`) into
  /// `out[0 ..< lanes]`. Their per-step rates are interleaved in `eta`
  /// (`eta[t * L + lane]`, `count * L` values; lanes past `lanes` hold
  /// copies and are ignored), steps `0 ..< warmupSteps` holding
  /// ``warmupRates``; `restMaxima` is each lane's largest rate over steps
  /// `warmupSteps ..< count`. `eta` is only read; `scratch` holds the
  /// loss-drop terms between batches (``DropTerms``).
  func finalLosses(_ eta: UnsafeBufferPointer<Double>, restMaxima: CandidateLanes, lanes: Int,
                   scratch: DropTerms.Scratch, into out: UnsafeMutableBufferPointer<Double>) {
    let L = Self.lanes
    guard law.kind == .multiPower else {
      var rates = [Double](repeating: 0, count: count)
      for l in 0..<lanes {
        for t in 0..<count { rates[t] = eta[t * L + l] }
        out[l] = law.finalLoss(rates: rates, warmupSteps: warmupSteps)
      }
      return
    }
    let base = UnsafeRawPointer(eta.baseAddress!).bindMemory(to: CandidateLanes.self, capacity: count)
    let W = warmupSteps
    // Steps k >= last carry the counted drops eta_{k-1} - eta_k (of the
    // effective rates, LRSequence.effective): under .sum the warmup's drops
    // do not count, under .peak the warmup plays eta_W, so they are 0.
    let last = law.warmup == .raw ? 1 : W + 1
    let peak = Self.peak(warmup: CandidateLanes(repeating: warmupMaximum), rest: restMaxima, law.warmup)
    let floor = peak * CandidateLanes(repeating: LossDropEvaluator.floorRatio)
    let p = law.parameters
    let (C, beta, gamma) = (CandidateLanes(repeating: p[4]), CandidateLanes(repeating: p[5]),
                            CandidateLanes(repeating: p[6]))
    let zero = CandidateLanes.zero
    // The table applies where every lane's LR is the tabulated one and its
    // peak the table's (so its floor too): then it holds the bits `scale`
    // would compute.
    let tableCount = peak == CandidateLanes(repeating: tablePeak) ? tableRates.count : 0
    let T = count - 1
    var suffix = zero
    var terms = DropTerms(scratch, floor: floor, C: C, beta: beta, gamma: gamma)
    tableRates.withUnsafeBufferPointer { tableRate in
      tableScales.withUnsafeBufferPointer { tableScale in
        var k = T
        var next = base[T]
        while k >= last {
          let cur = next
          next = base[k - 1]
          suffix += cur
          let d = next - cur
          if d != zero {
            if k < tableCount, cur == CandidateLanes(repeating: tableRate[k]) {
              terms.append(rate: cur, suffix: suffix, drop: d, scale: CandidateLanes(repeating: tableScale[k]))
            } else {
              terms.append(rate: cur, suffix: suffix, drop: d, scale: nil)
            }
          }
          k -= 1
        }
        while k >= 1 {  // no counted drop; S1 sums on
          suffix += law.warmup == .peak ? base[W] : base[k]
          k -= 1
        }
      }
    }
    let ld = terms.finish()
    // S1 = sum_{i=1}^{T} eta_i, the suffix at k = 1.
    let s1 = suffix
    for l in 0..<lanes {
      let power = p[1] * _exp(-p[2] * _log(s1[l]))
      out[l] = s1[l] > 0 ? p[0] + power - p[3] * ld[l] : .nan
    }
  }
}
