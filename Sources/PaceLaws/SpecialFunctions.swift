//===--- SpecialFunctions.swift -------------------------------------------===//
// libm access and the digamma function (libm has none).
//===----------------------------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

@inline(__always) func _exp(_ x: Double) -> Double { exp(x) }
@inline(__always) func _log(_ x: Double) -> Double { log(x) }
@inline(__always) func _expm1(_ x: Double) -> Double { expm1(x) }
@inline(__always) func _log1p(_ x: Double) -> Double { log1p(x) }
@inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
@inline(__always) func _lgamma(_ x: Double) -> Double { lgamma(x) }
@inline(__always) func _cos(_ x: Double) -> Double { cos(x) }

/// psi(x) = d/dx ln Gamma(x) for x > 0: upward recurrence to x >= 10, then
/// the asymptotic series (error below 1e-15).
func digamma(_ x0: Double) -> Double {
  var x = x0
  var shift = 0.0
  while x < 10 {
    shift -= 1 / x
    x += 1
  }
  let r = 1 / (x * x)
  let series = r * (1.0 / 12 - r * (1.0 / 120 - r * (1.0 / 252 - r * (1.0 / 240 - r * (1.0 / 132)))))
  return shift + _log(x) - 0.5 / x - series
}
