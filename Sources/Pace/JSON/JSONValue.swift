//===--- JSONValue.swift --------------------------------------------------===//
// A parsed JSON document: the small value type the spec reader walks.
//===----------------------------------------------------------------------===//

/// A JSON value as read by ``JSONReader``.
///
/// Objects keep their members in document order (duplicate keys are rejected
/// by the reader). Numbers keep both their float64 value and their source
/// text, so integer fields can be range-checked exactly (a float64 cannot hold
/// every int64).
package enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case number(Double, text: String)
  case string(String)
  case array([JSONValue])
  case object([(key: String, value: JSONValue)])

  package static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.number(let a, _), .number(let b, _)): return a == b
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)): return a == b
    case (.object(let a), .object(let b)):
      return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: return false
    }
  }

  /// A short name of the value's JSON type, for error messages.
  package var typeName: String {
    switch self {
    case .null: return "null"
    case .bool: return "a boolean"
    case .number: return "a number"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
  }

  /// The value rendered compactly, for error messages ("got -5").
  package var brief: String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(_, let text): return text
    case .string(let s):
      let cut = s.count > 40 ? String(s.prefix(40)) + "..." : s
      return "\"" + cut + "\""
    case .array(let a): return "an array of \(a.count)"
    case .object: return "an object"
    }
  }
}
