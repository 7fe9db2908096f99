//===--- Schedule+ParallelFill.swift --------------------------------------===//
// Long fills in two halves on two threads (the C API's fills).
//===----------------------------------------------------------------------===//

extension Schedule {
  /// Fills of at least this many steps (4 MiB of float64) run in two halves
  /// on two threads in `fillInParallel`; shorter ones are not worth a thread.
  public static let parallelFillMinimum = 1 << 19

  /// `fill(from:into:)`, in two halves on two threads when the buffer holds
  /// at least `parallelFillMinimum` steps. Every value is a pure function of
  /// its step, so the result is the same bits. Used by the C API's fills;
  /// code that already runs fills on several threads (the batch engine)
  /// calls `fill(from:into:)`.
  ///
  /// - Complexity: O(count + number of phases), on two cores.
  public func fillInParallel(from start: Int64, into out: UnsafeMutableBufferPointer<Double>) {
    fillInHalves(from: start, out)
  }

  /// float32: the float64 values rounded once (see the float64 version).
  public func fillInParallel(from start: Int64, into out: UnsafeMutableBufferPointer<Float>) {
    fillInHalves(from: start, out)
  }

  private func fillInHalves<Element: FillElement>(from start: Int64, _ out: UnsafeMutableBufferPointer<Element>) {
    guard let base = out.baseAddress else { return }
    let count = out.count
    guard count >= Self.parallelFillMinimum else {
      fill(from: start, count: count, into: BufferSink(base: base))
      return
    }
    // Halves split on a 64-step boundary: no cache line is written by both.
    let middle = (count / 2) & ~63
    forkJoin { part in
      let offset = part == 0 ? 0 : middle
      let length = part == 0 ? middle : count - middle
      fill(from: start + Int64(offset), count: length, into: BufferSink(base: base + offset))
    }
  }
}
