//===--- EngineTestSupport.swift ------------------------------------------===//
// Mixed schedules and engine construction shared by the engine tests.
//===----------------------------------------------------------------------===//
import Pace
import Testing
@testable import PaceEngine

/// One spec of many kinds (presets, phases, repeat blocks, tables, open-ended
/// shapes), so that fills take every code path (four-lane kernels and scalar).
let mixedSpecs: [String] = [
  #"{"preset":"cosine","peak":3e-4,"warmup_steps":50,"total_steps":900}"#,
  #"{"preset":"wsd","peak":3e-4,"warmup_steps":100,"stable_steps":400,"decay_steps":300,"decay_type":"1-sqrt"}"#,
  #"{"preset":"onecycle","peak":0.1,"total_steps":700,"pct_start":0.3}"#,
  #"{"preset":"linear","peak":1e-3,"warmup_steps":10,"total_steps":333}"#,
  #"{"preset":"inverse_sqrt","peak":1e-3,"warmup_steps":100,"timescale":300}"#,
  #"{"preset":"sgdr","peak":0.1,"t0":50,"t_mult":2,"min_ratio":0.01}"#,
  #"{"preset":"step","peak":0.1,"step_size":77,"gamma":0.5}"#,
  #"{"preset":"rex","peak":1e-3,"warmup_steps":100,"total_steps":1000,"min_ratio":0.05}"#,
  #"{"preset":"uba","peak":1e-3,"warmup_steps":100,"total_steps":1000,"phi":1.5}"#,
  #"{"peak":2,"phases":[{"shape":"table","values":[1,0.5,0.25,0.75,0.1]},{"shape":"exponential","steps":90,"to":0.01}],"after":"zero"}"#,
  #"{"peak":3e-4,"total_steps":10000,"phases":[{"shape":"linear","steps":500,"from":0,"to":1},{"shape":"constant","fraction":0.7},{"shape":"sqrt","to":0.1}]}"#,
  #"{"preset":"constant","peak":0.1}"#,
]

/// `count` schedules cycling through ``mixedSpecs``.
func mixedSchedules(_ count: Int) -> [Schedule] {
  (0..<count).map { try! Schedule.parse(mixedSpecs[$0 % mixedSpecs.count]) }
}

/// An engine that reads `environment` instead of the process's.
func makeEngine(threads: Int?, _ environment: [String: String] = [:], numa: NUMAMode = .auto) -> BatchEngine? {
  do {
    return try BatchEngine(threads: threads, numa: numa, environment: environment)
  } catch {
    Issue.record("engine not created: \(error)")
    return nil
  }
}

/// A fill into a fresh array.
func fillMatrix<E: BinaryFloatingPoint>(_ engine: BatchEngine, _ schedules: [Schedule], start: Int64, count: Int64,
                                        as: E.Type) throws(EngineError) -> [E] {
  var out = [E](repeating: E.nan, count: schedules.count * Int(count))
  try out.withUnsafeMutableBufferPointer { (buffer) throws(EngineError) in
    if let b = buffer as? UnsafeMutableBufferPointer<Double> {
      try engine.fill(schedules, start: start, count: count, into: b)
    } else if let b = buffer as? UnsafeMutableBufferPointer<Float> {
      try engine.fill(schedules, start: start, count: count, into: b)
    }
  }
  return out
}

/// Bit patterns, so that comparisons are exact (NaN included).
func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }
func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }
func bits(_ r: [Reduction]) -> [[UInt64]] {
  r.map { [$0.finalValue.bitPattern, $0.sum.bitPattern, $0.s2.bitPattern] }
}
