//===--- TopK.swift -------------------------------------------------------===//
// The k smallest of n keys without sorting: a parallel radix select.
//===----------------------------------------------------------------------===//

/// Radix selection of the `k` smallest keys (ties by smaller index), among
/// the elements a filter admits: four 16-bit counting passes find the k-th
/// key exactly, one more pass gathers the indices in ascending order.
/// Per-part counts combined in part order: the same result whatever the
/// thread count (it is the unique answer).
///
/// - Complexity: 5 reads of the keys, O(n); extra memory 4 bytes per
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
      var below = 0, bucket = 0
      while bucket < buckets {
        var c = 0
        for p in 0..<parts { c += Int(counts[p * buckets + bucket]) }
        if below + c >= wanted { break }
        below += c
        bucket += 1
      }
      wanted -= below
      prefix |= UInt64(bucket) << shift
      prefixMask |= 0xFFFF << shift
    }
    // prefix is the k-th smallest key; take all keys below it and the first
    // `wanted` equal to it (smallest indices first).
    let threshold = prefix
    var less = [Int](repeating: 0, count: parts), equal = [Int](repeating: 0, count: parts)
    less.withUnsafeMutableBufferPointer { lessCounts in
      equal.withUnsafeMutableBufferPointer { equalCounts in
        workers.run(parts) { p in
          var l = 0, e = 0
          for i in chunks.range(p) where admit?(i) ?? true {
            if keys[i] < threshold { l += 1 } else if keys[i] == threshold { e += 1 }
          }
          lessCounts[p] = l
          equalCounts[p] = e
        }
      }
    }
    var starts = [Int](repeating: 0, count: parts), equalTaken = [Int](repeating: 0, count: parts)
    var running = 0, equalLeft = wanted
    for p in 0..<parts {
      starts[p] = running
      equalTaken[p] = min(equal[p], equalLeft)
      equalLeft -= equalTaken[p]
      running += less[p] + equalTaken[p]
    }
    return [UInt32](unsafeUninitializedCapacity: running) { out, count in
      workers.run(parts) { p in
        var at = starts[p], equalsLeft = equalTaken[p]
        for i in chunks.range(p) where admit?(i) ?? true {
          let key = keys[i]
          if key < threshold || (key == threshold && equalsLeft > 0) {
            if key == threshold { equalsLeft -= 1 }
            out[at] = UInt32(truncatingIfNeeded: i)
            at += 1
          }
        }
      }
      count = running
    }
  }
}
