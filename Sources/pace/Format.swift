//===--- Format.swift -----------------------------------------------------===//
// Number formatting for terminal tables, without Foundation.
//===----------------------------------------------------------------------===//
import RealModule

enum Format {
  /// `x` in scientific notation with `digits` significant digits: `3.00000e-04`.
  static func sci(_ x: Double, digits: Int = 6) -> String {
    guard x.isFinite else { return x.description }
    if x == 0 { return "0" }
    var e = Int(Double.log10(abs(x)).rounded(.down))
    let scale = Double.pow(10, Double(digits - 1))
    var m = (x / Double.pow(10, Double(e)) * scale).rounded() / scale
    if abs(m) >= 10 { m /= 10; e += 1 }
    let whole = Int64(m.rounded(.towardZero))
    var frac = String(Int64((abs(m - Double(whole)) * scale).rounded()))
    frac = String(repeating: "0", count: Swift.max(0, digits - 1 - frac.count)) + frac
    let sign = m < 0 && whole == 0 ? "-" : ""
    let exponent = (e < 0 ? "-" : "+") + (abs(e) < 10 ? "0" : "") + String(abs(e))
    return sign + String(whole) + (digits > 1 ? "." + frac : "") + "e" + exponent
  }

  /// Right-aligns `s` in `width` columns.
  static func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
  }
}
