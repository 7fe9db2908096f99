//===--- PackedRadixSort.swift --------------------------------------------===//
// A stable radix sort of 64-bit words by their high 32 bits, shaped for
// the TLB: few output streams over main memory, wide digits in cache.
//===----------------------------------------------------------------------===//

/// Sorts 64-bit words by their high 32 bits, stably (words with equal high
/// halves keep their input order; when the low halves are indices in
/// ascending order, the result is sorted by the whole word).
///
/// A counting pass scatters into one output stream per bucket. Over main
/// memory each stream touches its own pages, and more streams than the
/// first-level TLB holds (64 entries) make every store a page walk: on the
/// machines we measured, a 256-bucket pass over 10^6 words cost 4x a
/// 16-bucket one. So ranges larger than `cacheWords` are split by 4-bit
/// most-significant digits (16 streams) until they fit in the L1 cache, and
/// finished there by 8-bit least-significant-digit passes. A digit that is
/// the same for a whole range is skipped.
///
/// From `parallelMinimum` words on, two halves are sorted on two threads and
/// merged.
///
/// - Complexity: O(n · 32 / 4) worst case, typically two splitting passes
///   over main memory and three passes in cache for 10^6 words; O(n) extra
///   space.
enum PackedRadixSort {
  /// Ranges at most this long (32 KiB of words) are finished in cache.
  static let cacheWords = 4096
  /// Scratch Ints per split level: 17 bucket starts and 17 positions.
  private static let levelScratch = 2 * 17
  /// Scratch Ints per thread: in-cache counts, then 8 split levels.
  private static let countsStride = 4 * 256 + 8 * levelScratch

  static func sort(_ words: inout [UInt64]) {
    let n = words.count
    guard n > 1 else { return }
    var spare = [UInt64](unsafeUninitializedCapacity: n) { $1 = n }
    // The in-cache passes' counts (4 x 256), then each split level's bucket
    // starts and positions (2 x 17; at most 8 levels from bit 64 down to 32).
    // One such region per thread.
    var counts = [Int](repeating: 0, count: 2 * countsStride)
    words.withUnsafeMutableBufferPointer { words in
      spare.withUnsafeMutableBufferPointer { spare in
        counts.withUnsafeMutableBufferPointer { counts in
          let words = words.baseAddress!, spare = spare.baseAddress!, counts = counts.baseAddress!
          guard n >= parallelMinimum else {
            sortRange(0..<n, top: 64, from: words, other: spare, into: words, counts: counts)
            return
          }
          // Two halves sorted on two threads (into `spare`), then merged.
          let halves = [0..<(n / 2), (n / 2)..<n]
          forkJoin { part in
            sortRange(halves[part], top: 64, from: words, other: spare, into: spare, counts: counts + part * countsStride)
          }
          merge(spare, halves[0], halves[1], into: words)
        }
      }
    }
  }

  /// Sorts `source[range]` by bits `32 ..< top` (the higher bits are equal
  /// over the range) into `target[range]`, where `target` is `source` or
  /// `other` and `other[range]` is scratch. Levels alternate between the two
  /// buffers, so no level copies its buckets back.
  private static func sortRange(_ range: Range<Int>, top: Int, from source: UnsafeMutablePointer<UInt64>,
                                other: UnsafeMutablePointer<UInt64>, into target: UnsafeMutablePointer<UInt64>,
                                counts: UnsafeMutablePointer<Int>) {
    if range.count <= 1 || top <= 32 {
      if target != source { (target + range.lowerBound).update(from: source + range.lowerBound, count: range.count) }
      return
    }
    if range.count <= cacheWords {
      finishInCache(range, top: top, from: source, other: other, into: target, counts: counts)
      return
    }
    // Split by the 4 bits below `top` (16 output streams), source -> other.
    let shift = UInt64(top - 4)
    @inline(__always) func digit(_ word: UInt64) -> Int { Int(truncatingIfNeeded: (word &>> shift) & 0xF) }
    let starts = counts + 4 * 256 + ((64 - top) / 4) * levelScratch, position = starts + 17
    starts.update(repeating: 0, count: 17)
    for i in range { starts[digit(source[i]) &+ 1] &+= 1 }
    if starts[digit(source[range.lowerBound]) &+ 1] == range.count {  // the same digit throughout
      sortRange(range, top: top - 4, from: source, other: other, into: target, counts: counts)
      return
    }
    starts[0] = range.lowerBound
    for d in 0..<16 { starts[d + 1] &+= starts[d] }
    position.update(from: starts, count: 16)
    for i in range {
      let word = source[i]
      let d = digit(word)
      other[position[d]] = word
      position[d] &+= 1
    }
    for d in 0..<16 where starts[d + 1] > starts[d] {
      sortRange(starts[d]..<starts[d + 1], top: top - 4, from: other, other: source, into: target, counts: counts)
    }
  }

  /// Merges the sorted ranges `a` and `b` (adjacent) of `source` into
  /// `target` (words are distinct: their low halves are distinct indices).
  private static func merge(_ source: UnsafeMutablePointer<UInt64>, _ a: Range<Int>, _ b: Range<Int>,
                            into target: UnsafeMutablePointer<UInt64>) {
    var i = a.lowerBound, j = b.lowerBound, k = a.lowerBound
    while i < a.upperBound && j < b.upperBound {
      let x = source[i], y = source[j]
      let takeFirst = x < y
      target[k] = takeFirst ? x : y
      i &+= takeFirst ? 1 : 0
      j &+= takeFirst ? 0 : 1
      k &+= 1
    }
    (target + k).update(from: source + i, count: a.upperBound - i)
    k += a.upperBound - i
    (target + k).update(from: source + j, count: b.upperBound - j)
  }

  /// Sorts a cache-sized `data[range]` by bits `32 ..< top` into
  /// `final[range]` (`data` or `spare`) with 8-bit least-significant-digit
  /// passes (all digit counts in one read).
  private static func finishInCache(_ range: Range<Int>, top: Int, from data: UnsafeMutablePointer<UInt64>,
                                    other spare: UnsafeMutablePointer<UInt64>, into final: UnsafeMutablePointer<UInt64>,
                                    counts: UnsafeMutablePointer<Int>) {
    let passes = (top - 32 + 7) / 8
    let bottom = top - passes * 8  // may dip below 32: those bits are the index, in order
    @inline(__always) func digit(_ word: UInt64, _ pass: Int) -> Int {
      Int(truncatingIfNeeded: (word &>> UInt64(bottom &+ pass &* 8)) & 0xFF)
    }
    counts.update(repeating: 0, count: passes * 256)
    for i in range {
      let word = data[i]
      for pass in 0..<passes { counts[pass &* 256 &+ digit(word, pass)] &+= 1 }
    }
    var source = data, target = spare
    for pass in 0..<passes {
      let position = counts + pass * 256
      if position[digit(source[range.lowerBound], pass)] == range.count { continue }
      var start = range.lowerBound
      for d in 0..<256 {
        let count = position[d]
        position[d] = start
        start &+= count
      }
      for i in range {
        let word = source[i]
        let d = digit(word, pass)
        target[position[d]] = word
        position[d] &+= 1
      }
      swap(&source, &target)
    }
    if source != final {
      (final + range.lowerBound).update(from: source + range.lowerBound, count: range.count)
    }
  }
}
