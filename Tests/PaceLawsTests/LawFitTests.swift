//===--- LawFitTests.swift ------------------------------------------------===//
// Fits recover known parameters; bad input; save/load; final loss and its
// gradient; search.
//===----------------------------------------------------------------------===//
import Foundation
import Testing
import Pace
@testable import PaceLaws

/// Synthetic schedules of `n` steps with a warmup of `w`.
func syntheticSchedules(_ n: Int, _ w: Int) throws -> [LRSequence] {
  let peak = 3e-4
  func seq(_ f: (Int) -> Double) throws -> LRSequence {
    try LRSequence(rates: (0..<n).map { t in t < w ? peak * Double(t) / Double(w - 1) : f(t) })
  }
  let span = Double(n - w)
  return [
    try seq { t in 3e-5 + 0.5 * (peak - 3e-5) * (1 + cos(Double.pi * Double(t - w) / span)) },
    try seq { _ in peak },
    try seq { t in t < n / 2 ? peak : 0.3 * peak },
  ]
}

@Suite(.serialized) struct LawFitTests {
  @Test func multiPowerRecoversKnownParameters() throws {
    let truth = try LossLaw(kind: .multiPower, parameters: [3.0, 0.5, 0.5, 400, 2.0, 0.6, 0.6])
    let n = 6000, w = 500
    var curves: [LossCurve] = []
    for (i, seq) in try syntheticSchedules(n, w).enumerated() {
      let steps = Array(stride(from: w, to: n, by: 37))
      let losses = try truth.predict(seq, at: steps)
      curves.append(try LossCurve(sequence: seq, steps: steps, losses: losses, name: "s\(i)"))
    }
    // Recovering the truth is the minimiser's property: lm (the default, adam, stops early),
    // in the convention that made the data (the law's own, raw; the fit's default is sum).
    var lm = FitOptions()
    lm.method = .levenbergMarquardt
    lm.warmup = .raw
    let fitted = try LawFitter.fit(.multiPower, curves: curves, options: lm)
    #expect(fitted.report.converged)
    #expect(fitted.report.method == .levenbergMarquardt && fitted.report.warmup == .raw)
    #expect(fitted.report.objective < 1e-14, "\(fitted.report.objective)")
    for (name, a, b) in zip3(truth.kind.parameterNames, fitted.law.parameters, truth.parameters) {
      #expect(abs(a - b) <= 2e-3 * abs(b), "\(name): fitted \(a), true \(b)")
    }
  }

  @Test func annealingRecoversKnownParameters() throws {
    // The fit's default warmup convention (sum for annealing) generates the data.
    let truth = try LossLaw(kind: .annealing, parameters: [3.1, 0.6, 0.55, 0.4, 0.999],
                            warmup: FitOptions().resolvedWarmup(for: .annealing))
    let n = 6000, w = 500
    var curves: [LossCurve] = []
    for seq in try syntheticSchedules(n, w) {
      let steps = Array(stride(from: w, to: n, by: 37))
      curves.append(try LossCurve(sequence: seq, steps: steps, losses: try truth.predict(seq, at: steps)))
    }
    let fitted = try LawFitter.fit(.annealing, curves: curves)
    for (a, b) in zip(fitted.law.parameters, truth.parameters) { #expect(abs(a - b) <= 1e-4 * abs(b), "\(fitted.law.parameterSummary)") }
    // lambda fitted from a wrong start.
    var o = FitOptions()
    o.fitLambda = true
    o.lambda = 0.99
    let free = try LawFitter.fit(.annealing, curves: curves, options: o)
    #expect(abs(free.law["lambda"]! - 0.999) < 1e-5, "\(free.law.parameterSummary)")
  }

  /// FitOptions() is each law's cross-validated default fit (LawKind.defaultFitMethod /
  /// defaultFitWarmup), the report says which, and it is the same fit, bit for bit, as
  /// asking for that method and warmup explicitly.
  @Test func theDefaultFitIsEachLawsCrossValidatedChoice() throws {
    #expect(LawKind.multiPower.defaultFitMethod == .adam && LawKind.multiPower.defaultFitWarmup == .sum)
    #expect(LawKind.annealing.defaultFitMethod == .levenbergMarquardt && LawKind.annealing.defaultFitWarmup == .sum)
    #expect(LawKind.multiPower.defaultHuberDelta == 1e-2 && LawKind.annealing.defaultHuberDelta == 1e-2)
    #expect(FitOptions().method == nil && FitOptions().warmup == nil && FitOptions().huberDelta == nil)
    #expect(FitOptions().fitLambda)
    let mp = try LossLaw(kind: .multiPower, parameters: [3.0, 0.5, 0.5, 400, 2.0, 0.6, 0.6], warmup: .sum)
    let an = try LossLaw(kind: .annealing, parameters: [3.1, 0.6, 0.55, 0.4, 0.999], warmup: .sum)
    for (truth, method, warmup) in [(mp, FitMethod.adam, WarmupMode.sum), (an, .levenbergMarquardt, .sum)] {
      var curves: [LossCurve] = []
      for seq in try syntheticSchedules(3000, 300) {
        let steps = Array(stride(from: 300, to: 3000, by: 41))
        curves.append(try LossCurve(sequence: seq, steps: steps, losses: try truth.predict(seq, at: steps)))
      }
      let byDefault = try LawFitter.fit(truth.kind, curves: curves)
      #expect(byDefault.report.method == method && byDefault.report.warmup == warmup)
      #expect(byDefault.law.warmup == warmup)
      var explicit = FitOptions()
      explicit.method = method
      explicit.warmup = warmup
      explicit.huberDelta = 1e-2
      let asked = try LawFitter.fit(truth.kind, curves: curves, options: explicit)
      #expect(asked.law.parameters == byDefault.law.parameters)
      #expect(asked.report.objective == byDefault.report.objective)
      // An explicit choice is honoured: the other warmup, and lm for multi_power.
      var other = FitOptions()
      other.warmup = .peak
      if truth.kind == .multiPower { other.method = .levenbergMarquardt }
      let overridden = try LawFitter.fit(truth.kind, curves: curves, options: other)
      #expect(overridden.report.warmup == .peak && overridden.report.method == .levenbergMarquardt)
    }
  }

  @Test func badInputIsRejected() throws {
    let seq = try LRSequence(rates: [Double](repeating: 1e-3, count: 100))
    func curve(_ steps: [Int], _ losses: [Double]) throws -> LossCurve {
      try LossCurve(sequence: seq, steps: steps, losses: losses)
    }
    #expect(throws: LawError.self) { try curve([1, 2], [3]) }                 // mismatched lengths
    #expect(throws: LawError.self) { try curve([], []) }                      // empty
    #expect(throws: LawError.self) { try curve([5, 3], [3, 3]) }              // out of order
    #expect(throws: LawError.self) { try curve([5, 5], [3, 3]) }              // repeated
    #expect(throws: LawError.self) { try curve([5, 100], [3, 3]) }            // beyond the schedule
    #expect(throws: LawError.self) { try curve([5, 6], [3, .nan]) }           // NaN
    #expect(throws: LawError.self) { try curve([5, 6], [3, 0]) }              // zero loss
    #expect(throws: LawError.self) { try curve([5, 6], [3, -1]) }             // negative loss
    #expect(throws: LawError.self) { try curve([0, 6], [3, 3]) }              // step 0 (S1 = 0)
    let few = try curve([10, 20, 30], [3, 2.9, 2.8])
    do {
      _ = try LawFitter.fit(.multiPower, curves: [few])
      Issue.record("fitted 7 parameters to 3 points")
    } catch {
      guard case .argument(let m) = error else { Issue.record("wrong error \(error)"); return }
      #expect(m.contains("3 points"))
    }
    #expect(throws: LawError.self) { try LawFitter.fit(.annealing, curves: []) }
    // A schedule that is 0 up to the data: S1 = 0.
    let late = try LRSequence(rates: (0..<50).map { $0 < 20 ? 0 : 1e-3 })
    #expect(throws: LawError.self) {
      try LossLaw.published25M.predict(late, at: [10])
    }
    #expect(throws: LawError.self) { try LossLaw(kind: .multiPower, parameters: [1, 2, 3]) }
    #expect(throws: LawError.self) { try LossLaw(kind: .multiPower, parameters: [3, 0.5, 0.5, 400, -2, 0.6, 0.6]) }
    #expect(throws: LawError.self) { try LossLaw(kind: .annealing, parameters: [3, 0.5, 0.5, 1, 1.5]) }
    #expect(throws: LawError.self) { try LossLaw(kind: .annealing, named: ["L0": 1]) }
  }

  @Test func nonConvergenceIsNumericWithWhatWasReached() throws {
    let truth = try LossLaw(kind: .multiPower, parameters: [3.0, 0.5, 0.5, 400, 2.0, 0.6, 0.6])
    var curves: [LossCurve] = []
    for seq in try syntheticSchedules(3000, 300) {
      let steps = Array(stride(from: 300, to: 3000, by: 50))
      curves.append(try LossCurve(sequence: seq, steps: steps, losses: try truth.predict(seq, at: steps)))
    }
    var o = FitOptions()
    o.method = .levenbergMarquardt
    o.maxIterations = 1
    do {
      _ = try LawFitter.fit(.multiPower, curves: curves, options: o)
      Issue.record("converged in one iteration")
    } catch {
      guard case .numeric(_, let reached) = error else { Issue.record("wrong error \(error)"); return }
      #expect(reached != nil)
      #expect(error.description.contains("reached L0="), "\(error)")
    }
  }

  @Test func saveLoadRoundTrip() throws {
    let law = try LossLaw(kind: .multiPower, parameters: [3.0405, 0.5247, 0.5079, 363.79, 2.0656, 0.5828, 0.6414])
    let text = law.jsonText()
    #expect(text.contains("\"format\":\"pace-law\"") && text.contains("\"version\":\(LossLaw.formatVersion)"))
    let back = try LossLaw(jsonText: text)
    #expect(back == law)
    let ann = try LossLaw(kind: .annealing, parameters: [3.1, 0.6, 0.55, 0.1 + 0.2, 0.999], warmup: .sum)
    #expect(try LossLaw(jsonText: ann.jsonText()) == ann)
    #expect(throws: LawError.self) { try LossLaw(jsonText: "not json") }
    #expect(throws: LawError.self) { try LossLaw(jsonText: "{\"format\":\"pace-law\",\"version\":1,\"law\":\"x\",\"params\":{}}") }
    do {
      _ = try LossLaw(jsonText: text.replacingOccurrences(of: "\"version\":\(LossLaw.formatVersion)",
                                                          with: "\"version\":\(LossLaw.formatVersion + 1)"))
      Issue.record("a future version accepted")
    } catch {
      guard case .version = error else { Issue.record("wrong error \(error)"); return }
    }
    #expect(throws: LawError.self) { try LossLaw(jsonText: text.replacingOccurrences(of: "\"gamma\"", with: "\"delta\"")) }
  }

  /// The exact final loss agrees with predict, and its gradient with finite differences.
  @Test(arguments: [LawKind.multiPower, .annealing])
  func finalLossAndGradient(kind: LawKind) throws {
    let law = kind == .multiPower ? LossLaw.published25M
      : try LossLaw(kind: .annealing, parameters: [3.1, 0.6, 0.55, 400, 0.99])
    let n = 800, w = 80
    var rng = SplitMix64(seed: 3)
    var rates = (0..<n).map { t in t < w ? 3e-4 * Double(t) / Double(w - 1) : 3e-4 * (0.2 + 0.8 * rng.uniform()) }
    let seq = try LRSequence(rates: rates)
    let viaPredict = try law.predict(seq, at: [n - 1])[0]
    var grad = [Double](repeating: 0, count: n)
    let f = grad.withUnsafeMutableBufferPointer { law.finalLoss(rates: rates, warmupSteps: seq.warmupSteps, gradient: $0) }
    #expect(abs(f - viaPredict) < 1e-12, "\(f) vs \(viaPredict)")
    for j in [0, 1, w - 1, w, w + 1, 400, n - 2, n - 1] {
      let h = 1e-9
      let keep = rates[j]
      rates[j] = keep + h
      let up = law.finalLoss(rates: rates, warmupSteps: seq.warmupSteps)
      rates[j] = keep - h
      let down = law.finalLoss(rates: rates, warmupSteps: seq.warmupSteps)
      rates[j] = keep
      let numeric = (up - down) / (2 * h)
      #expect(abs(numeric - grad[j]) <= 1e-4 * max(1, abs(numeric)), "\(kind) step \(j): \(grad[j]) vs \(numeric)")
    }
  }

  @Test func searchFindsADecayingScheduleAndBeatsConstant() throws {
    var o = SearchOptions(budget: 24000, peak: 3e-4, warmupSteps: 2160)
    o.decayFractions = [0.1, 0.2, 0.3]
    o.phis = [0.5, 2]
    let result = try ScheduleSearch.search(LossLaw.published25M, options: o)
    #expect(result.evaluated == 3 * 5 * 10 - 3 + 3 * 121 + 2 * 10)
    let constant = try ScheduleSearch.finalLoss(LossLaw.published25M, spec: try readSpec("constant_24000"), options: o)
    let cosine = try ScheduleSearch.finalLoss(LossLaw.published25M, spec: try readSpec("cosine_24000"), options: o)
    #expect(result.best.finalLoss < cosine && cosine < constant)
    #expect(result.bestPerFamily.count == 5)
    // The best spec parses and gives the reported loss.
    #expect(abs(try ScheduleSearch.finalLoss(LossLaw.published25M, spec: result.best.spec, options: o) - result.best.finalLoss) < 1e-12)
    // Free-form from the best parametric schedule does at least as well.
    let start = try LRSequence(spec: result.best.spec, count: 24000).rates
    let free = try ScheduleSearch.freeForm(LossLaw.published25M, options: o, iterations: 50, start: start)
    #expect(free.finalLoss <= result.best.finalLoss + 1e-12)
    for t in 2161..<24000 { #expect(free.rates[t] <= free.rates[t - 1]) }
    let replay = try ScheduleSearch.finalLoss(LossLaw.published25M, spec: free.spec, options: o)
    #expect(abs(replay - free.finalLoss) < 1e-9, "\(replay) vs \(free.finalLoss)")
  }
}

func zip3<A, B, C>(_ a: [A], _ b: [B], _ c: [C]) -> [(A, B, C)] {
  (0..<Swift.min(a.count, b.count, c.count)).map { (a[$0], b[$0], c[$0]) }
}
