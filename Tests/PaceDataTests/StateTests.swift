//===--- StateTests.swift -------------------------------------------------===//
// Saved state: resume gives the same batches; damage, other arrays and
// newer versions are rejected whole; save -> load -> save is exact.
//===----------------------------------------------------------------------===//
import Pace
import Testing
@testable import PaceData

@Suite struct StateTests {
  let scores = (0..<500).map { Double(($0 * 7919) % 500) / 50 - 5 }
  let config = #"{"size": 500, "global_batch": [[0, 10], [20, 20]], "seed": 4, "policy": {"kind": "ability", "min_pool": 40}}"#

  @Test func resumeGivesIdenticalBatchesAndBytes() throws {
    let s = try sampler(config, scores: scores)
    try s.reportAbility(step: 0, theta: -1.2)
    try s.reportAbility(step: 15, theta: -1.5)
    try s.reportAbility(step: 30, theta: 0.4)
    let saved = s.save()
    let resumed = try Sampler.load(saved, scores: scores)
    #expect(resumed.save() == saved)
    for step: Int64 in [0, 14, 15, 16, 29, 30, 31, 400] {
      for world: Int64 in [1, 2, 5] {
        #expect(try s.batch(step: step, rank: world - 1, worldSize: world) == resumed.batch(step: step, rank: world - 1, worldSize: world))
      }
      #expect(try s.eligible(at: step) == resumed.eligible(at: step))
    }
    // Every policy round-trips.
    for (name, p) in try everyPolicy() {
      let bytes = p.save()
      guard case .uniform = p.config.policy else { continue }
      let again = try Sampler.load(bytes, domains: name == "mixture" ? (0..<1000).map { Int32($0 % 3) } : nil)
      #expect(again.save() == bytes, "\(name)")
      #expect(try globalBatch(again, 33) == globalBatch(p, 33), "\(name)")
    }
  }

  @Test func damageIsRejectedWhole() throws {
    let s = try sampler(config, scores: scores)
    try s.reportAbility(step: 3, theta: 0.2)
    let saved = s.save()
    for i in stride(from: 0, to: saved.count, by: 7) {
      var bad = saved
      bad[i] ^= 0x10
      let error = dataError { _ = try Sampler.load(bad, scores: scores) }
      if case .state = error {} else { Issue.record("byte \(i) flipped: \(String(describing: error))") }
    }
    for cut in [0, 10, 23, saved.count - 1] {
      if case .state = dataError({ _ = try Sampler.load(Array(saved[0..<cut]), scores: scores) }) {} else { Issue.record("cut \(cut)") }
    }
    if case .state = dataError({ _ = try Sampler.load(saved + [0], scores: scores) }) {} else { Issue.record("trailing byte") }
  }

  @Test func newerVersionAndOtherArraysAreRejected() throws {
    let s = try sampler(config, scores: scores)
    var newer = s.save()
    newer[8] = 2
    let body = newer[0..<(newer.count - 4)]
    let crc = CRC32.checksum(body)
    for i in 0..<4 { newer[newer.count - 4 + i] = UInt8(truncatingIfNeeded: crc >> (8 * i)) }
    if case .version = dataError({ _ = try Sampler.load(newer, scores: scores) }) {} else { Issue.record("newer version accepted") }
    var other = scores
    other[123] += 0.5
    #expect(names(dataError { _ = try Sampler.load(s.save(), scores: other) }, "fingerprint"))
  }
}
