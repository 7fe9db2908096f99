//===--- KernelListTests.swift --------------------------------------------===//
// Every shape the spec parser accepts takes the at path and the fill path.
//===----------------------------------------------------------------------===//
import Testing
@testable import Pace

/// Phases of every shape the parser knows (``PhaseResolver/shapeNames``),
/// with every combination of the fields it allows for the shape
/// (``PhaseResolver/allowedFields(_:)``), each absent or set to one of a
/// few values; the parser keeps the valid ones. A new shape, curve or
/// parameter in the parser's table is covered without editing this file
/// (a new field needs values in ``fieldValues``, which the test checks).
enum EveryParsedPhase {
  /// Values to try for each field, besides leaving it out (`steps` is
  /// always given: a finite run to compare). `from` and `to` include a
  /// rising pair (a mirrored warmup) and an exponential base that underflows to 0
  /// (the kernel for C's `pow` special values).
  static let fieldValues: [String: [String]] = [
    "steps": ["60"],
    "from": ["0.1", "1e300"],
    "to": ["0.05", "0.7", "1e-300"],
    "endpoint": [#""inclusive""#],
    "mirror": ["false"],
    "offset": ["3"],
    "cycles": ["1.5"],
    "exponent": ["2.5"],
    "power": ["1", "2", "0.5"],
    "phi": ["0.8"],
    "gamma": ["0.97"],
    "staircase": ["10"],
    "step_size": ["9"],
    "milestones": ["[4, 11, 30]"],
    "timescale": ["12"],
    "a": ["4"],
    "b": ["-0.51"],
    "tokens_per_step": ["1000"],
    "values": ["[0.5, 0.4, 0.45, 0.1]"],
    "points": ["[[0, 0.2], [10.5, 0.8], [30, 0.05]]"],
    "interpolation": [#""step""#],
    "spec": [#"{"phases": [{"shape": "cosine", "steps": 100, "from": 1, "to": 0.1}]}"#],
    "origin": ["5"],
    "rate": ["2"],
  ]

  /// Fields left to the parser's defaults: the shape itself, and
  /// `fraction` (a share of a run's total, which these specs do not give).
  static let untried: Set<String> = ["shape", "fraction"]

  /// The specs of one top-level phase of shape `shape`, one per
  /// combination of its fields' values.
  static func specs(shape: String) -> [String] {
    let fields = PhaseResolver.allowedFields(shape).subtracting(untried).sorted()
    var members = [[#""shape": "\#(shape)""#]]
    for field in fields {
      let values = fieldValues[field] ?? []
      let choices: [String?] = field == "steps" ? values : [nil] + values
      members = members.flatMap { prefix in
        choices.map { value in value.map { prefix + [#""\#(field)": \#($0)"#] } ?? prefix }
      }
    }
    return members.map { #"{"phases": [{\#($0.joined(separator: ", "))}]}"# }
  }
}

/// Answers whether ``Phase/withKernel(length:map:_:)`` builds a lane kernel.
struct KernelProbe: PhaseKernelVisitor {
  func visit<K: PhaseKernel>(_ kernel: K) -> Bool { true }
  func visitScalar() -> Bool { false }
}

@Suite struct KernelListTests {
  /// Every field the parser allows has values to try.
  @Test func everyFieldHasValues() {
    for shape in PhaseResolver.shapeNames {
      for field in PhaseResolver.allowedFields(shape).subtracting(EveryParsedPhase.untried) {
        #expect(EveryParsedPhase.fieldValues[field] != nil, "field \(field) of shape \(shape)")
      }
    }
  }

  /// For every shape and field combination the parser accepts: a phase
  /// whose `withKernel` builds a lane kernel has that kernel in `value(at:)`'s
  /// list (not `general`), one that looks its position up is `general`;
  /// `value(at:)` equals the float64 fill bit for bit and is a number at
  /// every step.
  @Test(arguments: PhaseResolver.shapeNames)
  func shapeTakesBothPaths(shape: String) throws {
    var parsed = 0
    for spec in EveryParsedPhase.specs(shape: shape) {
      guard let s = try? Schedule.parse(spec) else { continue }
      parsed += 1
      guard case .phase(let phase) = s.itemBuffer[0] else {
        Issue.record("\(spec): not a plain phase")
        continue
      }
      let hasKernel = phase.withKernel(length: phase.length, map: .identity, KernelProbe())
      let kind = s.atKernels.kind(item: 0)
      #expect(hasKernel == (kind != .general), "\(spec): at kernel \(kind)")
      let count = Int(s.totalSteps ?? 0) + 10
      for start: Int64 in [0, 1, 2, 3] {
        for (k, v) in s.values(from: start, count: count).enumerated() {
          let at = s.value(at: start + Int64(k))
          if v.bitPattern != at.bitPattern || v.isNaN {
            Issue.record("\(spec): step \(start + Int64(k)): fill \(v), at \(at)")
            break
          }
        }
      }
    }
    #expect(parsed > 0, "no spec of shape \(shape) parsed")
  }

  /// Every case of the list is built by some shape the parser accepts.
  @Test func everyListedKernelIsBuilt() throws {
    var seen: Set<AtKernel> = []
    for shape in PhaseResolver.shapeNames {
      for spec in EveryParsedPhase.specs(shape: shape) {
        guard let s = try? Schedule.parse(spec) else { continue }
        seen.insert(s.atKernels.kind(item: 0))
      }
    }
    for kind in AtKernel.allCases {
      #expect(seen.contains(kind), "no parsed phase runs the at kernel \(kind)")
    }
  }
}
