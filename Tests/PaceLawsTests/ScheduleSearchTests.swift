//===--- ScheduleSearchTests.swift ----------------------------------------===//
// The parallel search: the same bits on 1, 2 and 3 threads, whatever a
// candidate's lane; every score the law's own prediction of its spec.
//===----------------------------------------------------------------------===//
import Testing
import Foundation
import Pace
import PaceEngine
@testable import PaceLaws

@Suite struct ScheduleSearchTests {
  /// A short budget and small grids keep the debug build (unspecialised
  /// SIMD) quick: 8 x 5 x 10 - 8 + 3 x 9 + 3 x 10 = 449 candidates, 57 or
  /// 113 vectors in as many parts (at most 64).
  static var options: SearchOptions {
    var o = SearchOptions(budget: 400, peak: 3e-4, warmupSteps: 36)
    o.decayFractions = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.95]
    o.phis = [0.5, 1, 2]
    o.fineRatios = [0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]
    return o
  }

  static func laws() throws -> [LossLaw] {
    let annealing = try LossLaw(kind: .annealing, parameters: [3.0, 0.5, 0.5, 300, 0.999])
    return [LossLaw.published25M, annealing,
            try LossLaw(kind: .multiPower, parameters: LossLaw.published25M.parameters, warmup: .peak),
            try LossLaw(kind: .multiPower, parameters: LossLaw.published25M.parameters, warmup: .sum)]
  }

  /// The kernel of a search over `options` (reference: its first
  /// candidate) and the candidates' schedules.
  static func evaluation(_ law: LossLaw, _ options: SearchOptions) throws -> (SearchKernel, [CandidateSchedule]) {
    let all = ScheduleSearch.candidates(options)
    let reference = try LRSequence(spec: all[0].spec, count: options.budget).rates
    let kernel = SearchKernel(law: law, count: options.budget, warmupSteps: options.warmupSteps, reference: reference)
    return (kernel, all.map(\.schedule))
  }

  @Test func theWinnerAndEveryScoreAreTheSameOnOneTwoAndThreeThreads() throws {
    let law = LossLaw.published25M
    var runs: [SearchResult] = []
    var scores: [[Double]] = []
    let (kernel, schedules) = try Self.evaluation(law, Self.options)
    let frame = Self.options.frame
    for threads in [1, 2, 3] {
      let engine = try BatchEngine(threads: threads, numa: .off)
      runs.append(try ScheduleSearch.search(law, options: Self.options, engine: engine))
      scores.append(try CandidateEvaluation(kernel: kernel, frame: frame, schedules: schedules).run(on: engine, progress: nil))
    }
    for r in runs.dropFirst() {
      #expect(r.best.spec == runs[0].best.spec)
      #expect(r.best.finalLoss.bitPattern == runs[0].best.finalLoss.bitPattern)
      #expect(r.bestPerFamily.map(\.finalLoss.bitPattern) == runs[0].bestPerFamily.map(\.finalLoss.bitPattern))
    }
    for s in scores.dropFirst() { #expect(s.map(\.bitPattern) == scores[0].map(\.bitPattern)) }
    // Moving every candidate to another lane (drop the first one) changes no bit.
    let shifted = try CandidateEvaluation(kernel: kernel, frame: frame, schedules: Array(schedules.dropFirst()))
      .run(on: nil, progress: nil)
    #expect(shifted.map(\.bitPattern) == scores[0].dropFirst().map(\.bitPattern))
  }

  @Test func everyScoreIsTheLawsPredictionOfItsSpec() throws {
    var options = Self.options
    options.decayFractions = [0.1, 0.5, 0.9]
    options.phis = [0.5, 2]
    options.fineRatios = [0, 0.05, 0.1]
    for law in try Self.laws() {
      let specs = ScheduleSearch.candidates(options).map(\.spec)
      let (kernel, schedules) = try Self.evaluation(law, options)
      let scores = try CandidateEvaluation(kernel: kernel, frame: options.frame, schedules: schedules)
        .run(on: nil, progress: nil)
      for (spec, score) in zip(specs, scores) {
        let seq = try LRSequence(spec: spec, count: options.budget, warmupSteps: options.warmupSteps)
        let definition = law.finalLoss(rates: seq.rates, warmupSteps: options.warmupSteps)
        #expect(abs(score - definition) <= 1e-13 * abs(definition), "\(law.kind) \(law.warmup): \(score) vs \(definition)")
      }
      let result = try ScheduleSearch.search(law, options: options, engine: try BatchEngine(threads: 2, numa: .off))
      let seq = try LRSequence(spec: result.best.spec, count: options.budget, warmupSteps: options.warmupSteps)
      let predicted = try law.predict(seq, at: [options.budget - 1])[0]
      #expect(abs(result.best.finalLoss - predicted) <= 1e-12 * abs(predicted),
              "\(law.kind) \(law.warmup): \(result.best.finalLoss) vs predict \(predicted)")
      #expect(result.best.finalLoss == scores.filter(\.isFinite).min())
    }
  }

  @Test func aSpecThatDoesNotParseIsAnErrorWhateverTheThreads() throws {
    let (kernel, good) = try Self.evaluation(LossLaw.published25M, Self.options)
    var schedules = Array(good.prefix(40))
    schedules[13].shape = "no-such-shape"
    for threads in [1, 3] {
      let engine = try BatchEngine(threads: threads, numa: .off)
      #expect(throws: LawError.self) {
        try CandidateEvaluation(kernel: kernel, frame: Self.options.frame, schedules: schedules).run(on: engine, progress: nil)
      }
    }
  }

  @Test func theSpecTextIsTheDocumentTheSearchEvaluated() throws {
    for candidate in ScheduleSearch.candidates(Self.options).prefix(60) {
      let fromText = try Schedule.parse(candidate.spec).values(from: 0, count: Self.options.budget)
      let fromDocument = try Schedule.parse(candidate.schedule.document(Self.options.frame))
        .values(from: 0, count: Self.options.budget)
      #expect(fromText.map(\.bitPattern) == fromDocument.map(\.bitPattern), "\(candidate.summary)")
    }
    // The warmup every candidate shares (two phases), then the decay.
    let spec = ScheduleSearch.candidates(Self.options)[0].spec
    #expect(spec.hasPrefix("{\"version\":1,\"peak\":0.0003,\"total_steps\":400,\"phases\":[{\"shape\":\"linear\",\"steps\":35,"))
  }

  @Test func theLogarithmIsWithinAnUlpOfGlibcs() {
    var rng = SplitMix64(seed: 11)
    var worst = 0.0
    for _ in 0..<20000 {
      var x = CandidateLanes()
      for l in 0..<CandidateLanes.scalarCount { x[l] = Foundation.exp((rng.uniform() - 0.5) * 1400) }
      let lean = SearchMath.log(x)
      for l in 0..<CandidateLanes.scalarCount {
        let exact = Foundation.log(x[l])
        worst = max(worst, abs(lean[l] - exact) / exact.ulp)
      }
    }
    #expect(worst <= 1, "log: \(worst) ulp")
    // Lanes outside the lean path's domain take Elementary.log, each on its own:
    // the normal lane keeps the bits it has among normal lanes.
    var x = CandidateLanes(repeating: 2)
    x[1] = 0
    x[2] = 1e-310
    x[3] = .infinity
    let mixed = SearchMath.log(x)
    #expect(mixed[0] == SearchMath.log(CandidateLanes(repeating: 2))[0])
    #expect(mixed[1] == -.infinity && mixed[3] == .infinity)
    #expect(mixed[2] == Elementary.log(CandidateLanes(repeating: 1e-310))[0])
  }
}
