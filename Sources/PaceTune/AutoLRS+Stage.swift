//===--- AutoLRS+Stage.swift ----------------------------------------------===//
// Stage sizes (with the exact budget), trial LRs by Bayesian optimisation,
// and the exploitation phase.
//===----------------------------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension AutoLRS {
  /// Sizes the next stage from the remaining budget R:
  /// - R ≥ Kτ′ + τ: a full stage (K trials of τ′, τ to exploit);
  /// - otherwise, when the scaled trial τ′_s = ⌊τ′ R / (Kτ′ + τ)⌋ is at
  ///   least 16 steps: the last stage, K trials of τ′_s and R − Kτ′_s to
  ///   exploit (the forecast looks that far ahead);
  /// - otherwise: no search; the remaining steps train at the last chosen
  ///   LR (the geometric middle of the range when no stage ran).
  /// R = 0 ends the run.
  func planStage() {
    let remaining = config.totalSteps - stepsUsed
    guard remaining > 0 else {
      cursor = .done
      return
    }
    let k = Int64(config.candidates)
    let full = k * tauPrime + tau  // ≤ 100 · 2^53 + 2^53: no overflow
    var trialSteps = tauPrime
    if remaining < full {
      trialSteps = Int64(Double(tauPrime) * Double(remaining) / Double(full))
      while trialSteps > 0, k * trialSteps >= remaining { trialSteps -= 1 }  // rounding guard
    }
    trials = []
    guard trialSteps >= TuneConfig.minimumTrialSteps else {
      plan = StagePlan(trialSteps: 0, exploitSteps: remaining, every: 1, validation: validationMode)
      cursor = .exploit
      return
    }
    var every: Int64 = 1
    if validationMode {
      every = min(config.valEvery ?? max(1, trialSteps / 16), trialSteps / 4)
    }
    plan = StagePlan(trialSteps: trialSteps, exploitSteps: remaining < full ? remaining - k * trialSteps : tau,
                     every: every, validation: validationMode)
    stageCount += 1
    cursor = .checkpoint
  }

  /// The LR at normalised position u in [0, 1] of the log range.
  func learningRate(at u: Double) -> Double {
    let lo = log(config.minLR), hi = log(config.maxLR)
    return min(max(exp(lo + u * (hi - lo)), config.minLR), config.maxLR)
  }

  /// The next trial: the stage's first is drawn log-uniformly (counter-based,
  /// seeded; the reference's single initial point), the others minimise
  /// the GP's lower confidence bound away from the LRs already tried.
  func nextCandidate() -> Trial {
    let u: Double
    if trials.isEmpty {
      u = CounterRandom.uniform(seed: config.seed, counter: UInt64(stageCount - 1))
    } else if let gp = GaussianProcess.fitted(inputs: trials.map(\.position), outputs: trials.map(\.forecast)) {
      u = LowerConfidenceBound.minimiser(gp, avoiding: trials.map(\.position))
    } else {
      u = Self.middleOfWidestGap(trials.map(\.position))
    }
    return Trial(position: u, lr: learningRate(at: u), forecast: 0)
  }

  /// The middle of the widest gap between tried positions and the ends of
  /// [0, 1] (the fallback when no GP can be fitted).
  static func middleOfWidestGap(_ positions: [Double]) -> Double {
    let points = ([0.0, 1.0] + positions).sorted()
    var best = (width: -1.0, middle: 0.5)
    for i in 1..<points.count where points[i] - points[i - 1] > best.width {
      best = (points[i] - points[i - 1], 0.5 * (points[i] + points[i - 1]))
    }
    return best.middle
  }

  /// Hands out the exploitation phase: the LR of the lowest forecast (first
  /// on ties), recorded in ``history``; then τ and τ′ double (τ capped at
  /// τ_max) or, once τ reached τ_max, validation mode begins. When the next
  /// stage forecasts validation loss, this action asks for the validation
  /// loss at its end (every = steps): that stage's initial loss.
  func exploit() -> TuneAction {
    var lr = chosenLR ?? learningRate(at: 0.5)
    if let best = trials.indices.min(by: { trials[$0].forecast < trials[$1].forecast }) {
      lr = trials[best].lr
    }
    chosenLR = lr
    let steps = plan.exploitSteps
    history.append(StageRecord(startStep: stepsUsed - Int64(trials.count) * plan.trialSteps, validation: plan.validation,
                               trialSteps: plan.trialSteps, steps: steps, lrs: trials.map(\.lr),
                               forecasts: trials.map(\.forecast), lr: lr))
    stepsUsed += steps
    if plan.trialSteps > 0 {
      if tau < config.tauMax {
        tau = min(tau * 2, config.tauMax)
        tauPrime = min(tauPrime * 2, TuneConfig.maximumSteps)
      } else {
        validationMode = true
      }
    }
    trials = []
    cursor = .plan
    if validationMode, stepsUsed < config.totalSteps {
      pending = .stageStartLoss
      return .train(lr: lr, steps: steps, report: .validation, every: steps)
    }
    return .train(lr: lr, steps: steps, report: .none, every: 0)
  }
}
