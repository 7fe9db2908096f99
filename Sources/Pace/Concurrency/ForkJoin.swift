//===--- ForkJoin.swift ---------------------------------------------------===//
// Two-way fork-join on a POSIX thread, for large fills and refinement passes.
//===----------------------------------------------------------------------===//
import Glibc

/// Runs `body(0)` on a second thread and `body(1)` on the calling thread,
/// returning when both have finished. The two parts must touch disjoint
/// memory. With one online CPU, or when a thread cannot be started, both
/// run on the calling thread (so results never depend on it).
///
/// - Complexity: one thread creation and join (tens of microseconds).
func forkJoin(_ body: (Int) -> Void) {
  guard sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1 else {
    body(0)
    body(1)
    return
  }
  withoutActuallyEscaping(body) { escapable in
    let context = Unmanaged.passRetained(ForkedPart(escapable)).toOpaque()
    var thread = pthread_t()
    let started = pthread_create(&thread, nil, { context in
      Unmanaged<ForkedPart>.fromOpaque(context!).takeRetainedValue().body(0)
      return nil
    }, context)
    guard started == 0 else {
      Unmanaged<ForkedPart>.fromOpaque(context).release()
      escapable(0)
      escapable(1)
      return
    }
    escapable(1)
    pthread_join(thread, nil)
  }
}

/// Runs `body` over `range` in one part, or with `parts == 2` in two on two
/// threads (`range` split at `splitAt`, by default in the middle).
@inline(__always)
func inParts(_ parts: Int, of range: Range<Int>, splitAt: Int? = nil, _ body: (Range<Int>) -> Void) {
  guard parts == 2 else { return body(range) }
  let middle = splitAt ?? (range.lowerBound + range.count / 2)
  forkJoin { part in body(part == 0 ? range.lowerBound..<middle : middle..<range.upperBound) }
}

/// The part a forked thread runs (kept alive until that thread takes it).
private final class ForkedPart: @unchecked Sendable {
  let body: (Int) -> Void
  init(_ body: @escaping (Int) -> Void) { self.body = body }
}
