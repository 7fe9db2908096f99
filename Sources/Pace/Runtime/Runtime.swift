//===--- Runtime.swift ----------------------------------------------------===//
// The training-loop runtime: step counter, channels, groups, norm history.
//===----------------------------------------------------------------------===//

/// Why a runtime call was refused.
public enum RuntimeError: Error, Sendable, CustomStringConvertible {
  /// A bad argument (unknown channel, a step count out of range...).
  case argument(String)
  /// A spec or config rejected, with its JSON path.
  case spec(SpecError)
  /// Saved state truncated, corrupted or of another kind.
  case state(String)
  /// Saved state of an unknown (future) format version.
  case version(String)

  public var description: String {
    switch self {
    case .argument(let m), .state(let m), .version(let m): return m
    case .spec(let e): return e.description
    }
  }
}

/// The state a training loop needs around its schedules: the optimizer step,
/// several channels (hyper-parameters), parameter groups with a scale per
/// channel, the gradient-norm history, the run's events (a cooldown that
/// starts now, re-warming, a new length) and online refinement.
///
/// Values are laid out group-major: `values[g * channelCount + c]`.
/// A runtime is used by one thread at a time.
public final class Runtime {
  /// The config the runtime was created from.
  public let config: RuntimeConfig
  /// The channels, in config order. Every change refreshes the per-step
  /// cache of the segments in force.
  package internal(set) var channels: [Channel] {
    didSet { refreshHotSegments() }
  }
  /// Optimizer steps taken so far; the current values are those of this step.
  @exclusivity(unchecked) public internal(set) var step: Int64 = 0
  /// The gradient norms of the steps taken (NaN when not measured),
  /// bounded: decimated by halving past `NormHistory.capacity` steps.
  @exclusivity(unchecked) package internal(set) var history = NormHistory()
  /// Step of the last online re-plan, or nil before the first.
  @exclusivity(unchecked) public internal(set) var lastReplan: Int64?
  /// The events applied so far, in order (see `RuntimeEvent`; re-plans are
  /// not events). O(calls) entries; saved in checkpoints from format 3.
  package internal(set) var events: [RuntimeEvent] = []
  /// Group scales, group-major (`groupCount x channelCount`).
  @usableFromInline let scales: [Double]

  /// The segment in force of each channel, as plain data (an unretained
  /// reference kept alive by `channels`), read by the per-step path without
  /// reference counting or exclusivity checks.
  @usableFromInline struct HotSegment {
    @usableFromInline var schedule: Unmanaged<Schedule>
    @usableFromInline var start: Int64
    @usableFromInline var origin: Double
    @usableFromInline var rate: Double

    @usableFromInline init(schedule: Unmanaged<Schedule>, start: Int64, origin: Double, rate: Double) {
      self.schedule = schedule
      self.start = start
      self.origin = origin
      self.rate = rate
    }
  }
  @usableFromInline let hot: UnsafeMutablePointer<HotSegment>
  /// Look-ahead values: channel `j`'s values of steps `aheadStart ..<
  /// aheadStart + aheadCount` at `ahead[j * lookahead ...]`, filled with the
  /// schedules' SIMD fills (bit-identical to `value(at:)`), so a step reads
  /// its values instead of evaluating them. Emptied whenever a segment in
  /// force changes (events, re-plans).
  @usableFromInline let ahead: UnsafeMutablePointer<Double>
  @exclusivity(unchecked) @usableFromInline var aheadStart: Int64 = 0
  @exclusivity(unchecked) @usableFromInline var aheadCount: Int = 0
  /// Steps filled ahead per channel.
  @usableFromInline static let lookahead = 256
  @usableFromInline let scaleBuffer: UnsafeMutablePointer<Double>
  @usableFromInline let channelTotal: Int
  @usableFromInline let groupTotal: Int
  /// Online refinement cadence (0: off), cached out of `config`.
  @usableFromInline let refineEvery: Int64
  @usableFromInline let refineMinHistory: Int64

  deinit {
    hot.deallocate()
    ahead.deallocate()
    scaleBuffer.deallocate()
  }

  /// Re-reads the segment in force of every channel (the last one: segments
  /// only ever start at or before the current step).
  func refreshHotSegments() {
    for (j, channel) in channels.enumerated() where j < channelTotal {
      let s = channel.segments[channel.segments.count - 1]
      hot[j] = HotSegment(schedule: Unmanaged.passUnretained(s.schedule), start: s.start, origin: s.origin, rate: s.rate)
    }
    aheadCount = 0
  }

  /// Refills the look-ahead from step `t` (at or after every segment's start).
  ///
  /// - Complexity: O(channels x (lookahead + phases)).
  @usableFromInline
  func fillAhead(from t: Int64) {
    let count = Self.lookahead
    guard t <= Int64.max - Int64(count) else {  // never reached by stepping; keep the arithmetic safe
      aheadCount = 0
      return
    }
    for j in 0..<channelTotal {
      let h = hot[j]
      let row = ahead + j * count
      if h.rate == 1 && h.origin == 0 {
        h.schedule._withUnsafeGuaranteedRef { schedule in
          schedule.fill(from: t &- h.start, into: UnsafeMutableBufferPointer(start: row, count: count))
        }
      } else {
        for k in 0..<count { row[k] = hotValue(j, at: t &+ Int64(k)) }
      }
    }
    aheadStart = t
    aheadCount = count
  }

  /// Offset of step `t` in the look-ahead, refilling it when `t` is outside.
  @inlinable @inline(__always)
  func aheadOffset(_ t: Int64) -> Int? {
    var k = t &- aheadStart
    if k < 0 || k >= Int64(aheadCount) {
      fillAhead(from: t)
      if aheadCount == 0 { return nil }
      k = 0
    }
    return Int(k)
  }

  /// The value of channel `j` at step `t` (at or after its segment's start).
  @inlinable @inline(__always)
  func hotValue(_ j: Int, at t: Int64) -> Double {
    let h = hot[j]
    return h.schedule._withUnsafeGuaranteedRef { schedule in
      if h.rate == 1 && h.origin == 0 { return schedule.value(at: t &- h.start) }
      return schedule.peak * schedule.multiplier(atPosition: h.origin + Double(t &- h.start) * h.rate)
    }
  }

  /// Number of channels (hyper-parameters), `>= 1`.
  public var channelCount: Int { channelTotal }
  /// Number of parameter groups, `>= 1`.
  public var groupCount: Int { groupTotal }
  /// Number of values written by ``values(into:)``: groups x channels.
  public var valueCount: Int { channelTotal &* groupTotal }

  /// Creates a runtime at step 0 from a parsed config.
  public init(config: RuntimeConfig) throws(RuntimeError) {
    self.config = config
    var channels: [Channel] = []
    for (name, spec) in zip(config.channelNames, config.channelSpecs) {
      do throws(SpecError) {
        let schedule = try Schedule.parse(spec)
        channels.append(Channel(name: name, segments: [Segment(start: 0, schedule: schedule, origin: 0, rate: 1)]))
      } catch {
        throw .spec(SpecError(path: joinPath("channels." + name, error.path), error.message))
      }
    }
    self.scales = config.groups.flatMap { $0.scales }
    self.channelTotal = channels.count
    self.groupTotal = config.groups.count
    self.refineEvery = config.refine?.every ?? 0
    self.refineMinHistory = config.refine?.minHistory ?? 0
    let first = channels[0].segments[0]
    self.hot = .allocate(capacity: channels.count)
    self.hot.initialize(repeating: HotSegment(schedule: Unmanaged.passUnretained(first.schedule), start: 0, origin: 0, rate: 1),
                        count: channels.count)
    self.ahead = .allocate(capacity: channels.count * Self.lookahead)
    self.ahead.initialize(repeating: 0, count: channels.count * Self.lookahead)
    self.scaleBuffer = .allocate(capacity: scales.count)
    self.scaleBuffer.initialize(from: scales, count: scales.count)
    self.channels = channels
    refreshHotSegments()
  }

  /// Creates a runtime from config text.
  public convenience init(configText: String) throws(RuntimeError) {
    let config: RuntimeConfig
    do throws(SpecError) {
      config = try RuntimeConfig.parse(configText)
    } catch {
      throw .spec(error)
    }
    try self.init(config: config)
  }

  /// Writes the values of the current step (`valueCount` of them).
  ///
  /// - Complexity: O(channels x groups), plus a look-ahead refill
  ///   (O(channels x (256 + phases)), SIMD) every 256 steps or after an event.
  @inlinable
  public func values(into out: UnsafeMutablePointer<Double>) {
    let t = step
    let c = channelTotal
    guard let k = aheadOffset(t) else {
      for j in 0..<c {
        for g in 0..<groupTotal { out[g &* c &+ j] = hotValue(j, at: t) * scaleBuffer[g &* c &+ j] }
      }
      return
    }
    if c == 1 && groupTotal == 1 {
      out[0] = ahead[k] * scaleBuffer[0]
      return
    }
    for j in 0..<c {
      let v = ahead[j &* Self.lookahead &+ k]
      var g = 0
      while g < groupTotal {
        out[g &* c &+ j] = v * scaleBuffer[g &* c &+ j]
        g &+= 1
      }
    }
  }

  /// The value of one channel at the current step (before group scales).
  ///
  /// - Precondition: `0 <= channel < channelCount` (an index of
  ///   `config.channelNames`).
  /// - Complexity: O(1).
  public func value(channel: Int) -> Double { hotValue(channel, at: step) }

  /// Records the gradient norm of the current step (NaN when not measured),
  /// advances one step, re-plans when online refinement is due, and writes
  /// the new step's values.
  ///
  /// - Complexity: amortised O(1) plus a re-plan (O(`NormHistory.capacity`)
  ///   at most, whatever the run's length) every `refine.every` steps.
  public func advance(gradNorm: Double, into out: UnsafeMutablePointer<Double>) {
    history.append(gradNorm)
    step &+= 1
    if refineEvery > 0 && step >= refineMinHistory && step &- (lastReplan ?? 0) >= refineEvery,
      let refine = config.refine
    {
      replan(refine)
    }
    values(into: out)
  }

  /// Index of a channel by name; `nil` names the `lr` channel (or the first).
  func channelIndex(_ name: String?) throws(RuntimeError) -> Int {
    if let name {
      guard let i = channels.firstIndex(where: { $0.name == name }) else {
        throw .argument("no channel named \(quotedExcerpt(name)) (channels: \(quotedExcerpt(channels.map(\.name).joined(separator: ", "), limit: 400)))")
      }
      return i
    }
    return channels.firstIndex { $0.name == "lr" } ?? 0
  }
}
