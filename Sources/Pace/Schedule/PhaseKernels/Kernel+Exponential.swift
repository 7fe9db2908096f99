//===--- Kernel+Exponential.swift -----------------------------------------===//
// The exponential shape: from * base^v, v the position or its progress.
//===----------------------------------------------------------------------===//

extension Kernel {
  /// `from * base^v` for a positive finite `base`, `v` the position
  /// (floored to a multiple of the staircase) or its progress; `log2 base`
  /// taken once. Other bases use ``ExponentialOfAnyBase``.
  struct Exponential: PhaseKernel {
    var from: Double
    var base: Double
    var log2Base: (hi: Double, lo: Double)
    var staircase: Double?
    /// Nil for `gamma` (the exponent is the position), else the length
    /// over which the exponent goes 0 to 1.
    var length: Double?
    var inclusive: Bool
    var reciprocal: Double?

    init(from: Double, base: Double, log2Base: (hi: Double, lo: Double), staircase: Double?, length: Double?,
         inclusive: Bool) {
      self.from = from
      self.base = base
      self.reciprocal = length.flatMap { Kernel.reciprocal(of: $0) }
      self.log2Base = log2Base
      self.staircase = staircase
      self.length = length
      self.inclusive = inclusive
    }

    /// The exponent at positions `u`: `u` floored to the staircase, or the
    /// progress over `length`.
    @inline(__always)
    func exponent<V: DoubleLanes>(_ u: V) -> V {
      var v = u
      if let k = staircase {
        let kk = V(broadcast: k)
        v = Elementary.floor(v / kk) * kk
      }
      if let length { v = progress(v, length: length, reciprocal: reciprocal, inclusive: inclusive).0 }
      return v
    }

    @inline(__always)
    func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V {
      // The exponent is finite and the base ordinary: pow's special-value
      // selects would be no-ops.
      let g = Elementary.powOfPositive(exponent(u), log2OfX: Elementary.broadcast(log2Base))
      return from == 1 ? g : V(broadcast: from) * g  // the same bits
    }
  }

  /// ``Exponential`` for a base that is zero, negative, infinite or NaN
  /// (C's `pow` special values), a kernel of its own so that the ordinary
  /// kernel carries no branch for it.
  struct ExponentialOfAnyBase: PhaseKernel {
    var exponential: Exponential

    init(_ exponential: Exponential) {
      self.exponential = exponential
    }

    @inline(__always)
    func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V {
      let log: (hi: V, lo: V) = Elementary.broadcast(exponential.log2Base)
      return V(broadcast: exponential.from)
        * Elementary.pow(V(broadcast: exponential.base), exponential.exponent(u), log2OfMagnitude: log)
    }
  }
}
