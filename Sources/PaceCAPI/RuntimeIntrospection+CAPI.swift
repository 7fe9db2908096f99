//===--- RuntimeIntrospection+CAPI.swift ----------------------------------===//
// pace_runtime_events_json, pace_runtime_event_count,
// pace_runtime_cooldown_started, pace_runtime_played_values,
// pace_runtime_played_spec.
//===----------------------------------------------------------------------===//
import CPace
import Pace

@c @implementation
public func pace_runtime_event_count(_ rt: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> pace_status {
  withHandle(rt, .runtime, "runtime", as: Runtime.self) { r in
    guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
    out.pointee = Int64(r.events.count)
    return PACE_OK
  }
}

@c @implementation
public func pace_runtime_events_json(_ rt: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                     _ needed: UnsafeMutablePointer<Int>?) -> pace_status {
  withHandle(rt, .runtime, "runtime", as: Runtime.self) { r in
    writeText(r.eventsJSON, buffer, capacity, needed)
  }
}

@c @implementation
public func pace_runtime_cooldown_started(_ rt: OpaquePointer?, _ channel: UnsafePointer<CChar>?,
                                          _ out: UnsafeMutablePointer<Int32>?) -> pace_status {
  withHandle(rt, .runtime, "runtime", as: Runtime.self) { r in
    guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
    do throws(RuntimeError) {
      out.pointee = try r.cooldownStarted(channel: channel.map { String(cString: $0) }) ? 1 : 0
      return PACE_OK
    } catch {
      return fail(PACE_E_ARGUMENT, "pace_runtime_cooldown_started: \(error.description)")
    }
  }
}

@c @implementation
public func pace_runtime_played_values(_ rt: OpaquePointer?, _ channel: UnsafePointer<CChar>?, _ firstStep: Int64,
                                       _ count: Int, _ out: UnsafeMutablePointer<Double>?) -> pace_status {
  withHandle(rt, .runtime, "runtime", as: Runtime.self) { r in
    guard count >= 0 else { return fail(PACE_E_ARGUMENT, "count \(UInt(bitPattern: count)) exceeds the steps played") }
    guard let out else {
      if count == 0 { return PACE_OK }
      return fail(PACE_E_ARGUMENT, "out is NULL")
    }
    do throws(RuntimeError) {
      try r.playedValues(channel: channel.map { String(cString: $0) }, from: firstStep,
                         into: UnsafeMutableBufferPointer(start: out, count: count))
      return PACE_OK
    } catch {
      return fail(PACE_E_ARGUMENT, "pace_runtime_played_values: \(error.description)")
    }
  }
}

@c @implementation
public func pace_runtime_played_spec(_ rt: OpaquePointer?, _ channel: UnsafePointer<CChar>?,
                                     _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                     _ needed: UnsafeMutablePointer<Int>?) -> pace_status {
  withHandle(rt, .runtime, "runtime", as: Runtime.self) { r in
    do throws(RuntimeError) {
      return writeText(try r.playedSpec(channel: channel.map { String(cString: $0) }), buffer, capacity, needed)
    } catch {
      return fail(PACE_E_ARGUMENT, "pace_runtime_played_spec: \(error.description)")
    }
  }
}
