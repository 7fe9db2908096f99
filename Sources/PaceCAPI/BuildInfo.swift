//===--- BuildInfo.swift --------------------------------------------------===//
// pace_build_info: which build of the library is loaded.
//===----------------------------------------------------------------------===//
import CPace
import Pace
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The build description, made once and kept for the life of the process
/// (a Swift global: initialized once, thread-safely; never freed or written
/// after that, hence safe to share although a pointer is not Sendable).
nonisolated(unsafe) private let buildInfo: UnsafePointer<CChar> = {
  let text = "pace \(String(cString: pace_version_string())); \(BuildInfo.fields)"
  return UnsafePointer(strdup(text) ?? UnsafeMutablePointer(mutating: staticCString("pace")))
}()

@c @implementation
public func pace_build_info() -> UnsafePointer<CChar>! {
  buildInfo
}
