//===--- PlayedSpecTests.swift --------------------------------------------===//
// A runtime's played schedule as a spec of segments, exact bit for bit.
//===----------------------------------------------------------------------===//
import Testing
@testable import Pace

@Suite struct PlayedSpecTests {
  let events = RuntimeIntrospectionTests()

  /// The bits of `s` at steps `0 ..< count`.
  func bits(_ s: Schedule, _ count: Int) -> [UInt64] { (0..<count).map { s.value(at: Int64($0)).bitPattern } }

  @Test func thePlayedSpecGivesEveryValuePlayed() throws {
    let (r, lr, momentum) = try events.eventfulRun()
    let lrSpec = try Schedule.parse(try r.playedSpec(channel: "lr"))
    #expect(bits(lrSpec, lr.count) == lr.map(\.bitPattern))
    let momentumSpec = try Schedule.parse(try r.playedSpec(channel: "momentum"))
    #expect(bits(momentumSpec, momentum.count) == momentum.map(\.bitPattern))
    // One segment per piece: the base, set_total_steps, begin_decay, rewarm.
    guard case .phase(let last) = lrSpec.itemBuffer.last else { Issue.record("no phase"); return }
    #expect(lrSpec.itemBuffer.count == 4 && last.shape.name == "segment" && !last.length.isFinite)
    // Its fills give the same bits (the fill path of segments).
    var filled = [Double](repeating: 0, count: lr.count)
    filled.withUnsafeMutableBufferPointer { lrSpec.fill(from: 0, into: $0) }
    #expect(filled.map(\.bitPattern) == lr.map(\.bitPattern))
  }

  @Test func thePlayedSpecAlsoGivesTheValuesPlayedNext() throws {
    let (r, lr, momentum) = try events.eventfulRun()
    let spec = try Schedule.parse(try r.playedSpec(channel: nil))
    var lrMore = lr, momentumMore = momentum
    events.run(r, 700, into: &lrMore, &momentumMore)
    #expect(bits(spec, lrMore.count) == lrMore.map(\.bitPattern))
  }

  @Test func aPeakChangeAndAStretchAreExact() throws {
    let r = try Runtime(configText: #"{"channels": {"lr": {"preset": "linear", "peak": 0.01, "total_steps": 997}}}"#)
    var out = [0.0]
    var lr = [r.value(channel: 0)]
    func run(_ n: Int) { for _ in 0..<n { out.withUnsafeMutableBufferPointer { r.advance(gradNorm: 1, into: $0.baseAddress!) }; lr.append(out[0]) } }
    run(123)
    try r.setTotalSteps(3001)  // a fractional rate
    lr[lr.count - 1] = r.value(channel: 0)
    run(400)
    try r.rewarm(channel: "lr", spec: #"{"preset": "cosine", "peak": 0.0371, "warmup_steps": 13, "total_steps": 333}"#)
    lr[lr.count - 1] = r.value(channel: 0)
    run(500)  // past the rewarm's end: its after value
    let spec = try Schedule.parse(try r.playedSpec(channel: "lr"))
    #expect(bits(spec, lr.count) == lr.map(\.bitPattern))
  }

  @Test func thePlayedSpecSurvivesSaveAndLoad() throws {
    let (r, lr, momentum) = try events.eventfulRun()
    let text = try r.playedSpec(channel: "lr")
    let loaded = try Runtime.load(r.save())
    #expect(try loaded.playedSpec(channel: "lr") == text)
    #expect(try loaded.playedSpec(channel: "momentum") == (try r.playedSpec(channel: "momentum")))
    // Resumed: the run continues with events, the spec stays exact.
    var lrMore = lr, momentumMore = momentum
    events.run(loaded, 50, into: &lrMore, &momentumMore)
    try loaded.beginDecay(channel: "lr", steps: 60, shape: "cosine", to: 0)
    events.refresh(loaded, &lrMore, &momentumMore)
    events.run(loaded, 90, into: &lrMore, &momentumMore)
    let spec = try Schedule.parse(try loaded.playedSpec(channel: "lr"))
    #expect(bits(spec, lrMore.count) == lrMore.map(\.bitPattern))
  }

  @Test func itsSizeDoesNotGrowWithTheRunsLength() throws {
    let r = try Runtime(configText: RuntimeIntrospectionTests.config)
    var out = [0.0, 0.0]
    try r.beginDecay(channel: "momentum", steps: 5, shape: "linear", to: 0.9)
    let early = try r.playedSpec(channel: "momentum")
    for _ in 0..<200_000 { out.withUnsafeMutableBufferPointer { r.advance(gradNorm: 1, into: $0.baseAddress!) } }
    #expect(try r.playedSpec(channel: "momentum") == early)
    #expect(try r.playedSpec(channel: "lr").utf8.count < 2000)
  }

  @Test func aRefinedChannelHasAPlayedSpecUntilASecondReplan() throws {
    let r = try Runtime(configText: RuntimeIntrospectionTests.refinedConfig)
    var lr = [r.value(channel: 0)]
    events.refinedRun(r, 0..<450, &lr)
    #expect(r.lastReplan == 300 && r.channels[0].segments.last!.start == 300)
    let spec = try Schedule.parse(try r.playedSpec(channel: "lr"))
    #expect(bits(spec, lr.count) == lr.map(\.bitPattern))
    events.refinedRun(r, 450..<600, &lr)
    #expect(r.lastReplan == 500)
    #expect(throws: RuntimeError.self) { try r.playedSpec(channel: "lr") }
  }

  @Test func configSyntaxErrorsGiveLineAndColumn() throws {
    do {
      _ = try RuntimeConfig.parse("{\n  \"channels\": {\"lr\": {\"preset\": \"constant\"},}\n}")
      Issue.record("accepted")
    } catch {
      #expect(error.message.contains("invalid JSON at line 2, column 45"), "\(error)")
    }
  }
}
