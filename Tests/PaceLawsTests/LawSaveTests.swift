//===--- LawSaveTests.swift -----------------------------------------------===//
// Saved laws: checksum, exact round trip with the fit report, versions.
//===----------------------------------------------------------------------===//
import Testing
import Pace
@testable import PaceLaws

@Suite struct LawSaveTests {
  /// A fitted law (with its report) from the synthetic curves of the test data.
  func fitted() throws -> (LossLaw, FitReport) {
    var rng = SplitMix64(seed: 11)
    let truth = LossLaw.published25M
    var curves: [LossCurve] = []
    for peak in [3e-4, 1.5e-4] {
      let n = 600
      let rates = (0..<n).map { (t: Int) -> Double in
        if t < 60 { return peak * Double(t + 1) / 60 }
        let progress = Double(t - 60) / Double(n - 60)
        return peak * (0.1 + 0.9 * (1 - progress))
      }
      let seq = try LRSequence(rates: rates)
      let steps = Array(stride(from: 20, to: n, by: 20))
      let losses = try truth.predict(seq, at: steps).map { $0 * (1 + 0.001 * (rng.uniform() - 0.5)) }
      curves.append(try LossCurve(sequence: seq, steps: steps, losses: losses, name: "peak \(peak)"))
    }
    var options = FitOptions()
    options.maxIterations = 200
    let result = try LawFitter.fit(.multiPower, curves: curves, options: options)
    return (result.law, result.report)
  }

  @Test func saveLoadSaveIsByteIdenticalWithTheReport() throws {
    let (law, report) = try fitted()
    let text = law.jsonText(report: report)
    let (back, backReport) = try LossLaw.load(savedText: text)
    #expect(back == law)
    let report2 = try #require(backReport)
    #expect(back.jsonText(report: report2) == text)
    #expect(report2.jsonText == report.jsonText)
    // A file's final newline is accepted; other trailing bytes are not.
    #expect(try LossLaw.load(savedText: text + "\n").law == law)
    #expect(throws: LawError.self) { try LossLaw.load(savedText: text + "x") }
    // Without a report too.
    #expect(try LossLaw.load(savedText: law.jsonText()).law.jsonText() == law.jsonText())
  }

  @Test func everyFlippedBitAndTruncationIsRejected() throws {
    let (law, report) = try fitted()
    let bytes = Array(law.jsonText(report: report).utf8)
    let accepted = acceptedBitFlips(of: bytes, bits: 0..<(bytes.count * 8)) { _ = try LossLaw.load(savedText: $0) }
    #expect(accepted.isEmpty, "flipped bits accepted: \(accepted.prefix(10))")
    for length in 0..<bytes.count {
      #expect(throws: LawError.self) { try LossLaw.load(savedText: String(decoding: bytes[0..<length], as: UTF8.self)) }
    }
  }

  @Test func versionOneTextStillLoads() throws {
    let law = try LossLaw(kind: .annealing, parameters: [3.1, 0.6, 0.55, 0.3, 0.999], warmup: .sum)
    var params: [(key: String, value: JSONValue)] = []
    for p in law.namedParameters { params.append((p.name, .number(p.value, text: ""))) }
    let v1 = JSONWriter.render(.object([
      ("format", .string("pace-law")), ("version", .number(1, text: "1")), ("law", .string("annealing")),
      ("warmup", .string("sum")), ("params", .object(params)),
    ]))
    #expect(try LossLaw(jsonText: v1) == law)
  }
}
