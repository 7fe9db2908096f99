//===--- BuildInfo.swift --------------------------------------------------===//
// pace_build_info: which build of the library is loaded.
//===----------------------------------------------------------------------===//
import CPace
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// Swift has no conditionals on target features, so the Makefile passes the
// vector ISA as a compilation condition: -DPACE_ISA_X86_64_V3 with
// -target-cpu haswell. Without one the build is the architecture's baseline
// (Swift's default CPU), which is what plain `swift build` gives.
#if PACE_ISA_X86_64_V3
private let isaFields = "isa=x86-64-v3; cpu=haswell; features=avx2,fma"
#elseif arch(x86_64)
private let isaFields = "isa=x86-64; cpu=generic; features=sse2"
#elseif arch(arm64)
private let isaFields = "isa=aarch64; cpu=generic; features=neon"
#else
private let isaFields = "isa=unknown; cpu=generic; features=none"
#endif

// MAJOR.MINOR of the compiler (compile-time: `compiler(>=)` is all Swift offers).
#if compiler(>=7.0)
private let swiftVersion = "7.0"
#elseif compiler(>=6.5)
private let swiftVersion = "6.5"
#elseif compiler(>=6.4)
private let swiftVersion = "6.4"
#elseif compiler(>=6.3)
private let swiftVersion = "6.3"
#else
private let swiftVersion = "6.2"
#endif

#if DEBUG
private let configuration = "debug"
#else
private let configuration = "release"
#endif

/// The build description, made once and kept for the life of the process
/// (a Swift global: initialized once, thread-safely; never freed or written
/// after that, hence safe to share although a pointer is not Sendable).
nonisolated(unsafe) private let buildInfo: UnsafePointer<CChar> = {
  let version = String(cString: pace_version_string())
  let text = "pace \(version); \(isaFields); swift=\(swiftVersion); build=\(configuration)"
  return UnsafePointer(strdup(text) ?? UnsafeMutablePointer(mutating: staticCString("pace")))
}()

@c @implementation
public func pace_build_info() -> UnsafePointer<CChar>! {
  buildInfo
}
