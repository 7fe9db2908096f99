//===--- SpecErrorTests.swift ---------------------------------------------===//
// Every error case of docs/schedule-spec.md: rejected, with the JSON path.
//===----------------------------------------------------------------------===//
import Testing
@testable import Pace

@Suite struct SpecErrorTests {
  /// (spec, expected path, a fragment of the message)
  static let cases: [(String, String, String)] = [
    ("[]", "", "must be an object"),
    (#"{"phases":[]} x"#, "", "trailing text"),
    (#"{"phases":[{"shape":"constant"}],"phases":[]}"#, "phases", "duplicate key"),
    (String(repeating: "[", count: 70) + String(repeating: "]", count: 70),
     String(repeating: "[0]", count: 64), "nesting deeper than 64"),
    (#"{"phases":[{"shape":"constant"}],"colour":1}"#, "colour", "unknown field"),
    (#"{"phases":[{"shape":"zigzag","steps":3}]}"#, "phases[0].shape", "unknown shape"),
    (#"{"preset":"zigzag"}"#, "preset", "unknown preset"),
    (#"{"phases":[{"shape":"constant"}],"after":"wrap"}"#, "after", "must be one of"),
    (#"{"phases":[{"shape":"linear","steps":3,"to":0,"endpoint":"both"}]}"#, "phases[0].endpoint", "must be one of"),
    (#"{"phases":[{"repeat":[{"shape":"linear","steps":3,"to":0}],"decay_mode":"x"}]}"#, "phases[0].decay_mode", "must be one of"),
    (#"{"phases":[{"shape":"constant","steps":3,"to":1}]}"#, "phases[0].to", "does not belong to shape \"constant\""),
    (#"{"phases":[{"shape":"linear","steps":3,"phi":1,"to":0}]}"#, "phases[0].phi", "does not belong"),
    (#"{"phases":[{"shape":"linear","steps":3}]}"#, "phases[0].to", "required field is missing"),
    (#"{"phases":[{"shape":"uba","steps":3,"to":0}]}"#, "phases[0].phi", "required field is missing"),
    (#"{"phases":[{"shape":"linear","steps":"3","to":0}]}"#, "phases[0].steps", "must be a number"),
    (#"{"phases":[{"shape":"linear","steps":-5,"to":0}]}"#, "phases[0].steps", "must be a number > 0, got -5"),
    (#"{"phases":[{"shape":"linear","steps":0,"to":0}]}"#, "phases[0].steps", "must be a number > 0"),
    (#"{"phases":[{"shape":"linear","steps":1e999,"to":0}]}"#, "phases[0].steps", "finite"),
    (#"{"phases":[{"shape":"step","gamma":0.5,"step_size":9223372036854775808}]}"#, "phases[0].step_size", "int64"),
    (#"{"phases":[{"shape":"step","gamma":0.5,"step_size":2.5}]}"#, "phases[0].step_size", "must be an integer"),
    (#"{"version":99999999999999999999,"phases":[{"shape":"constant"}]}"#, "version", "int64"),
    (#"{"total_steps":100,"phases":[{"shape":"linear","fraction":0.6,"to":1},{"shape":"constant","fraction":0.6}]}"#, "phases", "above 1"),
    (#"{"total_steps":100,"phases":[{"shape":"linear","steps":5,"fraction":0.1,"to":1}]}"#, "phases[0].fraction", "not both"),
    (#"{"phases":[{"shape":"linear","fraction":0.1,"to":1}]}"#, "phases[0].fraction", "needs total_steps"),
    (#"{"phases":[{"shape":"constant"},{"shape":"linear","steps":3,"to":0}]}"#, "phases[0].steps", "only the last phase"),
    (#"{"phases":[{"shape":"linear","to":0}]}"#, "phases[0].steps", "open-ended"),
    (#"{"phases":[{"repeat":[{"shape":"linear","steps":3,"to":0}]},{"shape":"constant"}]}"#, "phases[0].cycles", "must be the last"),
    (#"{"phases":[{"shape":"exponential","steps":3,"to":0.1,"gamma":0.9}]}"#, "phases[0].gamma", "not both"),
    (#"{"phases":[{"shape":"exponential","steps":3,"to":0}]}"#, "phases[0].to", "to > 0"),
    (#"{"phases":[{"shape":"linear","steps":3,"from":1,"to":0},{"shape":"exponential","steps":3,"to":0.5}]}"#, "phases[1].from", "from > 0"),
    (#"{"phases":[{"shape":"linear","steps":10,"offset":10,"to":0}]}"#, "phases[0].offset", "[0, L)"),
    (#"{"phases":[{"shape":"linear","steps":10,"offset":-1,"to":0}]}"#, "phases[0].offset", ">= 0"),
    (#"{"phases":[{"shape":"step","gamma":0.5,"milestones":[5,5]}]}"#, "phases[0].milestones[1]", "increasing"),
    (#"{"phases":[{"shape":"table","steps":4,"values":[1,2,3]}]}"#, "phases[0].steps", "lasts 3 steps"),
    (#"{"phases":[{"repeat":[{"repeat":[]}],"cycles":2}]}"#, "phases[0].repeat[0].repeat", "do not nest"),
    (#"{"phases":[{"repeat":[{"shape":"linear","to":0}],"cycles":2}]}"#, "phases[0].repeat[0].steps", "needs steps"),
    (#"{"version":2,"phases":[{"shape":"constant"}]}"#, "version", "only spec version 1"),
    (#"{"phases":[]}"#, "phases", "must not be empty"),
    (#"{"peak":0,"phases":[{"shape":"constant"}]}"#, "peak", "> 0"),
    (#"{"preset":"cosine","warmup_steps":10}"#, "total_steps", "required"),
    (#"{"preset":"cosine","total_steps":100,"warmup":5}"#, "warmup", "unknown parameter"),
    (#"{"preset":"cosine","total_steps":100,"phases":[]}"#, "phases", "not both"),
    (#"{"preset":"linear","warmup_steps":100,"total_steps":100}"#, "total_steps", "greater than"),
    (#"{"preset":"wsd","warmup_steps":10,"decay_steps":5}"#, "stable_steps", "required"),
    (#"{"preset":"onecycle","total_steps":2,"pct_start":0.3}"#, "pct_start", "phase of"),
    (#"{"phases":[{"shape":"table","points":[[0,1],[0,2]],"steps":5}]}"#, "phases[0].points[1]", "increasing"),
    (#"{"phases":[{"repeat":[{"shape":"linear","steps":3,"to":0}],"cycles":0}]}"#, "phases[0].cycles", ">= 1"),
    (#"{"phases":[{"shape":"inverse_sqrt","timescale":0.5}]}"#, "phases[0].timescale", ">= 1"),
    (#"{"phases":[{"shape":"power","a":1,"b":0.5}]}"#, "phases[0].b", "< 0"),
    (#"{"total_steps":10,"phases":[{"shape":"constant","steps":10},{"shape":"linear","to":0}]}"#, "phases[1].steps", "no steps left"),
    (#"{"phases":[{"shape":"constant","steps":10,"steps":20}]}"#, "phases[0].steps", "duplicate key"),
    (#"{"phases":[{"shape":"step","gamma":0.5,"step_size":9007199254740993}]}"#, "phases[0].step_size", "2^53"),
    (#"{"phases":[{"shape":"step","gamma":0.5,"milestones":[10,9223372036854775807]}]}"#, "phases[0].milestones[1]", "2^53"),
    (#"{"preset":"wsd","warmup_steps":10,"total_steps":100,"decay_steps":9223372036854775807}"#, "decay_steps", "2^53"),
    (#"{"phases":[{"shape":"exponential","steps":10,"gamma":1e300},{"shape":"constant"}]}"#, "phases[1]", "non-finite value (inf)"),
    (#"{"phases":[{"shape":"cosine","steps":10,"to":0,"cycles":1e308}]}"#, "phases[0]", "non-finite"),
    (#"{"phases":[{"shape":"linear","steps":10,"from":1e308,"to":-1e308}]}"#, "phases[0]", "non-finite"),
    (#"{"phases":[{"repeat":[{"shape":"linear","steps":10,"from":1,"to":0.5}],"cycles":3,"decay_per_step":1e300}]}"#, "phases[0]", "non-finite"),
  ]

  @Test(arguments: cases.indices) func rejected(index: Int) {
    let (spec, path, fragment) = Self.cases[index]
    guard let error = specError(spec) else {
      Issue.record("accepted: \(spec)")
      return
    }
    #expect(error.path == path, "\(spec) -> \(error)")
    #expect(error.description.contains(fragment), "\(spec) -> \(error)")
    if !path.isEmpty { #expect(error.description.hasPrefix(path + ": ")) }
  }

  @Test func invalidUTF8IsRejected() {
    var bytes = Array(#"{"phases":[{"shape":"constant"}],"x":"é"}"#.utf8)
    bytes[bytes.count - 3] = 0xFF
    #expect(throws: SpecError.self) { try Schedule.parse(bytes: bytes) }
  }
}
