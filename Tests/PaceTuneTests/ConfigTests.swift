//===--- ConfigTests.swift ------------------------------------------------===//
// Config parsing: defaults, canonical text, errors that name the field.
//===----------------------------------------------------------------------===//
import Testing
@testable import PaceTune

@Suite struct ConfigTests {
  @Test func defaultsAndCanonicalText() throws {
    let c = try TuneConfig.parse(#"{"min_lr": 1e-4, "max_lr": 0.1, "total_steps": 1000}"#)
    #expect(c.tau == 1000 && c.tauPrime == 100 && c.candidates == 10 && c.tauMax == 8000)
    #expect(c.seed == 0 && c.warmupSteps == 0 && c.warmupLR == nil && c.valEvery == nil)
    #expect(try TuneConfig.parse(c.canonicalText) == c)
    let full = try TuneConfig.parse(#"{"min_lr": 1e-4, "max_lr": 0.1, "total_steps": 1000, "seed": 18446744073709551615, "warmup_steps": 5, "warmup_lr": 0.01, "val_every": 7}"#)
    #expect(full.seed == UInt64.max)
    #expect(try TuneConfig.parse(full.canonicalText) == full)
  }

  @Test(arguments: [
    (#"{"max_lr": 0.1, "total_steps": 1000}"#, "min_lr:"),
    (#"{"min_lr": 0.1, "total_steps": 1000}"#, "max_lr:"),
    (#"{"min_lr": 1e-3, "max_lr": 0.1}"#, "total_steps:"),
    (#"{"min_lr": -1, "max_lr": 0.1, "total_steps": 10}"#, "min_lr:"),
    (#"{"min_lr": 0.1, "max_lr": 0.01, "total_steps": 10}"#, "max_lr:"),
    (#"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 0}"#, "total_steps:"),
    (#"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 1.5}"#, "total_steps:"),
    (#"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 10, "tau": 0}"#, "tau:"),
    (#"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 10, "tau_prime": 3}"#, "tau_prime:"),
    (#"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 10, "candidates": 0}"#, "candidates:"),
    (#"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 10, "tau": 100, "tau_max": 50}"#, "tau_max:"),
    (#"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 10, "seed": -1}"#, "seed:"),
    (#"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 10, "warmup_steps": 11, "warmup_lr": 0.1}"#, "warmup_steps:"),
    (#"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 10, "warmup_steps": 5}"#, "warmup_lr:"),
    (#"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 10, "val_every": 0}"#, "val_every:"),
    (#"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 10, "kappa": 2}"#, "kappa: unknown key"),
    (#"{"min_lr": "1e-3", "max_lr": 0.1, "total_steps": 10}"#, "min_lr:"),
    (#"[1, 2]"#, "config:"),
    (#"{"min_lr": 1e-3,"#, "config: invalid JSON"),
  ])
  func errorsNameTheField(_ text: String, _ prefix: String) {
    do {
      _ = try TuneConfig.parse(text)
      Issue.record("accepted \(text)")
    } catch {
      guard case .config(let message) = error else { Issue.record("not a config error: \(error)"); return }
      #expect(message.hasPrefix(prefix), "\(message)")
    }
  }

  /// A JSON syntax error gives its line and column, like the schedule spec's.
  @Test func syntaxErrorsGiveLineAndColumn() {
    do {
      _ = try TuneConfig.parse("{\n  \"min_lr\": 1e-3,\n  \"max_lr\": ]\n}")
      Issue.record("accepted a JSON syntax error")
    } catch {
      guard case .config(let message) = error else { Issue.record("not a config error: \(error)"); return }
      #expect(message.contains("invalid JSON at line 3, column 13"), "\(message)")
    }
  }
}
