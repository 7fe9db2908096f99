//===--- ProtocolTests.swift ----------------------------------------------===//
// Step accounting, the order of actions, out-of-order calls, NaN/inf losses.
//===----------------------------------------------------------------------===//
import Foundation
import Testing
import Pace
@testable import PaceTune

@Suite struct ProtocolTests {
  static let configs = [
    #"{"min_lr": 1e-4, "max_lr": 1, "total_steps": 16000}"#,
    #"{"min_lr": 1e-4, "max_lr": 1, "total_steps": 12345, "tau": 200, "tau_prime": 20, "candidates": 5, "tau_max": 800}"#,
    #"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 1000, "warmup_steps": 37, "warmup_lr": 0.05}"#,
    #"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 99, "tau": 50, "tau_prime": 16, "candidates": 3}"#,
    #"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 7}"#,
    #"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 3000, "candidates": 1, "tau": 200, "tau_prime": 20}"#,
    #"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 5000, "tau": 100, "tau_prime": 16, "candidates": 4, "tau_max": 100, "val_every": 3}"#,
  ]

  @Test(arguments: configs)
  func everyStepCountsAndTheTotalIsExact(_ text: String) throws {
    let tuner = try AutoLRS(configText: text)
    var trainer = SyntheticTrainer()
    let actions = try drive(tuner, &trainer)
    #expect(actions.last == .done)
    #expect(trainedSteps(actions) == tuner.config.totalSteps)
    #expect(tuner.stepsUsed == tuner.config.totalSteps)
    #expect(try tuner.next() == .done)
    // Each stage: checkpoint, then K trials separated by restores, a restore, the exploitation.
    let k = tuner.config.candidates
    var i = Int(tuner.config.warmupSteps)
    for stage in tuner.history {
      if stage.trialSteps > 0 {
        #expect(actions[i] == .checkpoint)
        i += 1
        for t in 0..<k {
          if t > 0 { #expect(actions[i] == .restore); i += 1 }
          guard case .train(_, let steps, let report, _) = actions[i] else { Issue.record("expected a trial"); return }
          #expect(steps == stage.trialSteps && report == (stage.validation ? .validation : .training))
          i += 1
        }
        #expect(actions[i] == .restore)
        i += 1
      }
      guard case .train(let lr, let steps, _, _) = actions[i] else { Issue.record("expected the exploitation"); return }
      #expect(lr == stage.lr && steps == stage.steps)
      i += 1
    }
    #expect(actions[i] == .done)
  }

  @Test func defaultStagesDoubleThenForecastValidationLoss() throws {
    let tuner = try AutoLRS(configText: #"{"min_lr": 1e-4, "max_lr": 1, "total_steps": 50000}"#)
    var trainer = SyntheticTrainer()
    try drive(tuner, &trainer)
    let sizes = tuner.history.map { [$0.trialSteps, $0.steps] }
    #expect(Array(sizes.prefix(5)) == [[100, 1000], [200, 2000], [400, 4000], [800, 8000], [800, 8000]])
    #expect(tuner.history.prefix(4).allSatisfy { !$0.validation })
    #expect(tuner.history.dropFirst(4).allSatisfy { $0.validation })
  }

  @Test func warmupIsALinearRampOfOneStepActions() throws {
    let tuner = try AutoLRS(configText: #"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 5000, "warmup_steps": 4, "warmup_lr": 0.02}"#)
    for i in 1...4 {
      #expect(try tuner.next() == .train(lr: 0.02 * Double(i) / 4, steps: 1, report: .none, every: 0))
    }
    #expect(try tuner.next() == .checkpoint)
  }

  @Test func outOfOrderCallsAreClearErrors() throws {
    let tuner = try AutoLRS(configText: #"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 5000}"#)
    #expect(throws: TuneError.self) { try tuner.report([1, 2]) }
    #expect(try tuner.next() == .checkpoint)
    #expect(throws: TuneError.self) { try tuner.report([1]) }
    guard case .train(_, let steps, .training, _) = try tuner.next() else { Issue.record("expected a trial"); return }
    do {
      _ = try tuner.next()
      Issue.record("next() while a report is pending must throw")
    } catch {
      #expect(error.description.contains("report the losses"))
    }
    do {
      try tuner.report([1, 2, 3])
      Issue.record("a wrong count must throw")
    } catch {
      #expect(error.description.contains("expected \(steps) training losses, got 3"))
    }
    try tuner.report([Double](repeating: 2, count: Int(steps)))
    #expect(try tuner.next() == .restore)
  }

  @Test func divergedTrialsForecastAVeryLargeLoss() throws {
    let tuner = try AutoLRS(configText: #"{"min_lr": 1e-4, "max_lr": 1, "total_steps": 12000}"#)
    var trainer = SyntheticTrainer()
    trainer.divergeAbove = 0.05
    try drive(tuner, &trainer)
    #expect(tuner.stepsUsed == 12000)
    for stage in tuner.history {
      for (lr, f) in zip(stage.lrs, stage.forecasts) where lr > 0.05 { #expect(f == LossForecast.divergedLoss) }
      #expect(stage.lr <= 0.05, "a diverged LR is never chosen while one converges")
    }
  }

  @Test func sameSeedSameRunOtherSeedOtherFirstCandidate() throws {
    func run(_ seed: Int) throws -> [TuneAction] {
      let tuner = try AutoLRS(configText: #"{"min_lr": 1e-4, "max_lr": 1, "total_steps": 3000, "tau": 300, "tau_prime": 32, "candidates": 5, "seed": \#(seed)}"#)
      var trainer = SyntheticTrainer()
      return try drive(tuner, &trainer)
    }
    #expect(try run(7) == run(7))
    #expect(try run(7)[1] != run(8)[1])
  }

  @Test func validationModeScoresATrialThatClimbsBackByItsLastLoss() throws {
    let tuner = try AutoLRS(configText: #"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 1000, "tau": 100, "tau_prime": 16, "candidates": 2, "tau_max": 100}"#)
    // Stage 1 (training losses); its exploitation asks for the next stage's initial validation loss.
    #expect(try tuner.next() == .checkpoint)
    for k in 0..<2 {
      if k > 0 { #expect(try tuner.next() == .restore) }
      guard case .train(_, 16, .training, _) = try tuner.next() else { Issue.record("expected a trial"); return }
      try tuner.report((0..<16).map { 2 * exp(-0.1 * Double($0)) + 1 })
    }
    #expect(try tuner.next() == .restore)
    #expect(try tuner.next().reportCount == 1)
    #expect(tuner.expectedReportCount == 1)
    try tuner.report([1.0])
    // Stage 2: trials report validation losses every step (16 / 16).
    #expect(try tuner.next() == .checkpoint)
    guard case .train(_, 16, .validation, 1) = try tuner.next() else { Issue.record("expected a validation trial"); return }
    let climbing = (0..<16).map { 0.9 + 0.02 * Double($0) }  // reaches the initial loss 1.0
    try tuner.report(climbing)
    #expect(try tuner.next() == .restore)
    _ = try tuner.next()
    let falling = (0..<16).map { 0.5 * exp(-0.2 * Double($0)) + 0.4 }
    try tuner.report(falling)
    #expect(try tuner.next() == .restore)
    _ = try tuner.next()
    let stage = try #require(tuner.history.last)
    #expect(stage.validation)
    #expect(stage.forecasts[0] == climbing.last!)
    #expect(abs(stage.forecasts[1] - 0.4) < 0.01, "the falling trial is forecast by its fit: \(stage.forecasts[1])")
    #expect(stage.lr == stage.lrs[1])
  }

  @Test func stepsUpToTwoToThe53DoNotOverflow() throws {
    let tuner = try AutoLRS(configText: #"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 9007199254740992, "tau": 9007199254740992, "tau_prime": 9007199254740992, "tau_max": 9007199254740992, "candidates": 100}"#)
    // The first stage does not fit: it shrinks to 100 trials of ⌊2^53 · 2^53 / (101 · 2^53)⌋ steps.
    #expect(try tuner.next() == .checkpoint)
    guard case .train(_, let steps, .training, _) = try tuner.next() else { Issue.record("expected a trial"); return }
    #expect(steps == 9007199254740992 / 101)
    #expect(tuner.stepsUsed == steps)
  }

  @Test func historyIsJSON() throws {
    let tuner = try AutoLRS(configText: #"{"min_lr": 1e-4, "max_lr": 1, "total_steps": 12000}"#)
    var trainer = SyntheticTrainer()
    try drive(tuner, &trainer)
    // Pace's reader keeps every float64 exact (Foundation's does not).
    guard case .array(let stages) = try JSONReader.parse(tuner.historyJSON),
      case .object(let first)? = stages.first
    else { Issue.record("history is not an array of objects"); return }
    #expect(stages.count == tuner.history.count)
    func member(_ key: String) -> JSONValue? { first.first { $0.key == key }?.value }
    guard case .array(let lrs)? = member("lrs"), case .number(let lr, _)? = member("lr") else {
      Issue.record("lrs or lr missing"); return
    }
    #expect(lrs.map { if case .number(let x, _) = $0 { x } else { .nan } } == tuner.history.first?.lrs)
    #expect(lr == tuner.history.first?.lr)
    #expect(member("mode") == .string("train"))
  }
}
