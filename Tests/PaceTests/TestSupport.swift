//===--- TestSupport.swift ------------------------------------------------===//
// Shared helpers: closeness checks and the steps worth probing.
//===----------------------------------------------------------------------===//
import Foundation
import Testing
@testable import Pace

/// 2^40: a huge step that must still evaluate in O(phases).
let hugeStep: Int64 = 1 << 40

/// Parses `spec` or records the error as a test failure.
func parsed(_ spec: String, sourceLocation: SourceLocation = #_sourceLocation) -> Schedule? {
  do {
    return try Schedule.parse(spec)
  } catch {
    Issue.record("spec rejected: \(error)", sourceLocation: sourceLocation)
    return nil
  }
}

/// True when `a` and `b` agree to `rel` relative (absolute `abs` near 0).
func close(_ a: Double, _ b: Double, rel: Double = 1e-12, abs absolute: Double = 1e-15) -> Bool {
  if a == b { return true }
  return Swift.abs(a - b) <= Swift.max(rel * Swift.abs(b), absolute)
}

/// Step 0, every phase boundary and one step either side, the last step,
/// the first step past the end and the one after, and 2^40.
func probeSteps(_ s: Schedule) -> [Int64] {
  var steps: Set<Int64> = [0, 1, hugeStep]
  for edge in Array(s.startBuffer) + Array(s.endBuffer) where edge.isFinite && edge < 1e15 {
    let f = Int64(edge.rounded(.down))
    for d in Int64(-1)...2 where f + d >= 0 { steps.insert(f + d) }
  }
  if let total = s.totalSteps, total > 0 { steps.formUnion([total - 1, total, total + 1]) }
  return steps.sorted()
}

/// Checks `spec` against `reference(t)` (the multiplier times peak) at
/// every probe step plus `extra`.
func checkAgainst(_ spec: String, extra: [Int64] = [], rel: Double = 1e-12, abs: Double = 1e-15,
                  sourceLocation: SourceLocation = #_sourceLocation,
                  _ reference: (Int64) -> Double) {
  guard let s = parsed(spec, sourceLocation: sourceLocation) else { return }
  for t in probeSteps(s) + extra {
    let ours = s.value(at: t)
    let expected = reference(t)
    #expect(close(ours, expected, rel: rel, abs: abs), "step \(t): got \(ours), expected \(expected) for \(spec)",
            sourceLocation: sourceLocation)
  }
}

/// The spec error for `spec`, or nil when it parses.
func specError(_ spec: String) -> SpecError? {
  do {
    _ = try Schedule.parse(spec)
    return nil
  } catch {
    return error
  }
}
