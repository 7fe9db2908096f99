//===--- Phase+Pieces.swift -----------------------------------------------===//
// Tables and step milestones as pieces, each one lane kernel, for fills.
//===----------------------------------------------------------------------===//

/// A stretch of a table or milestone phase over which its lookup gives one
/// formula: a constant, or a straight line between two table points.
@frozen @usableFromInline enum LookupPiece {
  case constant(Kernel.Constant)
  case line(Kernel.TableLine)
}

extension Phase {
  /// Which piece of a table or milestone phase position `u` is in
  /// (increasing with `u`); nil for the other shapes and for per-step
  /// `values` tables. Uses the comparisons `lookupValue(at:map:)` makes.
  ///
  /// - Complexity: O(log n) for n milestones or points.
  @inlinable
  func lookupPieceIndex(at u: Double) -> Int? {
    switch shape {
    case .step(_, _, let milestones):
      return milestonesReached(milestones, at: u)
    case .table(let table):
      return table.values.isEmpty ? table.pointIndex(at: u) : nil
    default:
      return nil
    }
  }

  /// The piece with index `index` (from ``lookupPieceIndex(at:)``) of a
  /// plain phase (identity endpoint map), its kernel giving the bits of
  /// `lookupValue(at:map:)` at every position of the piece; and the
  /// position where the next piece starts (`.infinity` for the last).
  @inlinable
  func lookupPiece(_ index: Int) -> (piece: LookupPiece, end: Double)? {
    switch shape {
    case .step(let gamma, _, let milestones):
      let value = milestoneValue(gamma: gamma, reached: index, map: .identity)
      return (.constant(Kernel.Constant(from: value)), index < milestones.count ? milestones[index] : .infinity)
    case .table(let table) where table.values.isEmpty:
      return table.piece(index)
    default:
      return nil
    }
  }

  /// A step phase's multiplier once `reached` milestones are passed:
  /// `from` (mapped) times `gamma^reached`.
  @inlinable
  func milestoneValue(gamma: Double, reached: Int, map: EndpointMap) -> Double {
    let f = map.apply(from)
    return reached == 0 ? f : f * Elementary.pow(gamma, Double(reached))
  }
}

extension LookupPiece {
  /// The piece's value at position `u` (the one-lane kernel).
  @inlinable
  func value(at u: Double) -> Double {
    switch self {
    case .constant(let kernel): return kernel(u: u, t: u)
    case .line(let kernel): return kernel(u: u, t: u)
    }
  }
}

/// Number of milestones `<= u` (binary search; 0 for NaN).
@inlinable
func milestonesReached(_ milestones: ArenaBuffer<Double>, at u: Double) -> Int {
  var lo = 0
  var hi = milestones.count
  while lo < hi {
    let mid = (lo + hi) / 2
    if milestones[mid] <= u { lo = mid + 1 } else { hi = mid }
  }
  return lo
}

extension Table {
  /// The segment of a `points` table at `u`: -1 at or before the first
  /// point (and for NaN), the last index at or after the last point, else
  /// the largest `i` with `position[i] <= u`.
  @inlinable
  func pointIndex(at u: Double) -> Int {
    let n = pointPositions.count
    if !(u > pointPositions[0]) { return -1 }
    if u >= pointPositions[n - 1] { return n - 1 }
    var lo = 0
    var hi = n - 1
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if pointPositions[mid] <= u { lo = mid } else { hi = mid }
    }
    return lo
  }

  /// Segment `index` of a `points` table (from ``pointIndex(at:)``) as one
  /// formula, and the position where the next segment starts (`.infinity`
  /// for the last): ``value(at:)`` evaluates it, and so do the fills.
  @inlinable
  func piece(_ index: Int) -> (piece: LookupPiece, end: Double) {
    let last = pointPositions.count - 1
    if index < 0 { return (.constant(Kernel.Constant(from: pointValues[0])), pointPositions[0]) }
    if index >= last { return (.constant(Kernel.Constant(from: pointValues[last])), .infinity) }
    let end = pointPositions[index + 1]
    if interpolation == .step { return (.constant(Kernel.Constant(from: pointValues[index])), end) }
    return (.line(Kernel.TableLine(x0: pointPositions[index], x1: end, y0: pointValues[index],
                                   y1: pointValues[index + 1])), end)
  }
}

extension Kernel {
  /// A `points` table between two points: `y0 + (y1 - y0) ((u - x0) / (x1 - x0))`
  /// (``Table/value(at:)`` evaluates it on one lane).
  @frozen @usableFromInline package struct TableLine: PhaseKernel {
    @usableFromInline package let x0: Double
    @usableFromInline package let x1: Double
    @usableFromInline package let y0: Double
    @usableFromInline package let y1: Double
    /// `y1 - y0` and `x1 - x0`, formed once (not on every vector).
    @usableFromInline package let rise: Double
    @usableFromInline package let run: Double
    @inlinable package init(x0: Double, x1: Double, y0: Double, y1: Double) {
      self.x0 = x0
      self.x1 = x1
      self.y0 = y0
      self.y1 = y1
      self.rise = y1 - y0
      self.run = x1 - x0
    }

    @inlinable @inline(__always)
    package func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V {
      V(broadcast: y0) + V(broadcast: rise) * ((u - V(broadcast: x0)) / V(broadcast: run))
    }
  }
}
