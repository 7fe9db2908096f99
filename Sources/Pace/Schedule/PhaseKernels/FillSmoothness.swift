//===--- FillSmoothness.swift ---------------------------------------------===//
// What a kernel guarantees about its formula's smoothness and its rounding,
// so that float32 fills may interpolate between exactly computed steps.
//===----------------------------------------------------------------------===//

/// Bounds that a kernel proves over a range of positions `u`, about the
/// mathematical formula `f` that it evaluates (its stored parameters taken
/// as exact) and about its floating-point evaluation `g`:
///
/// - `|f'''(u)| <= thirdDerivative + relativeThirdDerivative * m` (per step
///   cubed),
/// - `|g(u) - f(u)| <= error + relativeError * m`,
///
/// at every position of the range, `m` being the larger of `|f|` at the
/// range's two ends. A kernel may give relative terms only where `|f|` is
/// monotone over the range (so that `m` bounds `|f|` inside it).
///
/// The float32 fill (``FillRun/fillInterpolatedFloats(_:from:base:)``)
/// turns these into an interval that must contain `value(at:)` of each
/// step, and stores an interpolated value only when the whole interval
/// rounds to one float32: the bits of `Float(value(at:))` either way. The
/// bounds are deliberately loose (the evaluation errors are a few units in
/// the last place; the kernels claim 2^8 times more): a loose bound costs
/// a few more exactly evaluated steps, never a wrong bit.
@usableFromInline
struct FillSmoothness {
  @usableFromInline var thirdDerivative: Double
  @usableFromInline var relativeThirdDerivative: Double
  @usableFromInline var error: Double
  @usableFromInline var relativeError: Double

  @inlinable
  init(thirdDerivative: Double, relativeThirdDerivative: Double = 0, error: Double, relativeError: Double = 0) {
    self.thirdDerivative = thirdDerivative
    self.relativeThirdDerivative = relativeThirdDerivative
    self.error = error
    self.relativeError = relativeError
  }

  /// Nil unless every bound is finite and non-negative (NaN parameters
  /// give no bound: their fills evaluate every step).
  @inlinable
  var validated: FillSmoothness? {
    // Each term finite and non-negative; one sum for the four (a sum of
    // non-negative terms is finite only when each is; NaN fails `>= 0`).
    let valid = thirdDerivative >= 0 && relativeThirdDerivative >= 0 && error >= 0 && relativeError >= 0
    return valid && (thirdDerivative + relativeThirdDerivative + error + relativeError).isFinite ? self : nil
  }

  /// The evaluation error the kernels claim for one rounding-dominated
  /// formula of unit size: 2^-44, about 2^8 times the errors the Swift tests
  /// measure (`FillSmoothnessTests`).
  @usableFromInline static let unitError = 0x1p-44
}

extension Kernel {
  /// The progress interval `[p(a), p(b)]` (the decay's own argument: `q`
  /// for a mirrored warmup) of positions `a ... b` over `length` steps,
  /// widened by 2^-40 for the roundings of `p`; nil when a position there
  /// is clamped (outside the phase), where the formula has a corner.
  static func progressInterval(_ positions: ClosedRange<Double>, length: Double, inclusive: Bool,
                               mirrored: Bool) -> ClosedRange<Double>? {
    guard length.isFinite, length > 0 else { return nil }
    let shift = inclusive ? 1.0 : 0.0
    let a = positions.lowerBound + shift
    let b = positions.upperBound + shift
    guard a >= 0, b <= length else { return nil }
    var low = a / length
    var high = b / length
    if mirrored { (low, high) = (1 - high, 1 - low) }
    return Swift.max(0, low - 0x1p-40)...Swift.min(1, high + 0x1p-40)
  }
}
