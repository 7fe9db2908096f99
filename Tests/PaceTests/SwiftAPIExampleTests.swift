//===--- SwiftAPIExampleTests.swift ---------------------------------------===//
// The example of docs/swift-api.md, run as written (plain `import Pace`).
//===----------------------------------------------------------------------===//
import Pace
import Testing

@Suite struct SwiftAPIExampleTests {
  /// docs/swift-api.md, "Example": schedules, the runtime, refinement.
  @Test func documentedExampleRuns() throws {
    // A schedule: parse a spec, query a step, fill a range.
    let schedule = try Schedule.parse(#"{"preset": "cosine", "peak": 3e-4, "warmup_steps": 100, "total_steps": 10000}"#)
    let lr = schedule.value(at: 500)
    var buffer = [Float](repeating: 0, count: 10_000)
    buffer.withUnsafeMutableBufferPointer { schedule.fill(from: 0, into: $0) }
    let total = schedule.totalSteps  // nil for an open-ended schedule

    // A runtime: channels, parameter groups, online refinement, checkpoints.
    let runtime = try Runtime(configText: #"""
      {"channels": {"lr": {"preset": "cosine", "peak": 3e-4, "warmup_steps": 100, "total_steps": 10000}},
       "groups": [{"name": "embeddings", "scale": {"lr": 0.5}}, {"name": "rest"}],
       "refine": {"every": 500, "norm": "l2", "min_history": 1000}}
      """#)
    var values = [Double](repeating: 0, count: runtime.valueCount)  // group-major
    for step in 0..<2_000 {
      let gradNorm = 1 + 0.5 * Double(step % 7)  // from the trainer
      values.withUnsafeMutableBufferPointer { runtime.advance(gradNorm: gradNorm, into: $0.baseAddress!) }
    }
    let replanned = runtime.lastReplan  // nil until the first re-plan
    let checkpoint = runtime.save()
    let resumed = try Runtime.load(checkpoint)

    // Offline refinement from a previous run's gradient norms.
    let norms = (0..<1_000).map { 1 + Double($0 % 13) / 13 }
    let refined = try Refinement(norms: norms, kind: .l2, smoothing: RefineSettings.defaultSmoothing)
    let refinedSchedule = try Schedule.parse(refined.spec(peak: 3e-4))

    #expect(lr == schedule.value(at: 500) && lr > 0)
    #expect(Double(buffer[500]) == Double(Float(lr)))
    #expect(total == 10_000)
    #expect(replanned != nil)
    #expect(resumed.step == runtime.step && resumed.save() == checkpoint)
    #expect(refinedSchedule.totalSteps == 1_000)
    #expect(try Schedule.parse(#"{"phases": [{"shape": "constant"}]}"#).totalSteps == nil)
  }
}
