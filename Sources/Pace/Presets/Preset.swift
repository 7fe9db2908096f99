//===--- Preset.swift -----------------------------------------------------===//
// Named schedules expanded to phases; parameter reading and JSON builders.
//===----------------------------------------------------------------------===//

/// Expands `{"preset": NAME, ...}` into a spec with `phases`.
///
/// Each preset reproduces the named library's numbers for steps below its
/// total; the expansion is what `to_json` prints.
enum Preset {
  /// Names of every preset, for error messages.
  static let names = [
    "constant", "constant_with_warmup", "linear", "cosine", "cosine_with_restarts", "polynomial",
    "inverse_sqrt", "wsd", "onecycle", "sgdr", "cyclic", "step", "multistep", "exponential",
    "warmup_cosine", "timm_cosine", "llmc", "rex", "uba", "power", "infinite",
  ]

  static func expand(_ root: SpecObject) throws(SpecError) -> JSONValue {
    guard let name = try root.string("preset") else { throw SpecError(path: "preset", "must be a string") }
    if root.has("phases") {
      throw SpecError(path: "phases", "give phases or a preset, not both")
    }
    var p = PresetParameters(root: root, preset: name)
    let phases: [JSONValue]
    switch name {
    case "constant", "constant_with_warmup": phases = try constant(&p)
    case "linear": phases = try linear(&p)
    case "cosine": phases = try cosine(&p)
    case "cosine_with_restarts": phases = try cosineWithRestarts(&p)
    case "polynomial": phases = try polynomial(&p)
    case "inverse_sqrt": phases = try inverseSqrt(&p)
    case "wsd": phases = try wsd(&p)
    case "onecycle": phases = try onecycle(&p)
    case "sgdr": phases = try sgdr(&p)
    case "cyclic": phases = try cyclic(&p)
    case "step": phases = try step(&p)
    case "multistep": phases = try multistep(&p)
    case "exponential": phases = try exponential(&p)
    case "warmup_cosine": phases = try warmupCosine(&p)
    case "timm_cosine": phases = try timmCosine(&p)
    case "llmc": phases = try llmc(&p)
    case "rex": phases = try rexOrUBA(&p, shape: "rex")
    case "uba": phases = try rexOrUBA(&p, shape: "uba")
    case "power": phases = try power(&p)
    case "infinite": phases = try infinite(&p)
    default:
      let list = names.joined(separator: ", ")
      throw SpecError(path: "preset", "unknown preset \"\(name)\"; expected one of \(list)" + NameSuggestion.hint(name, among: names))
    }
    try p.rejectUnused()
    var members: [(key: String, value: JSONValue)] = [("version", .number(1, text: "1"))]
    for key in ["peak", "after", "total_steps"] {
      if let v = root[key] { members.append((key, v)) }
    }
    members.append(("phases", .array(phases)))
    return .object(members)
  }
}

/// Reads preset parameters, remembering which were used so that unknown
/// ones are rejected.
struct PresetParameters {
  let root: SpecObject
  let preset: String
  var used: Set<String> = ["preset", "version", "peak", "after", "total_steps"]

  init(root: SpecObject, preset: String) {
    self.root = root
    self.preset = preset
  }

  var peak: Double {
    if case .number(let x, _)? = root["peak"], x.isFinite, x > 0 { return x }
    return 1
  }

  func rejectUnused() throws(SpecError) {
    for member in root.members where !used.contains(member.key) {
      throw SpecError(path: member.key, "unknown parameter for preset \"\(preset)\"" + NameSuggestion.hint(member.key, among: used))
    }
  }

  /// A non-negative integer step count.
  mutating func steps(_ key: String, default value: Int64? = nil) throws(SpecError) -> Int64 {
    used.insert(key)
    guard let n = try root.stepCount(key) else {
      guard let value else { throw SpecError(path: key, "required by preset \"\(preset)\"") }
      return value
    }
    return n
  }

  mutating func optionalSteps(_ key: String) throws(SpecError) -> Int64? {
    if root.has(key) { return try steps(key) }
    used.insert(key)
    return nil
  }

  mutating func number(_ key: String, default value: Double? = nil, _ rule: String = "a finite number",
                       _ check: (Double) -> Bool = { _ in true }) throws(SpecError) -> Double {
    used.insert(key)
    guard let x = try root.number(key, rule, check) else {
      guard let value else { throw SpecError(path: key, "required by preset \"\(preset)\"") }
      return value
    }
    return x
  }

  mutating func choice(_ key: String, _ choices: [String], default value: String) throws(SpecError) -> String {
    used.insert(key)
    return try root.choice(key, choices) ?? value
  }

  mutating func bool(_ key: String, default value: Bool) throws(SpecError) -> Bool {
    used.insert(key)
    return try root.bool(key) ?? value
  }

  /// `total_steps`, required and > `after`.
  mutating func totalSteps(above lower: Int64, what: String) throws(SpecError) -> Int64 {
    guard let t = try root.stepCount("total_steps") else {
      throw SpecError(path: "total_steps", "required by preset \"\(preset)\" (an integer)")
    }
    guard t > lower else {
      throw SpecError(path: "total_steps", "must be greater than \(what) (\(lower)), got \(t)")
    }
    return t
  }
}

// MARK: - Builders of phase objects

/// A JSON number.
func json(_ x: Double) -> JSONValue { .number(x, text: JSONWriter.number(x)) }
func json(_ x: Int64) -> JSONValue { .number(Double(x), text: String(x)) }

/// A phase object: `shape` first, then the given fields in order.
func phaseJSON(_ shape: String, _ fields: [(String, JSONValue)]) -> JSONValue {
  .object([("shape", .string(shape))] + fields.map { (key: $0.0, value: $0.1) })
}

/// An interpolating phase `from -> to` over `steps`.
func rampJSON(_ shape: String, steps: Double, from: Double, to: Double,
              _ extra: [(String, JSONValue)] = []) -> JSONValue {
  phaseJSON(shape, [("steps", json(steps)), ("from", json(from)), ("to", json(to))] + extra)
}

/// The usual linear warmup `from -> 1` over `steps` (none when 0).
func warmupJSON(_ steps: Int64, from: Double = 0, _ extra: [(String, JSONValue)] = []) -> [JSONValue] {
  steps > 0 ? [rampJSON("linear", steps: Double(steps), from: from, to: 1, extra)] : []
}

/// Maps a decay or warmup type name (accepting the aliases of HF and
/// Megatron) to a shape name.
func shapeForType(_ name: String) -> String {
  switch name {
  case "1-sqrt", "minus_sqrt": return "sqrt"
  case "1-square": return "square"
  case "cos": return "cosine"
  default: return name
  }
}
