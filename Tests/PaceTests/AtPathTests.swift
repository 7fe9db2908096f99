//===--- AtPathTests.swift ------------------------------------------------===//
// value(at:) through the kernels resolved at build time equals the fills.
//===----------------------------------------------------------------------===//
import Testing
@testable import Pace

/// One schedule with a phase of every shape and curve variant (each kernel
/// type of `AtKernel`, and the `general` items: tables, milestones, a repeat
/// block), with offsets, mirrored and unmirrored warmups and both endpoints.
let everyShapeSpec = #"""
{"peak": 0.003, "phases": [
  {"shape": "linear", "steps": 37, "from": 0, "to": 1, "endpoint": "inclusive"},
  {"shape": "linear", "steps": 40, "from": 0.2, "to": 0.9, "mirror": false},
  {"shape": "polynomial", "power": 2, "steps": 33, "to": 0.1},
  {"shape": "polynomial", "power": 1, "steps": 20, "to": 0.5},
  {"shape": "cosine", "steps": 101, "offset": 7, "from": 1, "to": 0.05},
  {"shape": "cosine", "cycles": 1.5, "steps": 64, "from": 0.9, "to": 0.1},
  {"shape": "sqrt", "steps": 29, "from": 0.8, "to": 0.01},
  {"shape": "square", "steps": 31, "from": 0.01, "to": 0.7},
  {"shape": "rex", "steps": 45, "from": 1, "to": 0},
  {"shape": "uba", "phi": 0.8, "steps": 52, "from": 0.4, "to": 0.02},
  {"shape": "polynomial", "power": 3, "steps": 41, "from": 0.02, "to": 0.6, "endpoint": "inclusive"},
  {"shape": "cosine", "exponent": 2, "steps": 60, "to": 0.01},
  {"shape": "cosine", "cycles": 1.5, "exponent": 3, "steps": 58, "from": 1, "to": 0.1},
  {"shape": "exponential", "steps": 70, "from": 1, "to": 0.001},
  {"shape": "exponential", "steps": 50, "from": 0.01, "to": 0.5, "endpoint": "inclusive", "offset": 3},
  {"shape": "exponential", "gamma": 0.97, "steps": 40},
  {"shape": "exponential", "gamma": 0.5, "staircase": 10, "steps": 55},
  {"shape": "step", "gamma": 0.5, "step_size": 9, "steps": 47, "from": 0.9},
  {"shape": "step", "gamma": 0.3, "milestones": [4, 11, 30], "steps": 38},
  {"shape": "constant", "steps": 13, "from": 0.25},
  {"shape": "inverse_sqrt", "timescale": 12, "steps": 44, "from": 1},
  {"shape": "table", "values": [0.5, 0.4, 0.45, 0.1]},
  {"shape": "table", "steps": 30, "points": [[0, 0.2], [10.5, 0.8], [30, 0.05]]},
  {"shape": "table", "steps": 20, "points": [[0, 1], [7, 0.3]], "interpolation": "step"},
  {"repeat": [{"shape": "linear", "steps": 3.5, "from": 0, "to": 1}, {"shape": "exponential", "steps": 6.25, "to": 0.1},
              {"shape": "cosine", "exponent": 2, "steps": 8, "to": 0}],
   "cycles": 4, "period_mult": 1.3, "decay": 0.8, "decay_mode": "peak", "floor": 0.1, "decay_per_step": 0.999},
  {"shape": "cosine", "steps": 35.5, "from": 0.7, "to": 0.2},
  {"shape": "power", "a": 4, "b": -0.51, "tokens_per_step": 1000}
]}
"""#

@Suite struct AtPathTests {
  /// Every kernel type has its own case, and only tables, milestones and
  /// blocks take the general path.
  @Test func everyKernelTypeHasItsCase() throws {
    let s = try Schedule.parse(everyShapeSpec)
    let kinds = (0..<s.itemBuffer.count).map { s.atKernels.kind(item: $0) }
    #expect(kinds == [
      .linear, .linear, .quadratic, .linear, .halfCosine, .cosine, .sqrt, .square, .rex, .uba, .raisedLinear,
      .raisedHalfCosine, .raisedCosine, .exponential, .exponential, .exponential, .exponential, .step, .general,
      .constant, .inverseSqrt, .general, .general, .general, .general, .halfCosine, .power,
    ])
  }

  /// value(at:) equals the float64 fill bit for bit at every step of the
  /// schedule of every shape (27 items) and well past its end, at steps that
  /// start runs of four lanes in the middle of a phase, and at huge steps.
  @Test(arguments: [everyShapeSpec] + kernelShapeExamples)
  func atEqualsFillAtEveryStep(spec: String) throws {
    let s = try Schedule.parse(spec)
    let count = s.totalSteps.map { Int($0) + 50 } ?? 3000
    for start: Int64 in [0, 1, 2, 3] {
      let values = s.values(from: start, count: count)
      for (k, v) in values.enumerated() {
        let t = start + Int64(k)
        #expect(v.bitPattern == s.value(at: t).bitPattern, "step \(t)")
        if v.bitPattern != s.value(at: t).bitPattern { return }
      }
    }
    for start: Int64 in [hugeStep - 5, (1 << 53) + 1] {
      for (k, v) in s.values(from: start, count: 9).enumerated() {
        #expect(v.bitPattern == s.value(at: start + Int64(k)).bitPattern, "step \(start + Int64(k))")
      }
    }
  }

  /// The at path agrees with the phase's own formula (the path value(at:)
  /// took before the kernels were resolved at build time).
  @Test func atEqualsThePhaseFormula() throws {
    let s = try Schedule.parse(everyShapeSpec)
    for t in Int64(0)..<(s.totalSteps ?? -1) + 10 {  // open-ended: as before (-1 + 10 steps)
      let x = Double(t)
      guard x < s.end else { break }
      let i = s.itemIndex(containing: x)
      guard case .phase(let phase) = s.itemBuffer[i] else { continue }
      let formula = phase.value(at: (x - s.startBuffer[i]) + phase.offset, length: phase.length, globalStep: x,
                                map: .identity)
      #expect(s.multiplier(at: t).bitPattern == formula.bitPattern, "step \(t)")
    }
  }
}
