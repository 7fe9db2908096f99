//===--- SearchCandidate.swift --------------------------------------------===//
// One member of a searched schedule family, its spec built on demand.
//===----------------------------------------------------------------------===//
import Pace

/// What every candidate of a search shares: its length, peak and warmup.
struct SearchFrame: Sendable {
  /// Total steps T.
  var budget: Int
  /// Peak LR.
  var peak: Double
  /// Steps of the linear warmup.
  var warmupSteps: Int
}

extension SearchOptions {
  var frame: SearchFrame { SearchFrame(budget: budget, peak: peak, warmupSteps: warmupSteps) }
}

/// A candidate's schedule short of its text: a linear warmup to the peak,
/// `stableSteps` at the peak, then one decay phase to the end of the budget.
/// Its spec document is built only where it is needed (each evaluation
/// parses the document, never text; the text is rendered for the winners).
struct CandidateSchedule: Sendable {
  /// The decay phase's shape (`cosine`, `linear`, `uba`, ...).
  var shape: String
  /// UBA's phi (nil for the other shapes).
  var phi: Double?
  /// The decay's end, a multiple of the peak.
  var to: Double
  /// Steps at the peak between the warmup and the decay (>= 0).
  var stableSteps: Int

  /// The spec document over `frame`'s budget, peak and warmup: the warmup
  /// (``warmupPhases(_:)``), the stable phase, the decay.
  ///
  /// - Complexity: O(1).
  func document(_ frame: SearchFrame) -> JSONValue {
    var phases = Self.warmupPhases(frame.warmupSteps)
    if stableSteps > 0 {
      phases.append(.object([("shape", .string("constant")), ("steps", .number(Double(stableSteps), text: "")),
                             ("from", .number(1, text: ""))]))
    }
    var decay: [(key: String, value: JSONValue)] = [("shape", .string(shape))]
    if let phi { decay.append(("phi", .number(phi, text: ""))) }
    decay += [("from", .number(1, text: "")), ("to", .number(to, text: ""))]
    phases.append(.object(decay))
    return Self.document(frame, phases: phases)
  }

  /// The phases of a linear warmup of `W` steps to the peak:
  /// `W - 1` linear steps from 0 to 1 and one at 1 (numpy.linspace(0, peak, W)).
  static func warmupPhases(_ W: Int) -> [JSONValue] {
    func num(_ x: Double) -> JSONValue { .number(x, text: "") }
    var phases: [JSONValue] = []
    if W >= 2 {
      phases.append(.object([("shape", .string("linear")), ("steps", num(Double(W - 1))), ("from", num(0)), ("to", num(1))]))
    }
    if W >= 1 {
      phases.append(.object([("shape", .string("constant")), ("steps", num(1)), ("from", num(1))]))
    }
    return phases
  }

  /// A version-1 spec of `phases` over `frame`'s budget and peak.
  static func document(_ frame: SearchFrame, phases: [JSONValue]) -> JSONValue {
    .object([("version", .number(1, text: "")), ("peak", .number(frame.peak, text: "")),
             ("total_steps", .number(Double(frame.budget), text: "")), ("phases", .array(phases))])
  }
}

/// One evaluated schedule.
public struct SearchCandidate: Sendable {
  public var family: String
  /// Family parameters, e.g. ["decay_fraction": 0.2, "final_ratio": 0].
  public var parameters: [(name: String, value: Double)]
  /// The cooldown shape (wsd only).
  public var shape: String?
  /// The predicted final loss (NaN before evaluation).
  public var finalLoss: Double
  let schedule: CandidateSchedule
  /// The budget, peak and warmup the schedule is played over.
  let frame: SearchFrame

  /// The schedule spec (JSON text), rendered on each call (O(1)).
  public var spec: String { JSONWriter.render(schedule.document(frame)) }

  /// "wsd decay_fraction=0.2 shape=sqrt final_ratio=0".
  public var summary: String {
    ([family] + parameters.map { "\($0.name)=\(JSONWriter.number($0.value))" } + (shape.map { ["shape=\($0)"] } ?? []))
      .joined(separator: " ")
  }
}
