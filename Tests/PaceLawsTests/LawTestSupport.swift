//===--- LawTestSupport.swift ---------------------------------------------===//
// The 25M data (data/loss-curves/25M), naive references, helpers.
//===----------------------------------------------------------------------===//
import Foundation
import Testing
import Pace
@testable import PaceLaws

/// data/loss-curves/25M of the repository.
let dataDirectory: URL = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  .appendingPathComponent("data/loss-curves/25M")

struct CSVCurve {
  var steps: [Int] = []
  var lrs: [Double] = []
  var losses: [Double] = []
}

func readCSV(_ name: String) throws -> CSVCurve {
  let text = try String(contentsOf: dataDirectory.appendingPathComponent(name + ".csv"), encoding: .utf8)
  var out = CSVCurve()
  for line in text.split(whereSeparator: \.isNewline).dropFirst() {
    let f = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    out.steps.append(Int(f[0])!)
    out.lrs.append(Double(f[1])!)
    out.losses.append(Double(f[2])!)
  }
  return out
}

func readSpec(_ name: String) throws -> String {
  try String(contentsOf: dataDirectory.appendingPathComponent(name + ".json"), encoding: .utf8)
}

func loadCurve(_ name: String) throws -> LossCurve {
  let csv = try readCSV(name)
  let seq = try LRSequence(spec: try readSpec(name))
  return try LossCurve(sequence: seq, steps: csv.steps, losses: csv.losses, name: name)
}

let trainNames = ["cosine_24000", "constant_24000", "wsdcon_9"]
let testNames = ["cosine_72000", "constant_72000", "wsd_20000_24000", "wsdld_20000_24000", "wsdcon_3", "wsdcon_18"]

/// LD by the definition, every step: O(T^2).
func naiveLossDrop(_ eta: [Double], firstDrop: Int, C: Double, beta: Double, gamma: Double) -> [Double] {
  let floor = (eta.max() ?? 0) * LossDropEvaluator.floorRatio
  return (0..<eta.count).map { t in
    var sum = 0.0
    if t >= firstDrop {
      for k in firstDrop...t {
        var s = 0.0
        for tau in k...t { s += eta[tau] }
        let x = C * Foundation.pow(Swift.max(eta[k], floor), -gamma) * s
        sum += (eta[k - 1] - eta[k]) * (1 - Foundation.pow(1 + x, -beta))
      }
    }
    return sum
  }
}

/// S2 by the double-sum definition: sum_i sum_{k<=i} (eta_{k-1} - eta_k) lambda^(i-k).
func naiveAnnealingArea(_ eta: [Double], lambda: Double, firstDrop: Int = 1) -> [Double] {
  (0..<eta.count).map { s in
    var total = 0.0
    if s >= 1 {
      for i in 1...s {
        var k = Swift.max(1, firstDrop)
        while k <= i {
          total += (eta[k - 1] - eta[k]) * Foundation.pow(lambda, Double(i - k))
          k += 1
        }
      }
    }
    return total
  }
}

struct SplitMix64 {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// The bits among `bits` of `bytes` whose flip `load` accepts (a damaged save
/// must be rejected whole). A flip rejected with anything but `.state` (damage)
/// or `.version` (a flipped version digit reads as a newer version) is
/// recorded as an issue.
///
/// - Complexity: one `load` per bit.
func acceptedBitFlips(of bytes: [UInt8], bits: some Sequence<Int>, load: (String) throws -> Void) -> [Int] {
  var accepted: [Int] = []
  for bit in bits {
    var damaged = bytes
    damaged[bit / 8] ^= UInt8(1 << (bit % 8))
    do {
      try load(String(decoding: damaged, as: UTF8.self))
      accepted.append(bit)
    } catch let error as LawError {
      if case .state = error { continue }
      if case .version = error { continue }
      Issue.record("bit \(bit): \(error)")
    } catch {
      Issue.record("bit \(bit): \(error)")
    }
  }
  return accepted
}
