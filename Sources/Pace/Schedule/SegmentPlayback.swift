//===--- SegmentPlayback.swift --------------------------------------------===//
// The `segment` shape: another schedule played over a phase.
//===----------------------------------------------------------------------===//

/// What a `segment` phase plays: the values of a nested schedule from its
/// position `origin` on, advancing `rate` positions per step.
///
/// At local position `u` (offset included) the phase's multiplier is the
/// nested schedule's value (its own peak applied) at position
/// `origin + u * rate`: a fractional position evaluates the nested phases'
/// formulas there, as the runtime's stretched time (`set_total_steps`) does.
/// With `rate` 1 and integer positions this is the nested schedule's
/// `value(at:)` bit for bit, so a runtime's played timeline (see
/// `Runtime.playedSpec`) is exactly a spec of segments with peak 1.
///
/// The nested schedule is owned by the enclosing schedule's ``Arena``; the
/// playback holds it unretained so phases stay trivial values.
@usableFromInline package struct SegmentPlayback {
  /// The schedule played (kept alive by the enclosing schedule's arena).
  @usableFromInline package let nested: Unmanaged<Schedule>
  /// Nested position at the phase's local position 0 (steps, >= 0).
  @usableFromInline package let origin: Double
  /// Nested positions per local step (> 0).
  @usableFromInline package let rate: Double

  @usableFromInline package init(nested: Unmanaged<Schedule>, origin: Double, rate: Double) {
    self.nested = nested
    self.origin = origin
    self.rate = rate
  }

  /// Calls `body` with the nested schedule, which the enclosing schedule
  /// keeps alive.
  @inlinable @inline(__always)
  package func withNested<R>(_ body: (Schedule) -> R) -> R { nested._withUnsafeGuaranteedRef(body) }

  /// The nested schedule's value at position `origin + u * rate`.
  ///
  /// - Complexity: O(phases of the nested schedule).
  @inlinable
  package func value(at u: Double) -> Double {
    withNested { $0.peak * $0.multiplier(atPosition: origin + u * rate) }
  }

  /// Most segments nested inside one another (a segment's spec holding a
  /// segment, ...). Each level adds three JSON levels (`{"phases": [{"spec":`),
  /// so the canonical text of the deepest accepted spec stays within the
  /// JSON reader's 64 levels and parses back; evaluation recurses at most
  /// this deep.
  @usableFromInline package static let maximumDepth = 16
}

extension Schedule {
  /// How deeply `segment` phases nest in this schedule: 0 without any, 1
  /// when segments play schedules without segments, and so on.
  ///
  /// - Complexity: O(phases of every nested schedule).
  @usableFromInline package var segmentDepth: Int {
    var depth = 0
    for item in itemBuffer {
      let phases: [Phase]
      switch item {
      case .phase(let phase): phases = [phase]
      case .block(let block): phases = Array(block.template)
      }
      for phase in phases {
        if case .segment(let segment) = phase.shape {
          depth = Swift.max(depth, 1 + segment.withNested { $0.segmentDepth })
        }
      }
    }
    return depth
  }
}

// MARK: - Fills

extension FillRun {
  /// Fills the steps `first ..< end` of a plain `segment` phase with the
  /// nested schedule's own SIMD fill, where that gives the bits of
  /// ``SegmentPlayback/value(at:)``: `rate` 1 and every position (the
  /// item's start, the offset, `origin`, the steps) an integer below 2^52,
  /// so each nested position is the exact integer the fill starts from
  /// plus its index. Returns the first index not filled (`first` when the
  /// conditions do not hold: the caller goes step by step).
  ///
  /// - Complexity: O(count + nested phases), in chunks of 512 steps.
  @usableFromInline
  func fillSegment(_ segment: SegmentPlayback) -> Int {
    let limit = 0x1p52
    let firstStep = Double(start + Int64(first))
    let firstPosition = segment.origin + ((firstStep - origin) + offset)
    let count = end - first
    guard segment.rate == 1, origin == origin.rounded(), offset == offset.rounded(),
      segment.origin == segment.origin.rounded(), firstPosition >= 0,
      firstStep + Double(count) < limit, firstPosition + Double(count) < limit, origin < limit, offset < limit,
      segment.origin < limit
    else { return first }
    let chunk = 512
    withUnsafeTemporaryAllocation(of: Double.self, capacity: chunk) { buffer in
      var k = first
      while k < end {
        let n = Swift.min(chunk, end - k)
        let part = UnsafeMutableBufferPointer(rebasing: buffer[0..<n])
        segment.withNested { $0.fill(from: Int64(firstPosition) + Int64(k - first), into: part) }
        for j in 0..<n { sink.store(peak * part[j], at: k + j) }
        k += n
      }
    }
    return end
  }
}
