//===--- ShapeTests.swift -------------------------------------------------===//
// Every shape at step 0, its boundaries +-1, the end, past it and 2^40,
// against the formulas of docs/schedule-spec.md written out directly.
//===----------------------------------------------------------------------===//
import Foundation
import Testing
@testable import Pace

@Suite struct ShapeTests {
  /// Progress p = u / L clamped, as the spec defines it (exclusive endpoint).
  func p(_ t: Int64, start: Double, length: Double) -> Double {
    min(1, max(0, (Double(t) - start) / length))
  }

  @Test func linearWarmupThenLinearDecay() {
    checkAgainst(#"{"peak":2,"phases":[{"shape":"linear","steps":10,"from":0,"to":1},{"shape":"linear","steps":90,"to":0.1}]}"#) { t in
      if t < 10 { return 2 * Double(t) / 10 }
      return 2 * (0.1 + 0.9 * (1 - p(t, start: 10, length: 90)))
    }
  }

  @Test func inclusiveEndpoint() {
    checkAgainst(#"{"phases":[{"shape":"linear","steps":10,"from":0,"to":1,"endpoint":"inclusive"},{"shape":"constant","steps":5}]}"#) { t in
      t < 10 ? Double(t + 1) / 10 : 1
    }
  }

  @Test(arguments: [0.5, 1.0, 1.5]) func cosineCyclesAndExponent(cycles: Double) {
    let spec = #"{"phases":[{"shape":"cosine","steps":100,"from":1,"to":0.1,"cycles":\#(cycles),"exponent":2}]}"#
    checkAgainst(spec, extra: [25, 50, 75]) { t in
      let q = p(t, start: 0, length: 100)
      return 0.1 + 0.9 * pow(0.5 * (1 + cos(2 * Double.pi * cycles * q)), 2)
    }
  }

  @Test func sqrtSquarePolynomialRexUba() {
    let cases: [(String, (Double) -> Double)] = [
      (#""shape":"sqrt""#, { 1 - sqrt($0) }),
      (#""shape":"square""#, { 1 - $0 * $0 }),
      (#""shape":"polynomial","power":3"#, { pow(1 - $0, 3) }),
      (#""shape":"rex""#, { (1 - $0) / (1 - $0 / 2) }),
      (#""shape":"uba","phi":0.5"#, { let s = 1 + cos(Double.pi * $0); return 2 * s / (1 + 1.5 * s) }),
    ]
    for (fields, d) in cases {
      let spec = #"{"phases":[{"shape":"constant","steps":20},{\#(fields),"steps":80,"to":0.05}]}"#
      checkAgainst(spec, extra: [40, 60, 99]) { t in
        t < 20 ? 1 : 0.05 + 0.95 * d(p(t, start: 20, length: 80))
      }
    }
  }

  @Test func ubaMatchesPublishedTable() throws {
    // algorithms.md §1: T = 100, eta in [0, 1].
    let table: [(Double, [Double])] = [
      (0.5, [1, 0.9589, 0.8000, 0.4070, 0.0912, 0]), (1, [1, 0.9210, 0.6667, 0.2555, 0.0478, 0]),
      (2, [1, 0.8536, 0.5000, 0.1464, 0.0245, 0]), (4, [1, 0.7445, 0.3333, 0.0790, 0.0124, 0]),
    ]
    for (phi, row) in table {
      let s = try Schedule.parse(#"{"phases":[{"shape":"uba","steps":100,"to":0,"phi":\#(phi)}]}"#)
      for (t, expected) in zip([0, 25, 50, 75, 90, 100] as [Int64], row) {
        #expect(abs(s.value(at: t) - expected) < 6e-5, "phi \(phi) t \(t)")
      }
    }
  }

  @Test func rexMatchesPublishedTable() throws {
    let s = try Schedule.parse(#"{"phases":[{"shape":"rex","steps":100,"to":0}]}"#)
    for (t, expected) in zip([0, 25, 50, 75, 90, 100] as [Int64], [1, 0.8571, 0.6667, 0.4000, 0.1818, 0]) {
      #expect(abs(s.value(at: t) - expected) < 6e-5)
    }
  }

  @Test func mirroredAndUnmirroredWarmups() {
    checkAgainst(#"{"phases":[{"shape":"sqrt","steps":50,"from":0,"to":1},{"shape":"constant","steps":10}]}"#) { t in
      t < 50 ? 1 - sqrt(1 - Double(t) / 50) : 1
    }
    checkAgainst(#"{"phases":[{"shape":"polynomial","power":2,"steps":50,"from":0,"to":1,"mirror":false},{"shape":"constant","steps":10}]}"#) { t in
      t < 50 ? 1 - pow(1 - Double(t) / 50, 2) : 1
    }
    checkAgainst(#"{"phases":[{"shape":"cosine","steps":50,"from":0.1,"to":1},{"shape":"constant","steps":10}]}"#) { t in
      t < 50 ? 0.1 + 0.9 * 0.5 * (1 - cos(Double.pi * Double(t) / 50)) : 1
    }
  }

  @Test func exponentialWithToGammaAndStaircase() {
    checkAgainst(#"{"phases":[{"shape":"exponential","steps":100,"from":1,"to":0.01}]}"#, extra: [37]) { t in
      pow(0.01, p(t, start: 0, length: 100))
    }
    checkAgainst(#"{"phases":[{"shape":"exponential","gamma":0.99}]}"#, extra: [500]) { t in
      t == hugeStep ? 0 : pow(0.99, Double(t))
    }
    checkAgainst(#"{"phases":[{"shape":"exponential","gamma":0.5,"staircase":10,"steps":100}]}"#, extra: [9, 10, 55]) { t in
      pow(0.5, Double(min(t, 100) / 10 * 10))
    }
  }

  @Test func stepWithStepSizeAndMilestones() {
    checkAgainst(#"{"phases":[{"shape":"step","gamma":0.1,"step_size":30}]}"#, extra: [29, 30, 31, 60, 90]) { t in
      pow(0.1, Double(t / 30))
    }
    checkAgainst(#"{"phases":[{"shape":"constant","steps":5},{"shape":"step","gamma":0.5,"milestones":[10,20]}]}"#,
                 extra: [14, 15, 16, 24, 25, 26]) { t in
      t < 5 ? 1 : pow(0.5, Double([10, 20].filter { $0 <= t - 5 }.count))
    }
  }

  @Test func inverseSqrt() {
    checkAgainst(#"{"phases":[{"shape":"inverse_sqrt","timescale":100}]}"#, extra: [100, 10_000]) { t in
      1 / sqrt((Double(t) + 100) / 100)
    }
  }

  @Test func powerShape() {
    checkAgainst(#"{"peak":0.02,"phases":[{"shape":"power","a":4,"b":-0.51,"tokens_per_step":1000}]}"#,
                 extra: [10, 1000, 100_000]) { t in
      t == 0 ? 0.02 : min(0.02, 4 * pow(Double(t) * 1000, -0.51))
    }
  }

  @Test func tableValuesAndPoints() {
    checkAgainst(#"{"phases":[{"shape":"table","values":[0.5,1,0.25]},{"shape":"constant","steps":2}]}"#) { t in
      [0.5, 1, 0.25, 0.25, 0.25][Int(min(t, 4))]
    }
    checkAgainst(#"{"phases":[{"shape":"table","steps":100,"points":[[0,0],[10,1],[100,0.1]]}]}"#, extra: [5, 55]) { t in
      let u = Double(min(t, 100))
      return u <= 10 ? u / 10 : 1 + (0.1 - 1) * (u - 10) / 90
    }
    checkAgainst(#"{"phases":[{"shape":"table","steps":100,"points":[[0,1],[10,0.5]],"interpolation":"step"}]}"#) { t in
      t < 10 ? 1 : 0.5
    }
  }

  @Test func offsetPlaysPartOfTheCurve() {
    checkAgainst(#"{"phases":[{"shape":"cosine","steps":100,"offset":20,"from":1,"to":0}]}"#, extra: [30, 79, 80]) { t in
      0.5 * (1 + cos(Double.pi * min(1, Double(t + 20) / 100)))
    }
  }

  @Test func fractionAndRestOfRun() {
    checkAgainst(#"{"total_steps":1000,"phases":[{"shape":"linear","fraction":0.1,"from":0,"to":1},{"shape":"constant","fraction":0.7},{"shape":"sqrt","to":0}]}"#) { t in
      if t < 100 { return Double(t) / 100 }
      if t < 800 { return 1 }
      return 1 - sqrt(min(1, Double(t - 800) / 200))
    }
  }

  @Test func afterZeroAndHold() throws {
    let zero = try Schedule.parse(#"{"after":"zero","phases":[{"shape":"linear","steps":10,"to":0.5}]}"#)
    #expect(zero.value(at: 9) > 0.5 && zero.value(at: 10) == 0 && zero.value(at: hugeStep) == 0)
    let hold = try Schedule.parse(#"{"phases":[{"shape":"linear","steps":10,"to":0.5}]}"#)
    #expect(hold.value(at: 10) == 0.5 && hold.value(at: hugeStep) == 0.5)
    #expect(hold.totalSteps == 10)
    let open = try Schedule.parse(#"{"phases":[{"shape":"constant"}]}"#)
    #expect(open.totalSteps == nil)
    let fractional = try Schedule.parse(#"{"phases":[{"shape":"linear","steps":9.5,"to":0}]}"#)
    #expect(fractional.totalSteps == 10)
  }

  @Test func fromDefaultsToPreviousEndValue() throws {
    let s = try Schedule.parse(#"{"phases":[{"shape":"linear","steps":10,"from":0,"to":0.8},{"shape":"cosine","steps":10,"to":0}]}"#)
    #expect(s.value(at: 10) == 0.8)
    let step = try Schedule.parse(#"{"phases":[{"shape":"step","steps":25,"gamma":0.5,"step_size":10},{"shape":"constant","steps":5}]}"#)
    #expect(step.value(at: 26) == 0.25)  // end value of the step phase: 0.5^floor(25/10)
  }

  @Test func atAndFillAgreeBitForBit() throws {
    let s = try Schedule.parse(#"{"preset":"onecycle","total_steps":997,"pct_start":0.33}"#)
    var out = [Double](repeating: 0, count: 1200)
    out.withUnsafeMutableBufferPointer { s.fill(from: 0, into: $0) }
    var out32 = [Float](repeating: 0, count: 1200)
    out32.withUnsafeMutableBufferPointer { s.fill(from: 0, into: $0) }
    for t in 0..<1200 {
      #expect(out[t].bitPattern == s.value(at: Int64(t)).bitPattern)
      #expect(out32[t] == Float(out[t]))
    }
  }

  /// Long fills split across two threads give the single-threaded bits,
  /// including a split that falls inside a phase and the part past the end.
  @Test func parallelFillsEqualSingleThreadedFills() throws {
    let s = try Schedule.parse(#"{"preset": "wsd", "peak": 0.01, "warmup_steps": 1000, "total_steps": 600000, "decay_steps": 120000}"#)
    let n = Schedule.parallelFillMinimum + 777
    for start: Int64 in [0, 123_457] {
      var one = [Double](repeating: 0, count: n), two = [Double](repeating: 1, count: n)
      one.withUnsafeMutableBufferPointer { s.fill(from: start, into: $0) }
      two.withUnsafeMutableBufferPointer { s.fillInParallel(from: start, into: $0) }
      #expect(zip(one, two).allSatisfy { $0.bitPattern == $1.bitPattern })
      var one32 = [Float](repeating: 0, count: n), two32 = [Float](repeating: 1, count: n)
      one32.withUnsafeMutableBufferPointer { s.fill(from: start, into: $0) }
      two32.withUnsafeMutableBufferPointer { s.fillInParallel(from: start, into: $0) }
      #expect(zip(one32, two32).allSatisfy { $0.bitPattern == $1.bitPattern })
    }
  }
}
