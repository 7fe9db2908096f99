//===--- ParallelBuildTests.swift -----------------------------------------===//
// Large pools are built on the engine's workers with the same bits whatever
// the thread count; the radix sort and selection equal plain references.
//===----------------------------------------------------------------------===//
import Testing
@testable import PaceData
import PaceEngine

@Suite struct ParallelBuildTests {
  @Test func sortAndSelectionEqualReferences() {
    var r = TestRandom(state: 12)
    let scores = (0..<50_000).map { _ in (r.normal() * 100).rounded() / 100 } + [0.0, -0.0, -1e300, 1e300, -.infinity]
    let order = scores.withUnsafeBufferPointer { Sampler.sortedOrder($0, descending: false, workers: Workers(engine: nil)) }
    let reference = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] < scores[$1] : $0 < $1 }
    #expect(order.map(Int.init) == reference)
    // Buckets large enough for the in-bucket LSD passes, keys sharing their
    // top bits (all in [1, 2)), and ties.
    let narrow = (0..<300_000).map { _ in 1 + (r.next() * 4096).rounded(.down) / 4096 }
    let narrowOrder = narrow.withUnsafeBufferPointer { Sampler.sortedOrder($0, descending: true, workers: Workers(engine: nil)) }
    #expect(narrowOrder.map(Int.init) == narrow.indices.sorted { narrow[$0] != narrow[$1] ? narrow[$0] > narrow[$1] : $0 < $1 })
    var keys = scores.map(OrderKey.descending)
    let top = keys.withUnsafeMutableBufferPointer { TopK.smallest(777, of: UnsafeBufferPointer($0), workers: Workers(engine: nil)) }
    let referenceTop = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }.prefix(777).sorted()
    #expect(top.map(Int.init) == referenceTop)
    // Spread-out keys (the selection stops early) and a filter.
    let spread = (0..<40_000).map { _ in r.normal() }
    let spreadKeys = spread.map(OrderKey.ascending)
    for k in [1, 13, 4000] {
      for filtered in [false, true] {
        let admit: ((Int) -> Bool)? = filtered ? { $0 % 3 == 1 } : nil
        let got = spreadKeys.withUnsafeBufferPointer { TopK.smallest(k, of: $0, admit: admit, workers: Workers(engine: nil)) }
        let want = spread.indices.filter { admit?($0) ?? true }.sorted { spread[$0] != spread[$1] ? spread[$0] < spread[$1] : $0 < $1 }
          .prefix(k).sorted()
        #expect(got.map(Int.init) == Array(want), "k \(k), filtered \(filtered)")
      }
    }
  }

  @Test func largePoolsHaveTheSameBitsOnEveryThreadCount() throws {
    let n = 1 << 21
    var r = TestRandom(state: 77)
    let scores = (0..<n).map { _ in (r.normal() * 1000).rounded() / 1000 }
    let domains = (0..<n).map { Int32($0 % 5) }
    var results: [[[UInt32]]] = []
    for threads in [1, 2, 3] {
      let engine = try BatchEngine(threads: threads)
      var pools: [[UInt32]] = []
      for policy in [#"{"kind": "competence", "pacing": "linear", "total_steps": 100}"#, #"{"kind": "weighted", "budget": 0.1, "temperature": 2}"#,
                     #"{"kind": "weighted", "budget": 0.1, "temperature": 2, "per_domain": true}"#] {
        let s = try Sampler(configText: #"{"size": \#(n), "global_batch": 64, "seed": 5, "policy": \#(policy)}"#,
                            scores: scores, domains: domains, engine: engine)
        switch s.pool {
        case .competence(let order, _, _): pools.append(order)
        case .weighted(let subset): pools.append(subset)
        default: Issue.record("unexpected pool")
        }
      }
      results.append(pools)
    }
    #expect(results[1] == results[0] && results[2] == results[0])
    #expect(results[0][1].count == n / 10)
    // Buckets of 2^21 normal values exceed the in-cache size: the recursive
    // MSD passes give the reference order too.
    let reference = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] < scores[$1] : $0 < $1 }
    #expect(results[0][0].map(Int.init) == reference)
  }
}
