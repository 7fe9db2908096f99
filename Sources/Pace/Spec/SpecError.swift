//===--- SpecError.swift --------------------------------------------------===//
// Why a schedule spec was rejected, with the JSON path of the culprit.
//===----------------------------------------------------------------------===//

/// A rejected spec: the JSON path of the offending field and what is wrong.
///
/// `description` reads `phases[2].steps: must be a number > 0, got -5`.
public struct SpecError: Error, Sendable, CustomStringConvertible, Equatable {
  /// JSON path (`phases[2].steps`); empty for the document itself.
  public var path: String
  public var message: String

  public init(path: String, _ message: String) {
    self.path = path
    self.message = message
  }

  public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Joins a JSON path and a member name.
@usableFromInline
func joinPath(_ base: String, _ key: String) -> String {
  if key.isEmpty { return base }
  if base.isEmpty || key.hasPrefix("[") { return base + key }
  return base + "." + key
}
