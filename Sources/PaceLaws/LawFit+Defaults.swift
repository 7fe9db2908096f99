//===--- LawFit+Defaults.swift --------------------------------------------===//
// The fit each law gets by default: chosen by cross-validation on curves
// the fit did not see (Benchmarks/laws/results.md, "Cross-validated choice").
// The one source of these defaults: the C API (PACE_FIT_AUTO,
// PACE_WARMUP_DEFAULT), the Python binding and the CLI all resolve here.
//===----------------------------------------------------------------------===//

extension LawKind {
  /// The fit method used when `FitOptions.method` is nil: the setting that
  /// predicted held-out 25M curves best (leave-one-schedule-out and
  /// leave-one-length-out CV). multi_power: `.adam` (CV PredE 0.00150
  /// against 0.00273 for `.levenbergMarquardt`); annealing:
  /// `.levenbergMarquardt` (the only method that fits it).
  public var defaultFitMethod: FitMethod {
    switch self {
    case .annealing: return .levenbergMarquardt
    case .multiPower: return .adam
    }
  }

  /// The warmup convention used when `FitOptions.warmup` is nil: chosen by
  /// the same CV. multi_power: `.raw` (0.00150 against 0.00198 for `.sum`);
  /// annealing with lambda fitted: `.sum` (0.00121 against 0.00127 for
  /// `.raw` and 0.00243 for `.peak`, the law's own convention).
  /// Not the law's own convention (`defaultWarmup`), which `LossLaw`
  /// uses for laws given by their parameters.
  public var defaultFitWarmup: WarmupMode {
    switch self {
    case .annealing: return .sum
    case .multiPower: return .raw
    }
  }
}

extension FitOptions {
  /// The method this fit of `kind` runs: `method`, or the law's default.
  public func resolvedMethod(for kind: LawKind) -> FitMethod { method ?? kind.defaultFitMethod }

  /// The warmup convention this fit of `kind` uses: `warmup`, or the law's default.
  public func resolvedWarmup(for kind: LawKind) -> WarmupMode { warmup ?? kind.defaultFitWarmup }
}
