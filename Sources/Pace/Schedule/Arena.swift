//===--- Arena.swift ------------------------------------------------------===//
// The immutable buffers of one schedule, freed together.
//===----------------------------------------------------------------------===//

/// Owns the buffers (tables, milestones, repeat templates, the item list) of
/// one schedule, so that evaluation touches plain pointers only: no
/// reference counting in the hot path. Buffers hold trivial types and are
/// freed together when the last schedule using the arena goes away (or when
/// a parse fails part-way).
@usableFromInline
package final class Arena: @unchecked Sendable {
  private var allocations: [UnsafeMutableRawPointer] = []
  /// Schedules played by `segment` phases, referenced unretained from the
  /// phases (which must stay trivial) and kept alive here.
  private var nestedSchedules: [Schedule] = []

  package init() {}

  /// An immutable copy of `values` owned by the arena, read through an
  /// ``ArenaBuffer`` handle.
  ///
  /// - Precondition: `T` is a trivial type (no references).
  package func copy<T>(_ values: [T]) -> ArenaBuffer<T> {
    precondition(_isPOD(T.self), "arena buffers hold trivial types only")
    let memory = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(1, values.count))
    values.withUnsafeBufferPointer { source in
      if let base = source.baseAddress { memory.initialize(from: base, count: values.count) }
    }
    allocations.append(UnsafeMutableRawPointer(memory))
    return ArenaBuffer(base: UnsafePointer(memory), count: values.count)
  }

  /// `byteCount` zeroed bytes aligned to `alignment`, owned by the arena
  /// (for trivial values only).
  package func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
    let memory = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(1, byteCount), alignment: alignment)
    memory.initializeMemory(as: UInt8.self, repeating: 0, count: Swift.max(1, byteCount))
    allocations.append(memory)
    return memory
  }

  /// Keeps `schedule` alive as long as this arena, and returns an
  /// unretained reference to it for a phase to hold.
  package func keep(_ schedule: Schedule) -> Unmanaged<Schedule> {
    nestedSchedules.append(schedule)
    return Unmanaged.passUnretained(schedule)
  }

  deinit {
    for memory in allocations { memory.deallocate() }
  }
}
