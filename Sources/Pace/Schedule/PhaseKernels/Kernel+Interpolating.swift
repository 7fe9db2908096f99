//===--- Kernel+Interpolating.swift ---------------------------------------===//
// The interpolating shapes: from -> to along a decay curve.
//===----------------------------------------------------------------------===//

extension Kernel {
  /// `to + (from - to) d(p)`, or `from + (to - from) d(1 - p)` for a
  /// mirrored warmup; `p` the progress over `length` steps.
  struct Interpolating<D: DecayKernel>: PhaseKernel {
    var decay: D
    var length: Double
    var inclusive: Bool
    var mirrored: Bool
    let from: Double
    let to: Double
    /// `from - to` and `to - from`, formed once (not on every vector).
    let fromMinusTo: Double
    let toMinusFrom: Double
    var reciprocal: Double?

    init(decay: D, length: Double, inclusive: Bool, mirrored: Bool, from: Double, to: Double) {
      self.decay = decay
      self.length = length
      self.reciprocal = Kernel.reciprocal(of: length)
      self.inclusive = inclusive
      self.mirrored = mirrored
      self.from = from
      self.to = to
      self.fromMinusTo = from - to
      self.toMinusFrom = to - from
    }

    @inline(__always)
    func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V {
      let (p, q) = progress(u, length: length, reciprocal: reciprocal, inclusive: inclusive)
      // One fused multiply-add where the build has FMA (one rounding).
      if mirrored {
        return V(broadcast: from).addingProductLanes(V(broadcast: toMinusFrom), decay(p: q, q: p))
      }
      return V(broadcast: to).addingProductLanes(V(broadcast: fromMinusTo), decay(p: p, q: q))
    }
  }
}
