//===--- ConfigObject.swift -----------------------------------------------===//
// Reading a sampler config's JSON objects: typed fields, errors that name
// the field's path, unknown keys rejected.
//===----------------------------------------------------------------------===//
import Pace

/// A JSON object of a sampler config with its path ("policy") for messages.
struct ConfigObject {
  let members: [(key: String, value: JSONValue)]
  let path: String

  init(_ value: JSONValue, path: String) throws(DataError) {
    guard case .object(let members) = value else {
      throw .config("\(path.isEmpty ? "the config" : path): expected an object, got \(value.brief)")
    }
    self.members = members
    self.path = path
  }

  /// The path of field `key` ("policy.kind").
  func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

  /// Throws naming the first key not in `allowed`.
  func requireOnly(_ allowed: [String]) throws(DataError) {
    for (key, _) in members where !allowed.contains(key) {
      throw .config("\(name(key)): unknown key (expected one of \(allowed.joined(separator: ", ")))")
    }
  }

  subscript(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }

  /// An integer field in `range`; nil when absent.
  func integer(_ key: String, in range: ClosedRange<Int64>) throws(DataError) -> Int64? {
    guard let value = self[key] else { return nil }
    return try ConfigObject.integer(value, name(key), in: range)
  }

  /// A number field (finite) satisfying `valid` (described by `expected`).
  func number(_ key: String, _ expected: String, _ valid: (Double) -> Bool) throws(DataError) -> Double? {
    guard let value = self[key] else { return nil }
    guard case .number(let x, _) = value, x.isFinite, valid(x) else {
      throw .config("\(name(key)): expected \(expected), got \(value.brief)")
    }
    return x
  }

  func bool(_ key: String) throws(DataError) -> Bool? {
    guard let value = self[key] else { return nil }
    guard case .bool(let b) = value else { throw .config("\(name(key)): expected true or false, got \(value.brief)") }
    return b
  }

  func string(_ key: String, _ choices: [String]) throws(DataError) -> String? {
    guard let value = self[key] else { return nil }
    guard case .string(let s) = value, choices.contains(s) else {
      throw .config("\(name(key)): expected one of \(choices.joined(separator: ", ")), got \(value.brief)")
    }
    return s
  }

  /// An exact integer from a JSON number: integer text, or an integral
  /// float64 of magnitude <= 2^53 ("1e6").
  static func integer(_ value: JSONValue, _ name: String, in range: ClosedRange<Int64>) throws(DataError) -> Int64 {
    guard case .number(let x, let text) = value else {
      throw .config("\(name): expected an integer, got \(value.brief)")
    }
    let exact: Int64?
    if let v = Int64(text) {
      exact = v
    } else if x.isFinite, x == x.rounded(), abs(x) <= 0x1p53 {
      exact = Int64(x)
    } else {
      exact = nil
    }
    guard let v = exact else { throw .config("\(name): expected an integer, got \(text)") }
    guard range.contains(v) else {
      throw .config("\(name): expected an integer in [\(range.lowerBound), \(range.upperBound)], got \(text)")
    }
    return v
  }
}
