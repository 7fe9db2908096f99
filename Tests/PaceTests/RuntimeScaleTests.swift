//===--- RuntimeScaleTests.swift ------------------------------------------===//
// Online refinement at real scale: bounded re-plans, history and
// checkpoints; schedules ending beyond 2^53; older checkpoint versions.
//===----------------------------------------------------------------------===//
import Testing
@testable import Pace

@Suite struct RuntimeScaleTests {
  func config(totalSteps: String, every: Int, minHistory: Int = 20) -> String {
    #"{"channels": {"lr": {"preset": "cosine", "peak": 0.001, "warmup_steps": 10, "total_steps": \#(totalSteps)}}, "refine": {"every": \#(every), "min_history": \#(minHistory), "norm": "l2"}}"#
  }

  /// A gradient norm that depends on the step only (NaN now and then).
  static func norm(_ t: Int64) -> Double {
    var rng = SplitMix64(seed: UInt64(t))
    return t % 97 == 0 ? .nan : (1 + Double(t) * 1e-5) * (1 + Double(rng.next() % 1000) / 5000)
  }

  func advance(_ r: Runtime, _ steps: Int, into all: inout [Double]) {
    var out = [Double](repeating: 0, count: r.valueCount)
    for _ in 0..<steps {
      out.withUnsafeMutableBufferPointer { r.advance(gradNorm: Self.norm(r.step), into: $0.baseAddress!) }
      all.append(out[0])
    }
  }

  @Test func refinedChannelEndingBeyond2To53IsRejectedAtParse() {
    #expect(throws: RuntimeError.self) {
      _ = try Runtime(configText: #"{"channels": {"lr": {"phases": [{"shape": "linear", "steps": 1e300, "to": 0}]}}, "refine": {"every": 10}}"#)
    }
  }

  /// A re-plan of a segment ending beyond 2^53 (a rewarm, or a forged
  /// checkpoint with a valid checksum) leaves it alone instead of trapping.
  @Test func replanOfASegmentEndingBeyond2To53DoesNotTrap() throws {
    let r = try Runtime(configText: config(totalSteps: "1000", every: 10))
    var all: [Double] = []
    advance(r, 30, into: &all)
    try r.rewarm(channel: "lr", spec: #"{"phases": [{"shape": "linear", "steps": 1e300, "from": 1, "to": 0}]}"#)
    let before = r.channels[0].segments.count
    advance(r, 30, into: &all)
    #expect(r.channels[0].segments.count == before)  // no re-plan took over
    // The same through a checkpoint: stretch the rate so the end lies beyond 2^63.
    let loaded = try Runtime.load(r.save())
    advance(loaded, 30, into: &all)
    #expect(all.allSatisfy { $0.isFinite })
  }

  /// set_total_steps(10^13) and a 2^53-step refined channel: re-plans cost
  /// nothing like the remaining run (a table of at most `refinedKnots`).
  @Test(arguments: ["10000", "9007199254740992"])
  func hugeRemainingRunsReplanInBoundedMemory(total: String) throws {
    let r = try Runtime(configText: config(totalSteps: total, every: 100))
    var all: [Double] = []
    advance(r, 150, into: &all)
    try r.setTotalSteps(10_000_000_000_000)
    advance(r, 300, into: &all)
    #expect((r.lastReplan ?? -1) >= 300)
    let segment = r.channels[0].segments.last!
    #expect(segment.start == r.lastReplan)
    #expect(segment.schedule.canonicalText.utf8.count < 200_000)
    #expect(r.save().count < 300_000)
    #expect(all.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 0.001 })
  }

  /// The closed form of a geometric forecast equals the numeric closed form
  /// (`Refinement.closedForm`, the reference-checked one) over its norms.
  @Test(arguments: [0.0, 1e-3, -2e-3, 5e-6])
  func plannedRatioIsTheClosedFormOfTheForecast(slope: Double) {
    let remaining: Int64 = 700
    for kind in [NormKind.l2, .l1] {
      let g = (0..<Int(remaining)).map { k in 2.5 * Double.exp(slope * Double(k + 1)) }
      var reference = [Double](repeating: 0, count: g.count)
      g.withUnsafeBufferPointer { Refinement.closedForm($0, kind: kind, into: &reference) }
      let a = (kind == .l2 ? 2 : 1) * slope
      for k in 0..<remaining {
        let ours = Runtime.plannedRatio(k, remaining: remaining, decayRate: a)
        let expected = reference[Int(k)] / reference[0]
        #expect(abs(ours - expected) <= 1e-12 * Swift.max(1, abs(expected)), "k \(k) kind \(kind) slope \(slope)")
      }
    }
  }

  /// A long remainder is played from knots: at them the values are the
  /// plan, between them within 1e-6 of it.
  @Test(arguments: [0.0, 3e-7, -5e-7])
  func longRemainderIsPlayedFromKnots(decayRate: Double) throws {
    let remaining: Int64 = 2_000_000, current = 0.7, peak = 0.003
    let schedule = try #require(Runtime.refinedSchedule(current: current, remaining: remaining, decayRate: decayRate, peak: peak))
    #expect(schedule.end == Double(remaining))
    for k in Swift.stride(from: Int64(0), to: remaining, by: 997) + [remaining - 1] {
      let plan = k == 0 ? current : Swift.min(1, current * Runtime.plannedRatio(k, remaining: remaining, decayRate: decayRate))
      #expect(abs(schedule.value(at: k) / peak - plan) < 1e-6, "k \(k)")
    }
    let knot: Int64 = (1000 * (remaining - 1) + 1024) / 2048  // knot 1000
    let plan = current * Runtime.plannedRatio(knot, remaining: remaining, decayRate: decayRate)
    #expect(abs(schedule.value(at: knot) / peak - plan) <= 1e-15)
    #expect(schedule.value(at: remaining - 1) == 0)
  }

  @Test func normHistoryIsBoundedAndDecimatedByPairs() {
    var h = NormHistory()
    var all: [Double] = []
    let n = NormHistory.capacity * 5 + 123
    for t in 0..<n {
      let x = t % 11 == 0 ? Double.nan : 1 + Double(t % 37)
      h.append(x)
      all.append(x)
    }
    #expect(h.stride == 8 && h.samples.count <= NormHistory.capacity && h.stepCount == Int64(n))
    // Reference: each sample of stride 8 from its three levels of pairwise means.
    func level(_ xs: [Double]) -> [Double] {
      (0..<(xs.count / 2)).map { i in
        let a = xs[2 * i], b = xs[2 * i + 1]
        switch (a.isFinite && a > 0, b.isFinite && b > 0) {
        case (true, true): return a * 0.5 + b * 0.5
        case (true, false): return a
        case (false, true): return b
        default: return .nan
        }
      }
    }
    let firstStretch = Array(all[0..<NormHistory.capacity])  // recorded at stride 1, then halved three times
    let reference = level(level(level(firstStretch)))
    for i in 0..<reference.count {
      #expect(h.samples[i].bitPattern == reference[i].bitPattern || (h.samples[i].isNaN && reference[i].isNaN), "sample \(i)")
    }
  }

  /// A run past several halvings of the history, saved and loaded at steps
  /// that fall inside a partial sample, continues bit for bit; checkpoints
  /// stay bounded.
  @Test func resumedAcrossHalvingsIsBitIdentical() throws {
    let text = config(totalSteps: "400000", every: 20000, minHistory: 1000)
    let steps = 300_000
    var reference: [Double] = []
    advance(try Runtime(configText: text), steps, into: &reference)
    var pieces: [Double] = []
    var r = try Runtime(configText: text)
    for chunk in [70_001, 65_535, 100_003, 64_461] {
      advance(r, chunk, into: &pieces)
      let blob = r.save()
      #expect(blob.count < 600_000)
      r = try Runtime.load(blob)
      #expect(r.save() == blob)  // save -> load -> save is byte-identical
    }
    #expect(r.history.stride == 8)
    #expect(pieces.count == reference.count)
    #expect(zip(pieces, reference).allSatisfy { $0.bitPattern == $1.bitPattern })
  }

  /// A version 1 checkpoint (every norm stored) loads and continues as the
  /// runtime that wrote it.
  @Test func versionOneCheckpointStillLoads() throws {
    let text = config(totalSteps: "5000", every: 500, minHistory: 500)
    let r = try Runtime(configText: text)
    var all: [Double] = []
    advance(r, 1200, into: &all)
    var payload = ByteWriter()
    payload.text(r.config.text)
    payload.int64(r.step)
    payload.int64(r.lastReplan ?? -1)
    payload.uint32(UInt32(r.channels.count))
    for channel in r.channels {
      payload.uint32(UInt32(channel.segments.count))
      for s in channel.segments {
        payload.int64(s.start)
        payload.uint64(s.origin.bitPattern)
        payload.uint64(s.rate.bitPattern)
        payload.text(s.schedule.canonicalText)
      }
    }
    payload.uint64(UInt64(r.history.samples.count))
    for x in r.history.samples { payload.uint64(x.bitPattern) }
    var blob = ByteWriter()
    blob.bytes += Runtime.magic
    blob.uint32(1)
    blob.uint64(UInt64(payload.bytes.count))
    blob.bytes += payload.bytes
    blob.uint32(CRC32.checksum(blob.bytes))
    let old = try Runtime.load(blob.bytes)
    var a: [Double] = [], b: [Double] = []
    advance(r, 2000, into: &a)
    advance(old, 2000, into: &b)
    #expect(zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern })
  }

  @Test func declaredSizeChecksTheHeaderFirst() {
    #expect(throws: RuntimeError.self) { _ = try Runtime.declaredSize(header: [UInt8](repeating: 0, count: 20)) }
    #expect(throws: RuntimeError.self) { _ = try Runtime.declaredSize(header: Array(Runtime.magic)) }
    var header = Runtime.magic + [2, 0, 0, 0]
    header += [UInt8](repeating: 0xFF, count: 8)
    #expect(throws: RuntimeError.self) { _ = try Runtime.declaredSize(header: header) }
  }

  /// Tiny norms: the closed form in logarithms (max 1, last 0, finite),
  /// equal to the direct form where both apply.
  @Test func refinementOfNormsSpanningBeyondTheDoubleRange() throws {
    let m = try Refinement(norms: [1, 1e-200, 1e-200, 1], kind: .l2, smoothing: 0).multipliers
    #expect(m.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 } && m.max() == 1 && m.last == 0, "\(m)")
    let g: [Double] = [4, 2, 1, 1, 1, 3, 0.5, 2]
    for kind in [NormKind.l2, .l1] {
      var direct = [Double](repeating: 0, count: g.count), logs = direct
      g.withUnsafeBufferPointer {
        Refinement.closedForm($0, kind: kind, into: &direct)
        Refinement.closedFormInLogs($0, kind: kind, largest: 4, into: &logs)
      }
      for (x, y) in zip(direct, logs) { #expect(abs(x - y) < 1e-14, "\(direct) \(logs)") }
    }
  }
}
