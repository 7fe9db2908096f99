//===--- InterpolatedFloatFillTests.swift ---------------------------------===//
// float32 fills that interpolate keep the bits of Float(value(at:)), and the
// bounds they rest on hold.
//===----------------------------------------------------------------------===//
import Foundation
import Testing
@testable import Pace

#if canImport(Glibc)
import Glibc
#endif

@Suite struct InterpolatedFloatFillTests {
  /// Every shape and field combination the parser accepts (KernelListTests'
  /// specs), stretched to 3 * 10^6 steps so that the smooth kernels'
  /// float32 fills interpolate: each value is the float64 fill's (the bits
  /// of `value(at:)`, KernelListTests) rounded once.
  @Test(arguments: PhaseResolver.shapeNames)
  func longRunsOfEveryShapeKeepTheBits(shape: String) throws {
    var compared = 0
    for spec in EveryParsedPhase.specs(shape: shape) {
      let long = spec.replacingOccurrences(of: #""steps": 60"#, with: #""steps": 3000000"#)
      guard let s = try? Schedule.parse(long) else { continue }
      let count = 4096
      var floats = [Float](repeating: 0, count: count)
      var doubles = [Double](repeating: 0, count: count)
      for start: Int64 in [1_000_001] {
        floats.withUnsafeMutableBufferPointer { s.fill(from: start, into: $0) }
        doubles.withUnsafeMutableBufferPointer { s.fill(from: start, into: $0) }
        if let k = (0..<count).first(where: { floats[$0].bitPattern != Float(doubles[$0]).bitPattern }) {
          Issue.record("\(long): step \(start + Int64(k)): float32 fill \(floats[k]), float64 \(doubles[k])")
        }
      }
      compared += 1
    }
    #expect(compared > 0, "no spec of shape \(shape) parsed")
  }

  /// Each decay's third-derivative bound holds: the third central
  /// difference of the curve, in 80-bit arithmetic, at 2,000 points of the
  /// interval the bound is asked for, stays below it.
  @Test func decayThirdDerivativeBoundsHold() throws {
    #if arch(x86_64) && canImport(Glibc)
    typealias Curve = (name: String, bound: (ClosedRange<Double>) -> Double?, d: (Float80) -> Float80)
    func halfCos(_ p: Float80) -> Float80 { (1 + cosl(Float80.pi * p)) / 2 }
    var curves: [Curve] = [
      ("halfCosine", { Decay.HalfCosine().thirdDerivativeBound(over: $0) }, halfCos),
      ("rex", { Decay.Rex().thirdDerivativeBound(over: $0) }, { (1 - $0) / (1 - $0 / 2) }),
      ("sqrt", { Decay.Sqrt().thirdDerivativeBound(over: $0) }, { 1 - sqrtl($0) }),
      ("square", { Decay.Square().thirdDerivativeBound(over: $0) }, { 1 - $0 * $0 }),
      ("quadratic", { Decay.QuadraticPolynomial().thirdDerivativeBound(over: $0) }, { (1 - $0) * (1 - $0) }),
    ]
    for e in [0.5, 0.9, 2.5, 3.0, 7.0] {
      let power = Float80(e)
      curves.append(("polynomial \(e)", { Decay.Raised(base: Decay.Linear(), exponent: e).thirdDerivativeBound(over: $0) },
                     { powl(1 - $0, power) }))
      curves.append(("cosine exponent \(e)", {
        Decay.Raised(base: Decay.HalfCosine(), exponent: e).thirdDerivativeBound(over: $0)
      }, { powl(halfCos($0), power) }))
    }
    for cycles in [0.5, 1.5, 4.0] {
      curves.append(("cosine \(cycles)", { Decay.Cosine(cycles: cycles).thirdDerivativeBound(over: $0) },
                     { (1 + cosl(2 * Float80.pi * Float80(cycles) * $0)) / 2 }))
    }
    for phi in [0.1, 0.5, 1.0, 2.0, 3.0, 10.0] {
      let f = Float80(phi)
      curves.append(("uba \(phi)", { Decay.Uba(phi: phi).thirdDerivativeBound(over: $0) }, {
        let s = 2 * halfCos($0)
        return 2 * s / (2 * f + (2 - f) * s)
      }))
    }
    for curve in curves {
      for interval: ClosedRange<Double> in [0.01...1, 0.3...0.4, 0.9...1, 0.01...0.9, 0.5...0.85] {
        // (Raised curves give no bound where the base falls below 2^-6.)
        guard let bound = curve.bound(interval) else {
          #expect(curve.name.hasPrefix("polynomial") || curve.name.hasPrefix("cosine exponent"),
                  "\(curve.name) has no bound over \(interval)")
          continue
        }
        let h: Float80 = 1e-3
        var largest: Float80 = 0
        for i in 0...2000 {
          let p = Float80(interval.lowerBound) + Float80(i) / 2000 * Float80(interval.upperBound - interval.lowerBound)
          let a = Swift.max(p, Float80(interval.lowerBound) + 2 * h)
          let x = Swift.min(a, Float80(interval.upperBound) - 2 * h)
          let difference = curve.d(x + 2 * h) - 2 * curve.d(x + h) + 2 * curve.d(x - h) - curve.d(x - 2 * h)
          let third = difference / (2 * h * h * h)
          largest = Swift.max(largest, Swift.abs(third))
        }
        // (1e-6: the 80-bit differences' rounding, divided by h^3.)
        #expect(Double(largest) <= bound * 1.001 + 1e-6,
                "\(curve.name) over \(interval): |d'''| \(largest) > bound \(bound)")
      }
    }
    #expect(Decay.Sqrt().thirdDerivativeBound(over: 0...0.5) == nil)
    #expect(Decay.Raised(base: Decay.Linear(), exponent: 0.5).thirdDerivativeBound(over: 0.5...0.85) != nil)
    #expect(Decay.Raised(base: Decay.Linear(), exponent: 0.5).thirdDerivativeBound(over: 0.5...1) == nil)
    #endif
  }

  /// The evaluation error each kernel claims is at least 16 times what it
  /// makes: `value(at:)` against the formula in 80-bit arithmetic at 22,000
  /// steps of long phases of the smooth shapes.
  @Test func claimedEvaluationErrorsHoldWithRoom() throws {
    #if arch(x86_64) && canImport(Glibc)
    typealias Case = (spec: String, exact: (Float80) -> Float80)
    let length: Float80 = 3_000_000
    // The references avoid cancellation near either end as the kernels do:
    // `q = (length - step) / length` directly, and cos^2(pi p / 2) as
    // sin^2(pi q / 2) past the middle (else relative claims near a decay's
    // end would be measured against the reference's own error).
    func q(_ step: Float80) -> Float80 { (length - step) / length }
    func halfCos(_ step: Float80) -> Float80 {
      let p = step / length
      let s = p <= 0.5 ? cosl(Float80.pi * p / 2) : sinl(Float80.pi * q(step) / 2)
      return s * s
    }
    let cases: [Case] = [
      (#"{"phases": [{"shape": "cosine", "steps": 3000000, "from": 1, "to": 0.1}]}"#,
       { 0.1 + 0.9 * halfCos($0) }),
      (#"{"phases": [{"shape": "cosine", "steps": 3000000, "from": 0, "to": 2}]}"#,
       { 2 * halfCos(length - $0) }),  // the mirrored warmup: 2 (1 - cos^2(pi p / 2))
      (#"{"phases": [{"shape": "rex", "steps": 3000000, "from": 1, "to": 0}]}"#,
       { q($0) / (1 - $0 / length / 2) }),
      (#"{"phases": [{"shape": "uba", "steps": 3000000, "from": 1, "to": 0, "phi": 0.5}]}"#,
       { let s = 2 * halfCos($0); return 2 * s / (1 + 1.5 * s) }),
      (#"{"phases": [{"shape": "polynomial", "steps": 3000000, "from": 1, "to": 0, "power": 0.5}]}"#,
       { sqrtl(q($0)) }),
      (#"{"phases": [{"shape": "cosine", "steps": 3000000, "from": 1, "to": 0.1, "exponent": 2.5}]}"#,
       { 0.1 + 0.9 * powl(halfCos($0), 2.5) }),
      (#"{"phases": [{"shape": "sqrt", "steps": 3000000, "from": 1, "to": 0, "endpoint": "inclusive"}]}"#,
       { 1 - sqrtl(($0 + 1) / length) }),
      (#"{"phases": [{"shape": "exponential", "steps": 3000000, "from": 1, "gamma": 0.99999}]}"#,
       { expl($0 * logl(Float80(Double(0.99999)))) }),
      (#"{"phases": [{"shape": "exponential", "steps": 3000000, "from": 2, "to": 1e-3}]}"#,
       { 2 * expl($0 / length * logl(Float80(Double(1e-3) / 2))) }),
      (#"{"phases": [{"shape": "inverse_sqrt", "steps": 3000000, "from": 1, "timescale": 1000}]}"#,
       { 1 / sqrtl(1 + $0 / 1000) }),
    ]
    // (Parameters enter as the float64 values the spec parses to: an 80-bit
    // literal would differ by an exponent-amplified 10^-17.)
    for test in cases {
      let s = try Schedule.parse(test.spec)
      guard case .phase(let phase) = s.itemBuffer[0] else { Issue.record("\(test.spec)"); continue }
      var worst: Double = 0
      var claims = 0
      // 20,000 steps over the phase, and its last 2,000 (where a decay
      // nears its end value and relative claims are the tightest).
      let steps = (0..<20_000).map { Int64($0) * 149 + Int64($0 % 7) } + (2_998_000..<3_000_000)
      for step in steps {
        // The claim at this step (nil where the kernel gives none: the
        // end of a raised curve).
        let probe = SmoothnessProbe(range: Double(step)...Double(step))
        guard let bound = phase.withKernel(length: phase.length, map: .identity, probe) else { continue }
        claims += 1
        let exact = test.exact(Float80(step))
        let allowed = bound.error + bound.relativeError * Double(Swift.abs(exact))
        let made = Double(Swift.abs(Float80(s.value(at: step)) - exact))
        worst = Swift.max(worst, made / allowed)
      }
      #expect(claims >= 10_000, "\(test.spec): a claim at \(claims) steps only")
      #expect(worst <= 1.0 / 16, "\(test.spec): error up to \(worst) of the claimed bound")
    }
    #endif
  }
}

/// The smoothness bound of a phase's kernel over `range`.
struct SmoothnessProbe: PhaseKernelVisitor {
  let range: ClosedRange<Double>
  func visit<K: PhaseKernel>(_ kernel: K) -> FillSmoothness? { kernel.fillSmoothness(positions: range) }
  func visitScalar() -> FillSmoothness? { nil }
}
