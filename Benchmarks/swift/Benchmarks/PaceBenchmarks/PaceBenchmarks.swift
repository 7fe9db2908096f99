//===--- PaceBenchmarks.swift ---------------------------------------------===//
// Swift-level figures of the Pace core (the C API adds argument checks only):
//   - Schedule.value(at:) per call, warmup + cosine (scaled: ns per call)
//   - fill of 10^7 steps (Float) for the five schedules of the fill table
//   - Runtime.advance (one channel, one group) per step (scaled: ns per step)
//   - Refinement of 10^6 gradient norms (smoothing 0.1)
//===----------------------------------------------------------------------===//
import Benchmark
import Pace

private let fillCount = 10_000_000

/// The schedules of Benchmarks/python/bench_fill.py, for `n` steps.
private func fillSpecs(_ n: Int) -> [(String, String)] {
  let w = n / 20
  return [
    ("warmup+cosine", #"{"preset":"cosine","peak":3e-4,"warmup_steps":\#(w),"total_steps":\#(n)}"#),
    ("wsd 1-sqrt", #"{"preset":"wsd","peak":3e-4,"warmup_steps":\#(w),"decay_steps":\#(n / 5),"total_steps":\#(n),"decay_type":"sqrt"}"#),
    ("rex", #"{"preset":"rex","peak":3e-4,"total_steps":\#(n)}"#),
    ("uba phi=1", #"{"preset":"uba","peak":3e-4,"total_steps":\#(n),"phi":1}"#),
    ("exponential", #"{"preset":"exponential","peak":3e-4,"gamma":0.9999995}"#),
  ]
}

private func parse(_ text: String) -> Schedule {
  do {
    return try Schedule.parse(text)
  } catch {
    fatalError("PaceBenchmarks: cannot parse \(text): \(error)")
  }
}

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .throughput],
    timeUnits: .nanoseconds,
    warmupIterations: 2,
    maxDuration: .seconds(2),
    maxIterations: 1_000
  )

  let cosine = parse(#"{"preset":"cosine","peak":6e-4,"warmup_steps":1000,"total_steps":100000}"#)
  Benchmark("Schedule.value(at:) warmup+cosine", configuration: .init(scalingFactor: .mega)) { benchmark in
    var acc = 0.0
    var step: Int64 = 0
    for _ in benchmark.scaledIterations {
      acc += cosine.value(at: step)
      step = step == 99_999 ? 0 : step + 1
    }
    blackHole(acc)
  }

  for (name, spec) in fillSpecs(fillCount) {
    let schedule = parse(spec)
    Benchmark("fill f32 10^7 \(name)",
              configuration: .init(timeUnits: .milliseconds, maxDuration: .seconds(3), maxIterations: 25)) { benchmark in
      let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: fillCount)
      defer { buffer.deallocate() }
      buffer.initialize(repeating: 1)  // fault the pages in before timing
      benchmark.startMeasurement()
      schedule.fill(from: 0, into: buffer)
      benchmark.stopMeasurement()
      blackHole(buffer[fillCount / 3])
    }
  }

  let runtimeConfig = #"{"channels":{"lr":{"preset":"cosine","peak":3e-4,"warmup_steps":1000,"total_steps":1000000}}}"#
  Benchmark("Runtime.advance 1 channel x 1 group",
            configuration: .init(scalingFactor: .mega, maxIterations: 20)) { benchmark in
    let runtime: Runtime
    do {
      runtime = try Runtime(configText: runtimeConfig)
    } catch {
      fatalError("PaceBenchmarks: runtime config: \(error)")
    }
    var out = 0.0
    var acc = 0.0
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
      runtime.advance(gradNorm: 1.0, into: &out)
      acc += out
    }
    benchmark.stopMeasurement()
    blackHole(acc)
  }

  // Gradient norms: a decaying trend with deterministic noise in [0.8, 1.2).
  let norms = (0..<1_000_000).map { i in
    let noise = (Double(i).squareRoot() * 7919.0).truncatingRemainder(dividingBy: 1)
    return (1 + 2 / (1 + Double(i) * 1e-4).squareRoot()) * (0.8 + 0.4 * noise)
  }
  Benchmark("Refinement 10^6 norms smoothing 0.1",
            configuration: .init(timeUnits: .milliseconds, maxDuration: .seconds(3), maxIterations: 25)) { benchmark in
    do {
      blackHole(try Refinement(norms: norms, kind: .l2, smoothing: 0.1).multipliers.last)
    } catch {
      fatalError("PaceBenchmarks: refine: \(error)")
    }
  }
}
