//===--- Curve+Decay.swift ------------------------------------------------===//
// A curve's decay kernel.
//===----------------------------------------------------------------------===//

extension Curve {
  /// Calls `body` with the curve's ``DecayKernel``: the one place that maps
  /// a curve and its parameters to a kernel type (a cosine of half a period
  /// and polynomials of power 1 and 2 get kernels of their own).
  @usableFromInline @inline(__always)
  func withDecay<R>(_ body: some DecayKernelVisitor<R>) -> R {
    switch self {
    case .linear: return body.visit(Decay.Linear())
    case .cosine(let c, let e):
      if c == 0.5 {
        return e == 1 ? body.visit(Decay.HalfCosine()) : body.visit(Decay.Raised(base: Decay.HalfCosine(), exponent: e))
      }
      return e == 1 ? body.visit(Decay.Cosine(cycles: c))
        : body.visit(Decay.Raised(base: Decay.Cosine(cycles: c), exponent: e))
    case .sqrt: return body.visit(Decay.Sqrt())
    case .square: return body.visit(Decay.Square())
    case .polynomial(let k):
      if k == 1 { return body.visit(Decay.Linear()) }
      if k == 2 { return body.visit(Decay.QuadraticPolynomial()) }
      return body.visit(Decay.Raised(base: Decay.Linear(), exponent: k))
    case .rex: return body.visit(Decay.Rex())
    case .uba(let phi): return body.visit(Decay.Uba(phi: phi))
    }
  }
}
