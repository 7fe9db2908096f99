//===--- RefinementTests.swift --------------------------------------------===//
// Offline refinement: the reference's test vectors, the median filter
// against a brute-force one, invalid norms.
//===----------------------------------------------------------------------===//
import Testing
@testable import Pace

@Suite struct RefinementTests {
  @Test func testVectorsOfTheReference() throws {
    // algorithms.md §2.1: G = [4,2,1,1,1].
    let sgd = try Refinement(norms: [4, 2, 1, 1, 1], kind: .l2, smoothing: 0).multipliers
    for (a, b) in zip(sgd, [0.203125 / 2, 0.375, 1, 0.5, 0]) { #expect(abs(a - b) < 1e-15, "\(sgd)") }
    let adam = try Refinement(norms: [4, 2, 1, 1, 1], kind: .l1, smoothing: 0).multipliers
    for (a, b) in zip(adam, [0.4375, 0.75, 1, 0.5, 0]) { #expect(abs(a - b) < 1e-15, "\(adam)") }
  }

  @Test func constantNormsGiveLinearDecay() throws {
    let m = try Refinement(norms: [Double](repeating: 3, count: 5), kind: .l2, smoothing: 0.1).multipliers
    #expect(m == [1, 0.75, 0.5, 0.25, 0])
  }

  /// scipy's median_filter(pad(g, (0, 2w), 'reflect'), size=w, mode='nearest')[:n], by brute force.
  func bruteForce(_ g: [Double], _ w: Int) -> [Double] {
    let n = g.count
    var padded = g
    let period = 2 * (n - 1)
    for j in n..<(n + 2 * w) {
      var k = j % period
      if k >= n { k = period - k }
      padded.append(g[k])
    }
    let h = w / 2
    return (0..<n).map { i in
      let window = ((i - h)...(i + h)).map { padded[Swift.min(Swift.max($0, 0), padded.count - 1)] }.sorted()
      return window[h]
    }
  }

  @Test(arguments: [(50, 5), (50, 11), (7, 5), (7, 13), (200, 41), (3, 3)])
  func medianFilterMatchesBruteForce(n: Int, w: Int) {
    var rng = SplitMix64(seed: UInt64(n * 1000 + w))
    // Values with ties, to exercise equal keys in the heaps.
    let g = (0..<n).map { _ in Double(rng.next() % 17) + 0.5 }
    #expect(medianFilter(g, width: w) == bruteForce(g, w))
  }

  /// Wide windows over sequences with large gaps between neighbouring ranks
  /// (sorted, reversed, saw-tooth, signed, spread over many binades).
  @Test(arguments: [(1000, 201), (2000, 401), (700, 701), (600, 1201), (2, 3)])
  func medianFilterMatchesBruteForceOnStructuredInput(n: Int, w: Int) {
    var rng = SplitMix64(seed: UInt64(n + w))
    let inputs: [[Double]] = [
      (0..<n).map { Double($0) },
      (0..<n).map { Double(n - $0) },
      (0..<n).map { Double($0 % 97) - 48 },
      (0..<n).map { _ in Double(bitPattern: (rng.next() >> 2) | 0x3000_0000_0000_0000) },
      (0..<n).map { _ in (Double(rng.next() % 1000) - 500) * 1e-3 },
    ]
    for g in inputs { #expect(medianFilter(g, width: w) == bruteForce(g, w)) }
  }

  /// The packed sort equals the standard library's on words whose low
  /// halves ascend (indices), for sizes around the in-cache limit and high
  /// halves spread wide, clustered, or all equal.
  @Test(arguments: [0, 1, 2, 100, PackedRadixSort.cacheWords, PackedRadixSort.cacheWords + 1, 70_000])
  func packedRadixSortMatchesSorted(count: Int) {
    var rng = SplitMix64(seed: UInt64(count))
    for spread in 0..<4 {
      let words = (0..<count).map { i -> UInt64 in
        let r = rng.next()
        let high = [r >> 32, r >> 60, (r >> 44) << 12, 7][spread]
        return high << 32 | UInt64(i)
      }
      var sorted = words
      PackedRadixSort.sort(&sorted)
      #expect(sorted == words.sorted(), "count \(count), spread \(spread)")
    }
  }

  /// Values clustered far inside the span (beside one outlier) share their
  /// 32-bit prefixes: the long run is ordered by full keys, in O(k log k).
  @Test func clusteredValuesBesideAnOutlierAreRankedExactly() {
    var rng = SplitMix64(seed: 11)
    var g = (0..<6_000).map { _ in 1 + Double(rng.next() % 1_000_000) * 1e-15 }
    g[123] = 1e6
    let order = RankOrder(g)
    let sorted = (0..<g.count).map { g[order.index(atRank: $0)] }
    #expect(sorted == g.sorted())
    #expect(medianFilter(g, width: 101) == bruteForce(g, 101))
  }

  /// Long inputs rank and slide on two threads (halves): the same result.
  @Test func longInputsSplitAcrossThreadsMatchBruteForce() {
    var rng = SplitMix64(seed: 5)
    let n = parallelMinimum + 4_321
    let g = (0..<n).map { (i: Int) -> Double in
      let trend: Double = 0.5 / (1 + Double(i) * 1e-3).squareRoot()
      let noise: Double = Double(rng.next() % 1000) * 1e-4
      return 1 + trend + noise
    }
    #expect(medianFilter(g, width: 31) == bruteForce(g, 31))
  }

  /// The closed form on two threads (long runs) against a plain loop.
  @Test func longClosedFormMatchesAPlainLoop() throws {
    let n = parallelMinimum + 999
    let norms = (0..<n).map { (i: Int) -> Double in 1 + Double((i * 7919) % 1000) / 500 }
    for kind in [NormKind.l2, .l1] {
      let got = try Refinement(norms: norms, kind: kind, smoothing: 0).multipliers
      let w = norms.map { kind == .l2 ? 1 / ($0 * $0) : 1 / $0 }
      var tail = 0.0
      var eta = [Double](repeating: 0, count: n)
      for t in stride(from: n - 1, through: 0, by: -1) {
        eta[t] = w[t] * tail
        tail += w[t]
      }
      let peak = eta.max()!
      var worst = 0.0
      for t in 0..<(n - 1) { worst = Swift.max(worst, abs(got[t] - eta[t] / peak)) }
      #expect(worst < 1e-12, "\(kind): max difference \(worst)")
      #expect(got[n - 1] == 0 && got.max() == 1)
    }
  }

  @Test func rankOrderSortsStably() {
    var rng = SplitMix64(seed: 7)
    let values = (0..<5000).map { _ in Double(Int64(bitPattern: rng.next()) % 50) * 0.25 } + [-0.0, 0.0, -.infinity, .infinity, .leastNonzeroMagnitude]
    let order = RankOrder(values)
    let sorted = (0..<values.count).map { values[order.index(atRank: $0)] }
    #expect(sorted == values.sorted())
    for (i, r) in order.rank.enumerated() { #expect(order.index(atRank: Int(r)) == i) }
    for r in 1..<values.count {  // ties in index order, -0 before +0
      let a = values[order.index(atRank: r - 1)], b = values[order.index(atRank: r)]
      #expect(a < b || (a == b && (order.index(atRank: r - 1) < order.index(atRank: r) || (a.sign == .minus && b.sign == .plus))))
    }
    #expect(Set(order.rank).count == values.count)
  }

  @Test func invalidNormsAreFilledAndCounted() throws {
    let r = try Refinement(norms: [.nan, 2, -1, 4, .infinity, 0], kind: .l2, smoothing: 0)
    #expect(r.skipped == 4)
    #expect(r.smoothedNorms == [2, 2, 3, 4, 4, 4])
    #expect(throws: RefinementError.self) { try Refinement(norms: [.nan, 0], kind: .l2, smoothing: 0) }
    #expect(throws: RefinementError.self) { try Refinement(norms: [], kind: .l2, smoothing: 0) }
    #expect(throws: RefinementError.self) { try Refinement(norms: [1, 2], kind: .l2, smoothing: 2) }
    #expect(try Refinement(norms: [5], kind: .l1, smoothing: 0.1).multipliers == [0])
  }

  @Test func refinedSpecPlaysTheMultipliers() throws {
    let r = try Refinement(norms: (0..<100).map { 1 + Double($0 % 7) }, kind: .l2, smoothing: 0.1)
    let s = try Schedule.parse(r.spec(peak: 0.01, warmupSteps: 10))
    for t in 10..<100 { #expect(s.value(at: Int64(t)) == 0.01 * r.multipliers[t]) }
    #expect(s.value(at: 0) == 0)
    #expect(s.totalSteps == 100)
  }
}
