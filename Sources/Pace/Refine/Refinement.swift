//===--- Refinement.swift -------------------------------------------------===//
// Schedule refinement from gradient norms (Defazio et al. 2023).
//===----------------------------------------------------------------------===//
import RealModule

/// Which norm the gradient norms are, and so which weights refinement uses.
public enum NormKind: UInt32, Sendable {
  /// L2 norms (SGD): weights `w = g^-2`.
  case l2 = 0
  /// L1 norms (Adam-type): weights `w = g^-1`.
  case l1 = 1
}

/// Why refinement could not run.
public struct RefinementError: Error, Sendable, CustomStringConvertible {
  public var description: String
}

/// The result of refining: multipliers and what was repaired.
public struct Refinement: Sendable {
  /// One multiplier per step: max 1, last 0.
  public var multipliers: [Double]
  /// Norms that were not finite and positive, filled from their neighbours.
  public var skipped: Int
  /// The smoothed norms the weights were computed from.
  public var smoothedNorms: [Double]

  /// Refines a schedule from the gradient norms of a run:
  /// `eta_t ∝ w_t * sum_{s>t} w_s` with `w = g^-2` (L2) or `g^-1` (L1), after
  /// filling invalid norms from their neighbours and a median filter of width
  /// `2 * floor(smoothing * n / 2) + 1` (reflect-padded on the right, clamped
  /// on the left, as the reference); normalised to max 1, last step 0.
  ///
  /// - Parameters:
  ///   - norms: per-step gradient norms, `n >= 1`.
  ///   - smoothing: filter width as a fraction of the run, in [0, 1].
  /// - Complexity: O(n + w) for a filter of width w (see `medianFilter`).
  public init(norms: [Double], kind: NormKind, smoothing: Double) throws(RefinementError) {
    let (g, skipped) = try Self.smoothed(norms, smoothing: smoothing)
    self.multipliers = [Double](unsafeUninitializedCapacity: g.count) { out, initialized in
      g.withUnsafeBufferPointer { Self.closedForm($0, kind: kind, into: out.baseAddress!) }
      initialized = g.count
    }
    self.skipped = skipped
    self.smoothedNorms = g
  }

  /// The norms repaired (see `repaired(_:)`) and median-filtered with width
  /// `2 * floor(smoothing * n / 2) + 1`, and how many were repaired.
  ///
  /// - Complexity: O(n + w) (radix ranks and a bitmap walk; see `medianFilter`).
  public static func smoothed(_ norms: [Double], smoothing: Double) throws(RefinementError) -> ([Double], Int) {
    let width = try filterWidth(count: norms.count, smoothing: smoothing)
    let (g, skipped) = try repaired(norms)
    return (width > 1 ? medianFilter(g, width: width) : g, skipped)
  }

  /// Refines straight into a caller's buffer of `norms.count` doubles (the C
  /// API's path): the smoothed norms are written into `out` and replaced
  /// there by the multipliers, and the norms are copied only when some need
  /// repair or `out` overlaps them (in-place refinement is allowed).
  /// Returns how many were repaired.
  ///
  /// - Complexity: as `init(norms:kind:smoothing:)`.
  public static func refine(_ norms: UnsafeBufferPointer<Double>, kind: NormKind, smoothing: Double,
                            into out: UnsafeMutablePointer<Double>) throws(RefinementError) -> Int {
    let width = try filterWidth(count: norms.count, smoothing: smoothing)
    let skipped = invalidCount(norms)
    let start = UnsafePointer(out), end = start + norms.count
    let overlaps = norms.count > 0 && start < norms.baseAddress! + norms.count && norms.baseAddress! < end
    if skipped == 0 && !overlaps {
      medianFilter(norms, width: width, into: out)
    } else {
      let (g, _) = try repaired(Array(norms))
      g.withUnsafeBufferPointer { medianFilter($0, width: width, into: out) }
    }
    closedForm(UnsafeBufferPointer(start: out, count: norms.count), kind: kind, into: out)
    return skipped
  }

  /// The median filter's width for `count` norms: `2 * floor(smoothing * count / 2) + 1`.
  static func filterWidth(count: Int, smoothing: Double) throws(RefinementError) -> Int {
    guard count >= 1 else { throw RefinementError(description: "need at least one gradient norm") }
    guard smoothing.isFinite, smoothing >= 0, smoothing <= 1 else {
      throw RefinementError(description: "smoothing must be in [0, 1], got \(smoothing)")
    }
    return 2 * (Int(smoothing * Double(count)) / 2) + 1
  }

  /// How many of `norms` are not finite and positive.
  /// - Complexity: O(n), branch-free (vectorized).
  static func invalidCount(_ norms: UnsafeBufferPointer<Double>) -> Int {
    var count = 0
    for x in norms { count &+= x > 0 && x <= .greatestFiniteMagnitude ? 0 : 1 }  // false for NaN and infinities
    return count
  }

  /// A norm refinement can use: finite and positive.
  @inline(__always)
  static func isValid(_ x: Double) -> Bool { x.isFinite && x > 0 }

  /// Writes the closed form for the (repaired, smoothed) norms `g` into
  /// `out[0 ..< g.count]` (which may be `g` itself): `eta_t = w_t * sum_{s>t} w_s`, normalised to max 1,
  /// last step 0. Weights are powers of `largest / g_t` (>= 1): the
  /// multipliers do not depend on the norms' scale, and the weights stay
  /// finite for any scale. The suffix sums are compensated (Neumaier).
  ///
  /// - Precondition: every `g[i]` finite and positive, `g.count >= 1`.
  /// - Complexity: O(n), two passes.
  public static func closedForm(_ g: UnsafeBufferPointer<Double>, kind: NormKind, into out: UnsafeMutablePointer<Double>) {
    let n = g.count
    var largest = g[0], smallest = g[0]
    for x in g {
      largest = Swift.max(largest, x)
      smallest = Swift.min(smallest, x)
    }
    // eta reaches n x (largest / smallest)^(2p): past the double range
    // (norms spanning more than ~10^75 for L2), work with logarithms.
    let exponent = (kind == .l2 ? 2.0 : 1.0) * (Double.log2(largest) - Double.log2(smallest))
    guard 2 * exponent + Double.log2(Double(n)) < 1000 else {
      closedFormInLogs(g, kind: kind, largest: largest, into: out)
      return
    }
    let fallback = Double.greatestFiniteMagnitude / Double(n)
    let parts = n >= parallelMinimum ? 2 : 1
    // The weights first (a division each; two threads for long runs).
    inParts(parts, of: 0..<n) { range in
      for t in range {
        let ratio = largest / g[t]  // >= 1
        let weight = kind == .l2 ? ratio * ratio : ratio
        out[t] = weight.isFinite ? weight : fallback  // norms spanning more than the double range
      }
    }
    // Then eta_t = w_t * (sum of w over s > t), the sum being tail +
    // compensation (Neumaier: the running sum's dependency chain is one
    // addition; the lost low parts add up beside it).
    var tail = 0.0
    var compensation = 0.0
    var peak = 0.0
    for t in stride(from: n - 1, through: 0, by: -1) {
      let weight = out[t]
      let eta = weight * (tail + compensation)
      out[t] = eta
      peak = Swift.max(peak, eta)
      let sum = tail + weight
      compensation += tail >= weight ? (tail - sum) + weight : (weight - sum) + tail
      tail = sum
    }
    if peak > 0 && peak.isFinite {
      inParts(parts, of: 0..<n) { range in
        for t in range { out[t] /= peak }
      }
    }
    out[n - 1] = 0
  }


  /// The closed form for norms spanning more than the double range allows
  /// the direct form: `log w_t = p (log largest - log g_t)`, the suffix sums
  /// as running log-sum-exps, `log eta_t = log w_t + log sum_{s>t} w_s`,
  /// and `eta_t / max eta = exp(log eta_t - max log eta)`: max 1, last 0,
  /// every value finite (what underflows is below 2^-1074 of the peak).
  ///
  /// - Complexity: O(n); a log, an exp and a log1p per step.
  static func closedFormInLogs(_ g: UnsafeBufferPointer<Double>, kind: NormKind, largest: Double,
                               into out: UnsafeMutablePointer<Double>) {
    let n = g.count
    let p = kind == .l2 ? 2.0 : 1.0
    let logLargest = Double.log(largest)
    var logTail = -Double.infinity  // log of sum_{s>t} w_s
    var peak = -Double.infinity
    for t in stride(from: n - 1, through: 0, by: -1) {
      let logWeight = p * (logLargest - Double.log(g[t]))
      let logEta = logWeight + logTail
      out[t] = logEta
      peak = Swift.max(peak, logEta)
      if logTail == -.infinity {
        logTail = logWeight
      } else {
        let high = Swift.max(logTail, logWeight), low = Swift.min(logTail, logWeight)
        logTail = high + Double.log(onePlus: Double.exp(low - high))
      }
    }
    for t in 0..<n { out[t] = peak.isFinite ? Double.exp(out[t] - peak) : 0 }
    out[n - 1] = 0
  }

  /// Norms with every non-finite or non-positive entry replaced by linear
  /// interpolation between its nearest valid neighbours (the nearest valid
  /// value at the ends), and how many were replaced.
  ///
  /// - Complexity: O(n); no copy when every norm is valid.
  static func repaired(_ norms: [Double]) throws(RefinementError) -> ([Double], Int) {
    var first = -1, last = -1, skipped = 0
    norms.withUnsafeBufferPointer { norms in
      for i in 0..<norms.count {
        if isValid(norms[i]) {
          if first < 0 { first = i }
          last = i
        } else {
          skipped += 1
        }
      }
    }
    guard first >= 0 else {
      throw RefinementError(description: "no gradient norm is finite and positive (\(norms.count) given)")
    }
    if skipped == 0 { return (norms, 0) }
    var g = norms
    for i in 0..<first { g[i] = norms[first] }
    for i in (last + 1)..<norms.count { g[i] = norms[last] }
    var previous = first
    for i in (first + 1)..<(last + 1) where isValid(norms[i]) {
      if i > previous + 1 {
        let a = norms[previous], b = norms[i]
        for j in (previous + 1)..<i {
          g[j] = a + (b - a) * Double(j - previous) / Double(i - previous)
        }
      }
      previous = i
    }
    return (g, skipped)
  }

  /// Wraps multipliers computed elsewhere (to build their spec).
  public static func fromMultipliers(_ multipliers: [Double]) -> Refinement {
    Refinement(multipliers: multipliers, skipped: 0, smoothedNorms: [])
  }

  init(multipliers: [Double], skipped: Int, smoothedNorms: [Double]) {
    self.multipliers = multipliers
    self.skipped = skipped
    self.smoothedNorms = smoothedNorms
  }

  /// A spec (JSON text) playing the multipliers as a `table`, scaled by
  /// `peak`, optionally after a linear warmup of `warmupSteps` from 0 to the
  /// table's value at the end of the warmup (which replaces the table's
  /// first `warmupSteps` values).
  public func spec(peak: Double, warmupSteps: Int = 0) -> String {
    let n = multipliers.count
    let w = Swift.max(0, Swift.min(warmupSteps, n - 1))
    var phases: [JSONValue] = []
    if w > 0 {
      phases.append(rampJSON("linear", steps: Double(w), from: 0, to: multipliers[w]))
    }
    phases.append(phaseJSON("table", [("values", .array(multipliers[w...].map { json($0) }))]))
    return JSONWriter.render(.object([
      ("version", json(1.0)), ("peak", json(peak)), ("after", .string("hold")), ("phases", .array(phases)),
    ]))
  }
}
