//===--- Kernel+Smoothness.swift ------------------------------------------===//
// The kernels that bound their smoothness for certified float32 fills.
//===----------------------------------------------------------------------===//

extension Kernel.Interpolating {
  static var hasFillSmoothness: Bool { true }

  /// `f = to + (from - to) d(p)`, `p = (u + inclusive) / length`:
  /// `|f'''| = |from - to| |d'''| / length^3`; the error is that of `d`
  /// (its series, the quotients `p` and `q`) scaled by `|from - to|`, plus
  /// the final fused multiply-add's rounding: relative to `f` (but for the
  /// end value) for the curves that are accurate relatively.
  func fillSmoothness(positions: ClosedRange<Double>) -> FillSmoothness? {
    guard let progress = Kernel.progressInterval(positions, length: length, inclusive: inclusive,
                                                 mirrored: mirrored),
      let derivative = decay.thirdDerivativeBound(over: progress)
    else { return nil }
    let amplitude = Swift.abs(fromMinusTo)
    let thirdDerivative = amplitude * derivative / (length * length * length) * (1 + 0x1p-40)
    let unit = FillSmoothness.unitError * (1 + decay.sensitivity)
    guard decay.isRelativelyAccurate else {
      let scale = amplitude * (1 + decay.sensitivity) + Swift.abs(from) + Swift.abs(to)
      return FillSmoothness(thirdDerivative: thirdDerivative, error: scale * FillSmoothness.unitError).validated
    }
    // `d` errs by `unit d` at most, so `(from - to) d` by `unit |f - anchor|`
    // (`anchor` the value where d = 0: `to`, or `from` for a mirrored
    // warmup) <= `unit (|f| + |anchor|)`; `f` is monotone.
    let anchor = mirrored ? Swift.abs(from) : Swift.abs(to)
    return FillSmoothness(thirdDerivative: thirdDerivative, error: unit * anchor, relativeError: unit + 0x1p-50)
      .validated
  }
}

extension Kernel.Exponential {
  static var hasFillSmoothness: Bool { true }

  /// `f = from 2^(v log2 base)`, `v` the position or its progress (without
  /// a staircase, whose steps are corners): `f''' = (ln 2 log2 base / l)^3 f`
  /// (`l` = 1 or the length) and `|f|` monotone, so both bounds are
  /// relative; the exponent's rounding moves `f` by about `|exponent|`
  /// units in the last place.
  func fillSmoothness(positions: ClosedRange<Double>) -> FillSmoothness? {
    guard staircase == nil else { return nil }
    var rate = Swift.abs(log2Base.hi) * 0.6931471805599454  // |ln base| (per unit of v)
    var largestExponent: Double
    if let length {
      guard Kernel.progressInterval(positions, length: length, inclusive: inclusive, mirrored: false) != nil
      else { return nil }
      rate /= length
      largestExponent = Swift.abs(log2Base.hi)
    } else {
      guard positions.lowerBound >= 0 else { return nil }
      largestExponent = Swift.abs(log2Base.hi) * positions.upperBound
    }
    largestExponent = Swift.min(largestExponent, 0x1p20)
    return FillSmoothness(thirdDerivative: 0, relativeThirdDerivative: rate * rate * rate * (1 + 0x1p-30),
                          error: 0, relativeError: (16 + largestExponent) * FillSmoothness.unitError).validated
  }
}

extension Kernel.InverseSqrt {
  static var hasFillSmoothness: Bool { true }

  /// `f = from / sqrt(1 + u / s)`: `f''' = -(15/8) f / (u + s)^3`, largest at
  /// the low end, and `|f|` decreasing in `u`.
  func fillSmoothness(positions: ClosedRange<Double>) -> FillSmoothness? {
    let low = positions.lowerBound + timescale
    guard timescale > 0, timescale.isFinite, positions.lowerBound >= 0 else { return nil }
    return FillSmoothness(thirdDerivative: 0, relativeThirdDerivative: 1.8751 / (low * low * low),
                          error: 0, relativeError: 16 * FillSmoothness.unitError).validated
  }
}
