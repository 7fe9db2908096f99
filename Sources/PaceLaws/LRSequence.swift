//===--- LRSequence.swift -------------------------------------------------===//
// A per-step learning-rate sequence with its warmup, the input of every law.
//===----------------------------------------------------------------------===//
import Pace

/// How a law treats the warmup (the steps before the first step at the peak).
public enum WarmupMode: String, Sendable, CaseIterable {
  /// The warmup LRs count in the forward area S1 (`S_W` of the multi-power
  /// law's paper) but not in the loss drop (LD, S2), whose LR decreases
  /// start after the warmup.
  case sum
  /// Warmup LRs are taken to be the peak (Tissue et al.: "regarding lr as
  /// max_lr in warmup stages").
  case peak
  /// The sequence as is: warmup increases enter LD and S2 as negative drops
  /// (the multi-power law's reference code).
  case raw
}

/// Per-step learning rates `eta[0 ..< count]` (index = optimizer step) and
/// the length of the warmup: steps `0 ..< warmupSteps` come before the
/// first step whose LR is the maximum.
public struct LRSequence: Sendable {
  /// `eta[t]`, the LR at step `t`.
  public let rates: [Double]
  /// Steps before the warmup's end (the first step at the maximum LR, by
  /// default).
  public let warmupSteps: Int
  /// The largest LR.
  public let peak: Double

  public var count: Int { rates.count }

  /// A sequence from per-step rates (finite, >= 0, not all zero). With
  /// `warmupSteps` nil the warmup ends at the first step at the maximum.
  public init(rates: [Double], warmupSteps: Int? = nil) throws(LawError) {
    guard !rates.isEmpty else { throw .argument("the LR sequence is empty") }
    var peak = 0.0
    var firstPeak = 0
    for (i, r) in rates.enumerated() {
      guard r.isFinite, r >= 0 else {
        throw .argument("learning rate at step \(i) must be finite and >= 0, got \(r)")
      }
      if r > peak { peak = r; firstPeak = i }
    }
    guard peak > 0 else { throw .argument("every learning rate is 0") }
    if let w = warmupSteps {
      guard w >= 0, w < rates.count else {
        throw .argument("warmup_steps must be in [0, \(rates.count)), got \(w)")
      }
      self.warmupSteps = w
    } else {
      self.warmupSteps = firstPeak
    }
    self.rates = rates
    self.peak = peak
  }

  /// Steps `0 ..< count` of a schedule. `count` defaults to the schedule's
  /// total steps (required for an open-ended schedule).
  public init(schedule: Schedule, count: Int? = nil, warmupSteps: Int? = nil) throws(LawError) {
    let total = schedule.totalSteps
    let n: Int
    if let count {
      guard count >= 1 else { throw .argument("the step count must be >= 1, got \(count)") }
      guard count <= 1 << 31 else { throw .argument("the step count \(count) is too large") }
      n = count
    } else {
      guard let total, total > 0 else {
        throw .argument("the schedule is open-ended: give the number of steps to evaluate")
      }
      guard total <= 1 << 31 else { throw .argument("the schedule's \(total) steps are too many") }
      n = Int(total)
    }
    try self.init(rates: schedule.values(from: 0, count: n), warmupSteps: warmupSteps)
  }

  /// Parses a spec and evaluates it (see ``init(schedule:count:warmupSteps:)``).
  public init(spec: String, count: Int? = nil, warmupSteps: Int? = nil) throws(LawError) {
    let schedule: Schedule
    do throws(SpecError) {
      schedule = try Schedule.parse(spec)
    } catch {
      throw .spec(error)
    }
    try self.init(schedule: schedule, count: count, warmupSteps: warmupSteps)
  }

  /// The rates a law sees under `mode` (warmup replaced by the peak for
  /// `.peak`), and the first step `k` whose drop `eta[k-1] - eta[k]` counts
  /// in LD and S2.
  public func effective(_ mode: WarmupMode) -> (rates: [Double], firstDrop: Int) {
    switch mode {
    case .sum:
      return (rates, warmupSteps + 1)
    case .peak:
      var r = rates
      let top = warmupSteps < r.count ? r[warmupSteps] : peak
      for i in 0..<warmupSteps { r[i] = top }
      return (r, 1)
    case .raw:
      return (rates, 1)
    }
  }

  init(unchecked rates: [Double], warmupSteps: Int, peak: Double) {
    self.rates = rates
    self.warmupSteps = warmupSteps
    self.peak = peak
  }
}
