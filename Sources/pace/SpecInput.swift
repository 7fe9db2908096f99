//===--- SpecInput.swift --------------------------------------------------===//
// SPEC arguments: a file, a JSON string, or `-` for standard input.
//===----------------------------------------------------------------------===//
import Pace
import PaceIO

/// Reads a whole file (`-`: standard input).
func readAll(path: String) throws(CommandError) -> [UInt8] {
  do throws(FileError) {
    return try Files.read(path)
  } catch {
    throw CommandError(error.description)
  }
}

/// Writes text to a file atomically (temporary file, fsync, rename).
func writeAll(_ text: String, to path: String) throws(CommandError) {
  do throws(FileError) {
    try Files.writeAtomically(Array(text.utf8), to: path)
  } catch {
    throw CommandError("cannot write \(path): \(error.description)")
  }
}

/// A schedule named on the command line (a runtime checkpoint gives the
/// schedule its `lr` channel, or first channel, played: `Runtime.playedSchedule`).
struct SpecArgument {
  /// What the user typed (a path, `-`, or JSON text).
  var source: String
  var schedule: Schedule

  /// A short label: the file name, or the preset name.
  var label: String {
    if source.hasPrefix("{") {
      if case .object(let m)? = try? JSONReader.parse(source),
        case .string(let preset)? = m.first(where: { $0.key == "preset" })?.value
      {
        return preset
      }
      return "spec"
    }
    if source == "-" { return "stdin" }
    let name = source.split(separator: "/").last.map(String.init) ?? source
    return name.hasSuffix(".json") ? String(name.dropLast(5)) : name
  }

  init(_ source: String) throws(CommandError) {
    let trimmed = source.drop { $0 == " " || $0 == "\n" || $0 == "\t" }
    try self.init(source, bytes: trimmed.hasPrefix("{") ? Array(source.utf8) : try readAll(path: source))
  }

  /// A spec already read (standard input can be read only once).
  init(_ source: String, bytes: [UInt8]) throws(CommandError) {
    self.source = source
    if bytes.starts(with: PaceFile.runtimeMagic) {  // a checkpoint: the schedule its lr channel played
      do throws(RuntimeError) {
        schedule = try Runtime.load(bytes).playedSchedule(channel: nil)
      } catch {
        throw CommandError("\(source): runtime checkpoint: \(error.description)")
      }
      return
    }
    do {
      schedule = try Schedule.parse(bytes: bytes)
    } catch {
      throw CommandError("\(source.hasPrefix("{") ? "spec" : source): \(error)")
    }
  }
}

/// An error the CLI reports on stderr with exit status 1.
struct CommandError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

func mkdirs(_ path: String) { Files.makeFolders(path) }
