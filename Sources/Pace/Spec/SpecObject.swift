//===--- SpecObject.swift -------------------------------------------------===//
// Typed, path-aware access to the members of one JSON object in a spec.
//===----------------------------------------------------------------------===//

/// Reads the members of one JSON object, checking types and ranges, and
/// reporting errors with their JSON path.
struct SpecObject {
  let members: [(key: String, value: JSONValue)]
  let path: String

  init(_ value: JSONValue, path: String) throws(SpecError) {
    guard case .object(let members) = value else {
      throw SpecError(path: path, "must be an object, got \(value.typeName)")
    }
    self.members = members
    self.path = path
  }

  func pathOf(_ key: String) -> String { joinPath(path, key) }

  subscript(_ key: String) -> JSONValue? {
    members.first { $0.key == key }?.value
  }

  func has(_ key: String) -> Bool { self[key] != nil }

  /// Rejects members outside `allowed`; `context` says what they do not belong to.
  func requireOnly(_ allowed: Set<String>, context: String) throws(SpecError) {
    for member in members where !allowed.contains(member.key) {
      throw SpecError(path: pathOf(member.key), "unknown field \(context)" + NameSuggestion.hint(member.key, among: allowed))
    }
  }

  /// A finite number, or nil when absent.
  func number(_ key: String) throws(SpecError) -> Double? {
    guard let value = self[key] else { return nil }
    guard case .number(let x, let text) = value else {
      throw SpecError(path: pathOf(key), "must be a number, got \(value.typeName)")
    }
    guard x.isFinite else {
      throw SpecError(path: pathOf(key), "must be a finite number, got \(text)")
    }
    return x
  }

  /// A finite number satisfying `check`, described by `rule` in errors.
  func number(_ key: String, _ rule: String, _ check: (Double) -> Bool) throws(SpecError) -> Double? {
    guard let x = try number(key) else { return nil }
    guard check(x) else {
      throw SpecError(path: pathOf(key), "must be \(rule), got \(self[key]!.brief)")
    }
    return x
  }

  func requiredNumber(_ key: String, _ rule: String, _ check: (Double) -> Bool) throws(SpecError) -> Double {
    guard let x = try number(key, rule, check) else {
      throw SpecError(path: pathOf(key), "required field is missing (\(rule))")
    }
    return x
  }

  /// An integer within int64, or nil when absent.
  func integer(_ key: String) throws(SpecError) -> Int64? {
    guard let value = self[key] else { return nil }
    return try Self.integer(value, path: pathOf(key))
  }

  static func integer(_ value: JSONValue, path: String) throws(SpecError) -> Int64 {
    guard case .number(let x, let text) = value else {
      throw SpecError(path: path, "must be an integer, got \(value.typeName)")
    }
    if let exact = Int64(text) { return exact }
    guard x.isFinite, x == x.rounded() else {
      throw SpecError(path: path, "must be an integer, got \(text)")
    }
    guard x >= -9.223372036854775808e18, x < 9.223372036854775808e18 else {
      throw SpecError(path: path, "must be an integer within int64, got \(text)")
    }
    return Int64(x)
  }

  /// Largest step count or step position a spec may hold: 2^53, so that it
  /// stays exact in float64 and sums of a few never overflow int64.
  static let maximumStepCount: Int64 = 1 << 53

  /// An integer count of steps in [minimum, 2^53], or nil when absent.
  func stepCount(_ key: String, minimum: Int64 = 0) throws(SpecError) -> Int64? {
    guard let value = self[key] else { return nil }
    return try Self.stepCount(value, path: pathOf(key), minimum: minimum)
  }

  static func stepCount(_ value: JSONValue, path: String, minimum: Int64 = 0) throws(SpecError) -> Int64 {
    let n = try integer(value, path: path)
    guard n >= minimum && n <= maximumStepCount else {
      throw SpecError(path: path, "must be an integer in [\(minimum), 2^53], got \(n)")
    }
    return n
  }

  func string(_ key: String) throws(SpecError) -> String? {
    guard let value = self[key] else { return nil }
    guard case .string(let s) = value else {
      throw SpecError(path: pathOf(key), "must be a string, got \(value.typeName)")
    }
    return s
  }

  /// One of `choices`, or nil when absent.
  func choice(_ key: String, _ choices: [String]) throws(SpecError) -> String? {
    guard let s = try string(key) else { return nil }
    guard choices.contains(s) else {
      let list = choices.map { "\"\($0)\"" }.joined(separator: ", ")
      throw SpecError(path: pathOf(key), "must be one of \(list), got \"\(s)\"")
    }
    return s
  }

  func bool(_ key: String) throws(SpecError) -> Bool? {
    guard let value = self[key] else { return nil }
    guard case .bool(let b) = value else {
      throw SpecError(path: pathOf(key), "must be true or false, got \(value.typeName)")
    }
    return b
  }

  func array(_ key: String) throws(SpecError) -> [JSONValue]? {
    guard let value = self[key] else { return nil }
    guard case .array(let items) = value else {
      throw SpecError(path: pathOf(key), "must be an array, got \(value.typeName)")
    }
    return items
  }

  /// An array of finite numbers.
  func numbers(_ key: String) throws(SpecError) -> [Double]? {
    guard let items = try array(key) else { return nil }
    var out: [Double] = []
    out.reserveCapacity(items.count)
    for (i, item) in items.enumerated() {
      guard case .number(let x, let text) = item else {
        throw SpecError(path: "\(pathOf(key))[\(i)]", "must be a number, got \(item.typeName)")
      }
      guard x.isFinite else {
        throw SpecError(path: "\(pathOf(key))[\(i)]", "must be a finite number, got \(text)")
      }
      out.append(x)
    }
    return out
  }
}
