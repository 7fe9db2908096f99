//===--- BuildInfo.swift --------------------------------------------------===//
// Which build this is: vector ISA, compiler, configuration (pace_build_info,
// `pace --version`).
//===----------------------------------------------------------------------===//

/// What this build of Pace was compiled for.
package enum BuildInfo {
  /// `isa=...; cpu=...; features=...; swift=...; build=...`: the fields of
  /// `pace_build_info` after "pace VERSION; " (include/pace.h documents them).
  package static let fields = "\(isa); swift=\(swiftVersion); build=\(configuration)"

  // Swift has no conditionals on target features, so the Makefile passes the
  // vector ISA as a compilation condition: -DPACE_ISA_X86_64_V3 with
  // -target-cpu haswell, and also -DPACE_ISA_X86_64_V4 with -target-cpu
  // skylake-avx512 (AVX-512 F/CD/DQ/BW/VL). Without one the build is the architecture's baseline
  // (Swift's default CPU), which is what plain `swift build` gives.
  #if PACE_ISA_X86_64_V4
  static let isa = "isa=x86-64-v4; cpu=skylake-avx512; features=avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"
  #elseif PACE_ISA_X86_64_V3
  static let isa = "isa=x86-64-v3; cpu=haswell; features=avx2,fma"
  #elseif arch(x86_64)
  static let isa = "isa=x86-64; cpu=generic; features=sse2"
  #elseif arch(arm64)
  static let isa = "isa=aarch64; cpu=generic; features=neon"
  #else
  static let isa = "isa=unknown; cpu=generic; features=none"
  #endif

  // MAJOR.MINOR of the compiler (compile-time: `compiler(>=)` is all Swift offers).
  #if compiler(>=7.0)
  static let swiftVersion = "7.0"
  #elseif compiler(>=6.5)
  static let swiftVersion = "6.5"
  #elseif compiler(>=6.4)
  static let swiftVersion = "6.4"
  #elseif compiler(>=6.3)
  static let swiftVersion = "6.3"
  #else
  static let swiftVersion = "6.2"
  #endif

  #if DEBUG
  static let configuration = "debug"
  #else
  static let configuration = "release"
  #endif
}
