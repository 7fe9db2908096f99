//===--- NameSuggestionTests.swift ----------------------------------------===//
// "Did you mean" hints for unknown names; JSON errors with line and column.
//===----------------------------------------------------------------------===//
import Testing
@testable import Pace

@Suite struct NameSuggestionTests {
  /// The message of a rejected spec.
  func rejection(_ spec: String) -> SpecError? {
    do {
      _ = try Schedule.parse(spec)
      return nil
    } catch {
      return error
    }
  }

  /// The message of a rejected runtime config.
  func configRejection(_ config: String) -> SpecError? {
    do {
      _ = try RuntimeConfig.parse(config)
      return nil
    } catch {
      return error
    }
  }

  @Test(arguments: [
    // (spec, path, suggested name)
    (#"{"preset":"cosine","peak":1,"total_steps":100,"min_lr":0.1}"#, "min_lr", "min_ratio"),
    (#"{"preset":"cosine","total_steps":100,"warmup":5}"#, "warmup", "warmup_steps"),
    (#"{"preset":"cosin","total_steps":100}"#, "preset", "cosine"),
    (#"{"preset":"wds","total_steps":100}"#, "preset", "wsd"),
    (#"{"phases":[{"shape":"cosinee","steps":3,"to":0}]}"#, "phases[0].shape", "cosine"),
    (#"{"phases":[{"shape":"linear","step":3,"to":0}]}"#, "phases[0].step", "steps"),
    (#"{"phases":[{"shape":"constant"}],"total_step":10}"#, "total_step", "total_steps"),
    (#"{"phases":[{"repeat":[{"shape":"linear","steps":3,"to":0}],"cycle":2}]}"#, "phases[0].cycle", "cycles"),
  ])
  func suggestsTheNearestName(_ spec: String, _ path: String, _ suggestion: String) throws {
    let error = try #require(rejection(spec))
    #expect(error.path == path)
    #expect(error.message.hasSuffix("did you mean \"\(suggestion)\"?"), "\(error)")
  }

  @Test func runtimeConfigFieldsAreSuggestedToo() throws {
    let lr = #""lr":{"preset":"constant","peak":1}"#
    let group = try #require(configRejection(#"{"channels":{\#(lr)},"groups":[{"nmae":"a"}]}"#))
    #expect(group.path == "groups[0].nmae")
    #expect(group.message.hasSuffix("did you mean \"name\"?"))
    let refine = try #require(configRejection(#"{"channels":{\#(lr)},"refine":{"evry":10}}"#))
    #expect(refine.message.hasSuffix("did you mean \"every\"?"))
  }

  @Test func farNamesGetNoSuggestion() throws {
    let error = try #require(rejection(#"{"phases":[{"shape":"constant"}],"colour":1}"#))
    #expect(error.path == "colour")
    #expect(!error.message.contains("did you mean"), "\(error)")
    #expect(NameSuggestion.nearest("zzzzzz", among: ["peak", "steps"]) == nil)
    #expect(NameSuggestion.nearest("", among: ["peak"]) == nil)
  }

  @Test func distanceIsTheOptimalStringAlignmentDistance() {
    func d(_ a: String, _ b: String) -> Int {
      NameSuggestion.distance(Array(a.unicodeScalars), Array(b.unicodeScalars))
    }
    #expect(d("", "abc") == 3)
    #expect(d("kitten", "sitting") == 3)
    #expect(d("steps", "stpes") == 1)  // one swap
    #expect(d("ca", "abc") == 3)       // OSA, not unrestricted Damerau (2)
    #expect(d("peak", "peak") == 0)
    // Symmetric on a few pairs.
    for (a, b) in [("min_lr", "min_ratio"), ("wds", "wsd"), ("x", "")] { #expect(d(a, b) == d(b, a)) }
  }

  @Test func hugeNamesAreCheap() {
    let long = String(repeating: "a", count: 1_000_000)
    #expect(NameSuggestion.nearest(long, among: ["peak", "steps"]) == nil)
  }

  @Test(arguments: [
    // (text, line, column)
    ("{\n  \"phases\": [\n    {\"shape\": \"constant\",}\n  ]\n}", 3, 26),
    ("{\"phases\": [}", 1, 13),
    ("{\r\n\"a\":\r\n tru}", 3, 2),
    ("{\n\"é\": x}", 2, 6),  // columns count characters, not bytes
    ("", 1, 1),
  ])
  func syntaxErrorsGiveLineAndColumn(_ text: String, _ line: Int, _ column: Int) throws {
    do {
      _ = try JSONReader.parse(text)
      Issue.record("accepted \(text)")
    } catch {
      #expect(error.line == line && error.column == column, "\(error)")
      #expect(error.description.contains("line \(line), column \(column)"))
    }
    let spec = try #require(rejection(text))
    #expect(spec.message.contains("invalid JSON at line \(line), column \(column)"), "\(spec)")
  }
}
