//===--- GoldenSection.swift ----------------------------------------------===//
// 1-D minimisation on a bracket by golden-section search.
//===----------------------------------------------------------------------===//

enum GoldenSection {
  /// The best point found by `iterations` golden-section steps on
  /// [lower, upper] (the bracket shrinks by 0.618 per step) and its value.
  /// Deterministic; `f` is called iterations + 2 times.
  static func minimise(_ f: (Double) -> Double, _ lower: Double, _ upper: Double,
                       iterations: Int) -> (x: Double, value: Double) {
    let ratio = 0.6180339887498949
    var lo = lower, hi = upper
    var x1 = hi - ratio * (hi - lo), x2 = lo + ratio * (hi - lo)
    var f1 = f(x1), f2 = f(x2)
    for _ in 0..<iterations {
      if f1 <= f2 {
        hi = x2; x2 = x1; f2 = f1
        x1 = hi - ratio * (hi - lo); f1 = f(x1)
      } else {
        lo = x1; x1 = x2; f1 = f2
        x2 = lo + ratio * (hi - lo); f2 = f(x2)
      }
    }
    return f1 <= f2 ? (x1, f1) : (x2, f2)
  }
}
