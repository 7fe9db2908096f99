//===--- ConvergenceTests.swift -------------------------------------------===//
// On a loss surface with a known best LR, the chosen LRs land near it.
//===----------------------------------------------------------------------===//
import Foundation
import Testing
@testable import PaceTune

@Suite struct ConvergenceTests {
  @Test(arguments: [0.003, 0.02, 0.2])
  func chosenLearningRatesApproachTheBest(_ best: Double) throws {
    let tuner = try AutoLRS(configText: #"{"min_lr": 1e-4, "max_lr": 1, "total_steps": 16000}"#)
    var trainer = SyntheticTrainer()
    trainer.bestLR = best
    trainer.noise = 0.02
    try drive(tuner, &trainer)
    #expect(tuner.history.count >= 3)
    for stage in tuner.history where stage.trialSteps > 0 {
      // Ten trials spread over four decades: the best tried is within about
      // half a trial spacing (0.2 decade) of the optimum.
      #expect(abs(log10(stage.lr) - log10(best)) < 0.3, "stage at \(stage.startStep): chose \(stage.lr), best \(best)")
      // The chosen LR has the lowest forecast, and the forecasts rank LRs by their distance to the best.
      let distances = stage.lrs.map { abs(log10($0) - log10(best)) }
      let closest = distances.indices.min { distances[$0] < distances[$1] }!
      #expect(abs(distances[closest] - abs(log10(stage.lr) - log10(best))) < 0.15)
    }
  }
}
