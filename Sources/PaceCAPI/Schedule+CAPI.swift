//===--- Schedule+CAPI.swift ----------------------------------------------===//
// pace_schedule_*: parse, free, at, fill, to_json, total_steps.
//===----------------------------------------------------------------------===//
import CPace
import Pace
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` on the schedule behind a live schedule handle (checked
/// first: NULL, another kind or a freed handle give PACE_E_ARGUMENT),
/// without retaining it (the handle's own retain keeps it alive).
@inline(__always)
func withSchedule(_ handle: OpaquePointer?, _ body: (Schedule) -> pace_status) -> pace_status {
  withHandle(handle, .schedule, "schedule", as: Schedule.self, body)
}

/// The schedule behind a live schedule handle, or nil with the problem
/// recorded as the thread's last error (the caller returns
/// PACE_E_ARGUMENT). `argument` names the parameter ("schedules[3]").
func liveSchedule(_ handle: OpaquePointer?, _ argument: String) -> Schedule? {
  guard let handle, isLive(handle, .schedule) else {
    _ = fail(PACE_E_ARGUMENT, handleProblem(handle, .schedule, argument) ?? "\(argument) is not a pace_schedule")
    return nil
  }
  return handleObject(handle, as: Schedule.self).takeUnretainedValue()
}

@c @implementation
public func pace_schedule_parse(_ specJSON: UnsafePointer<CChar>?,
                                _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pace_status {
  guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
  out.pointee = nil
  guard let specJSON else { return fail(PACE_E_ARGUMENT, "spec_json is NULL") }
  let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(specJSON).assumingMemoryBound(to: UInt8.self),
                                        count: strlen(specJSON)))
  do throws(SpecError) {
    let parsed = try Schedule.parse(bytes: bytes)
    return storeHandle(parsed, .schedule, out)
  } catch {
    return fail(PACE_E_SPEC, error.description)
  }
}

@c @implementation
public func pace_schedule_free(_ handle: OpaquePointer?) {
  freeHandle(handle, .schedule, "schedule")
}

/// Called every training step: the argument checks (the handle's tag is
/// one load and one compare), then one call into the schedule
/// (`Schedule.multiplier(at:)`). The error text is built out of line, so
/// the hot path keeps a small frame.
@c @implementation
public func pace_schedule_at(_ handle: OpaquePointer?, _ step: Int64,
                             _ out: UnsafeMutablePointer<Double>?) -> pace_status {
  guard let handle, isLive(handle, .schedule) else { return atArgumentError(handle, step, out) }
  guard let out else { return atArgumentError(handle, step, out) }
  guard step >= 0 else { return atArgumentError(handle, step, out) }
  out.pointee = handleObject(handle, as: Schedule.self)._withUnsafeGuaranteedRef { $0.value(at: step) }
  return PACE_OK
}

/// The status and error text of `pace_schedule_at` with a bad argument.
@inline(never)
private func atArgumentError(_ handle: OpaquePointer?, _ step: Int64,
                             _ out: UnsafeMutablePointer<Double>?) -> pace_status {
  if let problem = handleProblem(handle, .schedule, "schedule") { return fail(PACE_E_ARGUMENT, problem) }
  if out == nil { return fail(PACE_E_ARGUMENT, "out is NULL") }
  return fail(PACE_E_ARGUMENT, "step must be >= 0, got \(step)")
}

/// Validates the arguments shared by the fills.
private func checkFill(_ handle: OpaquePointer?, _ start: Int64, _ count: Int64,
                       _ out: UnsafeMutableRawPointer?) -> pace_status {
  if let problem = handleProblem(handle, .schedule, "schedule") { return fail(PACE_E_ARGUMENT, problem) }
  guard start >= 0 else { return fail(PACE_E_ARGUMENT, "start must be >= 0, got \(start)") }
  guard count >= 0 else { return fail(PACE_E_ARGUMENT, "count must be >= 0, got \(count)") }
  guard start <= Int64.max - count else {
    return fail(PACE_E_ARGUMENT, "start + count overflows int64 (start \(start), count \(count))")
  }
  guard count <= Int64(Int.max / 8) else { return fail(PACE_E_ARGUMENT, "count \(count) is too large") }
  guard out != nil || count == 0 else { return fail(PACE_E_ARGUMENT, "out is NULL") }
  return PACE_OK
}

@c @implementation
public func pace_schedule_fill_f64(_ handle: OpaquePointer?, _ start: Int64, _ count: Int64,
                                   _ out: UnsafeMutablePointer<Double>?) -> pace_status {
  let status = checkFill(handle, start, count, out)
  guard status == PACE_OK, let out else { return status }
  return withSchedule(handle) {
    let buffer = UnsafeMutableBufferPointer(start: out, count: Int(count))
    $0.fillInParallel(from: start, into: buffer)
    $0.refillBeyondExactSteps(from: start, into: buffer)
    return PACE_OK
  }
}

@c @implementation
public func pace_schedule_fill_f32(_ handle: OpaquePointer?, _ start: Int64, _ count: Int64,
                                   _ out: UnsafeMutablePointer<Float>?) -> pace_status {
  let status = checkFill(handle, start, count, out)
  guard status == PACE_OK, let out else { return status }
  return withSchedule(handle) {
    let buffer = UnsafeMutableBufferPointer(start: out, count: Int(count))
    $0.fillInParallel(from: start, into: buffer)
    $0.refillBeyondExactSteps(from: start, into: buffer)
    return PACE_OK
  }
}

@c @implementation
public func pace_schedule_to_json(_ handle: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?,
                                  _ capacity: Int, _ needed: UnsafeMutablePointer<Int>?) -> pace_status {
  withSchedule(handle) { writeText($0.canonicalText, buffer, capacity, needed) }
}

@c @implementation
public func pace_schedule_total_steps(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> pace_status {
  withSchedule(handle) { s in
    guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
    out.pointee = s.totalSteps ?? -1  // C: -1 = open-ended
    return PACE_OK
  }
}

/// Steps from 2^53 on: doubles no longer hold every step, and the vector
/// fills place a step near a phase boundary by other roundings than
/// `value(at:)` does; those steps are written with `value(at:)`, so fills
/// stay bit-identical to `pace_schedule_at` at any step.
let firstInexactStep: Int64 = 1 << 53

extension Schedule {
  /// Rewrites the values of steps >= 2^53 of a fill from `start` with
  /// `value(at:)` (scalar; no run of a real training loop gets there);
  /// float32 fills round each value once, as the fill does.
  ///
  /// - Complexity: O(steps of the fill at or past 2^53).
  func refillBeyondExactSteps<E: BinaryFloatingPoint>(from start: Int64, into out: UnsafeMutableBufferPointer<E>) {
    guard start &+ Int64(out.count) > firstInexactStep else { return }
    for k in Int(Swift.max(0, firstInexactStep - start))..<out.count { out[k] = E(value(at: start + Int64(k))) }
  }
}

/// The (buf, cap, *needed) pattern for text: stores the size with its NUL in
/// `*needed`, and copies the text when it fits.
func writeText(_ text: String, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int,
               _ needed: UnsafeMutablePointer<Int>?) -> pace_status {
  let capacity = capacity < 0 ? Int.max : capacity  // a size_t beyond Int.max (e.g. SIZE_MAX)
  let bytes = Array(text.utf8)
  let size = bytes.count + 1
  needed?.pointee = size
  guard let buffer, capacity >= size else {
    return fail(PACE_E_BUFFER_TOO_SMALL, "the text needs \(size) bytes (with its NUL), capacity is \(capacity)")
  }
  bytes.withUnsafeBufferPointer { source in
    UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress!, byteCount: bytes.count)
  }
  buffer[bytes.count] = 0
  return PACE_OK
}
