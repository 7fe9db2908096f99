//===--- Kernels.swift ----------------------------------------------------===//
// `pace kernels`: accuracy of Pace's own float64 kernels against libm.
//===----------------------------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Pace
import RealModule

struct Kernels: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure the error of Pace's vectorised kernels against libm's long double, in ulp.")

  @Option(help: "Random points per kernel and range.")
  var points = 10_000_000

  @Option(help: "Fail (exit 1) when a kernel's maximum error exceeds this many ulp (2.5 times this for the squared cosine kernel, whose result is a square).")
  var maxUlp = 2.0

  @Option(help: "Seed of the random points.")
  var seed: UInt64 = 1

  /// Units in the last place of `reference` (as a float64) that `value` is off.
  static func ulpError(_ value: Double, _ reference: Float80) -> Double {
    let r = Double(reference)
    if r.isNaN || value.isNaN { return r.isNaN && value.isNaN ? 0 : .infinity }
    if r.isInfinite || value.isInfinite { return r == value ? 0 : .infinity }
    // ulp of the float64 reference (the subnormal spacing below 2^-1022).
    let ulp = r == 0 ? Double.leastNonzeroMagnitude : Swift.max(r.ulp, Double.leastNonzeroMagnitude)
    return Double(abs(Float80(value) - reference) / Float80(ulp))
  }

  func run() throws {
    guard points >= 1 else { throw ValidationError("--points must be >= 1") }
    var state = seed
    func uniform() -> Double {  // splitmix64 -> [0, 1)
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return Double((z ^ (z >> 31)) >> 11) * 0x1p-53
    }
    let piL: Float80 = 3.14159265358979323846264338327950288
    /// cos(pi x) in long double with exact reduction (so the reference keeps
    /// full relative precision near the zeros of cos).
    func referenceCosPi(_ x: Double) -> Float80 {
      var r = abs(Float80(x))
      r -= 2 * (r / 2).rounded(.down)        // [0, 2), exact
      if r > 1 { r = 2 - r }                 // [0, 1]
      var sign: Float80 = 1
      if r > 0.5 { r = 1 - r; sign = -1 }    // [0, 0.5]
      return sign * (r <= 0.25 ? cosl(piL * r) : sinl(piL * (0.5 - r)))
    }
    var rows: [(String, Double, Double)] = []
    var failed = false
    func measure(_ name: String, bound: Double = 1, _ sample: () -> (Double, Float80)) {
      var worst = 0.0
      var total = 0.0
      for _ in 0..<points {
        let (ours, reference) = sample()
        let e = Self.ulpError(ours, reference)
        worst = Swift.max(worst, e)
        total += e
      }
      rows.append((name, worst, total / Double(points)))
      if worst > maxUlp * bound { failed = true }
    }
    measure("cosPi(x), x in [-4, 4]") {
      let x = 8 * uniform() - 4
      return (Trigonometry.cosPi(x), referenceCosPi(x))
    }
    measure("cosPi(x), x in [-2^20, 2^20]") {
      let x = (2 * uniform() - 1) * 1_048_576
      return (Trigonometry.cosPi(x), referenceCosPi(x))
    }
    measure("cos^2(pi p/2), p in [0, 1]", bound: 2.5) {
      let p = uniform()
      let q = 1 - p  // exact for p >= 0.5, where the kernel uses it
      let c = p <= 0.5 ? cosl(piL * Float80(p) / 2) : sinl(piL * (1 - Float80(p)) / 2)
      return (Trigonometry.halfCosSquared(p: p, q: q), c * c)
    }
    measure("cos^2(pi p/2), p in [1 - 2^-20, 1)", bound: 2.5) {
      let q = uniform() * 0x1p-20
      let p = 1 - q
      // The reference from q (exact here), as the kernel is given q.
      let s = sinl(piL * Float80(q) / 2)
      return (Trigonometry.halfCosSquared(p: p, q: q), s * s)
    }
    // exp, log, pow against expl, logl, powl.
    measure("exp(x), x in [-1, 1]") {
      let x = 2 * uniform() - 1
      return (Elementary.exp(x), expl(Float80(x)))
    }
    measure("exp(x), x in [-745.1, 709.7]") {
      let x = -745.1 + 1454.8 * uniform()
      return (Elementary.exp(x), expl(Float80(x)))
    }
    measure("exp(x), x in [-745.1, -708] (subnormal)") {
      let x = -745.1 + 37.1 * uniform()
      return (Elementary.exp(x), expl(Float80(x)))
    }
    measure("log(x), x in [0.5, 2]") {
      let x = 0.5 + 1.5 * uniform()
      return (Elementary.log(x), logl(Float80(x)))
    }
    measure("log(x), x in 1 +- 2^-20") {
      let x = 1 + (2 * uniform() - 1) * 0x1p-20
      return (Elementary.log(x), logl(Float80(x)))
    }
    measure("log(x), x = 2^[-1074, 1024) log-unif") {
      let x = Double(sign: .plus, exponent: Int(uniform() * 2098) - 1074, significand: 1 + uniform())
      return (Elementary.log(x), logl(Float80(x)))
    }
    measure("pow(x, y), x in (0, 1], y in [0, 8]") {
      let x = 1 - uniform(), y = 8 * uniform()
      return (Elementary.pow(x, y), powl(Float80(x), Float80(y)))
    }
    measure("pow(x, y), x in [1 - 2^-20, 1), y integer") {  // gamma^step
      let x = 1 - (1 - uniform()) * 0x1p-20
      let y = (745 * uniform() / -Double.log(x)).rounded(.down)
      return (Elementary.pow(x, y), powl(Float80(x), Float80(y)))
    }
    measure("pow(x, y), x in [1, 1e16], y in [-1, 0]") {
      let x = Double.exp(uniform() * 36.84), y = -uniform()
      return (Elementary.pow(x, y), powl(Float80(x), Float80(y)))
    }
    measure("pow(x, y), x 2^[-20, 20], |y log x| < 709") {
      let x = Double.exp2(40 * uniform() - 20)
      let y = (2 * uniform() - 1) * 709 / Swift.max(abs(Double.log(x)), 1e-300)
      return (Elementary.pow(x, y), powl(Float80(x), Float80(y)))
    }
    print("Pace kernels vs libm long double (\(points) random points each, seed \(seed))")
    print(Format.pad("kernel and range", 44) + Format.pad("max ulp", 12) + Format.pad("mean ulp", 12))
    for (name, worst, mean) in rows {
      print(Format.pad(name, 44) + Format.pad(Format.sci(worst, digits: 3), 12) + Format.pad(Format.sci(mean, digits: 3), 12))
    }
    if failed {
      printError("pace kernels: a maximum error exceeds \(maxUlp) ulp")
      throw ExitCode(1)
    }
  }
}
