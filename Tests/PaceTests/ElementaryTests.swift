//===--- ElementaryTests.swift --------------------------------------------===//
// exp, log, pow: special values, accuracy spots, monotonicity, lanes agree.
//===----------------------------------------------------------------------===//
import Foundation
import Testing
@testable import Pace

/// Phases whose kernels call exp/log/pow (or none), for the bit-identity
/// test of fills against value(at:) (FillTests).
let kernelShapeExamples = [
  #"{"phases":[{"shape":"exponential","steps":1000,"from":1,"to":0.001}]}"#,
  #"{"phases":[{"shape":"exponential","steps":100,"from":0.5,"to":2,"endpoint":"inclusive"},{"shape":"exponential","gamma":0.9999995}]}"#,
  #"{"phases":[{"shape":"exponential","gamma":0.5,"staircase":10,"steps":100},{"shape":"exponential","gamma":0.99}]}"#,
  #"{"peak":0.02,"phases":[{"shape":"power","a":4,"b":-0.51,"tokens_per_step":1000}]}"#,
  #"{"phases":[{"shape":"step","gamma":0.1,"step_size":30,"steps":95},{"shape":"step","gamma":0.5,"milestones":[10,20]}]}"#,
  #"{"phases":[{"shape":"polynomial","power":0.5,"steps":77,"from":0,"to":1},{"shape":"polynomial","power":3,"steps":90,"to":0.01}]}"#,
  #"{"phases":[{"shape":"cosine","exponent":2,"steps":60,"to":0},{"shape":"cosine","cycles":1.5,"exponent":2,"steps":60,"from":1,"to":0.1}]}"#,
  #"{"phases":[{"shape":"inverse_sqrt","timescale":100}]}"#,
  #"{"phases":[{"repeat":[{"shape":"exponential","steps":10,"to":0.1},{"shape":"cosine","exponent":3,"steps":7,"to":0}],"cycles":5,"period_mult":1.5,"decay":0.7,"decay_per_step":0.9999}]}"#,
]

@Suite struct ElementaryTests {
  func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

  @Test func expSpecialValues() {
    #expect(Elementary.exp(0.0) == 1 && Elementary.exp(-0.0) == 1)
    #expect(Elementary.exp(Double.infinity) == .infinity && Elementary.exp(-Double.infinity) == 0)
    #expect(Elementary.exp(Double.nan).isNaN)
    #expect(Elementary.exp(709.78) < .infinity && Elementary.exp(709.79) == .infinity)
    #expect(Elementary.exp(-745.13) == Double.leastNonzeroMagnitude && Elementary.exp(-745.2) == 0)
    #expect(Elementary.exp(-720.0).isSubnormal && Elementary.exp(1.0) == M_E)
    #expect(Elementary.exp(1e-300) == 1 && Elementary.exp(0x1p-60) == 1)
  }

  /// The 16-entry table of `exp2`: `hi` is 2^(j/16) rounded to nearest and
  /// `hi + lo` agrees with glibc's long-double `exp2l` to its precision.
  @Test func exp2TableHoldsTheSixteenths() {
    for j in 0..<16 {
      let shifted = 0x1.8p52 + Double(j) - 32  // k = j - 32: the same j
      let (hi, lo) = Double.twoPowerSixteenths(shifted)
      let exact = exp2l(Float80(j) / 16)
      #expect(hi == Double(exact), "2^(\(j)/16)")
      #expect(abs((Float80(hi) + Float80(lo)) - exact) <= exact * 0x1p-63, "2^(\(j)/16) lo")
    }
  }

  /// `scaled(_:byTwoPowerFloor:)` rounds `x * 2^floor(n)` once, like glibc's
  /// `scalbn`, from far subnormal to overflow, and the vector lane types
  /// give the scalar's bits.
  @Test func scalingRoundsOnce() {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) * 0x1p-53
    }
    var xs: [Double] = [], ns: [Double] = []
    for _ in 0..<4096 {
      xs.append(0.98 + 1.07 * next())
      let n = next() * 2200 - 1100
      ns.append(next() < 0.5 ? (n * 16).rounded() / 16 : n)  // exp2's grid of sixteenths, or anywhere
    }
    ns += [-1100, -1075, -1074.5, -1074, -1023, -1022.9375, -1022, 1023, 1023.5, 1024, 1100]
    xs += Array(repeating: 1.5, count: 11)
    for (x, n) in zip(xs, ns) {
      let expected = scalbn(x, Int(n.rounded(.down)))
      #expect(same(Double.scaled(x, byTwoPowerFloor: n), expected), "\(x) * 2^floor(\(n))")
    }
    for start in stride(from: 0, to: xs.count - 8, by: 8) {
      let x8 = SIMD8<Double>(xs[start..<(start + 8)]), n8 = SIMD8<Double>(ns[start..<(start + 8)])
      let s8 = SIMD8<Double>.scaled(x8, byTwoPowerFloor: n8)
      let s4 = SIMD4<Double>.scaled(x8.lowHalf, byTwoPowerFloor: n8.lowHalf)
      for lane in 0..<8 { #expect(same(s8[lane], Double.scaled(xs[start + lane], byTwoPowerFloor: ns[start + lane]))) }
      for lane in 0..<4 { #expect(same(s4[lane], s8[lane])) }
    }
  }

  @Test func exp2SpecialValues() {
    #expect(Elementary.exp2(0.0, 0) == 1 && Elementary.exp2(1.0, 0) == 2 && Elementary.exp2(-1.0, 0) == 0.5)
    #expect(Elementary.exp2(1023.0, 0) == 0x1p1023 && Elementary.exp2(1024.0, 0) == .infinity)
    #expect(Elementary.exp2(-1022.0, 0) == 0x1p-1022 && Elementary.exp2(-1074.0, 0) == Double.leastNonzeroMagnitude)
    #expect(Elementary.exp2(-1075.0, 0) == 0)  // exactly half the least subnormal: ties to even
    #expect(Elementary.exp2(Double.infinity, .nan) == .infinity && Elementary.exp2(-Double.infinity, .nan) == 0)
    #expect(Elementary.exp2(Double.nan, 0).isNaN && Elementary.exp2(1e300, 1e280) == .infinity)
    #expect(Elementary.exp2(0.5, 0) == 2.0.squareRoot() && Elementary.exp2(-1e-300, 0) == 1)
  }

  @Test func logSpecialValues() {
    #expect(Elementary.log(1.0) == 0 && Elementary.log(2.0) == M_LN2)
    #expect(Elementary.log(0.0) == -.infinity && Elementary.log(-0.0) == -.infinity)
    #expect(Elementary.log(Double.infinity) == .infinity && Elementary.log(-1.0).isNaN && Elementary.log(Double.nan).isNaN)
    #expect(Elementary.log(Double.leastNonzeroMagnitude) == Foundation.log(Double.leastNonzeroMagnitude))
    #expect(Elementary.log(Double.greatestFiniteMagnitude) == Foundation.log(Double.greatestFiniteMagnitude))
    #expect(Elementary.log(1 + 0x1p-52) == Foundation.log(1 + 0x1p-52))
  }

  @Test func powSpecialValues() {
    let inf = Double.infinity
    let cases: [(Double, Double, Double)] = [
      (2, 10, 1024), (0.5, -3, 8), (-2, 3, -8), (-2, 2, 4), (-2, 0.5, .nan), (1, .nan, 1), (.nan, 0, 1),
      (.nan, 1, .nan), (2, .nan, .nan), (0, 3, 0), (0, -1, inf), (-0.0, -1, -inf), (-0.0, 3, -0.0), (-0.0, 0.5, 0),
      (0, -0.5, inf), (inf, 2, inf), (inf, -2, 0), (-inf, 3, -inf), (-inf, 0.5, inf), (-inf, -3, -0.0),
      (0.5, inf, 0), (0.5, -inf, inf), (2, inf, inf), (2, -inf, 0), (-1, inf, 1), (-1, -inf, 1), (-1, 7, -1),
      (10, 400, inf), (10, -400, 0), (0.9999995, 2e6, Foundation.pow(0.9999995, 2e6)),
      (Double.leastNonzeroMagnitude, 0.5, Foundation.pow(Double.leastNonzeroMagnitude, 0.5)),
      (2, -1074, Double.leastNonzeroMagnitude), (2, 1023, 0x1p1023), (2, 1024, inf),
    ]
    for (x, y, expected) in cases {
      let ours = Elementary.pow(x, y)
      #expect(same(ours, expected), "pow(\(x), \(y)) = \(ours), expected \(expected)")
    }
  }

  /// Within 2 ulp of glibc (itself within 1 ulp) on spots schedules use.
  @Test func accuracySpots() {
    func ulps(_ a: Double, _ b: Double) -> Double { abs(a - b) / b.ulp }
    for x in [-700.5, -20.25, -1e-5, 0.3, 0.5, 3.75, 88.7, 700.1] {
      #expect(ulps(Elementary.exp(x), Foundation.exp(x)) <= 2, "exp \(x)")
    }
    for x in [1e-300, 1e-5, 0.1, 0.75, 0.9999995, 1.0000001, 3, 1e10, 1e300] {
      #expect(ulps(Elementary.log(x), Foundation.log(x)) <= 2, "log \(x)")
    }
    for (x, y) in [(0.99, 50000.0), (0.9999995, 1.4e9), (0.3, 7.5), (4096e12, -0.51), (1.5, 1700), (0.01, 0.37)] {
      #expect(ulps(Elementary.pow(x, y), Foundation.pow(x, y)) <= 2, "pow \(x) \(y)")
    }
  }

  @Test func monotoneAcrossSpots() {
    for x in [-700.0, -1, -1e-8, 0, 0.34657359027997264, 1, 700] {
      var a = x
      for _ in 0..<64 {
        let b = a.nextUp
        #expect(Elementary.exp(a) <= Elementary.exp(b), "exp at \(a)")
        a = b
      }
    }
    for x in [0x1p-1022, 0.7071067811865476, 1 - 0x1p-30, 1, 1.4142135623730951, 1e300] {
      var a = x
      for _ in 0..<64 {
        let b = a.nextUp
        #expect(Elementary.log(a) <= Elementary.log(b), "log at \(a)")
        a = b
      }
    }
    let gamma = 0.9999995
    for n in stride(from: 0.0, to: 1.4e9, by: 9.7e7) {
      #expect(Elementary.pow(gamma, n + 1) <= Elementary.pow(gamma, n), "gamma^\(n)")
    }
  }

  /// The four- and eight-lane instances equal the one-lane ones bit for
  /// bit, special lanes mixed with ordinary ones.
  @Test func lanesAgreeWithScalar() {
    checkLanes(SIMD4<Double>.self)
    checkLanes(SIMD8<Double>.self)
  }

  func checkLanes<V: DoubleLanes & SIMD>(_: V.Type) where V.Scalar == Double {
    let xs: [Double] = [0, -0.0, 1, -1, 2.5, -2.5, 0.5, 1e-310, 1e300, -1e300, .infinity, -.infinity, .nan, 0.9999995,
                        745.2, -745.2, 709.7, 3, -3, 1e-5, 123.456, 7, 0.1, 1e16]
    var ys = xs
    ys.append(contentsOf: [0.25, -0.51, 1.5e9, 4, -7])
    let n = V.scalarCount
    for i in 0...(xs.count - n) {
      let x = V(xs[i..<(i + n)])
      let e = Elementary.exp(x)
      let l = Elementary.log(x)
      let c = Trigonometry.cosPi(x)
      for lane in 0..<n {
        #expect(same(e[lane], Elementary.exp(x[lane])))
        #expect(same(l[lane], Elementary.log(x[lane])))
        #expect(same(c[lane], Trigonometry.cosPi(x[lane])), "cosPi \(x[lane])")
      }
      for j in stride(from: 0, through: ys.count - n, by: 3) {
        let y = V(ys[j..<(j + n)])
        let p = Elementary.pow(x, y)
        for lane in 0..<n { #expect(same(p[lane], Elementary.pow(x[lane], y[lane])), "pow \(x[lane]) \(y[lane])") }
      }
    }
    // cos^2(pi p / 2) with lanes on both sides of p = 1/2 (both branches in
    // one vector) and on one side only.
    for first in stride(from: 0.0, through: 1.0, by: 1.0 / 64) {
      var p = V(repeating: 0)
      for lane in 0..<n { p[lane] = Swift.min(1, first + Double(lane) / 61) }
      let q = V(repeating: 1) - p
      let h = Trigonometry.halfCosSquared(p: p, q: q)
      for lane in 0..<n {
        #expect(same(h[lane], Trigonometry.halfCosSquared(p: p[lane], q: q[lane])), "cos² \(p[lane])")
      }
    }
  }

  /// The reciprocal-and-correction quotient of the progress equals the
  /// division, bit for bit (steps and lengths as schedules have them).
  @Test func divideEqualsDivision() {
    var state: UInt64 = 7
    func next() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) * 0x1p-53
    }
    for i in 0..<200_000 {
      let length = i % 2 == 0 ? (next() * 1e9).rounded(.up) : next() * Double(1 << (i % 40)) + 1e-3
      let u = i % 3 == 0 ? (next() * length).rounded(.down) : next() * 2 * length
      let quotient = Elementary.divide(u, by: length, reciprocal: 1 / length)
      #expect(quotient == u / length, "\(u) / \(length)")
      if quotient != u / length { break }
    }
  }

  /// Fills starting near and past 2^52 (where the four-lane path stops,
  /// as step numbers stop being exact sums) still equal value(at:).
  @Test func fillsAtHugeStepsMatchAt() throws {
    let open = kernelShapeExamples.filter { (try? Schedule.parse($0)).map { $0.totalSteps == nil } ?? false }
    #expect(open.count >= 3)
    for spec in open {
      let s = try Schedule.parse(spec)
      for start: Int64 in [(1 << 40) - 3, (1 << 52) - 6, (1 << 53) + 1, 1 << 62] {
        let values = s.values(from: start, count: 11)
        for (i, v) in values.enumerated() {
          #expect(v.bitPattern == s.value(at: start + Int64(i)).bitPattern, "\(spec) at \(start + Int64(i))")
        }
      }
    }
  }

  @Test func float32FillsRoundTheFloat64Values() throws {
    for spec in kernelShapeExamples {
      let s = try Schedule.parse(spec)
      var out = [Double](repeating: 0, count: 301)
      var out32 = [Float](repeating: 0, count: 301)
      out.withUnsafeMutableBufferPointer { s.fill(from: 3, into: $0) }
      out32.withUnsafeMutableBufferPointer { s.fill(from: 3, into: $0) }
      for i in 0..<301 { #expect(out32[i] == Float(out[i]) && out[i].bitPattern == s.value(at: Int64(i + 3)).bitPattern) }
    }
  }
}
