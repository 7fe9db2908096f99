//===--- RepeatBlock.swift ------------------------------------------------===//
// A template of phases played in cycles (warm restarts, cyclic schedules).
//===----------------------------------------------------------------------===//

/// How the endpoint values of cycle k are mapped.
public enum DecayMode: String, Sendable {
  /// `v -> floor + (v - floor) * decay^k`.
  case amplitude
  /// Endpoints equal to `floor` stay; others `v -> v * decay^k`.
  case peak
}

/// A resolved repeat block: its template phases and cycle parameters.
///
/// Cycle k starts at `P * (r^k - 1) / (r - 1)` (or `k * P` when `r = 1`)
/// after the block start, where `P` is the template's duration and `r` the
/// `period_mult`; it plays the template with lengths and offsets scaled by
/// `r^k`. Locating the cycle of a step is O(1) (a logarithm and at most one
/// correction either side), so evaluation cost never grows with the step.
public struct RepeatBlock {
  /// The template phases (in the schedule's ``Arena``).
  public var template: UnsafeBufferPointer<Phase>
  /// Start of each template phase inside an unscaled cycle (running sums).
  public var templateStarts: UnsafeBufferPointer<Double>
  /// Duration of one unscaled cycle, `P`.
  public var period: Double
  /// Number of cycles, or nil for forever.
  public var cycles: Int64?
  public var periodMult: Double
  public var decay: Double
  public var decayMode: DecayMode
  public var floor: Double
  public var decayPerStep: Double

  /// Total duration in steps (`.infinity` when the block runs forever).
  public var duration: Double {
    guard let cycles else { return .infinity }
    return cycleStart(Double(cycles))
  }

  /// Start of cycle `k` relative to the block start.
  @inlinable
  public func cycleStart(_ k: Double) -> Double {
    if periodMult == 1 { return k * period }
    return period * (Elementary.pow(periodMult, k) - 1) / (periodMult - 1)
  }

  /// The cycle index containing block position `u >= 0`.
  @inlinable
  public func cycleIndex(_ u: Double) -> Double {
    var k: Double
    if periodMult == 1 {
      k = (u / period).rounded(.down)
    } else {
      k = (Elementary.log(1 + u * (periodMult - 1) / period) / Elementary.log(periodMult)).rounded(.down)
      if !k.isFinite { k = cycles.map { Double($0 - 1) } ?? 0 }
      if k < 0 { k = 0 }
      if k > 0 && cycleStart(k) > u { k -= 1 }
      else if cycleStart(k + 1) <= u { k += 1 }
    }
    if k < 0 { k = 0 }
    if let cycles, k > Double(cycles - 1) { k = Double(cycles - 1) }
    return k
  }

  /// The multiplier at block position `u` (steps since the block started),
  /// at global step `t`.
  ///
  /// - Complexity: O(number of template phases).
  @inlinable
  public func value(at u: Double, globalStep t: Double) -> Double {
    let k = cycleIndex(u)
    let scale = periodMult == 1 ? 1 : Elementary.pow(periodMult, k)
    let v = u - cycleStart(k)
    let map = EndpointMap(decayMode: decayMode, floor: floor, factor: decay == 1 ? 1 : Elementary.pow(decay, k))
    var j = template.count - 1
    for i in 1..<template.count where v < templateStarts[i] * scale {
      j = i - 1
      break
    }
    let phase = template[j]
    let position = v - templateStarts[j] * scale + phase.offset * scale
    var m = phase.value(at: position, length: phase.length * scale, globalStep: t, map: map)
    if decayPerStep != 1 { m = floor + (m - floor) * Elementary.pow(decayPerStep, u) }
    return m
  }

  /// The value at the block's end (last template phase's end value in the
  /// last cycle), given the block's global start.
  public func endValue(blockStart: Double) -> Double {
    guard let cycles else { return floor }
    let k = Double(cycles - 1)
    let scale = periodMult == 1 ? 1 : Elementary.pow(periodMult, k)
    let map = EndpointMap(decayMode: decayMode, floor: floor, factor: decay == 1 ? 1 : Elementary.pow(decay, k))
    let last = template[template.count - 1]
    let total = duration
    var m = last.endValue(length: last.length * scale, endStep: blockStart + total, map: map)
    if decayPerStep != 1 { m = floor + (m - floor) * Elementary.pow(decayPerStep, total) }
    return m
  }
}
