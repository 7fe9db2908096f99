//===--- GaussianProcess+Hyperparameters.swift ----------------------------===//
// Hyper-parameters by maximising the log marginal likelihood.
//===----------------------------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension GaussianProcess {
  /// Fits the hyper-parameters to the observations by maximising the log
  /// marginal likelihood, then conditions on them.
  ///
  /// The signal variance is profiled out: for a correlation matrix R and
  /// relative noise g, K = σ_f² (R + g I) and the likelihood's maximiser is
  /// σ_f² = yᵀ(R + g I)⁻¹y / n in closed form (clamped to its range). The
  /// remaining two parameters (log ℓ, log g) are searched on a 13 x 10 grid
  /// over ℓ in [0.01, 100] and g in [1e-8, 10], then refined by a compass
  /// search that halves its step five times. Deterministic: the same data
  /// give the same bits.
  ///
  /// Nil only when no hyper-parameters give a positive-definite covariance
  /// (never for finite, distinct inputs).
  ///
  /// - Complexity: about 150 likelihood evaluations of O(n^3) each.
  static func fitted(inputs: [Double], outputs: [Double]) -> GaussianProcess? {
    guard !inputs.isEmpty, inputs.count == outputs.count,
      inputs.allSatisfy(\.isFinite), outputs.allSatisfy(\.isFinite)
    else { return nil }
    let (mean, scale) = standardisation(outputs)
    let y = outputs.map { ($0 - mean) / scale }
    let n = Double(y.count)

    /// The profiled likelihood at (log ℓ, log g) and the hyper-parameters it used.
    func profile(_ logLength: Double, _ logRelativeNoise: Double) -> (value: Double, hyper: GPHyperparameters)? {
      let unit = GPHyperparameters(amplitude: 1, lengthScale: exp(logLength), noise: exp(logRelativeNoise))
      guard let factor = Cholesky(matrix: MaternKernel.covariance(inputs, unit), order: inputs.count) else { return nil }
      let quadratic = factor.inverseQuadraticForm(y)
      let amplitude = min(max(quadratic / n, GPHyperparameters.amplitudeRange.lowerBound),
                          GPHyperparameters.amplitudeRange.upperBound)
      let value = -0.5 * quadratic / amplitude - 0.5 * n * log(amplitude) - 0.5 * factor.logDeterminant
        - 0.5 * n * log(2 * Double.pi)
      let noise = min(max(unit.noise * amplitude, GPHyperparameters.noiseRange.lowerBound),
                      GPHyperparameters.noiseRange.upperBound)
      guard value.isFinite else { return nil }
      return (value, GPHyperparameters(amplitude: amplitude, lengthScale: unit.lengthScale, noise: noise))
    }

    let lengthBounds = (log(GPHyperparameters.lengthScaleRange.lowerBound), log(GPHyperparameters.lengthScaleRange.upperBound))
    let noiseBounds = (log(1e-8), log(10.0))
    let lengthCount = 13, noiseCount = 10
    let lengthStep = (lengthBounds.1 - lengthBounds.0) / Double(lengthCount - 1)
    let noiseStep = (noiseBounds.1 - noiseBounds.0) / Double(noiseCount - 1)
    var best: (point: (Double, Double), value: Double, hyper: GPHyperparameters)?
    for i in 0..<lengthCount {
      for j in 0..<noiseCount {
        let point = (lengthBounds.0 + Double(i) * lengthStep, noiseBounds.0 + Double(j) * noiseStep)
        if let p = profile(point.0, point.1), p.value > (best?.value ?? -.infinity) {
          best = (point, p.value, p.hyper)
        }
      }
    }
    guard var current = best else { return nil }
    var steps = (lengthStep / 2, noiseStep / 2)
    for _ in 0..<5 {
      var moved = true
      var rounds = 0
      while moved, rounds < 4 {
        moved = false
        rounds += 1
        let candidates = [(current.point.0 + steps.0, current.point.1), (current.point.0 - steps.0, current.point.1),
                          (current.point.0, current.point.1 + steps.1), (current.point.0, current.point.1 - steps.1)]
        for c in candidates where c.0 >= lengthBounds.0 && c.0 <= lengthBounds.1 && c.1 >= noiseBounds.0 && c.1 <= noiseBounds.1 {
          if let p = profile(c.0, c.1), p.value > current.value {
            current = (c, p.value, p.hyper)
            moved = true
          }
        }
      }
      steps = (steps.0 / 2, steps.1 / 2)
    }
    return GaussianProcess(inputs: inputs, standardised: y, mean: mean, scale: scale, hyper: current.hyper)
  }
}
