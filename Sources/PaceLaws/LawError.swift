//===--- LawError.swift ---------------------------------------------------===//
// Errors of the loss-curve laws: bad input, schedules, non-convergence.
//===----------------------------------------------------------------------===//
import Pace

/// Why a law could not be fitted, evaluated, saved or loaded.
public enum LawError: Error, Sendable, CustomStringConvertible {
  /// A bad argument: NaN, a non-positive loss, steps out of order or past
  /// the schedule, mismatched lengths, too few points, an unknown name.
  case argument(String)
  /// A schedule spec was rejected (the message names the JSON path).
  case spec(SpecError)
  /// The fit did not converge or produced non-finite values; `reached` is
  /// the best law found (nil when none was finite).
  case numeric(String, reached: FittedLaw?)
  /// Saved law text that cannot be read (not JSON, missing or wrong fields).
  case state(String)
  /// Saved law text of another format version.
  case version(String)
  /// A library the operation needs could not be loaded (LAPACKE, for the
  /// fits): the message names it, says why and how to install it.
  case unsupported(String)

  public var description: String {
    switch self {
    case .argument(let m): return m
    case .spec(let e): return "schedule spec: \(e.description)"
    case .numeric(let m, let reached):
      guard let reached else { return m }
      return "\(m); reached \(reached.law.parameterSummary) (objective \(reached.report.objective))"
    case .state(let m): return m
    case .version(let m): return m
    case .unsupported(let m): return m
    }
  }
}
