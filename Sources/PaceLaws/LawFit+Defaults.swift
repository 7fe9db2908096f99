//===--- LawFit+Defaults.swift --------------------------------------------===//
// The fit each law gets by default: chosen by cross-validation on curves
// the fit did not see (Benchmarks/laws/results.md, "Cross-validated choice").
// The one source of these defaults: the C API (PACE_FIT_AUTO,
// PACE_WARMUP_DEFAULT, huber_delta 0, pace_names_json), the Python binding
// and the CLI all resolve here.
//===----------------------------------------------------------------------===//

extension LawKind {
  /// The fit method used when `FitOptions.method` is nil: the setting that
  /// predicted held-out 25M curves best (leave-one-schedule-out and
  /// leave-one-length-out CV). multi_power: `.adam` (CV PredE 0.00144
  /// against 0.00259 for `.levenbergMarquardt`, same warmup and delta);
  /// annealing: `.levenbergMarquardt` (the only method that fits it).
  /// With method nil, a multi-power adam recipe that leaves the law's
  /// domain before its early stop (curves far from the study's regime, as
  /// an SGD run whose loss falls to 0.05) is replaced by the
  /// Levenberg-Marquardt fit, and the report says `lm`.
  public var defaultFitMethod: FitMethod {
    switch self {
    case .annealing: return .levenbergMarquardt
    case .multiPower: return .adam
    }
  }

  /// The warmup convention used when `FitOptions.warmup` is nil: chosen by
  /// the same CV, `.sum` for both laws (with Huber delta 1e-2: multi_power
  /// adam 0.00144 against 0.00152 for `.raw` and 0.00317 for `.peak`;
  /// annealing with lambda fitted 0.00113 against 0.00124 `.raw` and
  /// 0.00244 `.peak`, the law's own convention). Not the law's own
  /// convention (`defaultWarmup`), which `LossLaw` uses for laws given by
  /// their parameters.
  public var defaultFitWarmup: WarmupMode { .sum }

  /// The Huber threshold on log residuals used when `FitOptions.huberDelta`
  /// is nil: 1e-2 for both laws, the CV winner of {1e-4, 1e-3, 1e-2} for
  /// both (annealing 0.00113 against 0.00121 at 1e-3; multi_power with
  /// `.adam` and `.sum` 0.00144 against 0.00198).
  public var defaultHuberDelta: Double { 1e-2 }
}

extension FitOptions {
  /// The Huber threshold this fit of `kind` uses: `huberDelta`, or the law's default.
  public func resolvedHuberDelta(for kind: LawKind) -> Double { huberDelta ?? kind.defaultHuberDelta }

  /// The method this fit of `kind` runs: `method`, or the law's default.
  public func resolvedMethod(for kind: LawKind) -> FitMethod { method ?? kind.defaultFitMethod }

  /// The warmup convention this fit of `kind` uses: `warmup`, or the law's default.
  public func resolvedWarmup(for kind: LawKind) -> WarmupMode { warmup ?? kind.defaultFitWarmup }
}
