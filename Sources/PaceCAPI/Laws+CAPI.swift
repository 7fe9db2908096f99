//===--- Laws+CAPI.swift --------------------------------------------------===//
// pace_law_*, pace_functional_*: loss-curve laws, their functionals, search.
//===----------------------------------------------------------------------===//
import CPace
import Pace
import PaceLaws
#if canImport(Glibc)
import Glibc
#endif

/// The object behind a pace_law handle.
final class LawBox {
  let law: LossLaw
  let report: FitReport?
  /// The calibrated prediction interval (pace_law_fit_interval, or loaded).
  let interval: PredictionInterval?
  init(_ law: LossLaw, report: FitReport? = nil, interval: PredictionInterval? = nil) {
    self.law = law
    self.report = report
    self.interval = interval
  }
}

/// Runs `body` on the law behind a live law handle (NULL, another kind or a
/// freed handle give PACE_E_ARGUMENT).
@inline(__always)
private func withLaw(_ handle: OpaquePointer?, _ body: (LawBox) -> pace_status) -> pace_status {
  withHandle(handle, .law, "law", as: LawBox.self, body)
}

/// The law behind a live law handle, or nil with the problem recorded
/// (the caller returns PACE_E_ARGUMENT).
private func liveLaw(_ handle: OpaquePointer?) -> LossLaw? {
  var law: LossLaw?
  _ = withLaw(handle) { box in
    law = box.law
    return PACE_OK
  }
  return law
}

/// Stores a new law handle in `out`.
private func store(_ box: LawBox, _ out: UnsafeMutablePointer<OpaquePointer?>) -> pace_status {
  storeHandle(box, .law, out)
}

/// Maps a law error to its status, recording the message.
private func fail(_ error: LawError, _ context: String) -> pace_status {
  switch error {
  case .argument(let m): return fail(PACE_E_ARGUMENT, "\(context): \(m)")
  case .spec(let e): return fail(PACE_E_SPEC, "\(context): \(e.description)")
  case .numeric: return fail(PACE_E_NUMERIC, "\(context): \(error.description)")
  case .state(let m): return fail(PACE_E_STATE, "\(context): \(m)")
  case .version(let m): return fail(PACE_E_VERSION, "\(context): \(m)")
  case .unsupported(let m): return fail(PACE_E_UNSUPPORTED, "\(context): \(m)")
  }
}

/// Largest sequence accepted (doubles): 2^27 (1 GiB).
private let maxSteps: Int64 = 1 << 27

private func lawKind(_ kind: UInt32) throws(LawError) -> LawKind {
  guard let k = LawCodes.kind(kind) else {
    throw .argument("kind must be PACE_LAW_ANNEALING or PACE_LAW_MULTI_POWER, got \(kind)")
  }
  return k
}

/// nil: the law's default.
private func warmupMode(_ w: UInt32) throws(LawError) -> WarmupMode? {
  guard let mode = LawCodes.warmupMode(w) else {
    throw .argument("warmup must be one of PACE_WARMUP_DEFAULT, _SUM, _PEAK, _RAW; got \(w)")
  }
  return mode
}

/// A C string as bytes (no copy of the NUL).
private func bytes(_ text: UnsafePointer<CChar>) -> [UInt8] {
  Array(UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: strlen(text)))
}

/// The sequence described by a pace_lr_input.
private func sequence(_ input: UnsafePointer<pace_lr_input>?, _ what: String) throws(LawError) -> LRSequence {
  guard let input else { throw .argument("\(what) is NULL") }
  let lr = input.pointee
  guard lr.count >= 0, lr.count <= maxSteps else { throw .argument("\(what).count must be in [0, 2^27], got \(lr.count)") }
  guard lr.warmup_steps >= -1 else { throw .argument("\(what).warmup_steps must be >= -1, got \(lr.warmup_steps)") }
  let warmup: Int? = lr.warmup_steps < 0 ? nil : Int(lr.warmup_steps)
  if let spec = lr.spec_json {
    guard lr.lrs == nil else { throw .argument("\(what): give spec_json or lrs, not both") }
    let schedule: Schedule
    do throws(SpecError) {
      schedule = try Schedule.parse(bytes: bytes(spec))
    } catch {
      throw .spec(error)
    }
    if lr.count == 0 {
      let total = schedule.totalSteps
      guard let total, total > 0 else { throw .argument("\(what): the schedule is open-ended; set count") }
      guard total <= maxSteps else { throw .argument("\(what): the schedule's \(total) steps exceed 2^27; set count") }
    }
    return try LRSequence(schedule: schedule, count: lr.count == 0 ? nil : Int(lr.count), warmupSteps: warmup)
  }
  guard let rates = lr.lrs else { throw .argument("\(what): spec_json and lrs are both NULL") }
  guard lr.count >= 1 else { throw .argument("\(what).count must be >= 1 with lrs, got \(lr.count)") }
  return try LRSequence(rates: Array(UnsafeBufferPointer(start: rates, count: Int(lr.count))), warmupSteps: warmup)
}

/// The fit options of a pace_fit_options (NULL: the defaults).
private func decodeFitOptions(_ options: UnsafePointer<pace_fit_options>?) throws(LawError) -> FitOptions {
  var fitOptions = FitOptions()
  guard let options else { return fitOptions }
  let o = options.pointee
  guard o.struct_size >= UInt32(MemoryLayout<pace_fit_options>.size) else {
    throw .argument("options.struct_size is \(o.struct_size); set it to sizeof(pace_fit_options)")
  }
  // DEFAULT / AUTO: nil, the law's cross-validated default (LawKind.defaultFitWarmup / defaultFitMethod).
  fitOptions.warmup = try warmupMode(o.warmup)
  guard let method = LawCodes.fitMethod(o.method) else {
    throw .argument("options.method must be PACE_FIT_LM, PACE_FIT_ADAM or PACE_FIT_AUTO, got \(o.method)")
  }
  fitOptions.method = method
  guard o.fit_lambda <= 1 else { throw .argument("options.fit_lambda must be 0 or 1, got \(o.fit_lambda)") }
  fitOptions.fitLambda = o.fit_lambda == 1
  guard o.lambda.isFinite, o.lambda == 0 || (o.lambda > 0 && o.lambda < 1) else {
    throw .argument("options.lambda must be 0 (default) or in (0, 1), got \(o.lambda)")
  }
  if o.lambda != 0 { fitOptions.lambda = o.lambda }
  guard o.huber_delta.isFinite, o.huber_delta >= 0 else {
    throw .argument("options.huber_delta must be 0 (default) or finite and > 0, got \(o.huber_delta)")
  }
  if o.huber_delta > 0 { fitOptions.huberDelta = o.huber_delta }
  guard o.max_iterations >= 0, o.max_iterations <= 1 << 20 else {
    throw .argument("options.max_iterations must be in [0, 2^20], got \(o.max_iterations)")
  }
  if o.max_iterations > 0 { fitOptions.maxIterations = Int(o.max_iterations) }
  return fitOptions
}

@c @implementation
public func pace_law_fit(_ kind: UInt32, _ curves: UnsafePointer<pace_law_curve>?, _ curveCount: Int64,
                         _ options: UnsafePointer<pace_fit_options>?,
                         _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pace_status {
  guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
  out.pointee = nil
  if let missing = unavailableLAPACKE("pace_law_fit") { return missing }
  do throws(LawError) {
    let k = try lawKind(kind)
    guard let curves else { throw .argument("curves is NULL") }
    guard curveCount >= 1, curveCount <= 1 << 20 else { throw .argument("curve_count must be in [1, 2^20], got \(curveCount)") }
    let fitOptions = try decodeFitOptions(options)
    var loaded: [LossCurve] = []
    for i in 0..<Int(curveCount) {
      let c = curves[i]
      let what = "curves[\(i)]"
      guard c.n >= 1, c.n <= maxSteps else { throw .argument("\(what).n must be in [1, 2^27], got \(c.n)") }
      guard let steps = c.steps else { throw .argument("\(what).steps is NULL") }
      guard let losses = c.losses else { throw .argument("\(what).losses is NULL") }
      let seq = try withUnsafePointer(to: c.lr) { (p) throws(LawError) -> LRSequence in try sequence(p, "\(what).lr") }
      let s = UnsafeBufferPointer(start: steps, count: Int(c.n))
      var stepList: [Int] = []
      stepList.reserveCapacity(s.count)
      for (j, t) in s.enumerated() {
        guard t >= 0, t < maxSteps else { throw .argument("\(what).steps[\(j)] = \(t) is out of range") }
        stepList.append(Int(t))
      }
      // NaN losses (not logged) and rows where S1 = 0 are skipped, as in pace_law_fit_runs.
      let log = try RunLog(name: what, steps: stepList, lrs: nil,
                           losses: Array(UnsafeBufferPointer(start: losses, count: Int(c.n))))
      loaded.append(try log.curve(sequence: seq).curve)
    }
    let fitted = try LawFitter.fit(k, curves: loaded, options: fitOptions)
    return store(LawBox(fitted.law, report: fitted.report), out)
  } catch {
    return fail(error, "pace_law_fit")
  }
}

/// The curve of one pace_run_log, and the rows it skipped.
private func runCurve(_ r: pace_run_log, _ what: String) throws(LawError) -> (curve: LossCurve, skipped: Int) {
  guard r.struct_size == UInt32(MemoryLayout<pace_run_log>.size) else {
    throw .argument("\(what).struct_size is \(r.struct_size); set it to sizeof(pace_run_log)")
  }
  guard r.reserved == 0 else { throw .argument("\(what).reserved must be 0") }
  let log: RunLog
  if let csv = r.csv {
    guard r.steps == nil, r.lrs == nil, r.losses == nil, r.n == 0 else {
      throw .argument("\(what): give csv or the arrays (steps, lrs, losses, n), not both")
    }
    guard let text = String(validating: bytes(csv), as: UTF8.self) else { throw .argument("\(what).csv is not valid UTF-8") }
    log = try RunLog(csv: text, name: what)
  } else {
    guard r.n >= 1, r.n <= maxSteps else { throw .argument("\(what).n must be in [1, 2^27], got \(r.n)") }
    guard let losses = r.losses else { throw .argument("\(what).losses is NULL") }
    let n = Int(r.n)
    var steps = Array(0..<n)
    if let given = r.steps {
      for j in 0..<n {
        guard given[j] >= 0, given[j] <= Int64(RunLog.maximumStep) else {
          throw .argument("\(what).steps[\(j)] = \(given[j]) is out of range [0, \(RunLog.maximumStep)]")
        }
        steps[j] = Int(given[j])
      }
    }
    log = try RunLog(name: what, steps: steps, lrs: r.lrs.map { Array(UnsafeBufferPointer(start: $0, count: n)) },
                     losses: Array(UnsafeBufferPointer(start: losses, count: n)))
  }
  guard r.lr.warmup_steps >= -1 else { throw .argument("\(what).lr.warmup_steps must be >= -1, got \(r.lr.warmup_steps)") }
  let warmup: Int? = r.lr.warmup_steps < 0 ? nil : Int(r.lr.warmup_steps)
  if r.lr.spec_json != nil || r.lr.lrs != nil {
    let seq = try withUnsafePointer(to: r.lr) { (p) throws(LawError) -> LRSequence in try sequence(p, "\(what).lr") }
    return try log.curve(sequence: seq)
  }
  return try log.curve(warmupSteps: warmup)
}

@c @implementation
public func pace_law_fit_runs(_ kind: UInt32, _ runs: UnsafePointer<pace_run_log>?, _ runCount: Int64,
                              _ options: UnsafePointer<pace_fit_options>?, _ skipped: UnsafeMutablePointer<Int64>?,
                              _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pace_status {
  guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
  out.pointee = nil
  if let missing = unavailableLAPACKE("pace_law_fit_runs") { return missing }
  do throws(LawError) {
    let k = try lawKind(kind)
    guard let runs else { throw .argument("runs is NULL") }
    guard runCount >= 1, runCount <= 1 << 20 else { throw .argument("run_count must be in [1, 2^20], got \(runCount)") }
    let fitOptions = try decodeFitOptions(options)
    var curves: [LossCurve] = []
    var skippedRows = 0
    for i in 0..<Int(runCount) {
      let (curve, skip) = try runCurve(runs[i], "runs[\(i)]")
      curves.append(curve)
      skippedRows += skip
    }
    let fitted = try LawFitter.fit(k, curves: curves, options: fitOptions)
    skipped?.pointee = Int64(skippedRows)
    return store(LawBox(fitted.law, report: fitted.report), out)
  } catch {
    return fail(error, "pace_law_fit_runs")
  }
}

@c @implementation
public func pace_law_create(_ kind: UInt32, _ params: UnsafePointer<Double>?, _ n: Int64, _ warmup: UInt32,
                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pace_status {
  guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
  out.pointee = nil
  do throws(LawError) {
    let k = try lawKind(kind)
    guard let params else { throw .argument("params is NULL") }
    guard n >= 0, n <= 64 else { throw .argument("n must be the number of parameters (\(k.parameterNames.count)), got \(n)") }
    let law = try LossLaw(kind: k, parameters: Array(UnsafeBufferPointer(start: params, count: Int(n))),
                          warmup: try warmupMode(warmup))
    return store(LawBox(law), out)
  } catch {
    return fail(error, "pace_law_create")
  }
}

@c @implementation
public func pace_law_free(_ law: OpaquePointer?) {
  freeHandle(law, .law, "law")
}

@c @implementation
public func pace_law_kind(_ law: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> pace_status {
  withLaw(law) { box in
    guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
    out.pointee = LawCodes.code(box.law.kind)
    return PACE_OK
  }
}

@c @implementation
public func pace_law_params(_ law: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?, _ capacity: Int64,
                            _ count: UnsafeMutablePointer<Int64>?) -> pace_status {
  withLaw(law) { box in
    guard capacity >= 0 else { return fail(PACE_E_ARGUMENT, "cap must be >= 0, got \(capacity)") }
    let params = box.law.parameters
    count?.pointee = Int64(params.count)
    guard let out, capacity >= Int64(params.count) else {
      return fail(PACE_E_BUFFER_TOO_SMALL, "the law has \(params.count) parameters, cap is \(capacity)")
    }
    for (i, v) in params.enumerated() { out[i] = v }
    return PACE_OK
  }
}

@c @implementation
public func pace_law_param_name(_ law: OpaquePointer?, _ index: Int64, _ buffer: UnsafeMutablePointer<CChar>?,
                                _ capacity: Int, _ needed: UnsafeMutablePointer<Int>?) -> pace_status {
  withLaw(law) { box in
    let names = box.law.kind.parameterNames
    guard index >= 0, index < Int64(names.count) else {
      return fail(PACE_E_ARGUMENT, "index \(index) is out of range [0, \(names.count))")
    }
    return writeText(names[Int(index)], buffer, capacity, needed)
  }
}

@c @implementation
public func pace_law_fit_report(_ law: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                _ needed: UnsafeMutablePointer<Int>?) -> pace_status {
  withLaw(law) { writeText($0.report?.jsonText ?? "{}", buffer, capacity, needed) }
}

@c @implementation
public func pace_law_predict(_ law: OpaquePointer?, _ lr: UnsafePointer<pace_lr_input>?, _ steps: UnsafePointer<Int64>?,
                             _ n: Int64, _ out: UnsafeMutablePointer<Double>?) -> pace_status {
  withLaw(law) { box in predict(box.law, lr, steps, n, out) }
}

/// The body of `pace_law_predict` for a live law.
private func predict(_ law: LossLaw, _ lr: UnsafePointer<pace_lr_input>?, _ steps: UnsafePointer<Int64>?,
                     _ n: Int64, _ out: UnsafeMutablePointer<Double>?) -> pace_status {
  guard n >= 0, n <= maxSteps else { return fail(PACE_E_ARGUMENT, "n must be in [0, 2^27], got \(n)") }
  if n == 0 { return PACE_OK }
  guard let steps else { return fail(PACE_E_ARGUMENT, "steps is NULL") }
  guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
  do throws(LawError) {
    let seq = try sequence(lr, "lr")
    var list: [Int] = []
    for i in 0..<Int(n) {
      let t = steps[i]
      guard t >= 1, t < Int64(seq.count) else {
        throw .argument("steps[\(i)] = \(t) is outside [1, \(seq.count)) (the sequence's steps)")
      }
      list.append(Int(t))
    }
    let values = try law.predict(seq, at: list)
    for i in 0..<Int(n) { out[i] = values[i] }
    if values.contains(where: { !$0.isFinite }) {
      return fail(PACE_E_NUMERIC, "pace_law_predict: some predictions are not finite")
    }
    return PACE_OK
  } catch {
    return fail(error, "pace_law_predict")
  }
}

@c @implementation
public func pace_law_final_loss(_ law: OpaquePointer?, _ lr: UnsafePointer<pace_lr_input>?,
                                _ out: UnsafeMutablePointer<Double>?) -> pace_status {
  withLaw(law) { box in
    guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
    return finalLoss(box.law, lr, out)
  }
}

/// The body of `pace_law_final_loss` for a live law.
private func finalLoss(_ law: LossLaw, _ lr: UnsafePointer<pace_lr_input>?, _ out: UnsafeMutablePointer<Double>) -> pace_status {
  do throws(LawError) {
    let seq = try sequence(lr, "lr")
    guard seq.count >= 2 else { throw .argument("the sequence needs at least 2 steps") }
    let v = law.finalLoss(rates: seq.rates, warmupSteps: seq.warmupSteps)
    out.pointee = v
    guard v.isFinite else { return fail(PACE_E_NUMERIC, "pace_law_final_loss: the prediction is not finite (S1 = 0?)") }
    return PACE_OK
  } catch {
    return fail(error, "pace_law_final_loss")
  }
}

@c @implementation
public func pace_law_save(_ law: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                          _ needed: UnsafeMutablePointer<Int>?) -> pace_status {
  withLaw(law) { writeText($0.law.jsonText(report: $0.report, interval: $0.interval), buffer, capacity, needed) }
}

@c @implementation
public func pace_law_load(_ json: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pace_status {
  guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
  out.pointee = nil
  guard let json else { return fail(PACE_E_ARGUMENT, "json is NULL") }
  guard let text = String(validating: bytes(json), as: UTF8.self) else {
    return fail(PACE_E_STATE, "pace_law_load: the text is not valid UTF-8")
  }
  do throws(LawError) {
    let saved = try LossLaw.loadSaved(text)
    return store(LawBox(saved.law, report: saved.report, interval: saved.interval), out)
  } catch {
    return fail(error, "pace_law_load")
  }
}

// MARK: - Prediction intervals (pace_law_fit_interval, pace_law_predict_interval)

/// A failure whose message is already recorded (pace_last_error).
private struct RecordedFailure: Error {
  let status: pace_status
}

@c @implementation
public func pace_law_fit_interval(_ kind: UInt32, _ curves: UnsafePointer<pace_law_curve>?, _ curveCount: Int64,
                                  _ options: UnsafePointer<pace_fit_options>?,
                                  _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pace_status {
  guard let out else { return fail(PACE_E_ARGUMENT, "out is NULL") }
  out.pointee = nil
  guard curves != nil, curveCount >= 2 else {
    return fail(PACE_E_ARGUMENT, "pace_law_fit_interval: curve_count must be >= 2 (each curve is predicted by "
                + "the law fitted on the others), got \(curveCount)\(curves == nil ? " (and curves is NULL)" : "")")
  }
  // The law itself: pace_law_fit validates every argument.
  var full: OpaquePointer?
  let status = pace_law_fit(kind, curves, curveCount, options, &full)
  guard status == PACE_OK else { return status }
  defer { pace_law_free(full) }
  guard let curves, let fitted = liveLaw(full) else { return fail(PACE_E_INTERNAL, "pace_law_fit_interval: lost the fitted law") }
  var report: FitReport?
  _ = withLaw(full) { box in
    report = box.report
    return PACE_OK
  }
  do throws(RecordedFailure) {
    let residuals = try PredictionInterval.leaveOneCurveOut(
      curveCount: Int(curveCount),
      fit: { (indices: [Int]) throws(RecordedFailure) -> LossLaw in
        let held = (0..<Int(curveCount)).first { !indices.contains($0) } ?? 0
        let subset = indices.map { curves[$0] }
        var handle: OpaquePointer?
        let s = subset.withUnsafeBufferPointer { pace_law_fit(kind, $0.baseAddress, Int64($0.count), options, &handle) }
        defer { pace_law_free(handle) }
        guard s == PACE_OK, let law = liveLaw(handle) else {
          let cause = String(cString: pace_last_error())
          throw RecordedFailure(status: fail(s == PACE_OK ? PACE_E_INTERNAL : s,
                                             "pace_law_fit_interval: the fit without curves[\(held)] failed: \(cause)"))
        }
        return law
      },
      residuals: { (law: LossLaw, i: Int) throws(RecordedFailure) -> [Double] in
        do throws(LawError) {
          return try heldOutResiduals(law, curves[i], "curves[\(i)]")
        } catch {
          throw RecordedFailure(status: fail(error, "pace_law_fit_interval"))
        }
      })
    let interval: PredictionInterval
    do throws(LawError) {
      interval = try PredictionInterval(logResiduals: residuals)
    } catch {
      throw RecordedFailure(status: fail(error, "pace_law_fit_interval"))
    }
    return store(LawBox(fitted, report: report, interval: interval), out)
  } catch {
    return error.status
  }
}

/// log(observed / predicted) of `law` on a curve that pace_law_fit accepted
/// (points with a loss that is not finite and > 0 are left out).
private func heldOutResiduals(_ law: LossLaw, _ c: pace_law_curve, _ what: String) throws(LawError) -> [Double] {
  let seq = try withUnsafePointer(to: c.lr) { (p) throws(LawError) -> LRSequence in try sequence(p, "\(what).lr") }
  guard c.n >= 1, c.n <= maxSteps, let steps = c.steps, let losses = c.losses else {
    throw .argument("\(what): steps, losses and n are not a curve")
  }
  var kept: [(step: Int, loss: Double)] = []
  for j in 0..<Int(c.n) where losses[j].isFinite && losses[j] > 0 {
    guard steps[j] >= 1, steps[j] < Int64(seq.count) else {
      throw .argument("\(what).steps[\(j)] = \(steps[j]) is outside [1, \(seq.count))")
    }
    kept.append((Int(steps[j]), losses[j]))
  }
  return try PredictionInterval.logResiduals(law, sequence: seq, steps: kept.map(\.step), losses: kept.map(\.loss))
}

@c @implementation
public func pace_law_predict_interval(_ law: OpaquePointer?, _ lr: UnsafePointer<pace_lr_input>?,
                                      _ steps: UnsafePointer<Int64>?, _ n: Int64, _ level: Double,
                                      _ out: UnsafeMutablePointer<Double>?, _ lower: UnsafeMutablePointer<Double>?,
                                      _ upper: UnsafeMutablePointer<Double>?) -> pace_status {
  withLaw(law) { box in
    guard let interval = box.interval else {
      return fail(PACE_E_ARGUMENT, "pace_law_predict_interval: the law has no prediction interval; fit it with "
                  + "pace_law_fit_interval (or load a law saved with one)")
    }
    guard level.isFinite, PredictionInterval.isValidLevel(level) else {
      return fail(PACE_E_ARGUMENT, "pace_law_predict_interval: level must be in (0, 1), got \(level)")
    }
    guard n == 0 || (lower != nil && upper != nil) else {
      return fail(PACE_E_ARGUMENT, "pace_law_predict_interval: \(lower == nil ? "lower" : "upper") is NULL")
    }
    let status = predict(box.law, lr, steps, n, out)
    guard status == PACE_OK, n > 0, let out, let lower, let upper else { return status }
    let (lo, hi) = interval.bounds(Array(UnsafeBufferPointer(start: out, count: Int(n))), level: level)
    for i in 0..<Int(n) {
      lower[i] = lo[i]
      upper[i] = hi[i]
    }
    return PACE_OK
  }
}

/// Shared body of the functionals.
private func functional(_ lr: UnsafePointer<pace_lr_input>?, _ warmup: UInt32, _ out: UnsafeMutablePointer<Double>?,
                        _ capacity: Int64, _ name: String,
                        _ body: (LRSequence, WarmupMode) throws(LawError) -> [Double]) -> pace_status {
  do throws(LawError) {
    let mode = try warmupMode(warmup) ?? .raw
    let seq = try sequence(lr, "lr")
    guard capacity >= Int64(seq.count), let out else {
      return fail(PACE_E_BUFFER_TOO_SMALL, "\(name): out must hold \(seq.count) values, out_cap is \(capacity)")
    }
    let values = try body(seq, mode)
    for i in 0..<values.count { out[i] = values[i] }
    return PACE_OK
  } catch {
    return fail(error, name)
  }
}

@c @implementation
public func pace_functional_s1(_ lr: UnsafePointer<pace_lr_input>?, _ warmup: UInt32, _ out: UnsafeMutablePointer<Double>?,
                               _ capacity: Int64) -> pace_status {
  functional(lr, warmup, out, capacity, "pace_functional_s1") { seq, mode in
    ScheduleFunctionals.forwardArea(seq, warmup: mode)
  }
}

@c @implementation
public func pace_functional_s2(_ lr: UnsafePointer<pace_lr_input>?, _ warmup: UInt32, _ lambda: Double,
                               _ out: UnsafeMutablePointer<Double>?, _ capacity: Int64) -> pace_status {
  functional(lr, warmup, out, capacity, "pace_functional_s2") { (seq, mode) throws(LawError) -> [Double] in
    guard lambda.isFinite, lambda >= 0, lambda < 1 else { throw .argument("lambda must be in [0, 1), got \(lambda)") }
    return ScheduleFunctionals.annealingArea(seq, warmup: mode, lambda: lambda)
  }
}

@c @implementation
public func pace_functional_ld(_ lr: UnsafePointer<pace_lr_input>?, _ warmup: UInt32, _ C: Double, _ beta: Double,
                               _ gamma: Double, _ out: UnsafeMutablePointer<Double>?, _ capacity: Int64) -> pace_status {
  functional(lr, warmup, out, capacity, "pace_functional_ld") { (seq, mode) throws(LawError) -> [Double] in
    guard C.isFinite, C > 0 else { throw .argument("C must be finite and > 0, got \(C)") }
    guard beta.isFinite, beta > 0, beta <= 100 else { throw .argument("beta must be in (0, 100], got \(beta)") }
    guard gamma.isFinite, Swift.abs(gamma) <= 100 else { throw .argument("gamma must be finite, |gamma| <= 100, got \(gamma)") }
    return ScheduleFunctionals.lossDrop(seq, warmup: mode, C: C, beta: beta, gamma: gamma)
  }
}

private func searchOptions(_ options: UnsafePointer<pace_search_options>?) throws(LawError) -> SearchOptions {
  guard let options else { throw .argument("opt is NULL") }
  let o = options.pointee
  guard o.struct_size >= UInt32(MemoryLayout<pace_search_options>.size) else {
    throw .argument("opt.struct_size is \(o.struct_size); set it to sizeof(pace_search_options)")
  }
  guard o.budget >= 2, o.budget <= 1 << 25 else { throw .argument("opt.budget must be in [2, 2^25], got \(o.budget)") }
  guard o.peak.isFinite, o.peak > 0 else { throw .argument("opt.peak must be finite and > 0, got \(o.peak)") }
  guard o.warmup_steps >= -1, o.warmup_steps < o.budget - 1 else {
    throw .argument("opt.warmup_steps must be -1 or in [0, budget - 1), got \(o.warmup_steps)")
  }
  guard o.families < 32 else { throw .argument("opt.families has unknown bits: \(o.families)") }
  let warmup = o.warmup_steps < 0 ? SearchOptions.defaultWarmupSteps(budget: Int(o.budget)) : Int(o.warmup_steps)
  var s = SearchOptions(budget: Int(o.budget), peak: o.peak, warmupSteps: Swift.min(warmup, Int(o.budget) - 2))
  if o.families != 0 { s.families = LawCodes.families(o.families) }
  return s
}

@c @implementation
public func pace_law_search(_ law: OpaquePointer?, _ options: UnsafePointer<pace_search_options>?,
                            _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int, _ needed: UnsafeMutablePointer<Int>?,
                            _ finalLoss: UnsafeMutablePointer<Double>?, _ evaluated: UnsafeMutablePointer<Int64>?) -> pace_status {
  guard let target = liveLaw(law) else { return PACE_E_ARGUMENT }
  do throws(LawError) {
    let s = try searchOptions(options)
    let result = try ScheduleSearch.search(target, options: s)
    finalLoss?.pointee = result.best.finalLoss
    evaluated?.pointee = Int64(result.evaluated)
    return writeText(result.best.spec, buffer, capacity, needed)
  } catch {
    return fail(error, "pace_law_search")
  }
}

@c @implementation
public func pace_law_search_free_form(_ law: OpaquePointer?, _ options: UnsafePointer<pace_search_options>?,
                                      _ iterations: Int64, _ rates: UnsafeMutablePointer<Double>?, _ ratesCapacity: Int64,
                                      _ finalLoss: UnsafeMutablePointer<Double>?) -> pace_status {
  guard let target = liveLaw(law) else { return PACE_E_ARGUMENT }
  do throws(LawError) {
    let s = try searchOptions(options)
    guard iterations >= 1, iterations <= 1 << 24 else { throw .argument("iterations must be in [1, 2^24], got \(iterations)") }
    guard let rates, ratesCapacity >= Int64(s.budget) else {
      return fail(PACE_E_BUFFER_TOO_SMALL, "pace_law_search_free_form: rates must hold \(s.budget) values, rates_cap is \(ratesCapacity)")
    }
    let result = try ScheduleSearch.freeForm(target, options: s, iterations: Int(iterations))
    for i in 0..<result.rates.count { rates[i] = result.rates[i] }
    finalLoss?.pointee = result.finalLoss
    return PACE_OK
  } catch {
    return fail(error, "pace_law_search_free_form")
  }
}
