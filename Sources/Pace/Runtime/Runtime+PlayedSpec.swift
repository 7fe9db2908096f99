//===--- Runtime+PlayedSpec.swift -----------------------------------------===//
// The schedule a channel actually played, as a spec of `segment` phases.
//===----------------------------------------------------------------------===//

/// The played schedule as a spec: one `segment` phase per piece of the
/// channel's played timeline (its base schedule, then one piece per event
/// on it), each playing that piece's schedule from the position it started
/// at, at the rate it advanced (`set_total_steps` stretches time):
///
/// ```json
/// {"version": 1, "peak": 1, "after": "hold", "phases": [
///   {"shape": "segment", "steps": 1200, "spec": {<base schedule>}, "origin": 0, "rate": 1},
///   {"shape": "segment", "spec": {<the cooldown begun at step 1200>}, "origin": 0, "rate": 1}]}
/// ```
///
/// The last segment has no length: it is the schedule in force, which the
/// runtime keeps playing. The outer peak is 1, so each value is the nested
/// schedule's value (its own peak applied) with no rounding: compiled as a
/// schedule, the spec gives exactly the values the channel played (before
/// group scales), bit for bit, and the values it will play if no further
/// event comes. Its size is O(events x spec size), whatever the run's
/// length. For a channel refined online the re-plans are not kept (see
/// ``Runtime/playedValues(channel:from:into:)``): its played spec exists
/// while the segment in force started at or before the first possible
/// re-plan, and is refused (`RuntimeError.argument`) after a later one.
extension Runtime {
  /// The pieces of channel `c`'s played timeline, in increasing `start`,
  /// the last being the segment in force.
  ///
  /// - Complexity: O(events x (config parse + phases)).
  func playedPieces(channel c: Int) throws(RuntimeError) -> [Segment] {
    let current = channels[c].segments[channels[c].segments.count - 1]
    if let refine = config.refine, refine.channel == channels[c].name, lastReplan != nil {
      let firstReplan = Swift.max(refine.every, refine.minHistory)
      guard current.start <= firstReplan else {
        throw .argument("channel \(quotedExcerpt(channels[c].name)) was re-planned online after step \(firstReplan): the re-plans in force at steps \(firstReplan) ..< \(current.start) are not kept (checkpoints stay bounded), so its played schedule has no exact spec; pace_runtime_played_values gives the values before step \(firstReplan) and from step \(current.start) on")
      }
    }
    let earlier = try playedTimelines()[c].filter { $0.start < current.start }
    return earlier + [current]
  }

  /// The played schedule of channel `c` (see above), parsed.
  ///
  /// - Complexity: O(events x (config parse + spec size)).
  package func playedSchedule(channel c: Int) throws(RuntimeError) -> Schedule {
    guard c >= 0, c < channels.count else { throw .argument("channel index \(c) is out of range [0, \(channels.count))") }
    let pieces = try playedPieces(channel: c)
    var phases: [JSONValue] = []
    for (i, piece) in pieces.enumerated() {
      var fields: [(key: String, value: JSONValue)] = [("shape", .string("segment"))]
      if i + 1 < pieces.count { fields.append(("steps", json(pieces[i + 1].start - piece.start))) }
      fields += [("spec", piece.schedule.canonicalJSON), ("origin", json(piece.origin)), ("rate", json(piece.rate))]
      phases.append(.object(fields))
    }
    let spec: JSONValue = .object([
      ("version", json(1.0)), ("peak", json(1.0)), ("after", .string("hold")), ("phases", .array(phases)),
    ])
    do throws(SpecError) {
      return try Schedule.parse(spec)
    } catch {
      throw .argument("channel \(quotedExcerpt(channels[c].name)) played a schedule with no spec form: \(error)")
    }
  }

  /// ``playedSchedule(channel:)`` by name (`nil`: `lr`, or the first).
  public func playedSchedule(channel name: String?) throws(RuntimeError) -> Schedule {
    try playedSchedule(channel: try channelIndex(name))
  }

  /// The canonical spec text of ``playedSchedule(channel:)``.
  public func playedSpec(channel name: String?) throws(RuntimeError) -> String {
    try playedSchedule(channel: name).canonicalText
  }
}
