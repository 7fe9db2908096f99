//===--- JSONReaderTests.swift --------------------------------------------===//
// The strict JSON reader, and fuzzing of the whole parser.
//===----------------------------------------------------------------------===//
import Testing
@testable import Pace

@Suite struct JSONReaderTests {
  @Test func readsEveryKindOfValue() throws {
    let v = try JSONReader.parse(#" {"a":[1,-2.5e3,0,true,false,null],"b":"x\n\u00e9\ud83d\ude00\"\\/"} "#)
    guard case .object(let m) = v, m.count == 2, case .array(let a) = m[0].value, case .string(let s) = m[1].value
    else { Issue.record("shape of \(v)"); return }
    #expect(a == [.number(1, text: "1"), .number(-2500, text: "-2.5e3"), .number(0, text: "0"), .bool(true), .bool(false), .null])
    #expect(s == "x\né😀\"\\/")
  }

  @Test(arguments: [
    "", " ", "{", "}", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "\"abc",
    "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"a\u{01}b\"", "{\"a\" 1}", "{1:2}", "[1 2]", "NaN", "Infinity",
    "{\"a\":1}{}", "\u{FEFF}{}",
  ]) func rejectsInvalidText(text: String) {
    #expect(throws: JSONReadError.self) { try JSONReader.parse(text) }
  }

  @Test func rejectsBadUTF8() {
    for bad: [UInt8] in [[0x22, 0xC3, 0x22], [0x22, 0xE0, 0x80, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
                         [0x22, 0xF8, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0xFF]] {
      #expect(throws: JSONReadError.self) { try JSONReader.parse(bad) }
    }
  }

  @Test func depthLimitIsExact() throws {
    let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
    _ = try JSONReader.parse(ok)
    let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
    #expect(throws: JSONReadError.self) { try JSONReader.parse(deep) }
    // Far deeper input must not exhaust the stack.
    let huge = String(repeating: "[", count: 1_000_000)
    #expect(throws: JSONReadError.self) { try JSONReader.parse(huge) }
  }

  @Test func writerRoundTripsNumbers() throws {
    for x in [0.1, 1e-7, 3e-4, 1.0 / 3, 123456789.0, 1e300, -2.5, 5e-324, 9007199254740993.0] {
      let text = JSONWriter.number(x)
      guard case .number(let y, _) = try JSONReader.parse(text) else { Issue.record("not a number: \(text)"); continue }
      #expect(y.bitPattern == x.bitPattern, "\(x) -> \(text)")
    }
  }

  /// Random mutations of valid specs: the parser returns or throws, never traps,
  /// and whatever parses evaluates to finite values or a clear error.
  @Test func fuzzParserNeverTraps() {
    var rng = SplitMix64(seed: 0x5EED)
    let alphabet = Array(#"{}[]":,0123456789.-+eE truefalsnul"\/éx"#.utf8)
    var accepted = 0
    for i in 0..<20_000 {
      var bytes = Array(allPresetExamples[i % allPresetExamples.count].utf8)
      for _ in 0..<(1 + Int(rng.next() % 4)) {
        let position = Int(rng.next() % UInt64(bytes.count))
        switch rng.next() % 4 {
        case 0: bytes[position] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
        case 1: bytes.remove(at: position)
        case 2: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: position)
        default: bytes[position] = UInt8(truncatingIfNeeded: rng.next())
        }
        if bytes.isEmpty { bytes = [0x7B] }
      }
      if let s = try? Schedule.parse(bytes: bytes) {
        accepted += 1
        for t: Int64 in [0, 1, 7, 100, 1 << 40] { _ = s.value(at: t) }
        _ = s.canonicalText
      }
    }
    #expect(accepted > 100)  // the mutations keep some specs valid
  }
}

/// A small deterministic generator for fuzzing.
struct SplitMix64 {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
