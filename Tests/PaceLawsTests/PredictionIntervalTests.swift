//===--- PredictionIntervalTests.swift ------------------------------------===//
// Prediction intervals: quantiles, bounds, calibration, the saved format 3.
//===----------------------------------------------------------------------===//
import Testing
import Pace
@testable import PaceLaws

@Suite struct PredictionIntervalTests {
  /// Annealing-law curves of a known law with multiplicative noise (sd ~ noise / sqrt(3)).
  func syntheticCurves(count: Int, noise: Double, seed: UInt64) throws -> [LossCurve] {
    let truth = try LossLaw(kind: .annealing, parameters: [2.9, 1.1, 0.45, 0.4, 0.999])
    var rng = SplitMix64(seed: seed)
    var curves: [LossCurve] = []
    for c in 0..<count {
      let n = 1200 + 300 * c
      let decay = 0.3 + 0.15 * Double(c)
      let rates = (0..<n).map { (t: Int) -> Double in
        if t < 50 { return 1e-3 * Double(t + 1) / 50 }
        let start = Int(Double(n) * (1 - decay))
        return t < start ? 1e-3 : 1e-3 * (1 - 0.9 * Double(t - start) / Double(n - start))
      }
      let seq = try LRSequence(rates: rates)
      let steps = Array(stride(from: 60, to: n, by: 20))
      let losses = try truth.predict(seq, at: steps).map { $0 * (1 + noise * (2 * rng.uniform() - 1)) }
      curves.append(try LossCurve(sequence: seq, steps: steps, losses: losses, name: "synthetic \(c)"))
    }
    return curves
  }

  @Test func quantilesInterpolateEqualWeightPlottingPositions() throws {
    // One curve, five residuals: plotting positions 0.1, 0.3, ..., 0.9.
    let band = try PredictionInterval(logResiduals: [[0.02, -0.02, 0, 0.01, -0.01]])
    #expect(band.curves == 1 && band.points == 5)
    #expect(band.quantiles.count == PredictionInterval.tableSize)
    #expect(Swift.abs(band.quantile(0.5)) < 1e-15)
    #expect(Swift.abs(band.quantile(0.2) - -0.015) < 1e-15)
    #expect(band.quantile(0) == -0.02 && band.quantile(0.05) == -0.02 && band.quantile(1) == 0.02)
  }

  @Test func everyCurveWeighsTheSame() throws {
    // Curve A: one residual 0.1 (weight 1/2); curve B: three residuals 0 (1/6 each).
    let band = try PredictionInterval(logResiduals: [[0.1], [0, 0, 0]])
    #expect(band.quantile(0.25) == 0)
    #expect(band.quantile(0.9) == 0.1)
    // Points weighted equally instead would put 0.1 at the top 25% only.
    #expect(band.quantile(0.6) > 0.02)
    // Non-finite residuals are skipped; no residual at all is an error.
    #expect(try PredictionInterval(logResiduals: [[.nan, 0.1], [0, 0, 0]]) == band)
    #expect(throws: LawError.self) { try PredictionInterval(logResiduals: [[], [.infinity]]) }
  }

  @Test func boundsContainThePredictionAndWidenWithTheLevel() throws {
    var rng = SplitMix64(seed: 3)
    let residuals = (0..<4).map { _ in (0..<50).map { _ in 0.01 * (rng.uniform() - 0.3) } }
    let band = try PredictionInterval(logResiduals: residuals)
    let predictions = [3.2, 3.5, 4.0]
    var previous = (lower: predictions, upper: predictions)
    for level in stride(from: 0.05, through: 0.99, by: 0.01) {
      let b = band.bounds(predictions, level: level)
      for i in predictions.indices {
        #expect(b.lower[i] <= predictions[i] && predictions[i] <= b.upper[i])
        #expect(b.lower[i] <= previous.lower[i] && b.upper[i] >= previous.upper[i], "level \(level)")
        // The bound is the prediction times exp of the quantile.
        let (lo, hi) = band.logBounds(level: level)
        #expect(Swift.abs(b.upper[i] - predictions[i] * _exp(hi)) <= 1e-15 * b.upper[i])
        #expect(Swift.abs(b.lower[i] - predictions[i] * _exp(lo)) <= 1e-15 * b.lower[i])
      }
      previous = b
    }
    // Strictly wider from 50% to 95% for a spread-out sample.
    let (l50, u50) = band.logBounds(level: 0.5)
    let (l95, u95) = band.logBounds(level: 0.95)
    #expect(l95 < l50 && u95 > u50)
    // Residuals all of one sign: the interval still contains the prediction.
    let biased = try PredictionInterval(logResiduals: [[0.01, 0.02, 0.03]])
    #expect(biased.bounds([2], level: 0.5).lower == [2])
    #expect(biased.bounds([2], level: 0.5).upper[0] > 2)
  }

  @Test func leaveOneCurveOutCalibrationCoversAFreshCurve() throws {
    let curves = try syntheticCurves(count: 4, noise: 0.004, seed: 21)
    let band = try PredictionInterval.leaveOneCurveOut(.annealing, curves: curves)
    #expect(band.curves == 4)
    #expect(band.points == curves.reduce(0) { $0 + $1.steps.count })
    // The noise is uniform in +-0.4%: the 90% band is about that wide, not far wider.
    let (lo, hi) = band.logBounds(level: 0.9)
    #expect(lo < -0.002 && lo > -0.02 && hi > 0.002 && hi < 0.02, "\(lo) \(hi)")
    // Coverage of a fresh curve from the same process, by the law fitted on all four.
    let law = try LawFitter.fit(.annealing, curves: curves).law
    let fresh = try syntheticCurves(count: 5, noise: 0.004, seed: 99)[4]
    let predicted = try law.predict(fresh.sequence, at: fresh.steps)
    let b = band.bounds(predicted, level: 0.9)
    let inside = fresh.losses.indices.filter { b.lower[$0] <= fresh.losses[$0] && fresh.losses[$0] <= b.upper[$0] }.count
    let coverage = Double(inside) / Double(fresh.losses.count)
    #expect(coverage > 0.6, "coverage \(coverage)")  // measured 0.74 (a zero-width band: ~0)
    // One curve cannot be predicted from the others.
    #expect(throws: LawError.self) { try PredictionInterval.leaveOneCurveOut(.annealing, curves: [curves[0]]) }
  }

  @Test func savedWithTheLawByteIdenticallyAndDamageIsRejected() throws {
    let law = try LossLaw(kind: .annealing, parameters: [3.1, 0.6, 0.55, 0.3, 0.999], warmup: .sum)
    var rng = SplitMix64(seed: 5)
    let band = try PredictionInterval(logResiduals: (0..<3).map { _ in (0..<40).map { _ in 0.02 * (rng.uniform() - 0.5) } })
    let text = law.jsonText(interval: band)
    #expect(text.contains("\"version\":3"))
    let saved = try LossLaw.loadSaved(text)
    #expect(saved.law == law && saved.interval == band && saved.report == nil)
    #expect(saved.law.jsonText(interval: try #require(saved.interval)) == text)
    // Without an interval there is none after loading.
    #expect(try LossLaw.loadSaved(law.jsonText()).interval == nil)
    // Flipped bits are rejected: every bit of the header (the version digit
    // included) and every third bit of the body (a debug build loads slowly).
    let bytes = Array(text.utf8)
    let header = bytes.indices.dropFirst().first { bytes[$0] == UInt8(ascii: "{") } ?? bytes.count  // where BODY starts
    let bits = Array(0..<(header * 8)) + Array(stride(from: header * 8, to: bytes.count * 8, by: 3))
    let accepted = acceptedBitFlips(of: bytes, bits: bits) { _ = try LossLaw.loadSaved($0) }
    #expect(accepted.isEmpty, "flipped bits accepted: \(accepted.prefix(10))")
    // A newer version is .version.
    #expect {
      _ = try LossLaw.loadSaved(text.replacingOccurrences(of: "\"version\":3", with: "\"version\":4"))
    } throws: { error in
      if case LawError.version = error { return true }
      return false
    }
  }

  /// Version 2 text (checksum of the body alone, no interval) still loads.
  @Test func versionTwoTextStillLoads() throws {
    let law = try LossLaw(kind: .annealing, parameters: [3.1, 0.6, 0.55, 0.3, 0.999], warmup: .sum)
    let v3 = law.jsonText()
    let body = Array(v3.utf8.drop { $0 != UInt8(ascii: "{") }.dropFirst().drop { $0 != UInt8(ascii: "{") }.dropLast())
    let v2 = LossLaw.savedPrefix(version: 2, length: body.count, crc: LossLaw.checksum(version: 2, body: body))
      + String(decoding: body, as: UTF8.self) + "}"
    #expect(v2.contains("\"version\":2"))
    #expect(try LossLaw(jsonText: v2) == law)
    // The version 3 checksum differs from version 2's: a v3 body under a v2 header is damage.
    let mislabelled = LossLaw.savedPrefix(version: 2, length: body.count, crc: LossLaw.checksum(version: 3, body: body))
      + String(decoding: body, as: UTF8.self) + "}"
    #expect(throws: LawError.self) { try LossLaw(jsonText: mislabelled) }
  }

  @Test func savedTablesThatAreNotQuantilesAreRejected() throws {
    let law = try LossLaw(kind: .annealing, parameters: [3.1, 0.6, 0.55, 0.3, 0.999], warmup: .sum)
    let good = (0..<PredictionInterval.tableSize).map { Double($0) * 1e-4 - 0.01 }
    func saved(_ quantiles: [Double], curves: Double = 2, points: Double = 10, method: String = "leave-one-curve-out") -> String {
      let members: [(key: String, value: JSONValue)] = [
        ("kind", .string("annealing")), ("warmup", .string("sum")),
        ("params", .object(law.namedParameters.map { ($0.name, .number($0.value, text: "")) })),
        ("interval", .object([("method", .string(method)), ("curves", .number(curves, text: "")),
                              ("points", .number(points, text: "")),
                              ("log_residual_quantiles", .array(quantiles.map { .number($0, text: "") }))])),
      ]
      let body = Array(JSONWriter.render(.object(members)).utf8)
      return LossLaw.savedPrefix(length: body.count, crc: LossLaw.checksum(version: 3, body: body))
        + String(decoding: body, as: UTF8.self) + "}"
    }
    #expect(try LossLaw.loadSaved(saved(good)).interval?.quantiles == good)
    var decreasing = good
    decreasing.swapAt(10, 11)
    for text in [saved(decreasing), saved(Array(good.dropLast())), saved(good.map { $0 * 3000 }),
                 saved(good, curves: 0), saved(good, curves: 3, points: 2), saved(good, method: "bootstrap")] {
      #expect {
        _ = try LossLaw.loadSaved(text)
      } throws: { error in
        if case LawError.state = error { return true }
        return false
      }
    }
  }
}
