//===--- Channel.swift ----------------------------------------------------===//
// One scheduled hyper-parameter: a base schedule plus the run's events.
//===----------------------------------------------------------------------===//

/// A piece of a channel's timeline: from step `start` on, the value is
/// `schedule` at position `origin + (t - start) * rate`.
package struct Segment: Sendable {
  /// First step the segment applies to.
  package var start: Int64
  /// The schedule played (checkpoints store its canonical text, which
  /// parses back to bit-identical values).
  package var schedule: Schedule
  /// Schedule position at `start`.
  package var origin: Double
  /// Schedule positions per step (1 normally; set_total_steps stretches).
  package var rate: Double

  /// The value at step `t >= start`.
  @inlinable
  package func value(at t: Int64) -> Double {
    if rate == 1 && origin == 0 { return schedule.value(at: t &- start) }
    return schedule.peak * schedule.multiplier(atPosition: origin + Double(t &- start) * rate)
  }

  /// The segment's last position (the schedule's end), or nil when open-ended.
  var endStep: Double? {
    let end = schedule.end
    guard end.isFinite else { return nil }
    return Double(start) + (end - origin) / rate
  }
}

/// A named channel: `lr`, `momentum`, `weight_decay` or any name.
package struct Channel: Sendable {
  package var name: String
  /// Segments in increasing `start` (the first starts at 0).
  package var segments: [Segment]

  /// The value at step `t >= 0`: the last segment starting at or before `t`.
  ///
  /// - Complexity: O(number of events).
  @inlinable
  package func value(at t: Int64) -> Double {
    var i = segments.count - 1
    while i > 0 && segments[i].start > t { i -= 1 }
    return segments[i].value(at: t)
  }

  /// The segment in force at step `t`.
  func segment(at t: Int64) -> Segment {
    var i = segments.count - 1
    while i > 0 && segments[i].start > t { i -= 1 }
    return segments[i]
  }

  /// Puts `segment` in force from its `start` (the current step). Values of
  /// past steps are never queried again, so only the base schedule (the
  /// channel's reference) and the segment in force are kept: checkpoints of
  /// runs with many events or re-plans stay small.
  mutating func append(_ segment: Segment) {
    if segment.start == 0 { segments = [segment] } else { segments = [segments[0], segment] }
  }

  /// The peak of the segment in force (a rewarm may have changed it).
  var currentPeak: Double { segments[segments.count - 1].schedule.peak }
}

extension Schedule {
  /// The multiplier at a (possibly fractional) position `x >= 0` of the
  /// time axis; equals `multiplier(at:)` at integer positions.
  ///
  /// - Complexity: O(number of phases).
  @inlinable
  package func multiplier(atPosition x: Double) -> Double {
    if !(x < end) { return afterMultiplier }
    let position = x > 0 ? x : 0
    return multiplier(item: itemIndex(containing: position), at: position)
  }
}
