//===--- DataError.swift --------------------------------------------------===//
// Errors of the data-pacing module: each names the config field or argument.
//===----------------------------------------------------------------------===//

/// Why a sampler could not be created, queried, saved or loaded.
public enum DataError: Error, Equatable, CustomStringConvertible {
  /// A bad argument (step, rank, world size, array length); the message names it.
  case argument(String)
  /// A config rejected; the message names the JSON field.
  case config(String)
  /// Saved state damaged, truncated, or of another kind.
  case state(String)
  /// Saved state of a newer format version.
  case version(String)
  /// A fit or solve did not converge, or produced non-finite values.
  case numeric(String)

  public var description: String {
    switch self {
    case .argument(let m), .config(let m), .state(let m), .version(let m), .numeric(let m): m
    }
  }
}
