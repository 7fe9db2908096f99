//===--- Ticks.swift ------------------------------------------------------===//
// Axis ticks at "nice" values, and their labels.
//===----------------------------------------------------------------------===//
import RealModule

enum Ticks {
  /// About `count` ticks at multiples of 1, 2 or 5 x 10^k covering [lo, hi].
  static func linear(_ lo: Double, _ hi: Double, count: Int = 6) -> [Double] {
    guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
    let rough = (hi - lo) / Double(count)
    let magnitude = Double.pow(10, Double.log10(rough).rounded(.down))
    let residual = rough / magnitude
    let step = (residual < 1.5 ? 1 : residual < 3.5 ? 2 : residual < 7.5 ? 5 : 10) * magnitude
    var out: [Double] = []
    var v = (lo / step).rounded(.up) * step
    while v <= hi + step * 1e-9 && out.count < 50 {
      out.append(abs(v) < step * 1e-9 ? 0 : v)
      v += step
    }
    return out
  }

  /// Powers of ten within [lo, hi] (lo > 0), with 2 and 5 when few decades.
  static func logarithmic(_ lo: Double, _ hi: Double) -> [Double] {
    guard lo > 0, hi > lo else { return [lo] }
    let first = Int(Double.log10(lo).rounded(.down))
    let last = Int(Double.log10(hi).rounded(.up))
    let multipliers: [Double] = last - first <= 2 ? [1, 2, 5] : [1]
    var out: [Double] = []
    for e in first...last {
      for m in multipliers {
        let v = m * Double.pow(10, Double(e))
        if v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12) { out.append(v) }
      }
    }
    return out
  }

  /// A compact label: `0`, `2500`, `10k`, `1.5M`, `3e-04`, `0.25`.
  static func label(_ v: Double) -> String {
    if v == 0 { return "0" }
    let a = abs(v)
    if a >= 1000, v == v.rounded() {
      if a >= 1_000_000 { return trim(v / 1_000_000) + "M" }
      if a >= 10_000 { return trim(v / 1000) + "k" }
      return String(Int64(v))
    }
    if a < 1e-3 || a >= 1e6 {
      let e = Int(Double.log10(a).rounded(.down))
      let mantissa = v / Double.pow(10, Double(e))
      return trim(mantissa) + "e" + (e < 0 ? "-" : "") + (abs(e) < 10 ? "0" : "") + String(abs(e))
    }
    return trim(v)
  }

  /// At most 4 significant digits, trailing zeros removed.
  static func trim(_ v: Double) -> String {
    guard v != 0, v.isFinite else { return "0" }
    let e = Int(Double.log10(abs(v)).rounded(.down))
    let scale = Double.pow(10, Double(3 - e))
    let scaled = (v * scale).rounded() / scale
    var s = JSONWriterNumber.shortest(scaled)
    if s.hasSuffix(".0") { s.removeLast(2) }
    return s
  }
}

/// Shortest round-trip decimal of a Double without Foundation.
enum JSONWriterNumber {
  static func shortest(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return v.description
  }
}
