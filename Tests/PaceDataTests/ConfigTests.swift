//===--- ConfigTests.swift ------------------------------------------------===//
// Config parsing: every error names its field; unknown keys are errors.
//===----------------------------------------------------------------------===//
import Testing
@testable import PaceData

@Suite struct ConfigTests {
  @Test(arguments: [
    (#"{"global_batch": 4}"#, "size"),
    (#"{"size": 0, "global_batch": 4}"#, "size"),
    (#"{"size": 10}"#, "global_batch"),
    (#"{"size": 10, "global_batch": 0}"#, "global_batch"),
    (#"{"size": 10, "global_batch": [[1, 4]]}"#, "global_batch[0]"),
    (#"{"size": 10, "global_batch": [[0, 4], [0, 2]]}"#, "global_batch[1]"),
    (#"{"size": 10, "global_batch": 4, "sead": 1}"#, "sead"),
    (#"{"size": 10, "global_batch": 4, "seed": -1}"#, "seed"),
    (#"{"size": 10, "global_batch": 4, "policy": {"kind": "random"}}"#, "policy.kind"),
    (#"{"size": 10, "global_batch": 4, "policy": {"kind": "uniform", "c0": 0.1}}"#, "policy.c0"),
    (#"{"size": 10, "global_batch": 4, "policy": {"kind": "competence"}}"#, "policy.pacing"),
    (#"{"size": 10, "global_batch": 4, "policy": {"kind": "competence", "pacing": "sqrt"}}"#, "policy.total_steps"),
    (#"{"size": 10, "global_batch": 4, "policy": {"kind": "competence", "pacing": {"phases": []}}}"#, "policy.pacing"),
    (#"{"size": 10, "global_batch": 4, "policy": {"kind": "competence", "pacing": "sqrt", "total_steps": 9, "c0": 2}}"#, "policy.c0"),
    (#"{"size": 10, "global_batch": 4, "policy": {"kind": "ability", "min_pool": 0}}"#, "policy.min_pool"),
    (#"{"size": 10, "global_batch": 4, "policy": {"kind": "weighted"}}"#, "policy.budget"),
    (#"{"size": 10, "global_batch": 4, "policy": {"kind": "weighted", "budget": 5, "temperature": -1}}"#, "policy.temperature"),
    (#"{"size": 10, "global_batch": 4, "policy": {"kind": "ordered", "descending": 1}}"#, "policy.descending"),
    (#"{"size": 10, "global_batch": 4, "mixture": {"weights": []}}"#, "mixture.weights"),
    (#"{"size": 10, "global_batch": 4, "mixture": {"weights": [1, -2]}}"#, "mixture.weights[1]"),
    (#"{"size": 10, "global_batch": 4, "mixture": {"weights": [1], "block": 3}}"#, "mixture.block"),
    (#"{"size": 10, "global_batch": 4, "policy": {"kind": "ordered"}, "mixture": {"weights": [1]}}"#, "mixture"),
    (#"{"size": 10, "global_batch": 4"#, "config"),
  ])
  func errorsNameTheField(json: String, field: String) {
    let error = dataError { _ = try SamplerConfig(text: json) }
    #expect(error != nil, "\(json) was accepted")
    if case .config(let message) = error {
      #expect(message.hasPrefix(field), "\(message) does not start with \(field)")
    } else {
      Issue.record("\(json): expected a config error, got \(String(describing: error))")
    }
  }
  /// A JSON syntax error gives its line and column, like the schedule spec's.
  @Test func syntaxErrorsGiveLineAndColumn() {
    let error = dataError { _ = try SamplerConfig(text: "{\n  \"size\": 10,\n  \"global_batch\": 4,,\n}") }
    guard case .config(let message) = error else { Issue.record("expected a config error, got \(String(describing: error))"); return }
    #expect(message.contains("invalid JSON at line 3, column 21"), "\(message)")
  }


  @Test func defaultsAndForms() throws {
    let c = try SamplerConfig(text: #"{"size": 1e6, "global_batch": [[0, 8], [100, 16]]}"#)
    #expect(c.size == 1_000_000 && c.seed == 0 && c.policy.name == "uniform")
    #expect(c.batches.sizes == [8, 16])
    let w = try SamplerConfig(text: #"{"size": 100, "global_batch": 4, "policy": {"kind": "weighted", "budget": 0.25}}"#)
    guard case .weighted(let t, let budget, let perDomain) = w.policy else { Issue.record("not weighted"); return }
    #expect(t == 1 && budget == .fraction(0.25) && !perDomain)
    let a = try SamplerConfig(text: #"{"size": 100, "global_batch": 4, "policy": {"kind": "ability"}}"#)
    guard case .ability(let minPool) = a.policy else { Issue.record("not ability"); return }
    #expect(minPool == 100)
  }
}
