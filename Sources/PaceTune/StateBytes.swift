//===--- StateBytes.swift -------------------------------------------------===//
// Little-endian writing and bounds-checked reading of the saved tuner (its
// CRC-32 is Pace's CRC32).
//===----------------------------------------------------------------------===//

/// Appends little-endian fields.
struct StateWriter {
  var bytes: [UInt8] = []
  mutating func uint8(_ v: UInt8) { bytes.append(v) }
  mutating func uint32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
  mutating func uint64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
  mutating func int64(_ v: Int64) { uint64(UInt64(bitPattern: v)) }
  mutating func double(_ v: Double) { uint64(v.bitPattern) }
  mutating func bool(_ v: Bool) { uint8(v ? 1 : 0) }
  mutating func optionalDouble(_ v: Double?) {
    bool(v != nil)
    double(v ?? 0)
  }
  mutating func text(_ s: String) {
    let utf8 = Array(s.utf8)
    uint64(UInt64(utf8.count))
    bytes.append(contentsOf: utf8)
  }
}

/// Reads little-endian fields within [index, end): never traps, throws
/// `.state` on truncation or an invalid field.
struct StateReader {
  let bytes: [UInt8]
  var index: Int
  let end: Int

  var remaining: Int { end - index }

  mutating func take(_ n: Int) throws(TuneError) -> ArraySlice<UInt8> {
    guard n >= 0, n <= remaining else { throw .state("saved tuner is truncated") }
    defer { index += n }
    return bytes[index..<(index + n)]
  }
  mutating func uint8() throws(TuneError) -> UInt8 { try take(1).first ?? 0 }
  mutating func uint32() throws(TuneError) -> UInt32 {
    var v: UInt32 = 0
    for (i, b) in try take(4).enumerated() { v |= UInt32(b) << (8 * i) }
    return v
  }
  mutating func uint64() throws(TuneError) -> UInt64 {
    var v: UInt64 = 0
    for (i, b) in try take(8).enumerated() { v |= UInt64(b) << (8 * i) }
    return v
  }
  mutating func int64() throws(TuneError) -> Int64 { Int64(bitPattern: try uint64()) }
  mutating func double() throws(TuneError) -> Double { Double(bitPattern: try uint64()) }
  mutating func bool() throws(TuneError) -> Bool {
    switch try uint8() {
    case 0: return false
    case 1: return true
    default: throw .state("saved tuner holds an invalid flag")
    }
  }
  mutating func optionalDouble() throws(TuneError) -> Double? {
    let present = try bool()
    let v = try double()
    guard present || v.bitPattern == 0 else { throw .state("saved tuner holds an invalid optional value") }
    return present ? v : nil
  }
  mutating func text() throws(TuneError) -> String {
    let n = try uint64()
    guard n <= UInt64(remaining) else { throw .state("saved tuner is truncated (a text of \(n) bytes)") }
    guard let s = String(validating: try take(Int(n)), as: UTF8.self) else { throw .state("saved tuner holds invalid UTF-8") }
    return s
  }
}
