//===--- TuneAction.swift -------------------------------------------------===//
// What the tuner asks the trainer to do next.
//===----------------------------------------------------------------------===//

/// Which losses a train action asks for.
public enum LossReport: UInt32, Sendable, Equatable {
  /// Nothing to report.
  case none = 0
  /// Each step's training loss (`steps` values).
  case training = 1
  /// A validation loss every `every` steps (`steps / every` values).
  case validation = 2
}

/// One instruction of the AutoLRS protocol (docs/autolrs.md).
public enum TuneAction: Sendable, Equatable {
  /// Save the model and optimizer state: the start of a stage.
  case checkpoint
  /// Load the state saved at the last checkpoint.
  case restore
  /// Train `steps` optimizer steps at constant `lr`; report as asked.
  case train(lr: Double, steps: Int64, report: LossReport, every: Int64)
  /// The budget (total_steps) is spent.
  case done

  /// How many losses the trainer reports after this action.
  public var reportCount: Int64 {
    guard case .train(_, let steps, let report, let every) = self else { return 0 }
    switch report {
    case .none: return 0
    case .training: return steps
    case .validation: return every > 0 ? steps / every : 0
    }
  }
}
