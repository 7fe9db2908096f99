//===--- LawFit+Units.swift -----------------------------------------------===//
// Fitting in normalised LR units: the fit does not depend on the units the
// caller's learning rates are in.
//===----------------------------------------------------------------------===//

/// The LR units a fit works in: every LR of the fit's curves is divided by
/// `scale` so that the largest peak among them is `referencePeak`.
///
/// The start grids (the surrogate's B, the full law's C, the annealing law's
/// A and C) and the AdamW recipe's step sizes are stated for the multi-power
/// study's runs, whose peak LR is 3e-4; in these units they mean the same
/// thing for a run at any peak (a naive SGD run at 0.1, a run at 1e-6). The
/// fitted parameters are mapped back with `LossLaw.rescaled(lrBy: scale)`,
/// so a fit of the same curves with every LR multiplied by c returns the
/// law with `A c^alpha`, `B / c`, `C c^(gamma - 1)` (annealing: `A c^alpha`,
/// `C / c`) and the same predictions.
struct FitUnits {
  /// The peak LR of the study the start grids come from.
  static let referencePeak = 3e-4

  /// Original LR = scale * normalised LR.
  let scale: Double

  /// The units of `curves`: scale 1 exactly when their largest peak is the
  /// reference peak (then nothing is rescaled).
  init(curves: [LossCurve]) {
    let top = curves.map(\.sequence.peak).max() ?? Self.referencePeak
    let ratio = top / Self.referencePeak
    scale = ratio.isNormal && ratio.isFinite ? ratio : 1
  }

  /// `sequence` in normalised units (the same warmup length). O(T).
  func normalised(_ sequence: LRSequence) -> LRSequence {
    guard scale != 1 else { return sequence }
    return LRSequence(unchecked: sequence.rates.map { $0 / scale }, warmupSteps: sequence.warmupSteps,
                      peak: sequence.peak / scale)
  }

  /// Parameters of a law in the caller's units from normalised ones.
  func original(_ parameters: [Double], kind: LawKind) -> [Double] {
    LossLaw.parameters(parameters, kind: kind, lrScale: scale)
  }

  /// Parameters of a law in normalised units from the caller's.
  func normalised(_ parameters: [Double], kind: LawKind) -> [Double] {
    LossLaw.parameters(parameters, kind: kind, lrScale: 1 / scale)
  }
}
