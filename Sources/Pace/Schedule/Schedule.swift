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
public enum ScheduleItem {
  case phase(Phase)
  case block(RepeatBlock)
}

/// A schedule: `value(t) = peak * m(t)`, with `m` built from phases laid end
/// to end from step 0.
///
/// A `Schedule` is immutable: evaluation never mutates it, so one schedule
/// can be shared by any number of threads. Its buffers live in an ``Arena``,
/// so evaluation does no reference counting.
public final class Schedule: @unchecked Sendable {
  /// Scale of every multiplier.
  public let peak: Double
  public let after: After
  /// The `total_steps` field of the spec, if given.
  public let totalStepsField: Double?
  /// Owner of every buffer below (and of the phases' tables and templates).
  public let arena: Arena
  /// The items, in time order.
  public let itemBuffer: UnsafeBufferPointer<ScheduleItem>
  /// Start of each item (float64 running sums of the durations before it).
  public let startBuffer: UnsafeBufferPointer<Double>
  /// End of each item (`.infinity` for an open-ended last item).
  public let endBuffer: UnsafeBufferPointer<Double>
  /// Per item: the phase of a plain-phase item, read in place by the hot
  /// path (no copy of the enum payload); for a repeat block, its first
  /// template phase (unused).
  @usableFromInline let phaseBuffer: UnsafeBufferPointer<Phase>
  /// Per item: 1 for a repeat block, 0 for a plain phase.
  @usableFromInline let blockFlags: UnsafeBufferPointer<UInt8>
  /// Per item: the kernel `value(at:)` runs (`general` for repeat blocks,
  /// tables and steps at milestones), built once here.
  let atKernels: AtKernelSlots

  /// The items, in time order.
  public var items: [ScheduleItem] { Array(itemBuffer) }
  /// Start of each item.
  public var starts: [Double] { Array(startBuffer) }
  /// End of each item (`.infinity` for an open-ended last item).
  public var ends: [Double] { Array(endBuffer) }
  /// End of the last item: the schedule's end (`.infinity` if open-ended).
  public let end: Double
  /// Multiplier past the end (`after`, applied).
  public let afterMultiplier: Double

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

  /// First step past the last phase (`ceil` of its end), or -1 when the
  /// schedule is open-ended.
  public var totalSteps: Int64 {
    if !end.isFinite || end >= 9.2e18 { return -1 }
    return Int64(end.rounded(.up))
  }
}
