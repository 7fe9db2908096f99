//===--- DoubleLanes.swift ------------------------------------------------===//
// One float64 or a SIMD vector of them, for kernels written once.
//===----------------------------------------------------------------------===//

/// Arithmetic shared by `Double`, `SIMD4<Double>` and `SIMD8<Double>`, so
/// that a kernel is written once and its scalar and vector instances perform
/// the same IEEE operations in the same order: `pace_schedule_at` (one lane)
/// and the fills (``FillLanes``: four lanes, eight in x86-64-v4 builds) then
/// agree bit for bit.
@usableFromInline package protocol DoubleLanes {
  /// Every lane set to `value`.
  init(broadcast value: Double)
  static func + (a: Self, b: Self) -> Self
  static func - (a: Self, b: Self) -> Self
  static func * (a: Self, b: Self) -> Self
  static func / (a: Self, b: Self) -> Self
  /// Per lane: `ifTrue` where `a <= b`, else `ifFalse`.
  static func choose(_ a: Self, lessOrEqual b: Self, _ ifTrue: Self, _ ifFalse: Self) -> Self
  /// Per-lane square root (correctly rounded).
  var squareRootLanes: Self { get }
  /// Per-lane `-x`: the sign bit flipped (so `-0` for `0`, unlike `0 - x`),
  /// which the compiler folds into fused negative multiply-adds.
  var negatedLanes: Self { get }
  /// True when `a <= b` in every lane.
  static func all(_ a: Self, lessOrEqual b: Self) -> Bool
  /// True when `a < b` in every lane.
  static func all(_ a: Self, lessThan b: Self) -> Bool
  /// True when `a <= b` in some lane (the negation of "`a <= b` in no
  /// lane", NaN lanes included: theirs is false).
  static func any(_ a: Self, lessOrEqual b: Self) -> Bool
  /// Per lane: `ifTrue` where `a < b`, else `ifFalse`.
  static func choose(_ a: Self, lessThan b: Self, _ ifTrue: Self, _ ifFalse: Self) -> Self
  /// Per lane: `ifTrue` where `a == b`, else `ifFalse` (so NaN lanes of `a`
  /// take `ifFalse` when `b` is `a`).
  static func choose(_ a: Self, equal b: Self, _ ifTrue: Self, _ ifFalse: Self) -> Self
  /// Per lane: `ifTrue` where the sign bit of `x` is set (negative numbers,
  /// -0 and negative NaNs), else `ifFalse`.
  static func choose(signBitOf x: Self, _ ifTrue: Self, _ ifFalse: Self) -> Self
  /// Per lane `self + a * b` with one rounding (a fused multiply-add: one
  /// instruction with hardware FMA, a slow correctly rounded call without;
  /// kernels call `addingProductLanes`, which picks).
  func fusedAddingProductLanes(_ a: Self, _ b: Self) -> Self
  /// Per lane `2^n` for integer-valued `n` in [-1022, 1023], built from the
  /// bits (adding 1.5 * 2^52 puts `n` in the low bits of the significand);
  /// other `n` give unspecified values.
  static func twoPower(_ n: Self) -> Self
  /// Per lane `(m, e)` with `x = m * 2^e`, `m` in [1, 2), for positive
  /// normal finite `x` (the raw fields: unspecified for other `x`).
  static func significandAndExponent(_ x: Self) -> (Self, Self)
  /// Per lane `2^(j/16)` as a double-double `(hi, lo)`, `j` the low four
  /// bits of the lane's bit pattern (`Elementary.exp2`'s table; see
  /// DoubleLanes+Exp2.swift).
  static func twoPowerSixteenths(_ shifted: Self) -> (hi: Self, lo: Self)
  /// Per lane `x * 2^floor(n)` rounded once (to nearest, subnormal results
  /// included), for `n` in [-1100, 1100]; NaN `n` only with NaN `x`.
  static func scaled(_ x: Self, byTwoPowerFloor n: Self) -> Self
  /// Per lane `2^floor(k/16)` for the integer `k` held in the low bits of
  /// `shifted = 1.5 * 2^52 + k` (``Elementary/exp2(_:_:)``'s rounding), for
  /// `k` in [-16352, 16383] (normal powers of two); three integer operations
  /// on the bits. Other `k` give unspecified values.
  static func twoPowerFloorSixteenth(_ shifted: Self) -> Self
}


extension Double: DoubleLanes {
  @inlinable @inline(__always)
  package init(broadcast value: Double) { self = value }

  @inlinable @inline(__always)
  package static func choose(_ a: Double, lessOrEqual b: Double, _ ifTrue: Double, _ ifFalse: Double) -> Double {
    a <= b ? ifTrue : ifFalse
  }

  @inlinable @inline(__always)
  package var squareRootLanes: Double { squareRoot() }

  @inlinable @inline(__always)
  package var negatedLanes: Double { -self }

  @inlinable @inline(__always)
  package static func all(_ a: Double, lessOrEqual b: Double) -> Bool { a <= b }

  @inlinable @inline(__always)
  package static func all(_ a: Double, lessThan b: Double) -> Bool { a < b }

  @inlinable @inline(__always)
  package static func any(_ a: Double, lessOrEqual b: Double) -> Bool { a <= b }

  @inlinable @inline(__always)
  package static func choose(_ a: Double, lessThan b: Double, _ ifTrue: Double, _ ifFalse: Double) -> Double {
    a < b ? ifTrue : ifFalse
  }

  @inlinable @inline(__always)
  package static func choose(_ a: Double, equal b: Double, _ ifTrue: Double, _ ifFalse: Double) -> Double {
    a == b ? ifTrue : ifFalse
  }

  @inlinable @inline(__always)
  package static func choose(signBitOf x: Double, _ ifTrue: Double, _ ifFalse: Double) -> Double {
    x.sign == .minus ? ifTrue : ifFalse
  }

  @inlinable @inline(__always)
  package func fusedAddingProductLanes(_ a: Double, _ b: Double) -> Double { addingProduct(a, b) }

  @inlinable @inline(__always)
  package static func twoPower(_ n: Double) -> Double {
    Double(bitPattern: ((n + 0x1.8p52).bitPattern &+ 1023) &<< 52)
  }

  @inlinable @inline(__always)
  package static func significandAndExponent(_ x: Double) -> (Double, Double) {
    let bits = x.bitPattern
    let m = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
    let e = Double(bitPattern: (bits &>> 52) | 0x4330_0000_0000_0000) - 4_503_599_627_371_519  // 2^52 + 1023
    return (m, e)
  }
}

extension SIMD4: DoubleLanes where Scalar == Double {
  @inlinable @inline(__always)
  package init(broadcast value: Double) { self.init(repeating: value) }

  @inlinable @inline(__always)
  package static func choose(_ a: SIMD4<Double>, lessOrEqual b: SIMD4<Double>, _ ifTrue: SIMD4<Double>,
                            _ ifFalse: SIMD4<Double>) -> SIMD4<Double> {
    ifFalse.replacing(with: ifTrue, where: a .<= b)
  }

  @inlinable @inline(__always)
  package var squareRootLanes: SIMD4<Double> { self.squareRoot() }

  @inlinable @inline(__always)
  package var negatedLanes: SIMD4<Double> {
    // The stdlib's prefix minus on SIMD vectors is `0 - x`.
    unsafeBitCast(unsafeBitCast(self, to: SIMD4<UInt64>.self) ^ SIMD4<UInt64>(repeating: 1 << 63), to: SIMD4<Double>.self)
  }

  @inlinable @inline(__always)
  package static func all(_ a: SIMD4<Double>, lessOrEqual b: SIMD4<Double>) -> Bool { Swift.all(a .<= b) }

  @inlinable @inline(__always)
  package static func all(_ a: SIMD4<Double>, lessThan b: SIMD4<Double>) -> Bool { Swift.all(a .< b) }

  @inlinable @inline(__always)
  package static func any(_ a: SIMD4<Double>, lessOrEqual b: SIMD4<Double>) -> Bool { Swift.any(a .<= b) }

  @inlinable @inline(__always)
  package static func choose(_ a: SIMD4<Double>, lessThan b: SIMD4<Double>, _ ifTrue: SIMD4<Double>,
                            _ ifFalse: SIMD4<Double>) -> SIMD4<Double> {
    ifFalse.replacing(with: ifTrue, where: a .< b)
  }

  @inlinable @inline(__always)
  package static func choose(_ a: SIMD4<Double>, equal b: SIMD4<Double>, _ ifTrue: SIMD4<Double>,
                            _ ifFalse: SIMD4<Double>) -> SIMD4<Double> {
    ifFalse.replacing(with: ifTrue, where: a .== b)
  }

  @inlinable @inline(__always)
  package static func choose(signBitOf x: SIMD4<Double>, _ ifTrue: SIMD4<Double>,
                            _ ifFalse: SIMD4<Double>) -> SIMD4<Double> {
    ifFalse.replacing(with: ifTrue, where: unsafeBitCast(x, to: SIMD4<Int64>.self) .< 0)
  }

  @inlinable @inline(__always)
  package func fusedAddingProductLanes(_ a: SIMD4<Double>, _ b: SIMD4<Double>) -> SIMD4<Double> { addingProduct(a, b) }

  @inlinable @inline(__always)
  package static func twoPower(_ n: SIMD4<Double>) -> SIMD4<Double> {
    let bits = unsafeBitCast(n + SIMD4(repeating: 0x1.8p52), to: SIMD4<UInt64>.self)
    return unsafeBitCast((bits &+ 1023) &<< 52, to: SIMD4<Double>.self)
  }

  @inlinable @inline(__always)
  package static func significandAndExponent(_ x: SIMD4<Double>) -> (SIMD4<Double>, SIMD4<Double>) {
    let bits = unsafeBitCast(x, to: SIMD4<UInt64>.self)
    let m = unsafeBitCast((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000, to: SIMD4<Double>.self)
    let e = unsafeBitCast((bits &>> 52) | 0x4330_0000_0000_0000, to: SIMD4<Double>.self)
      - SIMD4(repeating: 4_503_599_627_371_519)
    return (m, e)
  }
}

// The same conformance for eight lanes (one AVX-512 register): the fills'
// lane type in x86-64-v4 builds. Written out again because the stdlib's
// builtin vector operations exist only on the concrete SIMDn types.
extension SIMD8: DoubleLanes where Scalar == Double {
  @inlinable @inline(__always)
  package init(broadcast value: Double) { self.init(repeating: value) }

  @inlinable @inline(__always)
  package static func choose(_ a: SIMD8<Double>, lessOrEqual b: SIMD8<Double>, _ ifTrue: SIMD8<Double>,
                            _ ifFalse: SIMD8<Double>) -> SIMD8<Double> {
    select(a .<= b, ifTrue, ifFalse)
  }

  @inlinable @inline(__always)
  package var squareRootLanes: SIMD8<Double> { self.squareRoot() }

  /// Per lane `ifTrue` where `mask` is set, else `ifFalse`: eight scalar
  /// selects written out, which the optimiser turns into one blend (the
  /// stdlib's `replacing(with:where:)` is an eight-iteration loop that is
  /// sometimes left rolled inside large kernels).
  @inlinable @inline(__always)
  static func select(_ mask: SIMDMask<SIMD8<Int64>>, _ ifTrue: SIMD8<Double>, _ ifFalse: SIMD8<Double>) -> SIMD8<Double> {
    SIMD8(mask[0] ? ifTrue[0] : ifFalse[0], mask[1] ? ifTrue[1] : ifFalse[1],
          mask[2] ? ifTrue[2] : ifFalse[2], mask[3] ? ifTrue[3] : ifFalse[3],
          mask[4] ? ifTrue[4] : ifFalse[4], mask[5] ? ifTrue[5] : ifFalse[5],
          mask[6] ? ifTrue[6] : ifFalse[6], mask[7] ? ifTrue[7] : ifFalse[7])
  }

  @inlinable @inline(__always)
  package var negatedLanes: SIMD8<Double> {
    // The stdlib's prefix minus on SIMD vectors is `0 - x`.
    unsafeBitCast(unsafeBitCast(self, to: SIMD8<UInt64>.self) ^ Self.bits(1 << 63), to: SIMD8<Double>.self)
  }

  @inlinable @inline(__always)
  package static func all(_ a: SIMD8<Double>, lessOrEqual b: SIMD8<Double>) -> Bool { allLanes(a .<= b) }

  @inlinable @inline(__always)
  package static func all(_ a: SIMD8<Double>, lessThan b: SIMD8<Double>) -> Bool { allLanes(a .< b) }

  @inlinable @inline(__always)
  package static func any(_ a: SIMD8<Double>, lessOrEqual b: SIMD8<Double>) -> Bool {
    let bits = unsafeBitCast(a .<= b, to: SIMD8<Int64>.self)
    let quarter = bits.lowHalf | bits.highHalf
    let eighth = quarter.lowHalf | quarter.highHalf
    return (eighth[0] | eighth[1]) < 0
  }

  /// True when every lane of `mask` is set: an AND reduction of the halves
  /// written out, which stays inline (the stdlib's generic `all` becomes a
  /// call to an out-of-line `SIMD8<Int64>.max()` inside large kernels).
  @inlinable @inline(__always)
  static func allLanes(_ mask: SIMDMask<SIMD8<Int64>>) -> Bool {
    let bits = unsafeBitCast(mask, to: SIMD8<Int64>.self)
    let quarter = bits.lowHalf & bits.highHalf
    let eighth = quarter.lowHalf & quarter.highHalf
    return (eighth[0] & eighth[1]) < 0
  }

  @inlinable @inline(__always)
  package static func choose(_ a: SIMD8<Double>, lessThan b: SIMD8<Double>, _ ifTrue: SIMD8<Double>,
                            _ ifFalse: SIMD8<Double>) -> SIMD8<Double> {
    select(a .< b, ifTrue, ifFalse)
  }

  @inlinable @inline(__always)
  package static func choose(_ a: SIMD8<Double>, equal b: SIMD8<Double>, _ ifTrue: SIMD8<Double>,
                            _ ifFalse: SIMD8<Double>) -> SIMD8<Double> {
    select(a .== b, ifTrue, ifFalse)
  }

  @inlinable @inline(__always)
  package static func choose(signBitOf x: SIMD8<Double>, _ ifTrue: SIMD8<Double>,
                            _ ifFalse: SIMD8<Double>) -> SIMD8<Double> {
    select(unsafeBitCast(x, to: SIMD8<Int64>.self) .< unsafeBitCast(bits(0), to: SIMD8<Int64>.self), ifTrue, ifFalse)
  }

  @inlinable @inline(__always)
  package func fusedAddingProductLanes(_ a: SIMD8<Double>, _ b: SIMD8<Double>) -> SIMD8<Double> { addingProduct(a, b) }

  @inlinable @inline(__always)
  package static func twoPower(_ n: SIMD8<Double>) -> SIMD8<Double> {
    let bits = unsafeBitCast(n + SIMD8(repeating: 0x1.8p52), to: SIMD8<UInt64>.self)
    return unsafeBitCast((bits &+ Self.bits(1023)) &<< Self.bits(52), to: SIMD8<Double>.self)
  }

  @inlinable @inline(__always)
  package static func significandAndExponent(_ x: SIMD8<Double>) -> (SIMD8<Double>, SIMD8<Double>) {
    let bits = unsafeBitCast(x, to: SIMD8<UInt64>.self)
    let m = unsafeBitCast((bits & Self.bits(0x000F_FFFF_FFFF_FFFF)) | Self.bits(0x3FF0_0000_0000_0000),
                          to: SIMD8<Double>.self)
    let e = unsafeBitCast((bits &>> Self.bits(52)) | Self.bits(0x4330_0000_0000_0000), to: SIMD8<Double>.self)
      - SIMD8(repeating: 4_503_599_627_371_519)
    return (m, e)
  }

  /// `pattern` in every lane, made by broadcasting a float64 (a single
  /// instruction): the stdlib builds an integer SIMD8 from a scalar lane by
  /// lane, in a loop that is sometimes left rolled inside large kernels.
  @inlinable @inline(__always)
  static func bits(_ pattern: UInt64) -> SIMD8<UInt64> {
    unsafeBitCast(SIMD8<Double>(repeating: Double(bitPattern: pattern)), to: SIMD8<UInt64>.self)
  }
}

/// Whether this build has hardware fused multiply-add (`PACE_ISA_X86_64_V3`
/// builds, arm64): the one place that decides; every use folds to one branch.
@inlinable @inline(__always)
var hasHardwareFMA: Bool {
  #if PACE_ISA_X86_64_V3 || arch(arm64)
  return true
  #else
  return false
  #endif
}

extension DoubleLanes {
  /// Per lane `self + a * b`: fused where the build has hardware FMA, else
  /// the product rounded and then the sum (a software fma would cost ~100x):
  /// for polynomial steps, where either is accurate enough. Exact residuals
  /// use `productError` and `Elementary.divide`.
  @inlinable @inline(__always)
  package func addingProductLanes(_ a: Self, _ b: Self) -> Self {
    hasHardwareFMA ? fusedAddingProductLanes(a, b) : self + a * b
  }

  /// The exact rounding error `a * b - p` of the product `p = a * b` (an
  /// error-free transformation): one fused multiply-add where the build has
  /// hardware FMA, else Dekker's product of Veltkamp halves (the same exact
  /// value, for |a|, |b| < 2^995 and products far from underflow).
  @inlinable @inline(__always)
  package static func productError(_ a: Self, _ b: Self, product p: Self) -> Self {
    if hasHardwareFMA { return p.negatedLanes.fusedAddingProductLanes(a, b) }
    let (ah, al) = veltkampSplit(a)
    let (bh, bl) = veltkampSplit(b)
    return (((ah * bh - p) + ah * bl) + al * bh) + al * bl
  }

  /// `x` as `hi + lo` with each half of at most 26 significant bits.
  @inlinable @inline(__always)
  static func veltkampSplit(_ x: Self) -> (Self, Self) {
    let c = Self(broadcast: 134_217_729) * x  // 2^27 + 1
    let hi = c - (c - x)
    return (hi, x - hi)
  }
}
