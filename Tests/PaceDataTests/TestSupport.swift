//===--- TestSupport.swift ------------------------------------------------===//
// Helpers shared by the data-pacing tests.
//===----------------------------------------------------------------------===//
import Testing
@testable import PaceData

/// A sampler from JSON text; the test fails on an error.
func sampler(_ json: String, scores: [Double]? = nil, domains: [Int32]? = nil) throws -> Sampler {
  try Sampler(configText: json, scores: scores, domains: domains)
}

/// The global batch of a step (rank 0 of 1).
func globalBatch(_ s: Sampler, _ step: Int64) throws -> [Int64] {
  try s.batch(step: step, rank: 0, worldSize: 1)
}

/// A reproducible stream of doubles in [0, 1) (test data, not the library's RNG).
struct TestRandom {
  var state: UInt64
  mutating func next() -> Double {
    state = state &* 6364136223846793005 &+ 1442695040888963407
    return Double(state >> 11) * 0x1p-53
  }
  mutating func normal() -> Double {
    let u = max(next(), 1e-300), v = next()
    return (-2 * Foundation_log(u)).squareRoot() * Foundation_cos(2 * Double.pi * v)
  }
}

#if canImport(Glibc)
import Glibc
func Foundation_log(_ x: Double) -> Double { Glibc.log(x) }
func Foundation_cos(_ x: Double) -> Double { Glibc.cos(x) }
#endif

/// The error a throwing call raises, or nil.
func dataError(_ body: () throws -> Void) -> DataError? {
  do {
    try body()
    return nil
  } catch let error as DataError {
    return error
  } catch {
    return .argument("not a DataError: \(error)")
  }
}

/// True when `error` is of the kind and its message contains `text`.
func names(_ error: DataError?, _ text: String) -> Bool {
  guard let error else { return false }
  return error.description.contains(text)
}
