//===--- LossLaw.swift ----------------------------------------------------===//
// The two laws, their parameters, and prediction at any steps.
//===----------------------------------------------------------------------===//

/// Which law.
public enum LawKind: String, Sendable, CaseIterable {
  /// Tissue et al. 2024: `L(t) = L0 + A S1^(-alpha) - C S2` (S2 with momentum lambda).
  case annealing
  /// Luo et al. 2025: `L(t) = L0 + A S1^(-alpha) - B LD(t)`.
  case multiPower = "multi_power"

  /// Parameter names, in storage order.
  public var parameterNames: [String] {
    switch self {
    case .annealing: return ["L0", "A", "alpha", "C", "lambda"]
    case .multiPower: return ["L0", "A", "alpha", "B", "C", "beta", "gamma"]
    }
  }

  /// The warmup convention of the law's reference code: Tissue et al. take
  /// warmup LRs as the peak; the multi-power law's code runs LD over the
  /// whole LR array, so the warmup's rising LRs enter as negative drops
  /// (with its published parameters only this reproduces its figures).
  public var defaultWarmup: WarmupMode {
    switch self {
    case .annealing: return .peak
    case .multiPower: return .raw
    }
  }

  /// Every name `init?(name:)` accepts (lowercase; the raw value first).
  /// pace_names_json gives them to the bindings.
  public var spellings: [String] {
    switch self {
    case .annealing: return ["annealing", "tissue", "momentum"]
    case .multiPower: return ["multi_power", "multi-power", "multipower", "mpl"]
    }
  }

  /// The kind one of whose `spellings` is `name`, in any case.
  public init?(name: String) {
    let key = name.lowercased()
    guard let kind = LawKind.allCases.first(where: { $0.spellings.contains(key) }) else { return nil }
    self = kind
  }
}

/// A loss-curve law with its parameters: predicts the training loss of any
/// LR schedule at any step.
public struct LossLaw: Sendable, Equatable {
  public let kind: LawKind
  /// Values in the order of `kind.parameterNames`.
  public private(set) var parameters: [Double]
  public let warmup: WarmupMode

  /// The published 25M fit of the multi-power law (algorithms.md §6.2).
  public static let published25M = try! LossLaw(
    kind: .multiPower, parameters: [3.0405, 0.5247, 0.5079, 363.79, 2.0656, 0.5828, 0.6414])

  /// A law from its parameters (finite; A, alpha, B, beta > 0, C > 0 for
  /// multi_power; 0 < lambda < 1 for annealing).
  public init(kind: LawKind, parameters: [Double], warmup: WarmupMode? = nil) throws(LawError) {
    let names = kind.parameterNames
    guard parameters.count == names.count else {
      throw .argument("\(kind.rawValue) has \(names.count) parameters (\(names.joined(separator: ", "))), got \(parameters.count)")
    }
    for (name, v) in zip(names, parameters) where !v.isFinite {
      throw .argument("parameter \(name) must be finite, got \(v)")
    }
    switch kind {
    case .multiPower:
      for i in [1, 2, 3, 4, 5] where !(parameters[i] > 0) {
        throw .argument("parameter \(names[i]) must be > 0, got \(parameters[i])")
      }
    case .annealing:
      guard parameters[4] > 0, parameters[4] < 1 else {
        throw .argument("parameter lambda must be in (0, 1), got \(parameters[4])")
      }
      guard parameters[1] >= 0, parameters[2] >= 0 else {
        throw .argument("parameters A and alpha must be >= 0, got \(parameters[1]), \(parameters[2])")
      }
    }
    self.kind = kind
    self.parameters = parameters
    self.warmup = warmup ?? kind.defaultWarmup
  }

  /// A law from named parameters (every name of the kind, nothing else).
  public init(kind: LawKind, named: [String: Double], warmup: WarmupMode? = nil) throws(LawError) {
    var values: [Double] = []
    for name in kind.parameterNames {
      guard let v = named[name] else { throw .argument("\(kind.rawValue): parameter \(name) is missing") }
      values.append(v)
    }
    if let extra = named.keys.sorted().first(where: { !kind.parameterNames.contains($0) }) {
      throw .argument("\(kind.rawValue) has no parameter \(extra)")
    }
    try self.init(kind: kind, parameters: values, warmup: warmup)
  }

  /// The value of a named parameter.
  public subscript(name: String) -> Double? {
    kind.parameterNames.firstIndex(of: name).map { parameters[$0] }
  }

  /// (name, value) pairs in order.
  public var namedParameters: [(name: String, value: Double)] {
    zip(kind.parameterNames, parameters).map { ($0, $1) }
  }

  /// The same law for learning rates expressed in other units: if every LR
  /// is multiplied by `c` (> 0, finite), the returned law predicts the
  /// same losses (to rounding) on the rescaled schedules.
  ///
  /// S1, S_k(t) and every drop scale by c, so the multi-power law maps
  /// `A -> A c^alpha`, `B -> B / c`, `C -> C c^(gamma - 1)` (its G argument
  /// `C eta_k^(-gamma) S_k(t)` is then unchanged); the annealing law maps
  /// `A -> A c^alpha`, `C -> C / c`. L0, alpha, beta, gamma and lambda do
  /// not depend on the LR's units. O(1).
  public func rescaled(lrBy c: Double) throws(LawError) -> LossLaw {
    guard c > 0, c.isFinite else { throw .argument("the LR scale must be finite and > 0, got \(c)") }
    return try LossLaw(kind: kind, parameters: Self.parameters(parameters, kind: kind, lrScale: c), warmup: warmup)
  }

  /// `rescaled(lrBy:)` on a bare parameter vector (no domain check).
  static func parameters(_ p: [Double], kind: LawKind, lrScale c: Double) -> [Double] {
    guard c != 1 else { return p }
    var q = p
    let lnC = _log(c)
    q[1] = p[1] * _exp(p[2] * lnC)
    switch kind {
    case .multiPower:
      q[3] = p[3] / c
      q[4] = p[4] * _exp((p[6] - 1) * lnC)
    case .annealing:
      q[3] = p[3] / c
    }
    return q
  }

  /// "L0=3.04 A=0.52 ..." for messages.
  public var parameterSummary: String {
    namedParameters.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
  }

  /// Predicted losses at `steps` (any order, each in `1 ..< sequence.count`
  /// with S1 > 0 there).
  ///
  /// - Complexity: O(T J) for the multi-power law over the prefix up to the
  ///   largest step (T), O(T) for the annealing law.
  public func predict(_ sequence: LRSequence, at steps: [Int]) throws(LawError) -> [Double] {
    guard !steps.isEmpty else { return [] }
    // Evaluate at the sorted distinct steps, then map back to the caller's order.
    let unique = Array(Set(steps)).sorted()
    let curve = try PreparedCurve(sequence: sequence, steps: unique, warmup: warmup)
    let values = ModelEvaluation.predict(kind: kind, parameters: parameters, curve: curve)
    var index: [Int: Int] = [:]
    for (i, s) in unique.enumerated() { index[s] = i }
    return steps.map { values[index[$0]!] }
  }

  /// Predicted losses at every step `from ..< sequence.count` (from >= 1 and S1 > 0 there).
  public func predictAll(_ sequence: LRSequence, from: Int = 1) throws(LawError) -> [Double] {
    guard from < sequence.count else { return [] }
    return try predict(sequence, at: Array(from..<sequence.count))
  }

  /// The predicted final loss (the last step of the sequence).
  public func finalLoss(_ sequence: LRSequence) throws(LawError) -> Double {
    try predict(sequence, at: [sequence.count - 1])[0]
  }
}

/// Observed losses of one run: its LR sequence and (step, loss) pairs.
public struct LossCurve: Sendable {
  public let sequence: LRSequence
  public let steps: [Int]
  public let losses: [Double]
  public var name: String

  /// Validates: same lengths, >= 1 point, steps strictly increasing within
  /// `1 ..< sequence.count`, losses finite and > 0.
  public init(sequence: LRSequence, steps: [Int], losses: [Double], name: String = "curve") throws(LawError) {
    guard steps.count == losses.count else {
      throw .argument("\(name): \(steps.count) steps but \(losses.count) losses")
    }
    guard !steps.isEmpty else { throw .argument("\(name): no observed points") }
    var previous = -1
    for (i, (s, l)) in zip(steps, losses).enumerated() {
      guard s > previous else {
        throw .argument("\(name): steps must be strictly increasing; point \(i) has step \(s) after \(previous)")
      }
      guard s < sequence.count else {
        throw .argument("\(name): point \(i) has step \(s), beyond the schedule's \(sequence.count) steps (last step \(sequence.count - 1))")
      }
      guard l.isFinite, l > 0 else {
        throw .argument("\(name): point \(i) (step \(s)) has loss \(l); losses must be finite and > 0")
      }
      previous = s
    }
    guard steps[0] >= 1 else { throw .argument("\(name): step 0 has S1 = 0, where the laws are undefined") }
    self.sequence = sequence
    self.steps = steps
    self.losses = losses
    self.name = name
  }
}

/// A curve prepared for one warmup mode: S1 at the steps, the drop
/// evaluator, the effective rates.
struct PreparedCurve {
  let steps: [Int]
  let rates: [Double]
  let firstDrop: Int
  /// S1 at the steps.
  let s1: [Double]
  let logS1: [Double]
  /// peak - eta_t at each step: the study's surrogate for LD (LD with G = 1
  /// after the warmup).
  let totalDrop: [Double]
  let evaluator: LossDropEvaluator

  /// `steps` ascending and unique.
  init(sequence: LRSequence, steps: [Int], warmup: WarmupMode) throws(LawError) {
    let e = sequence.effective(warmup)
    guard let last = steps.last, last < sequence.count, steps[0] >= 0 else {
      throw .argument("steps must be in [0, \(sequence.count)), got \(steps.first ?? -1) ... \(steps.last ?? -1)")
    }
    let rates = Array(e.rates[0...last])
    let area = ScheduleFunctionals.forwardArea(rates)
    var s1: [Double] = []
    s1.reserveCapacity(steps.count)
    for t in steps {
      guard area[t] > 0 else {
        throw .argument("S1 (the sum of LRs up to step \(t)) is 0 at step \(t): the laws are undefined there")
      }
      s1.append(area[t])
    }
    self.steps = steps
    self.rates = rates
    self.firstDrop = e.firstDrop
    self.s1 = s1
    self.logS1 = s1.map { _log($0) }
    let fd = e.firstDrop
    let peak = sequence.peak
    self.totalDrop = steps.map { peak - rates[$0] }
    self.evaluator = LossDropEvaluator(rates: rates, firstDrop: fd)
  }

  /// S2 and dS2/dlambda at the steps.
  func annealingArea(lambda: Double, derivative: Bool) -> (s2: [Double], dLambda: [Double]) {
    var s2 = [Double](repeating: 0, count: steps.count)
    var ds2 = [Double](repeating: 0, count: derivative ? steps.count : 0)
    var m = 0.0, dm = 0.0, sum = 0.0, dsum = 0.0
    var q = 0
    while q < steps.count, steps[q] < firstDrop { q += 1 }
    var t = firstDrop
    while q < steps.count, t < rates.count {
      dm = m + lambda * dm
      m = lambda * m + (rates[t - 1] - rates[t])
      sum += m
      dsum += dm
      if steps[q] == t {
        s2[q] = sum
        if derivative { ds2[q] = dsum }
        q += 1
      }
      t += 1
    }
    return (s2, ds2)
  }
}

/// Values and Jacobians of the laws on prepared curves.
enum ModelEvaluation {
  static func predict(kind: LawKind, parameters p: [Double], curve: PreparedCurve) -> [Double] {
    switch kind {
    case .multiPower:
      let ld = curve.evaluator.evaluate(at: curve.steps, C: p[4], beta: p[5], gamma: p[6]).values
      return (0..<curve.steps.count).map { i in p[0] + p[1] * _exp(-p[2] * curve.logS1[i]) - p[3] * ld[i] }
    case .annealing:
      let s2 = curve.annealingArea(lambda: p[4], derivative: false).s2
      return (0..<curve.steps.count).map { i in p[0] + p[1] * _exp(-p[2] * curve.logS1[i]) - p[3] * s2[i] }
    }
  }
}
