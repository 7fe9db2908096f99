//===--- ArenaBuffer.swift ------------------------------------------------===//
// The one handle through which a schedule's raw buffers are read.
//===----------------------------------------------------------------------===//

/// An immutable, initialised buffer of trivial values owned by an ``Arena``.
///
/// Every raw buffer of a schedule (its items, their starts and ends, tables,
/// milestones, repeat templates) is one of these. The handle checks its
/// invariants with `assert` (indices in `0 ..< count`; the buffer was fully
/// initialised by ``Arena/copy(_:)``): the checks run in debug builds and
/// cost nothing in release builds, where a subscript is one load. It does
/// not own its memory: the arena does, and outlives every handle taken from
/// it (a schedule keeps its arena).
///
/// - Complexity: every member is O(1), except iteration (O(count)).
@frozen @usableFromInline
package struct ArenaBuffer<Element>: RandomAccessCollection {
  @usableFromInline let base: UnsafePointer<Element>
  /// Number of elements, `>= 0`.
  @usableFromInline package let count: Int

  /// Wraps `count` initialised elements at `base`, owned by an arena.
  @inlinable
  init(base: UnsafePointer<Element>, count: Int) {
    assert(count >= 0, "an arena buffer has a non-negative count")
    self.base = base
    self.count = count
  }

  @inlinable @inline(__always)
  package var startIndex: Int { 0 }

  @inlinable @inline(__always)
  package var endIndex: Int { count }

  /// The element at `index`, `0 <= index < count` (checked in debug builds).
  @inlinable @inline(__always)
  package subscript(index: Int) -> Element {
    assert(index >= 0 && index < count, "arena buffer index out of range")
    return base[index]
  }

  /// The address of the element at `index`, `0 <= index < count` (checked
  /// in debug builds): for hot paths that read a field in place instead of
  /// copying a whole enum payload.
  @inlinable @inline(__always)
  package func pointer(at index: Int) -> UnsafePointer<Element> {
    assert(index >= 0 && index < count, "arena buffer index out of range")
    return base + index
  }

  /// The first element's address (valid for `count` elements; for a
  /// length-0 buffer, a one-element allocation that must not be read).
  @inlinable @inline(__always)
  package var baseAddress: UnsafePointer<Element>? { base }
}

extension ArenaBuffer: @unchecked Sendable {}
