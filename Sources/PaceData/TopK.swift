//===--- TopK.swift -------------------------------------------------------===//
// The k smallest of n keys without sorting: a parallel radix select.
//===----------------------------------------------------------------------===//

/// Radix selection of the `k` smallest keys (ties by smaller index), among
/// the elements a filter admits: 16-bit counting passes narrow a region of
/// keys (a prefix) holding the k-th smallest until the region is wanted
/// whole or is one key value (at most four passes; two for spread-out
/// keys), then one pass gathers the indices in ascending order.
/// Per-part counts combined in part order: the same result whatever the
/// thread count (it is the unique answer).
///
/// - Complexity: at most 5 reads of the keys (3 for spread-out keys), O(n); extra memory 4 bytes per
///   selected index plus 256 KiB of counts per part (at most 64 parts).
enum TopK {
  static let digitBits = 16
  static let buckets = 1 << digitBits

  /// Ascending indices of the `k` smallest keys among the elements `i` with
  /// `admit(i)` (all when nil). `k` must not exceed the admitted count.
  static func smallest(_ k: Int, of keys: UnsafeBufferPointer<UInt64>, admit: ((Int) -> Bool)? = nil,
                       workers: Workers) -> [UInt32] {
    let n = keys.count
    guard k > 0, n > 0 else { return [] }
    let chunks = Chunks(count: n)
    let parts = chunks.parts
    let counts = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: parts * buckets)
    defer { counts.deallocate() }
    var prefix: UInt64 = 0, prefixMask: UInt64 = 0, wanted = k
    // Per part: elements known to lie below the region, and in it.
    var less = [Int](repeating: 0, count: parts), inRegion = [Int](repeating: 0, count: parts)
    var takeWholeRegion = false
    for pass in 0..<4 {
      let shift = UInt64(64 - digitBits * (pass + 1))
      let (p0, m0) = (prefix, prefixMask)
      counts.update(repeating: 0)
      workers.run(parts) { p in
        let base = counts.baseAddress! + p * buckets
        for i in chunks.range(p) where keys[i] & m0 == p0 && (admit?(i) ?? true) {
          base[Int((keys[i] >> shift) & 0xFFFF)] &+= 1
        }
      }
      // The bucket holding the wanted-th smallest (1-based) of this prefix.
      var below = 0, bucket = 0, total = 0
      while bucket < buckets {
        total = 0
        for p in 0..<parts { total += Int(counts[p * buckets + bucket]) }
        if below + total >= wanted { break }
        below += total
        bucket += 1
      }
      for p in 0..<parts {
        for b in 0..<bucket { less[p] += Int(counts[p * buckets + b]) }
        inRegion[p] = Int(counts[p * buckets + bucket])
      }
      wanted -= below
      prefix |= UInt64(bucket) << shift
      prefixMask |= 0xFFFF << shift
      // The whole bucket is wanted: no need to look at lower digits.
      if total == wanted { takeWholeRegion = true; break }
    }
    // Take every key below the region [low, high], and from the region all
    // of it or (a single key value) the first `wanted` by index.
    let low = prefix, high = prefix | ~prefixMask
    var starts = [Int](repeating: 0, count: parts), regionTaken = [Int](repeating: 0, count: parts)
    var running = 0, regionLeft = wanted
    for p in 0..<parts {
      starts[p] = running
      regionTaken[p] = takeWholeRegion ? inRegion[p] : min(inRegion[p], regionLeft)
      regionLeft -= takeWholeRegion ? 0 : regionTaken[p]
      running += less[p] + regionTaken[p]
    }
    return [UInt32](unsafeUninitializedCapacity: running) { out, count in
      let o = out
      workers.run(parts) { p in
        var at = starts[p], regionLeft = regionTaken[p]
        for i in chunks.range(p) where admit?(i) ?? true {
          let key = keys[i]
          if key < low || (key <= high && regionLeft > 0) {
            if key >= low { regionLeft -= 1 }
            o[at] = UInt32(truncatingIfNeeded: i)
            at += 1
          }
        }
      }
      count = running
    }
  }
}
