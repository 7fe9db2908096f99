//===--- Schedule.swift ---------------------------------------------------===//
// A parsed schedule: an immutable value evaluated as a pure function of step.
//===----------------------------------------------------------------------===//

/// What a schedule yields past the end of its last phase.
public enum After: String, Sendable {
  /// The last phase's end value.
  case hold
  /// Zero.
  case zero
}

/// One item of a schedule, placed on the time axis.
@usableFromInline
package enum ScheduleItem {
  case phase(Phase)
  case block(RepeatBlock)
}

/// A schedule: `value(t) = peak * m(t)`, with `m` built from phases laid end
/// to end from step 0.
///
/// Build one with ``parse(_:)`` (spec text, see docs/schedule-spec.md) or
/// ``table(_:peak:)``; read it with `value(at:)` and `fill(from:into:)`.
/// A `Schedule` is immutable: evaluation never mutates it, so one schedule
/// can be shared by any number of threads. Its buffers live in an arena
/// and are read through ``ArenaBuffer`` handles, so evaluation does no
/// reference counting.
public final class Schedule: @unchecked Sendable {
  /// Scale of every multiplier (the spec's `peak`, > 0).
  public let peak: Double
  /// What the schedule yields past the end of its last phase.
  public let after: After
  /// The `total_steps` field of the spec, if given.
  package let totalStepsField: Double?
  /// Owner of every buffer below (and of the phases' tables and templates).
  @usableFromInline package let arena: Arena
  /// The items, in time order.
  @usableFromInline package let itemBuffer: ArenaBuffer<ScheduleItem>
  /// Start of each item (float64 running sums of the durations before it).
  @usableFromInline package let startBuffer: ArenaBuffer<Double>
  /// End of each item (`.infinity` for an open-ended last item).
  @usableFromInline package let endBuffer: ArenaBuffer<Double>
  /// Per item: the phase of a plain-phase item, read in place by the hot
  /// path (no copy of the enum payload); for a repeat block, its first
  /// template phase (unused).
  @usableFromInline package let phaseBuffer: ArenaBuffer<Phase>
  /// Per item: 1 for a repeat block, 0 for a plain phase.
  @usableFromInline package let blockFlags: ArenaBuffer<UInt8>
  /// Per item: the kernel `value(at:)` runs (`general` for repeat blocks,
  /// tables and steps at milestones), built once here.
  let atKernels: AtKernelSlots

  /// End of the last item in steps: the schedule's end (`.infinity` if
  /// open-ended).
  @usableFromInline package let end: Double
  /// Multiplier past the end (`after`, applied).
  @usableFromInline package let afterMultiplier: Double

  init(arena: Arena, peak: Double, after: After, totalStepsField: Double?, items: [ScheduleItem],
       starts: [Double], ends: [Double], endMultiplier: Double) {
    self.arena = arena
    self.peak = peak
    self.after = after
    self.totalStepsField = totalStepsField
    self.itemBuffer = arena.copy(items)
    self.startBuffer = arena.copy(starts)
    self.endBuffer = arena.copy(ends)
    self.phaseBuffer = arena.copy(items.map { item -> Phase in
      switch item {
      case .phase(let phase): return phase
      case .block(let block): return block.template[0]
      }
    })
    self.blockFlags = arena.copy(items.map { item -> UInt8 in
      if case .block = item { return 1 }
      return 0
    })
    self.atKernels = AtKernelSlots(items, arena: arena)
    self.end = ends.last ?? 0
    self.afterMultiplier = after == .zero ? 0 : endMultiplier
  }

  /// First step past the last phase (`ceil` of its end, in steps), or nil
  /// when the schedule is open-ended (its last phase never ends).
  ///
  /// - Complexity: O(1).
  public var totalSteps: Int64? {
    if !end.isFinite || end >= 9.2e18 { return nil }
    return Int64(end.rounded(.up))
  }
}
