//===--- Phase+Evaluate.swift ---------------------------------------------===//
// The value of a phase at a local position.
//===----------------------------------------------------------------------===//
import RealModule

extension Phase {
  /// The multiplier at local curve position `u` (`offset <= u`), for a curve
  /// of length `length` (scaled in repeat blocks), at global step `t`.
  ///
  /// - Complexity: O(1), except O(log n) for tables of points and step
  ///   milestones.
  @inlinable
  public func value(at u: Double, length: Double, globalStep t: Double, map: EndpointMap) -> Double {
    switch shape {
    case .interpolating(let curve):
      if curve.isVectorisable {
        return interpolatingLanes(curve, u: u, length: length, map: map)
      }
      let (p, q) = progress(u, length)
      let f = map.apply(from)
      let g = map.apply(to)
      if from < to && mirror {
        return f + (g - f) * curve.mirroredDecay(p: p, q: q)
      }
      return g + (f - g) * curve.decay(p: p, q: q)

    case .exponential(let gamma, let staircase):
      var v = u
      if let k = staircase { v = (v / k).rounded(.down) * k }
      let f = map.apply(from)
      if let gamma { return f * Double.pow(gamma, v) }
      let (p, _) = progress(v, length)
      let g = map.apply(to)
      return f * Double.pow(g / f, p)

    case .constant:
      return map.apply(from)

    case .step(let gamma, let stepSize, let milestones):
      let f = map.apply(from)
      var k: Double
      if let stepSize {
        k = (u / stepSize).rounded(.down)
      } else {
        // Number of milestones <= u (binary search).
        var lo = 0
        var hi = milestones.count
        while lo < hi {
          let mid = (lo + hi) / 2
          if milestones[mid] <= u { lo = mid + 1 } else { hi = mid }
        }
        k = Double(lo)
      }
      if !(k >= 0) { k = 0 }
      return k == 0 ? f : f * Double.pow(gamma, k)

    case .inverseSqrt(let timescale):
      return map.apply(from) / ((u + timescale) / timescale).squareRoot()

    case .power(let a, let b, let tokensPerStep):
      let f = map.apply(from)
      if t <= 0 { return f }
      return Swift.min(f, a * Double.pow(t * tokensPerStep, b) / peak)

    case .table(let table):
      return map.apply(table.value(at: u))
    }
  }

  /// An interpolating phase with a vectorisable curve over lanes: the one
  /// formula used both by `value(at:)` (one lane) and by the fills (four).
  @inlinable @inline(__always)
  public func interpolatingLanes<V: DoubleLanes>(_ curve: Curve, u: V, length: Double, map: EndpointMap) -> V {
    let (p, q) = progressLanes(u, length)
    let f = map.apply(from)
    let g = map.apply(to)
    if from < to && mirror {
      return V(broadcast: f) + V(broadcast: g - f) * curve.decayLanes(p: q, q: p)
    }
    return V(broadcast: g) + V(broadcast: f - g) * curve.decayLanes(p: p, q: q)
  }

  /// `(p, 1 - p)` clamped to [0, 1], each computed from `u` directly.
  @inlinable @inline(__always)
  func progress(_ u: Double, _ length: Double) -> (Double, Double) {
    progressLanes(u, length)
  }

  /// `(p, 1 - p)` over lanes, clamped to [0, 1], each from `u` directly.
  @inlinable @inline(__always)
  func progressLanes<V: DoubleLanes>(_ u: V, _ length: Double) -> (V, V) {
    let l = V(broadcast: length)
    let zero = V(broadcast: 0)
    let one = V(broadcast: 1)
    var p: V
    var q: V
    if endpoint == .exclusive {
      p = u / l
      q = (l - u) / l
    } else {
      p = (u + one) / l
      q = ((l - u) - one) / l
    }
    q = V.choose(p, lessOrEqual: zero, one, q)
    p = V.choose(p, lessOrEqual: zero, zero, p)
    q = V.choose(one, lessOrEqual: p, zero, q)
    p = V.choose(one, lessOrEqual: p, one, p)
    q = V.choose(q, lessOrEqual: zero, zero, q)
    return (p, q)
  }

  /// The phase's end value: its formula at `u = length` (`p = 1`), for a
  /// phase whose curve ends at global step `endStep`.
  public func endValue(length: Double, endStep: Double, map: EndpointMap) -> Double {
    value(at: length, length: length, globalStep: endStep, map: map)
  }
}
