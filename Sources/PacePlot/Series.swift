//===--- Series.swift -----------------------------------------------------===//
// A named line of (x, y) points, sampled from a schedule.
//===----------------------------------------------------------------------===//
import Pace

/// One line of a chart.
public struct Series: Sendable {
  public var label: String
  /// Points in increasing x.
  public var points: [(x: Double, y: Double)]

  public init(label: String, points: [(x: Double, y: Double)]) {
    self.label = label
    self.points = points
  }

  /// Samples `schedule` over steps `0 ..< steps` at about `maxPoints` evenly
  /// spaced steps plus every phase boundary (so jumps stay sharp).
  ///
  /// - Complexity: O(maxPoints * number of phases).
  public init(label: String, schedule: Schedule, steps: Int64, maxPoints: Int = 1200) {
    var chosen = Set<Int64>(schedule.boundarySteps(below: steps))
    let n = Int64(Swift.max(2, maxPoints))
    if steps <= n {
      chosen.formUnion(0..<steps)
    } else {
      for i in 0..<n { chosen.insert(i * (steps - 1) / (n - 1)) }
    }
    self.label = label
    self.points = chosen.sorted().map { (x: Double($0), y: schedule.value(at: $0)) }
  }
}
