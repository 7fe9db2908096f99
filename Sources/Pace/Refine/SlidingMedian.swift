//===--- SlidingMedian.swift ----------------------------------------------===//
// Median filter with scipy's padding: O(n log w) with two indexed heaps.
//===----------------------------------------------------------------------===//

/// The running median of a window of odd width `w` sliding over a sequence,
/// kept in two binary heaps (a max-heap of the lower half and a min-heap of
/// the upper half) whose entries know their heap position, so the value
/// leaving the window is removed in O(log w) without lazy deletion.
struct SlidingMedian {
  /// Window slot (0 ..< w) -> value.
  private var values: [Double]
  /// Heap arrays of slots.
  private var low: [Int32] = []   // max-heap by value
  private var high: [Int32] = []  // min-heap by value
  /// Slot -> position in its heap; `inLow[slot]` says which heap.
  private var position: [Int32]
  private var inLow: [Bool]

  init(width: Int) {
    values = [Double](repeating: 0, count: width)
    position = [Int32](repeating: -1, count: width)
    inLow = [Bool](repeating: false, count: width)
    low.reserveCapacity(width / 2 + 2)
    high.reserveCapacity(width / 2 + 2)
  }

  /// The median: the largest of the lower half (which holds the extra one).
  var median: Double { values[Int(low[0])] }

  // MARK: - Heap primitives

  private func less(_ a: Int32, _ b: Int32, max: Bool) -> Bool {
    let x = values[Int(a)], y = values[Int(b)]
    return max ? x > y : x < y
  }

  private mutating func swapAt(_ i: Int, _ j: Int, low isLow: Bool) {
    if isLow {
      low.swapAt(i, j)
      position[Int(low[i])] = Int32(i)
      position[Int(low[j])] = Int32(j)
    } else {
      high.swapAt(i, j)
      position[Int(high[i])] = Int32(i)
      position[Int(high[j])] = Int32(j)
    }
  }

  private mutating func siftUp(_ start: Int, low isLow: Bool) {
    var i = start
    while i > 0 {
      let parent = (i - 1) / 2
      let heap = isLow ? low : high
      guard less(heap[i], heap[parent], max: isLow) else { return }
      swapAt(i, parent, low: isLow)
      i = parent
    }
  }

  private mutating func siftDown(_ start: Int, low isLow: Bool) {
    var i = start
    let count = isLow ? low.count : high.count
    while true {
      let l = 2 * i + 1
      if l >= count { return }
      var best = l
      let heap = isLow ? low : high
      if l + 1 < count && less(heap[l + 1], heap[l], max: isLow) { best = l + 1 }
      guard less(heap[best], heap[i], max: isLow) else { return }
      swapAt(i, best, low: isLow)
      i = best
    }
  }

  private mutating func push(_ slot: Int32, low isLow: Bool) {
    inLow[Int(slot)] = isLow
    if isLow {
      low.append(slot)
      position[Int(slot)] = Int32(low.count - 1)
      siftUp(low.count - 1, low: true)
    } else {
      high.append(slot)
      position[Int(slot)] = Int32(high.count - 1)
      siftUp(high.count - 1, low: false)
    }
  }

  /// Removes and returns the top of a heap.
  private mutating func pop(low isLow: Bool) -> Int32 {
    let top = isLow ? low[0] : high[0]
    remove(top)
    return top
  }

  private mutating func remove(_ slot: Int32) {
    let isLow = inLow[Int(slot)]
    let i = Int(position[Int(slot)])
    let last = (isLow ? low.count : high.count) - 1
    if i != last { swapAt(i, last, low: isLow) }
    if isLow { low.removeLast() } else { high.removeLast() }
    position[Int(slot)] = -1
    if i < last {
      siftUp(i, low: isLow)
      siftDown(i, low: isLow)
    }
  }

  /// Restores `low.count == high.count` or `low.count == high.count + 1`.
  private mutating func rebalance() {
    while low.count > high.count + 1 { push(pop(low: true), low: false) }
    while high.count > low.count { push(pop(low: false), low: true) }
  }

  // MARK: - Window

  /// Puts `value` into window slot `slot`, replacing what the slot held if
  /// it was occupied.
  mutating func set(slot: Int, value: Double) {
    let s = Int32(slot)
    if position[slot] >= 0 { remove(s) }
    values[slot] = value
    if low.isEmpty || value <= values[Int(low[0])] { push(s, low: true) } else { push(s, low: false) }
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
  var window = SlidingMedian(width: w)
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
