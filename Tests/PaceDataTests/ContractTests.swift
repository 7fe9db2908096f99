//===--- ContractTests.swift ----------------------------------------------===//
// The contract every policy keeps: pure batches, one global order for any
// world size, exact ramp-up offsets, bad input as errors.
//===----------------------------------------------------------------------===//
import Testing
@testable import PaceData

/// One sampler per policy (and a mixture), over 1000 samples.
func everyPolicy() throws -> [(String, Sampler)] {
  var r = TestRandom(state: 3)
  let scores = (0..<1000).map { _ in r.normal() }
  let domains = (0..<1000).map { Int32($0 % 3) }
  let batch = #""global_batch": [[0, 16], [5, 32], [9, 64]], "seed": 11"#
  return [
    ("uniform", try sampler(#"{"size": 1000, \#(batch)}"#)),
    ("competence", try sampler(#"{"size": 1000, \#(batch), "policy": {"kind": "competence", "pacing": "sqrt", "total_steps": 20, "c0": 0.1}}"#, scores: scores)),
    ("ability", try sampler(#"{"size": 1000, \#(batch), "policy": {"kind": "ability", "min_pool": 100}}"#, scores: scores)),
    ("weighted", try sampler(#"{"size": 1000, \#(batch), "policy": {"kind": "weighted", "budget": 0.3, "temperature": 2}}"#, scores: scores)),
    ("ordered", try sampler(#"{"size": 1000, \#(batch), "policy": {"kind": "ordered", "descending": true}}"#, scores: scores)),
    ("mixture", try sampler(#"{"size": 1000, \#(batch), "mixture": {"weights": [1, {"phases": [{"shape": "linear", "steps": 8, "from": 0, "to": 3}]}, 0.5]}}"#, domains: domains)),
  ]
}

@Suite struct ContractTests {
  @Test func batchesArePureFunctionsOfConfigArraysAndStep() throws {
    let first = try everyPolicy(), second = try everyPolicy()
    for ((name, a), (_, b)) in zip(first, second) {
      for step: Int64 in [0, 3, 7, 12, 1000, 1 << 40] {
        #expect(try globalBatch(a, step) == globalBatch(b, step), "\(name) step \(step)")
      }
      // Asking in another order changes nothing.
      let late = try globalBatch(a, 12)
      _ = try globalBatch(a, 0)
      #expect(try globalBatch(a, 12) == late, "\(name)")
    }
  }

  @Test func rankSlicesAreDisjointContiguousAndConcatenateToTheGlobalBatch() throws {
    for (name, s) in try everyPolicy() {
      for step: Int64 in [0, 4, 5, 9, 30] {
        let global = try globalBatch(s, step)
        #expect(global.count == Int(try s.globalBatchSize(at: step)))
        #expect(Set(global).count == global.count, "\(name) step \(step): a batch repeats a sample")
        for world: Int64 in [1, 2, 4, 8] {
          var joined: [Int64] = []
          for rank in 0..<world {
            let slice = try s.batch(step: step, rank: rank, worldSize: world)
            #expect(slice.count == global.count / Int(world))
            joined += slice
          }
          #expect(joined == global, "\(name) step \(step) world \(world)")
        }
      }
    }
  }

  @Test func rampUpOffsetsAreExactSums() throws {
    let s = try sampler(#"{"size": 100, "global_batch": [[0, 2], [3, 5], [10, 7], [11, 4]]}"#)
    var offset: Int64 = 0
    for step: Int64 in 0..<40 {
      #expect(try s.firstOffset(at: step) == offset)
      #expect(s.config.batches.step(containing: offset) == step)
      offset += try s.globalBatchSize(at: step)
    }
    // Far steps in O(segments): the closed form of the last segment.
    #expect(try s.firstOffset(at: 1 << 53) == 2 * 3 + 5 * 7 + 7 + 4 * ((1 << 53) - 11))
    #expect(names(dataError { _ = try s.firstOffset(at: Int64.max) }, "overflows int64"))
  }

  @Test func rampUpNeverRepeatsOrSkipsUniformSamples() throws {
    let s = try sampler(#"{"size": 97, "global_batch": [[0, 3], [7, 8], [12, 16]], "seed": 5}"#)
    var stream: [Int64] = []
    var step: Int64 = 0
    while stream.count < 97 * 3 { stream += try globalBatch(s, step); step += 1 }
    for epoch in 0..<3 {
      #expect(Set(stream[(97 * epoch)..<(97 * epoch + 97)]) == Set(0..<97), "epoch \(epoch)")
    }
  }

  @Test func badInputIsAClearError() throws {
    let s = try sampler(#"{"size": 100, "global_batch": 12}"#)
    #expect(names(dataError { _ = try s.batch(step: -1) }, "step must be >= 0"))
    #expect(names(dataError { _ = try s.batch(step: 0, rank: 2, worldSize: 2) }, "rank must be in [0, world_size)"))
    #expect(names(dataError { _ = try s.batch(step: 0, rank: -1, worldSize: 2) }, "rank"))
    #expect(names(dataError { _ = try s.batch(step: 0, rank: 0, worldSize: 0) }, "world_size must be >= 1"))
    #expect(names(dataError { _ = try s.batch(step: 0, rank: 0, worldSize: 5) }, "not divisible by world_size 5"))
    #expect(names(dataError { _ = try s.eligible(at: -3) }, "step"))
    let scored = #"{"size": 4, "global_batch": 2, "policy": {"kind": "ordered"}}"#
    #expect(names(dataError { _ = try Sampler(configText: scored, scores: [1, .nan, 2, 3]) }, "scores[1] is NaN"))
    #expect(names(dataError { _ = try Sampler(configText: scored, scores: [1, 2, .infinity, 3]) }, "scores[2] is not finite"))
    #expect(names(dataError { _ = try Sampler(configText: scored, scores: [1, 2, 3]) }, "n (3) differs"))
    #expect(names(dataError { _ = try Sampler(configText: scored) }, "scores: policy.kind ordered needs"))
    #expect(names(dataError { _ = try Sampler(configText: #"{"size": 0, "global_batch": 2}"#) }, "size"))
    #expect(names(dataError { _ = try Sampler(configText: #"{"size": 10, "global_batch": 11}"#) }, "global_batch: the largest batch (11) exceeds size"))
    let mix = #"{"size": 4, "global_batch": 2, "mixture": {"weights": [1, 1]}}"#
    #expect(names(dataError { _ = try Sampler(configText: mix, domains: [0, 1, 2, 0]) }, "domains[2] = 2 is outside [0, 1]"))
    #expect(names(dataError { _ = try Sampler(configText: mix, domains: [0, 0, 0, 0]) }, "domain 1 has no samples"))
    #expect(names(dataError { _ = try Sampler(configText: mix) }, "domains"))
    let competence = #"{"size": 100, "global_batch": 8, "policy": {"kind": "competence", "pacing": "linear", "total_steps": 10, "c0": 0.05}}"#
    #expect(names(dataError { _ = try Sampler(configText: competence, scores: (0..<100).map(Double.init)) }, "ceil(policy.c0 * size) (5)"))
    let ability = #"{"size": 100, "global_batch": 8, "policy": {"kind": "ability", "min_pool": 4}}"#
    #expect(names(dataError { _ = try Sampler(configText: ability, scores: (0..<100).map(Double.init)) }, "policy.min_pool"))
    #expect(names(dataError { try s.reportAbility(step: 0, theta: 1) }, "only the ability policy"))
  }
}
