//===--- RankOrder.swift --------------------------------------------------===//
// The ranks of a sequence of doubles, by a radix sort of packed
// (32-bit key prefix, index) words.
//===----------------------------------------------------------------------===//

/// The ranks of a sequence of doubles: `rank[i]` is the position of element
/// `i` in ascending order, equal values ordered by index, so ranks are a
/// permutation of `0 ..< count`.
///
/// Each value's order-preserving key (its IEEE bits as an unsigned integer
/// in numeric order) is reduced to the top 32 bits in which the keys differ
/// and packed with the element's index into one 64-bit word. Those words
/// are sorted by `PackedRadixSort` (which ties by index, i.e. stably), and
/// the rare runs of equal prefixes are then ordered by their full keys.
///
/// - Complexity: O(n) expected time (a few passes, most of them in cache);
///   O(n) space. A run of k equal prefixes (values within 2^-32 of the
///   keys' span of each other) costs O(k log k) more.
struct RankOrder {
  /// The packed words in ascending order: rank r holds element
  /// `index(atRank: r)`.
  private var words: [UInt64]
  /// `rank[i]`: the position of element `i` in ascending order.
  var rank: [Int32]

  /// Ranks the elements of `values`.
  init(_ values: [Double]) {
    let n = values.count
    var words = [UInt64](repeating: 0, count: n)
    rank = [Int32](unsafeUninitializedCapacity: n) { rank, initialized in
      guard n > 0 else { return }
      values.withUnsafeBufferPointer { values in
        words.withUnsafeMutableBufferPointer { words in
          withScratchMemory(bytes: n * MemoryLayout<UInt64>.stride) { spare in
            Self.rank(PaddedSequence(values, halfWidth: 0), keyBounds: Self.keyBounds(of: values),
                      words: words.baseAddress!, spare: spare.assumingMemoryBound(to: UInt64.self),
                      into: rank.baseAddress!)
          }
        }
      }
      initialized = n
    }
    self.words = words
  }

  /// Writes the rank of each position `v` of `sequence` into `rank[v]`, and
  /// into the low 32 bits of `words[r]` the position of rank `r`. `words`
  /// and `spare` hold `sequence.count` words each (scratch on entry); the
  /// values' keys lie in `keyBounds` (see `keyBounds(of:)`).
  ///
  /// The packing pass, the sort and the rank pass each run on two threads
  /// from `parallelMinimum` positions on.
  /// - Precondition: `sequence.count < Int32.max`, no NaN.
  static func rank(_ sequence: PaddedSequence, keyBounds: ClosedRange<UInt64>, words: UnsafeMutablePointer<UInt64>,
                   spare: UnsafeMutablePointer<UInt64>, into rank: UnsafeMutablePointer<Int32>) {
    let n = sequence.count
    let low = keyBounds.lowerBound
    let span = keyBounds.upperBound &- low
    let prefixShift = UInt64(Swift.max(0, (64 - span.leadingZeroBitCount) - 32))
    let parts = n >= parallelMinimum ? 2 : 1
    inParts(parts, of: 0..<n) { range in
      for v in range { words[v] = ((key(sequence[v]) &- low) &>> prefixShift) &<< 32 | UInt64(v) }
    }
    PackedRadixSort.sort(words, count: n, spare: spare)
    // Halves split between runs of equal prefixes.
    var middle = n / 2
    while prefixShift > 0 && middle > 0 && middle < n && words[middle] &>> 32 == words[middle - 1] &>> 32 {
      middle += 1
    }
    inParts(parts, of: 0..<n, splitAt: middle) { range in
      var start = range.lowerBound
      while start < range.upperBound {
        // A run of equal prefixes (only possible when keys were shortened)
        // is put in full-key order before its ranks are given.
        var end = start + 1
        if prefixShift > 0 {
          while end < range.upperBound && words[end] &>> 32 == words[start] &>> 32 { end += 1 }
          if end - start > 1 {
            orderByFullKey(UnsafeMutableBufferPointer(start: words, count: n)[start..<end]) { key(sequence[$0]) }
          }
        }
        for position in start..<end {
          rank[Int(truncatingIfNeeded: words[position] & 0xFFFF_FFFF)] = Int32(truncatingIfNeeded: position)
        }
        start = end
      }
    }
  }

  /// The smallest and largest key of `values` (`0...0` when empty).
  static func keyBounds(of values: UnsafeBufferPointer<Double>) -> ClosedRange<UInt64> {
    guard !values.isEmpty else { return 0...0 }
    var low = UInt64.max, high = UInt64.min
    for x in values {
      let k = key(x)
      low = Swift.min(low, k)
      high = Swift.max(high, k)
    }
    return low...high
  }

  /// The element of rank `r`.
  @inline(__always)
  func index(atRank r: Int) -> Int { Int(truncatingIfNeeded: words[r] & 0xFFFF_FFFF) }

  /// An unsigned integer whose order is the numeric order of `x`.
  @inline(__always)
  static func key(_ x: Double) -> UInt64 {
    let bits = x.bitPattern
    return bits >> 63 == 0 ? bits | (1 << 63) : ~bits
  }

  /// Orders a run of words with equal prefixes (in index order) by (full
  /// key, index): insertion sort for a short run; for a long one (values
  /// clustered within 2^-32 of the keys' span, e.g. beside a far outlier,
  /// or one value repeated) a check that it is in order, else the standard
  /// library's O(k log k) sort.
  private static func orderByFullKey(_ run: Slice<UnsafeMutableBufferPointer<UInt64>>, key: (Int) -> UInt64) {
    @inline(__always) func fullKey(_ word: UInt64) -> UInt64 { key(Int(truncatingIfNeeded: word & 0xFFFF_FFFF)) }
    var run = run
    if run.count > 16 {
      // Often already in order: the padding's copies of one value (the
      // first norm repeated w / 2 + 1 times) are one such run. O(k) then.
      var previous = fullKey(run[run.startIndex]), ordered = true
      for word in run.dropFirst() {
        let k = fullKey(word)
        if k < previous {
          ordered = false
          break
        }
        previous = k
      }
      if ordered { return }
      run.sort { a, b in
        let x = fullKey(a), y = fullKey(b)
        return x < y || (x == y && a & 0xFFFF_FFFF < b & 0xFFFF_FFFF)
      }
      return
    }
    for i in (run.startIndex + 1)..<run.endIndex {
      let word = run[i]
      let k = fullKey(word)
      var j = i
      while j > run.startIndex && fullKey(run[j - 1]) > k {  // equal keys keep index order
        run[j] = run[j - 1]
        j -= 1
      }
      run[j] = word
    }
  }
}
