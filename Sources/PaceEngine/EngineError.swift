//===--- EngineError.swift ------------------------------------------------===//
// Why an engine could not be created or a batch was refused.
//===----------------------------------------------------------------------===//

/// An engine or batch error; the C API maps each case to a pace_status.
public enum EngineError: Error, Equatable, CustomStringConvertible {
  /// A bad argument or environment variable (PACE_E_ARGUMENT).
  case argument(String)
  /// An output buffer too small for the batch (PACE_E_BUFFER_TOO_SMALL).
  case bufferTooSmall(String)
  /// NUMA required where there is none (PACE_E_UNSUPPORTED).
  case unsupported(String)
  /// Threads or scratch memory could not be had (PACE_E_NO_MEMORY).
  case noMemory(String)

  public var description: String {
    switch self {
    case .argument(let m), .bufferTooSmall(let m), .unsupported(let m), .noMemory(let m): return m
    }
  }
}
