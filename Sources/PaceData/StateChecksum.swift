//===--- StateChecksum.swift ----------------------------------------------===//
// CRC-32 (IEEE 802.3, reflected, as zlib's crc32) of saved sampler state.
//===----------------------------------------------------------------------===//

/// zlib's CRC-32, table-driven (the same function as the runtime's
/// checkpoints use; Pace keeps its copy internal to its module).
enum StateChecksum {
  static let table: [UInt32] = (0..<256).map { i -> UInt32 in
    var c = UInt32(i)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  /// CRC-32 of `bytes` (initial value 0).
  ///
  /// - Complexity: O(n).
  static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
    return c ^ 0xFFFF_FFFF
  }
}
