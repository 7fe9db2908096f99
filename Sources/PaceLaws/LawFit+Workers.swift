//===--- LawFit+Workers.swift ---------------------------------------------===//
// The fit's independent starts on the batch engine's workers.
//===----------------------------------------------------------------------===//
import PaceEngine

/// Runs a fit's independent pieces of work (multi-start runs) in parallel.
enum FitWorkers {
  /// The fits' own engine (one worker per CPU the process may use); nil when
  /// it cannot start, and then the work runs on the caller's thread.
  static let engine: BatchEngine? = try? BatchEngine()

  /// `[body(0), ..., body(count - 1)]`, the calls spread over the engine's
  /// workers. Each call must touch only its own state; the result is in
  /// index order, so it never depends on the thread count or the timing.
  /// In a forked child (whose workers are in the parent) it runs serially.
  static func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
    guard count > 1, let engine else { return (0..<count).map(body) }
    let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    slots.initialize(repeating: nil)
    defer {
      _ = slots.deinitialize()
      slots.deallocate()
    }
    do throws(EngineError) {
      try engine.forEachPart(count) { slots[$0] = body($0) }
    } catch {
      for i in 0..<count { slots[i] = body(i) }
    }
    return (0..<count).map { slots[$0] ?? body($0) }
  }
}
