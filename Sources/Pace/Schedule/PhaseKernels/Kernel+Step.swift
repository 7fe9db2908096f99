//===--- Kernel+Step.swift ------------------------------------------------===//
// The step shape with a step size: from * gamma^floor(u / stepSize).
//===----------------------------------------------------------------------===//

extension Kernel {
  /// `from * gamma^floor(u / stepSize)` (`from` where the power is 0,
  /// negative and NaN powers counting as 0). Steps at milestones look their
  /// position up instead (``Phase/lookupPiece(_:)``).
  struct Step: PhaseKernel {
    var from: Double
    var gamma: Double
    var log2Gamma: (hi: Double, lo: Double)
    var stepSize: Double

    @inline(__always)
    func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V {
      let zero = V(broadcast: 0)
      var k = Elementary.floor(u / V(broadcast: stepSize))
      k = V.choose(zero, lessOrEqual: k, k, zero)  // negative and NaN: 0
      let log: (hi: V, lo: V) = Elementary.broadcast(log2Gamma)
      let f = V(broadcast: from)
      let g = gamma > 0 && gamma.isFinite ? Elementary.powOfPositive(k, log2OfX: log)
        : Elementary.pow(V(broadcast: gamma), k, log2OfMagnitude: log)
      return V.choose(k, equal: zero, f, f * g)
    }
  }
}
