//===--- TuneError.swift --------------------------------------------------===//
// Errors of the AutoLRS tuner: each names the config field or argument.
//===----------------------------------------------------------------------===//

/// Why a tuner could not be created, driven, saved or loaded.
public enum TuneError: Error, Equatable, CustomStringConvertible {
  /// A bad argument or a call out of protocol order; the message says which.
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
