//===--- ScheduleSearch.swift ---------------------------------------------===//
// The schedule a law predicts best: parametric families on a grid, and a
// free-form non-increasing schedule by projected gradient.
//===----------------------------------------------------------------------===//
import Pace
import PaceEngine

/// A parametric schedule family searched by ``ScheduleSearch``.
public enum ScheduleFamily: String, Sendable, CaseIterable {
  /// Warmup-stable-decay: decay fraction x cooldown shape x final ratio.
  case wsd
  /// Cosine to a final ratio.
  case cosine
  /// REX to a final ratio.
  case rex
  /// UBA: phi x final ratio.
  case uba
  /// Linear to a final ratio.
  case linear
}

/// Search settings.
public struct SearchOptions: Sendable {
  /// Total steps T.
  public var budget: Int
  /// Peak LR.
  public var peak: Double
  /// Linear warmup from 0 to the peak over steps 0 ..< warmup (numpy.linspace(0, peak, W)).
  public var warmupSteps: Int
  public var families: [ScheduleFamily] = ScheduleFamily.allCases
  /// Final ratios tried (multiples of the peak).
  public var finalRatios: [Double] = [0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2]
  /// WSD decay fractions tried.
  public var decayFractions: [Double] = stride(from: 0.02, through: 0.98, by: 0.02).map { ($0 * 100).rounded() / 100 }
  /// WSD cooldown shapes.
  public var cooldownShapes: [String] = ["linear", "cosine", "sqrt", "square", "exponential"]
  /// UBA phi values.
  public var phis: [Double] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 8]
  /// Final ratios of cosine, REX and linear (a finer grid).
  public var fineRatios: [Double] = stride(from: 0.0, through: 0.3, by: 0.0025).map { ($0 * 10000).rounded() / 10000 }

  public init(budget: Int, peak: Double, warmupSteps: Int) {
    self.budget = budget
    self.peak = peak
    self.warmupSteps = warmupSteps
  }
}

/// The outcome of a parametric search.
public struct SearchResult: Sendable {
  public var best: SearchCandidate
  /// The best of each family searched.
  public var bestPerFamily: [SearchCandidate]
  public var evaluated: Int
  public var seconds: Double
  public var candidatesPerSecond: Double { seconds > 0 ? Double(evaluated) / seconds : 0 }
}

/// The outcome of a free-form search.
public struct FreeFormResult: Sendable {
  /// Per-step LRs (warmup included).
  public var rates: [Double]
  public var finalLoss: Double
  public var iterations: Int
  /// A spec playing the schedule: a linear warmup and a `table`.
  public var spec: String
}

public enum ScheduleSearch {
  /// Every candidate of the families in `options`, in the order that
  /// breaks ties (the first of the lowest loss wins). O(candidates); no
  /// spec text is built.
  public static func candidates(_ options: SearchOptions) -> [SearchCandidate] {
    var out: [SearchCandidate] = []
    let frame = options.frame
    let decayLength = options.budget - options.warmupSteps
    func add(_ family: ScheduleFamily, _ parameters: [(name: String, value: Double)], shape: String? = nil,
             _ schedule: CandidateSchedule) {
      out.append(SearchCandidate(family: family.rawValue, parameters: parameters, shape: shape, finalLoss: .nan,
                                 schedule: schedule, frame: frame))
    }
    for family in options.families {
      switch family {
      case .cosine, .rex, .linear:
        for r in options.fineRatios {
          add(family, [("final_ratio", r)], CandidateSchedule(shape: family.rawValue, to: r, stableSteps: 0))
        }
      case .uba:
        for phi in options.phis {
          for r in options.finalRatios {
            add(.uba, [("phi", phi), ("final_ratio", r)], CandidateSchedule(shape: "uba", phi: phi, to: r, stableSteps: 0))
          }
        }
      case .wsd:
        for f in options.decayFractions {
          let decaySteps = Int((f * Double(decayLength)).rounded())
          let stable = decayLength - decaySteps
          guard decaySteps >= 1, stable >= 0 else { continue }
          for shape in options.cooldownShapes {
            for r in options.finalRatios {
              if shape == "exponential" && r <= 0 { continue }
              add(.wsd, [("decay_fraction", f), ("final_ratio", r)], shape: shape,
                  CandidateSchedule(shape: shape, to: r, stableSteps: stable))
            }
          }
        }
      }
    }
    return out
  }

  static func check(_ options: SearchOptions) throws(LawError) {
    guard options.budget >= 2, options.budget <= 1 << 28 else {
      throw .argument("budget must be in [2, 2^28], got \(options.budget)")
    }
    guard options.peak.isFinite, options.peak > 0 else { throw .argument("peak must be finite and > 0, got \(options.peak)") }
    guard options.warmupSteps >= 0, options.warmupSteps < options.budget - 1 else {
      throw .argument("warmup must be in [0, budget - 1), got \(options.warmupSteps)")
    }
    guard !options.families.isEmpty else { throw .argument("no schedule family to search") }
  }

  /// Evaluates every candidate of the families and returns the lowest
  /// predicted final loss (at step budget - 1). `progress(done, total)` is
  /// called now and then, from one thread at a time (a worker's).
  ///
  /// The candidates run on `engine`'s workers (nil: a shared engine with a
  /// worker per CPU), four or eight per SIMD vector (``SearchKernel``), in a fixed
  /// split into parts: every candidate's loss, and so the winner (the
  /// first candidate in ``candidates(_:)`` order with the lowest loss), is
  /// the same bit for bit whatever the thread count.
  ///
  /// - Complexity: O(candidates x budget), each candidate's final loss
  ///   exact (the law's definition at the last step); memory
  ///   O(workers x (lanes + 1) x budget) for the per-part rates, and
  ///   O(candidates) for the candidates (no spec text but the winners').
  public static func search(_ law: LossLaw, options: SearchOptions, engine: BatchEngine? = nil,
                            progress: ((Int, Int) -> Void)? = nil) throws(LawError) -> SearchResult {
    try check(options)
    var all = candidates(options)
    guard !all.isEmpty else { throw .argument("the grids give no candidate") }
    let clock = ContinuousClock()
    let start = clock.now
    let reference: Schedule
    do throws(SpecError) {
      reference = try Schedule.parse(all[0].schedule.document(options.frame))
    } catch {
      throw .spec(error)
    }
    let kernel = SearchKernel(law: law, count: options.budget, warmupSteps: options.warmupSteps,
                              reference: reference.values(from: 0, count: options.budget))
    let evaluation = CandidateEvaluation(kernel: kernel, frame: options.frame, schedules: all.map(\.schedule))
    let losses = try evaluation.run(on: engine ?? sharedEngine, progress: progress)
    for i in all.indices { all[i].finalLoss = losses[i] }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    var bestPerFamily: [SearchCandidate] = []
    for family in options.families {
      var best: SearchCandidate?
      for c in all where c.family == family.rawValue && c.finalLoss.isFinite {
        if let b = best, b.finalLoss <= c.finalLoss { continue }
        best = c  // the first of the lowest, in candidate order
      }
      if let best { bestPerFamily.append(best) }
    }
    var best: SearchCandidate?
    for c in bestPerFamily {
      if let b = best, b.finalLoss <= c.finalLoss { continue }
      best = c
    }
    guard let best else {
      throw .numeric("no candidate has a finite predicted loss", reached: nil)
    }
    return SearchResult(best: best, bestPerFamily: bestPerFamily, evaluated: all.count, seconds: seconds)
  }

  /// The engine of searches given none: a worker per CPU, started on first
  /// use (nil where it cannot start: the search then runs on the caller's
  /// thread).
  static let sharedEngine: BatchEngine? = try? BatchEngine()

  /// The predicted final loss of one spec over the options' budget.
  public static func finalLoss(_ law: LossLaw, spec: String, options: SearchOptions) throws(LawError) -> Double {
    let seq = try LRSequence(spec: spec, count: options.budget, warmupSteps: options.warmupSteps)
    return law.finalLoss(rates: seq.rates, warmupSteps: options.warmupSteps)
  }

  /// Free-form search (as the multi-power study does): after the fixed
  /// linear warmup, eta_t = peak - sum_{s<=t} delta_s with delta >= 0 (so
  /// the schedule is non-increasing, starts at the peak, stays >= minRatio *
  /// peak), minimising the predicted final loss by projected Adam on delta
  /// with the exact O(T) gradient. Starts from `start` (per-step rates)
  /// or a constant schedule.
  public static func freeForm(_ law: LossLaw, options: SearchOptions, iterations: Int = 2000,
                              minRatio: Double = 1e-6, learningRate: Double? = nil, start: [Double]? = nil,
                              progress: ((Int, Int) -> Void)? = nil) throws(LawError) -> FreeFormResult {
    try check(options)
    guard iterations >= 0 else { throw .argument("iterations must be >= 0") }
    guard minRatio >= 0, minRatio < 1 else { throw .argument("min ratio must be in [0, 1), got \(minRatio)") }
    let T = options.budget, W = options.warmupSteps, peak = options.peak
    let floor = Swift.max(minRatio, 0) * peak
    var rates = [Double](repeating: peak, count: T)
    if W >= 2 { for i in 0..<W { rates[i] = peak * Double(i) / Double(W - 1) } }
    // delta over steps W ..< T (delta at W is the drop from the peak).
    var delta = [Double](repeating: 0, count: T - W)
    if let start {
      guard start.count == T else { throw .argument("the start schedule has \(start.count) steps, the budget is \(T)") }
      var previous = peak
      for t in W..<T {
        let v = Swift.min(Swift.max(start[t], floor), previous)
        delta[t - W] = previous - v
        previous = v
      }
    }
    func play() {
      var v = peak
      for t in W..<T {
        v -= delta[t - W]
        rates[t] = Swift.max(v, floor)
      }
    }
    play()
    let lr = learningRate ?? peak * 5e-9 / 3e-4
    var m = [Double](repeating: 0, count: T - W)
    var s = m
    var grad = [Double](repeating: 0, count: T)
    var best = law.finalLoss(rates: rates, warmupSteps: W)
    guard best.isFinite else { throw .numeric("the starting schedule has a non-finite predicted loss", reached: nil) }
    var bestRates = rates
    let (b1, b2, eps) = (0.9, 0.999, 1e-30)
    var done = 0
    for it in 1...Swift.max(iterations, 1) where iterations > 0 {
      done = it
      let loss = grad.withUnsafeMutableBufferPointer { law.finalLoss(rates: rates, warmupSteps: W, gradient: $0) }
      guard loss.isFinite else { break }
      if loss < best { best = loss; bestRates = rates }
      // dL/d delta_s = -sum_{t >= s} dL/d eta_t.
      var suffix = 0.0
      let c1 = 1 - _pow(b1, Double(it)), c2 = 1 - _pow(b2, Double(it))
      for t in stride(from: T - 1, through: W, by: -1) {
        suffix += grad[t]
        let g = -suffix
        let i = t - W
        m[i] = b1 * m[i] + (1 - b1) * g
        s[i] = b2 * s[i] + (1 - b2) * g * g
        delta[i] -= lr * (m[i] / c1) / ((s[i] / c2).squareRoot() + eps)
      }
      // Projection: delta in [0, peak], and no step below the floor.
      var v = peak
      for i in 0..<delta.count {
        delta[i] = Swift.min(Swift.max(delta[i], 0), peak)
        if v - delta[i] < floor { delta[i] = Swift.max(0, v - floor) }
        v -= delta[i]
      }
      play()
      if let progress, it % 50 == 0 || it == iterations { progress(it, iterations) }
    }
    let final = law.finalLoss(rates: rates, warmupSteps: W)
    if final < best { best = final; bestRates = rates }
    // Spec: the warmup phases and a table of multipliers.
    var phases = CandidateSchedule.warmupPhases(W)
    phases.append(.object([("shape", .string("table")), ("values", .array(bestRates[W...].map { .number($0 / peak, text: "") }))]))
    let spec = JSONWriter.render(CandidateSchedule.document(options.frame, phases: phases))
    return FreeFormResult(rates: bestRates, finalLoss: best, iterations: done, spec: spec)
  }
}
