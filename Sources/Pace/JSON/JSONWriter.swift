//===--- JSONWriter.swift -------------------------------------------------===//
// Compact, deterministic JSON text for canonical schedule specs.
//===----------------------------------------------------------------------===//

/// Writes JSON text. Numbers use the shortest decimal form that reads back to
/// the same float64 (so a printed spec round-trips bit for bit); integral
/// values below 2^53 print without a fraction.
package enum JSONWriter {
  /// The canonical text of one float64 (finite values only).
  package static func number(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 9_007_199_254_740_992 {
      if x == 0 { return x.sign == .minus ? "-0" : "0" }
      return String(Int64(x))
    }
    return x.description
  }

  /// JSON string literal with escapes.
  package static func quoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }

  /// Renders a ``JSONValue`` compactly.
  package static func render(_ value: JSONValue) -> String {
    switch value {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(let x, let text): return text.isEmpty ? number(x) : text
    case .string(let s): return quoted(s)
    case .array(let items): return "[" + items.map(render).joined(separator: ",") + "]"
    case .object(let members):
      return "{" + members.map { quoted($0.key) + ":" + render($0.value) }.joined(separator: ",") + "}"
    }
  }
}
