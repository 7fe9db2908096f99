//===--- BatchEngine+Parts.swift ------------------------------------------===//
// Generic parallel work on the engine's pinned workers (data pacing's sorts,
// selections and IRT fits use it).
//===----------------------------------------------------------------------===//

extension BatchEngine {
  /// Runs `body(part)` for every `part` in `0 ..< parts` on the engine's
  /// workers: each worker takes the next part from a shared counter, so a
  /// worker slowed by another process leaves more parts to the others.
  ///
  /// Results never depend on the thread count as long as each part writes
  /// only its own memory and the caller combines per-part results in part
  /// order: the split into parts is the caller's, not the engine's.
  ///
  /// - Parameters:
  ///   - parts: the number of parts (>= 0; 0 runs nothing).
  ///   - body: the work of one part; runs on a worker thread, concurrently
  ///     with other parts.
  /// - Throws: ``EngineError/unsupported(_:)`` in a forked child, whose
  ///   workers are in the parent.
  /// - Complexity: one wake-up of every worker, plus the parts' work.
  public func forEachPart(_ parts: Int, _ body: (Int) -> Void) throws(EngineError) {
    guard parts > 0 else { return }
    try checkProcess()
    let counter = TaskCounter()
    withoutActuallyEscaping(body) { work in
      _ = pool.run { _ in  // checkProcess: the workers are here
        while true {
          let part = counter.next()
          if part >= parts { break }
          work(part)
        }
      }
    }
  }
}
