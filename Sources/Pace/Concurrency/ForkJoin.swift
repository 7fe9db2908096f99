//===--- ForkJoin.swift ---------------------------------------------------===//
// Two-way fork-join on a POSIX thread, for large fills and refinement passes.
//===----------------------------------------------------------------------===//
import Glibc
import Synchronization

/// Runs `body(0)` and `body(1)`, on a second thread and the calling thread
/// when the second thread starts in time, returning when both have
/// finished. The two parts must touch disjoint memory; results never depend
/// on which thread runs which part.
///
/// The parts are claimed, not assigned: the calling thread takes the next
/// unclaimed part until none is left, and so does the helper thread once it
/// runs. On a machine whose other core is busy (a shared 2-core host), a
/// helper that is not scheduled in time is closed: it exits as soon as it
/// runs, without touching `body` (detached; the only thread that can outlive
/// the call), and the caller never waits for a thread that has not started.
/// A helper that did start is joined. With one online CPU, or when a thread
/// cannot be started, both parts run on the calling thread.
///
/// - Complexity: one thread creation (tens of microseconds).
func forkJoin(_ body: (Int) -> Void) {
  guard sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1 else {
    body(0)
    body(1)
    return
  }
  withoutActuallyEscaping(body) { escapable in
    let parts = SharedParts(escapable)
    var thread = pthread_t()
    let context = Unmanaged.passRetained(parts).toOpaque()
    let started = pthread_create(&thread, nil, { context in
      Unmanaged<SharedParts>.fromOpaque(context!).takeRetainedValue().helperRuns()
      return nil
    }, context)
    guard started == 0 else {
      Unmanaged<SharedParts>.fromOpaque(context).release()
      _ = parts.callerRuns()  // both parts: no helper to close
      parts.dropBody()
      return
    }
    if parts.callerRuns() {
      pthread_detach(thread)
    } else {
      pthread_join(thread, nil)
    }
    parts.dropBody()
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

/// The two parts of a `forkJoin`, claimed by whichever thread comes first.
///
/// The helper touches `body` only after entering (`helper`: waiting →
/// running, a compare-and-exchange the caller can pre-empt by closing it).
/// The caller, out of parts, closes a helper that has not entered (and
/// detaches it) or joins it; only then does it drop `body`, so the
/// non-escaping closure is never used or held after `forkJoin` returns.
private final class SharedParts: @unchecked Sendable {
  /// The next part to claim (0, 1; 2 and above: none left).
  private let next = Atomic<Int>(0)
  /// `waiting`, `running` or `closed` (see the constants).
  private let helper = Atomic<Int>(SharedParts.waiting)
  private var body: ((Int) -> Void)?

  private static let waiting = 0
  private static let running = 1
  private static let closed = 2

  init(_ body: @escaping (Int) -> Void) { self.body = body }

  /// The helper thread: enters unless closed, then runs parts.
  func helperRuns() {
    guard helper.compareExchange(expected: Self.waiting, desired: Self.running, ordering: .acquiringAndReleasing)
      .exchanged else { return }
    runParts()
  }

  /// The calling thread: runs parts, then closes the helper if it has not
  /// entered. True when it was closed (detach it), false when it entered
  /// (join it before ``dropBody()``).
  func callerRuns() -> Bool {
    runParts()
    return helper.compareExchange(expected: Self.waiting, desired: Self.closed, ordering: .acquiringAndReleasing)
      .exchanged
  }

  /// Releases `body` once no thread can use it any more.
  func dropBody() { body = nil }

  /// Claims and runs parts until none is left; out of line, so every copy
  /// of `body` it makes is released before it returns.
  @inline(never)
  private func runParts() {
    while true {
      let part = next.wrappingAdd(1, ordering: .relaxed).oldValue
      guard part < 2 else { return }
      body.unsafelyUnwrapped(part)
    }
  }
}
