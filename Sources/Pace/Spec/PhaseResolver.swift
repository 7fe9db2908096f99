//===--- PhaseResolver.swift ----------------------------------------------===//
// One phase or repeat block of a spec -> a resolved Phase / RepeatBlock.
//===----------------------------------------------------------------------===//

/// Resolves phase objects: validates fields per shape, applies defaults,
/// and computes lengths (`steps`, `fraction`, or the rest of the run).
struct PhaseResolver {
  let peak: Double
  let totalSteps: Double?
  /// Owner of the tables, milestones and templates being resolved.
  let arena: Arena
  /// How many `segment` phases enclose the spec being resolved (0 at the
  /// top level): at most `SegmentPlayback.maximumDepth`.
  let segmentDepth: Int
  /// Sum of every `fraction` seen (must stay <= 1).
  var fractionSum = 0.0

  static let interpolatingShapes = ["linear", "cosine", "sqrt", "square", "polynomial", "rex", "uba"]
  static let shapeNames = interpolatingShapes + ["exponential", "constant", "step", "inverse_sqrt", "power", "table", "segment"]
  static let common: Set<String> = ["shape", "steps", "fraction", "from", "offset"]
  static let everyPhaseField: Set<String> = common.union([
    "to", "endpoint", "mirror", "cycles", "exponent", "power", "phi", "gamma", "staircase",
    "step_size", "milestones", "timescale", "a", "b", "tokens_per_step", "values", "points",
    "interpolation", "spec", "origin", "rate",
  ])
  static let blockFields: Set<String> = ["repeat", "cycles", "period_mult", "decay", "decay_mode", "floor",
                                         "decay_per_step"]

  static func allowedFields(_ shape: String) -> Set<String> {
    let interp = common.union(["to", "endpoint", "mirror"])
    switch shape {
    case "cosine": return interp.union(["cycles", "exponent"])
    case "polynomial": return interp.union(["power"])
    case "uba": return interp.union(["phi"])
    case "exponential": return interp.union(["gamma", "staircase"])
    case "constant": return common
    case "step": return common.union(["gamma", "step_size", "milestones"])
    case "inverse_sqrt": return common.union(["timescale"])
    case "power": return common.union(["a", "b", "tokens_per_step"])
    case "table": return ["shape", "steps", "fraction", "offset", "values", "points", "interpolation"]
    case "segment": return ["shape", "steps", "fraction", "offset", "spec", "origin", "rate"]
    default: return interp
    }
  }

  // MARK: - Phases

  mutating func phase(_ object: SpecObject, start: Double, previousEnd: Double,
                      isLast: Bool, inTemplate: Bool) throws(SpecError) -> Phase {
    guard let shapeName = try object.string("shape") else {
      throw SpecError(path: object.pathOf("shape"), "required field is missing")
    }
    guard Self.shapeNames.contains(shapeName) else {
      let list = Self.shapeNames.joined(separator: ", ")
      throw SpecError(path: object.pathOf("shape"), "unknown shape \"\(shapeName)\"; expected one of \(list)"
        + NameSuggestion.hint(shapeName, among: Self.shapeNames))
    }
    let allowed = Self.allowedFields(shapeName)
    for member in object.members where !allowed.contains(member.key) {
      if member.key == "repeat" {
        throw SpecError(path: object.pathOf("repeat"), "repeat blocks do not nest")
      }
      let why = Self.everyPhaseField.contains(member.key)
        ? "does not belong to shape \"\(shapeName)\""
        : (Self.blockFields.contains(member.key) ? "belongs to repeat blocks, not to phases"
          : "unknown field" + NameSuggestion.hint(member.key, among: allowed))
      throw SpecError(path: object.pathOf(member.key), why)
    }

    let shape = try self.shape(shapeName, object)
    var phase = Phase(shape: shape, from: previousEnd, to: .nan, length: 0, offset: 0,
                      endpoint: .exclusive, mirror: true, peak: peak)

    // Length: steps, fraction, len(values), or the rest of the run.
    let steps = try object.number("steps", "a number > 0", { $0 > 0 })
    let fraction = try object.number("fraction", "a number in (0, 1]", { $0 > 0 && $0 <= 1 })
    if steps != nil && fraction != nil {
      throw SpecError(path: object.pathOf("fraction"), "give steps or fraction, not both")
    }
    var length = steps
    if let fraction {
      guard let totalSteps else {
        throw SpecError(path: object.pathOf("fraction"), "a fraction needs total_steps at the top level")
      }
      fractionSum += fraction
      length = fraction * totalSteps
      guard length! > 0 && length!.isFinite else {
        throw SpecError(path: object.pathOf("fraction"), "gives a length of \(length!) steps; must be > 0")
      }
    }
    if case .table(let table) = shape, !table.values.isEmpty {
      let count = Double(table.values.count)
      if let given = length, given != count {
        throw SpecError(path: object.pathOf(steps != nil ? "steps" : "fraction"),
                        "a table of \(table.values.count) values lasts \(table.values.count) steps, got \(JSONWriter.number(given))")
      }
      length = count
    }
    let offset = try object.number("offset", "a number >= 0", { $0 >= 0 }) ?? 0
    if length == nil {
      if inTemplate {
        throw SpecError(path: object.pathOf("steps"), "every phase of a repeat block needs steps or fraction")
      }
      if !isLast {
        throw SpecError(path: object.pathOf("steps"), "only the last phase may leave out steps and fraction")
      }
      if let totalSteps {
        let rest = totalSteps - start
        guard rest > 0 else {
          throw SpecError(path: object.pathOf("steps"),
                          "no steps left: the phases before it reach \(JSONWriter.number(start)) >= total_steps \(JSONWriter.number(totalSteps))")
        }
        length = rest + offset
      } else if shape.isOpenEnded {
        length = .infinity
      } else {
        throw SpecError(path: object.pathOf("steps"),
                        "the last phase needs steps, fraction or a top-level total_steps, unless its shape is open-ended (constant, step, inverse_sqrt, power, exponential with gamma)")
      }
    }
    phase.length = length!
    if !(offset < phase.length) {
      throw SpecError(path: object.pathOf("offset"),
                      "must be in [0, L) with L = \(JSONWriter.number(phase.length)), got \(JSONWriter.number(offset))")
    }
    phase.offset = offset

    // Endpoint values.
    if let from = try object.number("from") { phase.from = from }
    if case .table(let table) = shape {
      phase.from = table.values.first ?? table.pointValues[0]
    }
    if case .segment(let segment) = shape { phase.from = segment.value(at: offset) }
    if shape.interpolates {
      guard let to = try object.number("to") else {
        throw SpecError(path: object.pathOf("to"), "required field is missing for shape \"\(shapeName)\"")
      }
      phase.to = to
      if let e = try object.choice("endpoint", ["exclusive", "inclusive"]) { phase.endpoint = Endpoint(rawValue: e)! }
      phase.mirror = try object.bool("mirror") ?? true
    }
    if case .exponential(let gamma, _) = shape {
      guard phase.from > 0 else {
        throw SpecError(path: object.pathOf("from"),
                        "exponential needs from > 0, got \(JSONWriter.number(phase.from))\(object.has("from") ? "" : " (the previous phase's end value)")")
      }
      if gamma == nil && !(phase.to > 0) {
        throw SpecError(path: object.pathOf("to"), "exponential needs to > 0, got \(JSONWriter.number(phase.to))")
      }
    }
    return phase
  }

  private func shape(_ name: String, _ object: SpecObject) throws(SpecError) -> Shape {
    switch name {
    case "linear": return .interpolating(.linear)
    case "sqrt": return .interpolating(.sqrt)
    case "square": return .interpolating(.square)
    case "rex": return .interpolating(.rex)
    case "cosine":
      let cycles = try object.number("cycles", "a number > 0", { $0 > 0 }) ?? 0.5
      let exponent = try object.number("exponent", "a number > 0", { $0 > 0 }) ?? 1
      return .interpolating(.cosine(cycles: cycles, exponent: exponent))
    case "polynomial":
      return .interpolating(.polynomial(power: try object.number("power", "a number > 0", { $0 > 0 }) ?? 1))
    case "uba":
      return .interpolating(.uba(phi: try object.requiredNumber("phi", "a number > 0", { $0 > 0 })))
    case "exponential":
      let gamma = try object.number("gamma", "a number > 0", { $0 > 0 })
      if gamma != nil && object.has("to") {
        throw SpecError(path: object.pathOf("gamma"), "give to or gamma, not both")
      }
      if gamma == nil && !object.has("to") {
        throw SpecError(path: object.pathOf("to"), "exponential needs to (or gamma)")
      }
      var staircase: Double?
      if let k = try object.stepCount("staircase", minimum: 1) { staircase = Double(k) }
      return .exponential(gamma: gamma, staircase: staircase)
    case "constant":
      return .constant
    case "step":
      let gamma = try object.requiredNumber("gamma", "a number > 0", { $0 > 0 })
      let stepSize = try object.stepCount("step_size", minimum: 1)
      let milestoneValues = try object.array("milestones")
      if stepSize != nil && milestoneValues != nil {
        throw SpecError(path: object.pathOf("milestones"), "give step_size or milestones, not both")
      }
      if let stepSize {
        return .step(gamma: gamma, stepSize: Double(stepSize), milestones: arena.copy([Double]()))
      }
      guard let milestoneValues else {
        throw SpecError(path: object.pathOf("step_size"), "step needs step_size or milestones")
      }
      var milestones: [Int64] = []
      for (i, m) in milestoneValues.enumerated() {
        let path = "\(object.pathOf("milestones"))[\(i)]"
        let v = try SpecObject.stepCount(m, path: path)
        if let last = milestones.last, v <= last {
          throw SpecError(path: path, "milestones must be increasing, got \(v) after \(last)")
        }
        milestones.append(v)
      }
      return .step(gamma: gamma, stepSize: nil, milestones: arena.copy(milestones.map { Double($0) }))
    case "inverse_sqrt":
      return .inverseSqrt(timescale: try object.requiredNumber("timescale", "a number >= 1", { $0 >= 1 }))
    case "power":
      let a = try object.requiredNumber("a", "a number > 0", { $0 > 0 })
      let b = try object.requiredNumber("b", "a number < 0", { $0 < 0 })
      let c = try object.number("tokens_per_step", "a number > 0", { $0 > 0 }) ?? 1
      return .power(a: a, b: b, tokensPerStep: c)
    case "table":
      return .table(try table(object))
    case "segment":
      return .segment(try segment(object))
    default:
      throw SpecError(path: object.pathOf("shape"), "unknown shape \"\(name)\"")
    }
  }

  private func table(_ object: SpecObject) throws(SpecError) -> Table {
    let values = try object.numbers("values")
    let pointList = try object.array("points")
    if values != nil && pointList != nil {
      throw SpecError(path: object.pathOf("points"), "give values or points, not both")
    }
    if let values {
      guard !values.isEmpty else { throw SpecError(path: object.pathOf("values"), "must not be empty") }
      if object.has("interpolation") {
        throw SpecError(path: object.pathOf("interpolation"), "applies to points only")
      }
      return Table(values: arena.copy(values), pointPositions: arena.copy([Double]()), pointValues: arena.copy([Double]()),
                   interpolation: .step)
    }
    guard let pointList else {
      throw SpecError(path: object.pathOf("values"), "table needs values or points")
    }
    guard !pointList.isEmpty else { throw SpecError(path: object.pathOf("points"), "must not be empty") }
    var positions: [Double] = []
    var multipliers: [Double] = []
    for (i, point) in pointList.enumerated() {
      let path = "\(object.pathOf("points"))[\(i)]"
      guard case .array(let pair) = point, pair.count == 2,
        case .number(let u, _) = pair[0], case .number(let m, _) = pair[1], u.isFinite, m.isFinite
      else {
        throw SpecError(path: path, "must be a pair [u, m] of finite numbers, got \(point.brief)")
      }
      if let last = positions.last, !(u > last) {
        throw SpecError(path: path, "point positions must be increasing, got \(JSONWriter.number(u)) after \(JSONWriter.number(last))")
      }
      positions.append(u)
      multipliers.append(m)
    }
    let interpolation = try object.choice("interpolation", ["linear", "step"]) ?? "linear"
    return Table(values: arena.copy([Double]()), pointPositions: arena.copy(positions), pointValues: arena.copy(multipliers),
                 interpolation: TableInterpolation(rawValue: interpolation)!)
  }

  /// A `segment` phase's playback: its nested `spec` parsed one level
  /// deeper (errors carry the nested path), `origin` and `rate`.
  private func segment(_ object: SpecObject) throws(SpecError) -> SegmentPlayback {
    guard let spec = object["spec"] else {
      throw SpecError(path: object.pathOf("spec"), "required field is missing (the schedule spec the segment plays)")
    }
    guard segmentDepth < SegmentPlayback.maximumDepth else {
      throw SpecError(path: object.pathOf("spec"), "segments nest at most \(SegmentPlayback.maximumDepth) deep")
    }
    let nested: Schedule
    do throws(SpecError) {
      nested = try Schedule.parse(spec, segmentDepth: segmentDepth + 1)
    } catch {
      throw SpecError(path: joinPath(object.pathOf("spec"), error.path), error.message)
    }
    let origin = try object.number("origin", "a number in [0, 2^53]", { $0 >= 0 && $0 <= 0x1p53 }) ?? 0
    let rate = try object.number("rate", "a number > 0", { $0 > 0 }) ?? 1
    return SegmentPlayback(nested: arena.keep(nested), origin: origin, rate: rate)
  }

  // MARK: - Repeat blocks

  mutating func block(_ object: SpecObject, start: Double, previousEnd: Double) throws(SpecError) -> RepeatBlock {
    for member in object.members where !Self.blockFields.contains(member.key) {
      throw SpecError(path: object.pathOf(member.key), "unknown field for a repeat block" + NameSuggestion.hint(member.key, among: Self.blockFields))
    }
    let list = try object.array("repeat")!
    guard !list.isEmpty else { throw SpecError(path: object.pathOf("repeat"), "must not be empty") }
    var cycles: Int64?
    if let value = object["cycles"], value != .null {
      let n = try SpecObject.integer(value, path: object.pathOf("cycles"))
      guard n >= 1 else { throw SpecError(path: object.pathOf("cycles"), "must be an integer >= 1 or null, got \(n)") }
      cycles = n
    }
    let periodMult = try object.number("period_mult", "a number > 0", { $0 > 0 }) ?? 1
    if periodMult < 1 && cycles == nil {
      throw SpecError(path: object.pathOf("period_mult"), "a period_mult below 1 needs a finite number of cycles")
    }
    let decay = try object.number("decay", "a number > 0", { $0 > 0 }) ?? 1
    let mode = DecayMode(rawValue: try object.choice("decay_mode", ["amplitude", "peak"]) ?? "amplitude")!
    let floor = try object.number("floor") ?? 0
    let decayPerStep = try object.number("decay_per_step", "a number > 0", { $0 > 0 }) ?? 1

    var template: [Phase] = []
    var templateStarts: [Double] = []
    var offsetInCycle = 0.0
    var end = previousEnd
    for (i, element) in list.enumerated() {
      let path = "\(object.pathOf("repeat"))[\(i)]"
      let phaseObject = try SpecObject(element, path: path)
      if phaseObject.has("repeat") {
        throw SpecError(path: joinPath(path, "repeat"), "repeat blocks do not nest")
      }
      let phase = try self.phase(phaseObject, start: start + offsetInCycle, previousEnd: end,
                                 isLast: false, inTemplate: true)
      template.append(phase)
      templateStarts.append(offsetInCycle)
      offsetInCycle += phase.duration
      end = phase.endValue(length: phase.length, endStep: start + offsetInCycle, map: .identity)
    }
    let block = RepeatBlock(template: arena.copy(template), templateStarts: arena.copy(templateStarts), period: offsetInCycle,
                            cycles: cycles, periodMult: periodMult, decay: decay, decayMode: mode,
                            floor: floor, decayPerStep: decayPerStep)
    if !(block.duration > 0) || block.duration.isNaN {
      throw SpecError(path: object.pathOf("repeat"), "the block's length is not a positive number")
    }
    return block
  }
}
