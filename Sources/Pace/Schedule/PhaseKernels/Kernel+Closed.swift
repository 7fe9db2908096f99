//===--- Kernel+Closed.swift ----------------------------------------------===//
// The shapes given by one closed formula: constant, inverse_sqrt, power.
//===----------------------------------------------------------------------===//

extension Kernel {
  /// `from` at every step.
  @usableFromInline
  struct Constant: PhaseKernel {
    var from: Double

    @usableFromInline
    init(from: Double) {
      self.from = from
    }

    @usableFromInline @inline(__always)
    func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V { V(broadcast: from) }
  }

  /// `from / sqrt(1 + u / timescale)`.
  struct InverseSqrt: PhaseKernel {
    var from: Double
    var timescale: Double

    @inline(__always)
    func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V {
      let s = V(broadcast: timescale)
      return V(broadcast: from) / ((u + s) / s).squareRootLanes
    }
  }

  /// `min(from, a (t tokensPerStep)^b / peak)`, `from` at `t <= 0` (the
  /// power law of global steps `t`).
  struct Power: PhaseKernel {
    var from: Double
    var a: Double
    var b: Double
    var tokensPerStep: Double
    var peak: Double

    @inline(__always)
    func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V {
      let f = V(broadcast: from)
      let v = V(broadcast: a) * Elementary.pow(t * V(broadcast: tokensPerStep), V(broadcast: b)) / V(broadcast: peak)
      let m = V.choose(v, lessThan: f, v, f)  // Swift.min(f, v)
      return V.choose(t, lessOrEqual: V(broadcast: 0), f, m)
    }
  }
}
