//===--- Runtime+Introspection.swift --------------------------------------===//
// What a run did: its event log, whether a cooldown has begun.
//===----------------------------------------------------------------------===//

/// One event of a run, as the caller asked for it.
///
/// Events are the caller's calls (`beginDecay`, `rewarm`, `setTotalSteps`),
/// so the log holds O(calls) entries. Online re-plans are NOT events: they
/// are the runtime's own, happen every `refine.every` steps (a log of them
/// would grow with the run's length), and `Runtime.lastReplan` reports the
/// latest.
package struct RuntimeEvent: Sendable, Equatable {
  /// The kind of call; the raw value is stored in checkpoints.
  package enum Kind: UInt32, Sendable {
    case beginDecay = 1, rewarm = 2, setTotalSteps = 3

    /// The name used in JSON and the docs.
    package var name: String {
      switch self {
      case .beginDecay: "begin_decay"
      case .rewarm: "rewarm"
      case .setTotalSteps: "set_total_steps"
      }
    }
  }

  package var kind: Kind
  /// The step the event took effect at (the runtime's step when called).
  package var step: Int64
  /// The channel index, or nil for every channel (`setTotalSteps`).
  package var channel: Int?
  /// `beginDecay`: decay steps; `setTotalSteps`: the new total; else 0.
  package var steps: Int64
  /// `beginDecay`: the final multiplier `to`; else 0.
  package var to: Double
  /// `beginDecay`: the shape; `rewarm`: the spec as given; else empty.
  package var text: String

  package init(kind: Kind, step: Int64, channel: Int?, steps: Int64 = 0, to: Double = 0, text: String = "") {
    self.kind = kind
    self.step = step
    self.channel = channel
    self.steps = steps
    self.to = to
    self.text = text
  }
}

extension Runtime {
  /// Whether channel `c` is in a cooldown started by `beginDecay`: true once
  /// a `beginDecay` on it was applied and no `rewarm` of it came later (a
  /// rewarm starts a new cycle). A cooldown planned in the base schedule
  /// (a WSD preset's decay phase) is not an event and does not count.
  ///
  /// - Complexity: O(events).
  package func cooldownStarted(channel c: Int) -> Bool {
    for event in events.reversed() where event.channel == c {
      switch event.kind {
      case .beginDecay: return true
      case .rewarm: return false
      case .setTotalSteps: continue
      }
    }
    return false
  }

  /// `cooldownStarted(channel:)` by name (`nil`: the `lr` channel, or the first).
  public func cooldownStarted(channel name: String?) throws(RuntimeError) -> Bool {
    cooldownStarted(channel: try channelIndex(name))
  }

  /// The event log as JSON: `[{"kind": "begin_decay", "step": 1200,
  /// "channel": "lr", "decay_steps": 300, "shape": "sqrt", "to": 0}, ...]`,
  /// in the order applied (rewarm: `"spec"`, the spec text as given;
  /// set_total_steps: `"total_steps"` and `"channel": null`).
  ///
  /// - Complexity: O(events + their texts).
  public var eventsJSON: String {
    let items: [JSONValue] = events.map { event in
      var fields: [(key: String, value: JSONValue)] = [("kind", .string(event.kind.name)), ("step", json(event.step))]
      let name = event.channel.flatMap { channels.indices.contains($0) ? channels[$0].name : nil }
      fields.append(("channel", name.map { .string($0) } ?? .null))
      switch event.kind {
      case .beginDecay:
        fields += [("decay_steps", json(event.steps)), ("shape", .string(event.text)), ("to", json(event.to))]
      case .rewarm:
        fields.append(("spec", .string(event.text)))
      case .setTotalSteps:
        fields.append(("total_steps", json(event.steps)))
      }
      return .object(fields)
    }
    return JSONWriter.render(.array(items))
  }

  /// Appends an applied event to the log.
  func record(_ event: RuntimeEvent) { events.append(event) }

  /// Writes the event log (format version 3 on): count (u32), per event:
  /// kind (u32), channel (u32, two's complement; -1: every channel), step (i64), steps (i64),
  /// to (f64 bits), text (u64 length + UTF-8).
  func writeEvents(to writer: inout ByteWriter) {
    writer.uint32(UInt32(events.count))
    for event in events {
      writer.uint32(event.kind.rawValue)
      writer.uint32(UInt32(bitPattern: Int32(event.channel ?? -1)))
      writer.int64(event.step)
      writer.int64(event.steps)
      writer.uint64(event.to.bitPattern)
      writer.text(event.text)
    }
  }

  /// Smallest saved event: 4 + 4 + 8 + 8 + 8 + 8 bytes.
  static let savedEventMinimumSize = 40

  /// Reads an event log written by `writeEvents(to:)`, checking every field
  /// against the runtime's channels and `step`; reads are bounded by the
  /// reader's end.
  static func readEvents(from reader: inout ByteReader, channelCount: Int, step: Int64) throws(RuntimeError) -> [RuntimeEvent] {
    let count = try reader.uint32()
    guard Int(count) <= reader.remaining / savedEventMinimumSize else {
      throw .state("saved state declares \(count) events, more than its bytes can hold")
    }
    var events: [RuntimeEvent] = []
    events.reserveCapacity(Int(count))
    var previous: Int64 = 0
    for _ in 0..<Int(count) {
      guard let kind = RuntimeEvent.Kind(rawValue: try reader.uint32()) else { throw .state("saved state has an event of unknown kind") }
      let savedChannel = Int32(bitPattern: try reader.uint32())
      let at = try reader.int64()
      let steps = try reader.int64()
      let to = Double(bitPattern: try reader.uint64())
      let text = try reader.text()
      let channel: Int? = savedChannel >= 0 ? Int(savedChannel) : nil
      let channelValid = kind == .setTotalSteps ? savedChannel == -1 : (savedChannel >= 0 && Int(savedChannel) < channelCount)
      guard channelValid, at >= previous, at <= step, steps >= 0, steps <= SpecObject.maximumStepCount, to.isFinite else {
        throw .state("saved state has an invalid event")
      }
      previous = at
      events.append(RuntimeEvent(kind: kind, step: at, channel: channel, steps: steps, to: to, text: text))
    }
    return events
  }
}

/// The schedule actually played, step by step.
///
/// A channel's played timeline is its base schedule, then one segment per
/// event on it (`Channel` keeps only the base and the segment in force).
/// The timeline is rebuilt on demand by replaying the event log on a fresh
/// runtime of the same config: events are deterministic functions of the
/// segments before them, so the replay gives the same segments and the same
/// bits. Memory stays O(events); nothing grows with the run's length.
///
/// Online re-plans are not replayed (they depend on the norms): for the
/// refined channel, once a re-plan happened, the values before the first
/// possible re-plan (`max(refine.every, refine.min_history)`) and from the
/// start of the segment in force on are exact; steps in between are
/// refused (`RuntimeError.argument`).
extension Runtime {
  /// The played segments of every channel, in increasing `start`.
  ///
  /// - Complexity: O(events x (config parse + phases)).
  func playedTimelines() throws(RuntimeError) -> [[Segment]] {
    let scratch = try Runtime(config: config)
    var timelines = scratch.channels.map { $0.segments }
    for event in events {
      scratch.step = event.step
      let name = event.channel.flatMap { channels.indices.contains($0) ? channels[$0].name : nil }
      do throws(RuntimeError) {
        switch event.kind {
        case .beginDecay: try scratch.beginDecay(channel: name, steps: event.steps, shape: event.text, to: event.to)
        case .rewarm: try scratch.rewarm(channel: name, spec: event.text)
        case .setTotalSteps: try scratch.setTotalSteps(event.steps)
        }
      } catch {
        // An event on a channel re-planned online may not replay on its
        // base (its values there are not read from the replay): skip it.
        if let refine = config.refine, lastReplan != nil, name == refine.channel { continue }
        throw .argument("the event log cannot be replayed at step \(event.step): \(error)")
      }
      for j in timelines.indices {
        let last = scratch.channels[j].segments[scratch.channels[j].segments.count - 1]
        let known = timelines[j][timelines[j].count - 1]
        guard last.start == event.step,
          !(last.schedule === known.schedule && last.start == known.start && last.origin == known.origin && last.rate == known.rate)
        else { continue }
        if known.start == last.start { timelines[j][timelines[j].count - 1] = last } else { timelines[j].append(last) }
      }
    }
    return timelines
  }

  /// ``playedValues(channel:from:into:)`` by name (`nil`: `lr`, or the first).
  public func playedValues(channel name: String?, from first: Int64, into out: UnsafeMutableBufferPointer<Double>) throws(RuntimeError) {
    try playedValues(channel: try channelIndex(name), from: first, into: out)
  }

  /// Writes the value channel `c` played (before group scales) at steps
  /// `first ..< first + out.count`, all at or before the current step.
  ///
  /// - Complexity: O(events x (config parse + phases) + count x phases).
  package func playedValues(channel c: Int, from first: Int64, into out: UnsafeMutableBufferPointer<Double>) throws(RuntimeError) {
    guard c >= 0, c < channels.count else { throw .argument("channel index \(c) is out of range [0, \(channels.count))") }
    guard first >= 0, first <= step, Int64(out.count) - 1 <= step - first else {  // never overflows: 0 <= first <= step
      throw .argument("\(out.count) steps from step \(first) are not all in [0, current step \(step)]")
    }
    if out.isEmpty { return }
    let last = first + Int64(out.count) - 1
    let current = channels[c].segments[channels[c].segments.count - 1]
    var replayedEnd = last + 1  // steps below this come from the replay
    if let refine = config.refine, refine.channel == channels[c].name, lastReplan != nil {
      let firstReplan = Swift.max(refine.every, refine.minHistory)
      replayedEnd = Swift.min(replayedEnd, firstReplan)
      if first < current.start && last >= firstReplan {
        throw .argument("channel \(quotedExcerpt(channels[c].name)) was re-planned online: its played values are kept before step \(firstReplan) and from step \(current.start) on, not at steps \(Swift.max(first, firstReplan)) ..< \(current.start)")
      }
    }
    let timeline = first < replayedEnd ? try playedTimelines()[c] : [current]
    var piece = 0
    for k in 0..<out.count {
      let t = first + Int64(k)
      if t >= replayedEnd {
        out[k] = current.value(at: t)
        continue
      }
      while piece + 1 < timeline.count && timeline[piece + 1].start <= t { piece += 1 }
      out[k] = timeline[piece].value(at: t)
    }
  }
}
