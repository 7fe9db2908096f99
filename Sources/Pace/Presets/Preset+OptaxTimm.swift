//===--- Preset+OptaxTimm.swift -------------------------------------------===//
// optax warmup_cosine_decay_schedule and timm CosineLRScheduler.
//===----------------------------------------------------------------------===//

extension Preset {
  /// optax.warmup_cosine_decay_schedule(init, peak, warmup_steps,
  /// decay_steps, end_value, exponent); `decay_steps` includes the warmup.
  static func warmupCosine(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let initRatio = try p.number("init_ratio", default: 0)
    let w = try p.steps("warmup_steps", default: 0)
    let d = try p.steps("decay_steps")
    guard d > w else { throw SpecError(path: "decay_steps", "must be greater than warmup_steps (\(w)), got \(d)") }
    let endRatio = try p.number("end_ratio", default: 0)
    let exponent = try p.number("exponent", default: 1, "a number > 0", { $0 > 0 })
    // optax's linear_schedule is the falling formula applied as is.
    return warmupJSON(w, from: initRatio, [("mirror", .bool(false))])
      + [rampJSON("cosine", steps: Double(d - w), from: 1, to: endRatio, [("exponent", json(exponent))])]
  }

  /// timm CosineLRScheduler (no noise, k_decay = 1). Without
  /// `warmup_prefix` the warmup overlays the first cycle (an `offset`).
  static func timmCosine(_ p: inout PresetParameters) throws(SpecError) -> [JSONValue] {
    let tInitial = try p.steps("t_initial")
    guard tInitial > 0 else { throw SpecError(path: "t_initial", "must be an integer > 0, got 0") }
    let lrMin = try p.number("lr_min_ratio", default: 0, "a number in [0, 1)", { $0 >= 0 && $0 < 1 })
    let w = try p.steps("warmup_t", default: 0)
    let warmupInit = try p.number("warmup_lr_init_ratio", default: 0)
    let prefix = try p.bool("warmup_prefix", default: false)
    let mul = try p.number("cycle_mul", default: 1, "a number > 0", { $0 > 0 })
    let decay = try p.number("cycle_decay", default: 1, "a number > 0", { $0 > 0 })
    let limit = try p.steps("cycle_limit", default: 1)
    guard limit >= 1 else { throw SpecError(path: "cycle_limit", "must be an integer >= 1, got 0") }
    if !prefix && w >= tInitial && w > 0 {
      throw SpecError(path: "warmup_t", "must be below t_initial (\(tInitial)) unless warmup_prefix is true")
    }
    var phases: [JSONValue] = warmupJSON(w, from: warmupInit)
    func block(length: Double, from: Double, cycles: Int64) -> JSONValue {
      .object([
        ("repeat", .array([rampJSON("cosine", steps: length, from: from, to: lrMin)])),
        ("cycles", json(cycles)), ("period_mult", json(mul)), ("decay", json(decay)),
        ("decay_mode", .string("peak")), ("floor", json(lrMin)),
      ])
    }
    if prefix || w == 0 {
      phases.append(block(length: Double(tInitial), from: 1, cycles: limit))
    } else {
      phases.append(rampJSON("cosine", steps: Double(tInitial), from: 1, to: lrMin, [("offset", json(w))]))
      if limit > 1 {
        phases.append(block(length: Double(tInitial) * mul, from: decay, cycles: limit - 1))
      }
    }
    return phases
  }
}
