//===--- LawFit.swift -----------------------------------------------------===//
// Fitting a law to observed curves: the references' multi-start recipes,
// solved by Huber Levenberg-Marquardt.
//===----------------------------------------------------------------------===//
/// How the law's parameters are solved for.
public enum FitMethod: String, Sendable, CaseIterable {
  /// Huber Levenberg-Marquardt (IRLS weights, LAPACKE_dposv) from the
  /// multi-start grid, run to convergence: the minimiser of the objective.
  case levenbergMarquardt = "lm"
  /// The multi-power law study's recipe: the surrogate grid, then AdamW
  /// (lr 5e-2 on L0, A, B, C and 5e-3 on alpha, beta, gamma, weight decay
  /// 0.01) for at most 200 steps with patience 20, keeping the best step.
  /// An early-stopped point, not a minimiser; it is how the study's
  /// published parameters were obtained. multi_power only.
  case adam
}

/// Options of a fit. Defaults follow the references (algorithms.md §6),
/// except where cross-validation on held-out curves chose otherwise
/// (`method`, `warmup`, `fitLambda`: Benchmarks/laws/results.md).
public struct FitOptions: Sendable {
  /// Levenberg-Marquardt or the study's AdamW recipe; nil (default): the
  /// law's cross-validated default, `LawKind.defaultFitMethod` (adam for
  /// multi_power, falling back to Levenberg-Marquardt when the recipe
  /// leaves the law's domain; Levenberg-Marquardt for annealing).
  public var method: FitMethod? = nil
  /// Huber threshold on log residuals (> 0); nil (default): the law's
  /// cross-validated default, `LawKind.defaultHuberDelta`.
  public var huberDelta: Double? = nil
  /// Iterations per Levenberg-Marquardt run.
  public var maxIterations = 300
  /// Relative objective decrease below which a run has converged.
  public var tolerance = 1e-10
  /// Annealing law: fit lambda too (else it stays at `lambda`). Default
  /// true: cross-validated on the 25M curves it predicts unseen curves
  /// better (Benchmarks/laws/results.md, "Cross-validated choice"). When the
  /// curves do not determine lambda (the lambda-free solve does not converge
  /// from the fixed-lambda optimum), the fit keeps lambda at `lambda`.
  public var fitLambda = true
  /// Annealing law: lambda when not fitted, the start when fitted.
  public var lambda = 0.999
  /// Warmup convention; nil (default): the law's cross-validated default,
  /// `LawKind.defaultFitWarmup` (`.sum` for both laws). Cross-validated on
  /// the 25M curves it predicts unseen curves best; the annealing law's own
  /// convention (`.peak`) half as well (Benchmarks/laws/results.md,
  /// "Cross-validated choice").
  public var warmup: WarmupMode? = nil
  /// Start from these parameters only, instead of the multi-start grid
  /// (same kind as the fit; its lambda is the start when fitting lambda):
  /// Levenberg-Marquardt from them, whatever `method` (the report says so).
  public var initial: LossLaw? = nil

  public init() {}
}

/// What a fit reached.
public struct FitReport: Sendable {
  /// Sum of Huber losses of the log residuals at the optimum.
  public var objective: Double
  /// Metrics on all fitted points pooled.
  public var metrics: LawMetrics
  /// Metrics per curve, in input order.
  public var perCurve: [LawMetrics]
  public var points: Int
  public var curves: Int
  /// Levenberg-Marquardt runs (starts) and their iterations in total.
  public var starts: Int
  public var iterations: Int
  public var converged: Bool
  /// The method and warmup convention the fit used (nil in a report saved
  /// by a library that did not record them).
  public var method: FitMethod?
  public var warmup: WarmupMode?

  public init(objective: Double, metrics: LawMetrics, perCurve: [LawMetrics], points: Int, curves: Int,
              starts: Int, iterations: Int, converged: Bool, method: FitMethod? = nil, warmup: WarmupMode? = nil) {
    self.objective = objective
    self.metrics = metrics
    self.perCurve = perCurve
    self.points = points
    self.curves = curves
    self.starts = starts
    self.iterations = iterations
    self.converged = converged
    self.method = method
    self.warmup = warmup
  }
}

/// A fitted law and its report.
public struct FittedLaw: Sendable {
  public var law: LossLaw
  public var report: FitReport
}

/// The model being fitted: the law's parameters through an unconstrained
/// vector phi (logs of the positive parameters).
private struct FitModel {
  enum Form { case surrogate, multiPower, annealing(fitLambda: Bool, lambda: Double) }
  let form: Form
  let curves: [PreparedCurve]
  let chains: Int
  /// S2 per curve when lambda is fixed.
  let fixedS2: [[Double]]

  init(form: Form, curves: [PreparedCurve], chains: Int) {
    self.form = form
    self.curves = curves
    self.chains = chains
    if case .annealing(false, let lambda) = form {
      fixedS2 = curves.map { $0.annealingArea(lambda: lambda, derivative: false).s2 }
    } else {
      fixedS2 = []
    }
  }

  var parameterCount: Int {
    switch form {
    case .surrogate: return 4
    case .multiPower: return 7
    case .annealing(let fitLambda, _): return fitLambda ? 5 : 4
    }
  }

  /// phi: surrogate [L0, lnA, lnalpha, lnB]; multi-power [L0, lnA, lnalpha, lnB, lnC, lnbeta, gamma];
  /// annealing [L0, lnA, lnalpha, C, logit lambda?].
  func law(_ phi: [Double]) -> [Double] {
    switch form {
    case .surrogate: return [phi[0], _exp(phi[1]), _exp(phi[2]), _exp(phi[3])]
    case .multiPower:
      return [phi[0], _exp(phi[1]), _exp(phi[2]), _exp(phi[3]), _exp(phi[4]), _exp(phi[5]), phi[6]]
    case .annealing(let fitLambda, let lambda):
      let l = fitLambda ? 1 / (1 + _exp(-phi[4])) : lambda
      return [phi[0], _exp(phi[1]), _exp(phi[2]), phi[3], l]
    }
  }

  func evaluate(_ phi: [Double], _ jacobian: Bool) -> (pred: [Double], jacobian: [Double])? {
    let p = parameterCount
    let th = law(phi)
    for v in th where !v.isFinite { return nil }
    var pred: [Double] = []
    var jac: [Double] = []
    let total = curves.reduce(0) { $0 + $1.steps.count }
    pred.reserveCapacity(total)
    if jacobian { jac.reserveCapacity(total * p) }
    for (ci, curve) in curves.enumerated() {
      let n = curve.steps.count
      var power = [Double](repeating: 0, count: n)
      for i in 0..<n { power[i] = th[1] * _exp(-th[2] * curve.logS1[i]) }
      switch form {
      case .surrogate:
        for i in 0..<n {
          pred.append(th[0] + power[i] - th[3] * curve.totalDrop[i])
          if jacobian {
            jac.append(1)
            jac.append(power[i])
            jac.append(-th[2] * curve.logS1[i] * power[i])
            jac.append(-th[3] * curve.totalDrop[i])
          }
        }
      case .multiPower:
        let (ld, d) = curve.evaluator.evaluate(at: curve.steps, C: th[4], beta: th[5], gamma: th[6],
                                               derivatives: jacobian, chains: chains)
        for i in 0..<n {
          pred.append(th[0] + power[i] - th[3] * ld[i])
          if jacobian, let d {
            jac.append(1)
            jac.append(power[i])
            jac.append(-th[2] * curve.logS1[i] * power[i])
            jac.append(-th[3] * ld[i])
            jac.append(-th[3] * th[4] * d.dC[i])
            jac.append(-th[3] * th[5] * d.dBeta[i])
            jac.append(-th[3] * d.dGamma[i])
          }
        }
      case .annealing(let fitLambda, _):
        let (s2, ds2) = fitLambda ? curve.annealingArea(lambda: th[4], derivative: jacobian) : (fixedS2[ci], [])
        for i in 0..<n {
          pred.append(th[0] + power[i] - th[3] * s2[i])
          if jacobian {
            jac.append(1)
            jac.append(power[i])
            jac.append(-th[2] * curve.logS1[i] * power[i])
            jac.append(-s2[i])
            if fitLambda { jac.append(-th[3] * ds2[i] * th[4] * (1 - th[4])) }
          }
        }
      }
    }
    if jacobian && jac.count != pred.count * p { return nil }
    return (pred, jac)
  }
}

/// The study's AdamW recipe on raw parameters; returns the best step's
/// parameters, its objective, the steps taken, and whether it stopped
/// because a step left the law's domain (a positive parameter <= 0, or a
/// non-finite or non-positive prediction) instead of by its own rules
/// (patience, step cap, small gradient).
private func adamRecipe(model: FitModel, logObserved: [Double], start: [Double], delta: Double)
  -> (theta: [Double], objective: Double, steps: Int, leftDomain: Bool) {
  let p = 7
  var theta = start
  var m = [Double](repeating: 0, count: p)
  var v = [Double](repeating: 0, count: p)
  let rates: [Double] = [5e-2, 5e-2, 5e-3, 5e-2, 5e-2, 5e-3, 5e-3]
  let (b1, b2, eps, decay) = (0.9, 0.999, 1e-8, 0.01)
  var best = Double.infinity
  var bestTheta = theta
  var wait = 0
  var steps = 0
  var leftDomain = false
  for step in 1...200 {
    steps = step
    guard theta[1] > 0, theta[2] > 0, theta[3] > 0, theta[4] > 0, theta[5] > 0 else { leftDomain = true; break }
    let phi = [theta[0], _log(theta[1]), _log(theta[2]), _log(theta[3]), _log(theta[4]), _log(theta[5]), theta[6]]
    guard let e = model.evaluate(phi, true) else { leftDomain = true; break }
    var objective = 0.0
    var grad = [Double](repeating: 0, count: p)
    var finite = true
    for i in 0..<logObserved.count {
      let pr = e.pred[i]
      guard pr > 0, pr.isFinite else { finite = false; break }
      let r = _log(pr) - logObserved[i]
      let a = Swift.abs(r)
      objective += a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta)
      let dr = (a <= delta ? r : delta * (r > 0 ? 1 : -1)) / pr
      for k in 0..<p { grad[k] += dr * e.jacobian[i * p + k] }
    }
    guard finite else { leftDomain = true; break }
    // d/dtheta from d/dphi (logs of the positive parameters).
    for k in [1, 2, 3, 4, 5] { grad[k] /= theta[k] }
    if objective < best {
      best = objective
      bestTheta = theta
      wait = 0
    } else {
      wait += 1
      if wait >= 20 { break }
    }
    let norm = grad.reduce(0) { $0 + $1 * $1 }.squareRoot()
    if norm < 1e-5 { break }
    // torch.optim.AdamW: decoupled weight decay, then the Adam step.
    let c1 = 1 - _pow(b1, Double(step)), c2 = 1 - _pow(b2, Double(step))
    for k in 0..<p {
      theta[k] *= 1 - rates[k] * decay
      m[k] = b1 * m[k] + (1 - b1) * grad[k]
      v[k] = b2 * v[k] + (1 - b2) * grad[k] * grad[k]
      theta[k] -= rates[k] * (m[k] / c1) / ((v[k] / c2).squareRoot() + eps)
    }
  }
  return (bestTheta, best, steps, leftDomain)
}

/// Fits the laws.
public enum LawFitter {
  /// Fits `kind` jointly to `curves`: Huber on log residuals (delta: the
  /// options', or the law's default 1e-2), from the reference's multi-start
  /// grid by Levenberg-Marquardt or the study's adam recipe (the options'
  /// method, or the law's default: LawFit+Defaults.swift), deterministic.
  ///
  /// multi_power: a grid of 5 x 3 x 3 x 3 starts for (L0, A, alpha, B) of the
  /// surrogate `L0 + A S1^-alpha - B (eta_peak - eta_t)` (L0 around the
  /// smallest loss, A and alpha from a log-log regression, B in {100, 550,
  /// 1000}), then the full law from the best surrogate fits with
  /// (C, beta, gamma) = (1, 0.5, 0.5) and two other starts.
  /// annealing: the 2 x 3 x 3 x 3 grid of Tissue et al. with lambda fixed,
  /// then lambda freed from the best when `options.fitLambda`.
  ///
  /// Throws `.argument` for bad curves or fewer points than parameters, and
  /// `.numeric` (with the best law reached) when no run converges.
  public static func fit(_ kind: LawKind, curves: [LossCurve], options: FitOptions = FitOptions()) throws(LawError) -> FittedLaw {
    try LAPACKE.require("LawFitter.fit")
    guard !curves.isEmpty else { throw .argument("no curves to fit") }
    let huberDelta = options.resolvedHuberDelta(for: kind)
    guard huberDelta > 0, huberDelta.isFinite else {
      throw .argument("huber delta must be finite and > 0, got \(huberDelta)")
    }
    guard options.maxIterations >= 1 else { throw .argument("max iterations must be >= 1") }
    // With `initial`, Levenberg-Marquardt refines it whatever the method.
    var method = options.initial == nil ? options.resolvedMethod(for: kind) : .levenbergMarquardt
    guard options.resolvedMethod(for: kind) == .levenbergMarquardt || kind == .multiPower else {
      throw .argument("the adam recipe is the multi-power law study's; fit annealing with lm")
    }
    guard options.lambda > 0, options.lambda < 1 else {
      throw .argument("lambda must be in (0, 1), got \(options.lambda)")
    }
    let warmup = options.resolvedWarmup(for: kind)
    // Solve in normalised LR units (largest peak 3e-4, the grids' units); map back at the end.
    let units = FitUnits(curves: curves)
    var prepared: [PreparedCurve] = []
    for c in curves {
      prepared.append(try PreparedCurve(sequence: units.normalised(c.sequence), steps: c.steps, warmup: warmup))
    }
    let logObs = curves.flatMap { $0.losses.map { _log($0) } }
    let points = logObs.count
    let needed = kind == .multiPower ? 7 : (options.fitLambda ? 5 : 4)
    guard points >= needed else {
      throw .argument("\(kind.rawValue) has \(needed) parameters to fit but the curves have \(points) points")
    }
    func run(_ model: FitModel, _ starts: [[Double]], maxIterations: Int) -> (best: LMResult?, all: [LMResult], iterations: Int) {
      var lm = HuberLM(delta: huberDelta, maxIterations: maxIterations, tolerance: options.tolerance,
                       logObserved: logObs, parameterCount: model.parameterCount, evaluate: model.evaluate)
      lm.stepTolerance = 1e-7
      let solver = lm
      var best: LMResult?
      var all: [LMResult] = []
      var iterations = 0
      // The starts are independent: run them on the workers, combine in start order.
      for result in FitWorkers.map(starts.count, { solver.run(from: starts[$0]) }) {
        guard let r = result, r.objective.isFinite else { continue }
        iterations += r.iterations
        all.append(r)
        if best == nil || r.objective < best!.objective { best = r }
      }
      return (best, all, iterations)
    }

    var starts = 0
    var iterations = 0
    var final: LMResult?
    var law: [Double] = []
    if let initial = options.initial {
      guard initial.kind == kind else {
        throw .argument("the initial law is \(initial.kind.rawValue), the fit is \(kind.rawValue)")
      }
      let p = units.normalised(initial.parameters, kind: kind)
      let model: FitModel
      let phi: [Double]
      switch kind {
      case .multiPower:
        model = FitModel(form: .multiPower, curves: prepared, chains: 2)
        phi = [p[0], _log(p[1]), _log(p[2]), _log(p[3]), _log(p[4]), _log(p[5]), p[6]]
      case .annealing:
        model = FitModel(form: .annealing(fitLambda: options.fitLambda, lambda: p[4]), curves: prepared, chains: 3)
        phi = [p[0], _log(Swift.max(p[1], 1e-300)), _log(Swift.max(p[2], 1e-300)), p[3]]
          + (options.fitLambda ? [_log(p[4] / (1 - p[4]))] : [])
      }
      let (best, _, it) = run(model, [phi], maxIterations: options.maxIterations)
      starts = 1
      iterations = it
      final = best
      if let best { law = model.law(best.phi) }
    } else {
    switch kind {
    case .multiPower:
      // 1. Surrogate grid (reference recipe).
      let surrogate = FitModel(form: .surrogate, curves: prepared, chains: 2)
      let minLoss = curves.flatMap(\.losses).min()!
      var sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0, m = 0.0
      for (c, pc) in zip(curves, prepared) {
        for (i, l) in c.losses.enumerated() {
          let x = pc.logS1[i]
          let y = _log(l - minLoss + 0.01)
          sx += x; sy += y; sxx += x * x; sxy += x * y; m += 1
        }
      }
      let den = m * sxx - sx * sx
      let slope = den > 0 ? (m * sxy - sx * sy) / den : -0.5
      let intercept = (sy - slope * sx) / m
      var grid: [[Double]] = []
      for l0 in stride(from: -0.2, through: 0.2001, by: 0.1) {
        for da in [-0.1, 0, 0.1] {
          for dal in [-0.1, 0, 0.1] {
            for b in [100.0, 550, 1000] {
              let a = Swift.max(_exp(intercept) + da, 1e-3)
              let alpha = Swift.max(-slope + dal, 1e-2)
              grid.append([minLoss + l0, _log(a), _log(alpha), _log(b)])
            }
          }
        }
      }
      let (_, sAll, sIter) = run(surrogate, grid, maxIterations: 100)
      starts += grid.count
      iterations += sIter
      guard !sAll.isEmpty else {
        throw .numeric("multi_power: no surrogate start gave finite positive predictions", reached: nil)
      }
      let ranked = sAll.sorted { $0.objective < $1.objective }
      if method == .adam {
        let model = FitModel(form: .multiPower, curves: prepared, chains: 2)
        let s0 = ranked[0].phi
        let theta0 = [s0[0], _exp(s0[1]), _exp(s0[2]), _exp(s0[3]), 1, 0.5, 0.5]
        let (theta, objective, steps, leftDomain) = adamRecipe(model: model, logObserved: logObs, start: theta0,
                                                               delta: huberDelta)
        starts += 1
        iterations += steps
        // The default (method nil): a recipe that left the law's domain did not run to its
        // early stop (curves far from the study's regime, e.g. an SGD run whose loss falls
        // to 0.05): its point is the start, not a fit. Levenberg-Marquardt fits instead.
        if !(leftDomain && options.method == nil) {
          final = LMResult(phi: [], objective: objective, iterations: steps, converged: objective.isFinite)
          law = theta
          break
        }
        method = .levenbergMarquardt
      }
      // 2. Full law from the best distinct surrogate optima.
      var seeds: [[Double]] = []
      for r in ranked where seeds.count < 2 {
        if !seeds.contains(where: { zip($0, r.phi).allSatisfy { Swift.abs($0 - $1) < 1e-3 } }) { seeds.append(r.phi) }
      }
      var fullStarts: [[Double]] = []
      for s in seeds {
        for (c, b, g) in [(1.0, 0.5, 0.5), (2.0, 0.6, 0.6), (0.5, 0.4, 0.8)] {
          fullStarts.append(s + [_log(c), _log(b), g])
        }
      }
      let model = FitModel(form: .multiPower, curves: prepared, chains: 2)
      // Screen every start briefly, then run the best one to convergence.
      let (_, screened, sIter2) = run(model, fullStarts, maxIterations: Swift.min(8, options.maxIterations))
      starts += fullStarts.count
      iterations += sIter2
      if let lead = screened.min(by: { $0.objective < $1.objective }) {
        if lead.converged {
          final = lead
        } else {
          let (best, _, fIter) = run(model, [lead.phi], maxIterations: options.maxIterations)
          iterations += fIter
          final = best
        }
      }
      if let final { law = model.law(final.phi) }
    case .annealing:
      let model = FitModel(form: .annealing(fitLambda: false, lambda: options.lambda), curves: prepared, chains: 3)
      var grid: [[Double]] = []
      for l0 in [0.1, 2.1] {
        for a in [1.0, 11.5, 22] {
          for c in [1.0, 11.5, 22] {
            for alpha in [0.0, 0.4, 0.8] { grid.append([l0, _log(a), _log(Swift.max(alpha, 0.01)), c]) }
          }
        }
      }
      let (best, _, gIter) = run(model, grid, maxIterations: options.maxIterations)
      starts += grid.count
      iterations += gIter
      final = best
      if let best { law = model.law(best.phi) }
      if options.fitLambda, let best {
        let free = FitModel(form: .annealing(fitLambda: true, lambda: options.lambda), curves: prepared, chains: 3)
        let l = options.lambda
        let (b2, _, i2) = run(free, [best.phi + [_log(l / (1 - l))]], maxIterations: options.maxIterations)
        starts += 1
        iterations += i2
        // Freeing lambda starts at the fixed-lambda optimum. On curves that do not
        // determine lambda (synthetic ones made at a fixed lambda, a few short
        // runs) it can drift along a flat valley (L0 -> -inf, alpha -> 0) without
        // converging: then the converged fixed-lambda fit stands, lambda at its start.
        // So does a solve whose lambda rounds to 0 or 1 (the logit ran off to +-infinity).
        if let b2, b2.converged || !best.converged {
          let freed = free.law(b2.phi)
          if freed[4] > 0 && freed[4] < 1 || !best.converged {
            final = b2
            law = freed
          }
        }
      }
    }
    }
    guard let final, law.allSatisfy({ $0.isFinite }) else {
      throw .numeric("\(kind.rawValue): no start gave finite positive predictions", reached: nil)
    }
    law = units.original(law, kind: kind)
    let fitted: LossLaw
    do throws(LawError) {
      fitted = try LossLaw(kind: kind, parameters: law, warmup: warmup)
    } catch {
      let values = zip(kind.parameterNames, law).map { "\($0)=\($1)" }.joined(separator: " ")
      throw .numeric("\(kind.rawValue): the fit left the law's domain (\(error.description)); reached \(values) (objective \(final.objective))",
                     reached: nil)
    }
    // Report with the full-accuracy evaluation.
    var perCurve: [LawMetrics] = []
    var allObs: [Double] = []
    var allPred: [Double] = []
    for (c, normalisedCurve) in zip(curves, prepared) {
      let pc = units.scale == 1 ? normalisedCurve
        : try PreparedCurve(sequence: c.sequence, steps: c.steps, warmup: warmup)
      let pred = ModelEvaluation.predict(kind: kind, parameters: fitted.parameters, curve: pc)
      perCurve.append(LawMetrics(observed: c.losses, predicted: pred))
      allObs += c.losses
      allPred += pred
    }
    let report = FitReport(objective: final.objective, metrics: LawMetrics(observed: allObs, predicted: allPred),
                           perCurve: perCurve, points: points, curves: curves.count, starts: starts,
                           iterations: iterations, converged: final.converged, method: method, warmup: warmup)
    let result = FittedLaw(law: fitted, report: report)
    guard allPred.allSatisfy({ $0.isFinite }) else {
      throw .numeric("\(kind.rawValue): the fitted law predicts non-finite losses", reached: result)
    }
    guard final.converged else {
      throw .numeric("\(kind.rawValue): Levenberg-Marquardt did not converge in \(options.maxIterations) iterations",
                     reached: result)
    }
    return result
  }
}
