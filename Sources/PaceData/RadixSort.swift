//===--- RadixSort.swift --------------------------------------------------===//
// The sorted order of up to 2^32 - 1 keys: a stable parallel LSD radix sort
// of (key, index) pairs, 11-bit digits, digits that never vary skipped.
//===----------------------------------------------------------------------===//

/// Stable least-significant-digit radix sort, parallel over a fixed split
/// of the array (``Chunks``): each pass counts digits per part, lays the
/// buckets out in (digit, part) order and scatters each part in order, so
/// the output is the unique stable order whatever the thread count: indices
/// sorted by (key, index).
///
/// - Complexity: O(n) per varying 11-bit digit (at most 6 passes; doubles
///   of one sign and a narrow range of exponents skip the top digit). Peak
///   memory: the n keys given plus 12 bytes per element (a second key
///   buffer and two index buffers).
enum RadixSort {
  static let digitBits = 11
  static let buckets = 1 << digitBits
  static let digitCount = 6  // 6 x 11 >= 64

  /// Indices `0 ..< keys.count` sorted by (key, index). `keys` is used as
  /// scratch: its contents are undefined afterwards.
  static func order(_ keys: UnsafeMutableBufferPointer<UInt64>, workers: Workers) -> [UInt32] {
    let n = keys.count
    guard n > 0, let keyBase = keys.baseAddress else { return [] }
    let chunks = Chunks(count: n)
    let parts = chunks.parts
    let otherKeys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
    let indices = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: n)
    let otherIndices = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: n)
    defer { otherKeys.deallocate(); indices.deallocate(); otherIndices.deallocate() }
    // Which digits vary (one counting pass over all digits).
    let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: parts * buckets * digitCount)
    defer { counts.deallocate() }
    counts.initialize(repeating: 0)
    workers.run(parts) { p in
      let base = counts.baseAddress! + p * buckets * digitCount
      for i in chunks.range(p) {
        let k = keyBase[i]
        indices[i] = UInt32(truncatingIfNeeded: i)
        for d in 0..<digitCount { base[d * buckets + Int((k >> UInt64(d * digitBits)) & UInt64(buckets - 1))] += 1 }
      }
    }
    var varying: [Int] = []
    for d in 0..<digitCount {
      var total = [Int](repeating: 0, count: buckets)
      for p in 0..<parts {
        for b in 0..<buckets { total[b] += counts[(p * digitCount + d) * buckets + b] }
      }
      if !total.contains(n) { varying.append(d) }
    }
    var source = (keys: keys, indices: indices), target = (keys: otherKeys, indices: otherIndices)
    for d in varying {
      let shift = UInt64(d * digitBits)
      let mask = UInt64(buckets - 1)
      let src = source, dst = target
      // Per-part counts of this digit, then (digit, part)-ordered offsets.
      counts.update(repeating: 0)
      workers.run(parts) { p in
        let base = counts.baseAddress! + p * buckets
        for i in chunks.range(p) { base[Int((src.keys[i] >> shift) & mask)] += 1 }
      }
      var running = 0
      for b in 0..<buckets {
        for p in 0..<parts {
          let c = counts[p * buckets + b]
          counts[p * buckets + b] = running
          running += c
        }
      }
      workers.run(parts) { p in
        let next = counts.baseAddress! + p * buckets
        for i in chunks.range(p) {
          let k = src.keys[i]
          let b = Int((k >> shift) & mask)
          let at = next[b]
          next[b] = at + 1
          dst.keys[at] = k
          dst.indices[at] = src.indices[i]
        }
      }
      swap(&source, &target)
    }
    let sorted = source.indices
    return [UInt32](unsafeUninitializedCapacity: n) { buffer, count in
      _ = buffer.initialize(fromContentsOf: sorted)
      count = n
    }
  }
}
