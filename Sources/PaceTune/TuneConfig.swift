//===--- TuneConfig.swift -------------------------------------------------===//
// The AutoLRS config JSON: parsing, defaults, and errors that name the field.
//===----------------------------------------------------------------------===//
import Pace

/// A parsed AutoLRS config (design: docs/autolrs.md).
///
/// ```json
/// {"min_lr": 1e-4, "max_lr": 1e-1, "total_steps": 100000,
///  "tau": 1000, "tau_prime": 100, "candidates": 10, "tau_max": 8000,
///  "seed": 0, "warmup_steps": 0, "warmup_lr": 0.01, "val_every": 50}
/// ```
public struct TuneConfig: Sendable, Equatable {
  /// The searched LR range (log-uniform), 0 < minLR < maxLR, finite.
  public var minLR: Double
  public var maxLR: Double
  /// Every optimizer step of the run, trials and warmup included; 1 ... 2^53.
  public var totalSteps: Int64
  /// τ: steps of the exploitation phase of the first stage (default 1000).
  public var tau: Int64 = 1000
  /// τ′: steps of each trial of the first stage (default 100, at least 16).
  public var tauPrime: Int64 = 100
  /// K: LRs tried per stage (default 10; 1 ... 100).
  public var candidates: Int = 10
  /// τ and τ′ double after each stage while τ < τ_max (default 8000); then
  /// the tuner forecasts validation loss.
  public var tauMax: Int64 = 8000
  /// Seed of the first (random) candidate of each stage.
  public var seed: UInt64 = 0
  /// Linear warmup to `warmupLR` over the first `warmupSteps` steps (default 0).
  public var warmupSteps: Int64 = 0
  public var warmupLR: Double?
  /// Steps between validation losses in validation mode (default τ′/16).
  public var valEvery: Int64?

  /// The shortest trial: the forecast needs points to fit.
  public static let minimumTrialSteps: Int64 = 16
  /// The largest step count accepted (float64 holds every integer up to it).
  public static let maximumSteps: Int64 = 1 << 53
  static let keys = ["min_lr", "max_lr", "total_steps", "tau", "tau_prime", "candidates", "tau_max", "seed",
                     "warmup_steps", "warmup_lr", "val_every"]

  /// Parses config JSON text. Throws `.config` with a message that starts
  /// with the offending field.
  public static func parse(_ text: String) throws(TuneError) -> TuneConfig {
    let document: JSONValue
    do {
      document = try JSONReader.parse(Array(text.utf8))
    } catch {
      throw .config("config: invalid JSON at \(error.position): \(error.message)")
    }
    guard case .object(let members) = document else { throw .config("config: expected a JSON object, got \(document.typeName)") }
    for member in members where !keys.contains(member.key) {
      throw .config("\(member.key): unknown key (known: \(keys.joined(separator: ", ")))")
    }
    func value(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }
    func number(_ key: String) throws(TuneError) -> Double? {
      guard let v = value(key) else { return nil }
      guard case .number(let x, _) = v, x.isFinite else { throw .config("\(key): expected a finite number, got \(v.brief)") }
      return x
    }
    func integer(_ key: String, _ range: ClosedRange<Int64>) throws(TuneError) -> Int64? {
      guard let v = value(key) else { return nil }
      guard case .number(let x, _) = v, x.isFinite, x == x.rounded(),
        x >= Double(range.lowerBound), x <= Double(range.upperBound)
      else { throw .config("\(key): expected an integer in [\(range.lowerBound), \(range.upperBound)], got \(v.brief)") }
      return Int64(x)
    }
    guard let minLR = try number("min_lr") else { throw .config("min_lr: required field is missing") }
    guard let maxLR = try number("max_lr") else { throw .config("max_lr: required field is missing") }
    guard minLR > 0 else { throw .config("min_lr: must be positive, got \(minLR)") }
    guard maxLR > minLR else { throw .config("max_lr: must exceed min_lr (\(minLR)), got \(maxLR)") }
    guard let total = try integer("total_steps", 1...maximumSteps) else {
      throw .config("total_steps: required field is missing")
    }
    var config = TuneConfig(minLR: minLR, maxLR: maxLR, totalSteps: total)
    if let v = try integer("tau", 1...maximumSteps) { config.tau = v }
    if let v = try integer("tau_prime", minimumTrialSteps...maximumSteps) { config.tauPrime = v }
    if let v = try integer("candidates", 1...100) { config.candidates = Int(v) }
    if let v = try integer("tau_max", 1...maximumSteps) { config.tauMax = v }
    guard config.tauMax >= config.tau else { throw .config("tau_max: must be at least tau (\(config.tau)), got \(config.tauMax)") }
    if let v = value("seed") {
      guard case .number(_, let digits) = v, let seed = UInt64(digits) else {
        throw .config("seed: expected an integer in [0, 2^64 - 1], got \(v.brief)")
      }
      config.seed = seed
    }
    if let v = try integer("warmup_steps", 0...total) { config.warmupSteps = v }
    if let v = try number("warmup_lr") {
      guard v > 0 else { throw .config("warmup_lr: must be positive, got \(v)") }
      config.warmupLR = v
    }
    if config.warmupSteps > 0, config.warmupLR == nil {
      throw .config("warmup_lr: required when warmup_steps is positive")
    }
    if let v = try integer("val_every", 1...maximumSteps) { config.valEvery = v }
    return config
  }

  /// The config as canonical JSON text (every field, defaults resolved):
  /// parsing it gives this config again.
  public var canonicalText: String {
    var fields = [("min_lr", JSONWriter.number(minLR)), ("max_lr", JSONWriter.number(maxLR)),
                  ("total_steps", String(totalSteps)), ("tau", String(tau)), ("tau_prime", String(tauPrime)),
                  ("candidates", String(candidates)), ("tau_max", String(tauMax)), ("seed", String(seed)),
                  ("warmup_steps", String(warmupSteps))]
    if let warmupLR { fields.append(("warmup_lr", JSONWriter.number(warmupLR))) }
    if let valEvery { fields.append(("val_every", String(valEvery))) }
    return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
  }
}
