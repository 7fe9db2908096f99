//===--- SavedStateFile.swift ---------------------------------------------===//
// Reading a saved-state file header first, bounded by its declared length.
//===----------------------------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads saved states (checkpoints, laws, sampler and tuner states) from
/// files without trusting the file: the fixed-size header is read and
/// checked first, then exactly the size it declares, and one byte more to
/// refuse trailing data. A file that is huge, endless (`/dev/zero`, a pipe)
/// or lies about its length never makes the reader allocate more than the
/// bytes that really arrive, up to the declared size.
enum SavedStateFile {
  /// The bytes of a saved state at `path`.
  ///
  /// - Parameters:
  ///   - headerSize: bytes read before `declaredSize` is asked.
  ///   - fileError: the error for a file that cannot be opened or read.
  ///   - declaredSize: checks the header (magic, version, length) and
  ///     returns the whole state's size in bytes (header included).
  /// - Complexity: O(declared size); memory at most the bytes read.
  static func read<E: Error>(_ path: String, headerSize: Int, fileError: (String) -> E,
                             declaredSize: ([UInt8]) throws(E) -> Int) throws(E) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw fileError("cannot open \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var bytes: [UInt8] = []
    guard readUpTo(fd, headerSize, into: &bytes) else {
      throw fileError("cannot read \(path): \(String(cString: strerror(errno)))")
    }
    let size = try declaredSize(bytes)  // throws on a short or damaged header
    guard size < Int.max else { return bytes }
    guard readUpTo(fd, size + 1, into: &bytes) else {
      throw fileError("cannot read \(path): \(String(cString: strerror(errno)))")
    }
    return bytes  // a short or long read is left to the loader (truncated / trailing bytes)
  }

  /// Appends bytes from `fd` until `bytes.count == total` or end of file;
  /// false on a read error. Grows in chunks of at most 1 MiB.
  private static func readUpTo(_ fd: Int32, _ total: Int, into bytes: inout [UInt8]) -> Bool {
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while bytes.count < total {
      let want = Swift.min(chunk.count, total - bytes.count)
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, want) }
      if n < 0 {
        if errno == EINTR { continue }
        return false
      }
      if n == 0 { return true }
      bytes.append(contentsOf: chunk[0..<n])
    }
    return true
  }
}
