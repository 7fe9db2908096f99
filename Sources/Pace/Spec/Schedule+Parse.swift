//===--- Schedule+Parse.swift ---------------------------------------------===//
// Spec v1 text -> Schedule: top level, phases and repeat blocks.
//===----------------------------------------------------------------------===//

extension Schedule {
  /// Parses a schedule spec (JSON text, spec version 1).
  ///
  /// - Throws: ``SpecError`` naming the JSON path of the first problem.
  /// - Complexity: O(n) in the text length.
  public static func parse(_ text: String) throws(SpecError) -> Schedule {
    try parse(bytes: Array(text.utf8))
  }

  /// Parses a schedule spec from UTF-8 bytes.
  public static func parse(bytes: [UInt8]) throws(SpecError) -> Schedule {
    let document: JSONValue
    do {
      document = try JSONReader.parse(bytes)
    } catch {
      throw SpecError(path: error.path, "invalid JSON at \(error.position): \(error.message)")
    }
    return try parse(document)
  }

  /// Parses a schedule spec already read as JSON.
  package static func parse(_ document: JSONValue) throws(SpecError) -> Schedule {
    try parse(document, segmentDepth: 0)
  }

  /// Parses a spec played by `segmentDepth` enclosing `segment` phases.
  static func parse(_ document: JSONValue, segmentDepth: Int) throws(SpecError) -> Schedule {
    let root = try SpecObject(document, path: "")
    if root.has("preset") {
      return try parse(Preset.expand(root), segmentDepth: segmentDepth)
    }
    try root.requireOnly(["version", "peak", "total_steps", "after", "phases"], context: "at the top level")
    if let version = try root.integer("version"), version != 1 {
      throw SpecError(path: "version", "only spec version 1 is supported, got \(version)")
    }
    let peak = try root.number("peak", "a number > 0", { $0 > 0 }) ?? 1.0
    let totalSteps = try root.number("total_steps", "a number > 0", { $0 > 0 })
    let after = After(rawValue: try root.choice("after", ["hold", "zero"]) ?? "hold")!
    guard let phaseList = try root.array("phases") else {
      throw SpecError(path: "phases", "required field is missing (or give a \"preset\")")
    }
    guard !phaseList.isEmpty else { throw SpecError(path: "phases", "must not be empty") }

    let arena = Arena()
    var resolver = PhaseResolver(peak: peak, totalSteps: totalSteps, arena: arena, segmentDepth: segmentDepth)
    var items: [ScheduleItem] = []
    var starts: [Double] = []
    var ends: [Double] = []
    var start = 0.0
    var previousEnd = 1.0
    for (i, element) in phaseList.enumerated() {
      let path = "phases[\(i)]"
      let object = try SpecObject(element, path: path)
      let isLast = i == phaseList.count - 1
      guard previousEnd.isFinite else {
        throw SpecError(path: path, "the item before it ends at a non-finite value (\(previousEnd)); give from explicitly or change the previous phase")
      }
      if object.has("repeat") {
        let block = try resolver.block(object, start: start, previousEnd: previousEnd)
        if block.cycles == nil && !isLast {
          throw SpecError(path: joinPath(path, "cycles"),
                          "a repeat block that runs forever (cycles null) must be the last item")
        }
        items.append(.block(block))
        starts.append(start)
        let end = start + block.duration
        ends.append(end)
        previousEnd = block.endValue(blockStart: start)
        start = end
      } else {
        let phase = try resolver.phase(object, start: start, previousEnd: previousEnd,
                                       isLast: isLast, inTemplate: false)
        items.append(.phase(phase))
        starts.append(start)
        let end = start + phase.duration
        ends.append(end)
        if end.isFinite {
          previousEnd = phase.endValue(length: phase.length, endStep: end, map: .identity)
        }
        start = end
      }
    }
    if resolver.fractionSum > 1 + 1e-12 {
      throw SpecError(path: "phases", "the fractions of the phases sum to \(resolver.fractionSum), above 1")
    }
    let schedule = Schedule(arena: arena, peak: peak, after: after, totalStepsField: totalSteps, items: items,
                            starts: starts, ends: ends, endMultiplier: previousEnd)
    try schedule.checkFinite()
    if let path = schedule.nonFiniteCanonicalField {  // its canonical text would not be JSON
      throw SpecError(path: path, "resolves to a non-finite value (float64 overflow); give it explicitly or change the item before it")
    }
    return schedule
  }

  /// Rejects schedules whose parameters overflow float64: evaluates every
  /// boundary (and the steps either side), 257 evenly spaced steps and the
  /// value past the end, and names the item of the first non-finite value.
  func checkFinite() throws(SpecError) {
    // An open-ended last phase is probed for 1000 steps past its start: a
    // growing exponential (an LR range test) may overflow far beyond that,
    // and is not an error.
    let limit = end.isFinite ? Swift.min(end, 9.0e15) : Swift.min(9.0e15, (startBuffer.last ?? 0) + 1000)
    var probes = boundarySteps(below: Int64(limit.rounded(.up)) + 1)
    for k in 0...256 { probes.append(Int64(limit * Double(k) / 256)) }
    for t in probes where t >= 0 {
      let v = value(at: t)
      guard v.isFinite else {
        var item = 0
        while item < endBuffer.count - 1 && !(Double(t) < endBuffer[item]) { item += 1 }
        let path = Double(t) < end ? "phases[\(item)]" : "phases"
        throw SpecError(path: path, "yields a non-finite value (\(v)) at step \(t); a parameter is out of range")
      }
    }
    if !(peak * afterMultiplier).isFinite {
      throw SpecError(path: "phases", "the value past the end is not finite")
    }
  }
}
