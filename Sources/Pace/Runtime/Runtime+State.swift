//===--- Runtime+State.swift ----------------------------------------------===//
// Checkpoints: versioned, checksummed, self-describing, exact.
//===----------------------------------------------------------------------===//

/// The saved form of a runtime (all integers little-endian):
///
/// ```
/// offset  size  field
///      0     8  magic "PACE\0RT\0"
///      8     4  format version (3; versions 1 and 2 are still read)
///     12     8  payload length L
///     20     L  payload
///   20+L     4  CRC-32 of bytes 0 ..< 20+L
/// payload: config text (u64 length + UTF-8), step (i64), last re-plan (i64),
///          channel count (u32), per channel: segment count (u32), per
///          segment: start (i64), origin (f64 bits), rate (f64 bits),
///          canonical spec text (u64 length + UTF-8);
///          the norm history (see `NormHistory.write(to:)`; version 1:
///          norm count (u64) = step and every norm (f64 bits));
///          from version 3: the event log (see `Runtime.writeEvents(to:)`;
///          versions 1 and 2 load with an empty log).
/// ```
/// A checkpoint's size is bounded whatever the run's length: the norm
/// history keeps at most `NormHistory.capacity` samples, and a refined
/// segment at most `Runtime.refinedKnots` table entries.
/// The magic, version, length and trailing CRC keep this layout in every
/// future format, so a reader checks them first: a damaged blob is
/// `PACE_E_STATE`, a well-formed blob of a newer format `PACE_E_VERSION`.
/// Doubles are stored as their bits and schedules as their canonical text,
/// so a loaded runtime continues bit for bit.
extension Runtime {
  static let magic: [UInt8] = Array("PACE\u{0}RT\u{0}".utf8)
  package static let stateFormatVersion: UInt32 = 3
  /// Bytes before the payload: magic, version, payload length.
  package static let headerSize = 20

  /// The whole size (header, payload, CRC) a saved state's header
  /// declares, after checking its magic: lets a file reader read no more.
  package static func declaredSize(header: [UInt8]) throws(RuntimeError) -> Int {
    guard header.count >= headerSize else {
      throw .state("saved state is truncated: \(header.count) bytes, a header needs \(headerSize + 4)")
    }
    guard Array(header[0..<8]) == magic else { throw .state("not a Pace runtime state (bad magic)") }
    var reader = ByteReader(header, from: 12)
    let length = try reader.uint64()
    guard length <= UInt64(Int.max - headerSize - 4) else {
      throw .state("saved state declares an impossible payload length \(length)")
    }
    return headerSize + Int(length) + 4
  }

  /// The runtime's state as bytes.
  ///
  /// - Complexity: O(config + segments' specs + norm history), bounded
  ///   whatever the run's length.
  public func save() -> [UInt8] {
    var payload = ByteWriter()
    payload.text(config.text)
    payload.int64(step)
    payload.int64(lastReplan ?? -1)  // -1: no re-plan yet
    payload.uint32(UInt32(channels.count))
    for channel in channels {
      payload.uint32(UInt32(channel.segments.count))
      for segment in channel.segments {
        payload.int64(segment.start)
        payload.uint64(segment.origin.bitPattern)
        payload.uint64(segment.rate.bitPattern)
        payload.text(segment.schedule.canonicalText)
      }
    }
    history.write(to: &payload)
    writeEvents(to: &payload)
    var out = ByteWriter()
    out.bytes.append(contentsOf: Self.magic)
    out.uint32(Self.stateFormatVersion)
    out.uint64(UInt64(payload.bytes.count))
    out.bytes.append(contentsOf: payload.bytes)
    let crc = out.bytes.withUnsafeBytes { CRC32.checksum($0) }
    out.uint32(crc)
    return out.bytes
  }

  /// Restores a runtime saved by ``save()``. Never half-loads: any damage
  /// throws and nothing is created.
  public static func load(_ bytes: [UInt8]) throws(RuntimeError) -> Runtime {
    guard bytes.count >= headerSize + 4 else {
      throw .state("saved state is truncated: \(bytes.count) bytes, a header needs \(headerSize + 4)")
    }
    guard Array(bytes[0..<8]) == magic else { throw .state("not a Pace runtime state (bad magic)") }
    var header = ByteReader(bytes, from: 8)
    let version = try header.uint32()
    let length = try header.uint64()
    guard length <= UInt64(bytes.count), Int(length) == bytes.count - headerSize - 4 else {
      throw .state("saved state is truncated or has trailing bytes: payload length \(length), \(bytes.count) bytes in all")
    }
    let stored = UInt32(bytes[bytes.count - 4]) | UInt32(bytes[bytes.count - 3]) << 8
      | UInt32(bytes[bytes.count - 2]) << 16 | UInt32(bytes[bytes.count - 1]) << 24
    let computed = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<(bytes.count - 4)])) }
    guard stored == computed else { throw .state("saved state is corrupted (checksum mismatch)") }
    guard version >= 1 && version <= stateFormatVersion else {
      throw .version("saved state has format version \(version); this library reads versions 1 to \(stateFormatVersion)")
    }
    var reader = ByteReader(bytes, from: headerSize, end: bytes.count - 4)
    let configText = try reader.text()
    let runtime: Runtime
    do throws(RuntimeError) {
      runtime = try Runtime(configText: configText)
    } catch {
      throw .state("saved state holds an invalid config: \(error)")
    }
    let step = try reader.int64()
    let lastReplan = try reader.int64()
    guard step >= 0, lastReplan >= -1, lastReplan <= step else { throw .state("saved state has an invalid step") }
    let channelCount = try reader.uint32()
    guard channelCount == UInt32(runtime.channels.count) else {
      throw .state("saved state has \(channelCount) channels, its config \(runtime.channels.count)")
    }
    for c in 0..<Int(channelCount) {
      let segmentCount = try reader.uint32()
      guard segmentCount >= 1, segmentCount <= UInt32(reader.remaining / 28 + 1) else {
        throw .state("saved state has an invalid segment count")
      }
      var segments: [Segment] = []
      for _ in 0..<Int(segmentCount) {
        let start = try reader.int64()
        let origin = Double(bitPattern: try reader.uint64())
        let rate = Double(bitPattern: try reader.uint64())
        let text = try reader.text()
        guard start >= 0, start <= step, origin.isFinite, origin >= 0, rate.isFinite, rate > 0,
          segments.last.map({ $0.start < start }) ?? (start == 0)
        else { throw .state("saved state has an invalid segment") }
        let schedule: Schedule
        do throws(SpecError) {
          schedule = try Schedule.parse(text)
        } catch {
          throw .state("saved state holds an invalid schedule: \(error)")
        }
        segments.append(Segment(start: start, schedule: schedule, origin: origin, rate: rate))
      }
      runtime.channels[c].segments = segments
    }
    let history: NormHistory
    if version == 1 {
      let normCount = try reader.uint64()
      guard normCount == UInt64(step), normCount <= UInt64(reader.remaining / 8) else {
        throw .state("saved state has \(normCount) norms for \(step) steps")
      }
      var h = NormHistory()
      for _ in 0..<Int(normCount) { h.append(Double(bitPattern: try reader.uint64())) }
      history = h
    } else {
      history = try NormHistory.read(from: &reader, step: step)
    }
    let events = version >= 3 ? try readEvents(from: &reader, channelCount: runtime.channels.count, step: step) : []
    guard reader.remaining == 0 else { throw .state("saved state has \(reader.remaining) unread bytes") }
    runtime.step = step
    runtime.lastReplan = lastReplan >= 0 ? lastReplan : nil
    runtime.history = history
    runtime.events = events
    return runtime
  }
}

/// Little-endian serialisation.
struct ByteWriter {
  var bytes: [UInt8] = []
  mutating func uint32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
  mutating func uint64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
  mutating func int64(_ v: Int64) { uint64(UInt64(bitPattern: v)) }
  mutating func text(_ s: String) {
    let utf8 = Array(s.utf8)
    uint64(UInt64(utf8.count))
    bytes.append(contentsOf: utf8)
  }
}

/// Bounds-checked little-endian reading: never traps, throws on truncation.
struct ByteReader {
  let bytes: [UInt8]
  var index: Int
  let end: Int

  init(_ bytes: [UInt8], from index: Int, end: Int? = nil) {
    self.bytes = bytes
    self.index = index
    self.end = end ?? bytes.count
  }

  var remaining: Int { end - index }

  mutating func take(_ n: Int) throws(RuntimeError) -> ArraySlice<UInt8> {
    guard n >= 0, n <= remaining else { throw .state("saved state is truncated") }
    defer { index += n }
    return bytes[index..<(index + n)]
  }
  mutating func uint32() throws(RuntimeError) -> UInt32 {
    var v: UInt32 = 0
    for (i, b) in try take(4).enumerated() { v |= UInt32(b) << (8 * i) }
    return v
  }
  mutating func uint64() throws(RuntimeError) -> UInt64 {
    var v: UInt64 = 0
    for (i, b) in try take(8).enumerated() { v |= UInt64(b) << (8 * i) }
    return v
  }
  mutating func int64() throws(RuntimeError) -> Int64 { Int64(bitPattern: try uint64()) }
  mutating func text() throws(RuntimeError) -> String {
    let n = try uint64()
    guard n <= UInt64(remaining) else { throw .state("saved state is truncated (a text of \(n) bytes)") }
    let slice = try take(Int(n))
    guard let s = String(validating: slice, as: UTF8.self) else { throw .state("saved state holds invalid UTF-8") }
    return s
  }
}
