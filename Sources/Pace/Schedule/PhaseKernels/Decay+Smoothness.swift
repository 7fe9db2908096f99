//===--- Decay+Smoothness.swift -------------------------------------------===//
// Each decay curve's derivative and sensitivity bounds (FillSmoothness).
//===----------------------------------------------------------------------===//

/// A decay curve's bounds for certified float32 fills: its third
/// derivative over a progress interval and how much the roundings of `p`
/// and `q` move it.
@usableFromInline
protocol DecaySmoothness {
  /// An upper bound of `|d'''(p)|` over `progress` (a sub-interval of
  /// [0, 1]); nil where it is unbounded or not known.
  func thirdDerivativeBound(over progress: ClosedRange<Double>) -> Double?
  /// An upper bound of `p |dd/dp| + q |dd/dq|` over [0, 1] (over the
  /// progress where ``thirdDerivativeBound(over:)`` gives a bound): the
  /// relative error of `p` and `q` (a few units in the last place) times
  /// this is the error it causes in `d`.
  var sensitivity: Double { get }
  /// For a curve that decreases over [0, 1] (a base that ``Decay/Raised``
  /// can raise with bounds): bounds of `|d'|`, `|d''|` and `|d'''|` there;
  /// nil (the default) for the others.
  var derivativeBounds: (first: Double, second: Double, third: Double)? { get }
  /// True for a curve that decreases over [0, 1] and whose evaluation errs
  /// by a few units in the last place of `d` itself (also where `d` nears
  /// 0: formed from `q` there, without cancellation); false (the default)
  /// where the error is only small against 1 (`1 - sqrt(p)`, `1 - p^2`)
  /// or the curve turns (cosine cycles).
  var isRelativelyAccurate: Bool { get }
}

extension DecaySmoothness {
  var derivativeBounds: (first: Double, second: Double, third: Double)? { nil }
  var isRelativelyAccurate: Bool { false }
}

extension Decay.Linear { var isRelativelyAccurate: Bool { true } }
extension Decay.QuadraticPolynomial { var isRelativelyAccurate: Bool { true } }
extension Decay.HalfCosine { var isRelativelyAccurate: Bool { true } }
extension Decay.Rex { var isRelativelyAccurate: Bool { true } }
extension Decay.Uba { var isRelativelyAccurate: Bool { true } }

extension Decay.Linear {
  var derivativeBounds: (first: Double, second: Double, third: Double)? { (1, 0, 0) }
}

extension Decay.HalfCosine {
  /// `(1 + cos(pi p)) / 2`: `pi / 2`, `pi^2 / 2`, `pi^3 / 2`.
  var derivativeBounds: (first: Double, second: Double, third: Double)? { (1.5708, 4.9349, 15.51) }
}

/// The largest `|d'''|` over [0, 1] and ``DecaySmoothness/sensitivity``.
typealias UniformDecayBounds = (thirdDerivative: Double, sensitivity: Double)

/// A curve whose bounds are constants over all of [0, 1].
protocol UniformDecaySmoothness: DecaySmoothness {
  static var uniformBounds: UniformDecayBounds { get }
}

extension UniformDecaySmoothness {
  func thirdDerivativeBound(over progress: ClosedRange<Double>) -> Double? { Self.uniformBounds.thirdDerivative }
  var sensitivity: Double { Self.uniformBounds.sensitivity }
}

// `1 - p`, `(1 - p)^2` and `1 - p^2`: polynomials of degree at most 2;
// `(1 + cos(pi p)) / 2`: `|d'''| <= pi^3 / 2`; REX, `2 - 2 / (2 - p)`:
// `|d'''| = 12 / (2 - p)^4 <= 12`.
extension Decay.Linear: UniformDecaySmoothness { static var uniformBounds: UniformDecayBounds { (0, 1) } }
extension Decay.QuadraticPolynomial: UniformDecaySmoothness { static var uniformBounds: UniformDecayBounds { (0, 2) } }
extension Decay.Square: UniformDecaySmoothness { static var uniformBounds: UniformDecayBounds { (0, 2) } }
extension Decay.HalfCosine: UniformDecaySmoothness { static var uniformBounds: UniformDecayBounds { (15.51, 3.2) } }
extension Decay.Rex: UniformDecaySmoothness { static var uniformBounds: UniformDecayBounds { (12.01, 4) } }

extension Decay.Cosine: DecaySmoothness {
  /// `d = (1 + cos(2 pi c p)) / 2`: `|d'''| <= 4 pi^3 c^3`.
  func thirdDerivativeBound(over progress: ClosedRange<Double>) -> Double? {
    let c = Swift.abs(cycles)
    return 124.03 * c * c * c
  }
  var sensitivity: Double { 3.2 * Swift.abs(cycles) + 1 }
}

extension Decay.Sqrt: DecaySmoothness {
  /// `d = 1 - sqrt(p)`: `|d'''| = (3/8) p^(-5/2)`, largest at the low end
  /// (unbounded at 0).
  func thirdDerivativeBound(over progress: ClosedRange<Double>) -> Double? {
    let low = progress.lowerBound
    guard low > 0 else { return nil }
    return 0.3751 / (low * low * low.squareRoot())
  }
  var sensitivity: Double { 1 }
}

extension Decay.Uba: DecaySmoothness {
  /// `d = g(s)`, `g(s) = 2 s / D(s)`, `D(s) = 2 phi + (2 - phi) s`,
  /// `s = 1 + cos(pi p)` in [0, 2]: `g' = 4 phi / D^2`,
  /// `g'' = -8 phi (2 - phi) / D^3`, `g''' = 24 phi (2 - phi)^2 / D^4`;
  /// `|s'|, |s''|^(1/2), |s'''|^(1/3) <= pi`; `D` (linear in `s`) is at
  /// least `min(2 phi, 4)`. So
  /// `|d'''| = |g''' s'^3 + 3 g'' s' s'' + g' s'''| <= pi^3 (|g'''| + 3 |g''| + |g'|)`.
  func thirdDerivativeBound(over progress: ClosedRange<Double>) -> Double? {
    guard phi > 0, phi.isFinite else { return nil }
    let d = Swift.min(2 * phi, 4)
    let a = Swift.abs(2 - phi)
    let g1 = 4 * phi / (d * d)
    let g2 = 8 * phi * a / (d * d * d)
    let g3 = 24 * phi * a * a / (d * d * d * d)
    return 31.01 * (g3 + 3 * g2 + g1) * 1.001
  }

  var sensitivity: Double {
    let d = Swift.min(2 * phi, 4)
    return 6 * 4 * phi / (d * d) + 2
  }
}

extension Decay.Raised: DecaySmoothness {
  /// The smallest base a bound is given for: below it `base^exponent` has
  /// large derivatives for exponents under 3, and those steps (values
  /// within 2^-6e of the phase's end value) are evaluated exactly.
  static var smallestBase: Double { 0x1p-6 }

  /// `d = b^e` for a base `b` that decreases (``DecaySmoothness/derivativeBounds``),
  /// at least ``smallestBase`` over `progress` (its value at the top):
  /// `d''' = e (e-1) (e-2) b^(e-3) b'^3 + 3 e (e-1) b^(e-2) b' b'' + e b^(e-1) b'''`,
  /// with `b^k <= 1` for `k >= 0` and `b^k <= b(top)^k` for `k < 0`.
  func thirdDerivativeBound(over progress: ClosedRange<Double>) -> Double? {
    guard let bounds = base.derivativeBounds, exponent > 0, exponent.isFinite else { return nil }
    let top = progress.upperBound
    let smallest = base(p: top, q: 1 - top) * (1 - 0x1p-30)
    guard smallest >= Self.smallestBase else { return nil }
    let e = exponent
    func power(_ k: Double) -> Double { k >= 0 ? 1 : Elementary.pow(smallest, k) }
    let (b1, b2, b3) = (bounds.first, bounds.second, bounds.third)
    let third = Swift.abs(e * (e - 1) * (e - 2)) * power(e - 3) * b1 * b1 * b1
    let mixed = 3 * Swift.abs(e * (e - 1)) * power(e - 2) * b1 * b2
    return (third + mixed + e * power(e - 1) * b3) * 1.001
  }

  /// Where a bound is given: the base's sensitivity times `e b^(e-1)`
  /// (at most `e` for `e >= 1`, `e 2^6` below), plus `pow`'s own error
  /// (its exponent `e log2 b`, at most `6 e` in size, rounded; a few units).
  var sensitivity: Double { base.sensitivity * exponent * (exponent >= 1 ? 1 : 64) + 16 + 6 * exponent }

  /// `pow` errs relatively, so a relatively accurate base stays so.
  var isRelativelyAccurate: Bool { base.isRelativelyAccurate && exponent > 0 }
}
