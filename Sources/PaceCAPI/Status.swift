//===--- Status.swift -----------------------------------------------------===//
// pace_status values, their names, and failing with a message.
//===----------------------------------------------------------------------===//
import CPace

/// Records `message` as the thread's last error and returns `status`.
func fail(_ status: pace_status, _ message: String) -> pace_status {
  setLastError("\(String(cString: pace_status_name(status))): \(message)")
  return status
}

@c @implementation
public func pace_status_name(_ status: pace_status) -> UnsafePointer<CChar>! {
  switch status {
  case PACE_OK: return staticCString("PACE_OK")
  case PACE_E_ARGUMENT: return staticCString("PACE_E_ARGUMENT")
  case PACE_E_SPEC: return staticCString("PACE_E_SPEC")
  case PACE_E_BUFFER_TOO_SMALL: return staticCString("PACE_E_BUFFER_TOO_SMALL")
  case PACE_E_STATE: return staticCString("PACE_E_STATE")
  case PACE_E_VERSION: return staticCString("PACE_E_VERSION")
  case PACE_E_NUMERIC: return staticCString("PACE_E_NUMERIC")
  case PACE_E_NO_MEMORY: return staticCString("PACE_E_NO_MEMORY")
  case PACE_E_UNSUPPORTED: return staticCString("PACE_E_UNSUPPORTED")
  case PACE_E_INTERNAL: return staticCString("PACE_E_INTERNAL")
  default: return staticCString("PACE_E_UNKNOWN")
  }
}

@c @implementation
public func pace_last_error() -> UnsafePointer<CChar>! {
  lastError()
}

@c @implementation
public func pace_version_number() -> UInt32 {
  UInt32(PACE_VERSION_MAJOR * 10000 + PACE_VERSION_MINOR * 100 + PACE_VERSION_PATCH)
}

@c @implementation
public func pace_version_string() -> UnsafePointer<CChar>! {
  staticCString("0.1.0")
}
