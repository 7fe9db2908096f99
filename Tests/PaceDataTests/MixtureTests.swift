//===--- MixtureTests.swift -----------------------------------------------===//
// Domain mixtures: proportions held at every prefix, no repeat or skip of a
// domain's samples when the weights change.
//===----------------------------------------------------------------------===//
import Pace
import Testing
@testable import PaceData

@Suite struct MixtureTests {
  let domainSizes = [300, 120, 580]
  var domains: [Int32] {
    var out: [Int32] = []
    for (d, k) in domainSizes.enumerated() { out += [Int32](repeating: Int32(d), count: k) }
    var r = TestRandom(state: 5)
    for i in stride(from: out.count - 1, to: 0, by: -1) { out.swapAt(i, Int(r.next() * Double(i + 1))) }
    return out
  }
  let ramp = #"{"phases": [{"shape": "linear", "steps": 40, "from": 0.1, "to": 2}]}"#

  @Test func prefixesTrackTheIntegralOfTheWeights() throws {
    let dom = domains
    let s = try sampler(#"{"size": 1000, "global_batch": [[0, 24], [30, 48]], "seed": 3, "mixture": {"weights": [1, \#(ramp), 0.5]}}"#, domains: dom)
    let rampSchedule = try Schedule.parse(ramp)
    var integral = [0.0, 0.0, 0.0], counts = [0, 0, 0]
    for step: Int64 in 0..<200 {
      let b = Double(try s.globalBatchSize(at: step))
      let w = [1, rampSchedule.value(at: step), 0.5]
      let total = w.reduce(0, +)
      for d in 0..<3 { integral[d] += b * w[d] / total }
      for i in try globalBatch(s, step) { counts[Int(dom[Int(i)])] += 1 }
      for d in 0..<3 {
        #expect(abs(Double(counts[d]) - integral[d]) <= 2.0, "step \(step) domain \(d): \(counts[d]) vs \(integral[d])")
      }
    }
  }

  @Test func aDomainsSamplesNeitherRepeatNorSkipWhenWeightsChange() throws {
    let dom = domains
    let s = try sampler(#"{"size": 1000, "global_batch": 16, "seed": 8, "mixture": {"weights": [\#(ramp), 1, 0.3]}}"#, domains: dom)
    var perDomain: [[Int64]] = [[], [], []]
    var step: Int64 = 0
    while perDomain.indices.contains(where: { perDomain[$0].count < 2 * domainSizes[$0] }) {
      for i in try globalBatch(s, step) { perDomain[Int(dom[Int(i)])].append(i) }
      step += 1
    }
    // Each domain walks epochs of its own permutation: after C of its
    // samples every member was drawn floor(C/k) or ceil(C/k) times, and
    // exactly C mod k members ceil(C/k) times.
    for d in 0..<3 {
      let k = domainSizes[d], c = perDomain[d].count
      var times: [Int64: Int] = [:]
      for i in perDomain[d] { times[i, default: 0] += 1 }
      let members = Set(dom.indices.filter { dom[$0] == Int32(d) }.map(Int64.init))
      #expect(Set(times.keys) == members, "domain \(d)")
      #expect(times.values.allSatisfy { $0 == c / k || $0 == c / k + 1 }, "domain \(d)")
      #expect(times.values.filter { $0 == c / k + 1 }.count == c % k, "domain \(d)")
    }
    // The consumed counts in closed form agree with counting the batches.
    let consumed = try (s.pool.mixturePlan!).consumed(before: step)
    #expect(consumed.map { Int($0) } == perDomain.map(\.count))
  }

  @Test func openEndedWeightSchedulesAreRefusedFarOut() throws {
    let open = #"{"phases": [{"shape": "linear", "steps": 10, "from": 0, "to": 1}, {"shape": "inverse_sqrt", "timescale": 10}]}"#
    let s = try sampler(#"{"size": 1000, "global_batch": 8, "mixture": {"weights": [1, \#(open), 1]}}"#, domains: domains)
    #expect(try globalBatch(s, 100).count == 8)
    #expect(names(dataError { _ = try globalBatch(s, 1 << 40) }, "limited to"))
  }

  @Test func constantWeightsInClosedFormFarIntoTheRun() throws {
    let dom = domains
    let s = try sampler(#"{"size": 1000, "global_batch": 30, "mixture": {"weights": [3, 1, 6]}}"#, domains: dom)
    let plan = s.pool.mixturePlan!
    let step: Int64 = 1 << 40
    let consumed = try plan.consumed(before: step)
    let total = Double(30) * Double(step)
    for (d, p) in [0.3, 0.1, 0.6].enumerated() { #expect(abs(Double(consumed[d]) - total * p) <= 2) }
    #expect(try globalBatch(s, step).count == 30)
    // The split is monotone per domain item by item.
    let split = MixtureSplit(weights: [3, 1, 6])
    var last = [Int64](repeating: 0, count: 3)
    for k: Int64 in 0..<5000 {
      let c = split.counts(k)
      #expect(c.reduce(0, +) == k && zip(c, last).allSatisfy { $0 >= $1 })
      last = c
    }
  }
}

extension SamplePool {
  var mixturePlan: MixturePlan? { if case .mixture(let p, _, _) = self { p } else { nil } }
}
