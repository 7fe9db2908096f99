//===--- Refine+CAPI.swift ------------------------------------------------===//
// pace_refine, pace_refine_ex, pace_refine_spec.
//===----------------------------------------------------------------------===//
import CPace
import Pace

/// Shared body of pace_refine and pace_refine_ex.
private func refine(_ norms: UnsafePointer<Double>?, _ n: Int64, _ options: UnsafePointer<pace_refine_options>?,
                    _ out: UnsafeMutablePointer<Double>?, _ skipped: UnsafeMutablePointer<Int64>?) -> pace_status {
  guard let norms else { return fail(PACE_E_ARGUMENT, "grad_norms is NULL") }
  guard let out else { return fail(PACE_E_ARGUMENT, "out_multipliers is NULL") }
  guard n >= 1 else { return fail(PACE_E_ARGUMENT, "n must be >= 1, got \(n)") }
  guard n <= Int64(Int.max / 16) else { return fail(PACE_E_ARGUMENT, "n \(n) is too large") }
  var kind = NormKind.l2
  var smoothing = RefineSettings.defaultSmoothing
  if let options {
    let size = options.pointee.struct_size
    guard size >= UInt32(MemoryLayout<pace_refine_options>.size) else {
      return fail(PACE_E_ARGUMENT, "options.struct_size is \(size); set it to sizeof(pace_refine_options)")
    }
    guard let k = NormKind(rawValue: options.pointee.norm) else {
      return fail(PACE_E_ARGUMENT, "options.norm must be PACE_NORM_L2 or PACE_NORM_L1, got \(options.pointee.norm)")
    }
    kind = k
    smoothing = options.pointee.smoothing
  }
  do throws(RefinementError) {
    let repaired = try Refinement.refine(UnsafeBufferPointer(start: norms, count: Int(n)), kind: kind,
                                         smoothing: smoothing, into: out)
    skipped?.pointee = Int64(repaired)
    if repaired > 0 {
      setLastError("pace_refine: \(repaired) of \(n) norms were not finite and positive; filled from their neighbours")
    }
    return PACE_OK
  } catch {
    return fail(PACE_E_ARGUMENT, error.description)
  }
}

@c @implementation
public func pace_refine(_ norms: UnsafePointer<Double>?, _ n: Int64, _ options: UnsafePointer<pace_refine_options>?,
                        _ out: UnsafeMutablePointer<Double>?) -> pace_status {
  refine(norms, n, options, out, nil)
}

@c @implementation
public func pace_refine_ex(_ norms: UnsafePointer<Double>?, _ n: Int64, _ options: UnsafePointer<pace_refine_options>?,
                           _ out: UnsafeMutablePointer<Double>?, _ skipped: UnsafeMutablePointer<Int64>?) -> pace_status {
  refine(norms, n, options, out, skipped)
}

@c @implementation
public func pace_refine_spec(_ multipliers: UnsafePointer<Double>?, _ n: Int64, _ peak: Double, _ warmupSteps: Int64,
                             _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                             _ needed: UnsafeMutablePointer<Int>?) -> pace_status {
  guard let multipliers else { return fail(PACE_E_ARGUMENT, "multipliers is NULL") }
  guard n >= 1, n <= 1 << 40 else { return fail(PACE_E_ARGUMENT, "n must be in [1, 2^40], got \(n)") }
  guard peak.isFinite, peak > 0 else { return fail(PACE_E_ARGUMENT, "peak must be finite and > 0, got \(peak)") }
  guard warmupSteps >= 0, warmupSteps < n else {
    return fail(PACE_E_ARGUMENT, "warmup_steps must be in [0, n), got \(warmupSteps)")
  }
  let values = Array(UnsafeBufferPointer(start: multipliers, count: Int(n)))
  guard values.allSatisfy({ $0.isFinite }) else { return fail(PACE_E_ARGUMENT, "multipliers must be finite") }
  let result = Refinement.fromMultipliers(values)
  return writeText(result.spec(peak: peak, warmupSteps: Int(warmupSteps)), buffer, capacity, needed)
}
