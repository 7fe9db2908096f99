//===--- RadixSort.swift --------------------------------------------------===//
// The sorted order of up to 2^32 keys: one parallel most-significant-digit
// pass into 2048 buckets, then each bucket sorted in cache by stable
// least-significant-digit passes over its remaining bits.
//===----------------------------------------------------------------------===//

/// A stable radix sort of (key, index) pairs, giving the indices sorted by
/// (key, index) — the unique answer, so the same whatever the thread count.
///
/// 1. The highest bit in which the keys differ is found (one parallel
///    pass); the 11 bits below and including it are the first digit.
/// 2. Each part of a fixed split (``Chunks``) counts its digits; buckets
///    are laid out in (digit, part) order and every part scatters its pairs
///    in order (stable).
/// 3. The buckets (2048 tasks, taken by the workers in turn) are each sorted
///    by LSD passes of 11-bit digits over the bits below the first digit,
///    skipping digits that do not vary within the bucket; a bucket larger
///    than ``inCacheLimit`` (doubles share their sign and exponent bits, so
///    the first digit may spread them over few buckets) first takes more
///    MSD passes on its own highest varying bits.
///
/// - Complexity: O(N) per pass: two passes over the whole array, then at
///   most five in-cache passes per bucket. Peak memory: the N keys given
///   plus 12 bytes per element (a second key buffer, two index buffers).
enum RadixSort {
  static let digitBits = 11
  static let buckets = 1 << digitBits

  /// Indices `0 ..< keys.count` sorted by (key, index). `keys` is used as
  /// scratch: its contents are undefined afterwards.
  static func order(_ keys: UnsafeMutableBufferPointer<UInt64>, workers: Workers) -> [UInt32] {
    let n = keys.count
    guard n > 0 else { return [] }
    let chunks = Chunks(count: n)
    let parts = chunks.parts
    let first = keys[0]
    // The bits in which any key differs from the first.
    var differing = [UInt64](repeating: 0, count: parts)
    differing.withUnsafeMutableBufferPointer { out in
      workers.run(parts) { p in
        var d: UInt64 = 0
        for i in chunks.range(p) { d |= keys[i] ^ first }
        out[p] = d
      }
    }
    let varying = differing.reduce(0, |)
    guard varying != 0 else { return (0..<n).map { UInt32(truncatingIfNeeded: $0) } }
    let top = 63 - varying.leadingZeroBitCount  // highest varying bit
    let shift = max(0, top - digitBits + 1)
    let otherKeys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
    let indices = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: n)
    let otherIndices = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: n)
    defer { otherKeys.deallocate(); otherIndices.deallocate() }
    // MSD pass: keys -> otherKeys, implicit indices -> otherIndices.
    let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: parts * buckets)
    defer { counts.deallocate() }
    counts.initialize(repeating: 0)
    let mask = UInt64(buckets - 1)
    workers.run(parts) { p in
      let base = counts.baseAddress! + p * buckets
      for i in chunks.range(p) { base[Int((keys[i] >> UInt64(shift)) & mask)] += 1 }
    }
    var bucketStart = [Int](repeating: 0, count: buckets + 1)
    var running = 0
    for b in 0..<buckets {
      bucketStart[b] = running
      for p in 0..<parts {
        let c = counts[p * buckets + b]
        counts[p * buckets + b] = running
        running += c
      }
    }
    bucketStart[buckets] = n
    workers.run(parts) { p in
      let next = counts.baseAddress! + p * buckets
      for i in chunks.range(p) {
        let k = keys[i]
        let b = Int((k >> UInt64(shift)) & mask)
        let at = next[b]
        next[b] = at + 1
        otherKeys[at] = k
        otherIndices[at] = UInt32(truncatingIfNeeded: i)
      }
    }
    // Per bucket: LSD over bits 0 ..< shift, ending in `indices`.
    bucketStart.withUnsafeBufferPointer { starts in
      workers.run(buckets) { b in
        let lo = starts[b], hi = starts[b + 1]
        guard hi > lo else { return }
        sortBucket(lo..<hi, bits: shift, keys: (otherKeys, keys), indices: (otherIndices, indices), into: indices)
      }
    }
    let result = [UInt32](unsafeUninitializedCapacity: n) { out, count in
      _ = out.initialize(fromContentsOf: indices)
      count = n
    }
    indices.deallocate()
    return result
  }

  /// Elements a bucket may have to be sorted by LSD passes (2 x 12 bytes
  /// each in L2); larger buckets take another MSD pass first.
  static let inCacheLimit = 1 << 16

  /// Sorts `range` of `keys.0` / `indices.0` stably by bits `0 ..< bits`
  /// (the higher bits are equal within the range), using `keys.1` /
  /// `indices.1` as scratch; the sorted indices end in `result` (one of the
  /// two index buffers).
  static func sortBucket(_ range: Range<Int>, bits: Int,
                         keys: (UnsafeMutableBufferPointer<UInt64>, UnsafeMutableBufferPointer<UInt64>),
                         indices: (UnsafeMutableBufferPointer<UInt32>, UnsafeMutableBufferPointer<UInt32>),
                         into result: UnsafeMutableBufferPointer<UInt32>) {
    if range.count <= 64 {
      // Insertion sort (stable: the pairs arrive in index order).
      for i in range {
        let k = keys.0[i], x = indices.0[i]
        var j = i
        while j > range.lowerBound, keys.0[j - 1] > k {
          keys.0[j] = keys.0[j - 1]
          indices.0[j] = indices.0[j - 1]
          j -= 1
        }
        keys.0[j] = k
        indices.0[j] = x
      }
      if indices.0.baseAddress != result.baseAddress { for i in range { result[i] = indices.0[i] } }
      return
    }
    var (srcKeys, dstKeys) = keys
    var (srcIdx, dstIdx) = indices
    var varying: UInt64 = 0
    let first = srcKeys[range.lowerBound]
    for i in range { varying |= srcKeys[i] ^ first }
    if bits < 64 { varying &= (UInt64(1) << UInt64(bits)) - 1 }
    var counts = [Int](repeating: 0, count: buckets)
    let topVarying = 63 - varying.leadingZeroBitCount
    if range.count > inCacheLimit, topVarying >= digitBits {
      // Too large for cache: one more stable MSD pass on the highest
      // varying 11 bits (keys.0 -> keys.1), then each part recursively
      // (keys.1 -> keys.0), every result landing in indices.1.
      let shift = UInt64(topVarying - digitBits + 1)
      for i in range { counts[Int((srcKeys[i] >> shift) & UInt64(buckets - 1))] += 1 }
      var starts = [Int](repeating: 0, count: buckets + 1)
      var running = range.lowerBound
      for b in 0..<buckets { starts[b] = running; running += counts[b]; counts[b] = starts[b] }
      starts[buckets] = range.upperBound
      for i in range {
        let k = srcKeys[i]
        let b = Int((k >> shift) & UInt64(buckets - 1))
        let at = counts[b]
        counts[b] = at + 1
        dstKeys[at] = k
        dstIdx[at] = srcIdx[i]
      }
      for b in 0..<buckets where starts[b + 1] > starts[b] {
        sortBucket(starts[b]..<starts[b + 1], bits: Int(shift), keys: (dstKeys, srcKeys), indices: (dstIdx, srcIdx),
                   into: result)
      }
      return
    }
    var digit = 0
    while digit * digitBits < bits {
      let shift = UInt64(digit * digitBits)
      digit += 1
      guard (varying >> shift) & UInt64(buckets - 1) != 0 else { continue }
      for b in 0..<buckets { counts[b] = 0 }
      for i in range { counts[Int((srcKeys[i] >> shift) & UInt64(buckets - 1))] += 1 }
      var running = range.lowerBound
      for b in 0..<buckets { let c = counts[b]; counts[b] = running; running += c }
      for i in range {
        let k = srcKeys[i]
        let b = Int((k >> shift) & UInt64(buckets - 1))
        let at = counts[b]
        counts[b] = at + 1
        dstKeys[at] = k
        dstIdx[at] = srcIdx[i]
      }
      swap(&srcKeys, &dstKeys)
      swap(&srcIdx, &dstIdx)
    }
    // The sorted indices are in srcIdx; the result lives in `result`.
    if srcIdx.baseAddress != result.baseAddress {
      for i in range { result[i] = srcIdx[i] }
    }
  }
}
