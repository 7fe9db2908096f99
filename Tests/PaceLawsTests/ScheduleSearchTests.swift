//===--- ScheduleSearchTests.swift ----------------------------------------===//
// The parallel search: the same bits on 1, 2 and 3 threads, whatever a
// candidate's lane; every score the law's own prediction of its spec.
//===----------------------------------------------------------------------===//
import Testing
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

  @Test func theWinnerAndEveryScoreAreTheSameOnOneTwoAndThreeThreads() throws {
    let law = LossLaw.published25M
    var runs: [SearchResult] = []
    var scores: [[Double]] = []
    let specs = ScheduleSearch.candidates(Self.options).map(\.spec)
    let reference = try LRSequence(spec: specs[0], count: Self.options.budget).rates
    let kernel = SearchKernel(law: law, count: Self.options.budget, warmupSteps: Self.options.warmupSteps,
                              reference: reference)
    for threads in [1, 2, 3] {
      let engine = try BatchEngine(threads: threads, numa: .off)
      runs.append(try ScheduleSearch.search(law, options: Self.options, engine: engine))
      scores.append(try CandidateEvaluation(kernel: kernel, specs: specs).run(on: engine, progress: nil))
    }
    for r in runs.dropFirst() {
      #expect(r.best.spec == runs[0].best.spec)
      #expect(r.best.finalLoss.bitPattern == runs[0].best.finalLoss.bitPattern)
      #expect(r.bestPerFamily.map(\.finalLoss.bitPattern) == runs[0].bestPerFamily.map(\.finalLoss.bitPattern))
    }
    for s in scores.dropFirst() { #expect(s.map(\.bitPattern) == scores[0].map(\.bitPattern)) }
    // Moving every candidate to another lane (drop the first spec) changes no bit.
    let shifted = try CandidateEvaluation(kernel: kernel, specs: Array(specs.dropFirst())).run(on: nil, progress: nil)
    #expect(shifted.map(\.bitPattern) == scores[0].dropFirst().map(\.bitPattern))
  }

  @Test func everyScoreIsTheLawsPredictionOfItsSpec() throws {
    var options = Self.options
    options.decayFractions = [0.1, 0.5, 0.9]
    options.phis = [0.5, 2]
    options.fineRatios = [0, 0.05, 0.1]
    for law in try Self.laws() {
      let all = ScheduleSearch.candidates(options)
      let specs = all.map(\.spec)
      let reference = try LRSequence(spec: specs[0], count: options.budget).rates
      let kernel = SearchKernel(law: law, count: options.budget, warmupSteps: options.warmupSteps, reference: reference)
      let scores = try CandidateEvaluation(kernel: kernel, specs: specs).run(on: nil, progress: nil)
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
    let good = ScheduleSearch.candidates(Self.options).map(\.spec)
    var specs = Array(good.prefix(40))
    specs[13] = "{\"version\": 1, \"peak\": 1}"
    let kernel = SearchKernel(law: LossLaw.published25M, count: Self.options.budget,
                              warmupSteps: Self.options.warmupSteps,
                              reference: try LRSequence(spec: good[0], count: Self.options.budget).rates)
    for threads in [1, 3] {
      let engine = try BatchEngine(threads: threads, numa: .off)
      #expect(throws: LawError.self) { try CandidateEvaluation(kernel: kernel, specs: specs).run(on: engine, progress: nil) }
    }
  }
}
