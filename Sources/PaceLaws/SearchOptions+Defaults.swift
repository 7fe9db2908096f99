//===--- SearchOptions+Defaults.swift -------------------------------------===//
// The search's default warmup: one definition for the C API, the CLI and
// the bindings (which read it through pace_names_json).
//===----------------------------------------------------------------------===//

extension SearchOptions {
  /// The warmup, as a fraction of the budget, when the caller gives none:
  /// 0.09, the multi-power study's 2160 warmup steps of 24000.
  public static let defaultWarmupFraction = 0.09

  /// `defaultWarmupFraction * budget`, rounded to the nearest step
  /// (`budget` >= 0; O(1)).
  public static func defaultWarmupSteps(budget: Int) -> Int {
    Int((defaultWarmupFraction * Double(budget)).rounded())
  }
}
