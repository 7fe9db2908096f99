//===--- Files.swift ------------------------------------------------------===//
// Whole-file reads and crash-safe writes (temporary file, fsync, rename).
//===----------------------------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed file operation, with the path and the system's reason.
public struct FileError: Error, Sendable, CustomStringConvertible {
  public var description: String
  init(_ what: String, _ path: String) {
    description = "cannot \(what) \(path): \(String(cString: strerror(errno)))"
  }
  public init(description: String) { self.description = description }
}

public enum Files {
  /// Reads a whole file; `-` reads standard input.
  public static func read(_ path: String) throws(FileError) -> [UInt8] {
    let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileError("open", path) }
    defer { if path != "-" { close(fd) } }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw FileError("read", path)
      }
      if n == 0 { return bytes }
      bytes.append(contentsOf: chunk[0..<n])
    }
  }

  /// Writes `bytes` to `path` so that a crash at any moment leaves either
  /// the previous file or the complete new one: the bytes go to a temporary
  /// file in the same folder, which is flushed (`fsync`) and then renamed
  /// over `path`; the folder is flushed too.
  public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileError) {
    let temporary = path + ".tmp." + String(getpid())
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw FileError("create", temporary) }
    var written = 0
    while written < bytes.count {
      let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
      if n < 0 {
        if errno == EINTR { continue }
        let error = FileError("write", temporary)
        close(fd)
        unlink(temporary)
        throw error
      }
      written += n
    }
    guard fsync(fd) == 0 else {
      let error = FileError("flush", temporary)
      close(fd)
      unlink(temporary)
      throw error
    }
    close(fd)
    guard rename(temporary, path) == 0 else {
      let error = FileError("rename onto", path)
      unlink(temporary)
      throw error
    }
    let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
    let dirfd = open(folder.isEmpty ? "/" : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if dirfd >= 0 {
      fsync(dirfd)
      close(dirfd)
    }
  }

  /// Creates a folder and its parents (like `mkdir -p`).
  public static func makeFolders(_ path: String) {
    var current = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
      current += "/" + part
      mkdir(current, 0o755)
    }
  }
}
