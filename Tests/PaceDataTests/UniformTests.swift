//===--- UniformTests.swift -----------------------------------------------===//
// Keyed permutations: every epoch a permutation, epochs differ, nothing
// materialised (memory independent of N).
//===----------------------------------------------------------------------===//
import Glibc
import Testing
@testable import PaceData

@Suite struct UniformTests {
  @Test(arguments: [1, 2, 3, 4, 5, 17, 64, 1000, 4097])
  func keyedPermutationIsABijection(n: Int) {
    for key: UInt64 in [0, 1, 0xDEAD_BEEF] {
      let p = KeyedPermutation(count: UInt64(n), key: key)
      #expect(Set((0..<n).map { p(UInt64($0)) }) == Set((0..<n).map(UInt64.init)))
    }
  }

  @Test func everyEpochIsAPermutationAndEpochsDiffer() throws {
    let n = 1009
    let s = try sampler(#"{"size": \#(n), "global_batch": 1, "seed": 42}"#)
    var epochs: [[Int64]] = []
    for e in 0..<4 {
      let epoch = try (0..<n).map { try globalBatch(s, Int64(e * n + $0))[0] }
      #expect(Set(epoch) == Set((0..<n).map(Int64.init)), "epoch \(e)")
      epochs.append(epoch)
    }
    for a in 0..<4 { for b in (a + 1)..<4 { #expect(epochs[a] != epochs[b]) } }
    // Another seed, another order.
    let t = try sampler(#"{"size": \#(n), "global_batch": 1, "seed": 43}"#)
    #expect(try (0..<n).map { try globalBatch(t, Int64($0))[0] } != epochs[0])
  }

  @Test func aBillionSamplesSampled() throws {
    let n: Int64 = 1_000_000_000
    let s = try sampler(#"{"size": \#(n), "global_batch": 4096, "seed": 9}"#)
    var seen = Set<Int64>()
    for step: Int64 in [0, 1, 2, 1000, 244_140] {  // 244_140 * 4096 straddles the first epoch's end
      for i in try globalBatch(s, step) {
        #expect(i >= 0 && i < n)
        if step < 244_140 { #expect(seen.insert(i).inserted, "a repeat within epoch 0") }
      }
    }
    // The permutation's images of a spread of positions are distinct.
    let p = KeyedPermutation(count: UInt64(n), key: 77)
    let images = (0..<100_000).map { p(UInt64($0) &* 9_973 % UInt64(n)) }
    #expect(Set(images).count == images.count)
  }

  /// Resident pages of this process (/proc/self/statm).
  func residentBytes() -> Int {
    guard let f = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(f) }
    var size = 0, resident = 0
    _ = withUnsafeMutablePointer(to: &size) { a in withUnsafeMutablePointer(to: &resident) { b in
      withVaList([a, b]) { vfscanf(f, "%ld %ld", $0) } } }
    return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
  }

  @Test func memoryDoesNotGrowWithN() throws {
    let small = try sampler(#"{"size": 1000, "global_batch": 256, "seed": 1}"#)
    _ = try globalBatch(small, 3)
    let before = residentBytes()
    var samplers: [Sampler] = []
    for k in 0..<20 {
      let s = try sampler(#"{"size": \#((Int64(1) << 53) - Int64(k)), "global_batch": 256, "seed": 1}"#)
      _ = try globalBatch(s, 1 << 40)
      samplers.append(s)
    }
    let grown = residentBytes() - before
    #expect(grown < 4 << 20, "20 samplers over 2^53 samples grew the process by \(grown) bytes")
    guard case .uniform = samplers[0].pool else { Issue.record("uniform keeps a pool"); return }
    #expect(MemoryLayout<KeyedPermutation>.size <= 80)
  }

  @Test func batchCostDoesNotDependOnTheStep() throws {
    let s = try sampler(#"{"size": 1000000000, "global_batch": [[0, 64], [1000, 128]], "seed": 2}"#)
    #expect(try globalBatch(s, 1 << 50).count == 128)
  }
}
