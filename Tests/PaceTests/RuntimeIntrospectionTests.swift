//===--- RuntimeIntrospectionTests.swift ----------------------------------===//
// The event log, cooldown state and played values of a runtime.
//===----------------------------------------------------------------------===//
import Testing
@testable import Pace

@Suite struct RuntimeIntrospectionTests {
  static let config = #"""
    {"channels": {"lr": {"preset": "wsd", "peak": 0.001, "warmup_steps": 50, "total_steps": 2000, "decay_steps": 400},
                  "momentum": {"peak": 0.95, "phases": [{"shape": "cosine", "steps": 600, "to": 0.85}]}}}
    """#

  /// Steps `n` times, returning the lr and momentum of every step taken
  /// (the value of step `t` is at index `t`, including step 0).
  func run(_ r: Runtime, _ n: Int, into lr: inout [Double], _ momentum: inout [Double]) {
    var out = [Double](repeating: 0, count: r.valueCount)
    if lr.isEmpty {
      out.withUnsafeMutableBufferPointer { r.values(into: $0.baseAddress!) }
      lr.append(out[0]); momentum.append(out[1])
    }
    for _ in 0..<n {
      out.withUnsafeMutableBufferPointer { r.advance(gradNorm: 1, into: $0.baseAddress!) }
      lr.append(out[0]); momentum.append(out[1])
    }
  }

  /// Replaces the values of the current step by those in force after an
  /// event (a rewarm changes the current step's value; the others keep it).
  func refresh(_ r: Runtime, _ lr: inout [Double], _ momentum: inout [Double]) {
    lr[lr.count - 1] = r.value(channel: 0)
    momentum[momentum.count - 1] = r.value(channel: 1)
  }

  /// A run with a decay event, a rewarm and set_total_steps.
  func eventfulRun() throws -> (Runtime, [Double], [Double]) {
    let r = try Runtime(configText: Self.config)
    var lr: [Double] = [], momentum: [Double] = []
    run(r, 300, into: &lr, &momentum)
    try r.setTotalSteps(1500)
    refresh(r, &lr, &momentum)
    run(r, 200, into: &lr, &momentum)
    try r.beginDecay(channel: "lr", steps: 120, shape: "sqrt", to: 0.1)
    refresh(r, &lr, &momentum)
    run(r, 150, into: &lr, &momentum)
    try r.rewarm(channel: nil, spec: #"{"peak": 0.0005, "phases": [{"shape": "linear", "steps": 40, "from": 0.1, "to": 1}, {"shape": "cosine", "steps": 200, "to": 0}]}"#)
    refresh(r, &lr, &momentum)
    run(r, 100, into: &lr, &momentum)
    try r.beginDecay(channel: "momentum", steps: 10, shape: "linear", to: 0.5)
    refresh(r, &lr, &momentum)
    run(r, 30, into: &lr, &momentum)
    return (r, lr, momentum)
  }

  /// The indices where two value lists differ (bit for bit), at most 5.
  func mismatches(_ a: [Double], _ b: [Double]) -> [Int] {
    guard a.count == b.count else { return [-1] }
    return Array(a.indices.filter { a[$0].bitPattern != b[$0].bitPattern }.prefix(5))
  }

  @Test func eventsAreLoggedWithTheirSteps() throws {
    let (r, _, _) = try eventfulRun()
    #expect(r.events.map(\.kind) == [.setTotalSteps, .beginDecay, .rewarm, .beginDecay])
    #expect(r.events.map(\.step) == [300, 500, 650, 750])
    #expect(r.events.map(\.channel) == [nil, 0, 0, 1])
    #expect(r.events[1].steps == 120 && r.events[1].text == "sqrt" && r.events[1].to == 0.1)
    #expect(r.events[0].steps == 1500)
    let parsed = try JSONReader.parse(Array(r.eventsJSON.utf8))
    guard case .array(let items) = parsed else { Issue.record("events JSON is not an array"); return }
    #expect(items.count == 4)
    #expect(r.eventsJSON.contains(#""kind":"begin_decay""#) || r.eventsJSON.contains(#""kind": "begin_decay""#))
  }

  @Test func refusedEventsAreNotLogged() throws {
    let r = try Runtime(configText: Self.config)
    #expect(throws: RuntimeError.self) { try r.beginDecay(channel: "lr", steps: 0, shape: "sqrt", to: 0) }
    #expect(throws: RuntimeError.self) { try r.rewarm(channel: "lr", spec: "{") }
    #expect(throws: RuntimeError.self) { try r.setTotalSteps(0) }
    #expect(r.events.isEmpty)
  }

  @Test func cooldownStartsWithBeginDecayAndEndsWithRewarm() throws {
    let r = try Runtime(configText: Self.config)
    var lr: [Double] = [], momentum: [Double] = []
    #expect(try !r.cooldownStarted(channel: "lr"))
    run(r, 100, into: &lr, &momentum)
    try r.beginDecay(channel: nil, steps: 50, shape: "linear", to: 0)
    #expect(try r.cooldownStarted(channel: "lr"))
    #expect(try !r.cooldownStarted(channel: "momentum"))
    try r.setTotalSteps(1000)
    #expect(try r.cooldownStarted(channel: "lr"))
    try r.rewarm(channel: "lr", spec: #"{"preset": "constant"}"#)
    #expect(try !r.cooldownStarted(channel: "lr"))
    #expect(throws: RuntimeError.self) { try r.cooldownStarted(channel: "nope") }
  }

  @Test func eventsSurviveSaveAndLoadByteIdentically() throws {
    let (r, lr, _) = try eventfulRun()
    let blob = r.save()
    let loaded = try Runtime.load(blob)
    #expect(loaded.events == r.events)
    #expect(loaded.save() == blob)
    #expect(try loaded.cooldownStarted(channel: "momentum"))
    var played = [Double](repeating: 0, count: lr.count)
    try played.withUnsafeMutableBufferPointer { try loaded.playedValues(channel: "lr", from: 0, into: $0) }
    #expect(mismatches(played, lr) == [])
  }

  @Test func formatTwoCheckpointsLoadWithAnEmptyLog() throws {
    let r = try Runtime(configText: Self.config)
    var lr: [Double] = [], momentum: [Double] = []
    run(r, 10, into: &lr, &momentum)
    // A version-2 blob: the same payload without the event log (an empty
    // log is its last 4 bytes), version field 2, CRC recomputed.
    var blob = Array(r.save().dropLast(4 + 4))
    blob[8] = 2
    let length = UInt64(blob.count - Runtime.headerSize)
    for i in 0..<8 { blob[12 + i] = UInt8(truncatingIfNeeded: length >> (8 * i)) }
    let crc = blob.withUnsafeBytes { CRC32.checksum($0) }
    for i in 0..<4 { blob.append(UInt8(truncatingIfNeeded: crc >> (8 * i))) }
    let loaded = try Runtime.load(blob)
    #expect(loaded.events.isEmpty && loaded.step == 10)
  }

  @Test func damagedEventLogsAreRefused() throws {
    let (r, _, _) = try eventfulRun()
    let blob = r.save()
    // Every truncation of the payload is refused whole.
    for cut in stride(from: 1, to: 200, by: 7) {
      var b = Array(blob.dropLast(4 + cut))
      let length = UInt64(b.count - Runtime.headerSize)
      for i in 0..<8 { b[12 + i] = UInt8(truncatingIfNeeded: length >> (8 * i)) }
      let crc = b.withUnsafeBytes { CRC32.checksum($0) }
      for i in 0..<4 { b.append(UInt8(truncatingIfNeeded: crc >> (8 * i))) }
      #expect(throws: RuntimeError.self) { try Runtime.load(b) }
    }
  }

  @Test func playedValuesEqualEveryStepOfARunWithEvents() throws {
    let (r, lr, momentum) = try eventfulRun()
    var played = [Double](repeating: 0, count: lr.count)
    try played.withUnsafeMutableBufferPointer { try r.playedValues(channel: 0, from: 0, into: $0) }
    #expect(mismatches(played, lr) == [])
    try played.withUnsafeMutableBufferPointer { try r.playedValues(channel: 1, from: 0, into: $0) }
    #expect(mismatches(played, momentum) == [])
    // A sub-range.
    var part = [Double](repeating: 0, count: 100)
    try part.withUnsafeMutableBufferPointer { try r.playedValues(channel: 0, from: 480, into: $0) }
    #expect(mismatches(part, Array(lr[480..<580])) == [])
    // Beyond the current step: refused.
    var tooMany = [Double](repeating: 0, count: lr.count + 1)
    #expect(throws: RuntimeError.self) {
      try tooMany.withUnsafeMutableBufferPointer { try r.playedValues(channel: 0, from: 0, into: $0) }
    }
  }

  @Test func aForgedLogThatCannotBeReplayedIsAnErrorNotATrap() throws {
    let r = try Runtime(configText: Self.config)
    var lr: [Double] = [], momentum: [Double] = []
    run(r, 20, into: &lr, &momentum)
    r.events = [RuntimeEvent(kind: .setTotalSteps, step: 10, channel: nil, steps: 5),
                RuntimeEvent(kind: .beginDecay, step: 12, channel: 0, steps: 10, to: 0, text: "no-such-shape")]
    let loaded = try Runtime.load(r.save())  // the fields are in range: it loads
    #expect(loaded.events.count == 2)
    var out = [Double](repeating: 0, count: 21)
    #expect(throws: RuntimeError.self) {
      try out.withUnsafeMutableBufferPointer { try loaded.playedValues(channel: 0, from: 0, into: $0) }
    }
    // A bad channel index or an unsorted log is refused at load.
    r.events = [RuntimeEvent(kind: .rewarm, step: 3, channel: 7, text: "{}")]
    #expect(throws: RuntimeError.self) { try Runtime.load(r.save()) }
    r.events = [RuntimeEvent(kind: .rewarm, step: 9, channel: 0, text: "{}"), RuntimeEvent(kind: .rewarm, step: 3, channel: 0, text: "{}")]
    #expect(throws: RuntimeError.self) { try Runtime.load(r.save()) }
  }

  /// A cosine lr refined online: re-planned at steps 300, 500, 700, ...
  static let refinedConfig = #"""
    {"channels": {"lr": {"preset": "cosine", "peak": 0.001, "warmup_steps": 10, "total_steps": 3000}},
     "refine": {"every": 200, "norm": "l2", "smoothing": 0.1, "min_history": 300}}
    """#

  /// Steps a one-channel runtime through `steps` (step numbers, for the
  /// norms' pattern), appending each new lr to `lr`.
  func refinedRun(_ r: Runtime, _ steps: Range<Int>, _ lr: inout [Double]) {
    var out = [0.0]
    for t in steps {
      out.withUnsafeMutableBufferPointer { r.advance(gradNorm: 1 + Double(t % 13) / 50, into: $0.baseAddress!) }
      lr.append(out[0])
    }
  }

  @Test func refinedChannelKeepsTheExactRangesOnly() throws {
    let r = try Runtime(configText: Self.refinedConfig)
    var lr = [r.value(channel: 0)]
    refinedRun(r, 0..<900, &lr)
    #expect((r.lastReplan ?? -1) >= 300)
    var early = [Double](repeating: 0, count: 300)
    try early.withUnsafeMutableBufferPointer { try r.playedValues(channel: 0, from: 0, into: $0) }
    #expect(mismatches(early, Array(lr[0..<300])) == [])
    let start = r.channels[0].segments.last!.start
    var late = [Double](repeating: 0, count: 901 - Int(start))
    try late.withUnsafeMutableBufferPointer { try r.playedValues(channel: 0, from: start, into: $0) }
    #expect(mismatches(late, Array(lr[Int(start)...])) == [])
    var middle = [Double](repeating: 0, count: 10)
    #expect(throws: RuntimeError.self) {
      try middle.withUnsafeMutableBufferPointer { try r.playedValues(channel: 0, from: start - 5, into: $0) }
    }
  }
}
