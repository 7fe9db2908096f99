//===--- Preset+HuggingFace.swift -----------------------------------------===//
// Hugging Face transformers schedules (get_*_schedule_with_warmup).
//===----------------------------------------------------------------------===//

extension Preset {
  /// HF constant / constant_with_warmup: `step / W` then 1.
  static func constant(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let w = try p.steps("warmup_steps", default: 0)
    return warmupJSON(w) + [phaseJSON("constant", [("from", json(1.0))])]
  }

  /// HF get_linear_schedule_with_warmup: `(T - t) / (T - W)` after warmup.
  static func linear(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let w = try p.steps("warmup_steps", default: 0)
    let t = try p.totalSteps(above: w, what: "warmup_steps")
    return warmupJSON(w) + [rampJSON("linear", steps: Double(t - w), from: 1, to: 0)]
  }

  /// HF get_cosine_schedule_with_warmup (`cycles`), and cosine_with_min_lr
  /// (`min_ratio`).
  static func cosine(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let w = try p.steps("warmup_steps", default: 0)
    let t = try p.totalSteps(above: w, what: "warmup_steps")
    let cycles = try p.number("cycles", default: 0.5, "a number > 0", { $0 > 0 })
    let minRatio = try p.number("min_ratio", default: 0, "a number in [0, 1]", { $0 >= 0 && $0 <= 1 })
    return warmupJSON(w) + [rampJSON("cosine", steps: Double(t - w), from: 1, to: minRatio,
                                     [("cycles", json(cycles))])]
  }

  /// HF get_cosine_with_hard_restarts_schedule_with_warmup: `cycles` cosine
  /// cycles of `(T - W) / cycles` steps, each from 1 to 0; 0 past the end.
  static func cosineWithRestarts(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let w = try p.steps("warmup_steps", default: 0)
    let t = try p.totalSteps(above: w, what: "warmup_steps")
    let cycles = try p.steps("cycles", default: 1)
    guard cycles >= 1 else { throw SpecError(path: "cycles", "must be an integer >= 1, got \(cycles)") }
    let length = Double(t - w) / Double(cycles)
    let block: JSONValue = .object([
      ("repeat", .array([rampJSON("cosine", steps: length, from: 1, to: 0)])),
      ("cycles", json(cycles)),
    ])
    return warmupJSON(w) + [block]
  }

  /// HF get_polynomial_decay_schedule_with_warmup; `end_ratio` defaults to
  /// HF's `lr_end = 1e-7` divided by `peak`.
  static func polynomial(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let w = try p.steps("warmup_steps", default: 0)
    let t = try p.totalSteps(above: w, what: "warmup_steps")
    let endRatio = try p.number("end_ratio", default: 1e-7 / p.peak, "a number in [0, 1)", { $0 >= 0 && $0 < 1 })
    let power = try p.number("power", default: 1, "a number > 0", { $0 > 0 })
    return warmupJSON(w) + [rampJSON("polynomial", steps: Double(t - w), from: 1, to: endRatio,
                                     [("power", json(power))])]
  }

  /// HF get_inverse_sqrt_schedule: `1 / sqrt((t + timescale - W) / timescale)`
  /// after warmup; `timescale` defaults to W, or 10000 without warmup.
  static func inverseSqrt(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let w = try p.steps("warmup_steps", default: 0)
    let timescale = try p.number("timescale", default: w > 0 ? Double(w) : 10_000, "a number >= 1", { $0 >= 1 })
    return warmupJSON(w) + [phaseJSON("inverse_sqrt", [("from", json(1.0)), ("timescale", json(timescale))])]
  }

  /// HF get_wsd_schedule: warmup from `min_ratio` (linear, cosine or 1-sqrt),
  /// stable at 1, decay to `min_ratio`; give `stable_steps` or `total_steps`.
  static func wsd(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let w = try p.steps("warmup_steps", default: 0)
    let d = try p.steps("decay_steps")
    guard d > 0 else { throw SpecError(path: "decay_steps", "must be an integer > 0, got 0") }
    var stable = try p.optionalSteps("stable_steps")
    if let t = try p.root.stepCount("total_steps") {
      let implied = t - w - d
      if let s = stable, s != implied {
        throw SpecError(path: "stable_steps", "is \(s) but total_steps - warmup_steps - decay_steps is \(implied)")
      }
      guard implied >= 0 else {
        throw SpecError(path: "total_steps", "must be at least warmup_steps + decay_steps (\(w + d)), got \(t)")
      }
      stable = implied
    }
    guard let stable else {
      throw SpecError(path: "stable_steps", "required by preset \"wsd\" (or give total_steps)")
    }
    let types = ["linear", "cosine", "sqrt", "1-sqrt", "square", "1-square", "exponential"]
    let warmupType = shapeForType(try p.choice("warmup_type", ["linear", "cosine", "sqrt", "1-sqrt"], default: "linear"))
    let decayType = shapeForType(try p.choice("decay_type", types, default: "cosine"))
    let minRatio = try p.number("min_ratio", default: 0, "a number in [0, 1]", { $0 >= 0 && $0 <= 1 })
    if decayType == "exponential" && !(minRatio > 0) {
      throw SpecError(path: "min_ratio", "an exponential decay needs min_ratio > 0")
    }
    var phases: [JSONValue] = []
    if w > 0 { phases.append(rampJSON(warmupType, steps: Double(w), from: minRatio, to: 1)) }
    if stable > 0 { phases.append(phaseJSON("constant", [("steps", json(stable)), ("from", json(1.0))])) }
    phases.append(rampJSON(decayType, steps: Double(d), from: 1, to: minRatio))
    return phases
  }
}
