//===--- CRC32.swift ------------------------------------------------------===//
// CRC-32 (IEEE 802.3, reflected, as zlib) for the integrity of saved states.
//===----------------------------------------------------------------------===//

package enum CRC32 {
  static let table: [UInt32] = (0..<256).map { i -> UInt32 in
    var c = UInt32(i)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  /// CRC-32 of `bytes` (zlib's crc32 with initial value 0).
  ///
  /// - Complexity: O(n).
  package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    table.withUnsafeBufferPointer { t in
      for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
    }
    return c ^ 0xFFFF_FFFF
  }

  /// CRC-32 of a byte array.
  ///
  /// - Complexity: O(n).
  package static func checksum(_ bytes: [UInt8]) -> UInt32 {
    bytes.withUnsafeBytes { checksum($0) }
  }

  /// CRC-32 of a slice of bytes.
  ///
  /// - Complexity: O(n).
  package static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    bytes.withUnsafeBytes { checksum($0) }
  }
}
