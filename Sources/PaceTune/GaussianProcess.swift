//===--- GaussianProcess.swift --------------------------------------------===//
// GP regression of forecast loss on normalised log LR: conditioning and the
// posterior.
//===----------------------------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A Gaussian process conditioned on observations (u_i, y_i), u in [0, 1].
///
/// As scikit-optimize's GP (the reference's model): the outputs are
/// standardised (mean 0, variance 1; a constant series keeps scale 1), the
/// prior is Matérn 5/2 times a constant plus white noise, and the posterior
/// variance is that of the latent function (the white noise excluded).
struct GaussianProcess {
  let inputs: [Double]
  let hyper: GPHyperparameters
  /// Mean and standard deviation used to standardise the outputs.
  let outputMean: Double
  let outputScale: Double
  /// Cholesky factor of K + σ_n² I.
  let factor: Cholesky
  /// (K + σ_n² I)⁻¹ y (standardised y).
  let weights: [Double]

  /// Conditions the prior `hyper` on the observations. Nil when the
  /// covariance is not numerically positive definite or an input is
  /// not finite.
  ///
  /// - Complexity: O(n^3).
  init?(inputs: [Double], outputs: [Double], hyper: GPHyperparameters) {
    guard !inputs.isEmpty, inputs.count == outputs.count else { return nil }
    let (mean, scale) = Self.standardisation(outputs)
    self.init(inputs: inputs, standardised: outputs.map { ($0 - mean) / scale }, mean: mean, scale: scale, hyper: hyper)
  }

  /// Conditions on outputs already standardised by `mean` and `scale`.
  init?(inputs: [Double], standardised y: [Double], mean: Double, scale: Double, hyper: GPHyperparameters) {
    guard let factor = Cholesky(matrix: MaternKernel.covariance(inputs, hyper), order: inputs.count) else { return nil }
    var w = y
    factor.solve(&w, columns: 1)
    guard w.allSatisfy(\.isFinite) else { return nil }
    self.inputs = inputs
    self.hyper = hyper
    self.outputMean = mean
    self.outputScale = scale
    self.factor = factor
    self.weights = w
  }

  /// Mean and standard deviation of `y` (scale 1 when y is constant).
  static func standardisation(_ y: [Double]) -> (mean: Double, scale: Double) {
    let n = Double(y.count)
    let mean = y.reduce(0, +) / n
    let variance = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
    let scale = variance.squareRoot()
    return (mean, scale > 0 && scale.isFinite ? scale : 1)
  }

  /// The log marginal likelihood of the standardised outputs,
  /// −½ yᵀ(K + σ_n² I)⁻¹y − ½ log det(K + σ_n² I) − (n/2) log 2π.
  func logMarginalLikelihood(standardised y: [Double]) -> Double {
    var fit = 0.0
    for i in 0..<y.count { fit += y[i] * weights[i] }
    return -0.5 * fit - 0.5 * factor.logDeterminant - 0.5 * Double(y.count) * log(2 * Double.pi)
  }

  /// Posterior mean and variance of the latent function at `points`, in
  /// the units of the original outputs: μ = k*ᵀ w and σ² = k(x, x) − |L⁻¹k*|²
  /// (forward substitution with the Cholesky factor; no BLAS call, so
  /// OpenBLAS never starts its threads for these small solves).
  ///
  /// - Complexity: O(n^2 · m) for m points.
  func posterior(at points: [Double]) -> (mean: [Double], variance: [Double]) {
    let n = inputs.count, m = points.count
    var mean = [Double](repeating: 0, count: m)
    var variance = [Double](repeating: 0, count: m)
    var cross = [Double](repeating: 0, count: n)
    let inverseLength = 1 / hyper.lengthScale
    let scale2 = outputScale * outputScale
    for j in 0..<m {
      var mu = 0.0
      for i in 0..<n {
        cross[i] = hyper.amplitude * MaternKernel.correlation(abs(points[j] - inputs[i]) * inverseLength)
        mu += cross[i] * weights[i]
      }
      mean[j] = mu * outputScale + outputMean
      variance[j] = max(hyper.amplitude - factor.inverseQuadraticForm(cross), 0) * scale2
    }
    return (mean, variance)
  }

  /// Posterior mean and variance at one point (see ``posterior(at:)``).
  func posterior(at point: Double) -> (mean: Double, variance: Double) {
    let p = posterior(at: [point])
    return (p.mean[0], p.variance[0])
  }
}
