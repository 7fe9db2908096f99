//===--- Status.swift -----------------------------------------------------===//
// pace_status values, their names, the version, and failing with a message.
//===----------------------------------------------------------------------===//
import CPace
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Records `message` as the thread's last error and returns `status`.
func fail(_ status: pace_status, _ message: String) -> pace_status {
  setLastError("\(String(cString: pace_status_name(status))): \(message)")
  return status
}

/// Every pace_status of include/pace.h and its name: the one list that
/// pace_status_name and pace_names_json read.
let statusNames: [(status: pace_status, name: StaticString)] = [
  (PACE_OK, "PACE_OK"),
  (PACE_E_ARGUMENT, "PACE_E_ARGUMENT"),
  (PACE_E_SPEC, "PACE_E_SPEC"),
  (PACE_E_BUFFER_TOO_SMALL, "PACE_E_BUFFER_TOO_SMALL"),
  (PACE_E_STATE, "PACE_E_STATE"),
  (PACE_E_VERSION, "PACE_E_VERSION"),
  (PACE_E_NUMERIC, "PACE_E_NUMERIC"),
  (PACE_E_NO_MEMORY, "PACE_E_NO_MEMORY"),
  (PACE_E_UNSUPPORTED, "PACE_E_UNSUPPORTED"),
  (PACE_E_INTERNAL, "PACE_E_INTERNAL"),
]

@c @implementation
public func pace_status_name(_ status: pace_status) -> UnsafePointer<CChar>! {
  staticCString(statusNames.first { $0.status == status }?.name ?? "PACE_E_UNKNOWN")
}

@c @implementation
public func pace_last_error() -> UnsafePointer<CChar>! {
  lastError()
}

@c @implementation
public func pace_version_number() -> UInt32 {
  UInt32(PACE_VERSION_MAJOR * 10000 + PACE_VERSION_MINOR * 100 + PACE_VERSION_PATCH)
}

/// "MAJOR.MINOR.PATCH" from the header's PACE_VERSION_* (the one place the
/// version is written), made once and kept for the life of the process.
nonisolated(unsafe) private let versionString: UnsafePointer<CChar> = {
  let text = "\(PACE_VERSION_MAJOR).\(PACE_VERSION_MINOR).\(PACE_VERSION_PATCH)"
  return UnsafePointer(strdup(text) ?? UnsafeMutablePointer(mutating: staticCString("?")))
}()

@c @implementation
public func pace_version_string() -> UnsafePointer<CChar>! {
  versionString
}
