//===--- PresetTests.swift ------------------------------------------------===//
// Every preset at its boundaries against the named library's formula,
// written out here; conformance against the libraries themselves lives in
// tests/python.
//===----------------------------------------------------------------------===//
import Foundation
import Testing
@testable import Pace

@Suite struct PresetTests {
  @Test func huggingFaceConstantLinearCosine() {
    checkAgainst(#"{"preset":"constant_with_warmup","warmup_steps":10,"peak":0.1}"#) { t in
      0.1 * (t < 10 ? Double(t) / 10 : 1)
    }
    checkAgainst(#"{"preset":"constant","peak":0.1}"#) { _ in 0.1 }
    checkAgainst(#"{"preset":"linear","warmup_steps":10,"total_steps":110,"peak":3e-4}"#) { t in
      3e-4 * (t < 10 ? Double(t) / 10 : max(0, Double(110 - t) / 100))
    }
    checkAgainst(#"{"preset":"cosine","warmup_steps":10,"total_steps":110,"min_ratio":0.1}"#, extra: [60]) { t in
      if t < 10 { return Double(t) / 10 }
      let progress = min(1, Double(t - 10) / 100)
      return 0.5 * (1 + cos(Double.pi * 0.5 * 2 * progress)) * 0.9 + 0.1
    }
  }

  @Test func huggingFaceHardRestarts() {
    checkAgainst(#"{"preset":"cosine_with_restarts","warmup_steps":5,"total_steps":95,"cycles":3}"#,
                 extra: [34, 35, 36, 64, 65, 66]) { t in
      if t < 5 { return Double(t) / 5 }
      let progress = Double(t - 5) / 90
      if progress >= 1 { return 0 }
      return 0.5 * (1 + cos(Double.pi * (3 * progress).truncatingRemainder(dividingBy: 1)))
    }
  }

  @Test func huggingFacePolynomialAndInverseSqrt() {
    checkAgainst(#"{"preset":"polynomial","warmup_steps":10,"total_steps":110,"end_ratio":0.01,"power":2}"#) { t in
      if t < 10 { return Double(t) / 10 }
      if t > 110 { return 0.01 }
      return 0.99 * pow(1 - Double(t - 10) / 100, 2) + 0.01
    }
    checkAgainst(#"{"preset":"inverse_sqrt","warmup_steps":100}"#, extra: [1000]) { t in
      t < 100 ? Double(t) / 100 : 1 / sqrt((Double(t) + 0) / 100)
    }
  }

  @Test(arguments: ["linear", "cosine", "sqrt"]) func huggingFaceWSD(decay: String) {
    let spec = #"{"preset":"wsd","warmup_steps":10,"stable_steps":40,"decay_steps":50,"decay_type":"\#(decay)","warmup_type":"cosine","min_ratio":0.1}"#
    checkAgainst(spec, extra: [75]) { t in
      if t < 10 { return (0.5 * (1 - cos(Double.pi * Double(t) / 10))) * 0.9 + 0.1 }
      if t < 50 { return 1 }
      if t < 100 {
        let p = Double(t - 50) / 50
        let f = decay == "linear" ? 1 - p : decay == "cosine" ? 0.5 * (1 + cos(Double.pi * p)) : 1 - sqrt(p)
        return f * 0.9 + 0.1
      }
      return 0.1
    }
  }

  @Test(arguments: [(1000, 0.3, false), (1000, 0.25, true), (997, 0.333, false)])
  func pytorchOneCycle(total: Int, pct: Double, three: Bool) {
    let spec = #"{"preset":"onecycle","total_steps":\#(total),"pct_start":\#(pct),"three_phase":\#(three),"peak":0.1}"#
    let initial = 0.1 / 25
    let minimum = initial / 1e4
    let t = Double(total)
    let ends = three ? [pct * t - 1, 2 * pct * t - 2, t - 1] : [pct * t - 1, t - 1]
    let lrs = three ? [initial, 0.1, initial, minimum] : [initial, 0.1, minimum]
    checkAgainst(spec, extra: [Int64(pct * t)]) { step in
      let s = Double(min(Int64(total - 1), step))
      var start = 0.0
      for (i, end) in ends.enumerated() {
        if s <= end || i == ends.count - 1 {
          let pc = (s - start) / (end - start)
          return lrs[i + 1] + (lrs[i] - lrs[i + 1]) / 2 * (cos(Double.pi * pc) + 1)
        }
        start = end
      }
      return 0
    }
    // total_steps is the number of steps torch takes (not T - 1).
    #expect((try? Schedule.parse(spec))?.totalSteps == Int64(total))
  }

  @Test func pytorchWarmRestartsCyclicStep() {
    checkAgainst(#"{"preset":"sgdr","t0":10,"t_mult":2,"min_ratio":0.01}"#, extra: Array(0..<200)) { e in
      var tCur = Double(e)
      var tI = 10.0
      while tCur >= tI { tCur -= tI; tI *= 2 }
      return 0.01 + 0.99 * (1 + cos(Double.pi * tCur / tI)) / 2
    }
    for mode in ["triangular", "triangular2", "exp_range"] {
      let spec = #"{"preset":"cyclic","base_ratio":0.1,"step_size_up":7,"step_size_down":5,"mode":"\#(mode)","gamma":0.99}"#
      checkAgainst(spec, extra: Array(0..<100)) { e in
        // PyTorch's x = 1 + e/total - cycle, computed exactly with integers
        // (its float form loses digits at huge steps such as 2^40).
        let total = 12.0
        let cycle = Double(e / 12 + 1)
        let x = Double(e % 12) / total
        let ratio = 7 / total
        let scale = x <= ratio ? x / ratio : (x - 1) / (ratio - 1)
        let height = (1 - 0.1) * scale
        let fn = mode == "triangular" ? 1 : mode == "triangular2" ? 1 / pow(2, cycle - 1) : pow(0.99, Double(e))
        return 0.1 + height * fn
      }
    }
    checkAgainst(#"{"preset":"step","step_size":30,"gamma":0.5}"#, extra: [59, 60]) { t in pow(0.5, Double(t / 30)) }
    checkAgainst(#"{"preset":"multistep","milestones":[3,8],"gamma":0.1}"#, extra: [2, 3, 7, 8]) { t in
      pow(0.1, Double([3, 8].filter { $0 <= t }.count))
    }
    checkAgainst(#"{"preset":"exponential","gamma":0.9}"#, extra: [5]) { t in pow(0.9, Double(t)) }
  }

  @Test func optaxWarmupCosine() {
    checkAgainst(#"{"preset":"warmup_cosine","init_ratio":0.1,"warmup_steps":10,"decay_steps":110,"end_ratio":0.05,"exponent":2}"#) { t in
      if t < 10 { return (0.1 - 1) * (1 - Double(t) / 10) + 1 }
      let c = Double(min(t - 10, 100))
      return (1 - 0.05) * pow(0.5 * (1 + cos(Double.pi * c / 100)), 2) + 0.05
    }
  }

  @Test func timmCosineWithOverlaidWarmupAndCycles() {
    let spec = #"{"preset":"timm_cosine","t_initial":50,"lr_min_ratio":0.01,"warmup_t":5,"warmup_lr_init_ratio":0.001,"cycle_limit":3,"cycle_decay":0.5}"#
    checkAgainst(spec, extra: [49, 50, 99, 100, 149, 150]) { t in
      if t < 5 { return 0.001 + Double(t) * (1 - 0.001) / 5 }
      let i = Double(t / 50)
      let tCurr = Double(t) - 50 * i
      if i >= 3 { return 0.01 }
      let lrMax = pow(0.5, i)
      return 0.01 + 0.5 * (lrMax - 0.01) * (1 + cos(Double.pi * tCurr / 50))
    }
    let mul = #"{"preset":"timm_cosine","t_initial":10,"cycle_mul":2,"cycle_limit":4,"warmup_t":3,"warmup_prefix":true}"#
    checkAgainst(mul, extra: Array(0..<160)) { t in
      if t < 3 { return Double(t) / 3 }
      let u = Double(t - 3)
      let i = (log(1 - u / 10 * (1 - 2)) / log(2)).rounded(.down)
      let tI = pow(2, i) * 10
      let tCurr = u - (1 - pow(2, i)) / (1 - 2) * 10
      return i < 4 ? 0.5 * (1 + cos(Double.pi * tCurr / tI)) : 0
    }
  }

  @Test func llmcAllTypes() {
    for type in ["cosine", "linear", "wsd", "constant"] {
      let spec = #"{"preset":"llmc","type":"\#(type)","warmup_steps":10,"total_steps":100,"final_frac":0.1}"#
      checkAgainst(spec) { step in
        if type == "constant" { return 1 }
        if step < 10 { return Double(step + 1) / 10 }
        let minLR = 0.1
        switch type {
        case "cosine":
          let r = min(1, Double(step - 10) / 90)
          return minLR + 0.5 * (1 + cos(Double.pi * r)) * (1 - minLR)
        case "linear":
          let r = min(1, Double(step - 10) / 90)
          return 1 - r * (1 - minLR)
        default:
          if step < 80 { return 1 }
          let r = min(1, Double(step - 80) / 20)
          return minLR + (1 - sqrt(r)) * (1 - minLR)
        }
      }
    }
  }

  @Test func rexUbaPowerInfinite() {
    checkAgainst(#"{"preset":"rex","warmup_steps":10,"total_steps":110,"min_ratio":0.1}"#) { t in
      if t < 10 { return Double(t) / 10 }
      let z = min(1, Double(t - 10) / 100)
      return 0.1 + 0.9 * (1 - z) / (1 - z / 2)
    }
    checkAgainst(#"{"preset":"uba","warmup_steps":10,"total_steps":110,"phi":2}"#) { t in
      if t < 10 { return Double(t) / 10 }
      return 0.5 * (1 + cos(Double.pi * min(1, Double(t - 10) / 100)))
    }
    let power = #"{"preset":"power","peak":0.02,"a":4,"b":-0.51,"tokens_per_step":1e6,"warmup_steps":10,"decay_steps":20,"total_steps":100}"#
    let powerAt: (Double) -> Double = { min(0.02, 4 * pow($0 * 1e6, -0.51)) }
    checkAgainst(power) { t in
      if t < 10 { return powerAt(10) * Double(t) / 10 }
      if t < 80 { return powerAt(Double(t)) }
      return powerAt(80) * (1 - min(1, Double(t - 80) / 20))
    }
    let infinite = #"{"preset":"infinite","warmup_steps":10,"cooldown_steps":40,"constant_ratio":0.5,"anneal_steps":20,"min_ratio":0.05,"total_steps":200,"cooldown_type":"linear"}"#
    checkAgainst(infinite) { t in
      if t < 10 { return Double(t) / 10 }
      if t < 50 { return 1 - 0.5 * Double(t - 10) / 40 }
      if t < 180 { return 0.5 }
      return 0.5 * pow(0.05 / 0.5, min(1, Double(t - 180) / 20))
    }
  }

  /// to_json prints the canonical expansion; parsing it gives identical values.
  @Test(arguments: allPresetExamples) func canonicalRoundTrip(spec: String) throws {
    let s = try Schedule.parse(spec)
    let text = s.canonicalText
    let again = try Schedule.parse(text)
    #expect(again.canonicalText == text)
    for t in probeSteps(s) + Array(0..<300) {
      #expect(again.value(at: t).bitPattern == s.value(at: t).bitPattern, "step \(t) of \(text)")
    }
  }
}

/// One example of every preset (and a few raw specs), for round trips.
let allPresetExamples = [
  #"{"preset":"constant","peak":0.5}"#,
  #"{"preset":"constant_with_warmup","warmup_steps":7}"#,
  #"{"preset":"linear","warmup_steps":10,"total_steps":100}"#,
  #"{"preset":"cosine","warmup_steps":10,"total_steps":100,"cycles":1.5,"min_ratio":0.1}"#,
  #"{"preset":"cosine_with_restarts","warmup_steps":3,"total_steps":100,"cycles":3}"#,
  #"{"preset":"polynomial","warmup_steps":3,"total_steps":100,"power":2,"peak":1e-3}"#,
  #"{"preset":"inverse_sqrt","warmup_steps":30}"#,
  #"{"preset":"wsd","warmup_steps":10,"decay_steps":20,"total_steps":100,"decay_type":"exponential","min_ratio":0.01}"#,
  #"{"preset":"onecycle","total_steps":1000,"pct_start":0.333,"three_phase":true}"#,
  #"{"preset":"sgdr","t0":10,"t_mult":2}"#,
  #"{"preset":"cyclic","base_ratio":0.1,"step_size_up":5,"mode":"exp_range","gamma":0.99}"#,
  #"{"preset":"step","step_size":10}"#,
  #"{"preset":"multistep","milestones":[10,30]}"#,
  #"{"preset":"exponential","gamma":0.95}"#,
  #"{"preset":"warmup_cosine","warmup_steps":10,"decay_steps":100,"init_ratio":0.1}"#,
  #"{"preset":"timm_cosine","t_initial":40,"warmup_t":5,"cycle_limit":3,"cycle_mul":1.5,"cycle_decay":0.7}"#,
  #"{"preset":"llmc","type":"wsd","warmup_steps":10,"total_steps":100}"#,
  #"{"preset":"rex","warmup_steps":10,"total_steps":100}"#,
  #"{"preset":"uba","warmup_steps":10,"total_steps":100,"phi":0.8}"#,
  #"{"preset":"power","a":4,"b":-0.51,"tokens_per_step":4096,"warmup_steps":10,"decay_steps":20,"total_steps":100,"peak":0.02,"decay_type":"sqrt"}"#,
  #"{"preset":"infinite","warmup_steps":10,"cooldown_steps":20,"constant_ratio":0.3}"#,
  #"{"phases":[{"shape":"table","steps":50,"points":[[0,1],[10.5,0.5]],"interpolation":"step"},{"shape":"table","values":[0.1,0.2]}]}"#,
  #"{"phases":[{"repeat":[{"shape":"linear","steps":3.5,"from":0,"to":1},{"shape":"exponential","steps":6.25,"to":0.1}],"cycles":4,"period_mult":1.3,"decay":0.8,"decay_mode":"peak","floor":0.1,"decay_per_step":0.999},{"shape":"step","gamma":0.5,"milestones":[5,9]}]}"#,
]

@Suite struct FillTests {
  /// Fills of every length at every offset equal `value(at:)` bit for bit,
  /// including chunks whose four lanes straddle a phase boundary or the
  /// middle of a cosine (where the kernel switches between its branches).
  @Test(arguments: allPresetExamples + kernelShapeExamples
        + [#"{"preset":"uba","peak":1e-3,"warmup_steps":50,"total_steps":1000,"phi":1}"#])
  func chunkedFillsMatchAt(spec: String) throws {
    let s = try Schedule.parse(spec)
    var probes = probeSteps(s).filter { $0 < 1 << 20 }
    probes += probes.map { $0 / 2 }
    for start in Set(probes.flatMap { [$0, $0 &- 1, $0 &- 3] }) where start >= 0 {
      for count in [1, 3, 4, 5, 9] {
        let values = s.values(from: start, count: count)
        for (i, v) in values.enumerated() {
          #expect(v.bitPattern == s.value(at: start + Int64(i)).bitPattern, "\(spec) start \(start) count \(count)")
        }
      }
    }
  }

  /// Every plain phase's kernel gives the same bits on eight lanes (the fill
  /// width of x86-64-v4 builds) and on four as on one, at positions across
  /// the whole phase (this runs whatever the build's ``FillLanes`` is).
  @Test(arguments: allPresetExamples + kernelShapeExamples)
  func kernelsAgreeOnEveryLaneWidth(spec: String) throws {
    let s = try Schedule.parse(spec)
    for (i, item) in s.itemBuffer.enumerated() {
      guard case .phase(let phase) = item else { continue }
      let start = s.startBuffer[i]
      let end = Swift.min(s.endBuffer[i], start + 4096)
      let check = LaneWidthCheck(start: start, end: end, offset: phase.offset)
      let mismatch = phase.withKernel(length: phase.length, map: .identity, check)
      #expect(mismatch == nil, "\(spec) phase \(i): lanes differ at step \(mismatch ?? -1)")
    }
  }
}

/// Evaluates a kernel on 1, 4 and 8 lanes over steps `start ..< end` and
/// returns the first step where they differ (nil when none).
struct LaneWidthCheck: PhaseKernelVisitor {
  let start: Double
  let end: Double
  let offset: Double

  func visit<K: PhaseKernel>(_ kernel: K) -> Double? {
    var step = start.rounded(.up)
    let stride = Swift.max(1, ((end - start) / 300).rounded(.down))
    while step + 8 <= end {
      var t8 = SIMD8<Double>(repeating: 0)
      for lane in 0..<8 { t8[lane] = step + Double(lane) }
      let u8 = (t8 - SIMD8(repeating: start)) + SIMD8(repeating: offset)
      let v8 = kernel(u: u8, t: t8)
      let v4 = kernel(u: u8.lowHalf, t: t8.lowHalf)
      for lane in 0..<8 {
        let one = kernel(u: u8[lane], t: t8[lane])
        if one.bitPattern != v8[lane].bitPattern && !(one.isNaN && v8[lane].isNaN) { return t8[lane] }
        if lane < 4 && one.bitPattern != v4[lane].bitPattern && !(one.isNaN && v4[lane].isNaN) { return t8[lane] }
      }
      step += stride
    }
    return nil
  }

  func visitScalar() -> Double? { nil }
}
