//===--- FunctionalsTests.swift -------------------------------------------===//
// S1, S2 and LD against their definitions; the §6.1 test vector; warmup modes.
//===----------------------------------------------------------------------===//
import Foundation
import Testing
import Pace
@testable import PaceLaws

@Suite struct FunctionalsTests {
  /// algorithms.md §6.1: eta_1..4 = [1, 1, 0.5, 0.5] (eta_0 = 1), lambda = 0.5:
  /// m = [0, 0, 0.5, 0.25], S2 = [0, 0, 0.5, 0.75], S1 = [1, 2, 2.5, 3].
  @Test func tissueTestVector() {
    let eta = [1, 1, 1, 0.5, 0.5]
    #expect(ScheduleFunctionals.annealingArea(eta, lambda: 0.5) == [0, 0, 0, 0.5, 0.75])
    #expect(ScheduleFunctionals.forwardArea(eta) == [0, 1, 2, 2.5, 3])
    #expect(ScheduleFunctionals.annealingArea([1, 1, 0.5, 0.5], lambda: 0.5) == [0, 0, 0.5, 0.75])
    #expect(ScheduleFunctionals.forwardArea([1, 1, 0.5, 0.5]) == [0, 1, 1.5, 2])
  }

  @Test func annealingAreaMatchesDoubleSum() {
    var rng = SplitMix64(seed: 7)
    let eta = (0..<60).map { _ in rng.uniform() }
    for lambda in [0.0, 0.5, 0.9, 0.999] {
      for firstDrop in [1, 5] {
        let fast = ScheduleFunctionals.annealingArea(eta, lambda: lambda, firstDrop: firstDrop)
        let slow = naiveAnnealingArea(eta, lambda: lambda, firstDrop: firstDrop)
        for (a, b) in zip(fast, slow) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b)), "lambda \(lambda)") }
      }
    }
  }

  /// LD by the exponential sum against the O(T^2) definition, random and
  /// structured schedules, several parameters, both accuracies.
  @Test(arguments: [(0.5828, 2.0656, 0.6414), (0.5, 1.0, 0.5), (1.7, 0.3, 1.2), (0.2, 40, 0.1), (3.0, 5.0, 0.9)])
  func lossDropMatchesDefinition(beta: Double, C: Double, gamma: Double) {
    var rng = SplitMix64(seed: UInt64(beta * 1000))
    let n = 300
    var schedules: [[Double]] = []
    schedules.append((0..<n).map { _ in 3e-4 * (0.05 + rng.uniform()) })  // jumps both ways
    schedules.append((0..<n).map { (t: Int) -> Double in
      let c: Double = cos(Double.pi * Double(t) / Double(n))
      return 3e-4 * (0.1 + 0.45 * (1 + c))
    })  // cosine
    schedules.append((0..<n).map { (t: Int) -> Double in t < 200 ? 3e-4 : (t < 250 ? 1e-4 : 1e-6) })  // steps
    schedules.append((0..<n).map { (t: Int) -> Double in
      t < 50 ? 3e-4 * Double(t) / 49 : 3e-4 * Double(n - t) / Double(n - 50)
    })  // warmup, then linear to 0
    schedules.append((0..<n).map { (t: Int) -> Double in 0.5 + 0.5 * Double((t * 7) % 13) })  // large LRs
    for (si, eta) in schedules.enumerated() {
      for firstDrop in [1, 50] {
        let slow = naiveLossDrop(eta, firstDrop: firstDrop, C: C, beta: beta, gamma: gamma)
        let scale = eta.max()! * 2
        for chains in [3, 2] {
          let ev = LossDropEvaluator(rates: eta, firstDrop: firstDrop)
          let fast = ev.evaluate(at: Array(0..<n), C: C, beta: beta, gamma: gamma, chains: chains).values
          let tol = chains == 3 ? 1e-12 : 1e-9
          var worst = 0.0
          for (a, b) in zip(fast, slow) { worst = max(worst, abs(a - b) / scale) }
          #expect(worst < tol, "schedule \(si) firstDrop \(firstDrop) chains \(chains): \(worst)")
          // The exact single-step path.
          for t in [0, 1, n / 2, n - 1] {
            #expect(abs(ev.exact(at: t, C: C, beta: beta, gamma: gamma) - slow[t]) <= 1e-13 * scale)
          }
        }
      }
    }
  }

  /// Analytic derivatives of LD against central differences of the exact LD.
  @Test func lossDropDerivatives() {
    let n = 400
    let eta: [Double] = (0..<n).map { (t: Int) -> Double in
      if t < 40 { return 3e-4 * Double(t + 1) / 40 }
      let c: Double = cos(Double.pi * Double(t - 40) / 360)
      return 3e-4 * (0.1 + 0.45 * (1 + c))
    }
    let ev = LossDropEvaluator(rates: eta, firstDrop: 40)
    let steps = [39, 40, 41, 100, 250, 399]
    let (C, beta, gamma) = (2.0656, 0.5828, 0.6414)
    let (_, d) = ev.evaluate(at: steps, C: C, beta: beta, gamma: gamma, derivatives: true)
    guard let d else { Issue.record("no derivatives"); return }
    for (i, t) in steps.enumerated() {
      func f(_ c: Double, _ b: Double, _ g: Double) -> Double { ev.exact(at: t, C: c, beta: b, gamma: g) }
      let h = 1e-5
      let nC = (f(C + h, beta, gamma) - f(C - h, beta, gamma)) / (2 * h)
      let nB = (f(C, beta + h, gamma) - f(C, beta - h, gamma)) / (2 * h)
      let nG = (f(C, beta, gamma + h) - f(C, beta, gamma - h)) / (2 * h)
      let scale = 1e-7 * 3e-4
      func near(_ a: Double, _ b: Double) -> Bool { Swift.abs(a - b) <= scale + 1e-6 * Swift.abs(b) }
      #expect(near(d.dC[i], nC), "dC at step \(t)")
      #expect(near(d.dBeta[i], nB), "dBeta at step \(t)")
      #expect(near(d.dGamma[i], nG), "dGamma at step \(t)")
    }
  }

  /// Extreme parameters give finite values or NaN, never a trap.
  @Test func extremeParametersDoNotTrap() {
    let eta: [Double] = [0, 1e-300, 1, 0.5, 1e-200, 1e300, 0.1]
    for (C, beta, gamma) in [(1e-300, 1e6, 50.0), (1e300, 1e-300, -50), (1, 0.5, 0.5), (1e-10, 200, 1e-10)] {
      let v = ScheduleFunctionals.lossDrop(eta, C: C, beta: beta, gamma: gamma)
      #expect(v.count == eta.count)
    }
    let big = ScheduleFunctionals.lossDrop([1, 1e-300, 1e300], C: 1e300, beta: 1e300, gamma: 1e300)
    #expect(big.count == 3)
  }

  @Test func warmupModes() throws {
    let seq = try LRSequence(rates: [0, 0.5, 1, 1, 0.5, 0.25])
    #expect(seq.warmupSteps == 2)
    #expect(ScheduleFunctionals.forwardArea(seq, warmup: .sum) == [0, 0.5, 1.5, 2.5, 3, 3.25])
    #expect(ScheduleFunctionals.forwardArea(seq, warmup: .peak) == [0, 1, 2, 3, 3.5, 3.75])
    #expect(ScheduleFunctionals.annealingArea(seq, warmup: .sum, lambda: 0) == [0, 0, 0, 0, 0.5, 0.75])
    #expect(ScheduleFunctionals.annealingArea(seq, warmup: .raw, lambda: 0) == [0, -0.5, -1, -1, -0.5, -0.25])
    let ld = ScheduleFunctionals.lossDrop(seq, warmup: .sum, C: 1, beta: 0.5, gamma: 0.5)
    #expect(ld[0] == 0 && ld[2] == 0 && ld[3] == 0 && ld[4] > 0)
    #expect(throws: LawError.self) { try LRSequence(rates: [0, .nan]) }
    #expect(throws: LawError.self) { try LRSequence(rates: [0, 0]) }
    #expect(throws: LawError.self) { try LRSequence(rates: [1, -1]) }
    #expect(throws: LawError.self) { try LRSequence(rates: []) }
  }

  /// Each spec of tests/data reproduces its CSV's lr column.
  @Test(arguments: trainNames + testNames)
  func specsReproduceTheLRColumn(name: String) throws {
    let csv = try readCSV(name)
    let seq = try LRSequence(spec: try readSpec(name))
    #expect(seq.warmupSteps == 2159)
    #expect(csv.steps.count > 90)
    for (s, lr) in zip(csv.steps, csv.lrs) {
      #expect(abs(seq.rates[s] - lr) <= 1e-12 * lr, "\(name) step \(s): \(seq.rates[s]) vs \(lr)")
    }
  }
}
