//===--- IRT.swift --------------------------------------------------------===//
// 1PL (Rasch) item response theory: PUDF's ability estimate and the
// checks shared by the fit.
//===----------------------------------------------------------------------===//
import PaceEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Item response theory for data pacing (algorithms.md §9): the 1PL model
/// `P(correct | theta, b) = sigma(theta - b)`, MAP estimates under N(0, 1)
/// priors on abilities and difficulties. Both functions are deterministic.
public enum IRT {
  /// The logistic function, stable at both ends.
  @inline(__always)
  static func sigmoid(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + exp(-x)) : { let e = exp(x); return e / (1 + e) }()
  }

  /// PUDF's ability estimate: the theta maximising
  /// `log N(theta; 0, 1) + sum_i log(1 + (2 sigma(theta - b_i) - 1) r_i)`
  /// (`r_i` = +1 right, -1 wrong), i.e. the MAP ability of a model whose
  /// answers to items of difficulties `b` are `r`.
  ///
  /// The objective is strictly concave; its maximum lies in
  /// `[-wrong, right]` (the counts of wrong and right answers). Newton's
  /// method from PUDF's start 0.1, kept inside a shrinking bracket
  /// (bisection when a step leaves it), to |derivative| <= 1e-12 (1 + n).
  ///
  /// - Throws: ``DataError/argument(_:)`` for a length mismatch, a
  ///   non-finite difficulty or a response other than +1 / -1.
  /// - Complexity: O(n) per iteration; a few dozen iterations at most.
  public static func ability(difficulties: UnsafeBufferPointer<Double>, responses: UnsafeBufferPointer<Int8>) throws(DataError) -> Double {
    guard difficulties.count == responses.count else {
      throw .argument("difficulties (\(difficulties.count)) and responses_pm1 (\(responses.count)) differ in length")
    }
    var right = 0.0, wrong = 0.0
    for i in 0..<responses.count {
      guard difficulties[i].isFinite else { throw .argument("difficulties[\(i)] is not finite (\(difficulties[i]))") }
      switch responses[i] {
      case 1: right += 1
      case -1: wrong += 1
      default: throw .argument("responses_pm1[\(i)] = \(responses[i]) is not +1 or -1")
      }
    }
    // f'(theta) and -f''(theta).
    func slope(_ theta: Double) -> (Double, Double) {
      var g = -theta, h = 1.0
      for i in 0..<responses.count {
        let p = sigmoid(theta - difficulties[i])
        g += responses[i] == 1 ? 1 - p : -p
        h += p * (1 - p)
      }
      return (g, h)
    }
    var lo = -wrong - 1, hi = right + 1
    var theta = 0.1
    let tolerance = 1e-12 * (1 + Double(responses.count))
    for _ in 0..<200 {
      let (g, h) = slope(theta)
      if abs(g) <= tolerance { break }
      if g > 0 { lo = theta } else { hi = theta }
      var next = theta + g / h
      if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
      if next == theta { break }
      theta = next
    }
    return theta
  }

  /// ``ability(difficulties:responses:)`` over arrays.
  public static func ability(difficulties: [Double], responses: [Int8]) throws(DataError) -> Double {
    let r: Result<Double, DataError> = difficulties.withUnsafeBufferPointer { b in
      responses.withUnsafeBufferPointer { y in Result { () throws(DataError) in try ability(difficulties: b, responses: y) } }
    }
    return try r.get()
  }
}
