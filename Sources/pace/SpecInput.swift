//===--- SpecInput.swift --------------------------------------------------===//
// SPEC arguments: a file, a JSON string, or `-` for standard input.
//===----------------------------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#endif
import Pace

/// Reads the whole of a file (`-`: standard input) as bytes.
func readAll(path: String) throws(CommandError) -> [UInt8] {
  let file: UnsafeMutablePointer<FILE>? = path == "-" ? fdopen(0, "rb") : fopen(path, "rb")
  guard let file else { throw CommandError("cannot open \(path): \(String(cString: strerror(errno)))") }
  defer { if path != "-" { fclose(file) } }
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 65536)
  while true {
    let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 65536, file) }
    if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
    if n < 65536 {
      if ferror(file) != 0 { throw CommandError("cannot read \(path)") }
      break
    }
  }
  return bytes
}

/// Writes text to a file atomically enough for a CLI (temporary + rename).
func writeAll(_ text: String, to path: String) throws(CommandError) {
  let temporary = path + ".tmp"
  guard let file = fopen(temporary, "wb") else {
    throw CommandError("cannot write \(path): \(String(cString: strerror(errno)))")
  }
  let bytes = Array(text.utf8)
  let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, bytes.count, file) }
  let closed = fclose(file)
  guard written == bytes.count, closed == 0, rename(temporary, path) == 0 else {
    unlink(temporary)
    throw CommandError("cannot write \(path): \(String(cString: strerror(errno)))")
  }
}

/// A schedule named on the command line.
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
    self.source = source
    let trimmed = source.drop { $0 == " " || $0 == "\n" || $0 == "\t" }
    let bytes = trimmed.hasPrefix("{") ? Array(source.utf8) : try readAll(path: source)
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

/// Creates a folder and its parents (like `mkdir -p`).
func mkdirs(_ path: String) {
  var current = path.hasPrefix("/") ? "" : "."
  for part in path.split(separator: "/") {
    current += "/" + part
    mkdir(current, 0o755)
  }
}
