//===--- Schedule+ParallelFill.swift --------------------------------------===//
// Long fills on two threads (the C API's fills).
//===----------------------------------------------------------------------===//

import Synchronization

extension Schedule {
  /// Fills of at least this many steps (4 MiB of float64) run on two
  /// threads in `fillInParallel`; shorter ones are not worth a thread.
  public static let parallelFillMinimum = 1 << 19

  /// The steps a thread of `fillInParallel` takes at a time (a multiple of
  /// 64: no cache line is written by both threads): about 50 µs of work,
  /// small enough to even out a thread slowed down by other processes on
  /// its core, large enough that taking one costs nothing measurable.
  public static let parallelFillChunk = 1 << 16

  /// `fill(from:into:)` on two threads when the buffer holds at least
  /// `parallelFillMinimum` steps: both take chunks of `parallelFillChunk`
  /// steps in order from a shared counter until none is left, so a thread
  /// that runs slower (its core shared with another process) leaves more of
  /// the run to the other, where fixed halves would wait for it. Every value is a pure function of
  /// its step, so the result is the same bits. Used by the C API's fills;
  /// code that already runs fills on several threads (the batch engine)
  /// calls `fill(from:into:)`.
  ///
  /// - Complexity: O(count + number of phases), on two cores.
  public func fillInParallel(from start: Int64, into out: UnsafeMutableBufferPointer<Double>) {
    fillInChunks(from: start, out)
  }

  /// float32: the float64 values rounded once (see the float64 version).
  public func fillInParallel(from start: Int64, into out: UnsafeMutableBufferPointer<Float>) {
    fillInChunks(from: start, out)
  }

  private func fillInChunks<Element: FillElement>(from start: Int64, _ out: UnsafeMutableBufferPointer<Element>) {
    guard let base = out.baseAddress else { return }
    let count = out.count
    guard count >= Self.parallelFillMinimum else {
      fill(from: start, count: count, into: BufferSink(base: base))
      return
    }
    let chunk = Self.parallelFillChunk
    let chunks = (count + chunk - 1) / chunk
    let next = ChunkCounter()
    forkJoin { _ in
      while true {
        let index = next.take()
        guard index < chunks else { return }
        let offset = index * chunk
        fill(from: start + Int64(offset), count: Swift.min(chunk, count - offset), into: BufferSink(base: base + offset))
      }
    }
  }
}

/// The next chunk index of a parallel fill, shared by its two threads.
private final class ChunkCounter: Sendable {
  private let next = Atomic<Int>(0)
  /// Claims the next index (0, 1, 2, ... across both threads).
  func take() -> Int { next.add(1, ordering: .relaxed).oldValue }
}
