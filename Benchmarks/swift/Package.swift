// swift-tools-version:6.1
//===--- Benchmarks/swift/Package.swift -----------------------------------===//
// Swift-level benchmarks of Pace with ordo-one/benchmark, in a package of
// their own so that the benchmark's dependencies never reach Pace's clients.
//
//   swift package --package-path Benchmarks/swift benchmark
//   (or Benchmarks/run --swift, which adds them to the benchmark table)
//
// Traits: benchmark 1.38.1 enables "MallocInterposer" and "RuntimeInterposer"
// by default. On Linux with Swift 6.3 the second one pulls in
// ordo-one/swift-runtime-interposer (ARC counters), which this machine's
// package copies do not have; naming the traits explicitly leaves it out.
// "MallocInterposer" is the Swift 6.3+ replacement of jemalloc (the malloc
// counters, ordo-one/malloc-interposer, no system library to install), so
// there is no jemalloc to disable; `traits: []` (or the environment variable
// BENCHMARK_DISABLE_MALLOC_INTERPOSER, alias BENCHMARK_DISABLE_JEMALLOC)
// drops the malloc counters too.
//===----------------------------------------------------------------------===//
import PackageDescription

let package = Package(
  name: "PaceBenchmarks",
  dependencies: [
    .package(name: "Pace", path: "../.."),
    .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
  ],
  targets: [
    // The plugin discovers benchmark targets under Benchmarks/<target name>/.
    .executableTarget(
      name: "PaceBenchmarks",
      dependencies: [
        .product(name: "Pace", package: "Pace"),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/PaceBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
  ]
)
