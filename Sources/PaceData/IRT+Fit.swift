//===--- IRT+Fit.swift ----------------------------------------------------===//
// 1PL MAP fit of difficulties and abilities from a 0/1 response matrix:
// Newton's method on the joint posterior, the Schur complement solved by
// LAPACKE, accumulated in parallel over a fixed split of the items.
//===----------------------------------------------------------------------===//
import PaceEngine
import _CLAPACKE

extension IRT {
  /// The result of ``fit(responses:models:items:engine:)``.
  public struct Fit: Sendable {
    /// Item difficulties b_i (items values).
    public var difficulties: [Double]
    /// Model abilities theta_m (models values).
    public var abilities: [Double]
    /// Newton iterations taken.
    public var iterations: Int
  }

  /// Items per block of the accumulation (the M x block weights fit in cache).
  static let itemBlock = 256
  /// The most models (or items, whichever is fewer) the joint solve takes.
  public static let maximumSmallerSide = 2048

  /// Fits 1PL (Rasch) by MAP: maximises
  /// `sum_{m,i} log P(y_mi | theta_m - b_i) - |theta|^2/2 - |b|^2/2`
  /// with Newton's method on all abilities and difficulties at once. The
  /// Hessian's item block is diagonal, so each step solves the M x M Schur
  /// complement `(A - W D^-1 W^T) d_theta = g_theta + W D^-1 g_b` with
  /// LAPACKE_dposv and back-substitutes the difficulties. Steps are capped
  /// at 4 in any coordinate; it stops when every step is below 1e-10.
  ///
  /// When there are more models than items the transposed problem is
  /// solved: with answers `1 - y`, `P = sigma(b_i - theta_m)`, so items
  /// play the models (ability b_i) and models the items (difficulty
  /// theta_m); the system is over the smaller side.
  ///
  /// Every sum runs over a split of the items that depends on their count
  /// only, combined in part order: the same bits whatever the engine.
  ///
  /// - Parameters:
  ///   - responses: row-major models x items, each 0 or 1.
  ///   - engine: workers for large matrices (nil: the calling thread, or
  ///     the shared engine from 2^20 cells).
  /// - Complexity: per iteration O(M I min(M, I)) time (two logistic passes
  ///   over the matrix, one rank-1 update of the system per item); memory
  ///   O(I + min(M, I)^2 x parts), the parts' systems at most 256 MiB.
  public static func fit(responses: UnsafeBufferPointer<UInt8>, models: Int, items: Int,
                         engine: BatchEngine? = nil) throws(DataError) -> Fit {
    guard models >= 1 else { throw .argument("models must be >= 1, got \(models)") }
    guard items >= 1 else { throw .argument("items must be >= 1, got \(items)") }
    let (cells, overflow) = models.multipliedReportingOverflow(by: items)
    guard !overflow, cells == responses.count else {
      throw .argument("responses holds \(responses.count) values; models x items = \(models) x \(items)")
    }
    guard min(models, items) <= maximumSmallerSide else {
      throw .argument("models and items are both above \(maximumSmallerSide): the joint solve would be too large")
    }
    for (k, y) in responses.enumerated() where y > 1 {
      throw .argument("responses[\(k / items)][\(k % items)] = \(y) is not 0 or 1")
    }
    let workers = Workers(engine: cells >= Sampler.parallelMinimum ? (engine ?? Sampler.sharedEngine) : nil)
    if models <= items {
      let f = try newton(responses, rows: models, columns: items, transposed: false, workers: workers)
      return Fit(difficulties: f.columns, abilities: f.rows, iterations: f.iterations)
    }
    let f = try newton(responses, rows: items, columns: models, transposed: true, workers: workers)
    return Fit(difficulties: f.rows, abilities: f.columns, iterations: f.iterations)
  }

  /// ``fit(responses:models:items:engine:)`` over an array.
  public static func fit(responses: [UInt8], models: Int, items: Int, engine: BatchEngine? = nil) throws(DataError) -> Fit {
    let r: Result<Fit, DataError> = responses.withUnsafeBufferPointer { y in
      Result { () throws(DataError) in try fit(responses: y, models: models, items: items, engine: engine) }
    }
    return try r.get()
  }

  /// The dot product of `n` doubles in a fixed order (four interleaved
  /// partial sums added at the end): the same bits on every machine.
  @inline(__always)
  static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var k = 0
    while k + 4 <= n {
      s0 += a[k] * b[k]
      s1 += a[k + 1] * b[k + 1]
      s2 += a[k + 2] * b[k + 2]
      s3 += a[k + 3] * b[k + 3]
      k += 4
    }
    while k < n { s0 += a[k] * b[k]; k += 1 }
    return (s0 + s1) + (s2 + s3)
  }

  /// Newton on abilities of `rows` and difficulties of `columns`: the cell
  /// (r, c) is `y[r * columns + c]`, or `1 - y[c * rows + r]` when
  /// transposed (then the row parameters are the items' difficulties and
  /// the column parameters the models' abilities).
  private static func newton(_ y: UnsafeBufferPointer<UInt8>, rows m: Int, columns n: Int, transposed: Bool,
                             workers: Workers) throws(DataError) -> (rows: [Double], columns: [Double], iterations: Int) {
    @inline(__always) func answer(_ r: Int, _ c: Int) -> Double {
      transposed ? Double(1 - y[c * m + r]) : Double(y[r * n + c])
    }
    var theta = [Double](repeating: 0, count: m), b = [Double](repeating: 0, count: n)
    var gb = [Double](repeating: 0, count: n), d = [Double](repeating: 0, count: n)
    // Each part keeps an m x m partial system: at most 2^25 doubles in all.
    let chunks = Chunks(count: n, minimum: max(itemBlock, (1 << 16) / m), maximumParts: max(1, min(64, (1 << 25) / (m * m + 3 * m))))
    let parts = chunks.parts
    // Per part: S (m x m, upper), rhs (m), a (m), g_theta (m).
    let stride = m * m + 3 * m
    var partials = [Double](repeating: 0, count: parts * stride)
    for iteration in 1...100 {
      let th = theta, bb = b
      partials.withUnsafeMutableBufferPointer { acc in
        gb.withUnsafeMutableBufferPointer { gbOut in
          d.withUnsafeMutableBufferPointer { dOut in
            workers.run(parts) { p in
              let base = acc.baseAddress! + p * stride
              base.update(repeating: 0, count: stride)
              let s = base, rhs = base + m * m, a = rhs + m, gt = a + m
              var w = [Double](repeating: 0, count: m * itemBlock)
              var scaled = [Double](repeating: 0, count: itemBlock)
              let range = chunks.range(p)
              var lo = range.lowerBound
              while lo < range.upperBound {
                let hi = min(lo + itemBlock, range.upperBound), width = hi - lo
                for c in lo..<hi { gbOut[c] = -bb[c]; dOut[c] = 1 }
                for r in 0..<m {
                  var ga = 0.0, aa = 0.0
                  for c in lo..<hi {
                    let prob = sigmoid(th[r] - bb[c])
                    let resid = answer(r, c) - prob
                    let weight = prob * (1 - prob)
                    w[r * itemBlock + c - lo] = weight
                    ga += resid
                    aa += weight
                    gbOut[c] -= resid
                    dOut[c] += weight
                  }
                  gt[r] += ga
                  a[r] += aa
                }
                w.withUnsafeMutableBufferPointer { wb in
                  scaled.withUnsafeMutableBufferPointer { row in
                    for r in 0..<m {
                      var acc = 0.0
                      for k in 0..<width {
                        row[k] = wb[r * itemBlock + k] / dOut[lo + k]
                        acc += row[k] * gbOut[lo + k]
                      }
                      rhs[r] += acc
                      for q in r..<m {
                        s[r * m + q] += dot(row.baseAddress!, wb.baseAddress! + q * itemBlock, width)
                      }
                    }
                  }
                }
                lo = hi
              }
            }
          }
        }
      }
      // Combine the parts in order; build S and the right-hand side.
      var system = [Double](repeating: 0, count: m * m), step = [Double](repeating: 0, count: m)
      for r in 0..<m {
        var a = 1.0, gt = -theta[r], rhs = 0.0
        for p in 0..<parts {
          let base = p * stride
          a += partials[base + m * m + m + r]
          gt += partials[base + m * m + 2 * m + r]
          rhs += partials[base + m * m + r]
        }
        step[r] = gt + rhs
        for q in r..<m {
          var sum = 0.0
          for p in 0..<parts { sum += partials[p * stride + r * m + q] }
          system[r * m + q] = (q == r ? a : 0) - sum
          system[q * m + r] = system[r * m + q]
        }
      }
      let info = system.withUnsafeMutableBufferPointer { sp in
        step.withUnsafeMutableBufferPointer { st in
          LAPACKE_dposv(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "U")), pace_lapack_int(m), 1, sp.baseAddress,
                        pace_lapack_int(m), st.baseAddress, 1)
        }
      }
      guard info == 0 else { throw .numeric("irt_fit: the Newton system is not positive definite (LAPACKE_dposv info \(info))") }
      // Back-substitute the column steps: (g_b + W^T d_theta) / d.
      var columnStep = [Double](repeating: 0, count: n)
      let dt = step
      columnStep.withUnsafeMutableBufferPointer { cs in
        workers.run(parts) { p in
          for c in chunks.range(p) {
            var sum = gb[c]
            for r in 0..<m {
              let prob = sigmoid(th[r] - bb[c])
              sum += prob * (1 - prob) * dt[r]
            }
            cs[c] = sum / d[c]
          }
        }
      }
      let largest = max(dt.map(abs).max() ?? 0, columnStep.map(abs).max() ?? 0)
      guard largest.isFinite else { throw .numeric("irt_fit: a Newton step is not finite") }
      let scale = largest > 4 ? 4 / largest : 1
      for r in 0..<m { theta[r] += scale * dt[r] }
      for c in 0..<n { b[c] += scale * columnStep[c] }
      if largest < 1e-10 { return (theta, b, iteration) }
    }
    throw .numeric("irt_fit: Newton's method did not converge in 100 iterations")
  }
}
