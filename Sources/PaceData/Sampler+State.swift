//===--- Sampler+State.swift ----------------------------------------------===//
// Saved sampler state: versioned, checksummed, rejected whole when damaged.
//===----------------------------------------------------------------------===//
import Pace
import PaceEngine

/// The saved form of a sampler (all integers little-endian):
///
/// ```
/// offset  size  field
///      0     8  magic "PACE\0DS\0"
///      8     4  format version (1)
///     12     8  payload length L
///     20     L  payload
///   20+L     4  CRC-32 of bytes 0 ..< 20+L
/// payload: config text (u64 length + UTF-8), size N (i64), fingerprint of
///          the arrays (u64), ability report count R (u64), R x (step i64,
///          theta f64 bits).
/// ```
/// The arrays are not saved: ``load(_:scores:domains:engine:)`` takes them
/// again and compares their fingerprint. A blob is checked (length, CRC,
/// then version) before anything is read from its payload; every read is
/// bounded by the declared length. save -> load -> save gives the same
/// bytes.
extension Sampler {
  static let magic: [UInt8] = Array("PACE\u{0}DS\u{0}".utf8)
  /// The format version this library writes and reads.
  public static let stateFormatVersion: UInt32 = 1
  static let headerSize = 20

  /// The sampler's state as bytes (config and ability history, not the arrays).
  ///
  /// - Complexity: O(config + reports).
  public func save() -> [UInt8] {
    var payload = StateWriter()
    payload.text(config.text)
    payload.uint64(UInt64(config.size))
    payload.uint64(fingerprint)
    let reports = abilityReports
    payload.uint64(UInt64(reports.count))
    for r in reports {
      payload.uint64(UInt64(bitPattern: r.step))
      payload.uint64(r.theta.bitPattern)
    }
    var out = StateWriter()
    out.bytes = Sampler.magic
    out.uint32(Sampler.stateFormatVersion)
    out.uint64(UInt64(payload.bytes.count))
    out.bytes += payload.bytes
    out.uint32(CRC32.checksum(out.bytes[...]))
    return out.bytes
  }

  /// Restores a sampler saved by ``save()`` over the same arrays.
  ///
  /// - Throws: ``DataError/state(_:)`` when the bytes are damaged or the
  ///   arrays differ from the saved sampler's; ``DataError/version(_:)``
  ///   for a newer format.
  public static func load(_ bytes: [UInt8], scores: UnsafeBufferPointer<Double>?, domains: UnsafeBufferPointer<Int32>?,
                          count: Int64, engine: BatchEngine? = nil) throws(DataError) -> Sampler {
    let (configText, size, fingerprint, reports) = try decode(bytes)
    let sampler: Sampler
    do throws(DataError) {
      sampler = try Sampler(configText: configText, scores: scores, domains: domains, count: count, engine: engine)
    } catch {
      switch error {
      case .argument: throw error
      default: throw .state("saved state holds a config that does not load: \(error)")
      }
    }
    guard sampler.config.size == size else { throw .state("saved state's size \(size) differs from its config's") }
    guard sampler.fingerprint == fingerprint else {
      throw .state("the arrays differ from those of the saved sampler (fingerprint mismatch)")
    }
    for (step, theta) in reports {
      do throws(DataError) {
        try sampler.reportAbility(step: step, theta: theta)
      } catch {
        throw .state("saved state holds an invalid ability report: \(error)")
      }
    }
    return sampler
  }

  /// Restores a sampler over arrays (see ``load(_:scores:domains:count:engine:)``).
  public static func load(_ bytes: [UInt8], scores: [Double]? = nil, domains: [Int32]? = nil,
                          engine: BatchEngine? = nil) throws(DataError) -> Sampler {
    let count = Int64(max(scores?.count ?? 0, domains?.count ?? 0))
    let result: Result<Sampler, DataError> = (scores ?? []).withUnsafeBufferPointer { s in
      (domains ?? []).withUnsafeBufferPointer { d in
        Result { () throws(DataError) in
          try load(bytes, scores: scores == nil ? nil : s, domains: domains == nil ? nil : d, count: count, engine: engine)
        }
      }
    }
    return try result.get()
  }

  /// The checked header and the payload's fields.
  static func decode(_ bytes: [UInt8]) throws(DataError) -> (String, Int64, UInt64, [(Int64, Double)]) {
    guard bytes.count >= headerSize + 4 else {
      throw .state("saved state is truncated: \(bytes.count) bytes, a header needs \(headerSize + 4)")
    }
    guard Array(bytes[0..<8]) == magic else { throw .state("not a Pace sampler state (bad magic)") }
    var header = StateReader(bytes, from: 8, end: headerSize)
    let version = try header.uint32()
    let length = try header.uint64()
    guard length == UInt64(bytes.count - headerSize - 4) else {
      throw .state("saved state is truncated or has trailing bytes: payload length \(length), \(bytes.count) bytes in all")
    }
    var stored: UInt32 = 0
    for i in 0..<4 { stored |= UInt32(bytes[bytes.count - 4 + i]) << (8 * i) }
    guard stored == CRC32.checksum(bytes[0..<(bytes.count - 4)]) else {
      throw .state("saved state is corrupted (checksum mismatch)")
    }
    guard version == stateFormatVersion else {
      if version > stateFormatVersion {
        throw .version("saved state has format version \(version); this library reads version \(stateFormatVersion)")
      }
      throw .state("saved state has an unknown format version \(version)")
    }
    var reader = StateReader(bytes, from: headerSize, end: bytes.count - 4)
    let text = try reader.text()
    let size = Int64(bitPattern: try reader.uint64())
    let fingerprint = try reader.uint64()
    let count = try reader.uint64()
    guard count <= UInt64(reader.remaining / 16) else { throw .state("saved state has an invalid report count \(count)") }
    var reports: [(Int64, Double)] = []
    for _ in 0..<Int(count) {
      reports.append((Int64(bitPattern: try reader.uint64()), Double(bitPattern: try reader.uint64())))
    }
    guard reader.remaining == 0 else { throw .state("saved state has \(reader.remaining) unread bytes") }
    return (text, size, fingerprint, reports)
  }
}

/// Little-endian serialisation of saved state.
struct StateWriter {
  var bytes: [UInt8] = []
  mutating func uint32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
  mutating func uint64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
  mutating func text(_ s: String) {
    let utf8 = Array(s.utf8)
    uint64(UInt64(utf8.count))
    bytes += utf8
  }
}

/// Bounds-checked little-endian reading of saved state: never traps, throws
/// on truncation; never reads past `end`.
struct StateReader {
  let bytes: [UInt8]
  var index: Int
  let end: Int

  init(_ bytes: [UInt8], from index: Int, end: Int) {
    self.bytes = bytes
    self.index = index
    self.end = min(end, bytes.count)
  }

  var remaining: Int { end - index }

  mutating func take(_ n: Int) throws(DataError) -> ArraySlice<UInt8> {
    guard n >= 0, n <= remaining else { throw .state("saved state is truncated") }
    defer { index += n }
    return bytes[index..<(index + n)]
  }
  mutating func uint32() throws(DataError) -> UInt32 {
    var v: UInt32 = 0
    for (i, b) in try take(4).enumerated() { v |= UInt32(b) << (8 * i) }
    return v
  }
  mutating func uint64() throws(DataError) -> UInt64 {
    var v: UInt64 = 0
    for (i, b) in try take(8).enumerated() { v |= UInt64(b) << (8 * i) }
    return v
  }
  mutating func text() throws(DataError) -> String {
    let n = try uint64()
    guard n <= UInt64(remaining) else { throw .state("saved state is truncated (a text of \(n) bytes)") }
    guard let s = String(validating: try take(Int(n)), as: UTF8.self) else { throw .state("saved state holds invalid UTF-8") }
    return s
  }
}
