//===--- SegmentShapeTests.swift ------------------------------------------===//
// The `segment` shape: another schedule played over a phase.
//===----------------------------------------------------------------------===//
import Testing
@testable import Pace

@Suite struct SegmentShapeTests {
  static let nested = #"{"preset": "cosine", "peak": 0.003, "warmup_steps": 100, "total_steps": 5000, "min_ratio": 0.1}"#

  /// The bits of `s` at steps `first ..< first + count`, by `value(at:)`.
  func at(_ s: Schedule, _ first: Int64, _ count: Int) -> [UInt64] {
    (0..<count).map { s.value(at: first + Int64($0)).bitPattern }
  }

  @Test func aSegmentPlaysTheNestedValuesBitForBit() throws {
    let inner = try Schedule.parse(Self.nested)
    let outer = try Schedule.parse(#"{"peak": 1, "phases": [{"shape": "segment", "steps": 700, "spec": \#(Self.nested), "origin": 1234},"#
      + #"{"shape": "linear", "steps": 100, "to": 0}]}"#)
    for i in Int64(0)..<700 { #expect(outer.value(at: i).bitPattern == inner.value(at: 1234 + i).bitPattern) }
    // The next phase starts from the segment's end value (its formula at u = L).
    #expect(outer.value(at: 700) == inner.value(at: 1934))
    // The outer peak scales the nested values like every multiplier.
    let doubled = try Schedule.parse(#"{"peak": 2, "phases": [{"shape": "segment", "spec": \#(Self.nested)}]}"#)
    for i in stride(from: Int64(0), to: 6000, by: 37) { #expect(doubled.value(at: i) == 2 * inner.value(at: i)) }
  }

  @Test func stretchedSegmentsEvaluateTheNestedFormulasAtFractionalPositions() throws {
    let inner = try Schedule.parse(Self.nested)
    let outer = try Schedule.parse(#"{"phases": [{"shape": "segment", "spec": \#(Self.nested), "origin": 10.5, "rate": 0.75}]}"#)
    for i in Int64(0)..<3000 {
      let expected = inner.peak * inner.multiplier(atPosition: 10.5 + Double(i) * 0.75)
      #expect(outer.value(at: i).bitPattern == expected.bitPattern)
    }
  }

  /// Specs whose segments take every path of the fills: integer and
  /// fractional boundaries, offsets, rates, repeat blocks, nesting.
  static let fillSpecs = [
    #"{"phases": [{"shape": "constant", "steps": 10.5}, {"shape": "segment", "steps": 3000, "spec": \#(nested), "origin": 7}, {"shape": "segment", "spec": \#(nested)}]}"#,
    #"{"phases": [{"shape": "segment", "steps": 2500, "offset": 3, "spec": \#(nested), "origin": 2}, {"shape": "segment", "spec": \#(nested), "rate": 1.5}]}"#,
    #"{"phases": [{"repeat": [{"shape": "segment", "steps": 300, "spec": \#(nested), "origin": 50}, {"shape": "linear", "steps": 20, "to": 0}], "cycles": 5, "period_mult": 1.5, "decay": 0.5}]}"#,
    #"{"phases": [{"shape": "segment", "spec": {"phases": [{"shape": "segment", "steps": 100, "spec": \#(nested), "origin": 4000}, {"shape": "segment", "spec": {"preset": "wsd", "warmup_steps": 10, "stable_steps": 50, "decay_steps": 30}}]}, "origin": 20}]}"#,
  ]

  @Test(arguments: fillSpecs)
  func fillsEqualValueAtBitForBit(_ spec: String) throws {
    let s = try Schedule.parse(spec)
    for first: Int64 in [0, 1, 9, 777, 4321, (1 << 52) - 300, (1 << 53) - 200, 1 << 53] {
      let count = 1500
      var f64 = [Double](repeating: .nan, count: count)
      f64.withUnsafeMutableBufferPointer { s.fill(from: first, into: $0) }
      #expect(f64.map(\.bitPattern) == at(s, first, count), "fill from \(first)")
      var f32 = [Float](repeating: .nan, count: count)
      f32.withUnsafeMutableBufferPointer { s.fill(from: first, into: $0) }
      #expect(f32.map(\.bitPattern) == at(s, first, count).map { Float(Double(bitPattern: $0)).bitPattern })
    }
  }

  @Test func parallelFillsEqualValueAt() throws {
    let s = try Schedule.parse(Self.fillSpecs[0])
    let count = Schedule.parallelFillMinimum + 1000
    var out = [Double](repeating: .nan, count: count)
    out.withUnsafeMutableBufferPointer { s.fillInParallel(from: 3, into: $0) }
    for k in stride(from: 0, to: count, by: 997) { #expect(out[k].bitPattern == s.value(at: 3 + Int64(k)).bitPattern) }
    #expect(out[count - 1].bitPattern == s.value(at: 3 + Int64(count - 1)).bitPattern)
  }

  @Test(arguments: fillSpecs)
  func canonicalTextRoundTrips(_ spec: String) throws {
    let s = try Schedule.parse(spec)
    let text = s.canonicalText
    let again = try Schedule.parse(text)
    #expect(again.canonicalText == text)
    #expect(at(again, 0, 4000) == at(s, 0, 4000))
    #expect(text.contains(#""shape":"segment""#) && text.contains(#""origin":"#) && text.contains(#""rate":"#))
  }

  @Test func summariesAndTotalsSeeThePlayedValues() throws {
    let s = try Schedule.parse(#"{"phases": [{"shape": "segment", "steps": 1000, "spec": \#(Self.nested), "origin": 4000}, {"shape": "constant", "steps": 10}]}"#)
    let inner = try Schedule.parse(Self.nested)
    let summary = s.summary(steps: 1000)
    #expect(summary.final == inner.value(at: 4999))
    #expect(summary.peak == inner.value(at: 4000))
    #expect(s.totalSteps == 1010)
    #expect(try Schedule.parse(#"{"phases": [{"shape": "segment", "spec": \#(Self.nested)}]}"#).totalSteps == nil)
  }

  @Test func stepsUpTo2To53EvaluateInConstantTime() throws {
    let s = try Schedule.parse(#"{"phases": [{"shape": "segment", "spec": {"phases": [{"shape": "inverse_sqrt", "timescale": 100}]}, "origin": 1000}]}"#)
    let inner = try Schedule.parse(#"{"phases": [{"shape": "inverse_sqrt", "timescale": 100}]}"#)
    for t: Int64 in [0, 1 << 40, (1 << 53) - 1000, 1 << 53] {
      #expect(s.value(at: t) == inner.peak * inner.multiplier(atPosition: 1000 + Double(t)))
    }
  }

  func rejection(_ spec: String) -> SpecError? { NameSuggestionTests().rejection(spec) }

  @Test func badSegmentsAreRejectedWithTheirPath() throws {
    let missing = try #require(rejection(#"{"phases": [{"shape": "segment", "steps": 5}]}"#))
    #expect(missing.path == "phases[0].spec" && missing.message.contains("required"))
    let typo = try #require(rejection(#"{"phases": [{"shape": "segment", "spec": {"preset": "constant"}, "orign": 3}]}"#))
    #expect(typo.path == "phases[0].orign" && typo.message.contains("did you mean \"origin\""), "\(typo)")
    let from = try #require(rejection(#"{"phases": [{"shape": "segment", "spec": {"preset": "constant"}, "from": 1}]}"#))
    #expect(from.path == "phases[0].from" && from.message.contains("does not belong"))
    let inner = try #require(rejection(#"{"phases": [{"shape": "segment", "spec": {"phases": [{"shape": "linear", "steps": -5, "to": 0}]}}]}"#))
    #expect(inner.path == "phases[0].spec.phases[0].steps", "\(inner)")
    let rate = try #require(rejection(#"{"phases": [{"shape": "segment", "spec": {"preset": "constant"}, "rate": 0}]}"#))
    #expect(rate.path == "phases[0].rate")
    let origin = try #require(rejection(#"{"phases": [{"shape": "segment", "spec": {"preset": "constant"}, "origin": -1}]}"#))
    #expect(origin.path == "phases[0].origin")
    let shape = try #require(rejection(#"{"phases": [{"shape": "segmnt", "spec": {}}]}"#))
    #expect(shape.message.contains("did you mean \"segment\""), "\(shape)")
  }

  /// A spec whose segments nest `depth` deep.
  func nestedSpec(depth: Int) -> String {
    var spec = #"{"preset": "cyclic", "base_ratio": 0.1, "step_size_up": 5}"#
    for _ in 0..<depth { spec = #"{"phases": [{"shape": "segment", "spec": \#(spec), "origin": 1}]}"# }
    return spec
  }

  @Test func nestingIsLimitedWithAClearErrorNeverAStackOverflow() throws {
    let deepest = try Schedule.parse(nestedSpec(depth: SegmentPlayback.maximumDepth))
    #expect(deepest.segmentDepth == SegmentPlayback.maximumDepth)
    // Its canonical text (the preset expanded) stays readable JSON.
    #expect(try Schedule.parse(deepest.canonicalText).canonicalText == deepest.canonicalText)
    #expect(deepest.value(at: 3) == (try Schedule.parse(nestedSpec(depth: 0))).value(at: 3 + Int64(SegmentPlayback.maximumDepth)))
    let tooDeep = try #require(rejection(nestedSpec(depth: SegmentPlayback.maximumDepth + 1)))
    #expect(tooDeep.message.contains("segments nest at most \(SegmentPlayback.maximumDepth) deep"), "\(tooDeep)")
    // Far deeper text stops at the JSON reader's depth limit.
    let wild = try #require(rejection(nestedSpec(depth: 5000)))
    #expect(wild.message.contains("nesting deeper than"), "\(wild)")
  }
}
