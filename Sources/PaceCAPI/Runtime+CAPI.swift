//===--- Runtime+CAPI.swift -----------------------------------------------===//
// pace_runtime_*.
//===----------------------------------------------------------------------===//
import CPace
import Pace
import PaceIO
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` on the runtime behind a live runtime handle (NULL, another
/// kind or a freed handle give PACE_E_ARGUMENT).
@inline(__always)
private func withRuntime(_ handle: OpaquePointer?, _ body: (Runtime) -> pace_status) -> pace_status {
  withHandle(handle, .runtime, "runtime", as: Runtime.self, body)
}

/// Maps a runtime error to its status, recording the message.
private func fail(_ error: RuntimeError, _ context: String) -> pace_status {
  switch error {
  case .argument(let m): return fail(PACE_E_ARGUMENT, "\(context): \(m)")
  case .spec(let e): return fail(PACE_E_SPEC, "\(context): \(e.description)")
  case .state(let m): return fail(PACE_E_STATE, "\(context): \(m)")
  case .version(let m): return fail(PACE_E_VERSION, "\(context): \(m)")
  }
}

/// A C string argument as a Swift string (invalid UTF-8 repaired).
private func string(_ text: UnsafePointer<CChar>) -> String { String(cString: text) }

/// Stores a new runtime handle in `out`.
private func store(_ runtime: Runtime, _ out: UnsafeMutablePointer<OpaquePointer?>) -> pace_status {
  storeHandle(runtime, .runtime, out)
}

@c @implementation
public func pace_runtime_create(_ config: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pace_status {
  guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
  out.pointee = nil
  guard let config else { return fail(PACE_E_ARGUMENT, "config_json is NULL") }
  let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(config).assumingMemoryBound(to: UInt8.self), count: strlen(config)))
  guard let text = String(validating: bytes, as: UTF8.self) else {
    return fail(PACE_E_SPEC, "config_json is not valid UTF-8")
  }
  do throws(RuntimeError) {
    return store(try Runtime(configText: text), out)
  } catch {
    return fail(error, "pace_runtime_create")
  }
}

@c @implementation
public func pace_runtime_free(_ rt: OpaquePointer?) {
  freeHandle(rt, .runtime, "runtime")
}

@c @implementation
public func pace_runtime_shape(_ rt: OpaquePointer?, _ channels: UnsafeMutablePointer<Int64>?,
                               _ groups: UnsafeMutablePointer<Int64>?) -> pace_status {
  withRuntime(rt) { r in
    channels?.pointee = Int64(r.channelCount)
    groups?.pointee = Int64(r.groupCount)
    return PACE_OK
  }
}

/// Writes name `index` of a runtime's channels or groups with the (buf,
/// cap, *needed) pattern.
private func writeName(_ rt: OpaquePointer?, _ index: Int64, _ kind: String, _ names: (Runtime) -> [String],
                       _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                       _ needed: UnsafeMutablePointer<Int>?) -> pace_status {
  withRuntime(rt) { r in
    let list = names(r)
    guard index >= 0, index < Int64(list.count) else {
      return fail(PACE_E_ARGUMENT, "\(kind) index \(index) is out of range [0, \(list.count))")
    }
    return writeText(list[Int(index)], buffer, capacity, needed)
  }
}

@c @implementation
public func pace_runtime_channel_name(_ rt: OpaquePointer?, _ index: Int64, _ buffer: UnsafeMutablePointer<CChar>?,
                                      _ capacity: Int, _ needed: UnsafeMutablePointer<Int>?) -> pace_status {
  writeName(rt, index, "channel", { $0.channels.map(\.name) }, buffer, capacity, needed)
}

@c @implementation
public func pace_runtime_group_name(_ rt: OpaquePointer?, _ index: Int64, _ buffer: UnsafeMutablePointer<CChar>?,
                                    _ capacity: Int, _ needed: UnsafeMutablePointer<Int>?) -> pace_status {
  writeName(rt, index, "group", { $0.config.groups.map(\.name) }, buffer, capacity, needed)
}

@c @implementation
public func pace_runtime_step(_ rt: OpaquePointer?, _ gradNorm: Double, _ out: UnsafeMutablePointer<Double>?,
                              _ capacity: Int) -> pace_status {
  withRuntime(rt) { r in
    guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
    guard capacity < 0 || capacity >= r.valueCount else {  // capacity < 0: a size_t above Int.max
      return fail(PACE_E_BUFFER_TOO_SMALL, "out holds \(capacity) values; the runtime writes \(r.valueCount)")
    }
    r.advance(gradNorm: gradNorm, into: out)
    return PACE_OK
  }
}

@c @implementation
public func pace_runtime_values(_ rt: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?, _ capacity: Int) -> pace_status {
  withRuntime(rt) { r in
    guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
    guard capacity < 0 || capacity >= r.valueCount else {  // capacity < 0: a size_t above Int.max
      return fail(PACE_E_BUFFER_TOO_SMALL, "out holds \(capacity) values; the runtime writes \(r.valueCount)")
    }
    r.values(into: out)
    return PACE_OK
  }
}

@c @implementation
public func pace_runtime_step_count(_ rt: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> pace_status {
  withRuntime(rt) { r in
    guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
    out.pointee = r.step
    return PACE_OK
  }
}

@c @implementation
public func pace_runtime_begin_decay(_ rt: OpaquePointer?, _ channel: UnsafePointer<CChar>?, _ decaySteps: Int64,
                                     _ shape: UnsafePointer<CChar>?, _ to: Double) -> pace_status {
  withRuntime(rt) { r in
    guard let shape else { return fail(PACE_E_ARGUMENT, "shape is NULL") }
    do throws(RuntimeError) {
      try r.beginDecay(channel: channel.map(string), steps: decaySteps, shape: string(shape), to: to)
      return PACE_OK
    } catch {
      return fail(error, "pace_runtime_begin_decay")
    }
  }
}

@c @implementation
public func pace_runtime_rewarm(_ rt: OpaquePointer?, _ channel: UnsafePointer<CChar>?,
                                _ spec: UnsafePointer<CChar>?) -> pace_status {
  withRuntime(rt) { r in
    guard let spec else { return fail(PACE_E_ARGUMENT, "spec_json is NULL") }
    do throws(RuntimeError) {
      try r.rewarm(channel: channel.map(string), spec: string(spec))
      return PACE_OK
    } catch {
      return fail(error, "pace_runtime_rewarm")
    }
  }
}

@c @implementation
public func pace_runtime_set_total_steps(_ rt: OpaquePointer?, _ total: Int64) -> pace_status {
  withRuntime(rt) { r in
    do throws(RuntimeError) {
      try r.setTotalSteps(total)
      return PACE_OK
    } catch {
      return fail(error, "pace_runtime_set_total_steps")
    }
  }
}

@c @implementation
public func pace_runtime_save(_ rt: OpaquePointer?, _ buffer: UnsafeMutableRawPointer?, _ capacity: Int,
                              _ needed: UnsafeMutablePointer<Int>?) -> pace_status {
  withRuntime(rt) { r in
    let bytes = r.save()
    needed?.pointee = bytes.count
    guard let buffer, capacity < 0 || capacity >= bytes.count else {
      return fail(PACE_E_BUFFER_TOO_SMALL, "the state needs \(bytes.count) bytes, capacity is \(capacity)")
    }
    bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
    return PACE_OK
  }
}

@c @implementation
public func pace_runtime_load(_ buffer: UnsafeRawPointer?, _ size: Int, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pace_status {
  guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
  out.pointee = nil
  guard let buffer else { return fail(PACE_E_ARGUMENT, "buf is NULL") }
  guard size >= 0 else { return fail(PACE_E_ARGUMENT, "size is negative") }
  let bytes = Array(UnsafeRawBufferPointer(start: buffer, count: size))
  do throws(RuntimeError) {
    return store(try Runtime.load(bytes), out)
  } catch {
    return fail(error, "pace_runtime_load")
  }
}

@c @implementation
public func pace_runtime_save_file(_ rt: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> pace_status {
  withRuntime(rt) { r in
    guard let path else { return fail(PACE_E_ARGUMENT, "path is NULL") }
    do throws(FileError) {
      try Files.writeAtomically(r.save(), to: string(path))
      return PACE_OK
    } catch {
      return fail(PACE_E_ARGUMENT, "pace_runtime_save_file: \(error.description)")
    }
  }
}

@c @implementation
public func pace_runtime_load_file(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pace_status {
  guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
  out.pointee = nil
  guard let path else { return fail(PACE_E_ARGUMENT, "path is NULL") }
  do throws(RuntimeError) {
    // The header first; then at most the length it declares (a huge or
    // endless file such as /dev/zero is refused, never read whole).
    let bytes = try SavedStateFile.read(string(path), headerSize: Runtime.headerSize,
                                        fileError: { RuntimeError.argument($0) },
                                        declaredSize: { (header) throws(RuntimeError) in try Runtime.declaredSize(header: header) })
    return store(try Runtime.load(bytes), out)
  } catch {
    return fail(error, "pace_runtime_load_file")
  }
}
