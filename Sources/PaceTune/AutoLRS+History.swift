//===--- AutoLRS+History.swift --------------------------------------------===//
// The decided stages as JSON.
//===----------------------------------------------------------------------===//
import Pace

extension AutoLRS {
  /// ``history`` as a JSON array, one object per decided stage:
  ///
  /// ```json
  /// [{"stage": 0, "start_step": 0, "mode": "train", "trial_steps": 100, "steps": 1000,
  ///   "lrs": [0.01, ...], "forecasts": [2.31, ...], "lr": 0.01}, ...]
  /// ```
  /// `mode` is "train" or "val" (what the trials forecast); a stage without
  /// search has `trial_steps` 0 and empty `lrs` and `forecasts`. Numbers are
  /// written in their shortest round-trip form.
  ///
  /// - Complexity: O(stages · K).
  public var historyJSON: String {
    func list(_ xs: [Double]) -> String { "[" + xs.map(JSONWriter.number).joined(separator: ",") + "]" }
    let stages = history.enumerated().map { i, s in
      "{\"stage\":\(i),\"start_step\":\(s.startStep),\"mode\":\(s.validation ? "\"val\"" : "\"train\""),"
        + "\"trial_steps\":\(s.trialSteps),\"steps\":\(s.steps),\"lrs\":\(list(s.lrs)),"
        + "\"forecasts\":\(list(s.forecasts)),\"lr\":\(JSONWriter.number(s.lr))}"
    }
    return "[" + stages.joined(separator: ",") + "]"
  }
}
