//===--- RuntimeTests.swift -----------------------------------------------===//
// The runtime: values, events, online refinement, checkpoints.
//===----------------------------------------------------------------------===//
import Testing
@testable import Pace

@Suite struct RuntimeTests {
  static let config = #"""
    {"channels": {"lr": {"preset": "cosine", "peak": 0.001, "warmup_steps": 100, "total_steps": 120000},
                  "weight_decay": {"peak": 0.1, "phases": [{"shape": "linear", "steps": 1000, "to": 0.5}, {"shape": "constant"}]}},
     "groups": [{"name": "embed", "scale": {"lr": 0.5, "weight_decay": 0}}, {"name": "rest"}],
     "refine": {"every": 7000, "norm": "l1", "smoothing": 0.1, "min_history": 500}}
    """#

  /// Advances `steps` steps with a gradient norm that is a function of the
  /// step (so a resumed run sees the same norms), returning every value.
  func run(_ r: Runtime, steps: Int) -> [Double] {
    var out = [Double](repeating: 0, count: r.valueCount)
    var all: [Double] = []
    all.reserveCapacity(steps * r.valueCount)
    for _ in 0..<steps {
      var rng = SplitMix64(seed: UInt64(r.step))
      let norm = r.step % 97 == 0 ? Double.nan : 1 + Double(rng.next() % 1000) / 1000
      out.withUnsafeMutableBufferPointer { r.advance(gradNorm: norm, into: $0.baseAddress!) }
      all += out
    }
    return all
  }

  @Test func valuesAreGroupMajorWithScales() throws {
    let r = try Runtime(configText: Self.config)
    #expect(r.valueCount == 4)
    var out = [Double](repeating: -1, count: 4)
    _ = run(r, steps: 150)
    out.withUnsafeMutableBufferPointer { r.values(into: $0.baseAddress!) }
    let lr = try Schedule.parse(#"{"preset": "cosine", "peak": 0.001, "warmup_steps": 100, "total_steps": 120000}"#).value(at: 150)
    #expect(out[0] == lr * 0.5 && out[1] == 0 && out[2] == lr)
    #expect(abs(out[3] - 0.1 * (1 - 0.5 * 0.15)) < 1e-15)
  }

  /// Every step's values equal the channels evaluated directly (no
  /// look-ahead), bit for bit, through events that land inside a filled
  /// look-ahead window, a stretch (rate != 1) and online re-plans.
  @Test func lookAheadEqualsDirectEvaluationThroughEvents() throws {
    let r = try Runtime(configText: Self.config)
    var out = [Double](repeating: 0, count: r.valueCount)
    func check(_ steps: Int) {
      for _ in 0..<steps {
        out.withUnsafeMutableBufferPointer { r.advance(gradNorm: 1 + Double(r.step % 13) / 10, into: $0.baseAddress!) }
        for g in 0..<r.groupCount {
          for c in 0..<r.channelCount {
            let direct = r.channels[c].value(at: r.step) * r.scales[g * r.channelCount + c]
            #expect(out[g * r.channelCount + c].bitPattern == direct.bitPattern, "step \(r.step) channel \(c)")
          }
        }
      }
    }
    check(1_037)  // mid-window
    try r.beginDecay(channel: "weight_decay", steps: 300, shape: "linear", to: 0.1)
    check(301)
    try r.setTotalSteps(90_000)  // stretches the lr channel
    check(7_000)  // includes a re-plan
    try r.rewarm(channel: "lr", spec: #"{"preset": "cosine", "peak": 0.0005, "warmup_steps": 50, "total_steps": 5000}"#)
    check(555)
    #expect((r.lastReplan ?? -1) > 0)
  }

  @Test func resumedThreeTimesIsBitIdentical() throws {
    let straight = try Runtime(configText: Self.config)
    let reference = run(straight, steps: 100_000)
    var pieces: [Double] = []
    var r = try Runtime(configText: Self.config)
    for chunk in [1_234, 30_000, 40_000, 28_766] {
      pieces += run(r, steps: chunk)
      r = try Runtime.load(r.save())  // a fresh runtime from the bytes alone
    }
    #expect(pieces.count == reference.count)
    #expect(zip(pieces, reference).allSatisfy { $0.bitPattern == $1.bitPattern })
    #expect((r.lastReplan ?? -1) > 0)  // online refinement ran and survived the reloads
  }

  @Test func everyTruncationAndBitFlipIsRejected() throws {
    let r = try Runtime(configText: Self.config)
    _ = run(r, steps: 700)
    try r.beginDecay(channel: "weight_decay", steps: 50, shape: "cosine", to: 0.1)
    let blob = r.save()
    for length in 0..<blob.count {
      #expect(throws: RuntimeError.self) { try Runtime.load(Array(blob[0..<length])) }
    }
    var rng = SplitMix64(seed: 99)
    for _ in 0..<1000 {
      var damaged = blob
      let bit = Int(rng.next() % UInt64(blob.count * 8))
      damaged[bit / 8] ^= UInt8(1 << (bit % 8))
      do {
        _ = try Runtime.load(damaged)
        Issue.record("a flipped bit \(bit) was accepted")
      } catch {
        guard case .state = error else { Issue.record("bit \(bit): \(error)"); continue }
      }
    }
  }

  @Test func futureVersionIsAVersionError() throws {
    let r = try Runtime(configText: Self.config)
    var blob = r.save()
    blob[8] = UInt8(Runtime.stateFormatVersion + 1)  // a future format version, with a valid checksum
    let body = blob.count - 4
    let crc = blob.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<body])) }
    for i in 0..<4 { blob[body + i] = UInt8(truncatingIfNeeded: crc >> (8 * i)) }
    #expect {
      _ = try Runtime.load(blob)
    } throws: { error in
      if case RuntimeError.version = error { return true }
      return false
    }
  }

  @Test func beginDecayStartsACooldownNow() throws {
    let r = try Runtime(configText: #"{"channels": {"lr": {"peak": 0.01, "phases": [{"shape": "linear", "steps": 10, "from": 0, "to": 1}, {"shape": "constant"}]}}}"#)
    let before = run(r, steps: 500)
    #expect(r.value(channel: 0) == 0.01)
    try r.beginDecay(channel: nil, steps: 100, shape: "sqrt", to: 0.1)
    #expect(r.value(channel: 0) == 0.01)  // the current value is kept
    let after = run(r, steps: 150)
    #expect(abs(after[49] - 0.01 * (0.1 + 0.9 * (1 - (50.0 / 100).squareRoot()))) < 1e-15)
    #expect(after[99] == 0.001 && after[149] == 0.001)
    #expect(before.count == 500)
    let reloaded = try Runtime.load(r.save())
    #expect(reloaded.value(channel: 0) == r.value(channel: 0))
    #expect(throws: RuntimeError.self) { try r.beginDecay(channel: "momentum", steps: 10, shape: "linear", to: 0) }
    #expect(throws: RuntimeError.self) { try r.beginDecay(channel: nil, steps: 0, shape: "linear", to: 0) }
    #expect(throws: RuntimeError.self) { try r.beginDecay(channel: nil, steps: 10, shape: "zigzag", to: 0) }
  }

  @Test func rewarmPlaysANewScheduleFromNow() throws {
    let r = try Runtime(configText: #"{"channels": {"lr": {"preset": "cosine", "peak": 0.01, "total_steps": 1000}}}"#)
    let first = run(r, steps: 1000)
    try r.rewarm(channel: "lr", spec: #"{"preset": "cosine", "peak": 0.005, "warmup_steps": 10, "total_steps": 500}"#)
    #expect(r.value(channel: 0) == 0)
    let second = run(r, steps: 20)
    #expect(second[9] == 0.005 && first[0] < 0.01)
    #expect(try Runtime.load(r.save()).value(channel: 0) == r.value(channel: 0))
  }

  @Test func setTotalStepsStretchesTheRest() throws {
    let cosine = #"{"preset": "cosine", "peak": 1, "total_steps": 1000}"#
    let r = try Runtime(configText: #"{"channels": {"lr": \#(cosine)}}"#)
    let played = run(r, steps: 500)
    let atHalf = r.value(channel: 0)
    try r.setTotalSteps(2000)
    #expect(r.value(channel: 0) == atHalf)
    let rest = run(r, steps: 1600)
    // Stretched: the second half of the cosine now spans 1500 steps.
    let s = try Schedule.parse(cosine)
    #expect(abs(rest[749] - s.multiplier(atPosition: 500 + 750.0 / 3)) < 1e-12)
    #expect(rest[1499] == 0 && rest[1599] == 0)
    #expect(played.count == 500)
    #expect(throws: RuntimeError.self) { try r.setTotalSteps(10) }
  }

  @Test func onlineRefinementIsContinuousAndBelowPeak() throws {
    let r = try Runtime(configText: #"{"channels": {"lr": {"preset": "linear", "peak": 0.1, "warmup_steps": 50, "total_steps": 3000}}, "refine": {"every": 200, "min_history": 200}}"#)
    var previous = 0.0
    var out = [0.0]
    for t in 0..<2999 {
      // Norms falling then rising: the plan should differ from linear decay.
      let norm = t < 1500 ? 3 - Double(t) / 1000 : 1.5 + Double(t - 1500) / 500
      let replans = r.lastReplan
      out.withUnsafeMutableBufferPointer { r.advance(gradNorm: norm, into: $0.baseAddress!) }
      #expect(out[0] <= 0.1 && out[0] >= 0)
      if r.lastReplan != replans && t > 60 {
        #expect(abs(out[0] - previous) <= 0.1 * 0.01, "jump at re-plan step \(r.step)")
      }
      previous = out[0]
    }
    #expect((r.lastReplan ?? -1) >= 2800)
    #expect(r.channels[0].segments.count >= 2)
  }

  @Test func badConfigsNameTheirPath() {
    let cases: [(String, String)] = [
      (#"{}"#, "channels"),
      (#"{"channels": {"lr": {"preset": "cosine"}}}"#, "channels.lr.total_steps"),
      (#"{"channels": {"lr": {"phases": [{"shape": "linear", "steps": -1, "to": 0}]}}}"#, "channels.lr.phases[0].steps"),
      (#"{"channels": {"lr": {"preset": "constant"}}, "groups": [{"scale": {"wd": 1}}]}"#, "groups[0].scale.wd"),
      (#"{"channels": {"lr": {"preset": "constant"}}, "refine": {"every": 10}}"#, "channels.lr"),
      (#"{"channels": {"lr": {"preset": "constant"}}, "colour": 1}"#, "colour"),
    ]
    for (text, path) in cases {
      do {
        _ = try Runtime(configText: text)
        Issue.record("accepted \(text)")
      } catch {
        guard case .spec(let e) = error else { Issue.record("\(error)"); continue }
        #expect(e.path == path, "\(text) -> \(e)")
      }
    }
  }
}

@Suite struct RuntimeRegressionTests {
  func advance(_ r: Runtime, _ steps: Int, norm: Double = 1) {
    var out = [Double](repeating: 0, count: r.valueCount)
    for _ in 0..<steps { out.withUnsafeMutableBufferPointer { r.advance(gradNorm: norm, into: $0.baseAddress!) } }
  }

  @Test func beginDecayAfterRewarmUsesTheNewPeak() throws {
    let r = try Runtime(configText: #"{"channels": {"lr": {"peak": 0.001, "phases": [{"shape": "constant"}]}}}"#)
    advance(r, 50)
    try r.rewarm(channel: nil, spec: #"{"peak": 0.0004, "phases": [{"shape": "constant"}]}"#)
    advance(r, 5)
    try r.beginDecay(channel: nil, steps: 10, shape: "linear", to: 0.5)
    #expect(r.value(channel: 0) == 0.0004)
    advance(r, 10)
    #expect(abs(r.value(channel: 0) - 0.0002) < 1e-18)
  }

  @Test func onlineRefinementWaitsForTheWarmupToEnd() throws {
    let r = try Runtime(configText: #"{"channels": {"lr": {"preset": "cosine", "peak": 0.001, "warmup_steps": 1000, "total_steps": 5000}}, "refine": {"every": 100, "min_history": 200}}"#)
    var top = 0.0
    for _ in 0..<1500 {
      advance(r, 1)
      top = max(top, r.value(channel: 0))
    }
    #expect(top == 0.001)
    #expect((r.lastReplan ?? -1) >= 1000)
  }

  @Test func refinementIgnoresTheNormsScale() throws {
    let g = [4.0, 2, 1, 1, 1]
    let base = try Refinement(norms: g, kind: .l2, smoothing: 0).multipliers
    for scale in [1e-100, 1e100, 1e-300] {
      let m = try Refinement(norms: g.map { $0 * scale }, kind: .l2, smoothing: 0).multipliers
      #expect(m.allSatisfy { $0.isFinite && $0 <= 1 }, "scale \(scale): \(m)")
      for (a, b) in zip(m, base) { #expect(abs(a - b) < 1e-12) }
    }
  }

  @Test func pastSegmentsAreNotKept() throws {
    let r = try Runtime(configText: #"{"channels": {"lr": {"preset": "linear", "peak": 0.1, "total_steps": 20000}}, "refine": {"every": 100, "min_history": 100}}"#)
    advance(r, 5000)
    #expect(r.channels[0].segments.count <= 2)
    #expect(r.save().count < 20000 * 8 + 20000 * 30)
  }

  @Test func configErrorPathHasNoStrayDot() {
    do {
      _ = try Runtime(configText: #"{"channels": {"lr": 5}}"#)
      Issue.record("accepted")
    } catch {
      #expect(error.description.hasPrefix("channels.lr: "), "\(error)")
    }
  }
}
