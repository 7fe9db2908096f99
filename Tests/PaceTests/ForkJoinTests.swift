//===--- ForkJoinTests.swift ----------------------------------------------===//
// forkJoin: each part runs exactly once, whichever thread claims it, and
// its writes are visible when forkJoin returns.
//===----------------------------------------------------------------------===//
import Testing
@testable import Pace

@Suite struct ForkJoinTests {
  /// Many rounds, parts of different lengths (so either thread may take
  /// both, or one each, or the helper may start late or never): every part
  /// runs once and its results are all there on return.
  @Test func everyPartRunsOnceAndItsWritesAreSeen() {
    let length = 4096
    let out = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2 * length)
    defer { out.deallocate() }
    for round in 0..<3000 {
      out.initialize(repeating: 0)
      let work = (round % 7) * 300  // part 0 ends early or late
      forkJoin { part in
        let count = part == 0 ? Swift.min(work, length) : length
        for i in 0..<count { out[part * length + i] += round + i }
      }
      let expected0 = Swift.min(work, length)
      var ok = true
      for i in 0..<length {
        ok = ok && out[i] == (i < expected0 ? round + i : 0) && out[length + i] == round + i
      }
      #expect(ok, "round \(round)")
      if !ok { return }
    }
  }

  /// inParts covers the range once, split where asked.
  @Test func inPartsCoversTheRangeOnce() {
    let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 1000)
    defer { counts.deallocate() }
    for split in [0, 1, 500, 999, 1000] {
      counts.initialize(repeating: 0)
      inParts(2, of: 0..<1000, splitAt: split) { range in
        for i in range { counts[i] += 1 }
      }
      #expect(counts.allSatisfy { $0 == 1 }, "split at \(split)")
    }
  }
}
