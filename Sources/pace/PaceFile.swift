//===--- PaceFile.swift ---------------------------------------------------===//
// What a file given to `validate` / `show` is: spec, runtime config,
// runtime checkpoint, saved law, or another Pace saved state.
//===----------------------------------------------------------------------===//
import Pace
import PaceLaws

/// A file (or JSON text) recognised by its content, never by its name:
/// binary state by its magic, JSON by its members (`channels`: a runtime
/// config; `"format": "pace-law"` or `law` + `params`: a saved law; anything
/// else: a schedule spec).
enum PaceFile {
  case spec(SpecArgument)
  case runtimeConfig(Runtime)
  case checkpoint(Runtime, bytes: Int)
  case law(LossLaw)

  /// What the user typed.
  static func label(_ source: String) -> String {
    source.hasPrefix("{") ? "spec" : source
  }

  /// Reads and recognises `source` (a path, `-`, or JSON text starting with `{`).
  /// Errors say what the file was taken for.
  init(_ source: String) throws(CommandError) {
    let label = Self.label(source)
    let trimmed = source.drop { $0 == " " || $0 == "\n" || $0 == "\t" }
    let bytes = trimmed.hasPrefix("{") ? Array(source.utf8) : try readAll(path: source)
    if bytes.starts(with: Self.stateMagicPrefix) {
      guard bytes.starts(with: Self.runtimeMagic) else {
        let tag = String(decoding: bytes[5..<Swift.min(8, bytes.count)].filter { $0 >= 0x20 && $0 < 0x7F }, as: UTF8.self)
        throw CommandError("\(label): a Pace saved state of another kind (tag '\(tag)'), not a runtime checkpoint; "
                           + "load it with the API that wrote it")
      }
      do throws(RuntimeError) {
        self = .checkpoint(try Runtime.load(bytes), bytes: bytes.count)
      } catch {
        throw CommandError("\(label): runtime checkpoint rejected: \(error.description)")
      }
      return
    }
    let document: JSONValue
    do throws(JSONReadError) {
      document = try JSONReader.parse(bytes)
    } catch {
      throw CommandError("\(label): \(error.description)")
    }
    guard case .object(let members) = document else {
      throw CommandError("\(label): a JSON \(document.typeName), not a spec, runtime config or saved law (objects)")
    }
    let keys = Set(members.map(\.key))
    let format = members.first { $0.key == "format" }.flatMap { m -> String? in
      if case .string(let s) = m.value { return s }
      return nil
    }
    if keys.contains("channels") {
      let text = String(decoding: bytes, as: UTF8.self)
      do throws(RuntimeError) {
        self = .runtimeConfig(try Runtime(configText: text))
      } catch {
        throw CommandError("\(label): runtime config rejected: \(error.description)")
      }
    } else if format == "pace-law" || (keys.contains("law") && keys.contains("params")) {
      do throws(LawError) {
        self = .law(try LossLaw(jsonText: savedLawText(bytes)))
      } catch {
        throw CommandError("\(label): saved law rejected: \(error.description)")
      }
    } else {
      self = .spec(try SpecArgument(source, bytes: bytes))
    }
  }

  /// "PACE\0": every Pace binary state starts so; the runtime's is "PACE\0RT\0".
  static let stateMagicPrefix: [UInt8] = Array("PACE\u{0}".utf8)
  static let runtimeMagic: [UInt8] = Array("PACE\u{0}RT\u{0}".utf8)

  /// One line saying what the file is.
  var kindLine: String {
    switch self {
    case .spec(let a):
      let total = a.schedule.totalSteps
      return "schedule spec: \(a.schedule.itemBuffer.count) item(s), total steps \(total.map { String($0) } ?? "open-ended")"
    case .runtimeConfig(let rt):
      return "runtime config: \(rt.channelCount) channel(s) (\(rt.channels.map(\.name).joined(separator: ", "))), "
        + "\(rt.groupCount) group(s)\(rt.config.refine.map { ", online refinement every \($0.every) steps" } ?? "")"
    case .checkpoint(let rt, let bytes):
      return "runtime checkpoint (format \(Runtime.stateFormatVersion), \(bytes) bytes, checksum ok): step \(rt.step), "
        + "\(rt.channelCount) channel(s), \(rt.groupCount) group(s)"
    case .law(let law):
      return "saved law: \(law.kind.rawValue) (warmup \(law.warmup.rawValue))"
    }
  }

  /// A multi-line summary of a runtime (config or checkpoint) or a law.
  func summary() -> [String] {
    switch self {
    case .spec:
      return []
    case .law(let law):
      return law.namedParameters.map { Format.pad($0.name, 8) + "  " + short($0.value) }
    case .runtimeConfig(let rt), .checkpoint(let rt, _):
      var lines: [String] = []
      lines.append(Format.pad("channel", 16) + Format.pad("value now", 14) + Format.pad("peak", 14)
                   + Format.pad("ends at", 14) + "  segment in force")
      for (c, channel) in rt.channels.enumerated() {
        let segment = channel.segments[channel.segments.count - 1]
        let endStep = Double(segment.start) + (segment.schedule.end - segment.origin) / segment.rate
        let end = endStep.isFinite && endStep < 9e18 ? String(Int64(endStep.rounded(.up))) : "open-ended"
        let what = channel.segments.count == 1 ? "base schedule" : "from step \(segment.start) (an event or re-plan)"
        lines.append(Format.pad(channel.name, 16) + Format.pad(Format.sci(rt.value(channel: c)), 14)
                     + Format.pad(Format.sci(segment.schedule.peak), 14) + Format.pad(end, 14) + "  " + what)
      }
      let groups = rt.config.groups
      lines.append("groups: " + groups.map { g in
        let scales = zip(rt.channels, g.scales).filter { $0.1 != 1 }.map { "\($0.0.name) x\(short($0.1))" }
        return g.name + (scales.isEmpty ? "" : " (\(scales.joined(separator: ", ")))")
      }.joined(separator: "; "))
      if case .checkpoint = self, let lastReplan = rt.lastReplan {
        lines.append("online refinement: last re-plan at step \(lastReplan)")
      }
      return lines
    }
  }
}
