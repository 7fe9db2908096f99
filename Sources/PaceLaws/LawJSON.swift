//===--- LawJSON.swift ----------------------------------------------------===//
// A law saved as JSON text: format, version, length, checksum, fit report.
//===----------------------------------------------------------------------===//
import Pace

/// The saved form of a law (version 3), one line of JSON:
///
/// ```
/// {"format":"pace-law","version":3,"length":L,"crc32":C,"law":BODY}
/// BODY = {"kind":"multi_power","warmup":"raw","params":{"L0":...,...},"fit":{...},"interval":{...}}
/// ```
/// `L` is BODY's length in bytes and `C` the CRC-32 (zlib's) of the version
/// number's decimal digits followed by BODY's bytes (version 2: of BODY alone;
/// covering the version means a damaged version digit cannot pass as another
/// version's text),
/// both decimal (JSON whitespace may follow the text, e.g. a file's final
/// newline). Everything before BODY is fixed once `L` and `C` are known,
/// so a reader checks the prefix, the length and the checksum before it
/// looks at BODY: damage (one flipped bit anywhere) is `.state`, a newer
/// version `.version`. `fit` is present when the law came from a fit, and
/// `interval` when its prediction interval was calibrated
/// (``PredictionInterval``: method, curves, points and the 201 quantiles of
/// the log residuals); both are read back, so save -> load -> save is
/// byte-identical. Numbers print in the shortest form that reads back
/// exactly; non-finite report values as null. Version 2 (the same layout
/// without `interval`) and version 1 (no length, no checksum, no report read
/// back) are still read.
extension LossLaw {
  /// The saved format's version.
  public static let formatVersion = 3

  /// The checksum of `body` saved with version `version` (see above).
  static func checksum(version: Int, body: [UInt8]) -> UInt32 {
    version >= 3 ? CRC32.checksum(Array(String(version).utf8) + body) : CRC32.checksum(body)
  }

  /// The text before BODY for a body of `length` bytes and checksum `crc`.
  static func savedPrefix(version: Int = formatVersion, length: Int, crc: UInt32) -> String {
    #"{"format":"pace-law","version":\#(version),"length":\#(length),"crc32":\#(crc),"law":"#
  }

  /// The law (and its fit report and prediction interval, when given) in
  /// the saved form above.
  public func jsonText(report: FitReport? = nil, interval: PredictionInterval? = nil) -> String {
    var members: [(key: String, value: JSONValue)] = [
      ("kind", .string(kind.rawValue)),
      ("warmup", .string(warmup.rawValue)),
      ("params", .object(namedParameters.map { ($0.name, .number($0.value, text: "")) })),
    ]
    if let report { members.append(("fit", report.json)) }
    if let interval { members.append(("interval", interval.json)) }
    let body = Array(JSONWriter.render(.object(members)).utf8)
    let crc = Self.checksum(version: Self.formatVersion, body: body)
    return Self.savedPrefix(length: body.count, crc: crc) + String(decoding: body, as: UTF8.self) + "}"
  }

  /// Reads text written by ``jsonText(report:interval:)`` (version 3 or 2,
  /// or version 1 without a checksum). Throws `.state` for damaged text or text that is
  /// not a saved law, `.version` for a newer format version.
  ///
  /// - Complexity: O(text length); reads nothing past the declared length.
  public init(jsonText text: String) throws(LawError) {
    var ignored: FitReport?
    var noInterval: PredictionInterval?
    try self.init(savedText: text, report: &ignored, interval: &noInterval)
  }

  /// As ``init(jsonText:)``, also returning the fit report saved with the
  /// law (nil when there is none).
  public static func load(savedText text: String) throws(LawError) -> (law: LossLaw, report: FitReport?) {
    let saved = try loadSaved(text)
    return (saved.law, saved.report)
  }

  /// As ``init(jsonText:)``, also returning the fit report and the
  /// prediction interval saved with the law (nil when absent).
  public static func loadSaved(_ text: String) throws(LawError)
    -> (law: LossLaw, report: FitReport?, interval: PredictionInterval?) {
    var report: FitReport?
    var interval: PredictionInterval?
    let law = try LossLaw(savedText: text, report: &report, interval: &interval)
    return (law, report, interval)
  }

  private init(savedText text: String, report: inout FitReport?, interval: inout PredictionInterval?) throws(LawError) {
    let bytes = Array(text.utf8)
    let doc: JSONValue
    do throws(JSONReadError) {
      doc = try JSONReader.parse(bytes)
    } catch {
      throw .state("saved law: not valid JSON: \(error.description)")
    }
    guard case .object(let members) = doc else { throw .state("saved law: expected a JSON object") }
    func member(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }
    guard case .string("pace-law")? = member("format") else {
      throw .state("saved law: \"format\" must be \"pace-law\"")
    }
    guard case .number(let version, _)? = member("version"), version >= 1, version == version.rounded() else {
      throw .state("saved law: \"version\" is missing or not a positive integer")
    }
    if version == 1 {
      try self.init(body: members, report: &report, interval: &interval, version: 1)
      return
    }
    guard version <= Double(Self.formatVersion) else {
      throw .version("saved law: format version \(version) is not supported (this library reads versions 1 to \(Self.formatVersion))")
    }
    guard case .number(let length, _)? = member("length"), case .number(let crc, _)? = member("crc32"),
      length >= 0, length <= Double(bytes.count), length == length.rounded(),
      crc >= 0, crc <= Double(UInt32.max), crc == crc.rounded()
    else { throw .state("saved law: \"length\" and \"crc32\" must be the body's size and checksum") }
    let prefix = Array(Self.savedPrefix(version: Int(version), length: Int(length), crc: UInt32(crc)).utf8)
    var end = bytes.count  // a file's final newline (JSON whitespace after the object) is not part of the layout
    while end > 0, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[end - 1]) { end -= 1 }
    guard end == prefix.count + Int(length) + 1, bytes.starts(with: prefix), bytes[end - 1] == UInt8(ascii: "}") else {
      throw .state("saved law: damaged (the text does not have the layout its header declares)")
    }
    let body = Array(bytes[prefix.count..<(prefix.count + Int(length))])
    guard Self.checksum(version: Int(version), body: body) == UInt32(crc) else { throw .state("saved law: damaged (checksum mismatch)") }
    guard case .object(let fields)? = member("law") else { throw .state("saved law: \"law\" must be an object") }
    try self.init(body: fields, report: &report, interval: &interval, version: Int(version))
  }

  /// Reads the law's fields (version 1: its names, report ignored; the
  /// interval from version 3 on).
  private init(body members: [(key: String, value: JSONValue)], report: inout FitReport?,
               interval: inout PredictionInterval?, version: Int) throws(LawError) {
    let legacy = version == 1
    func member(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }
    guard case .string(let lawName)? = member(legacy ? "law" : "kind"), let kind = LawKind(rawValue: lawName) else {
      throw .state("saved law: the law's kind must be \"multi_power\" or \"annealing\"")
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
      guard case .number(let x, _) = value else { throw .state("saved law: a parameter must be a number") }
      named[key] = x
    }
    do throws(LawError) {
      try self.init(kind: kind, named: named, warmup: warmup)
    } catch {
      throw .state("saved law: \(error.description)")
    }
    if !legacy, let fit = member("fit") { report = try FitReport(json: fit) }
    if version >= 3, let saved = member("interval") { interval = try PredictionInterval(json: saved) }
  }
}

extension PredictionInterval {
  /// The method name written in the saved form.
  static let methodName = "leave-one-curve-out"

  var json: JSONValue {
    .object([
      ("method", .string(Self.methodName)),
      ("curves", .number(Double(curves), text: "")),
      ("points", .number(Double(points), text: "")),
      ("log_residual_quantiles", .array(quantiles.map { .number($0, text: "") })),
    ])
  }

  /// Reads what `json` wrote; anything else is `.state`.
  init(json: JSONValue) throws(LawError) {
    guard case .object(let members) = json else { throw .state("saved law: \"interval\" must be an object") }
    func member(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }
    guard case .string(Self.methodName)? = member("method") else {
      throw .state("saved law: interval.method must be \"\(Self.methodName)\"")
    }
    func count(_ key: String) throws(LawError) -> Int {
      guard case .number(let x, _)? = member(key), x >= 0, x <= Double(1 << 53), x == x.rounded() else {
        throw .state("saved law: interval.\(key) must be a count")
      }
      return Int(x)
    }
    guard case .array(let items)? = member("log_residual_quantiles") else {
      throw .state("saved law: interval.log_residual_quantiles must be an array")
    }
    var values: [Double] = []
    for item in items {
      guard case .number(let x, _) = item else { throw .state("saved law: interval quantiles must be numbers") }
      values.append(x)
    }
    let (curves, points) = (try count("curves"), try count("points"))
    do throws(LawError) {
      try self.init(quantiles: values, curves: curves, points: points)
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
    var members: [(key: String, value: JSONValue)] = [
      ("objective", num(objective)),
      ("converged", .bool(converged)),
      ("points", .number(Double(points), text: "")),
      ("curves", .number(Double(curves), text: "")),
      ("starts", .number(Double(starts), text: "")),
      ("iterations", .number(Double(iterations), text: "")),
      ("metrics", metrics(self.metrics)),
      ("per_curve", .array(perCurve.map(metrics))),
    ]
    if let method { members.append(("method", .string(method.rawValue))) }
    if let warmup { members.append(("warmup", .string(warmup.rawValue))) }
    return .object(members)
  }

  /// The report as JSON text.
  public var jsonText: String { JSONWriter.render(json) }

  /// Reads what `json` wrote (null: a non-finite value, read as NaN).
  init(json: JSONValue) throws(LawError) {
    func fields(_ value: JSONValue) throws(LawError) -> [(key: String, value: JSONValue)] {
      guard case .object(let members) = value else { throw .state("saved law: the fit report must be an object") }
      return members
    }
    func number(_ members: [(key: String, value: JSONValue)], _ key: String) throws(LawError) -> Double {
      switch members.first(where: { $0.key == key })?.value {
      case .number(let x, _)?: return x
      case .null?: return .nan
      default: throw .state("saved law: fit.\(key) must be a number")
      }
    }
    func count(_ members: [(key: String, value: JSONValue)], _ key: String) throws(LawError) -> Int {
      let x = try number(members, key)
      guard x >= 0, x <= Double(1 << 53), x == x.rounded() else { throw .state("saved law: fit.\(key) must be a count") }
      return Int(x)
    }
    func metrics(_ value: JSONValue) throws(LawError) -> LawMetrics {
      let m = try fields(value)
      return LawMetrics(r2: try number(m, "r2"), mae: try number(m, "mae"), rmse: try number(m, "rmse"),
                        predE: try number(m, "pred_e"), worstE: try number(m, "worst_e"), points: try count(m, "points"))
    }
    let f = try fields(json)
    guard case .bool(let converged)? = f.first(where: { $0.key == "converged" })?.value else {
      throw .state("saved law: fit.converged must be a boolean")
    }
    guard let overall = f.first(where: { $0.key == "metrics" })?.value,
      case .array(let perCurveList)? = f.first(where: { $0.key == "per_curve" })?.value
    else { throw .state("saved law: the fit report needs metrics and per_curve") }
    var perCurve: [LawMetrics] = []
    for item in perCurveList { perCurve.append(try metrics(item)) }
    // method and warmup: absent in reports saved before they were recorded.
    func name<T: RawRepresentable>(_ key: String, _: T.Type) throws(LawError) -> T? where T.RawValue == String {
      switch f.first(where: { $0.key == key })?.value {
      case nil: return nil
      case .string(let text)?:
        guard let value = T(rawValue: text) else { throw .state("saved law: fit.\(key) '\(text)' is not known") }
        return value
      default: throw .state("saved law: fit.\(key) must be a string")
      }
    }
    self.init(objective: try number(f, "objective"), metrics: try metrics(overall), perCurve: perCurve,
              points: try count(f, "points"), curves: try count(f, "curves"), starts: try count(f, "starts"),
              iterations: try count(f, "iterations"), converged: converged,
              method: try name("method", FitMethod.self), warmup: try name("warmup", WarmupMode.self))
  }
}
