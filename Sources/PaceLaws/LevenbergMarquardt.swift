//===--- LevenbergMarquardt.swift -----------------------------------------===//
// Huber-loss Levenberg-Marquardt (IRLS weights), normal equations solved
// with LAPACKE_dposv.
//===----------------------------------------------------------------------===//
import _CLAPACKE

/// The outcome of one Levenberg-Marquardt run.
struct LMResult {
  var phi: [Double]
  var objective: Double
  var iterations: Int
  var converged: Bool
}

/// Minimises sum_i huber_delta(log pred_i(phi) - log obs_i) by
/// Levenberg-Marquardt on the IRLS-weighted Gauss-Newton model.
struct HuberLM {
  var delta = 1e-3
  var maxIterations = 300
  /// Converged when an accepted step lowers the objective by less than this
  /// (relative) and moves no parameter by more than `stepTolerance`.
  var tolerance = 1e-10
  var stepTolerance = 1e-7

  let logObserved: [Double]
  let parameterCount: Int
  /// pred and, when asked, d pred / d phi (n x p, row-major); nil when the
  /// parameters are outside the model's domain.
  let evaluate: ([Double], Bool) -> (pred: [Double], jacobian: [Double])?

  func huber(_ r: Double) -> Double {
    let a = Swift.abs(r)
    return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta)
  }

  /// Objective and residuals (log pred - log obs), or nil if any prediction
  /// is not finite and positive.
  func objective(_ pred: [Double]) -> (Double, [Double])? {
    var total = 0.0
    var r = [Double](repeating: 0, count: pred.count)
    for i in 0..<pred.count {
      let p = pred[i]
      guard p.isFinite, p > 0 else { return nil }
      r[i] = _log(p) - logObserved[i]
      total += huber(r[i])
    }
    return (total, r)
  }

  func run(from start: [Double]) -> LMResult? {
    let p = parameterCount
    let n = logObserved.count
    var phi = start
    guard var current = evaluate(phi, true), var (obj, r) = objective(current.pred) else { return nil }
    var mu = 1e-3
    var iterations = 0
    var converged = false
    var A = [Double](repeating: 0, count: p * p)
    var g = [Double](repeating: 0, count: p)
    var row = [Double](repeating: 0, count: p)
    while iterations < maxIterations {
      iterations += 1
      // Normal equations of the weighted, log-space Gauss-Newton model.
      for k in 0..<(p * p) { A[k] = 0 }
      for k in 0..<p { g[k] = 0 }
      for i in 0..<n {
        let a = Swift.abs(r[i])
        let w = a <= delta ? 1 : delta / a
        let inv = 1 / current.pred[i]
        for k in 0..<p { row[k] = current.jacobian[i * p + k] * inv }
        for k in 0..<p {
          let wk = w * row[k]
          g[k] += wk * r[i]
          for l in k..<p { A[k * p + l] += wk * row[l] }
        }
      }
      var maxDiag = 0.0
      for k in 0..<p { maxDiag = Swift.max(maxDiag, A[k * p + k]) }
      guard maxDiag.isFinite, maxDiag > 0 else { break }
      var accepted = false
      var tries = 0
      while !accepted, mu < 1e20, tries < 40 {
        tries += 1
        var M = A
        for k in 0..<p {
          M[k * p + k] += mu * Swift.max(A[k * p + k], 1e-12 * maxDiag)
          for l in 0..<k { M[k * p + l] = M[l * p + k] }
        }
        var step = g.map { -$0 }
        let info = M.withUnsafeMutableBufferPointer { m in
          step.withUnsafeMutableBufferPointer { b in
            LAPACKE_dposv(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "U")), pace_lapack_int(p), 1,
                          m.baseAddress, pace_lapack_int(p), b.baseAddress, 1)
          }
        }
        guard info == 0, step.allSatisfy({ $0.isFinite }) else {
          mu *= 10
          continue
        }
        let trial = zip(phi, step).map { $0 + $1 }
        // Trial with its Jacobian: accepted steps (the common case) need no second evaluation.
        if let full = evaluate(trial, true), let (newObj, res) = objective(full.pred), newObj < obj {
          let decrease = (obj - newObj) / Swift.max(obj, 1e-300)
          let moved = step.map { Swift.abs($0) }.max() ?? 0
          phi = trial
          current = full
          obj = newObj
          r = res
          accepted = true
          mu = Swift.max(mu / 3, 1e-12)
          if decrease < tolerance && moved < stepTolerance * 10 || decrease < tolerance * 1e-3 {
            converged = true
          }
        } else {
          mu *= 4
        }
      }
      if !accepted {
        // No descent at any damping: a stationary point to working precision.
        converged = true
      }
      if converged { break }
    }
    return LMResult(phi: phi, objective: obj, iterations: iterations, converged: converged)
  }
}
