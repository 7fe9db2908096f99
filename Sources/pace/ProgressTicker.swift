//===--- ProgressTicker.swift ---------------------------------------------===//
// Progress of a long computation on stderr: what runs and for how long.
//===----------------------------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Shows `what` and the elapsed seconds on standard error while a long,
/// synchronous computation (a law fit) runs on the calling thread: on a
/// terminal one line redrawn 4 times a second, elsewhere (`--progress` into a
/// file or pipe) one line a second. Disabled, it prints nothing and starts
/// no task. Standard output is never touched, so `--json` stays clean.
final class ProgressTicker: Sendable {
  private let running: Atomic<Bool>
  private let enabled: Bool
  private let what: String
  private let start: ContinuousClock.Instant
  private let redraw: Bool

  /// Whether standard error is a terminal.
  static var stderrIsTerminal: Bool { isatty(2) != 0 }

  init(enabled: Bool, what: String) {
    self.enabled = enabled
    self.what = what
    self.running = Atomic(enabled)
    self.start = ContinuousClock.now
    self.redraw = Self.stderrIsTerminal
    guard enabled else { return }
    emit("\(what) ...", final: false)
    Task.detached { [self] in
      let period: Duration = redraw ? .milliseconds(250) : .seconds(1)
      while running.load(ordering: .acquiring) {
        try? await Task.sleep(for: period)
        guard running.load(ordering: .acquiring) else { break }
        emit("\(what) ... \(elapsed) s", final: false)
      }
    }
  }

  /// Stops the ticker and prints the last line (`what ... outcome in N s`).
  func finish(_ outcome: String) {
    guard enabled, running.exchange(false, ordering: .acquiringAndReleasing) else { return }
    emit("\(what) ... \(outcome) in \(elapsed) s", final: true)
  }

  private var elapsed: String {
    let d = ContinuousClock.now - start
    let tenths = Int(d.components.seconds) * 10 + Int(d.components.attoseconds / 100_000_000_000_000_000)
    return "\(tenths / 10).\(tenths % 10)"
  }

  private func emit(_ line: String, final: Bool) {
    if redraw {
      printErrorRaw("\r\u{1B}[K" + line + (final ? "\n" : ""))
    } else {
      printErrorRaw(line + "\n")
    }
  }
}

/// Writes text to standard error without a newline.
func printErrorRaw(_ text: String) {
  var stderr = StandardError()
  stderr.write(text)
}
