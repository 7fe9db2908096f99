// swift-tools-version:6.1
//===--- Package.swift ----------------------------------------------------===//
// Pace: a schedule runtime for training loops.
//
// No unsafeFlags here: release flags (-static-stdlib, the CPU target and the
// linker version script) live in the Makefile, so that other packages can
// depend on this one.
//===----------------------------------------------------------------------===//
import PackageDescription

let package = Package(
  name: "Pace",
  products: [
    // The shipped C library: libpace.so (build it with `make`, which adds the
    // release flags).
    .library(name: "pace", type: .dynamic, targets: ["PaceCAPI"]),
    // The Swift core, for Swift clients.
    .library(name: "Pace", targets: ["Pace"]),
    // The `pace` command-line tool (the Makefile installs it as build/bin/pace).
    .executable(name: "pace-cli", targets: ["PaceCommand"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
  ],
  targets: [
    // MARK: - Public API
    // The core, pure Swift: spec parsing, phases and shapes, scalar and SIMD
    // evaluation, the runtime and its checkpoints, refinement, JSON.
    .target(
      name: "Pace",
      dependencies: ["_CKernels", .product(name: "RealModule", package: "swift-numerics")]
    ),
    // Loss-curve laws (annealing law, multi-power law): functionals, fits
    // (Levenberg-Marquardt on LAPACKE), prediction, schedule search.
    .target(name: "PaceLaws", dependencies: ["Pace", "PaceEngine", "_CLAPACKE"]),
    // NUMA-aware worker pool and partitioned batch evaluation (libnuma).
    .target(name: "PaceEngine", dependencies: ["Pace", "_CLazyLibrary"]),
    // Data pacing: batch samplers (uniform epochs, competence, PUDF ability,
    // QuRating weighted selection, ordered, domain mixtures) and IRT fits.
    .target(name: "PaceData", dependencies: ["Pace", "PaceEngine", "_CLAPACKE"]),
    // AutoLRS: the learning rate tuned on the fly by Bayesian optimisation
    // (Gaussian process on LAPACKE), as a state machine the trainer drives.
    .target(name: "PaceTune", dependencies: ["Pace", "_CLAPACKE"]),
    // Whole-file reads and crash-safe (atomic) writes.
    .target(name: "PaceIO"),
    // Charts of schedules as SVG, written by our own small writer.
    .target(name: "PacePlot", dependencies: ["Pace"]),
    // The command-line tool `pace`: show, plot, validate, demo, kernels, fit,
    // predict, search, data. It reads the version from the header (CPace).
    .executableTarget(
      name: "PaceCommand",
      dependencies: ["Pace", "PacePlot", "PaceIO", "PaceLaws", "PaceEngine", "PaceData", "PaceTune", "CPace", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      path: "Sources/pace"
    ),
    // MARK: - Implementation details
    // LAPACKE and libnuma are opened on first use (dlopen), not linked: loading
    // libpace.so maps no BLAS and starts no thread. Run time: liblapacke3 and
    // libnuma1 (Debian); liblapacke-dev, when installed, lets the compiler
    // check the LAPACKE declarations against lapacke.h.
    .target(name: "_CLazyLibrary"),
    .target(name: "_CLAPACKE", dependencies: ["_CLazyLibrary"]),
    // The exp2 table and the x86 vector instructions Swift's SIMD types
    // cannot spell, as always-inlined C (Elementary.exp2).
    .target(name: "_CKernels"),
    // The hand-written public header, exposed to Swift as module CPace.
    .target(name: "CPace", path: "include", publicHeadersPath: "."),
    // The @c @implementation thunks of include/pace.h, and nothing else.
    .target(name: "PaceCAPI", dependencies: ["Pace", "PaceIO", "PaceLaws", "PaceEngine", "PaceData", "PaceTune", "CPace", "_CLAPACKE"]),
    // MARK: - Unit test bundles
    // Swift tests, one bundle per module. Everything tested through the C ABI
    // (C, C++, Python ctypes, fuzz targets, sanitizers) lives in abi-tests/.
    .testTarget(name: "PaceTests", dependencies: ["Pace", "PaceIO"]),
    .testTarget(name: "PacePlotTests", dependencies: ["PacePlot"]),
    .testTarget(name: "PaceLawsTests", dependencies: ["PaceLaws", "Pace", "PaceEngine"]),
    .testTarget(name: "PaceEngineTests", dependencies: ["PaceEngine", "Pace"]),
    .testTarget(name: "PaceDataTests", dependencies: ["PaceData", "Pace", "PaceEngine"]),
    .testTarget(name: "PaceTuneTests", dependencies: ["PaceTune", "Pace"]),
  ]
)
