//===--- MixturePlan.swift ------------------------------------------------===//
// Domain mixtures: per step, how many of the global batch come from each
// domain, and how many of each domain's samples the run consumed before.
//===----------------------------------------------------------------------===//
import Synchronization

/// The per-domain counts of a mixture whose weights may be schedules.
///
/// A step is one block: step t's B_t samples are split by the weights at t,
/// normalised (p_d(t)). While some weight still changes (steps before
/// `constantFrom`, the end of the last weight schedule), each step's counts
/// are the largest-remainder rounding of `B_t p_d(t) + e_d`, where `e_d` is
/// the domain's carried error (the integral of its share so far minus the
/// samples it got), so every domain's running count stays within about one
/// sample of the integral of its weight. From `constantFrom` on, the counts
/// are ``MixtureSplit``'s closed form over the offsets since then.
///
/// Consumed counts before step t are the sum of the earlier steps' counts:
/// for t before `constantFrom` they are computed from a checkpoint table
/// (counts and errors every ``checkpointSpacing`` steps, extended on demand
/// up to the step asked, at most `constantFrom / 1024` entries), so a query
/// costs O(1024 D log D) once the table reaches it; the first query at step
/// t costs O(t D log D) once. From `constantFrom` on a query is O(D),
/// whatever t. Steps beyond ``stepwiseLimit`` while weights still change
/// (an open-ended weight schedule) are refused with an error.
final class MixturePlan: @unchecked Sendable {
  static let checkpointSpacing: Int64 = 1024
  let weights: [MixtureWeight]
  let batches: BatchSizes
  /// The first step from which no weight changes.
  let constantFrom: Int64
  /// Closed-form split of the stream from `constantFrom` on.
  let tail: MixtureSplit

  private struct Running { var counts: [Int64]; var errors: [Double] }
  private let table = Mutex<[Running]>([])

  init(weights: [MixtureWeight], batches: BatchSizes) {
    self.weights = weights
    self.batches = batches
    constantFrom = weights.map(\.constantFrom).max() ?? 0
    tail = MixtureSplit(weights: weights.map { max(0, $0.value(at: weights.map(\.constantFrom).max() ?? 0)) })
  }

  /// Normalised proportions at `step` (equal shares when every weight is 0
  /// or a schedule yields a negative or non-finite value everywhere).
  func proportions(at step: Int64) -> [Double] {
    let raw = weights.map { w -> Double in let x = w.value(at: step); return x.isFinite && x > 0 ? x : 0 }
    let total = raw.reduce(0, +)
    guard total > 0 else { return [Double](repeating: 1 / Double(raw.count), count: raw.count) }
    return raw.map { $0 / total }
  }

  /// One step's counts by largest remainder of `B p + e`; updates `r`.
  private func advance(_ r: inout Running, step: Int64) {
    let b = batches.size(at: step)
    let p = proportions(at: step)
    let d = p.count
    var targets = [Double](repeating: 0, count: d), counts = [Int64](repeating: 0, count: d)
    var assigned: Int64 = 0
    for i in 0..<d {
      targets[i] = Double(b) * p[i] + r.errors[i]
      counts[i] = targets[i] > 0 ? Int64(targets[i].rounded(.down)) : 0
      assigned += counts[i]
    }
    // Largest remainders first (ties by domain); take back from the
    // smallest remainders of domains that have something.
    let order = (0..<d).sorted { a, c in
      let ra = targets[a] - Double(counts[a]), rc = targets[c] - Double(counts[c])
      return ra != rc ? ra > rc : a < c
    }
    var k = 0
    while assigned < b { counts[order[k % d]] += 1; assigned += 1; k += 1 }
    k = d - 1
    while assigned > b {
      let i = order[(k % d + d) % d]
      if counts[i] > 0 { counts[i] -= 1; assigned -= 1 }
      k -= 1
    }
    for i in 0..<d {
      r.counts[i] += counts[i]
      r.errors[i] = targets[i] - Double(counts[i])
    }
  }

  /// The furthest step whose counts are integrated step by step (weights
  /// that still change beyond it are refused rather than taking minutes).
  static let stepwiseLimit: Int64 = 1 << 27

  /// Each domain's samples consumed by steps `0 ..< step` (step >= 0).
  func consumed(before step: Int64) throws(DataError) -> [Int64] {
    let d = weights.count
    if step >= constantFrom {
      let base = try runningBefore(constantFrom).counts
      let n = try batches.offset(of: step) - batches.offset(of: constantFrom)
      let extra = tail.counts(n)
      return (0..<d).map { base[$0] + extra[$0] }
    }
    return try runningBefore(step).counts
  }

  /// Step `step`'s counts per domain (they sum to its global batch).
  func counts(at step: Int64) throws(DataError) -> [Int64] {
    if step >= constantFrom {
      let before = try consumed(before: step), after = try consumed(before: step + 1)
      return zip(after, before).map { $0 - $1 }
    }
    var r = try runningBefore(step)
    let before = r.counts
    advance(&r, step: step)
    return zip(r.counts, before).map { $0 - $1 }
  }

  /// The running counts and errors before `step` (<= constantFrom).
  private func runningBefore(_ step: Int64) throws(DataError) -> Running {
    guard step <= MixturePlan.stepwiseLimit else {
      throw .argument("step \(step): the mixture weights still change there (up to step \(constantFrom)), and their integral is summed step by step, which is limited to \(MixturePlan.stepwiseLimit) steps (give the weight schedules an end)")
    }
    let d = weights.count
    let spacing = MixturePlan.checkpointSpacing
    let slot = Int(step / spacing)
    var r = table.withLock { t -> Running in
      if t.isEmpty { t.append(Running(counts: [Int64](repeating: 0, count: d), errors: [Double](repeating: 0, count: d))) }
      while t.count <= slot {
        var next = t[t.count - 1]
        let from = Int64(t.count - 1) * spacing
        for s in from..<(from + spacing) { advance(&next, step: s) }
        t.append(next)
      }
      return t[slot]
    }
    var s = Int64(slot) * spacing
    while s < step { advance(&r, step: s); s += 1 }
    return r
  }
}
