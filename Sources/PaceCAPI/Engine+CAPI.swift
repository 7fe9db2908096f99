//===--- Engine+CAPI.swift ------------------------------------------------===//
// pace_engine_* and pace_batch_*: the NUMA-aware batch engine.
//===----------------------------------------------------------------------===//
import CPace
import Pace
import PaceEngine

/// Runs `body` on the engine behind a live engine handle (NULL, another
/// kind or a freed handle give PACE_E_ARGUMENT; the handle's retain keeps
/// the engine alive for the call).
@inline(__always)
private func withEngine(_ handle: OpaquePointer?, _ body: (BatchEngine) -> pace_status) -> pace_status {
  withHandle(handle, .engine, "engine", as: BatchEngine.self, body)
}

/// The status and message of an engine error.
private func fail(_ error: EngineError) -> pace_status {
  switch error {
  case .argument(let m): return fail(PACE_E_ARGUMENT, m)
  case .bufferTooSmall(let m): return fail(PACE_E_BUFFER_TOO_SMALL, m)
  case .unsupported(let m): return fail(PACE_E_UNSUPPORTED, m)
  case .noMemory(let m): return fail(PACE_E_NO_MEMORY, m)
  }
}

@c @implementation
public func pace_engine_create(_ options: UnsafePointer<pace_engine_options>?,
                               _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pace_status {
  guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
  out.pointee = nil
  var threads: Int? = nil
  var mode = NUMAMode.auto
  if let options {
    let size = options.pointee.struct_size
    guard size >= UInt32(MemoryLayout<pace_engine_options>.size) else {
      return fail(PACE_E_ARGUMENT, "options.struct_size is \(size); set it to sizeof(pace_engine_options)")
    }
    guard let m = NUMAMode(rawValue: options.pointee.numa) else {
      return fail(PACE_E_ARGUMENT,
                  "options.numa must be PACE_NUMA_AUTO, PACE_NUMA_OFF or PACE_NUMA_REQUIRE, got \(options.pointee.numa)")
    }
    mode = m
    let t = options.pointee.threads
    if t != -1 {
      guard t >= 1 && t <= Int64(BatchEngine.maxThreads) else {
        return fail(PACE_E_ARGUMENT,
                    "options.threads must be 1 .. \(BatchEngine.maxThreads) or PACE_THREADS_AUTO (-1), got \(t)")
      }
      threads = Int(t)
    }
  }
  do throws(EngineError) {
    let engine = try BatchEngine(threads: threads, numa: mode)
    return storeHandle(engine, .engine, out)
  } catch {
    return fail(error)
  }
}

@c @implementation
public func pace_engine_free(_ handle: OpaquePointer?) {
  freeHandle(handle, .engine, "engine")
}

@c @implementation
public func pace_engine_get_info(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<pace_engine_info>?) -> pace_status {
  withEngine(handle) { e in
    guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
    let size = out.pointee.struct_size
    guard size >= UInt32(MemoryLayout<pace_engine_info>.size) else {
      return fail(PACE_E_ARGUMENT, "out->struct_size is \(size); set it to sizeof(pace_engine_info)")
    }
    out.pointee.simulated = e.topology.simulated ? 1 : 0
    out.pointee.libnuma = e.topology.fromLibnuma ? 1 : 0
    out.pointee.pinned = UInt32(e.pinnedThreads)
    out.pointee.nodes = Int64(e.nodeCount)
    out.pointee.threads = Int64(e.threadCount)
    return PACE_OK
  }
}

/// The schedules of a batch, after checking the engine, the array and each
/// handle; nil (with the error recorded in `status`) when any is missing.
private func batchSchedules(_ engine: OpaquePointer?, _ handles: UnsafePointer<OpaquePointer?>?, _ n: Int64,
                            _ status: inout pace_status) -> [Schedule]? {
  if let problem = handleProblem(engine, .engine, "engine") { status = fail(PACE_E_ARGUMENT, problem); return nil }
  guard n >= 1 else { status = fail(PACE_E_ARGUMENT, "no schedules: n must be >= 1, got \(n)"); return nil }
  guard let handles else { status = fail(PACE_E_ARGUMENT, "schedules is NULL"); return nil }
  guard n <= Int64(Int.max / 16) else { status = fail(PACE_E_ARGUMENT, "n \(n) is too large"); return nil }
  var schedules: [Schedule] = []
  schedules.reserveCapacity(Int(n))
  for i in 0..<Int(n) {
    guard let schedule = liveSchedule(handles[i], "schedules[\(i)]") else { status = PACE_E_ARGUMENT; return nil }
    schedules.append(schedule)
  }
  return schedules
}

/// Shared body of the fills.
private func batchFill<E>(_ engine: OpaquePointer?, _ handles: UnsafePointer<OpaquePointer?>?, _ n: Int64,
                          _ start: Int64, _ count: Int64, _ out: UnsafeMutablePointer<E>?, _ capacity: Int,
                          _ fill: (BatchEngine, [Schedule], UnsafeMutableBufferPointer<E>) throws(EngineError) -> Void)
  -> pace_status
{
  var status = PACE_OK
  guard let schedules = batchSchedules(engine, handles, n, &status), let engine else { return status }
  guard out != nil || count <= 0 else { return fail(PACE_E_ARGUMENT, "out is NULL") }
  // A size_t capacity beyond Int.max arrives negative: more than any matrix needs.
  let elements = out == nil ? 0 : (capacity < 0 ? Int.max : capacity)
  let buffer = UnsafeMutableBufferPointer(start: out, count: elements)
  return withEngine(engine) { e in
    do throws(EngineError) {
      try fill(e, schedules, buffer)
      return PACE_OK
    } catch {
      return fail(error)
    }
  }
}

@c @implementation
public func pace_batch_fill_f64(_ engine: OpaquePointer?, _ schedules: UnsafePointer<OpaquePointer?>?, _ n: Int64,
                                _ start: Int64, _ count: Int64, _ out: UnsafeMutablePointer<Double>?,
                                _ capacity: Int) -> pace_status {
  batchFill(engine, schedules, n, start, count, out, capacity) { (e, s, b) throws(EngineError) in
    try e.fill(s, start: start, count: count, into: b)
    for (i, schedule) in s.enumerated() {  // steps >= 2^53: as pace_schedule_at (see firstInexactStep)
      schedule.refillBeyondExactSteps(from: start, into: UnsafeMutableBufferPointer(rebasing: b[(i * Int(count))..<((i + 1) * Int(count))]))
    }
  }
}

@c @implementation
public func pace_batch_fill_f32(_ engine: OpaquePointer?, _ schedules: UnsafePointer<OpaquePointer?>?, _ n: Int64,
                                _ start: Int64, _ count: Int64, _ out: UnsafeMutablePointer<Float>?,
                                _ capacity: Int) -> pace_status {
  batchFill(engine, schedules, n, start, count, out, capacity) { (e, s, b) throws(EngineError) in
    try e.fill(s, start: start, count: count, into: b)
    for (i, schedule) in s.enumerated() {  // steps >= 2^53: as pace_schedule_at (see firstInexactStep)
      schedule.refillBeyondExactSteps(from: start, into: UnsafeMutableBufferPointer(rebasing: b[(i * Int(count))..<((i + 1) * Int(count))]))
    }
  }
}

@c @implementation
public func pace_batch_reduce(_ engine: OpaquePointer?, _ schedules: UnsafePointer<OpaquePointer?>?, _ n: Int64,
                              _ start: Int64, _ count: Int64, _ lambda: Double,
                              _ finalValues: UnsafeMutablePointer<Double>?, _ sums: UnsafeMutablePointer<Double>?,
                              _ s2: UnsafeMutablePointer<Double>?) -> pace_status {
  var status = PACE_OK
  guard let list = batchSchedules(engine, schedules, n, &status), let engine else { return status }
  return withEngine(engine) { e in
    do throws(EngineError) {
      try e.reduce(list, start: start, count: count, lambda: lambda, finalValues: finalValues, sums: sums, s2: s2)
      return PACE_OK
    } catch {
      return fail(error)
    }
  }
}
