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

  /// `(p, 1 - p)` clamped to [0, 1], each computed from `u` directly.
  @inlinable
  func progress(_ u: Double, _ length: Double) -> (Double, Double) {
    var p: Double
    var q: Double
    if endpoint == .exclusive {
      p = u / length
      q = (length - u) / length
    } else {
      p = (u + 1) / length
      q = (length - u - 1) / length
    }
    if !(p > 0) { p = 0; q = 1 }
    if p >= 1 { p = 1; q = 0 }
    if q < 0 { q = 0 }
    return (p, q)
  }

  /// The phase's end value: its formula at `u = length` (`p = 1`), for a
  /// phase whose curve ends at global step `endStep`.
  public func endValue(length: Double, endStep: Double, map: EndpointMap) -> Double {
    value(at: length, length: length, globalStep: endStep, map: map)
  }
}
