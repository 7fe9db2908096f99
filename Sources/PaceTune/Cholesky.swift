//===--- Cholesky.swift ---------------------------------------------------===//
// The Cholesky factor of a small symmetric positive-definite matrix, by
// LAPACKE dpotrf, and solves with it by dpotrs.
//===----------------------------------------------------------------------===//
import _CLAPACKE
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// L with A = L Lᵀ for a symmetric positive-definite n x n matrix A.
///
/// Storage is column-major with the factor in the lower triangle (what
/// LAPACK's `dpotrf` writes with uplo "L"); the strict upper triangle holds
/// whatever the input held there and is never read.
struct Cholesky {
  /// The order n of the matrix.
  let order: Int
  /// Column-major n x n, the factor in the lower triangle.
  private(set) var factor: [Double]

  /// Factors `matrix` (column-major, n x n; only its lower triangle is read).
  /// Nil when the matrix is not numerically positive definite or holds a
  /// non-finite value.
  ///
  /// - Complexity: O(n^3 / 3).
  init?(matrix: [Double], order: Int) {
    guard order >= 1, matrix.count == order * order, matrix.allSatisfy(\.isFinite) else { return nil }
    self.order = order
    var a = matrix
    let info = a.withUnsafeMutableBufferPointer { m in
      LAPACKE_dpotrf(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), pace_lapack_int(order), m.baseAddress,
                     pace_lapack_int(order))
    }
    guard info == 0 else { return nil }
    factor = a
  }

  /// log det A = 2 Σ log L_ii.
  var logDeterminant: Double {
    var sum = 0.0
    for i in 0..<order { sum += log(factor[i * order + i]) }
    return 2 * sum
  }

  /// Solves A X = B for `columns` right-hand sides stored column-major in
  /// `rhs` (n x columns), in place.
  ///
  /// - Complexity: O(n^2 · columns).
  func solve(_ rhs: inout [Double], columns: Int) {
    guard columns >= 1, rhs.count == order * columns else { return }
    factor.withUnsafeBufferPointer { l in
      rhs.withUnsafeMutableBufferPointer { b in
        _ = LAPACKE_dpotrs(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), pace_lapack_int(order),
                           pace_lapack_int(columns), l.baseAddress, pace_lapack_int(order), b.baseAddress,
                           pace_lapack_int(order))
      }
    }
  }

  /// Solves L z = b (forward substitution) and returns zᵀz = bᵀ A⁻¹ b.
  ///
  /// - Complexity: O(n^2).
  func inverseQuadraticForm(_ b: [Double]) -> Double {
    var z = b
    var total = 0.0
    for i in 0..<order {
      var s = z[i]
      for k in 0..<i { s -= factor[k * order + i] * z[k] }
      z[i] = s / factor[i * order + i]
      total += z[i] * z[i]
    }
    return total
  }
}
