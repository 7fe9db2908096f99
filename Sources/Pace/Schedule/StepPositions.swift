//===--- StepPositions.swift ----------------------------------------------===//
// Positions of a fill's steps, and where a piece of them ends.
//===----------------------------------------------------------------------===//

/// Positions of a fill's step indices relative to an item's start:
/// `(start + i) - origin` (the subtraction `value(at:)` makes).
@usableFromInline
struct StepPositions {
  @usableFromInline let origin: Double
  @usableFromInline let start: Int64

  @inlinable
  init(origin: Double, start: Int64) {
    self.origin = origin
    self.start = start
  }

  @inlinable
  subscript(i: Int) -> Double { Double(start + Int64(i)) - origin }

  /// The first index in `first + 1 ... end` whose position fails `inside`
  /// (which holds at `first` and, positions growing, fails from some index
  /// on), or `end`: estimated from the boundary position, then checked on
  /// both sides.
  @inlinable
  func boundaryIndex(_ boundary: Double, first: Int, end: Int, inside: (Double) -> Bool) -> Int {
    var index = end
    let estimate = (origin + boundary).rounded(.up) - Double(start)
    if estimate < Double(end) { index = Swift.max(first + 1, Int(estimate)) }
    while index > first + 1 && !inside(self[index - 1]) { index -= 1 }
    while index < end && inside(self[index]) { index += 1 }
    return index
  }
}
