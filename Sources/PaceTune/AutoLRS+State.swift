//===--- AutoLRS+State.swift ----------------------------------------------===//
// The tuner's saved form: versioned, checksummed, exact.
//===----------------------------------------------------------------------===//
import Pace

/// The saved form of a tuner (integers little-endian, doubles as bits):
///
/// ```
/// offset  size  field
///      0     8  magic "PACE\0AL\0"
///      8     4  format version (1)
///     12     8  payload length L
///     20     L  payload
///   20+L     4  CRC-32 of bytes 0 ..< 20+L
/// payload: canonical config text (u64 length + UTF-8); steps used, warmup
///          taken, τ, τ′ (i64); validation mode (u8); stages planned (i64);
///          cursor, pending (u8); the stage plan (trial steps, exploit
///          steps, every: i64; validation: u8); the pending trial
///          (position, lr, forecast: f64); the chosen LR and the stage's
///          initial loss (u8 present + f64); the stage's trials (u32 count,
///          then position, lr, forecast); the history (u64 count, then per
///          stage: start step (i64), validation (u8), trial steps, steps
///          (i64), LR count (u32), the LRs, the forecasts, the chosen LR).
/// ```
/// A damaged blob is rejected whole (`.state`), a well-formed blob of a
/// newer format gives `.version`; a loaded tuner continues exactly as the
/// saved one would, and saving it again gives the same bytes.
extension AutoLRS {
  static let magic: [UInt8] = Array("PACE\u{0}AL\u{0}".utf8)
  public static let stateFormatVersion: UInt32 = 1
  static let headerSize = 20

  /// The tuner's state as bytes.
  ///
  /// - Complexity: O(K + stages · K).
  public func save() -> [UInt8] {
    var p = StateWriter()
    p.text(config.canonicalText)
    p.int64(stepsUsed)
    p.int64(warmupTaken)
    p.int64(tau)
    p.int64(tauPrime)
    p.bool(validationMode)
    p.int64(stageCount)
    p.uint8(cursor.rawValue)
    p.uint8(pending.rawValue)
    p.int64(plan.trialSteps)
    p.int64(plan.exploitSteps)
    p.int64(plan.every)
    p.bool(plan.validation)
    for v in [pendingTrial.position, pendingTrial.lr, pendingTrial.forecast] { p.double(v) }
    p.optionalDouble(chosenLR)
    p.optionalDouble(stageStartLoss)
    p.uint32(UInt32(trials.count))
    for t in trials { for v in [t.position, t.lr, t.forecast] { p.double(v) } }
    p.uint64(UInt64(history.count))
    for s in history {
      p.int64(s.startStep)
      p.bool(s.validation)
      p.int64(s.trialSteps)
      p.int64(s.steps)
      p.uint32(UInt32(s.lrs.count))
      for v in s.lrs { p.double(v) }
      for v in s.forecasts { p.double(v) }
      p.double(s.lr)
    }
    var out = StateWriter()
    out.bytes.append(contentsOf: Self.magic)
    out.uint32(Self.stateFormatVersion)
    out.uint64(UInt64(p.bytes.count))
    out.bytes.append(contentsOf: p.bytes)
    out.uint32(CRC32.checksum(out.bytes[...]))
    return out.bytes
  }

  /// Restores a tuner saved by ``save()``. Reads only within the declared
  /// length; any damage throws and nothing is created.
  public static func load(_ bytes: [UInt8]) throws(TuneError) -> AutoLRS {
    guard bytes.count >= headerSize + 4 else {
      throw .state("saved tuner is truncated: \(bytes.count) bytes, a header needs \(headerSize + 4)")
    }
    guard Array(bytes[0..<8]) == magic else { throw .state("not a saved AutoLRS tuner (bad magic)") }
    var header = StateReader(bytes: bytes, index: 8, end: headerSize)
    let version = try header.uint32()
    let length = try header.uint64()
    guard length <= UInt64(bytes.count), Int(length) == bytes.count - headerSize - 4 else {
      throw .state("saved tuner is truncated or has trailing bytes: payload length \(length), \(bytes.count) bytes in all")
    }
    let stored = bytes[(bytes.count - 4)...].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    guard stored == CRC32.checksum(bytes[0..<(bytes.count - 4)]) else {
      throw .state("saved tuner is corrupted (checksum mismatch)")
    }
    guard version == stateFormatVersion else {
      throw .version("saved tuner has format version \(version); this library reads version \(stateFormatVersion)")
    }
    var r = StateReader(bytes: bytes, index: headerSize, end: bytes.count - 4)
    let config: TuneConfig
    do throws(TuneError) {
      config = try TuneConfig.parse(try r.text())
    } catch {
      throw .state("saved tuner holds an invalid config: \(error)")
    }
    let t = AutoLRS(config: config)
    t.stepsUsed = try r.int64()
    t.warmupTaken = try r.int64()
    t.tau = try r.int64()
    t.tauPrime = try r.int64()
    t.validationMode = try r.bool()
    t.stageCount = try r.int64()
    guard let cursor = Cursor(rawValue: try r.uint8()), let pending = Pending(rawValue: try r.uint8()) else {
      throw .state("saved tuner holds an invalid protocol position")
    }
    t.cursor = cursor
    t.pending = pending
    t.plan = StagePlan(trialSteps: try r.int64(), exploitSteps: try r.int64(), every: try r.int64(), validation: try r.bool())
    t.pendingTrial = Trial(position: try r.double(), lr: try r.double(), forecast: try r.double())
    t.chosenLR = try r.optionalDouble()
    t.stageStartLoss = try r.optionalDouble()
    let trialCount = try r.uint32()
    guard trialCount <= UInt32(config.candidates) else { throw .state("saved tuner holds \(trialCount) trials") }
    for _ in 0..<Int(trialCount) {
      t.trials.append(Trial(position: try r.double(), lr: try r.double(), forecast: try r.double()))
    }
    let stageTotal = try r.uint64()
    guard stageTotal <= UInt64(r.remaining / StageRecord.minimumSavedBytes) else { throw .state("saved tuner holds an invalid stage count") }
    for _ in 0..<Int(stageTotal) {
      let start = try r.int64(), validation = try r.bool(), trialSteps = try r.int64(), steps = try r.int64()
      let count = try r.uint32()
      guard count <= UInt32(config.candidates) else { throw .state("saved tuner holds a stage of \(count) trials") }
      var lrs: [Double] = [], forecasts: [Double] = []
      for _ in 0..<Int(count) { lrs.append(try r.double()) }
      for _ in 0..<Int(count) { forecasts.append(try r.double()) }
      t.history.append(StageRecord(startStep: start, validation: validation, trialSteps: trialSteps, steps: steps,
                                   lrs: lrs, forecasts: forecasts, lr: try r.double()))
    }
    guard r.remaining == 0 else { throw .state("saved tuner has \(r.remaining) unread bytes") }
    if let problem = t.inconsistency { throw .state("saved tuner is inconsistent: \(problem)") }
    return t
  }

  /// Why the state could not have been reached by the protocol (a check
  /// that a loaded tuner can never trap or overrun its budget); nil when
  /// it is consistent.
  var inconsistency: String? {
    let total = config.totalSteps, limit = TuneConfig.maximumSteps
    guard (0...total).contains(stepsUsed), (0...config.warmupSteps).contains(warmupTaken) else { return "step counts" }
    if cursor == .warmup { guard stepsUsed == warmupTaken else { return "warmup steps" } }
    guard history.allSatisfy({ ($0.lrs + $0.forecasts + [$0.lr]).allSatisfy(\.isFinite) && $0.steps >= 0 && $0.trialSteps >= 0 })
    else { return "history values" }
    guard (1...config.tauMax).contains(tau), (TuneConfig.minimumTrialSteps...limit).contains(tauPrime) else { return "τ or τ′" }
    guard stageCount >= 0, stageCount <= total else { return "stage count" }
    guard (0...total).contains(plan.trialSteps), (0...total).contains(plan.exploitSteps), plan.every >= 1 else {
      return "stage plan"
    }
    let inStage: Set<Cursor> = [.checkpoint, .trial, .restoreForTrial, .restoreForExploit]
    if inStage.contains(cursor) {
      guard stageCount >= 1, plan.trialSteps >= TuneConfig.minimumTrialSteps else { return "stage without trials" }
    }
    switch pending {
    case .none: break
    case .trial: guard cursor == .trial else { return "pending trial" }
    case .stageStartLoss: guard cursor == .plan, validationMode else { return "pending initial loss" }
    }
    if cursor == .trial, trials.count >= config.candidates { return "trial count" }
    if cursor == .restoreForExploit, trials.count != config.candidates { return "trial count" }
    let lrRange = config.minLR...config.maxLR
    let trialsValid = (trials + (pending == .trial ? [pendingTrial] : [])).allSatisfy {
      (0...1).contains($0.position) && lrRange.contains($0.lr) && $0.forecast.isFinite
    }
    guard trialsValid, chosenLR.map(lrRange.contains) ?? true else { return "trial values" }
    // The remaining plan fits the budget exactly or under it.
    var toHand: Int64 = 0
    if [.checkpoint, .trial, .restoreForTrial].contains(cursor) {
      toHand += Int64(config.candidates - trials.count - (pending == .trial ? 1 : 0)) * plan.trialSteps
    }
    if inStage.contains(cursor) || cursor == .exploit { toHand += plan.exploitSteps }
    guard toHand <= total - stepsUsed else { return "plan exceeds the budget" }
    return nil
  }
}

extension AutoLRS.StageRecord {
  /// Bytes of the smallest saved stage record (no trials): start (i64),
  /// validation (u8), trial steps (i64), steps (i64), trial count (u32), LR
  /// (f64). Bounds the stage count a load accepts by the bytes left.
  static let minimumSavedBytes = 8 + 1 + 8 + 8 + 4 + 8
}
