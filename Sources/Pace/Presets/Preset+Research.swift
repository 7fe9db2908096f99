//===--- Preset+Research.swift --------------------------------------------===//
// llm.c, REX, UBA, the Power scheduler and infinite schedules.
//===----------------------------------------------------------------------===//
import RealModule

extension Preset {
  /// llm.c get_learning_rate: warmup `(step + 1) / W` (inclusive endpoint),
  /// then cosine, linear, constant, or wsd (constant to `floor(0.8 T)`, then
  /// 1-sqrt), ending at `final_frac`. Evaluated in float64 (llm.c: float32).
  static func llmc(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let type = try p.choice("type", ["cosine", "linear", "constant", "wsd"], default: "cosine")
    let w = try p.steps("warmup_steps", default: 0)
    let frac = try p.number("final_frac", default: 0, "a number in [0, 1]", { $0 >= 0 && $0 <= 1 })
    if type == "constant" {
      if p.root.has("total_steps") { _ = try p.totalSteps(above: w, what: "warmup_steps") }
      return [phaseJSON("constant", [("from", json(1.0))])]
    }
    let t = try p.totalSteps(above: w, what: "warmup_steps")
    let inclusive: [(String, JSONValue)] = [("endpoint", .string("inclusive"))]
    let warmup = warmupJSON(w, inclusive)
    switch type {
    case "cosine": return warmup + [rampJSON("cosine", steps: Double(t - w), from: 1, to: frac)]
    case "linear": return warmup + [rampJSON("linear", steps: Double(t - w), from: 1, to: frac)]
    default:
      let decayPoint = Int64((0.8 * Double(t)).rounded(.down))
      guard decayPoint >= w, decayPoint < t else {
        throw SpecError(path: "warmup_steps", "must not exceed the decay point floor(0.8 * total_steps) = \(decayPoint)")
      }
      var phases = warmup
      if decayPoint > w {
        phases.append(phaseJSON("constant", [("steps", json(decayPoint - w)), ("from", json(1.0))]))
      }
      phases.append(rampJSON("sqrt", steps: Double(t - decayPoint), from: 1, to: frac))
      return phases
    }
  }

  /// REX (Chen et al. 2022) and UBA (Tang et al. 2025, `phi`) after a linear
  /// warmup from 0.
  static func rexOrUBA(_ p: inout PresetParameters, shape: String) throws(SpecError) -> [JSONValue] {
    let w = try p.steps("warmup_steps", default: 0)
    let t = try p.totalSteps(above: w, what: "warmup_steps")
    let minRatio = try p.number("min_ratio", default: 0, "a number in [0, 1]", { $0 >= 0 && $0 <= 1 })
    var extra: [(String, JSONValue)] = []
    if shape == "uba" {
      extra.append(("phi", json(try p.number("phi", default: nil, "a number > 0", { $0 > 0 }))))
    }
    return warmupJSON(w) + [rampJSON(shape, steps: Double(t - w), from: 1, to: minRatio, extra)]
  }

  /// Power scheduler (Shen et al. 2024): linear warmup to the power value at
  /// W, `min(1, a (t c)^b / peak)` until `T - decay_steps`, then a decay to
  /// `min_ratio`.
  static func power(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let a = try p.number("a", default: nil, "a number > 0", { $0 > 0 })
    let b = try p.number("b", default: nil, "a number < 0", { $0 < 0 })
    let c = try p.number("tokens_per_step", default: nil, "a number > 0", { $0 > 0 })
    let w = try p.steps("warmup_steps", default: 0)
    let d = try p.steps("decay_steps", default: 0)
    let t = try p.totalSteps(above: w + d, what: "warmup_steps + decay_steps")
    let decayType = shapeForType(try p.choice("decay_type", ["linear", "cosine", "sqrt", "1-sqrt", "exponential"],
                                              default: "linear"))
    let minRatio = try p.number("min_ratio", default: 0, "a number in [0, 1]", { $0 >= 0 && $0 <= 1 })
    if decayType == "exponential" && d > 0 && !(minRatio > 0) {
      throw SpecError(path: "min_ratio", "an exponential decay needs min_ratio > 0")
    }
    let peak = p.peak
    var phases: [JSONValue] = []
    if w > 0 {
      let atWarmupEnd = Swift.min(1, a * Double.pow(Double(w) * c, b) / peak)
      phases.append(rampJSON("linear", steps: Double(w), from: 0, to: atWarmupEnd))
    }
    phases.append(phaseJSON("power", [("steps", json(t - d - w)), ("from", json(1.0)), ("a", json(a)),
                                      ("b", json(b)), ("tokens_per_step", json(c))]))
    if d > 0 {
      phases.append(phaseJSON(decayType, [("steps", json(d)), ("to", json(minRatio))]))
    }
    return phases
  }

  /// Infinite schedule (Ibrahim et al. 2024): warmup, cooldown to
  /// `constant_ratio`, constant (forever without `total_steps`), and with
  /// `total_steps` an exponential anneal to `min_ratio` over `anneal_steps`.
  static func infinite(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let w = try p.steps("warmup_steps", default: 0)
    let cooldown = try p.steps("cooldown_steps")
    guard cooldown > 0 else { throw SpecError(path: "cooldown_steps", "must be an integer > 0, got 0") }
    let constantRatio = try p.number("constant_ratio", default: nil, "a number in (0, 1]", { $0 > 0 && $0 <= 1 })
    let cooldownType = shapeForType(try p.choice("cooldown_type", ["cosine", "linear", "sqrt", "1-sqrt"], default: "cosine"))
    let anneal = try p.steps("anneal_steps", default: 0)
    p.used.insert("min_ratio")
    var phases = warmupJSON(w)
    phases.append(rampJSON(cooldownType, steps: Double(cooldown), from: 1, to: constantRatio))
    if p.root.has("total_steps") {
      let t = try p.totalSteps(above: w + cooldown + anneal, what: "warmup_steps + cooldown_steps + anneal_steps")
      phases.append(phaseJSON("constant", [("steps", json(t - w - cooldown - anneal)), ("from", json(constantRatio))]))
      if anneal > 0 {
        let minRatio = try p.number("min_ratio", default: nil, "a number in (0, constant_ratio]",
                                    { $0 > 0 && $0 <= constantRatio })
        phases.append(phaseJSON("exponential", [("steps", json(anneal)), ("to", json(minRatio))]))
      }
    } else {
      if anneal > 0 {
        throw SpecError(path: "anneal_steps", "needs total_steps (the anneal ends the run)")
      }
      phases.append(phaseJSON("constant", [("from", json(constantRatio))]))
    }
    return phases
  }
}
