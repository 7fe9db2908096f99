//===--- AutoLRS.swift ----------------------------------------------------===//
// The AutoLRS tuner: its state. The protocol, the stage plan, the history and
// the saved form live in AutoLRS+*.swift.
//===----------------------------------------------------------------------===//

/// AutoLRS (Jin et al. 2021) as a state machine a trainer drives
/// (docs/autolrs.md): ask ``next()`` what to do, do it, ``report(_:)`` the
/// losses a train action asked for.
///
/// A run is a warmup (one-step train actions on the linear ramp) followed by
/// stages. A stage checkpoints, tries K LRs for τ′ steps each from that
/// checkpoint (restoring between trials), forecasts from each trial's losses
/// the loss after τ steps, chooses the next trial LR by a Gaussian process
/// with the lower-confidence-bound acquisition, then restores and trains τ
/// steps at the LR of the lowest forecast. τ and τ′ double while τ < τ_max;
/// then trials report validation losses. Every step handed out counts
/// against `total_steps`; the last stage shrinks so the total is exact.
///
/// Deterministic for its seed; one thread at a time. Memory is O(K) plus
/// O(1) per stage for ``history``.
public final class AutoLRS {
  public let config: TuneConfig

  /// Where the machine is within the run.
  enum Cursor: UInt8 {
    case warmup = 0, plan, checkpoint, trial, restoreForTrial, restoreForExploit, exploit, done
  }
  /// What the outstanding report is for.
  enum Pending: UInt8 {
    case none = 0
    /// The losses of a trial.
    case trial
    /// The validation loss at the end of an exploitation phase: the next
    /// stage's initial loss (validation mode).
    case stageStartLoss
  }

  /// The sizes of the current stage.
  struct StagePlan: Equatable {
    /// Steps of each trial; 0 for a stage without search (the budget's tail).
    var trialSteps: Int64 = 0
    /// Steps of the exploitation phase.
    var exploitSteps: Int64 = 0
    /// Steps between validation losses in validation mode; 1 otherwise.
    var every: Int64 = 1
    /// Trials report validation losses.
    var validation = false
  }

  /// One tried LR of the current stage.
  struct Trial: Equatable {
    /// The LR's position in the normalised log range, in [0, 1].
    var position: Double
    var lr: Double
    var forecast: Double
  }

  /// One decided stage, for ``history``.
  public struct StageRecord: Equatable, Sendable {
    /// Steps used before the stage began.
    public var startStep: Int64
    /// Trials reported validation losses.
    public var validation: Bool
    /// Steps of each trial (0: a stage without search).
    public var trialSteps: Int64
    /// Steps of the exploitation phase.
    public var steps: Int64
    public var lrs: [Double]
    public var forecasts: [Double]
    /// The LR trained for `steps` steps.
    public var lr: Double
  }

  /// Optimizer steps handed out so far, trials and warmup included.
  public internal(set) var stepsUsed: Int64 = 0
  /// Warmup steps handed out.
  var warmupTaken: Int64 = 0
  /// τ and τ′ of the next full stage.
  var tau: Int64
  var tauPrime: Int64
  /// Trials forecast validation loss (set once τ reached τ_max).
  var validationMode = false
  /// Stages planned so far (the counter of the first candidate's draw).
  var stageCount: Int64 = 0
  var cursor: Cursor
  var pending: Pending = .none
  var plan = StagePlan()
  var trials: [Trial] = []
  /// The trial handed out and not yet reported.
  var pendingTrial = Trial(position: 0, lr: 0, forecast: 0)
  /// The LR chosen by the last stage (nil before the first).
  var chosenLR: Double?
  /// The current stage's initial validation loss (validation mode).
  var stageStartLoss: Double?
  /// Decided stages.
  public internal(set) var history: [StageRecord] = []

  public init(config: TuneConfig) {
    self.config = config
    tau = config.tau
    tauPrime = config.tauPrime
    cursor = config.warmupSteps > 0 ? .warmup : .plan
  }

  /// A tuner from config JSON text (``TuneConfig/parse(_:)``).
  public convenience init(configText: String) throws(TuneError) {
    self.init(config: try TuneConfig.parse(configText))
  }

  /// True while a train action's losses are awaited.
  public var awaitsReport: Bool { pending != .none }

  /// How many losses ``report(_:)`` expects now (0 when none is awaited).
  public var expectedReportCount: Int64 {
    switch pending {
    case .none: return 0
    case .stageStartLoss: return 1
    case .trial: return plan.validation ? plan.trialSteps / plan.every : plan.trialSteps
    }
  }
}
