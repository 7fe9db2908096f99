//===--- PaddedSequence.swift ---------------------------------------------===//
// The median filter's input: a sequence padded as the refinement
// reference pads it, read through its source indices (never copied).
//===----------------------------------------------------------------------===//

/// `values` padded by `halfWidth` on each side, as the refinement
/// reference's median filter sees it: position v (in `0 ..< count`, `count
/// = values.count + 2 * halfWidth`) holds `values[v - halfWidth]`, clamped
/// to the first value on the left and reflected (numpy `'reflect'`: ...,
/// g[n-2], g[n-1], g[n-2], ..., g[0], g[1], ..., period 2(n-1)) on the
/// right. With `halfWidth == 0` it is `values` itself.
struct PaddedSequence {
  /// The unpadded values, `n >= 1` of them.
  let values: UnsafeBufferPointer<Double>
  /// Positions added on each side.
  let halfWidth: Int
  /// The reflection's period, `2 (n - 1)` (at least 1).
  private let period: Int

  /// - Precondition: `values` not empty; `halfWidth <= values.count / 2`
  ///   (a filter of width at most `n + 1`).
  init(_ values: UnsafeBufferPointer<Double>, halfWidth: Int) {
    self.values = values
    self.halfWidth = halfWidth
    self.period = Swift.max(1, 2 * (values.count - 1))
  }

  /// `values.count + 2 * halfWidth`.
  var count: Int { values.count + 2 * halfWidth }

  /// The index into `values` of position `v`. Selects rather than branches
  /// where it can: the rank pass asks in random order.
  @inline(__always)
  func sourceIndex(_ v: Int) -> Int {
    var k = Swift.max(v &- halfWidth, 0)
    if k >= period { k %= period }  // only when n <= 2 (k < n + n / 2 otherwise)
    return k < values.count ? k : period &- k
  }

  /// The value at position `v`.
  @inline(__always)
  subscript(_ v: Int) -> Double { values[sourceIndex(v)] }
}
