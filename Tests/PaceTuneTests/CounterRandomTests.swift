//===--- CounterRandomTests.swift -----------------------------------------===//
// The counter-based draw: uniform, a pure function of (seed, counter).
//===----------------------------------------------------------------------===//
import Testing
@testable import PaceTune

@Suite struct CounterRandomTests {
  @Test func uniformAndPure() {
    let n = 20000
    let draws = (0..<n).map { CounterRandom.uniform(seed: 17, counter: UInt64($0)) }
    #expect(draws.allSatisfy { $0 >= 0 && $0 < 1 })
    #expect(draws == (0..<n).map { CounterRandom.uniform(seed: 17, counter: UInt64($0)) })
    // Kolmogorov-Smirnov distance to U(0, 1): the 0.1% critical value is 1.95 / sqrt(n).
    let sorted = draws.sorted()
    var d = 0.0
    for (i, x) in sorted.enumerated() { d = max(d, abs(x - Double(i) / Double(n)), abs(Double(i + 1) / Double(n) - x)) }
    #expect(d < 1.95 / Double(n).squareRoot())
    // Neighbouring seeds give unrelated streams.
    let other = (0..<n).map { CounterRandom.uniform(seed: 18, counter: UInt64($0)) }
    let mean = 0.5, products = zip(draws, other).map { ($0 - mean) * ($1 - mean) }
    #expect(abs(products.reduce(0, +) / Double(n) * 12) < 0.05)  // correlation
  }
}
