//===--- Tune+CAPI.swift --------------------------------------------------===//
// pace_autolrs_*: the AutoLRS tuner (docs/autolrs.md).
//===----------------------------------------------------------------------===//
import CPace
import PaceTune
#if canImport(Glibc)
import Glibc
#endif

/// Maps a tuner error to its status, recording the message.
private func fail(_ error: TuneError, _ context: String) -> pace_status {
  switch error {
  case .argument(let m): return fail(PACE_E_ARGUMENT, "\(context): \(m)")
  case .config(let m): return fail(PACE_E_SPEC, "\(context): \(m)")
  case .state(let m): return fail(PACE_E_STATE, "\(context): \(m)")
  case .version(let m): return fail(PACE_E_VERSION, "\(context): \(m)")
  case .numeric(let m): return fail(PACE_E_NUMERIC, "\(context): \(m)")
  }
}

@inline(__always)
private func withTuner(_ handle: OpaquePointer?, _ body: (AutoLRS) -> pace_status) -> pace_status {
  withHandle(handle, .autolrs, "t", as: AutoLRS.self, body)
}

/// Stores a new tuner handle in `out`.
private func store(_ tuner: AutoLRS, _ out: UnsafeMutablePointer<OpaquePointer?>) -> pace_status {
  storeHandle(tuner, .autolrs, out)
}

@c @implementation
public func pace_autolrs_create(_ config: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pace_status {
  guard let out else { return fail(PACE_E_ARGUMENT, "pace_autolrs_create: out is NULL") }
  out.pointee = nil
  guard let config else { return fail(PACE_E_ARGUMENT, "pace_autolrs_create: config_json is NULL") }
  if let missing = unavailableLAPACKE("pace_autolrs_create") { return missing }
  let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(config).assumingMemoryBound(to: UInt8.self), count: strlen(config)))
  guard let text = String(validating: bytes, as: UTF8.self) else {
    return fail(PACE_E_SPEC, "pace_autolrs_create: config_json is not valid UTF-8")
  }
  do throws(TuneError) {
    return store(try AutoLRS(configText: text), out)
  } catch {
    return fail(error, "pace_autolrs_create")
  }
}

@c @implementation
public func pace_autolrs_free(_ t: OpaquePointer?) {
  freeHandle(t, .autolrs, "t")
}

@c @implementation
public func pace_autolrs_next(_ t: OpaquePointer?, _ action: UnsafeMutablePointer<pace_autolrs_action>?) -> pace_status {
  guard let action else { return fail(PACE_E_ARGUMENT, "pace_autolrs_next: action is NULL") }
  return withTuner(t) { tuner in
    let next: TuneAction
    do throws(TuneError) {
      next = try tuner.next()
    } catch {
      return fail(error, "pace_autolrs_next")
    }
    var out = pace_autolrs_action(kind: 0, report: PACE_AUTOLRS_REPORT_NONE, lr: 0, steps: 0, every: 0)
    switch next {
    case .checkpoint: out.kind = PACE_AUTOLRS_CHECKPOINT
    case .restore: out.kind = PACE_AUTOLRS_RESTORE
    case .done: out.kind = PACE_AUTOLRS_DONE
    case .train(let lr, let steps, let report, let every):
      out.kind = PACE_AUTOLRS_TRAIN
      out.lr = lr
      out.steps = steps
      out.report = report.rawValue
      out.every = every
    }
    action.pointee = out
    return PACE_OK
  }
}

@c @implementation
public func pace_autolrs_report(_ t: OpaquePointer?, _ losses: UnsafePointer<Double>?, _ n: Int64) -> pace_status {
  guard n >= 0, n <= Int64(Int.max / 8) else { return fail(PACE_E_ARGUMENT, "pace_autolrs_report: n must be >= 0, got \(n)") }
  guard losses != nil || n == 0 else { return fail(PACE_E_ARGUMENT, "pace_autolrs_report: losses is NULL") }
  return withTuner(t) { tuner in
    // A count other than the awaited one is refused before the buffer is read.
    guard !tuner.awaitsReport || n == tuner.expectedReportCount else {
      return fail(PACE_E_ARGUMENT, "pace_autolrs_report: expected \(tuner.expectedReportCount) losses, got \(n)")
    }
    let values = tuner.awaitsReport ? losses.map { Array(UnsafeBufferPointer(start: $0, count: Int(n))) } ?? [] : []
    do throws(TuneError) {
      try tuner.report(values)
      return PACE_OK
    } catch {
      return fail(error, "pace_autolrs_report")
    }
  }
}

@c @implementation
public func pace_autolrs_steps_used(_ t: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> pace_status {
  guard let out else { return fail(PACE_E_ARGUMENT, "pace_autolrs_steps_used: out is NULL") }
  return withTuner(t) { tuner in
    out.pointee = tuner.stepsUsed
    return PACE_OK
  }
}

@c @implementation
public func pace_autolrs_history(_ t: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                 _ needed: UnsafeMutablePointer<Int>?) -> pace_status {
  withTuner(t) { tuner in writeText(tuner.historyJSON, buffer, capacity, needed) }
}

@c @implementation
public func pace_autolrs_save(_ t: OpaquePointer?, _ buffer: UnsafeMutableRawPointer?, _ capacity: Int,
                              _ needed: UnsafeMutablePointer<Int>?) -> pace_status {
  withTuner(t) { tuner in
    let bytes = tuner.save()
    needed?.pointee = bytes.count
    guard let buffer, capacity < 0 || capacity >= bytes.count else {  // capacity < 0: a size_t above Int.max
      return fail(PACE_E_BUFFER_TOO_SMALL, "pace_autolrs_save: the state needs \(bytes.count) bytes, cap is \(capacity)")
    }
    bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
    return PACE_OK
  }
}

@c @implementation
public func pace_autolrs_load(_ buffer: UnsafeRawPointer?, _ size: Int, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pace_status {
  guard let out else { return fail(PACE_E_ARGUMENT, "pace_autolrs_load: out is NULL") }
  out.pointee = nil
  guard let buffer else { return fail(PACE_E_ARGUMENT, "pace_autolrs_load: buf is NULL") }
  if let missing = unavailableLAPACKE("pace_autolrs_load") { return missing }
  guard size >= 0 else { return fail(PACE_E_ARGUMENT, "pace_autolrs_load: size is too large") }
  let bytes = Array(UnsafeRawBufferPointer(start: buffer, count: size))
  do throws(TuneError) {
    return store(try AutoLRS.load(bytes), out)
  } catch {
    return fail(error, "pace_autolrs_load")
  }
}
