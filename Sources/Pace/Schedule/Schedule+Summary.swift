//===--- Schedule+Summary.swift -------------------------------------------===//
// Peak, final value and area of a schedule over a run.
//===----------------------------------------------------------------------===//

/// Figures of a schedule over steps `0 ..< steps`.
public struct ScheduleSummary: Sendable {
  /// Steps summarised.
  public var steps: Int64
  /// Largest value, and the first step where it occurs.
  public var peak: Double
  public var peakStep: Int64
  /// Value at the last step (`steps - 1`).
  public var final: Double
  /// Area under the curve: the sum of the values of every step (S1), in
  /// value x steps.
  public var area: Double
}

extension Schedule {
  /// Summarises steps `0 ..< steps` (`steps >= 1`).
  ///
  /// - Complexity: O(steps * number of phases).
  public func summary(steps: Int64) -> ScheduleSummary {
    precondition(steps >= 1, "summary needs at least one step")
    var peakValue = -Double.infinity
    var peakStep: Int64 = 0
    var area = 0.0
    var compensation = 0.0  // Kahan summation: the area of 10^8 steps keeps its digits.
    var last = 0.0
    for t in 0..<steps {
      let v = value(at: t)
      if v > peakValue { peakValue = v; peakStep = t }
      let y = v - compensation
      let sum = area + y
      compensation = (sum - area) - y
      area = sum
      last = v
    }
    return ScheduleSummary(steps: steps, peak: peakValue, peakStep: peakStep, final: last, area: area)
  }

  /// Integer steps where the schedule changes regime: every phase start and
  /// end (and the steps either side), within `0 ..< limit`.
  package func boundarySteps(below limit: Int64) -> [Int64] {
    var out = Set<Int64>()
    for edge in Array(startBuffer) + Array(endBuffer) where edge.isFinite && edge < Double(limit) {
      let f = Int64(edge.rounded(.down))
      for d in Int64(-1)...1 where f + d >= 0 && f + d < limit { out.insert(f + d) }
    }
    return out.sorted()
  }
}
