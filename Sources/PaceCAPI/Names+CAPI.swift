//===--- Names+CAPI.swift -------------------------------------------------===//
// pace_names_json: every name a binding maps to a value, from the tables the
// library itself uses, so that the bindings read them instead of restating
// them.
//===----------------------------------------------------------------------===//
import CPace
import Pace
import PaceLaws

/// The names document (include/pace.h, "names"), built once (a Swift global:
/// initialized once, thread-safely) and never changed after that.
private let namesJSON: String = {
  func number(_ x: Double) -> JSONValue { .number(x, text: "") }
  func strings(_ items: [String]) -> JSONValue { .array(items.map { .string($0) }) }
  let status = statusNames.map { (key: "\($0.name)", value: number(Double($0.status.rawValue))) }
  let kinds = LawCodes.kinds.map { entry -> (key: String, value: JSONValue) in
    let kind = entry.kind
    return (kind.rawValue, .object([
      ("value", number(Double(entry.code))),
      ("names", strings(kind.spellings)),
      ("params", strings(kind.parameterNames)),
      ("warmup", .string(kind.defaultWarmup.rawValue)),
      ("fit_method", .string(kind.defaultFitMethod.rawValue)),
      ("fit_warmup", .string(kind.defaultFitWarmup.rawValue)),
      ("fit_huber_delta", number(kind.defaultHuberDelta)),
    ]))
  }
  let warmups = LawCodes.warmupModes.map {
    (key: $0.mode?.rawValue ?? LawCodes.defaultWarmupName, value: number(Double($0.code)))
  }
  let methods = LawCodes.fitMethods.map { (key: $0.method?.rawValue ?? LawCodes.autoFitMethodName, value: number(Double($0.code))) }
  let families = LawCodes.families.map { (key: $0.family.rawValue, value: number(Double($0.bit))) }
  let document: JSONValue = .object([
    ("version", .string(String(cString: pace_version_string()))),
    ("version_number", number(Double(pace_version_number()))),
    ("status", .object(status)),
    ("law_kinds", .object(kinds)),
    ("warmup_modes", .object(warmups)),
    ("fit_methods", .object(methods)),
    ("search_families", .object(families)),
    ("defaults", .object([("search_warmup_fraction", number(SearchOptions.defaultWarmupFraction)),
                          ("refine_smoothing", number(RefineSettings.defaultSmoothing))])),
  ])
  return JSONWriter.render(document)
}()

@c @implementation
public func pace_names_json(_ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                            _ needed: UnsafeMutablePointer<Int>?) -> pace_status {
  writeText(namesJSON, buffer, capacity, needed)
}
