//===--- RefinementScratchTests.swift -------------------------------------===//
// Refinement over huge-page scratch (regions of 2 MiB and more): the
// median filter against brute force, and calls on several threads at once
// (one region is kept between calls) giving each call's own result.
//===----------------------------------------------------------------------===//
import Dispatch
import Testing
@testable import Pace

@Suite struct RefinementScratchTests {
  /// Noisy decaying norms with ties (values on a grid of 10^-4).
  func norms(_ n: Int, seed: UInt64) -> [Double] {
    var rng = SplitMix64(seed: seed)
    return (0..<n).map { (i: Int) -> Double in
      let trend: Double = 0.5 / (1 + Double(i) * 1e-4).squareRoot()
      return 1 + trend + Double(rng.next() % 3000) * 1e-4
    }
  }

  /// 120 000 norms: the ranks' scratch (20 bytes per padded position) is
  /// over `hugeScratchMinimum`, and the sort splits on two threads.
  @Test func longInputOverHugePageScratchMatchesBruteForce() {
    let g = norms(120_000, seed: 3)
    #expect((g.count + 10) * 20 >= hugeScratchMinimum)
    #expect(medianFilter(g, width: 11) == RefinementTests().bruteForce(g, 11))
  }

  /// Refinements on four threads at once, twice over (the second round
  /// reuses kept regions), equal the same refinements one after another.
  @Test func concurrentCallsGiveTheirOwnResults() throws {
    let inputs = (0..<4).map { norms(150_000 + 20_000 * $0, seed: UInt64(10 + $0)) }
    let expected = try inputs.map { try Refinement(norms: $0, kind: .l2, smoothing: 0.05).multipliers }
    for _ in 0..<2 {
      let results = Results(count: inputs.count)
      DispatchQueue.concurrentPerform(iterations: inputs.count) { k in
        results.set(k, try? Refinement(norms: inputs[k], kind: .l2, smoothing: 0.05).multipliers)
      }
      for k in 0..<inputs.count { #expect(results.get(k) == expected[k], "input \(k)") }
    }
  }
}

/// One result slot per thread, behind a lock.
private final class Results: @unchecked Sendable {
  private var values: [[Double]?]
  private let lock = DispatchQueue(label: "RefinementScratchTests.Results")
  init(count: Int) { values = Array(repeating: nil, count: count) }
  func set(_ k: Int, _ value: [Double]?) { lock.sync { values[k] = value } }
  func get(_ k: Int) -> [Double]? { lock.sync { values[k] } }
}
