//===--- SamplerConfig.swift ----------------------------------------------===//
// A sampler's config: size, global batch (or its ramp-up), seed, policy,
// mixture. Parsed from JSON; every error names the field.
//===----------------------------------------------------------------------===//
import Pace

/// How the competence `c(t)` of a `competence` policy grows with the step.
enum Pacing: Sendable {
  /// Platanios et al.'s `c_linear(t) = min(1, t (1 - c0) / T + c0)`.
  case linear(totalSteps: Double)
  /// Platanios et al.'s `c_sqrt(t) = min(1, sqrt(t (1 - c0^2) / T + c0^2))`.
  case sqrt(totalSteps: Double)
  /// A Pace schedule spec's value at t.
  case schedule(Schedule)
}

/// The `budget` of a `weighted` policy.
enum Budget: Sendable, Equatable {
  case count(Int64)
  case fraction(Double)
}

/// Which samples are eligible and how a batch is drawn (`policy.kind`).
enum Policy: Sendable {
  case uniform
  case competence(pacing: Pacing, c0: Double)
  case ability(minPool: Int64)
  case weighted(temperature: Double, budget: Budget, perDomain: Bool)
  case ordered(descending: Bool)

  var name: String {
    switch self {
    case .uniform: "uniform"
    case .competence: "competence"
    case .ability: "ability"
    case .weighted: "weighted"
    case .ordered: "ordered"
    }
  }

  /// True when the policy reads a per-sample score array.
  var needsScores: Bool { if case .uniform = self { false } else { true } }
}

/// One domain's mixture weight: a constant or a schedule of the step.
enum MixtureWeight: Sendable {
  case constant(Double)
  case schedule(Schedule)

  /// The weight at `step` (>= 0).
  func value(at step: Int64) -> Double {
    switch self {
    case .constant(let w): w
    case .schedule(let s): s.value(at: step)
    }
  }

  /// The first step from which the weight no longer changes.
  var constantFrom: Int64 {
    switch self {
    case .constant: 0
    case .schedule(let s): s.end.isFinite ? Int64(min(s.end.rounded(.up), 0x1p62)) : Int64(1) << 62
    }
  }
}

/// A parsed sampler config (design: data-pacing.md, "Config keys").
struct SamplerConfig: Sendable {
  /// N, the number of samples.
  let size: Int64
  let batches: BatchSizes
  let seed: UInt64
  let policy: Policy
  /// Per-domain mixture weights (domain d = index d); nil without a mixture.
  let mixture: [MixtureWeight]?
  /// The config as compact JSON (what saved state stores).
  let text: String

  /// The largest sample count N accepted (indices stay exact in float64 and
  /// keyed permutations in 62 bits).
  static let maximumSize: Int64 = 1 << 53

  init(text: String) throws(DataError) {
    let document: JSONValue
    do {
      document = try JSONReader.parse(text)
    } catch {
      throw .config("config: invalid JSON at \(error.position): \(error.message)")
    }
    try self.init(document)
  }

  init(_ document: JSONValue) throws(DataError) {
    let root = try ConfigObject(document, path: "")
    try root.requireOnly(["size", "global_batch", "seed", "policy", "mixture"])
    guard let size = try root.integer("size", in: 1...SamplerConfig.maximumSize) else {
      throw .config("size: required field is missing (the number of samples N >= 1)")
    }
    guard let batchValue = root["global_batch"] else { throw .config("global_batch: required field is missing") }
    let batches = try SamplerConfig.batchSizes(batchValue)
    let seed = try root.integer("seed", in: 0...Int64.max) ?? 0
    let policy = try root["policy"].map { v throws(DataError) in try SamplerConfig.policy(v) } ?? .uniform
    let mixture = try root["mixture"].map { v throws(DataError) in try SamplerConfig.mixture(v) }
    if mixture != nil, case .uniform = policy {} else if mixture != nil {
      throw .config("mixture: only the uniform policy mixes domains (policy.kind is \(policy.name)); weighted selects per domain with policy.per_domain")
    }
    self.size = size
    self.batches = batches
    self.seed = UInt64(seed)
    self.policy = policy
    self.mixture = mixture
    self.text = JSONWriter.render(document)
  }

  /// `global_batch`: an integer, or a list of `[first_step, size]`.
  static func batchSizes(_ value: JSONValue) throws(DataError) -> BatchSizes {
    let sizeRange: ClosedRange<Int64> = 1...(Int64(1) << 40)
    switch value {
    case .number:
      return try BatchSizes(segments: [(0, try ConfigObject.integer(value, "global_batch", in: sizeRange))])
    case .array(let list):
      var segments: [(Int64, Int64)] = []
      for (k, item) in list.enumerated() {
        guard case .array(let pair) = item, pair.count == 2 else {
          throw .config("global_batch[\(k)]: expected [first_step, size], got \(item.brief)")
        }
        segments.append((try ConfigObject.integer(pair[0], "global_batch[\(k)][0]", in: 0...Int64.max),
                         try ConfigObject.integer(pair[1], "global_batch[\(k)][1]", in: sizeRange)))
      }
      return try BatchSizes(segments: segments)
    default:
      throw .config("global_batch: expected an integer or a list of [first_step, size], got \(value.brief)")
    }
  }

  /// A schedule spec at `name` (object), with errors naming it.
  static func schedule(_ value: JSONValue, _ name: String) throws(DataError) -> Schedule {
    do {
      return try Schedule.parse(value)
    } catch {
      throw .config("\(name): \(error.description)")
    }
  }

  static func policy(_ value: JSONValue) throws(DataError) -> Policy {
    let p = try ConfigObject(value, path: "policy")
    let kinds = ["uniform", "competence", "ability", "weighted", "ordered"]
    guard let kind = try p.string("kind", kinds) else { throw .config("policy.kind: required field is missing") }
    switch kind {
    case "uniform":
      try p.requireOnly(["kind"])
      return .uniform
    case "competence":
      try p.requireOnly(["kind", "pacing", "c0", "total_steps"])
      let c0 = try p.number("c0", "a number in (0, 1]", { $0 > 0 && $0 <= 1 }) ?? 0.01
      guard let pacingValue = p["pacing"] else {
        throw .config("policy.pacing: required field is missing (\"linear\", \"sqrt\" or a schedule spec)")
      }
      let total = try p.number("total_steps", "a number > 0", { $0 > 0 })
      let pacing: Pacing
      if case .string(let shape) = pacingValue {
        guard shape == "linear" || shape == "sqrt" else {
          throw .config("policy.pacing: expected \"linear\", \"sqrt\" or a schedule spec, got \(pacingValue.brief)")
        }
        guard let total else { throw .config("policy.total_steps: required with pacing \"\(shape)\" (the curriculum length T)") }
        pacing = shape == "linear" ? .linear(totalSteps: total) : .sqrt(totalSteps: total)
      } else {
        guard total == nil else { throw .config("policy.total_steps: only with pacing \"linear\" or \"sqrt\" (a spec has its own)") }
        pacing = .schedule(try schedule(pacingValue, "policy.pacing"))
      }
      return .competence(pacing: pacing, c0: c0)
    case "ability":
      try p.requireOnly(["kind", "min_pool"])
      return .ability(minPool: try p.integer("min_pool", in: 1...maximumSize) ?? 100)
    case "weighted":
      try p.requireOnly(["kind", "temperature", "budget", "per_domain"])
      let temperature = try p.number("temperature", "a number >= 0", { $0 >= 0 }) ?? 1.0
      guard let budgetValue = p["budget"] else { throw .config("policy.budget: required field is missing (a count >= 1 or a fraction in (0, 1))") }
      let budget: Budget
      if case .number(let x, let text) = budgetValue, x > 0, x < 1, Int64(text) == nil {
        budget = .fraction(x)
      } else {
        budget = .count(try ConfigObject.integer(budgetValue, "policy.budget", in: 1...maximumSize))
      }
      return .weighted(temperature: temperature, budget: budget, perDomain: try p.bool("per_domain") ?? false)
    default:
      try p.requireOnly(["kind", "descending"])
      return .ordered(descending: try p.bool("descending") ?? false)
    }
  }

  static func mixture(_ value: JSONValue) throws(DataError) -> [MixtureWeight] {
    let m = try ConfigObject(value, path: "mixture")
    try m.requireOnly(["weights"])
    guard let weightsValue = m["weights"] else { throw .config("mixture.weights: required field is missing") }
    guard case .array(let list) = weightsValue, !list.isEmpty, list.count <= 65536 else {
      throw .config("mixture.weights: expected a list of 1 ... 65536 weights (numbers or schedule specs), got \(weightsValue.brief)")
    }
    var weights: [MixtureWeight] = []
    for (d, item) in list.enumerated() {
      let name = "mixture.weights[\(d)]"
      if case .number(let x, _) = item {
        guard x.isFinite, x >= 0 else { throw .config("\(name): expected a number >= 0, got \(item.brief)") }
        weights.append(.constant(x))
      } else {
        weights.append(.schedule(try schedule(item, name)))
      }
    }
    return weights
  }
}
