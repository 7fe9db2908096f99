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
///   O(n) space. Runs of equal prefixes cost O(k²) for k elements within
///   2^-32 of the keys' span of each other.
struct RankOrder {
  /// The packed words in ascending order: rank r holds element
  /// `index(atRank: r)`.
  private var words: [UInt64]
  /// `rank[i]`: the position of element `i` in ascending order.
  var rank: [Int32]

  /// Ranks the `count` values `value(0) ..< value(count - 1)` (each read
  /// once or twice; keep it cheap), whose keys lie in `keyBounds` (see
  /// `keyBounds(of:)`).
  /// - Precondition: `count < Int32.max`, no NaN.
  @inline(__always)
  init(count n: Int, keyBounds: ClosedRange<UInt64>, value: (Int) -> Double) {
    let low = keyBounds.lowerBound
    let span = keyBounds.upperBound &- low
    let prefixShift = UInt64(Swift.max(0, (64 - span.leadingZeroBitCount) - 32))
    var words = [UInt64](unsafeUninitializedCapacity: n) { buffer, initialized in
      for i in 0..<n { buffer[i] = ((Self.key(value(i)) &- low) &>> prefixShift) &<< 32 | UInt64(i) }
      initialized = n
    }
    PackedRadixSort.sort(&words)
    if prefixShift > 0 { Self.orderEqualPrefixes(&words) { Self.key(value($0)) } }
    rank = [Int32](unsafeUninitializedCapacity: n) { rank, initialized in
      words.withUnsafeBufferPointer { words in
        for position in 0..<n { rank[Int(truncatingIfNeeded: words[position] & 0xFFFF_FFFF)] = Int32(truncatingIfNeeded: position) }
      }
      initialized = n
    }
    self.words = words
  }

  /// Ranks the elements of `values`.
  init(_ values: [Double]) {
    let bounds = values.withUnsafeBufferPointer(Self.keyBounds(of:))
    self.init(count: values.count, keyBounds: bounds) { values[$0] }
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

  /// Sorts each run of words with equal prefixes by (full key, index), by
  /// insertion sort (such runs are short unless values cluster within
  /// 2^-32 of the span).
  private static func orderEqualPrefixes(_ words: inout [UInt64], key: (Int) -> UInt64) {
    let n = words.count
    words.withUnsafeMutableBufferPointer { words in
      do {
        @inline(__always) func fullKey(_ word: UInt64) -> UInt64 { key(Int(truncatingIfNeeded: word & 0xFFFF_FFFF)) }
        var start = 0
        while start < n {
          var end = start + 1
          while end < n && words[end] &>> 32 == words[start] &>> 32 { end += 1 }
          if end - start > 1 {
            for i in (start + 1)..<end {
              let word = words[i]
              let key = fullKey(word)
              var j = i
              // Words of a run are in index order; move past larger keys only (stable).
              while j > start && fullKey(words[j - 1]) > key {
                words[j] = words[j - 1]
                j -= 1
              }
              words[j] = word
            }
          }
          start = end
        }
      }
    }
  }
}
