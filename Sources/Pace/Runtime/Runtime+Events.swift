//===--- Runtime+Events.swift ---------------------------------------------===//
// Events of a real run: begin a cooldown now, re-warm, change the length.
//===----------------------------------------------------------------------===//

extension Runtime {
  /// Starts a cooldown at the current step: over `steps` steps the channel
  /// goes from its current value to `to` x its schedule's peak along
  /// `shape` (an interpolating shape: linear, cosine, sqrt, square,
  /// polynomial, rex, exponential), then holds. For WSD runs whose length
  /// was not known in advance (an open-ended stable phase).
  ///
  /// Values of earlier steps never change; the current step keeps its value.
  public func beginDecay(channel name: String?, steps: Int64, shape: String, to: Double) throws(RuntimeError) {
    let c = try channelIndex(name)
    guard steps >= 1 && steps <= SpecObject.maximumStepCount else {
      throw .argument("decay_steps must be in [1, 2^53], got \(steps)")
    }
    guard to.isFinite && to >= 0 else { throw .argument("to must be a finite multiplier >= 0, got \(to)") }
    guard Self.decayShapes.contains(shape) else {
      throw .argument("shape must be one of \(Self.decayShapes.joined(separator: ", ")), got \(quotedExcerpt(shape))")
    }
    guard shape != "exponential" || to > 0 else { throw .argument("an exponential decay needs to > 0, got \(to)") }
    let peak = channels[c].currentPeak
    let current = value(channel: c) / peak
    let spec: JSONValue = .object([
      ("peak", json(peak)),
      ("phases", .array([phaseJSON(shape, [("steps", json(steps)), ("from", json(current)), ("to", json(to))])])),
    ])
    let schedule: Schedule
    do throws(SpecError) {
      schedule = try Schedule.parse(spec)
    } catch {
      throw .spec(SpecError(path: "", "begin_decay: \(error.description)"))
    }
    channels[c].append(Segment(start: step, schedule: schedule, origin: 0, rate: 1))
    record(RuntimeEvent(kind: .beginDecay, step: step, channel: c, steps: steps, to: to, text: shape))
  }

  /// The shapes `beginDecay` accepts: those going from a value to `to`.
  static let decayShapes = ["linear", "cosine", "sqrt", "square", "polynomial", "rex", "exponential"]

  /// Continual pre-training (Ibrahim et al. 2024): from the current step,
  /// plays `spec` (a new warmup and decay) from its step 0; earlier values
  /// and the norm history are kept.
  public func rewarm(channel name: String?, spec: String) throws(RuntimeError) {
    let c = try channelIndex(name)
    do throws(SpecError) {
      let schedule = try Schedule.parse(spec)
      channels[c].append(Segment(start: step, schedule: schedule, origin: 0, rate: 1))
    } catch {
      throw .spec(error)
    }
    record(RuntimeEvent(kind: .rewarm, step: step, channel: c, text: spec))
  }

  /// Extends or shortens the run to `total` steps. Policy: values already
  /// played never change; for every channel with a finite schedule, the rest
  /// of its current segment (from the current position to its end) is
  /// stretched or compressed in time to end at step `total`, so the value at
  /// the current step is kept and the curve keeps its shape. Open-ended
  /// channels (a constant weight decay, a WSD stable phase) are unchanged.
  public func setTotalSteps(_ total: Int64) throws(RuntimeError) {
    guard total > step && total <= SpecObject.maximumStepCount else {
      throw .argument("total_steps must be in (current step \(step), 2^53], got \(total)")
    }
    var changed = 0
    for c in channels.indices {
      let segment = channels[c].segment(at: step)
      let position = segment.origin + Double(step - segment.start) * segment.rate
      let end = segment.schedule.end
      guard end.isFinite, position < end else { continue }
      let rate = (end - position) / Double(total - step)
      channels[c].append(Segment(start: step, schedule: segment.schedule, origin: position, rate: rate))
      changed += 1
    }
    if changed == 0 {
      throw .argument("no channel has a finite schedule left to stretch (open-ended: use begin_decay)")
    }
    record(RuntimeEvent(kind: .setTotalSteps, step: step, channel: nil, steps: total))
  }
}
