//===--- Schedule+JSON.swift ----------------------------------------------===//
// The canonical, fully expanded spec of a schedule.
//===----------------------------------------------------------------------===//

extension Schedule {
  /// The canonical spec: presets expanded, every default written out, every
  /// length in steps. Parsing it gives a schedule with bit-identical values.
  public var canonicalJSON: JSONValue {
    var members: [(key: String, value: JSONValue)] = [
      ("version", json(1.0)), ("peak", json(peak)), ("after", .string(after.rawValue)),
    ]
    if let totalStepsField { members.append(("total_steps", json(totalStepsField))) }
    members.append(("phases", .array(items.map { item in
      switch item {
      case .phase(let phase): return phase.canonicalJSON
      case .block(let block): return block.canonicalJSON
      }
    })))
    return .object(members)
  }

  /// ``canonicalJSON`` as compact text.
  public var canonicalText: String { JSONWriter.render(canonicalJSON) }
}

extension Phase {
  /// The phase as a fully explicit spec object.
  var canonicalJSON: JSONValue {
    var m: [(key: String, value: JSONValue)] = [("shape", .string(shape.name))]
    if length.isFinite { m.append(("steps", json(length))) }
    if offset != 0 { m.append(("offset", json(offset))) }
    if case .table = shape {} else { m.append(("from", json(from))) }
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
