//===--- AbilityHistory.swift ---------------------------------------------===//
// PUDF's capacity rule over the abilities a trainer reports.
//===----------------------------------------------------------------------===//

/// The abilities reported so far and the cap `theta_cap` each one sets.
///
/// PUDF (Meng et al., algorithms.md §9): start with `prev = -5`, `cap = 0`;
/// after each estimate theta, if `theta > prev` then `cap = prev = theta`,
/// else `cap += 0.1` (progress is guaranteed). A report at step s sets the
/// cap of steps s, s+1, ... until the next report; before the first report
/// the cap is PUDF's initial 0.
///
/// - Complexity: O(log reports) per cap look-up; O(reports) memory.
struct AbilityHistory: Sendable, Equatable {
  static let initialPrevious = -5.0
  static let initialCap = 0.0
  static let stagnationStep = 0.1

  /// Reports in order: the step and the ability.
  private(set) var reports: [(step: Int64, theta: Double)] = []
  /// The cap after each report.
  private(set) var caps: [Double] = []
  private var previous = AbilityHistory.initialPrevious

  static func == (a: AbilityHistory, b: AbilityHistory) -> Bool {
    a.reports.count == b.reports.count && a.caps == b.caps
      && zip(a.reports, b.reports).allSatisfy { $0.step == $1.step && $0.theta.bitPattern == $1.theta.bitPattern }
  }

  /// Records `theta` at `step`: steps never decrease, theta finite.
  mutating func report(step: Int64, theta: Double) throws(DataError) {
    guard step >= 0 else { throw .argument("step must be >= 0, got \(step)") }
    guard theta.isFinite else { throw .argument("theta must be finite, got \(theta)") }
    if let last = reports.last, step < last.step {
      throw .argument("step \(step) is before the last reported step \(last.step) (reports must not go back)")
    }
    let cap: Double
    if theta > previous {
      previous = theta
      cap = theta
    } else {
      cap = (caps.last ?? AbilityHistory.initialCap) + AbilityHistory.stagnationStep
    }
    reports.append((step, theta))
    caps.append(cap)
  }

  /// The phase of `step`: the number of reports at or before it (0: none).
  func phase(of step: Int64) -> Int {
    var lo = 0, hi = reports.count  // reports[0 ..< lo] are <= step
    while lo < hi {
      let mid = (lo + hi) / 2
      if reports[mid].step <= step { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  /// The cap of phase `k` (0: before any report).
  func cap(ofPhase k: Int) -> Double { k == 0 ? AbilityHistory.initialCap : caps[k - 1] }

  /// The first step of phase `k`.
  func start(ofPhase k: Int) -> Int64 { k == 0 ? 0 : reports[k - 1].step }
}
