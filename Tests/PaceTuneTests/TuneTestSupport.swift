//===--- TuneTestSupport.swift --------------------------------------------===//
// A synthetic trainer with a known best LR, and a driver of the protocol.
//===----------------------------------------------------------------------===//
import Foundation
@testable import PaceTune

/// A deterministic stand-in for a model: its loss relaxes toward a floor that
/// depends on the LR, quadratic in log10(lr) with its minimum at `bestLR`;
/// losses carry seeded noise; LRs above `divergeAbove` give NaN.
struct SyntheticTrainer {
  var bestLR = 0.01
  var rate = 0.01
  var noise = 0.01
  var divergeAbove = Double.infinity
  var loss = 3.0
  var saved = 3.0
  var noiseState: UInt64 = 12345
  var validationOffset = 0.05

  func floor(_ lr: Double) -> Double {
    let d = log10(lr) - log10(bestLR)
    return 1 + 0.5 * d * d
  }

  mutating func gaussian() -> Double {
    func next() -> Double {
      noiseState = noiseState &* 6364136223846793005 &+ 1442695040888963407
      return (Double(noiseState >> 11) + 0.5) * 0x1p-53
    }
    return (-2 * log(next())).squareRoot() * cos(2 * Double.pi * next())
  }

  /// Trains `steps` steps and returns the losses the action asked for.
  mutating func train(lr: Double, steps: Int64, report: LossReport, every: Int64) -> [Double] {
    var out: [Double] = []
    for s in 1...max(steps, 1) where steps > 0 {
      loss -= rate * (loss - floor(lr))
      switch report {
      case .none: break
      case .training: out.append(lr > divergeAbove ? .nan : loss + noise * gaussian())
      case .validation: if s % every == 0 { out.append(lr > divergeAbove ? .infinity : loss + validationOffset + noise * gaussian()) }
      }
    }
    return out
  }
}

/// Drives `tuner` with `trainer` until done (or `limit` actions); returns the
/// actions handed out.
@discardableResult
func drive(_ tuner: AutoLRS, _ trainer: inout SyntheticTrainer, limit: Int = 1_000_000) throws -> [TuneAction] {
  var actions: [TuneAction] = []
  while actions.count < limit {
    let action = try tuner.next()
    actions.append(action)
    switch action {
    case .checkpoint: trainer.saved = trainer.loss
    case .restore: trainer.loss = trainer.saved
    case .train(let lr, let steps, let report, let every):
      let losses = trainer.train(lr: lr, steps: steps, report: report, every: every)
      if report != .none { try tuner.report(losses) }
    case .done: return actions
    }
  }
  return actions
}

/// The steps of all train actions.
func trainedSteps(_ actions: [TuneAction]) -> Int64 {
  actions.reduce(0) { sum, a in
    if case .train(_, let steps, _, _) = a { return sum + steps }
    return sum
  }
}
