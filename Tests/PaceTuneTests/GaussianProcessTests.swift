//===--- GaussianProcessTests.swift ---------------------------------------===//
// The GP posterior against a direct O(n^3) computation, and its
// hyper-parameters against a dense likelihood scan.
//===----------------------------------------------------------------------===//
import Foundation
import Testing
@testable import PaceTune

/// Solves A x = b by Gaussian elimination with partial pivoting (row-major A).
func gaussianSolve(_ a: [[Double]], _ b: [Double]) -> [Double] {
  var m = a, x = b
  let n = b.count
  for col in 0..<n {
    let pivot = (col..<n).max { abs(m[$0][col]) < abs(m[$1][col]) }!
    m.swapAt(col, pivot)
    x.swapAt(col, pivot)
    for row in (col + 1)..<n {
      let f = m[row][col] / m[col][col]
      for k in col..<n { m[row][k] -= f * m[col][k] }
      x[row] -= f * x[col]
    }
  }
  for row in stride(from: n - 1, through: 0, by: -1) {
    var s = x[row]
    for k in (row + 1)..<n { s -= m[row][k] * x[k] }
    x[row] = s / m[row][row]
  }
  return x
}

/// The Matérn 5/2 covariance written out from its formula.
func matern(_ u: Double, _ v: Double, _ h: GPHyperparameters) -> Double {
  let r = abs(u - v) / h.lengthScale
  return h.amplitude * (1 + sqrt(5) * r + 5 * r * r / 3) * exp(-sqrt(5) * r)
}

@Suite struct GaussianProcessTests {
  let inputs = [0.05, 0.21, 0.33, 0.5, 0.62, 0.71, 0.88, 0.97, 0.41, 0.12]
  let outputs = [2.9, 2.1, 1.7, 1.4, 1.45, 1.6, 2.4, 3.3, 1.5, 2.5]

  @Test(arguments: [GPHyperparameters(amplitude: 1.3, lengthScale: 0.2, noise: 1e-3),
                    GPHyperparameters(amplitude: 0.05, lengthScale: 2.0, noise: 0.3),
                    GPHyperparameters(amplitude: 40, lengthScale: 0.03, noise: 1e-8)])
  func posteriorMatchesDirectSolve(_ h: GPHyperparameters) throws {
    let gp = try #require(GaussianProcess(inputs: inputs, outputs: outputs, hyper: h))
    let n = Double(outputs.count)
    let mean = outputs.reduce(0, +) / n
    let scale = sqrt(outputs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n)
    let y = outputs.map { ($0 - mean) / scale }
    let k = inputs.map { u in inputs.map { v in matern(u, v, h) + (u == v ? h.noise : 0) } }
    let alpha = gaussianSolve(k, y)
    for point in stride(from: 0.0, through: 1.0, by: 0.0625) {
      let ks = inputs.map { matern(point, $0, h) }
      let directMean = zip(ks, alpha).map(*).reduce(0, +) * scale + mean
      let solved = gaussianSolve(k, ks)
      let directVariance = max(h.amplitude - zip(ks, solved).map(*).reduce(0, +), 0) * scale * scale
      let p = gp.posterior(at: point)
      #expect(abs(p.mean - directMean) <= 1e-8 * max(1, abs(directMean)), "mean at \(point)")
      #expect(abs(p.variance - directVariance) <= 1e-8 * max(h.amplitude * scale * scale, 1), "variance at \(point)")
    }
    // The likelihood against its formula with the direct solve and determinant.
    var logDet = 0.0
    var m = k
    for col in 0..<m.count {  // LU without pivoting on an SPD matrix: det = Π pivots
      logDet += log(m[col][col])
      for row in (col + 1)..<m.count {
        let f = m[row][col] / m[col][col]
        for c in col..<m.count { m[row][c] -= f * m[col][c] }
      }
    }
    let direct = -0.5 * zip(y, alpha).map(*).reduce(0, +) - 0.5 * logDet - 0.5 * n * log(2 * Double.pi)
    #expect(abs(gp.logMarginalLikelihood(standardised: y) - direct) <= 1e-8 * abs(direct))
  }

  @Test func fittedHyperparametersBeatADenseScan() throws {
    let gp = try #require(GaussianProcess.fitted(inputs: inputs, outputs: outputs))
    let (mean, scale) = GaussianProcess.standardisation(outputs)
    let y = outputs.map { ($0 - mean) / scale }
    let fitted = gp.logMarginalLikelihood(standardised: y)
    var scanBest = -Double.infinity
    for a in stride(from: log(0.01), through: log(1000), by: 0.25) {
      for l in stride(from: log(0.01), through: log(100), by: 0.25) {
        for s in stride(from: log(1e-8), through: log(10.0), by: 0.5) {
          let h = GPHyperparameters(amplitude: exp(a), lengthScale: exp(l), noise: exp(s))
          if let g = GaussianProcess(inputs: inputs, outputs: outputs, hyper: h) {
            scanBest = max(scanBest, g.logMarginalLikelihood(standardised: y))
          }
        }
      }
    }
    #expect(fitted >= scanBest - 1e-3, "fitted \(fitted), scan \(scanBest)")
    #expect(GPHyperparameters.amplitudeRange.contains(gp.hyper.amplitude))
    #expect(GPHyperparameters.lengthScaleRange.contains(gp.hyper.lengthScale))
  }

  @Test func acquisitionPicksTheMostUncertainFreePoint() throws {
    let tried = [0.0, 0.05, 0.1, 0.2, 0.85, 0.9, 1.0]
    let gp = try #require(GaussianProcess.fitted(inputs: tried, outputs: tried.map { 2 + 4 * ($0 - 0.45) * ($0 - 0.45) }))
    #expect(gp.hyper.lengthScale > 0.1, "a smooth curve is not fitted as noise: \(gp.hyper)")
    let u = LowerConfidenceBound.minimiser(gp, avoiding: tried)
    // With κ = 1e6 the LCB is minimised where the posterior deviation peaks:
    // in the widest gap (0.2, 0.85), never at a tried point.
    #expect(u > 0.3 && u < 0.75, "u \(u), hyper \(gp.hyper)")
    let dense = stride(from: 0.0, through: 1.0, by: 1.0 / 4096).map { $0 }
    let values = LowerConfidenceBound.values(gp, at: dense)
    let direct = LowerConfidenceBound.values(gp, at: [u])[0]
    #expect(direct <= values.min()! + 1e-9 * abs(values.min()!))
  }
}
