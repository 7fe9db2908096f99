//===--- ScoredPolicyTests.swift ------------------------------------------===//
// competence, ability, weighted and ordered, each as the design's table says.
//===----------------------------------------------------------------------===//
import Glibc
import Testing
@testable import PaceData

@Suite struct ScoredPolicyTests {
  let n = 2000
  var difficulties: [Double] {
    var r = TestRandom(state: 17)
    // Ties on purpose: rounded to 1/8.
    return (0..<n).map { _ in (r.normal() * 8).rounded() / 8 }
  }

  /// Indices by (score, index), the test's own reference order.
  func referenceOrder(_ s: [Double], descending: Bool = false) -> [Int64] {
    s.indices.sorted { a, b in s[a] != s[b] ? (descending ? s[a] > s[b] : s[a] < s[b]) : a < b }.map(Int64.init)
  }

  @Test func competenceDrawsDistinctSamplesFromTheEasiestPrefix() throws {
    let d = difficulties
    let s = try sampler(#"{"size": \#(n), "global_batch": 20, "policy": {"kind": "competence", "pacing": "sqrt", "total_steps": 100}}"#, scores: d)
    let order = referenceOrder(d)
    for step: Int64 in [0, 1, 10, 50, 99, 100, 500] {
      // Platanios et al.'s c_sqrt with c0 = 0.01, computed here.
      let t = Double(step), c0 = 0.01
      let c = min(1, (t * (1 - c0 * c0) / 100 + c0 * c0).squareRoot())
      let m = Int((c * Double(n)).rounded(.up))
      #expect(try s.eligible(at: step) == Int64(m), "step \(step)")
      let allowed = Set(order.prefix(m))
      let batch = try globalBatch(s, step)
      #expect(Set(batch).count == 20 && batch.allSatisfy(allowed.contains), "step \(step)")
    }
  }

  @Test func competenceWithAScheduleSpec() throws {
    let d = difficulties
    let spec = #"{"phases": [{"shape": "linear", "steps": 10, "from": 0, "to": 1}]}"#
    let s = try sampler(#"{"size": \#(n), "global_batch": 20, "policy": {"kind": "competence", "pacing": \#(spec), "c0": 0.1}}"#, scores: d)
    #expect(try s.eligible(at: 0) == 200)  // clipped to c0
    #expect(try s.eligible(at: 5) == 1000)
    #expect(try s.eligible(at: 10) == 2000)
  }

  @Test func orderedFollowsTheScoresWithTiesByIndex() throws {
    let d = difficulties
    for descending in [false, true] {
      let s = try sampler(#"{"size": \#(n), "global_batch": 50, "policy": {"kind": "ordered", "descending": \#(descending)}}"#, scores: d)
      var stream: [Int64] = []
      for step: Int64 in 0..<80 { stream += try globalBatch(s, step) }  // two epochs
      let reference = referenceOrder(d, descending: descending)
      #expect(Array(stream[0..<n]) == reference && Array(stream[n...]) == reference)
    }
  }

  @Test func abilityFollowsPUDFsCapRule() throws {
    let d = difficulties
    let s = try sampler(#"{"size": \#(n), "global_batch": 50, "policy": {"kind": "ability", "min_pool": 100}}"#, scores: d)
    func pool(_ cap: Double) -> Int64 { Int64(max(d.filter { $0 <= cap }.count, 100)) }
    #expect(try s.eligible(at: 0) == pool(0))  // PUDF's initial cap
    try s.reportAbility(step: 10, theta: -3)   // -3 > -5: cap = -3
    #expect(try s.eligible(at: 9) == pool(0))
    #expect(try s.eligible(at: 10) == pool(-3))
    try s.reportAbility(step: 20, theta: -3.5)  // not above the best: cap + 0.1
    #expect(try s.eligible(at: 25) == pool(-2.9))
    try s.reportAbility(step: 30, theta: 0.7)
    #expect(try s.eligible(at: 30) == pool(0.7))
    #expect(names(dataError { try s.reportAbility(step: 29, theta: 1) }, "before the last reported step"))
    #expect(names(dataError { try s.reportAbility(step: 40, theta: .nan) }, "theta must be finite"))
    // One keyed permutation of the eligible set per pass.
    let m = Int(pool(0.7))
    let order = referenceOrder(d)
    let eligible = Set(order.prefix(m))
    let start = try s.firstOffset(at: 30)
    var stream: [Int64] = []
    var step: Int64 = 30
    while stream.count < 2 * m + 50 { stream += try globalBatch(s, step); step += 1 }
    #expect(Set(stream[0..<m]) == eligible)
    #expect(Set(stream[m..<(2 * m)]) == eligible)
    #expect(Array(stream[0..<m]) != Array(stream[m..<(2 * m)]))
    _ = start
  }

  @Test func weightedSelectsTheTopOfPerturbedZScores() throws {
    let ratings = difficulties
    // Temperature 0: exactly the top budget by rating, ties by index.
    let top = try sampler(#"{"size": \#(n), "global_batch": 10, "policy": {"kind": "weighted", "budget": 300, "temperature": 0}}"#, scores: ratings)
    guard case .weighted(let subset) = top.pool else { Issue.record("not weighted"); return }
    #expect(subset.map(Int64.init) == referenceOrder(ratings, descending: true).prefix(300).sorted())
    #expect(try top.eligible(at: 7) == 300)
    // Epochs of permutations of the subset.
    var stream: [Int64] = []
    for step: Int64 in 0..<30 { stream += try globalBatch(top, step) }
    #expect(Set(stream) == Set(subset.map(Int64.init)) && stream.count == 300)
    // With noise: higher ratings are selected more often (over seeds).
    var hits = [Int](repeating: 0, count: n)
    for seed in 0..<40 {
      let s = try sampler(#"{"size": \#(n), "global_batch": 10, "seed": \#(seed), "policy": {"kind": "weighted", "budget": 0.2, "temperature": 1}}"#, scores: ratings)
      guard case .weighted(let chosen) = s.pool else { return }
      #expect(chosen.count == 400)
      for i in chosen { hits[Int(i)] += 1 }
    }
    let order = referenceOrder(ratings, descending: true).map(Int.init)
    let best = order.prefix(200).map { hits[$0] }.reduce(0, +), worst = order.suffix(200).map { hits[$0] }.reduce(0, +)
    #expect(best > 4 * max(worst, 1))
  }

  @Test func weightedPicksWithSoftmaxProbabilitiesOfTheZScores() throws {
    // Gumbel-top-1 is a draw from softmax(z / temperature): over seeds, each
    // rating's frequency matches it (within 4 standard errors).
    let ratings = [0.0, 1, 2, 3, 5]
    let mean = ratings.reduce(0, +) / 5
    let std = (ratings.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 5).squareRoot()
    let temperature = 0.7
    let weights = ratings.map { exp(($0 - mean) / std / temperature) }
    let p = weights.map { $0 / weights.reduce(0, +) }
    let draws = 3000
    var hits = [Int](repeating: 0, count: 5)
    for seed in 0..<draws {
      let s = try sampler(#"{"size": 5, "global_batch": 1, "seed": \#(seed), "policy": {"kind": "weighted", "budget": 1, "temperature": 0.7}}"#, scores: ratings)
      hits[Int(try globalBatch(s, 0)[0])] += 1
    }
    for i in 0..<5 {
      let sigma = (p[i] * (1 - p[i]) / Double(draws)).squareRoot()
      #expect(abs(Double(hits[i]) / Double(draws) - p[i]) < 4 * sigma + 1e-3, "rating \(i): \(hits[i]) of \(draws), p \(p[i])")
    }
  }

  @Test func weightedPerDomainBudgetsFollowDomainSizes() throws {
    let ratings = difficulties
    let domains = (0..<n).map { Int32($0 < 1500 ? 0 : ($0 < 1900 ? 1 : 2)) }
    let s = try sampler(#"{"size": \#(n), "global_batch": 10, "policy": {"kind": "weighted", "budget": 200, "per_domain": true}}"#, scores: ratings, domains: domains)
    guard case .weighted(let subset) = s.pool else { Issue.record("not weighted"); return }
    let perDomain = [0, 1, 2].map { d in subset.filter { domains[Int($0)] == d }.count }
    #expect(perDomain == [150, 40, 10])
  }
}
