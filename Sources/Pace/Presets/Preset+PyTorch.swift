//===--- Preset+PyTorch.swift ---------------------------------------------===//
// torch.optim.lr_scheduler schedules (lr only).
//===----------------------------------------------------------------------===//

extension Preset {
  /// OneCycleLR: `peak` is `max_lr`; phases end at `pct_start * T - 1`
  /// (and `2 * pct_start * T - 2` with `three_phase`) and `T - 1`, where
  /// torch reaches the final lr; a last one-step constant phase holds it at
  /// step `T - 1`, so the schedule ends at `T` (`total_steps` reports the
  /// `T` given, the number of steps torch takes).
  static func onecycle(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let t = Double(try p.totalSteps(above: 1, what: "1"))
    let pct = try p.number("pct_start", default: 0.3, "a number in (0, 1)", { $0 > 0 && $0 < 1 })
    let anneal = try p.choice("anneal", ["cos", "linear"], default: "cos")
    let div = try p.number("div_factor", default: 25, "a number > 0", { $0 > 0 })
    let finalDiv = try p.number("final_div_factor", default: 1e4, "a number > 0", { $0 > 0 })
    let threePhase = try p.bool("three_phase", default: false)
    let initial = 1 / div
    let minimum = initial / finalDiv
    let shape = anneal == "cos" ? "cosine" : "linear"
    let noMirror: [(String, JSONValue)] = [("mirror", .bool(false))]
    var ends = [pct * t - 1]
    var values = [initial, 1.0]
    if threePhase {
      ends += [2 * pct * t - 2, t - 1]
      values += [initial, minimum]
    } else {
      ends += [t - 1]
      values += [minimum]
    }
    var phases: [JSONValue] = []
    var start = 0.0
    for (i, end) in ends.enumerated() {
      let length = end - start
      guard length > 0 else {
        throw SpecError(path: "pct_start", "gives a phase of \(JSONWriter.number(length)) steps; total_steps * pct_start must be larger")
      }
      phases.append(rampJSON(shape, steps: length, from: values[i], to: values[i + 1], noMirror))
      start = end
    }
    phases.append(phaseJSON("constant", [("steps", json(Int64(1))), ("from", json(values[values.count - 1]))]))
    return phases
  }

  /// CosineAnnealingWarmRestarts(T_0, T_mult, eta_min).
  static func sgdr(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let t0 = try p.steps("t0")
    guard t0 > 0 else { throw SpecError(path: "t0", "must be an integer > 0, got 0") }
    let mult = try p.steps("t_mult", default: 1)
    guard mult >= 1 else { throw SpecError(path: "t_mult", "must be an integer >= 1, got \(mult)") }
    let minRatio = try p.number("min_ratio", default: 0, "a number in [0, 1]", { $0 >= 0 && $0 <= 1 })
    return [.object([
      ("repeat", .array([rampJSON("cosine", steps: Double(t0), from: 1, to: minRatio)])),
      ("cycles", .null),
      ("period_mult", json(mult)),
    ])]
  }

  /// CyclicLR(base_lr, max_lr, ...): `peak` is `max_lr`, `base_ratio` is
  /// `base_lr / max_lr`; modes triangular, triangular2, exp_range.
  static func cyclic(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let base = try p.number("base_ratio", default: nil, "a number in [0, 1]", { $0 >= 0 && $0 <= 1 })
    let up = try p.steps("step_size_up", default: 2000)
    guard up > 0 else { throw SpecError(path: "step_size_up", "must be an integer > 0, got 0") }
    let down = try p.optionalSteps("step_size_down") ?? up
    guard down > 0 else { throw SpecError(path: "step_size_down", "must be an integer > 0, got 0") }
    let mode = try p.choice("mode", ["triangular", "triangular2", "exp_range"], default: "triangular")
    let gamma = try p.number("gamma", default: 1, "a number > 0", { $0 > 0 })
    var block: [(key: String, value: JSONValue)] = [
      ("repeat", .array([
        rampJSON("linear", steps: Double(up), from: base, to: 1),
        rampJSON("linear", steps: Double(down), from: 1, to: base),
      ])),
      ("cycles", .null),
      ("floor", json(base)),
    ]
    if mode == "triangular2" { block.append(("decay", json(0.5))) }
    if mode == "exp_range" { block.append(("decay_per_step", json(gamma))) }
    return [.object(block)]
  }

  /// StepLR(step_size, gamma = 0.1).
  static func step(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let size = try p.steps("step_size")
    guard size > 0 else { throw SpecError(path: "step_size", "must be an integer > 0, got 0") }
    let gamma = try p.number("gamma", default: 0.1, "a number > 0", { $0 > 0 })
    return [phaseJSON("step", [("from", json(1.0)), ("gamma", json(gamma)), ("step_size", json(size))])]
  }

  /// MultiStepLR(milestones, gamma = 0.1).
  static func multistep(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    p.used.insert("milestones")
    guard let milestones = p.root["milestones"] else {
      throw SpecError(path: "milestones", "required by preset \"multistep\"")
    }
    let gamma = try p.number("gamma", default: 0.1, "a number > 0", { $0 > 0 })
    return [phaseJSON("step", [("from", json(1.0)), ("gamma", json(gamma)), ("milestones", milestones)])]
  }

  /// ExponentialLR(gamma).
  static func exponential(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let gamma = try p.number("gamma", default: nil, "a number > 0", { $0 > 0 })
    return [phaseJSON("exponential", [("from", json(1.0)), ("gamma", json(gamma))])]
  }
}
