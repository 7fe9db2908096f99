//===--- DropTerms.swift --------------------------------------------------===//
// The multi-power law's loss-drop sum over a vector of candidates, its
// transcendentals evaluated a batch of steps at a time.
//===----------------------------------------------------------------------===//
import Pace

/// `LD = sum_k d_k (1 - (1 + C max(eta_k, floor)^-gamma S_k)^-beta)` per
/// lane, accumulated term by term in the order the terms are appended.
///
/// Each term costs two logarithms and two exponentials, a chain of about
/// 250 cycles of latency but few instructions: evaluated one step at a time
/// (as the backward pass finds them) the core waits on that chain. The
/// terms are therefore collected (rate, suffix sum, drop) and evaluated
/// ``batch`` at a time in four loops, one transcendental each, whose
/// iterations are independent: the core overlaps them. The sum itself runs
/// in append order, so every lane's bits are those of the step-by-step
/// evaluation, whatever the batch boundaries.
///
/// - Complexity: O(1) amortised per term; memory: ``Scratch`` (about 10 KB
///   in x86-64-v3 builds, reused for every vector).
struct DropTerms {
  /// Terms per batch: enough independent iterations to hide the chain's
  /// latency, few enough to stay in L1.
  static let batch = 64

  /// The buffers of one batch (allocate once per worker, reuse).
  struct Scratch {
    /// rate, suffix, drop, scale, log: `batch` vectors each.
    let lanes: UnsafeMutableBufferPointer<CandidateLanes>
    /// Per term: true when its scale came from the kernel's table.
    let tabulated: UnsafeMutableBufferPointer<Bool>

    static func allocate() -> Scratch {
      Scratch(lanes: .allocate(capacity: 5 * batch), tabulated: .allocate(capacity: batch))
    }

    func deallocate() {
      lanes.deallocate()
      tabulated.deallocate()
    }
  }

  private let rate, suffix, drop, scale, logs: UnsafeMutablePointer<CandidateLanes>
  private let tabulated: UnsafeMutablePointer<Bool>
  private let floor, C, beta, gamma: CandidateLanes
  private var count = 0
  private var sum = CandidateLanes.zero

  init(_ scratch: Scratch, floor: CandidateLanes, C: CandidateLanes, beta: CandidateLanes, gamma: CandidateLanes) {
    let base = scratch.lanes.baseAddress!
    (rate, suffix, drop, scale, logs) = (base, base + Self.batch, base + 2 * Self.batch, base + 3 * Self.batch,
                                         base + 4 * Self.batch)
    tabulated = scratch.tabulated.baseAddress!
    (self.floor, self.C, self.beta, self.gamma) = (floor, C, beta, gamma)
  }

  /// Adds the term of a step with LR `rate`, suffix sum `suffix` and drop
  /// `drop` (lanes without a drop add nothing); `scale` is
  /// `C max(rate, floor)^-gamma` when the caller has it (a table), else nil.
  @inline(__always)
  mutating func append(rate r: CandidateLanes, suffix s: CandidateLanes, drop d: CandidateLanes,
                       scale known: CandidateLanes?) {
    rate[count] = r
    suffix[count] = s
    drop[count] = d
    if let known { scale[count] = known }
    tabulated[count] = known != nil
    count += 1
    if count == Self.batch { flush() }
  }

  /// The sum of every term appended.
  mutating func finish() -> CandidateLanes {
    flush()
    return sum
  }

  /// Evaluates the pending terms into `sum`, in append order.
  private mutating func flush() {
    let n = count
    let zero = CandidateLanes.zero
    let one = CandidateLanes(repeating: 1)
    for i in 0..<n where !tabulated[i] { logs[i] = SearchKernel.logRate(rate[i], floor: floor) }
    for i in 0..<n where !tabulated[i] { scale[i] = SearchKernel.scale(logRate: logs[i], C: C, gamma: gamma) }
    for i in 0..<n { logs[i] = SearchMath.log(one + scale[i] * suffix[i]) }
    var total = sum
    for i in 0..<n {
      let g = one - Elementary.exp(zero - beta * logs[i])
      // Not 0 * g where there is no drop: g may be NaN there.
      total += CandidateLanes.choose(drop[i], equal: zero, zero, drop[i] * g)
    }
    sum = total
    count = 0
  }
}
