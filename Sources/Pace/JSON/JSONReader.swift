//===--- JSONReader.swift -------------------------------------------------===//
// A strict RFC 8259 reader with exact error positions, no Foundation.
//===----------------------------------------------------------------------===//

/// An error found while reading JSON text.
package struct JSONReadError: Error, Sendable, CustomStringConvertible {
  /// Byte offset (0-based) in the input where the problem was found.
  package var offset: Int
  package var message: String
  /// JSON path of the value being read (`phases[0].steps`); empty at the top.
  package var path: String = ""
  /// Line (1-based) of `offset`: newlines (LF, CR, CRLF) before it, plus 1.
  package var line: Int = 1
  /// Column (1-based) of `offset` in its line, in characters (Unicode
  /// scalars), as editors count them.
  package var column: Int = 1

  /// `line 3, column 14 (byte 52)`.
  package var position: String { "line \(line), column \(column) (byte \(offset))" }

  package var description: String {
    (path.isEmpty ? "" : path + ": ") + "invalid JSON at \(position): \(message)"
  }

  /// Sets ``line`` and ``column`` from ``offset`` in `bytes`.
  ///
  /// - Complexity: O(offset).
  mutating func locate(in bytes: [UInt8]) {
    let end = Swift.min(Swift.max(offset, 0), bytes.count)
    var line = 1, column = 1
    var i = 0
    while i < end {
      let b = bytes[i]
      if b == 0x0A || b == 0x0D {
        if b == 0x0D && i + 1 < end && bytes[i + 1] == 0x0A { i += 1 }
        line += 1
        column = 1
      } else if b & 0xC0 != 0x80 {  // count scalars, not continuation bytes
        column += 1
      }
      i += 1
    }
    self.line = line
    self.column = column
  }
}

/// Reads one JSON document from UTF-8 bytes.
///
/// Strict: rejects trailing text, invalid UTF-8, duplicate object keys,
/// unescaped control characters, leading zeros, lone surrogates, and nesting
/// deeper than ``maximumDepth``. Never traps on any input.
///
/// - Complexity: O(n) in the input length; recursion depth is bounded by
///   ``maximumDepth``.
package struct JSONReader {
  /// Deepest allowed nesting of arrays and objects.
  package static let maximumDepth = 64

  private let bytes: [UInt8]
  private var index = 0
  /// Keys and indices from the root to the value being read.
  private var pathStack: [PathComponent] = []

  private enum PathComponent {
    case key(String)
    case index(Int)
  }

  private var currentPath: String {
    var out = ""
    for component in pathStack {
      switch component {
      case .key(let k): out += out.isEmpty ? k : "." + k
      case .index(let i): out += "[\(i)]"
      }
    }
    return out
  }

  private init(_ bytes: [UInt8]) { self.bytes = bytes }

  /// Parses `bytes` as one JSON document.
  package static func parse(_ bytes: [UInt8]) throws(JSONReadError) -> JSONValue {
    do throws(JSONReadError) {
      return try parseUnlocated(bytes)
    } catch {
      var located = error
      located.locate(in: bytes)
      throw located
    }
  }

  private static func parseUnlocated(_ bytes: [UInt8]) throws(JSONReadError) -> JSONValue {
    try validateUTF8(bytes)
    var reader = JSONReader(bytes)
    reader.skipWhitespace()
    let value = try reader.readValue(depth: 0)
    reader.skipWhitespace()
    if reader.index != bytes.count {
      throw JSONReadError(offset: reader.index, message: "trailing text after the document")
    }
    return value
  }

  /// Parses a Swift string as one JSON document.
  package static func parse(_ text: String) throws(JSONReadError) -> JSONValue {
    try parse(Array(text.utf8))
  }

  // MARK: - UTF-8

  private static func validateUTF8(_ bytes: [UInt8]) throws(JSONReadError) {
    var i = 0
    let n = bytes.count
    while i < n {
      let b = bytes[i]
      if b < 0x80 { i += 1; continue }
      var need = 0
      var minimum: UInt32 = 0
      var code: UInt32 = 0
      if b & 0xE0 == 0xC0 { need = 1; minimum = 0x80; code = UInt32(b & 0x1F) }
      else if b & 0xF0 == 0xE0 { need = 2; minimum = 0x800; code = UInt32(b & 0x0F) }
      else if b & 0xF8 == 0xF0 { need = 3; minimum = 0x10000; code = UInt32(b & 0x07) }
      else { throw JSONReadError(offset: i, message: "invalid UTF-8 byte 0x\(String(b, radix: 16))") }
      if i + need >= n {
        throw JSONReadError(offset: i, message: "truncated UTF-8 sequence")
      }
      for j in 1...need {
        let c = bytes[i + j]
        if c & 0xC0 != 0x80 { throw JSONReadError(offset: i + j, message: "invalid UTF-8 continuation byte") }
        code = (code << 6) | UInt32(c & 0x3F)
      }
      if code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF) {
        throw JSONReadError(offset: i, message: "invalid UTF-8 sequence")
      }
      i += need + 1
    }
  }

  // MARK: - Values

  private mutating func skipWhitespace() {
    while index < bytes.count {
      switch bytes[index] {
      case 0x20, 0x09, 0x0A, 0x0D: index += 1
      default: return
      }
    }
  }

  private func fail(_ message: String) -> JSONReadError {
    JSONReadError(offset: index, message: message, path: currentPath)
  }

  private mutating func readValue(depth: Int) throws(JSONReadError) -> JSONValue {
    guard index < bytes.count else { throw fail("unexpected end of input") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try readObject(depth: depth + 1)
    case UInt8(ascii: "["): return try readArray(depth: depth + 1)
    case UInt8(ascii: "\""): return .string(try readString())
    case UInt8(ascii: "t"): try readLiteral("true"); return .bool(true)
    case UInt8(ascii: "f"): try readLiteral("false"); return .bool(false)
    case UInt8(ascii: "n"): try readLiteral("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
    default:
      throw fail("unexpected character '\(Self.printable(bytes[index]))'")
    }
  }

  private static func printable(_ b: UInt8) -> String {
    (b >= 0x20 && b < 0x7F) ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16)
  }

  private mutating func readLiteral(_ word: StaticString) throws(JSONReadError) {
    let count = word.utf8CodeUnitCount
    let start = word.utf8Start
    guard index + count <= bytes.count else { throw fail("unexpected end of input") }
    for k in 0..<count where bytes[index + k] != start[k] {
      throw fail("invalid literal")
    }
    index += count
  }

  private mutating func readObject(depth: Int) throws(JSONReadError) -> JSONValue {
    if depth > Self.maximumDepth { throw fail("nesting deeper than \(Self.maximumDepth)") }
    index += 1  // {
    var members: [(key: String, value: JSONValue)] = []
    var keys = Set<String>()
    skipWhitespace()
    if index < bytes.count && bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
    while true {
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
        throw fail("expected a string key")
      }
      let keyOffset = index
      let key = try readString()
      pathStack.append(.key(key))
      if !keys.insert(key).inserted {
        throw JSONReadError(offset: keyOffset, message: "duplicate key \"\(key)\"", path: currentPath)
      }
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
      index += 1
      skipWhitespace()
      let value = try readValue(depth: depth)
      pathStack.removeLast()
      members.append((key, value))
      skipWhitespace()
      guard index < bytes.count else { throw fail("unexpected end of input in an object") }
      if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
      if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
      throw fail("expected ',' or '}'")
    }
  }

  private mutating func readArray(depth: Int) throws(JSONReadError) -> JSONValue {
    if depth > Self.maximumDepth { throw fail("nesting deeper than \(Self.maximumDepth)") }
    index += 1  // [
    var elements: [JSONValue] = []
    skipWhitespace()
    if index < bytes.count && bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
    while true {
      skipWhitespace()
      pathStack.append(.index(elements.count))
      elements.append(try readValue(depth: depth))
      pathStack.removeLast()
      skipWhitespace()
      guard index < bytes.count else { throw fail("unexpected end of input in an array") }
      if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
      if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
      throw fail("expected ',' or ']'")
    }
  }

  private mutating func readHex4() throws(JSONReadError) -> UInt32 {
    guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let c = bytes[index]
      let d: UInt32
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
      default: throw fail("invalid hex digit in \\u escape")
      }
      v = v * 16 + d
      index += 1
    }
    return v
  }

  private mutating func readString() throws(JSONReadError) -> String {
    index += 1  // opening quote
    var runStart = index
    var out = ""
    func flush(_ end: Int) {
      if end > runStart { out += String(decoding: bytes[runStart..<end], as: UTF8.self) }
    }
    while true {
      guard index < bytes.count else { throw fail("unterminated string") }
      let c = bytes[index]
      if c == UInt8(ascii: "\"") {
        flush(index)
        index += 1
        return out
      }
      if c < 0x20 { throw fail("unescaped control character in a string") }
      if c != UInt8(ascii: "\\") { index += 1; continue }
      flush(index)
      index += 1
      guard index < bytes.count else { throw fail("unterminated escape") }
      let e = bytes[index]
      index += 1
      switch e {
      case UInt8(ascii: "\""): out += "\""
      case UInt8(ascii: "\\"): out += "\\"
      case UInt8(ascii: "/"): out += "/"
      case UInt8(ascii: "b"): out += "\u{08}"
      case UInt8(ascii: "f"): out += "\u{0C}"
      case UInt8(ascii: "n"): out += "\n"
      case UInt8(ascii: "r"): out += "\r"
      case UInt8(ascii: "t"): out += "\t"
      case UInt8(ascii: "u"):
        var code = try readHex4()
        if code >= 0xD800 && code <= 0xDBFF {
          guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
            bytes[index + 1] == UInt8(ascii: "u")
          else { throw fail("lone high surrogate in \\u escape") }
          index += 2
          let low = try readHex4()
          guard low >= 0xDC00 && low <= 0xDFFF else { throw fail("invalid low surrogate in \\u escape") }
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if code >= 0xDC00 && code <= 0xDFFF {
          throw fail("lone low surrogate in \\u escape")
        }
        guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape") }
        out.unicodeScalars.append(scalar)
      default:
        throw fail("invalid escape '\\\(Self.printable(e))'")
      }
      runStart = index
    }
  }

  private mutating func readNumber() throws(JSONReadError) -> JSONValue {
    let start = index
    func isDigit(_ i: Int) -> Bool {
      i < bytes.count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9")
    }
    if bytes[index] == UInt8(ascii: "-") { index += 1 }
    guard isDigit(index) else { throw fail("expected a digit") }
    if bytes[index] == UInt8(ascii: "0") {
      index += 1
      if isDigit(index) { throw fail("leading zeros are not allowed") }
    } else {
      while isDigit(index) { index += 1 }
    }
    if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
      index += 1
      guard isDigit(index) else { throw fail("expected a digit after '.'") }
      while isDigit(index) { index += 1 }
    }
    if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
      index += 1
      if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
        index += 1
      }
      guard isDigit(index) else { throw fail("expected a digit in the exponent") }
      while isDigit(index) { index += 1 }
    }
    let text = String(decoding: bytes[start..<index], as: UTF8.self)
    guard let value = Double(text) else {
      throw JSONReadError(offset: start, message: "number \(text) cannot be read")
    }
    return .number(value, text: text)
  }
}
