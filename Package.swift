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
    .target(
      name: "Pace",
      dependencies: [.product(name: "RealModule", package: "swift-numerics")]
    ),
    // Whole-file reads and crash-safe (atomic) writes.
    .target(name: "PaceIO"),
    // Charts of schedules as SVG, written by our own small writer.
    .target(name: "PacePlot", dependencies: ["Pace"]),
    // The command-line tool: show, plot, validate, demo.
    .executableTarget(
      name: "PaceCommand",
      dependencies: ["Pace", "PacePlot", "PaceIO", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      path: "Sources/pace"
    ),
    // MARK: - Implementation details
    // The hand-written public header, exposed to Swift as module CPace.
    .target(name: "CPace", path: "include", publicHeadersPath: "."),
    // The @c @implementation thunks of include/pace.h, and nothing else.
    .target(name: "PaceCAPI", dependencies: ["Pace", "PaceIO", "CPace"]),
    // MARK: - Unit test bundles
    .testTarget(name: "PaceTests", dependencies: ["Pace", "PaceIO"]),
    .testTarget(name: "PacePlotTests", dependencies: ["PacePlot"]),
  ]
)
