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
  public let config: RuntimeConfig
  /// The channels, in config order. Every change refreshes the per-step
  /// cache of the segments in force.
  public internal(set) var channels: [Channel] {
    didSet { refreshHotSegments() }
  }
  /// Optimizer steps taken so far; the current values are those of this step.
  @exclusivity(unchecked) public internal(set) var step: Int64 = 0
  /// The gradient norm of every step taken (NaN when not measured).
  @exclusivity(unchecked) public internal(set) var norms: [Double] = []
  /// Step of the last online re-plan (or -1).
  @exclusivity(unchecked) public internal(set) var lastReplan: Int64 = -1
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
  @usableFromInline let scaleBuffer: UnsafeMutablePointer<Double>
  @usableFromInline let channelTotal: Int
  @usableFromInline let groupTotal: Int
  /// Online refinement cadence (0: off), cached out of `config`.
  @usableFromInline let refineEvery: Int64
  @usableFromInline let refineMinHistory: Int64

  deinit {
    hot.deallocate()
    scaleBuffer.deallocate()
  }

  /// Re-reads the segment in force of every channel (the last one: segments
  /// only ever start at or before the current step).
  func refreshHotSegments() {
    for (j, channel) in channels.enumerated() where j < channelTotal {
      let s = channel.segments[channel.segments.count - 1]
      hot[j] = HotSegment(schedule: Unmanaged.passUnretained(s.schedule), start: s.start, origin: s.origin, rate: s.rate)
    }
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

  public var channelCount: Int { channelTotal }
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
    self.scaleBuffer = .allocate(capacity: scales.count)
    self.scaleBuffer.initialize(from: scales, count: scales.count)
    self.channels = channels
    refreshHotSegments()
    norms.reserveCapacity(1024)
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
  /// - Complexity: O(channels x (events + phases) + groups x channels).
  @inlinable
  public func values(into out: UnsafeMutablePointer<Double>) {
    let t = step
    let c = channelTotal
    if c == 1 && groupTotal == 1 {
      out[0] = hotValue(0, at: t) * scaleBuffer[0]
      return
    }
    for j in 0..<c {
      let v = hotValue(j, at: t)
      var g = 0
      while g < groupTotal {
        out[g &* c &+ j] = v * scaleBuffer[g &* c &+ j]
        g &+= 1
      }
    }
  }

  /// The value of one channel at the current step (before group scales).
  public func value(channel: Int) -> Double { hotValue(channel, at: step) }

  /// Records the gradient norm of the current step (NaN when not measured),
  /// advances one step, re-plans when online refinement is due, and writes
  /// the new step's values.
  ///
  /// - Complexity: amortised O(1) plus a re-plan (O(T log w)) every
  ///   `refine.every` steps.
  public func advance(gradNorm: Double, into out: UnsafeMutablePointer<Double>) {
    norms.append(gradNorm)
    step &+= 1
    if refineEvery > 0 && step >= refineMinHistory && step &- Swift.max(lastReplan, 0) >= refineEvery,
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
        throw .argument("no channel named \"\(name)\" (channels: \(channels.map(\.name).joined(separator: ", ")))")
      }
      return i
    }
    return channels.firstIndex { $0.name == "lr" } ?? 0
  }
}
