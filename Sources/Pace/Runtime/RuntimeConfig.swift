//===--- RuntimeConfig.swift ----------------------------------------------===//
// The runtime config JSON: channels, parameter groups, refinement.
//===----------------------------------------------------------------------===//

/// A parameter group: a scale per channel (layer-wise LR decay and the like).
public struct ParameterGroup: Sendable, Equatable {
  /// The group's name, as in the config.
  public internal(set) var name: String
  /// Scale of each channel, in channel order (default 1).
  public internal(set) var scales: [Double]
}

/// A parsed runtime config.
///
/// ```json
/// { "channels": { "lr": {"preset": "cosine", "peak": 3e-4, "warmup_steps": 100, "total_steps": 10000},
///                 "weight_decay": {"peak": 0.1, "phases": [{"shape": "constant"}]} },
///   "groups": [ {"name": "embeddings", "scale": {"lr": 0.5}}, {"name": "rest"} ],
///   "refine": {"every": 500, "norm": "l2", "smoothing": 0.1, "min_history": 1000} }
/// ```
public struct RuntimeConfig: Sendable {
  /// The channel names, in config order.
  public internal(set) var channelNames: [String]
  /// The schedule spec text of each channel, in channel order.
  public internal(set) var channelSpecs: [String]
  /// The parameter groups (one default group when the config has none).
  public internal(set) var groups: [ParameterGroup]
  /// Online refinement, if the config asks for it.
  public internal(set) var refine: RefineSettings?
  /// Canonical text of the config (for checkpoints).
  public internal(set) var text: String

  /// Parses a runtime config (JSON text).
  ///
  /// - Throws: ``SpecError`` naming the JSON path of the first problem.
  public static func parse(_ text: String) throws(SpecError) -> RuntimeConfig {
    let document: JSONValue
    do {
      document = try JSONReader.parse(Array(text.utf8))
    } catch {
      throw SpecError(path: error.path, "invalid JSON at \(error.position): \(error.message)")
    }
    let root = try SpecObject(document, path: "")
    try root.requireOnly(["version", "channels", "groups", "refine"], context: "in a runtime config")
    if let version = try root.integer("version"), version != 1 {
      throw SpecError(path: "version", "only runtime config version 1 is supported, got \(version)")
    }
    guard let channelsValue = root["channels"] else {
      throw SpecError(path: "channels", "required field is missing (an object of name: schedule spec)")
    }
    let channels = try SpecObject(channelsValue, path: "channels")
    guard !channels.members.isEmpty else { throw SpecError(path: "channels", "must name at least one channel") }
    var names: [String] = []
    var specs: [String] = []
    for member in channels.members {
      guard !member.key.isEmpty else { throw SpecError(path: "channels", "a channel name must not be empty") }
      let spec = JSONWriter.render(member.value)
      do {
        _ = try Schedule.parse(member.value)
      } catch {
        throw SpecError(path: joinPath("channels." + member.key, error.path), error.message)
      }
      names.append(member.key)
      specs.append(spec)
    }
    var groups: [ParameterGroup] = []
    if let list = try root.array("groups") {
      guard !list.isEmpty else { throw SpecError(path: "groups", "must not be empty (leave it out for one group)") }
      for (i, element) in list.enumerated() {
        let path = "groups[\(i)]"
        let object = try SpecObject(element, path: path)
        try object.requireOnly(["name", "scale"], context: "in a parameter group")
        let name = try object.string("name") ?? "group\(i)"
        var scales = [Double](repeating: 1, count: names.count)
        if let scaleValue = object["scale"] {
          let scale = try SpecObject(scaleValue, path: joinPath(path, "scale"))
          for member in scale.members {
            guard let c = names.firstIndex(of: member.key) else {
              throw SpecError(path: scale.pathOf(member.key), "no channel named \(quotedExcerpt(member.key))")
            }
            scales[c] = try scale.number(member.key, "a finite number >= 0", { $0 >= 0 })!
          }
        }
        groups.append(ParameterGroup(name: name, scales: scales))
      }
    } else {
      groups = [ParameterGroup(name: "default", scales: [Double](repeating: 1, count: names.count))]
    }
    var refine: RefineSettings?
    if let refineValue = root["refine"], refineValue != .null {
      let object = try SpecObject(refineValue, path: "refine")
      try object.requireOnly(["every", "norm", "smoothing", "min_history", "channel"], context: "in refine")
      guard let every = try object.stepCount("every", minimum: 1) else {
        throw SpecError(path: "refine.every", "required field is missing (re-plan every K steps)")
      }
      let norm: NormKind = (try object.choice("norm", ["l2", "l1"]) ?? "l2") == "l2" ? .l2 : .l1
      let smoothing = try object.number("smoothing", "a number in [0, 1]", { $0 >= 0 && $0 <= 1 }) ?? RefineSettings.defaultSmoothing
      let minHistory = try object.stepCount("min_history", minimum: 2) ?? Swift.max(every, 2)
      let channel = try object.string("channel") ?? "lr"
      guard let c = names.firstIndex(of: channel) else {
        throw SpecError(path: "refine.channel", "no channel named \(quotedExcerpt(channel)) to refine")
      }
      let schedule = try Schedule.parse(specs[c])
      guard schedule.end.isFinite else {
        throw SpecError(path: "channels.\(channel)", "online refinement needs a schedule with a known end (total steps)")
      }
      guard schedule.end <= Double(SpecObject.maximumStepCount) else {
        throw SpecError(path: "channels.\(channel)", "online refinement needs a schedule ending within 2^53 steps, got \(schedule.end)")
      }
      refine = RefineSettings(every: every, norm: norm, smoothing: smoothing, minHistory: minHistory, channel: channel)
    }
    return RuntimeConfig(channelNames: names, channelSpecs: specs, groups: groups, refine: refine, text: text)
  }
}
