//===--- Kernels.swift ----------------------------------------------------===//
// `pace kernels`: accuracy of Pace's own float64 kernels against libm.
//===----------------------------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Pace

struct Kernels: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure the error of Pace's vectorised kernels against libm's long double, in ulp.")

  @Option(help: "Random points per kernel and range.")
  var points = 10_000_000

  @Option(help: "Fail (exit 1) when cosPi's maximum error exceeds this many ulp (2.5 times this for the squared kernel, whose result is a square).")
  var maxUlp = 2.0

  @Option(help: "Seed of the random points.")
  var seed: UInt64 = 1

  /// Units in the last place of `reference` (as a float64) that `value` is off.
  static func ulpError(_ value: Double, _ reference: Float80) -> Double {
    let r = Double(reference)
    let ulp = r == 0 ? Double.leastNonzeroMagnitude : r.ulp
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
    print("Pace kernels vs libm long double (\(points) random points each, seed \(seed))")
    print(Format.pad("kernel and range", 36) + Format.pad("max ulp", 12) + Format.pad("mean ulp", 12))
    for (name, worst, mean) in rows {
      print(Format.pad(name, 36) + Format.pad(Format.sci(worst, digits: 3), 12) + Format.pad(Format.sci(mean, digits: 3), 12))
    }
    if failed {
      printError("pace kernels: a maximum error exceeds \(maxUlp) ulp")
      throw ExitCode(1)
    }
  }
}
