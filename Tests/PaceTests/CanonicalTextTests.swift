//===--- CanonicalTextTests.swift -----------------------------------------===//
// Every accepted schedule's canonical text is JSON that parses back.
//===----------------------------------------------------------------------===//
import Testing
@testable import Pace

@Suite struct CanonicalTextTests {
  /// An open-ended block whose second template phase starts where a steep
  /// exponential ends (1.5^2000 overflows, beyond the 1000 probed steps):
  /// its default `from` is infinite, which JSON cannot spell.
  @Test func overflowingDefaultFromIsRejectedAtParse() {
    let spec = #"{"phases": [{"repeat": [{"shape": "exponential", "steps": 2000, "gamma": 1.5}, {"shape": "linear", "steps": 10, "to": 1}], "cycles": null}]}"#
    do {
      let s = try Schedule.parse(spec)
      Issue.record("accepted; canonical text \(s.canonicalText.prefix(200))")
    } catch {
      #expect(error.path == "phases[0].repeat[1].from", "\(error)")
    }
  }

  /// Open-ended growth that overflows far beyond its start stays valid
  /// (an LR range test) and its canonical text parses back.
  @Test func openEndedGrowthStaysValidAndRoundTrips() throws {
    for spec in [
      #"{"phases": [{"shape": "exponential", "gamma": 1.5}]}"#,
      #"{"phases": [{"repeat": [{"shape": "linear", "steps": 100, "from": 1, "to": 2}], "cycles": null, "decay": 10, "decay_mode": "peak"}]}"#,
    ] {
      let s = try Schedule.parse(spec)
      let back = try Schedule.parse(s.canonicalText)
      #expect(back.canonicalText == s.canonicalText)
      for t: Int64 in [0, 1, 99, 100, 999, 5000] { #expect(back.value(at: t).bitPattern == s.value(at: t).bitPattern) }
    }
  }
}
