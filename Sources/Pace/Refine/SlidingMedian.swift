//===--- SlidingMedian.swift ----------------------------------------------===//
// Median filter with scipy's padding: O(n log w) with two indexed heaps.
//===----------------------------------------------------------------------===//

/// The running median of a window of odd width `w` sliding over a sequence,
/// kept in two binary heaps (a max-heap of the lower half and a min-heap of
/// the upper half) whose entries know their heap position, so the value
/// leaving the window is removed in O(log w) without lazy deletion. The
/// storage is four raw buffers (no copy-on-write checks in the inner loops).
final class SlidingMedian {
  /// Window slot (0 ..< w) -> value.
  private let values: UnsafeMutablePointer<Double>
  /// Heaps of slots: `low` a max-heap by value, `high` a min-heap.
  private let low: UnsafeMutablePointer<Int32>
  private let high: UnsafeMutablePointer<Int32>
  private var lowCount = 0
  private var highCount = 0
  /// Slot -> position in its heap (-1: empty); positive in `low`, encoded
  /// as `-(position + 2)` in `high`.
  private let position: UnsafeMutablePointer<Int32>
  private let width: Int

  init(width: Int) {
    self.width = width
    values = .allocate(capacity: width)
    values.initialize(repeating: 0, count: width)
    low = .allocate(capacity: width + 1)
    high = .allocate(capacity: width + 1)
    position = .allocate(capacity: width)
    position.initialize(repeating: -1, count: width)
  }

  deinit {
    values.deallocate()
    low.deallocate()
    high.deallocate()
    position.deallocate()
  }

  /// The median: the largest of the lower half (which holds the extra one).
  var median: Double { values[Int(low[0])] }

  // MARK: - Heap primitives (isLow: the max-heap of the lower half)

  @inline(__always)
  private func place(_ slot: Int32, at i: Int, low isLow: Bool) {
    if isLow {
      low[i] = slot
      position[Int(slot)] = Int32(i)
    } else {
      high[i] = slot
      position[Int(slot)] = Int32(-(i + 2))
    }
  }

  /// True when `a` belongs above `b` in the heap.
  @inline(__always)
  private func above(_ a: Int32, _ b: Int32, low isLow: Bool) -> Bool {
    let x = values[Int(a)], y = values[Int(b)]
    return isLow ? x > y : x < y
  }

  private func siftUp(_ start: Int, low isLow: Bool) {
    let heap = isLow ? low : high
    var i = start
    let slot = heap[i]
    while i > 0 {
      let parent = (i - 1) >> 1
      guard above(slot, heap[parent], low: isLow) else { break }
      place(heap[parent], at: i, low: isLow)
      i = parent
    }
    place(slot, at: i, low: isLow)
  }

  private func siftDown(_ start: Int, low isLow: Bool) {
    let heap = isLow ? low : high
    let count = isLow ? lowCount : highCount
    var i = start
    let slot = heap[i]
    while true {
      let l = 2 * i + 1
      if l >= count { break }
      var best = l
      if l + 1 < count && above(heap[l + 1], heap[l], low: isLow) { best = l + 1 }
      guard above(heap[best], slot, low: isLow) else { break }
      place(heap[best], at: i, low: isLow)
      i = best
    }
    place(slot, at: i, low: isLow)
  }

  private func push(_ slot: Int32, low isLow: Bool) {
    if isLow {
      place(slot, at: lowCount, low: true)
      lowCount += 1
      siftUp(lowCount - 1, low: true)
    } else {
      place(slot, at: highCount, low: false)
      highCount += 1
      siftUp(highCount - 1, low: false)
    }
  }

  private func remove(_ slot: Int32) {
    let code = Int(position[Int(slot)])
    let isLow = code >= 0
    let i = isLow ? code : -code - 2
    let heap = isLow ? low : high
    let last: Int
    if isLow { lowCount -= 1; last = lowCount } else { highCount -= 1; last = highCount }
    position[Int(slot)] = -1
    if i != last {
      place(heap[last], at: i, low: isLow)
      siftUp(i, low: isLow)
      siftDown(Int(isLow ? position[Int(heap[i])] : Int32(i)) == i ? i : i, low: isLow)
    }
  }

  /// Restores `lowCount == highCount` or `lowCount == highCount + 1`.
  private func rebalance() {
    while lowCount > highCount + 1 {
      let top = low[0]
      remove(top)
      push(top, low: false)
    }
    while highCount > lowCount {
      let top = high[0]
      remove(top)
      push(top, low: true)
    }
  }

  // MARK: - Window

  /// Puts `value` into window slot `slot`, replacing what it held.
  func set(slot: Int, value: Double) {
    let s = Int32(slot)
    if position[slot] != -1 { remove(s) }
    values[slot] = value
    if lowCount == 0 || value <= values[Int(low[0])] { push(s, low: true) } else { push(s, low: false) }
    rebalance()
  }
}

/// Median filter of odd width `w` over `g` exactly as
/// `median_filter(pad(g, (0, 2w), mode="reflect"), size=w, mode="nearest")[:n]`
/// (the refinement reference's smoothing): the window is clamped to the
/// first value on the left and reflected (without repeating the edge) on
/// the right.
///
/// - Complexity: O(n log w) time, O(w) extra space.
func medianFilter(_ g: [Double], width w: Int) -> [Double] {
  let n = g.count
  guard w > 1, n > 1 else { return g }
  let h = w / 2
  // Value at virtual index j of the padded, clamped sequence.
  func at(_ j: Int) -> Double {
    if j <= 0 { return g[0] }
    if j < n { return g[j] }
    // numpy 'reflect': ... g[n-2], g[n-1], g[n-2], ..., g[0], g[1], ... (period 2(n-1))
    let period = 2 * (n - 1)
    var k = j % period
    if k >= n { k = period - k }
    return g[k]
  }
  let window = SlidingMedian(width: w)
  for j in -h...h { window.set(slot: (j + h) % w, value: at(j)) }
  var out = [Double](repeating: 0, count: n)
  out[0] = window.median
  for i in 1..<n {
    let entering = i + h
    window.set(slot: (entering + h) % w, value: at(entering))  // replaces index i - h - 1
    out[i] = window.median
  }
  return out
}
