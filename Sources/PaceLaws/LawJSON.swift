//===--- LawJSON.swift ----------------------------------------------------===//
// A law saved as JSON text with a format version.
//===----------------------------------------------------------------------===//
import Pace

extension LossLaw {
  /// The saved format's version.
  public static let formatVersion = 1

  /// `{"format":"pace-law","version":1,"law":"multi_power","warmup":"raw",
  /// "params":{"L0":...,...},"fit":{...}}`; `fit` is written when a report
  /// is given. Numbers print in the shortest form that reads back exactly.
  public func jsonText(report: FitReport? = nil) -> String {
    var members: [(key: String, value: JSONValue)] = [
      ("format", .string("pace-law")),
      ("version", .number(Double(Self.formatVersion), text: "")),
      ("law", .string(kind.rawValue)),
      ("warmup", .string(warmup.rawValue)),
      ("params", .object(namedParameters.map { ($0.name, .number($0.value, text: "")) })),
    ]
    if let report { members.append(("fit", report.json)) }
    return JSONWriter.render(.object(members))
  }

  /// Reads text written by ``jsonText(report:)``. Unknown top-level fields
  /// and a `fit` object are accepted (the report is informative).
  /// Throws `.state` for text that is not a saved law, `.version` for
  /// another format version.
  public init(jsonText text: String) throws(LawError) {
    let doc: JSONValue
    do throws(JSONReadError) {
      doc = try JSONReader.parse(text)
    } catch {
      throw .state("saved law: not valid JSON: \(error.description)")
    }
    guard case .object(let members) = doc else { throw .state("saved law: expected a JSON object") }
    func member(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }
    guard case .string("pace-law")? = member("format") else {
      throw .state("saved law: \"format\" must be \"pace-law\"")
    }
    guard case .number(let version, _)? = member("version") else { throw .state("saved law: \"version\" is missing") }
    guard version == Double(Self.formatVersion) else {
      throw .version("saved law: format version \(version) is not supported (this library reads version \(Self.formatVersion))")
    }
    guard case .string(let lawName)? = member("law"), let kind = LawKind(rawValue: lawName) else {
      throw .state("saved law: \"law\" must be \"multi_power\" or \"annealing\"")
    }
    var warmup = kind.defaultWarmup
    if let w = member("warmup") {
      guard case .string(let name) = w, let mode = WarmupMode(rawValue: name) else {
        throw .state("saved law: \"warmup\" must be \"sum\", \"peak\" or \"raw\"")
      }
      warmup = mode
    }
    guard case .object(let params)? = member("params") else { throw .state("saved law: \"params\" must be an object") }
    var named: [String: Double] = [:]
    for (key, value) in params {
      guard case .number(let x, _) = value else { throw .state("saved law: params.\(key) must be a number") }
      named[key] = x
    }
    do throws(LawError) {
      try self.init(kind: kind, named: named, warmup: warmup)
    } catch {
      throw .state("saved law: \(error.description)")
    }
  }
}

extension FitReport {
  var json: JSONValue {
    func num(_ x: Double) -> JSONValue { x.isFinite ? .number(x, text: "") : .null }
    func metrics(_ m: LawMetrics) -> JSONValue {
      .object([("r2", num(m.r2)), ("mae", num(m.mae)), ("rmse", num(m.rmse)), ("pred_e", num(m.predE)),
               ("worst_e", num(m.worstE)), ("points", .number(Double(m.points), text: ""))])
    }
    return .object([
      ("objective", num(objective)),
      ("converged", .bool(converged)),
      ("points", .number(Double(points), text: "")),
      ("curves", .number(Double(curves), text: "")),
      ("starts", .number(Double(starts), text: "")),
      ("iterations", .number(Double(iterations), text: "")),
      ("metrics", metrics(self.metrics)),
      ("per_curve", .array(perCurve.map(metrics))),
    ])
  }

  /// The report as JSON text.
  public var jsonText: String { JSONWriter.render(json) }
}
