//===--- Phase+Evaluate.swift ---------------------------------------------===//
// The value of a phase at a local position.
//===----------------------------------------------------------------------===//

/// Evaluates a phase's kernel at one position (the one-lane instance of the
/// formula the fills run on ``FillLanes``).
struct EvaluateAt: PhaseKernelVisitor {
  let phase: Phase
  let u: Double
  let t: Double
  let map: EndpointMap

  @inline(__always)
  func visit<K: PhaseKernel>(_ kernel: K) -> Double { kernel(u: u, t: t) }

  func visitScalar() -> Double { phase.lookupValue(at: u, map: map) }
}

extension Phase {
  /// The multiplier at local curve position `u` (`offset <= u`), for a curve
  /// of length `length` (scaled in repeat blocks), at global step `t`.
  ///
  /// - Complexity: O(1), except O(log n) for tables of points and step
  ///   milestones.
  func value(at u: Double, length: Double, globalStep t: Double, map: EndpointMap) -> Double {
    withKernel(length: length, map: map, EvaluateAt(phase: self, u: u, t: t, map: map))
  }

  /// The shapes without a lane kernel: tables, steps at milestones and
  /// segments.
  @usableFromInline
  func lookupValue(at u: Double, map: EndpointMap) -> Double {
    switch shape {
    case .step(let gamma, _, let milestones):
      return milestoneValue(gamma: gamma, reached: milestonesReached(milestones, at: u), map: map)
    case .table(let table):
      return map.apply(table.value(at: u))
    case .segment(let segment):
      return map.apply(segment.value(at: u))
    default:
      return .nan  // every other shape has a kernel
    }
  }

  /// The phase's end value: its formula at `u = length` (`p = 1`), for a
  /// phase whose curve ends at global step `endStep`.
  func endValue(length: Double, endStep: Double, map: EndpointMap) -> Double {
    value(at: length, length: length, globalStep: endStep, map: map)
  }
}
