//===--- AutoLRS+Protocol.swift -------------------------------------------===//
// next() and report(): the protocol of docs/autolrs.md.
//===----------------------------------------------------------------------===//

extension AutoLRS {
  /// The next action. Throws `.argument` while the losses of the last train
  /// action are still awaited.
  ///
  /// Sequence: the warmup's one-step train actions, then per stage
  /// `checkpoint, train(trial 1), restore, train(trial 2), ..., restore,
  /// train(best LR, exploit)`, and `done` once every step is spent (repeated
  /// on every later call). A stage without search (the budget's tail too
  /// short for trials) is one train action.
  ///
  /// - Complexity: O(1), except the action that hands out a trial LR: one
  ///   Bayesian-optimisation decision, O(K^3) per likelihood evaluation.
  public func next() throws(TuneError) -> TuneAction {
    guard pending == .none else {
      throw .argument("report the losses of the last train action before asking for the next action")
    }
    while true {
      switch cursor {
      case .warmup:
        guard warmupTaken < config.warmupSteps, let peak = config.warmupLR else {
          cursor = .plan
          continue
        }
        warmupTaken += 1
        stepsUsed += 1
        let lr = peak * (Double(warmupTaken) / Double(config.warmupSteps))
        return .train(lr: lr, steps: 1, report: .none, every: 0)
      case .plan:
        planStage()
      case .checkpoint:
        cursor = .trial
        return .checkpoint
      case .restoreForTrial:
        cursor = .trial
        return .restore
      case .restoreForExploit:
        cursor = .exploit
        return .restore
      case .trial:
        pendingTrial = nextCandidate()
        pending = .trial
        stepsUsed += plan.trialSteps
        return .train(lr: pendingTrial.lr, steps: plan.trialSteps, report: plan.validation ? .validation : .training,
                      every: plan.every)
      case .exploit:
        return exploit()
      case .done:
        return .done
      }
    }
  }

  /// The losses of the last train action that asked for them: exactly
  /// `steps` training losses, or `steps / every` validation losses. A NaN
  /// or infinite loss stands for divergence (the trial's forecast becomes
  /// 1e6, as the reference reports NaN). Throws `.argument` when no report
  /// is awaited or the count is wrong; the state is then unchanged.
  ///
  /// - Complexity: O(n log n) for n losses (the forecast's fit).
  public func report(_ losses: [Double]) throws(TuneError) {
    switch pending {
    case .none:
      throw .argument("no report is awaited: report only after a train action whose report is train or val")
    case .stageStartLoss:
      guard losses.count == 1 else {
        throw .argument("expected 1 validation loss (every = steps of the last train action), got \(losses.count)")
      }
      stageStartLoss = losses[0]
      pending = .none
    case .trial:
      let expected = expectedReportCount
      guard Int64(losses.count) == expected else {
        throw .argument("expected \(expected) \(plan.validation ? "validation" : "training") losses, got \(losses.count)")
      }
      var trial = pendingTrial
      trial.forecast = forecast(losses)
      trials.append(trial)
      pending = .none
      cursor = trials.count >= config.candidates ? .restoreForExploit : .restoreForTrial
    }
  }

  /// The forecast of a trial's losses at the end of the exploitation phase.
  func forecast(_ losses: [Double]) -> Double {
    guard losses.allSatisfy(\.isFinite) else { return LossForecast.divergedLoss }
    if plan.validation {
      let horizon = Double(plan.exploitSteps / plan.every)
      // The reference: a trial whose validation loss reached the stage's
      // initial loss is scored by its current (last) loss.
      if let start = stageStartLoss, start.isFinite, let worst = losses.max(), worst >= start, let last = losses.last {
        return last
      }
      return LossForecast.forecast(losses, at: horizon, .validation)
    }
    return LossForecast.forecast(losses, at: Double(plan.exploitSteps), .training)
  }
}
