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
/// most-significant digits (16 streams) until they fit in the L2 cache, and
/// finished there by 8-bit least-significant-digit passes. A digit that is
/// the same for a whole range is skipped.
///
/// From `parallelMinimum` words on, the first splitting pass runs on two
/// threads with 8-bit digits (the words are then in huge pages, see
/// `withScratchMemory`: 256 streams stay within a few TLB entries), each
/// thread scattering half of the words into the shared buckets, and the
/// buckets are then finished on the two threads, biggest first to the less
/// loaded thread: no merge.
///
/// - Complexity: O(n · 32 / 4) worst case, typically one splitting pass
///   over main memory and three passes in cache for 10^6 words; O(n) extra
///   space.
enum PackedRadixSort {
  /// Ranges at most this long (128 KiB of words, 256 KiB with the spare
  /// words: a core's L2 cache) are finished in cache. Longer than the L1
  /// cache on purpose: the in-cache passes cost O(256) per range besides
  /// the words (measured: 12% less time for 10^6 words than 4096).
  static let cacheWords = 16384
  /// Digit width (bits) of the two-thread split: 256 buckets (over huge
  /// pages, see `withScratchMemory`, 256 streams cost no page walks;
  /// measured 4-9% less time than 16 or 64 buckets for 10^6 words).
  private static let splitBits = 8
  /// Scratch Ints per split level: two halves' 16 positions, 17 bucket starts.
  private static let levelScratch = 2 * 16 + 17
  /// Scratch Ints of the in-cache passes: two halves' counts of 4 passes.
  private static let inCacheCounts = 2 * 4 * 256
  /// Scratch Ints per thread: in-cache counts, then 8 split levels.
  private static let countsStride = inCacheCounts + 8 * levelScratch

  /// Sorts `words` (see the type's description).
  static func sort(_ words: inout [UInt64]) {
    let n = words.count
    guard n > 1 else { return }
    withScratchMemory(bytes: n * MemoryLayout<UInt64>.stride) { spare in
      words.withUnsafeMutableBufferPointer { words in
        sort(words.baseAddress!, count: n, spare: spare.assumingMemoryBound(to: UInt64.self))
      }
    }
  }

  /// Sorts `words[0 ..< n]` in place, with `spare[0 ..< n]` as scratch.
  static func sort(_ words: UnsafeMutablePointer<UInt64>, count n: Int, spare: UnsafeMutablePointer<UInt64>) {
    guard n > 1 else { return }
    // The in-cache passes' counts (2 x 4 x 256), then each split level's
    // positions and bucket starts (2 x 16 + 17; at most 8 levels from bit 64
    // down to 32). One such region per thread.
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * countsStride) { counts in
      let counts = counts.baseAddress!
      counts.initialize(repeating: 0, count: 2 * countsStride)
      if n >= parallelMinimum {
        sortOnTwoThreads(words, count: n, spare: spare, counts: counts)
      } else {
        sortRange(0..<n, top: 64, from: words, other: spare, into: words, counts: counts)
      }
    }
  }

  /// The first split by the highest `splitBits`-bit digit that is not the
  /// same throughout, words -> spare, each thread scattering one half into the
  /// shared buckets as two interleaved chains (its half's halves: four
  /// quarters in all, each quarter's words after the previous quarters' in
  /// every bucket, so the split is stable); then each thread finishes its
  /// share of the buckets, spare -> words.
  private static func sortOnTwoThreads(_ words: UnsafeMutablePointer<UInt64>, count n: Int,
                                       spare: UnsafeMutablePointer<UInt64>, counts: UnsafeMutablePointer<Int>) {
    let halves = [0..<(n / 2), (n / 2)..<n]
    // counts[q * radix + d]: how many words of quarter q have digit d.
    var top = 64, bits = splitBits
    while true {
      let shift = UInt64(top - bits), mask = UInt64(1 &<< bits &- 1), radix = 1 << bits
      forkJoin { part in
        countHalves(halves[part], words, radix: radix, into: counts + 2 * part * radix, counts + (2 * part + 1) * radix) {
          Int(truncatingIfNeeded: ($0 &>> shift) & mask)
        }
      }
      let first = Int(truncatingIfNeeded: (words[0] &>> shift) & mask)
      if counts[first] + counts[radix + first] + counts[2 * radix + first] + counts[3 * radix + first] < n { break }
      top -= bits
      bits = Swift.min(bits, top - 32)
      if bits <= 0 { return }  // the high halves are all equal: already in order (indices ascend)
    }
    let shift = UInt64(top - bits), mask = UInt64(1 &<< bits &- 1), radix = 1 << bits
    // Bucket d: starts[d] ..< starts[d + 1]; quarter q's positions in it
    // follow the words of quarters 0 ..< q.
    var starts = [Int](repeating: 0, count: radix + 1)
    for d in 0..<radix {
      var start = starts[d]
      for q in 0..<4 {
        let count = counts[q * radix + d]
        counts[q * radix + d] = start
        start += count
      }
      starts[d + 1] = start
    }
    forkJoin { part in
      scatterHalves(halves[part], from: words, into: spare, counts + 2 * part * radix, counts + (2 * part + 1) * radix) {
        Int(truncatingIfNeeded: ($0 &>> shift) & mask)
      }
    }
    // The buckets, biggest first, each to the thread with less work so far.
    let sizes = (0..<radix).map { (d: Int) -> Int in starts[d + 1] - starts[d] }
    let order = (0..<radix).sorted { (a: Int, b: Int) -> Bool in sizes[a] > sizes[b] }
    var share: [[Range<Int>]] = [[], []]
    var load = [0, 0]
    for d in order where sizes[d] > 0 {
      let thread = load[0] <= load[1] ? 0 : 1
      share[thread].append(starts[d]..<starts[d + 1])
      load[thread] += sizes[d]
    }
    forkJoin { part in
      let scratch = counts + part * countsStride
      for bucket in share[part] {
        sortRange(bucket, top: top - bits, from: spare, other: words, into: words, counts: scratch)
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
    // Split by the 4 bits below `top` (16 output streams), source -> other,
    // the two halves of the range as two interleaved chains of counter
    // updates (a skewed digit makes one chain wait on its own increments).
    let shift = UInt64(top - 4)
    @inline(__always) func digit(_ word: UInt64) -> Int { Int(truncatingIfNeeded: (word &>> shift) & 0xF) }
    let first = counts + inCacheCounts + ((64 - top) / 4) * levelScratch, second = first + 16, starts = first + 32
    countHalves(range, source, radix: 16, into: first, second, digit: digit)
    let d0 = digit(source[range.lowerBound])
    if first[d0] &+ second[d0] == range.count {  // the same digit throughout
      sortRange(range, top: top - 4, from: source, other: other, into: target, counts: counts)
      return
    }
    positions(first, second, radix: 16, start: range.lowerBound)
    starts.update(from: first, count: 16)
    starts[16] = range.upperBound
    scatterHalves(range, from: source, into: other, first, second, digit: digit)
    for d in 0..<16 where starts[d + 1] > starts[d] {
      sortRange(starts[d]..<starts[d + 1], top: top - 4, from: other, other: source, into: target, counts: counts)
    }
  }

  /// Counts the digits of the first and second half of `source[range]`
  /// (the second holds the odd word) into `first[0 ..< radix]` and
  /// `second[0 ..< radix]`.
  @inline(__always)
  private static func countHalves(_ range: Range<Int>, _ source: UnsafeMutablePointer<UInt64>, radix: Int,
                                  into first: UnsafeMutablePointer<Int>, _ second: UnsafeMutablePointer<Int>,
                                  digit: (UInt64) -> Int) {
    first.update(repeating: 0, count: radix)
    second.update(repeating: 0, count: radix)
    let half = range.count / 2, middle = range.lowerBound + half
    for k in 0..<half {
      first[digit(source[range.lowerBound &+ k])] &+= 1
      second[digit(source[middle &+ k])] &+= 1
    }
    if range.count & 1 == 1 { second[digit(source[range.upperBound - 1])] &+= 1 }
  }

  /// Turns the halves' digit counts into their first output positions: the
  /// words of digit d start after every word of a smaller digit, the second
  /// half's after the first half's (stable).
  @inline(__always)
  private static func positions(_ first: UnsafeMutablePointer<Int>, _ second: UnsafeMutablePointer<Int>, radix: Int,
                                start: Int) {
    var start = start
    for d in 0..<radix {
      let a = first[d], b = second[d]
      first[d] = start
      second[d] = start &+ a
      start &+= a &+ b
    }
  }

  /// Moves `source[range]` into `target` by digit, the two halves
  /// interleaved, from the positions of `positions(_:_:radix:start:)`.
  @inline(__always)
  private static func scatterHalves(_ range: Range<Int>, from source: UnsafeMutablePointer<UInt64>,
                                    into target: UnsafeMutablePointer<UInt64>, _ first: UnsafeMutablePointer<Int>,
                                    _ second: UnsafeMutablePointer<Int>, digit: (UInt64) -> Int) {
    let half = range.count / 2, middle = range.lowerBound + half
    for k in 0..<half {
      let a = source[range.lowerBound &+ k], b = source[middle &+ k]
      let da = digit(a), db = digit(b)
      target[first[da]] = a
      first[da] &+= 1
      target[second[db]] = b
      second[db] &+= 1
    }
    if range.count & 1 == 1 {
      let b = source[range.upperBound - 1]
      target[second[digit(b)]] = b
    }
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
    // All passes' counts in one read, the two halves of the range as two
    // chains of increments (counts + inCacheCounts / 2 for the second).
    let other = counts + inCacheCounts / 2
    counts.update(repeating: 0, count: passes * 256)
    other.update(repeating: 0, count: passes * 256)
    let half = range.count / 2, middle = range.lowerBound + half
    for k in 0..<half {
      let a = data[range.lowerBound &+ k], b = data[middle &+ k]
      for pass in 0..<passes {
        counts[pass &* 256 &+ digit(a, pass)] &+= 1
        other[pass &* 256 &+ digit(b, pass)] &+= 1
      }
    }
    if range.count & 1 == 1 {
      let b = data[range.upperBound - 1]
      for pass in 0..<passes { other[pass &* 256 &+ digit(b, pass)] &+= 1 }
    }
    for i in 0..<(passes * 256) { counts[i] &+= other[i] }
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
