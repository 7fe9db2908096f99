//===--- RunLog.swift -----------------------------------------------------===//
// A training run as its trainer logged it: (step, lr, loss) rows with gaps,
// missing values and any warmup, made into a curve the laws can fit.
//===----------------------------------------------------------------------===//

/// A training run as logged: rows of (step, learning rate, loss), each LR
/// and loss possibly missing (NaN), logged every k steps or irregularly.
///
/// **The LR between logged rows** (``rates(through:)``), used when no
/// per-step LRs or spec are given (``curve(sequence:warmupSteps:)``):
/// - between two rows with an LR: linear interpolation. The laws read the
///   LR through sums (S1, the suffix sums S_k(t)) and drops; the
///   trapezoid-like linear rule is exact for linear warmups and linear
///   decays and second-order accurate for smooth ones (cosine: the error of
///   S1 over a gap of k steps is O(k^3 eta'')), where holding the last value
///   is off by O(k^2 eta'). A step drop between two rows is spread over the
///   gap: S1 is then off by at most half of (gap x drop), half the worst
///   case of holding either neighbour.
/// - before the first row with an LR, at step s0 > 0: linear from 0 at step
///   0 to that LR, a linear warmup from 0 (the usual warmup; a run whose
///   first logged LR is the peak had its warmup before it). Log from step 0,
///   or give the per-step LRs or the spec, when that is not the run's.
/// - after the last row with an LR: that LR.
///
/// **Losses:** a NaN loss is missing and skipped, as is a loss at a step
/// whose S1 is 0 (step 0: the laws are undefined there). Infinite, zero or
/// negative losses are errors.
public struct RunLog: Sendable {
  public let name: String
  /// Logged steps, strictly increasing, >= 0.
  public let steps: [Int]
  /// The LR of each row (NaN: not logged); empty when the log has none.
  public let lrs: [Double]
  /// The loss of each row (NaN: not logged).
  public let losses: [Double]

  /// The largest step accepted (a per-step sequence through it is built).
  public static let maximumStep = 1 << 31 - 1

  /// Checks the rows: as many LRs (or none) and losses as steps; steps
  /// strictly increasing in `0 ... maximumStep`; LRs NaN or finite and
  /// >= 0; losses NaN or finite and > 0.
  public init(name: String = "run", steps: [Int], lrs: [Double]?, losses: [Double]) throws(LawError) {
    guard steps.count == losses.count else {
      throw .argument("\(name): \(steps.count) steps but \(losses.count) losses")
    }
    if let lrs, lrs.count != steps.count {
      throw .argument("\(name): \(steps.count) steps but \(lrs.count) learning rates")
    }
    var previous = -1
    for (i, s) in steps.enumerated() {
      guard s > previous, s <= Self.maximumStep else {
        throw .argument(s <= Self.maximumStep
          ? "\(name): steps must be strictly increasing; row \(i) has step \(s) after \(previous)"
          : "\(name): row \(i) has step \(s), beyond \(Self.maximumStep)")
      }
      previous = s
      let loss = losses[i]
      guard loss.isNaN || (loss.isFinite && loss > 0) else {
        throw .argument("\(name): row \(i) (step \(s)) has loss \(loss); losses must be finite and > 0 (NaN: not logged)")
      }
      if let lrs {
        let lr = lrs[i]
        guard lr.isNaN || (lr.isFinite && lr >= 0) else {
          throw .argument("\(name): row \(i) (step \(s)) has learning rate \(lr); it must be finite and >= 0 (NaN: not logged)")
        }
      }
    }
    self.name = name
    self.steps = steps
    self.lrs = lrs ?? []
    self.losses = losses
  }

  /// Per-step arrays: row `i` is step `i` (`lrs`, when given, has as many
  /// values as `losses`; NaN marks what was not logged).
  public init(name: String = "run", perStepLRs lrs: [Double]?, losses: [Double]) throws(LawError) {
    try self.init(name: name, steps: Array(0..<losses.count), lrs: lrs, losses: losses)
  }

  /// True when some row has an LR.
  public var hasLR: Bool { lrs.contains { !$0.isNaN } }

  /// The per-step LRs of steps `0 ... last` by the rule above.
  ///
  /// - Complexity: O(last + rows).
  public func rates(through last: Int) throws(LawError) -> [Double] {
    let logged = steps.indices.filter { !lrs.isEmpty && !lrs[$0].isNaN }
    guard let first = logged.first else {
      throw .argument("\(name): no learning rate is logged: give the per-step LRs or the schedule")
    }
    guard last >= 0, last <= Self.maximumStep else { throw .argument("\(name): step \(last) is out of range") }
    var out = [Double](repeating: 0, count: last + 1)
    let s0 = steps[first], lr0 = lrs[first]
    for t in 0...Swift.min(s0, last) { out[t] = s0 == 0 ? lr0 : lr0 * Double(t) / Double(s0) }
    var k = 0
    while k + 1 < logged.count, steps[logged[k]] < last {
      let (a, b) = (logged[k], logged[k + 1])
      let (sa, sb, la, lb) = (steps[a], steps[b], lrs[a], lrs[b])
      for t in (sa + 1)...Swift.min(sb, last) {
        out[t] = t == sb ? lb : la + (lb - la) * Double(t - sa) / Double(sb - sa)
      }
      k += 1
    }
    let end = steps[logged[k]]
    if end < last { for t in (end + 1)...last { out[t] = lrs[logged[k]] } }
    return out
  }

  /// The curve to fit and the number of rows skipped (no loss, or S1 = 0).
  /// The LRs come from `sequence` when given (per-step LRs or a spec's
  /// steps: every logged step must be inside it), else from the rows,
  /// through the last logged step. `warmupSteps` (nil: up to the first step
  /// at the largest LR) applies to LRs from the rows.
  public func curve(sequence given: LRSequence? = nil, warmupSteps: Int? = nil) throws(LawError) -> (curve: LossCurve, skipped: Int) {
    guard let lastStep = steps.last else { throw .argument("\(name): no rows") }
    let sequence: LRSequence
    if let given { sequence = given } else {
      sequence = try LRSequence(rates: try rates(through: lastStep), warmupSteps: warmupSteps)
    }
    var keptSteps: [Int] = []
    var keptLosses: [Double] = []
    var skipped = 0
    var s1 = 0.0
    var t = 0
    for (s, loss) in zip(steps, losses) {
      guard s < sequence.count else {
        throw .argument("\(name): step \(s) is beyond the schedule's \(sequence.count) steps (last step \(sequence.count - 1))")
      }
      while t < s {
        t += 1
        s1 += sequence.rates[t]
      }
      if loss.isNaN || s1 <= 0 {
        skipped += 1
        continue
      }
      keptSteps.append(s)
      keptLosses.append(loss)
    }
    guard !keptSteps.isEmpty else { throw .argument("\(name): no row has a loss at a step after the first LR (S1 > 0)") }
    return (try LossCurve(sequence: sequence, steps: keptSteps, losses: keptLosses, name: name), skipped)
  }
}
