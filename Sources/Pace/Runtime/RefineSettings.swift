//===--- RefineSettings.swift ---------------------------------------------===//
// The online-refinement part of a runtime config, and refinement's defaults.
//===----------------------------------------------------------------------===//

/// Online refinement settings (our extension of Defazio et al. 2023).
public struct RefineSettings: Sendable, Equatable {
  /// The median-filter width of refinement when none is given, as a
  /// fraction of the norms filtered (range [0, 1]; 0 disables the filter).
  /// The one source of this default: the runtime config's `refine.smoothing`,
  /// `pace_refine` with NULL options, and (through `pace_names_json`,
  /// `defaults.refine_smoothing`) the Python binding all read it.
  public static let defaultSmoothing = 0.1

  /// Re-plan every `every` steps (>= 1).
  public internal(set) var every: Int64
  /// Which norms are observed: L2 (SGD, `w = g^-2`) or L1 (Adam-type,
  /// `w = g^-1`).
  public internal(set) var norm: NormKind
  /// Median-filter width as a fraction of the run so far, in [0, 1].
  public internal(set) var smoothing: Double
  /// Steps of observed norms needed before the first re-plan.
  public internal(set) var minHistory: Int64
  /// The channel re-planned (default `lr`).
  public internal(set) var channel: String
}
