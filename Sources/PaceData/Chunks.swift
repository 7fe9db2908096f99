//===--- Chunks.swift -----------------------------------------------------===//
// Fixed splits of an array into parts, run on the batch engine's workers.
// The split depends on the array's length only, never on the thread count,
// so every result combined in part order has the same bits on any machine.
//===----------------------------------------------------------------------===//
import PaceEngine

/// `count` elements split into `parts` contiguous ranges of (nearly) equal
/// length, at least `minimum` elements each (except for a short array), at
/// most `maximumParts` parts.
struct Chunks: Sendable {
  let count: Int
  let parts: Int

  init(count: Int, minimum: Int = 1 << 16, maximumParts: Int = 64) {
    self.count = count
    parts = max(1, min(maximumParts, count / max(1, minimum)))
  }

  /// The elements of part `p`.
  func range(_ p: Int) -> Range<Int> {
    let lo = Int((Double(p) / Double(parts) * Double(count)).rounded(.down))
    let hi = p + 1 == parts ? count : Int((Double(p + 1) / Double(parts) * Double(count)).rounded(.down))
    return lo..<hi
  }
}

/// Where creation-time work runs: the engine's workers, or the calling
/// thread when there is no engine (small pools) or it cannot run here (a
/// forked child). Either way the same parts run, with the same results.
struct Workers {
  let engine: BatchEngine?

  /// Runs `body(p)` for every part `p` in `0 ..< parts`; parts touch
  /// disjoint memory.
  func run(_ parts: Int, _ body: (Int) -> Void) {
    if let engine, parts > 1 {
      do throws(EngineError) {
        try engine.forEachPart(parts, body)
        return
      } catch {}
    }
    for p in 0..<parts { body(p) }
  }
}
