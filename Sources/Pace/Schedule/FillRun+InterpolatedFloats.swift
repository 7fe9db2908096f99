//===--- FillRun+InterpolatedFloats.swift ---------------------------------===//
// float32 fills that interpolate between exact steps where rounding allows.
//===----------------------------------------------------------------------===//

extension FillRun {
  /// The shortest and longest chunk (steps between the outer knots of one
  /// interpolation) of ``fillInterpolatedFloats(_:from:base:)``: powers of
  /// two, so that half a chunk is a whole number of blocks.
  @inlinable static var shortestChunk: Int { 2 * blockVectors * FillLanes.scalarCount }
  @inlinable static var longestChunk: Int { 4096 }
  /// Vectors per block of the rejection test's first pass: a chunk has at
  /// most 64 blocks (one bit each): 16 vectors of 4 lanes, 8 of 8.
  @inlinable static var blockVectors: Int { Self.longestChunk / FillLanes.scalarCount / 64 }
  /// Steps evaluated exactly before the bounds are asked again where a
  /// kernel gives none or its derivative needs chunks below the shortest.
  @inlinable static var exactStretch: Int { 1024 }
  /// The interpolation error a chunk length is chosen for, relative to the
  /// value: 2^-36, far below float32's half unit (2^-25 relative), so that
  /// about one vector in a thousand straddles a rounding boundary.
  @inlinable static var interpolationBudget: Double { 0x1p-36 }
  /// `max |(x - 0)(x - 1/2)(x - 1)| / 3!` over [0, 1] (`sqrt(3) / 216`,
  /// rounded up): the quadratic interpolation error of a chunk of length 1
  /// per unit of third derivative.
  @inlinable static var quadraticErrorFactor: Double { 0.0081 }

  /// Fills float32 values from index `first` on (aligned for a vector
  /// store) and returns the index where it stopped (the caller's exact loop
  /// stores the rest, fewer than `2 * lanes * shortestChunk` steps).
  ///
  /// Where `kernel` bounds its smoothness (``PhaseKernel/fillSmoothness(positions:)``),
  /// the steps are cut into chunks of `h` steps (`h` from the third
  /// derivative, so that the interpolation error stays below
  /// ``interpolationBudget`` of the value); the values at each chunk's
  /// ends and middle (knots, a vector of them at once) are computed
  /// exactly, and each step's value is the quadratic through its chunk's
  /// three knots. The interpolation is within a proven radius `r` of
  /// `value(at:)` (the interpolation error `|f'''| h^3 sqrt(3) / 216`, the
  /// evaluation errors of the knots and of the step, the polynomial's own
  /// rounding), so when `w - r` and `w + r` round to the same float32, so
  /// does `value(at:)` (rounding is monotone; chunks whose interval may
  /// reach zero are evaluated exactly, so the sign is the value's too):
  /// that float32 is stored. Otherwise (about one vector in a thousand,
  /// and every vector of values too small for the radius) the vector is
  /// evaluated exactly.
  /// So every stored value is `Float(value(at:))`, bit for bit, at the cost
  /// of two exact steps per chunk plus two multiply-adds, two conversions
  /// and a comparison per vector.
  ///
  /// - Complexity: O(end - first), with O((end - first) / h) kernel
  ///   evaluations where the bounds allow chunks of `h` steps.
  @inlinable
  func fillInterpolatedFloats<K: PhaseKernel>(_ kernel: K, from first: Int, base: UnsafeMutablePointer<Float>) -> Int {
    let width = FillLanes.scalarCount
    let peakLanes = FillLanes(repeating: peak)
    let startLanes = FillLanes(repeating: origin)
    let offsetLanes = FillLanes(repeating: offset)
    let absolutePeak = Swift.abs(peak)
    /// The exact values (the exact loop's operations) at indices
    /// `k + spacing * (lane + shift)`.
    func exactValues(at k: Int, spacing: Int = 1, shift: Double = 0) -> FillLanes {
      let steps = (FillLanes.laneOffsets + FillLanes(repeating: shift)) * FillLanes(repeating: Double(spacing))
        + FillLanes(repeating: Double(start + Int64(k)))
      let u = (steps - startLanes) + offsetLanes
      return peakLanes * kernel(u: u, t: steps)
    }
    /// Stores the exact values of indices `k ..< end` (whole vectors), the
    /// steps counted up as in the exact loop.
    func storeExact(from k: Int, to end: Int) {
      var steps = FillLanes.laneOffsets + FillLanes(repeating: Double(start + Int64(k)))
      let stride = FillLanes(repeating: Double(width))
      for index in Swift.stride(from: k, to: end, by: width) {
        let values = peakLanes * kernel(u: (steps - startLanes) + offsetLanes, t: steps)
        UnsafeMutableRawPointer(base + index).storeBytes(of: values.roundedToFloat, as: FillFloatLanes.self)
        steps += stride
      }
    }
    func position(_ k: Int) -> Double { (Double(start + Int64(k)) - origin) + offset }

    var k = first
    var left: Double?  // the exact value at index k, when known
    while end - k > 2 * width * Self.shortestChunk {
      // A group: `width / 2` chunks of `chunk` steps, whose knots (middles
      // and ends) are one vector at spacing `chunk / 2`.
      let span = Swift.min(width / 2 * Self.longestChunk, end - 1 - k)
      var chunk = 0
      let bound = kernel.fillSmoothness(positions: position(k)...position(k + span))
      if let bound {
        let v0 = left ?? exactValues(at: k)[0]
        left = v0
        // The interpolation error may be as large as the evaluation errors
        // the radius holds anyway (near a decay's zero they dominate).
        let evaluation = absolutePeak * bound.error + bound.relativeError * Swift.abs(v0)
        let budget = Swift.max(Swift.abs(v0) * Self.interpolationBudget, 2 * evaluation)
        let derivative = absolutePeak * bound.thirdDerivative + bound.relativeThirdDerivative * Swift.abs(v0)
        chunk = Self.longestChunk
        while chunk >= Self.shortestChunk && (width / 2 * chunk > span
          || derivative * Self.quadraticErrorFactor * Double(chunk * chunk) * Double(chunk) > budget) { chunk /= 2 }
      }
      guard let bound, chunk >= Self.shortestChunk, var v0 = left else {
        let stretchEnd = k + Swift.min(Self.exactStretch, (end - k) / width * width)
        storeExact(from: k, to: stretchEnd)
        k = stretchEnd
        left = nil
        continue
      }
      let knots = exactValues(at: k, spacing: chunk / 2, shift: 1)
      for c in 0..<(width / 2) {
        let v2 = knots[2 * c + 1]
        interpolateChunk(from: k + c * chunk, steps: chunk, through: (v0, knots[2 * c], v2), bound: bound,
                         base: base, exact: storeExact(from:to:))
        v0 = v2
      }
      left = v0
      k += width / 2 * chunk
    }
    return k
  }

  /// Stores the `steps` values from index `k` on (`steps / 2` a multiple of
  /// `blockVectors` vectors) interpolated through the exact values `knots` at `k`,
  /// `k + steps / 2` and `k + steps` where the rounding test passes, else
  /// through `exact` (which stores the exact values of an index range).
  @inlinable @inline(__always)
  func interpolateChunk(from k: Int, steps: Int, through knots: (Double, Double, Double), bound: FillSmoothness,
                        base: UnsafeMutablePointer<Float>, exact: (Int, Int) -> Void) {
    let width = FillLanes.scalarCount
    let absolutePeak = Swift.abs(peak)
    let (v0, v1, v2) = knots
    let h = Double(steps)
    let magnitude = Swift.max(Swift.abs(v0), Swift.abs(v1), Swift.abs(v2))
    // |f| at the ends (and the middle), and the radius around the
    // interpolation that holds value(at:): the interpolation error, the
    // knots' errors through the quadratic's basis (Lebesgue constant 5/4),
    // the step's own error, and the polynomial's coefficients and
    // evaluation (each term at most 16 times the magnitude, a few roundings).
    let m = (magnitude + absolutePeak * bound.error) * (1 + 2 * bound.relativeError)
    let interpolation = (absolutePeak * bound.thirdDerivative + bound.relativeThirdDerivative * m)
      * Self.quadraticErrorFactor * h * h * h
    let evaluation = absolutePeak * bound.error + bound.relativeError * m + (m + interpolation) * 0x1p-51
    let radius = (interpolation + 2.25 * evaluation + m * 0x1p-44) * 1.0625 + 0x1p-1060
    // v0 + j (c1 + j c2): the quadratic through (0, v0), (h/2, v1), (h, v2).
    let halfStep = 2 / h
    let d1 = (v1 - v0) * halfStep
    let c2 = ((v2 - v1) * halfStep - d1) / h
    let c1 = d1 - c2 * (h / 2)
    let c0Lanes = FillLanes(repeating: v0)
    let c1Lanes = FillLanes(repeating: c1)
    let c2Lanes = FillLanes(repeating: c2)
    let radiusLanes = FillLanes(repeating: radius)
    let stride = FillLanes(repeating: Double(width))
    // Away from zero, so that equal float32 ends carry the value's sign
    // too: the quadratic stays within |v0 - 2 v1 + v2| / 2 of the chord
    // from v0 to v2, and the interval around it must not reach zero.
    // Where the radius is so wide against the values that most vectors
    // would fail the test (beyond 2^-31 of the value, about one lane in 40
    // fails against float32's half unit of 2^-25 to 2^-24, and past that
    // the two passes cost more than exact vectors), the chunk is evaluated
    // exactly at once.
    let reach = Swift.abs(v0 - 2 * v1 + v2) * 0.5 + 2 * radius
    let smallest = Swift.min(Swift.abs(v0), Swift.abs(v1), Swift.abs(v2))
    guard radius < smallest * 0x1p-31, Swift.min(v0, v2) - reach > 0 || Swift.max(v0, v2) + reach < 0 else {
      exact(k, k + steps)
      return
    }
    /// The float32 of the low end of the interval around the interpolation
    /// at chunk offsets `j`, and the lanes where it is not proven to be
    /// the value's float32 (the ends round differently).
    func interval(_ j: FillLanes) -> (low: FillFloatLanes, rejected: SIMDMask<FillFloatLanes.MaskStorage>) {
      let w = c0Lanes.addingProductLanes(j, c1Lanes.addingProductLanes(j, c2Lanes))
      let low = (w - radiusLanes).roundedToFloat
      let high = (w + radiusLanes).roundedToFloat
      return (low, low .!= high)
    }
    // First pass, without a branch per vector: store the low ends, noting
    // the blocks of `blockVectors` vectors with a rejected lane.
    let blockVectors = Self.blockVectors
    var failedBlocks: UInt64 = 0
    var j = FillLanes.laneOffsets
    var index = k
    var block = 0
    // Two vectors per iteration, each with its own offsets: one chain of
    // `j += stride` would bound the loop by the addition's latency.
    var j2 = j + stride
    let twoStrides = stride + stride
    while index < k + steps {
      var failed = SIMDMask<FillFloatLanes.MaskStorage>(repeating: false)
      for _ in 0..<(blockVectors / 2) {
        let (low, rejected) = interval(j)
        let (low2, rejected2) = interval(j2)
        failed = failed .| rejected .| rejected2
        UnsafeMutableRawPointer(base + index).storeBytes(of: low, as: FillFloatLanes.self)
        UnsafeMutableRawPointer(base + index + width).storeBytes(of: low2, as: FillFloatLanes.self)
        j += twoStrides
        j2 += twoStrides
        index += 2 * width
      }
      if Swift.any(failed) { failedBlocks |= 1 << UInt64(block) }
      block += 1
    }
    // Second pass (a block in a few hundred): the rejected vectors exactly.
    while failedBlocks != 0 {
      let block = failedBlocks.trailingZeroBitCount
      failedBlocks &= failedBlocks - 1
      for vector in (block * blockVectors)..<((block + 1) * blockVectors) {
        let j = FillLanes.laneOffsets + stride * FillLanes(repeating: Double(vector))
        if Swift.any(interval(j).rejected) {
          exact(k + vector * width, k + (vector + 1) * width)
        }
      }
    }
  }
}
