//===--- Data+CAPI.swift --------------------------------------------------===//
// pace_sampler_* and pace_irt_*: data pacing (docs/data.md).
//===----------------------------------------------------------------------===//
import CPace
import PaceData
#if canImport(Glibc)
import Glibc
#endif

/// Maps a data-pacing error to its status, recording the message.
private func fail(_ error: DataError, _ context: String) -> pace_status {
  switch error {
  case .argument(let m): return fail(PACE_E_ARGUMENT, "\(context): \(m)")
  case .config(let m): return fail(PACE_E_SPEC, "\(context): \(m)")
  case .state(let m): return fail(PACE_E_STATE, "\(context): \(m)")
  case .version(let m): return fail(PACE_E_VERSION, "\(context): \(m)")
  case .numeric(let m): return fail(PACE_E_NUMERIC, "\(context): \(m)")
  }
}

@inline(__always)
private func withSampler(_ handle: OpaquePointer?, _ body: (Sampler) -> pace_status) -> pace_status {
  withHandle(handle, .sampler, "s", as: Sampler.self, body)
}

/// Stores a new sampler handle in `out`.
private func store(_ sampler: Sampler, _ out: UnsafeMutablePointer<OpaquePointer?>) -> pace_status {
  storeHandle(sampler, .sampler, out)
}

/// The per-sample arrays of a create or load call, checked against `n`.
private func arrays(_ scores: UnsafePointer<Double>?, _ domains: UnsafePointer<Int32>?, _ n: Int64,
                    _ context: String) -> (UnsafeBufferPointer<Double>?, UnsafeBufferPointer<Int32>?)? {
  guard n >= 0, n <= Int64(Int.max / 8) else {
    _ = fail(PACE_E_ARGUMENT, "\(context): n must be >= 0, got \(n)")
    return nil
  }
  return (scores.map { UnsafeBufferPointer(start: $0, count: Int(n)) },
          domains.map { UnsafeBufferPointer(start: $0, count: Int(n)) })
}

/// Checks that `n` is the config's size when an array is given.
private func checkCount(_ sampler: Sampler, _ n: Int64, arraysGiven: Bool, _ context: String) -> pace_status {
  guard arraysGiven, n != sampler.size else { return PACE_OK }
  return fail(PACE_E_ARGUMENT, "\(context): n (\(n)) differs from the config's size (\(sampler.size))")
}

@c @implementation
public func pace_sampler_create(_ config: UnsafePointer<CChar>?, _ scores: UnsafePointer<Double>?,
                                _ domains: UnsafePointer<Int32>?, _ n: Int64,
                                _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pace_status {
  guard let out else { return fail(PACE_E_ARGUMENT, "pace_sampler_create: out is NULL") }
  out.pointee = nil
  guard let config else { return fail(PACE_E_ARGUMENT, "pace_sampler_create: config_json is NULL") }
  let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(config).assumingMemoryBound(to: UInt8.self), count: strlen(config)))
  guard let text = String(validating: bytes, as: UTF8.self) else {
    return fail(PACE_E_SPEC, "pace_sampler_create: config_json is not valid UTF-8")
  }
  guard let (s, d) = arrays(scores, domains, n, "pace_sampler_create") else { return PACE_E_ARGUMENT }
  do throws(DataError) {
    let sampler = try Sampler(configText: text, scores: s, domains: d, count: n)
    let status = checkCount(sampler, n, arraysGiven: s != nil || d != nil, "pace_sampler_create")
    return status == PACE_OK ? store(sampler, out) : status
  } catch {
    return fail(error, "pace_sampler_create")
  }
}

@c @implementation
public func pace_sampler_free(_ s: OpaquePointer?) {
  freeHandle(s, .sampler, "s")
}

@c @implementation
public func pace_sampler_batch(_ s: OpaquePointer?, _ step: Int64, _ rank: Int64, _ worldSize: Int64,
                               _ out: UnsafeMutablePointer<Int64>?, _ capacity: Int64,
                               _ count: UnsafeMutablePointer<Int64>?) -> pace_status {
  withSampler(s) { sampler in
    do throws(DataError) {
      let needed = try sampler.sliceCount(step: step, rank: rank, worldSize: worldSize)
      count?.pointee = needed
      guard let out, capacity >= needed else {
        return fail(PACE_E_BUFFER_TOO_SMALL, "pace_sampler_batch: the slice holds \(needed) indices, cap is \(capacity)")
      }
      try sampler.batch(step: step, rank: rank, worldSize: worldSize,
                        into: UnsafeMutableBufferPointer(start: out, count: Int(needed)))
      return PACE_OK
    } catch {
      return fail(error, "pace_sampler_batch")
    }
  }
}

/// One int64 query of a sampler, written to `out`.
private func query(_ s: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?, _ context: String,
                   _ body: (Sampler) throws(DataError) -> Int64) -> pace_status {
  withSampler(s) { sampler in
    guard let out else { return fail(PACE_E_ARGUMENT, "\(context): out is NULL") }
    do throws(DataError) {
      out.pointee = try body(sampler)
      return PACE_OK
    } catch {
      return fail(error, context)
    }
  }
}

@c @implementation
public func pace_sampler_global_batch_size(_ s: OpaquePointer?, _ step: Int64, _ out: UnsafeMutablePointer<Int64>?) -> pace_status {
  query(s, out, "pace_sampler_global_batch_size") { (x) throws(DataError) in try x.globalBatchSize(at: step) }
}

@c @implementation
public func pace_sampler_first_offset(_ s: OpaquePointer?, _ step: Int64, _ out: UnsafeMutablePointer<Int64>?) -> pace_status {
  query(s, out, "pace_sampler_first_offset") { (x) throws(DataError) in try x.firstOffset(at: step) }
}

@c @implementation
public func pace_sampler_eligible(_ s: OpaquePointer?, _ step: Int64, _ out: UnsafeMutablePointer<Int64>?) -> pace_status {
  query(s, out, "pace_sampler_eligible") { (x) throws(DataError) in try x.eligible(at: step) }
}

@c @implementation
public func pace_sampler_report_ability(_ s: OpaquePointer?, _ step: Int64, _ theta: Double) -> pace_status {
  withSampler(s) { sampler in
    do throws(DataError) {
      try sampler.reportAbility(step: step, theta: theta)
      return PACE_OK
    } catch {
      return fail(error, "pace_sampler_report_ability")
    }
  }
}

@c @implementation
public func pace_sampler_save(_ s: OpaquePointer?, _ buffer: UnsafeMutableRawPointer?, _ capacity: Int,
                              _ needed: UnsafeMutablePointer<Int>?) -> pace_status {
  withSampler(s) { sampler in
    let bytes = sampler.save()
    needed?.pointee = bytes.count
    guard let buffer, capacity < 0 || capacity >= bytes.count else {
      return fail(PACE_E_BUFFER_TOO_SMALL, "pace_sampler_save: the state needs \(bytes.count) bytes, cap is \(capacity)")
    }
    bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
    return PACE_OK
  }
}

@c @implementation
public func pace_sampler_load(_ buffer: UnsafeRawPointer?, _ size: Int, _ scores: UnsafePointer<Double>?,
                              _ domains: UnsafePointer<Int32>?, _ n: Int64,
                              _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pace_status {
  guard let out else { return fail(PACE_E_ARGUMENT, "pace_sampler_load: out is NULL") }
  out.pointee = nil
  guard let buffer else { return fail(PACE_E_ARGUMENT, "pace_sampler_load: buf is NULL") }
  guard size >= 0 else { return fail(PACE_E_ARGUMENT, "pace_sampler_load: size is too large") }
  guard let (s, d) = arrays(scores, domains, n, "pace_sampler_load") else { return PACE_E_ARGUMENT }
  let bytes = Array(UnsafeRawBufferPointer(start: buffer, count: size))
  do throws(DataError) {
    let sampler = try Sampler.load(bytes, scores: s, domains: d, count: n)
    let status = checkCount(sampler, n, arraysGiven: s != nil || d != nil, "pace_sampler_load")
    return status == PACE_OK ? store(sampler, out) : status
  } catch {
    return fail(error, "pace_sampler_load")
  }
}

@c @implementation
public func pace_irt_fit(_ responses: UnsafePointer<UInt8>?, _ models: Int64, _ items: Int64,
                         _ outDifficulties: UnsafeMutablePointer<Double>?, _ outAbilities: UnsafeMutablePointer<Double>?) -> pace_status {
  guard let responses else { return fail(PACE_E_ARGUMENT, "pace_irt_fit: responses is NULL") }
  guard let outDifficulties else { return fail(PACE_E_ARGUMENT, "pace_irt_fit: out_difficulties is NULL") }
  guard models >= 1 else { return fail(PACE_E_ARGUMENT, "pace_irt_fit: models must be >= 1, got \(models)") }
  guard items >= 1 else { return fail(PACE_E_ARGUMENT, "pace_irt_fit: items must be >= 1, got \(items)") }
  let (cells, overflow) = models.multipliedReportingOverflow(by: items)
  guard !overflow, cells <= Int64(Int.max / 8) else {
    return fail(PACE_E_ARGUMENT, "pace_irt_fit: models x items = \(models) x \(items) overflows")
  }
  if let missing = unavailableLAPACKE("pace_irt_fit") { return missing }
  do throws(DataError) {
    let fit = try IRT.fit(responses: UnsafeBufferPointer(start: responses, count: Int(cells)), models: Int(models), items: Int(items))
    fit.difficulties.withUnsafeBufferPointer { outDifficulties.update(from: $0.baseAddress!, count: $0.count) }
    if let outAbilities {
      fit.abilities.withUnsafeBufferPointer { outAbilities.update(from: $0.baseAddress!, count: $0.count) }
    }
    return PACE_OK
  } catch {
    return fail(error, "pace_irt_fit")
  }
}

@c @implementation
public func pace_irt_ability(_ difficulties: UnsafePointer<Double>?, _ responses: UnsafePointer<Int8>?, _ n: Int64,
                             _ outTheta: UnsafeMutablePointer<Double>?) -> pace_status {
  guard let outTheta else { return fail(PACE_E_ARGUMENT, "pace_irt_ability: out_theta is NULL") }
  guard n >= 0, n <= Int64(Int.max / 8) else { return fail(PACE_E_ARGUMENT, "pace_irt_ability: n must be >= 0, got \(n)") }
  guard n == 0 || (difficulties != nil && responses != nil) else {
    return fail(PACE_E_ARGUMENT, "pace_irt_ability: \(difficulties == nil ? "difficulties" : "responses_pm1") is NULL")
  }
  do throws(DataError) {
    outTheta.pointee = try IRT.ability(difficulties: UnsafeBufferPointer(start: difficulties, count: Int(n)),
                                       responses: UnsafeBufferPointer(start: responses, count: Int(n)))
    return PACE_OK
  } catch {
    return fail(error, "pace_irt_ability")
  }
}
