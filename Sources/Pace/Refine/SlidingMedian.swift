//===--- SlidingMedian.swift ----------------------------------------------===//
// Median filter with scipy's padding: ranks, an occupancy bitmap, and a
// median pointer that walks with the window.
//===----------------------------------------------------------------------===//

/// A set of ranks in `0 ..< capacity` as a two-level bitmap, so the next
/// or previous member is found with a few word operations. The buffers are
/// raw memory owned by this object (no copy-on-write checks in the loop);
/// `capacity / 8` bytes, so a million ranks fit in a core's L2 cache.
final class RankSet {
  /// Bit r of word r / 64: rank r is a member.
  private let words: UnsafeMutablePointer<UInt64>
  /// Bit k of summary word k / 64: `words[k]` is non-zero.
  private let summary: UnsafeMutablePointer<UInt64>
  private let summaryCount: Int

  init(capacity: Int) {
    let wordCount = (capacity + 63) / 64
    summaryCount = (wordCount + 63) / 64
    words = .allocate(capacity: wordCount)
    words.initialize(repeating: 0, count: wordCount)
    summary = .allocate(capacity: summaryCount)
    summary.initialize(repeating: 0, count: summaryCount)
  }

  deinit {
    words.deallocate()
    summary.deallocate()
  }

  /// 1 when `rank` is a member, else 0.
  @inline(__always)
  func count(_ rank: Int) -> Int { Int(truncatingIfNeeded: (words[rank >> 6] &>> UInt64(rank & 63)) & 1) }

  @inline(__always)
  func insert(_ rank: Int) {
    words[rank >> 6] |= 1 &<< UInt64(rank & 63)
    summary[rank >> 12] |= 1 &<< UInt64((rank >> 6) & 63)
  }

  @inline(__always)
  func remove(_ rank: Int) {
    words[rank >> 6] &= ~(1 &<< UInt64(rank & 63))
    if words[rank >> 6] == 0 { summary[rank >> 12] &= ~(1 &<< UInt64((rank >> 6) & 63)) }
  }

  /// The smallest member above `rank`, or nil.
  /// - Complexity: O(1) word operations, plus O(capacity / 4096) in the worst case.
  func next(after rank: Int) -> Int? {
    var word = rank >> 6
    let above = words[word] & ~((2 &<< UInt64(rank & 63)) &- 1)
    if above != 0 { return word << 6 | above.trailingZeroBitCount }
    var block = word >> 6
    var bits = summary[block] & ~((2 &<< UInt64(word & 63)) &- 1)
    while bits == 0 {
      block += 1
      if block >= summaryCount { return nil }
      bits = summary[block]
    }
    word = block << 6 | bits.trailingZeroBitCount
    return word << 6 | words[word].trailingZeroBitCount
  }

  /// The largest member below `rank`, or nil.
  /// - Complexity: as `next(after:)`.
  func previous(before rank: Int) -> Int? {
    var word = rank >> 6
    let below = words[word] & ((1 &<< UInt64(rank & 63)) &- 1)
    if below != 0 { return word << 6 | (63 - below.leadingZeroBitCount) }
    var block = word >> 6
    var bits = summary[block] & ((1 &<< UInt64(word & 63)) &- 1)
    while bits == 0 {
      if block == 0 { return nil }
      block -= 1
      bits = summary[block]
    }
    word = block << 6 | (63 - bits.leadingZeroBitCount)
    return word << 6 | (63 - words[word].leadingZeroBitCount)
  }
}

/// Below this many values, the median filter and the ranking sort run on
/// one thread (a thread costs tens of microseconds).
let parallelMinimum = 1 << 16

/// Median filter of odd width `w` over `g` exactly as
/// `median_filter(pad(g, (0, 2w), mode="reflect"), size=w, mode="nearest")[:n]`
/// (the refinement reference's smoothing): the window is clamped to the
/// first value on the left and reflected (without repeating the edge) on
/// the right.
///
/// The padded sequence (n + w - 1 values) is ranked once (radix sort; equal
/// values get distinct ranks), the window is a set of ranks in a bitmap, and
/// the median is a pointer into the ranks. Sliding the window by one moves
/// that pointer by at most one member, found with a few word operations, so
/// after the sort the filter costs O(n) word operations in practice,
/// whatever the width.
///
/// - Precondition: no NaN in `g`.
/// - Complexity: O(n + w) for the ranks, plus O(n) expected bitmap steps
///   (O((n + w)²/4096) worst case for adversarial gaps between window
///   members); O(n + w) space.
func medianFilter(_ g: [Double], width w: Int) -> [Double] {
  guard w > 1, g.count > 1 else { return g }
  return [Double](unsafeUninitializedCapacity: g.count) { out, initialized in
    g.withUnsafeBufferPointer { medianFilter($0, width: w, into: out.baseAddress!) }
    initialized = g.count
  }
}

/// The median filter above, written into `out[0 ..< g.count]`.
/// - Precondition: `out` does not overlap `g`; `w` odd.
func medianFilter(_ g: UnsafeBufferPointer<Double>, width w: Int, into out: UnsafeMutablePointer<Double>) {
  let n = g.count
  guard w > 1, n > 1 else {
    out.update(from: g.baseAddress!, count: n)
    return
  }
  let h = w / 2
  let sequence = PaddedSequence(g, halfWidth: h)  // padding only repeats g: g's key bounds hold
  let padded = sequence.count
  // One scratch region: the packed words (then the values in ascending
  // order), the sort's spare words, the ranks.
  let wordBytes = padded * MemoryLayout<UInt64>.stride
  withScratchMemory(bytes: 2 * wordBytes + padded * MemoryLayout<Int32>.stride) { scratch in
    let sorted = scratch.assumingMemoryBound(to: UInt64.self)
    let spare = (scratch + wordBytes).assumingMemoryBound(to: UInt64.self)
    let rank = (scratch + 2 * wordBytes).assumingMemoryBound(to: Int32.self)
    RankOrder.rank(sequence, keyBounds: RankOrder.keyBounds(of: g), words: sorted, spare: spare, into: rank)
    // The values in ascending order (bit patterns), over the sorted words:
    // a scatter in position order, so the walk below reads the median's
    // value next to the previous one's instead of gathering it from g.
    inParts(padded >= parallelMinimum ? 2 : 1, of: 0..<padded) { range in
      for v in range { sorted[Int(rank[v])] = sequence[v].bitPattern }
    }
    // Outputs `outputs` with a window of their own: the window of output i
    // is padded positions i ..< i + w.
    func slide(_ outputs: Range<Int>) {
      guard let first = outputs.first else { return }
      let window = RankSet(capacity: padded)
      for v in first..<(first + w) { window.insert(Int(rank[v])) }
      // The median is the window member of order h (0-based): `median` is
      // its rank; `below` counts the members of smaller rank while found.
      var median = window.count(0) == 1 ? 0 : window.next(after: 0)!
      var below = 0
      while below + window.count(median) <= h {
        below += window.count(median)
        median = window.next(after: median)!
      }
      out[first] = Double(bitPattern: sorted[median])
      // Each slide removes one member and adds another (ranks are
      // distinct), so the median moves by at most one member: up when a
      // member at or below it leaves and one above arrives, down in the
      // mirror case.
      for i in outputs.dropFirst() {
        let leaving = Int(rank[i - 1])
        let entering = Int(rank[i - 1 + w])
        window.remove(leaving)
        window.insert(entering)
        if entering > median {
          if leaving <= median { median = window.next(after: median)! }
        } else if leaving >= median {
          median = window.previous(before: median)!
        }
        out[i] = Double(bitPattern: sorted[median])
      }
    }
    // Long runs in two halves on two threads (the outputs do not depend
    // on the split).
    if n >= parallelMinimum {
      forkJoin { part in slide(part == 0 ? 0..<(n / 2) : (n / 2)..<n) }
    } else {
      slide(0..<n)
    }
  }
}
