//===--- MaternKernel.swift -----------------------------------------------===//
// The Matérn 5/2 covariance of the tuner's Gaussian process.
//===----------------------------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Hyper-parameters of the GP prior k(u, v) = amplitude · m(|u − v| / lengthScale)
/// plus `noise` on the diagonal, with Matérn 5/2
/// m(r) = (1 + √5 r + 5r²/3) exp(−√5 r).
///
/// Units are those of the normalised problem: inputs u in [0, 1] (log LR
/// mapped linearly), outputs standardised to mean 0 and variance 1.
struct GPHyperparameters: Equatable {
  /// Signal variance σ_f², in [0.01, 1000] (scikit-optimize's constant-kernel bounds).
  var amplitude: Double
  /// Length scale ℓ, in [0.01, 100] (normalised input units).
  var lengthScale: Double
  /// Observation-noise variance σ_n², in [1e-10, 1e5].
  var noise: Double

  static let amplitudeRange = 0.01...1000.0
  static let lengthScaleRange = 0.01...100.0
  static let noiseRange = 1e-10...1e5
}

enum MaternKernel {
  /// m(r) for r = |u − v| / ℓ ≥ 0: 1 at r = 0, decreasing to 0.
  @inline(__always)
  static func correlation(_ r: Double) -> Double {
    let s = 2.23606797749979 * r  // √5 r
    return (1 + s + s * s / 3) * exp(-s)
  }

  /// The covariance matrix K + σ_n² I of `inputs` (column-major n x n, full).
  ///
  /// - Complexity: O(n^2).
  static func covariance(_ inputs: [Double], _ h: GPHyperparameters) -> [Double] {
    let n = inputs.count
    var k = [Double](repeating: 0, count: n * n)
    let inverseLength = 1 / h.lengthScale
    for j in 0..<n {
      k[j * n + j] = h.amplitude + h.noise
      for i in (j + 1)..<max(n, j + 1) {
        let v = h.amplitude * correlation(abs(inputs[i] - inputs[j]) * inverseLength)
        k[j * n + i] = v
        k[i * n + j] = v
      }
    }
    return k
  }
}
