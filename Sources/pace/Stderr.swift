//===--- Stderr.swift -----------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#endif

/// Writes raw bytes to standard error (file descriptor 2).
func fwriteStderr(_ base: UnsafeMutableRawPointer?, _ count: Int) -> Int {
  guard let base else { return 0 }
  return write(2, base, count)
}
