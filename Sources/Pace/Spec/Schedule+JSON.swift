//===--- Schedule+JSON.swift ----------------------------------------------===//
// The canonical, fully expanded spec of a schedule.
//===----------------------------------------------------------------------===//

extension Schedule {
  /// The canonical spec: presets expanded, every default written out, every
  /// length in steps. Parsing it gives a schedule with bit-identical values.
  package var canonicalJSON: JSONValue {
    var members: [(key: String, value: JSONValue)] = [
      ("version", json(1.0)), ("peak", json(peak)), ("after", .string(after.rawValue)),
    ]
    if let totalStepsField { members.append(("total_steps", json(totalStepsField))) }
    members.append(("phases", .array(itemBuffer.map { item in
      switch item {
      case .phase(let phase): return phase.canonicalJSON
      case .block(let block): return block.canonicalJSON
      }
    })))
    return .object(members)
  }

  /// The canonical spec as compact JSON text: presets expanded, every
  /// default written out, every length in steps. Parsing it gives a
  /// schedule with bit-identical values.
  ///
  /// - Complexity: O(phases + table values).
  public var canonicalText: String { JSONWriter.render(canonicalJSON) }
}

extension Phase {
  /// The phase as a fully explicit spec object.
  var canonicalJSON: JSONValue {
    var m: [(key: String, value: JSONValue)] = [("shape", .string(shape.name))]
    if length.isFinite { m.append(("steps", json(length))) }
    if offset != 0 { m.append(("offset", json(offset))) }
    switch shape {
    case .table, .segment: break  // from is the first value played
    default: m.append(("from", json(from)))
    }
    if shape.interpolates {
      m.append(("to", json(to)))
      m.append(("endpoint", .string(endpoint.rawValue)))
      m.append(("mirror", .bool(mirror)))
    }
    switch shape {
    case .interpolating(let curve):
      switch curve {
      case .cosine(let cycles, let exponent):
        m.append(("cycles", json(cycles)))
        m.append(("exponent", json(exponent)))
      case .polynomial(let power): m.append(("power", json(power)))
      case .uba(let phi): m.append(("phi", json(phi)))
      default: break
      }
    case .exponential(let gamma, let staircase):
      if let gamma { m.append(("gamma", json(gamma))) }
      if let staircase { m.append(("staircase", json(staircase))) }
    case .constant: break
    case .step(let gamma, let stepSize, let milestones):
      m.append(("gamma", json(gamma)))
      if let stepSize { m.append(("step_size", json(stepSize))) }
      else { m.append(("milestones", .array(milestones.map { json($0) }))) }
    case .inverseSqrt(let timescale): m.append(("timescale", json(timescale)))
    case .power(let a, let b, let c):
      m.append(("a", json(a)))
      m.append(("b", json(b)))
      m.append(("tokens_per_step", json(c)))
    case .table(let table):
      if !table.values.isEmpty {
        m.append(("values", .array(table.values.map { json($0) })))
      } else {
        m.append(("points", .array(zip(table.pointPositions, table.pointValues).map { JSONValue.array([json($0), json($1)]) })))
        m.append(("interpolation", .string(table.interpolation.rawValue)))
      }
    case .segment(let segment):
      m.append(("spec", segment.withNested { $0.canonicalJSON }))
      m.append(("origin", json(segment.origin)))
      m.append(("rate", json(segment.rate)))
    }
    return .object(m)
  }
}

extension RepeatBlock {
  /// The block as a fully explicit spec object.
  var canonicalJSON: JSONValue {
    .object([
      ("repeat", .array(template.map { $0.canonicalJSON })),
      ("cycles", cycles.map { json($0) } ?? .null),
      ("period_mult", json(periodMult)),
      ("decay", json(decay)),
      ("decay_mode", .string(decayMode.rawValue)),
      ("floor", json(floor)),
      ("decay_per_step", json(decayPerStep)),
    ])
  }
}

// MARK: - Only finite numbers

extension Schedule {
  /// The JSON path of the first number the canonical spec would print that
  /// is not finite (a value resolved at parse that overflowed, e.g. the
  /// default `from` of a template phase after a steep exponential), or nil.
  /// JSON has no spelling for such numbers, so `parse` rejects the schedule:
  /// every accepted schedule's canonical text parses back.
  ///
  /// - Complexity: O(phases + table entries), no text built.
  var nonFiniteCanonicalField: String? {
    if !peak.isFinite { return "peak" }
    if let totalStepsField, !totalStepsField.isFinite { return "total_steps" }
    for (i, item) in itemBuffer.enumerated() {
      switch item {
      case .phase(let phase):
        if let field = phase.nonFiniteCanonicalField { return "phases[\(i)].\(field)" }
      case .block(let block):
        for (j, phase) in block.template.enumerated() {
          if let field = phase.nonFiniteCanonicalField { return "phases[\(i)].repeat[\(j)].\(field)" }
        }
        let fields = [("period_mult", block.periodMult), ("decay", block.decay), ("floor", block.floor),
                      ("decay_per_step", block.decayPerStep)]
        if let bad = fields.first(where: { !$0.1.isFinite }) { return "phases[\(i)].\(bad.0)" }
      }
    }
    return nil
  }
}

extension Phase {
  /// The first field of ``canonicalJSON`` holding a non-finite number.
  var nonFiniteCanonicalField: String? {
    var fields: [(String, Double)] = [("offset", offset)]  // steps: printed only when finite
    switch shape {
    case .table, .segment: break
    default: fields.append(("from", from))
    }
    if shape.interpolates { fields.append(("to", to)) }
    switch shape {
    case .interpolating(let curve):
      switch curve {
      case .cosine(let cycles, let exponent): fields += [("cycles", cycles), ("exponent", exponent)]
      case .polynomial(let power): fields.append(("power", power))
      case .uba(let phi): fields.append(("phi", phi))
      default: break
      }
    case .exponential(let gamma, let staircase):
      if let gamma { fields.append(("gamma", gamma)) }
      if let staircase { fields.append(("staircase", staircase)) }
    case .constant: break
    case .step(let gamma, let stepSize, let milestones):
      fields.append(("gamma", gamma))
      if let stepSize { fields.append(("step_size", stepSize)) }
      if let bad = milestones.firstIndex(where: { !$0.isFinite }) { return "milestones[\(bad)]" }
    case .inverseSqrt(let timescale): fields.append(("timescale", timescale))
    case .power(let a, let b, let c): fields += [("a", a), ("b", b), ("tokens_per_step", c)]
    case .table(let table):
      if let bad = table.values.firstIndex(where: { !$0.isFinite }) { return "values[\(bad)]" }
      if let bad = table.pointPositions.firstIndex(where: { !$0.isFinite }) { return "points[\(bad)]" }
      if let bad = table.pointValues.firstIndex(where: { !$0.isFinite }) { return "points[\(bad)]" }
    case .segment: break  // origin and rate are checked at parse; the nested spec was parsed
    }
    return fields.first { !$0.1.isFinite }?.0
  }
}
