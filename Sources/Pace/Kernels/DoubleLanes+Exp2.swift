//===--- DoubleLanes+Exp2.swift -------------------------------------------===//
// The table lookup and the final scaling of Elementary.exp2, per lane type.
//===----------------------------------------------------------------------===//

import _CKernels

// Each lane type gives the same bits: a lookup is a lookup, and every
// scaling rounds the exact product `x * 2^floor(n)` once. Only the
// instructions differ: x86-64-v4 builds use `vpermi2pd` and `vscalefpd` on
// eight lanes, x86-64-v3 builds one 16-byte load of a (hi, lo) pair per lane
// on four (faster than two `vgatherqpd` on AMD, whose gathers are
// microcoded), and the other cases look up lane by lane and scale by
// products (``DoubleLanes/scaledByProducts(_:byTwoPowerFloor:)``).

extension Double {
  @inlinable @inline(__always)
  package static func twoPowerSixteenths(_ shifted: Double) -> (hi: Double, lo: Double) {
    (pace_exp2_hi(shifted), pace_exp2_lo(shifted))
  }

  @inlinable @inline(__always)
  package static func scaled(_ x: Double, byTwoPowerFloor n: Double) -> Double {
    scaledByProducts(x, byTwoPowerFloor: n)
  }
}

extension SIMD4 where Scalar == Double {
  @inlinable @inline(__always)
  package static func twoPowerSixteenths(_ shifted: SIMD4<Double>) -> (hi: SIMD4<Double>, lo: SIMD4<Double>) {
    #if PACE_ISA_X86_64_V3 && arch(x86_64)
    return (pace_exp2_pairs4(shifted, 0), pace_exp2_pairs4(shifted, 1))
    #else
    return lookUpLaneByLane(shifted)
    #endif
  }

  @inlinable @inline(__always)
  package static func scaled(_ x: SIMD4<Double>, byTwoPowerFloor n: SIMD4<Double>) -> SIMD4<Double> {
    scaledByProducts(x, byTwoPowerFloor: n)
  }
}

extension SIMD8 where Scalar == Double {
  @inlinable @inline(__always)
  package static func twoPowerSixteenths(_ shifted: SIMD8<Double>) -> (hi: SIMD8<Double>, lo: SIMD8<Double>) {
    #if PACE_ISA_X86_64_V4 && arch(x86_64)
    return (pace_exp2_table8(shifted, 0), pace_exp2_table8(shifted, 1))
    #else
    return lookUpLaneByLane(shifted)
    #endif
  }

  @inlinable @inline(__always)
  package static func scaled(_ x: SIMD8<Double>, byTwoPowerFloor n: SIMD8<Double>) -> SIMD8<Double> {
    #if PACE_ISA_X86_64_V4 && arch(x86_64)
    return pace_scale8(x, n)
    #else
    return scaledByProducts(x, byTwoPowerFloor: n)
    #endif
  }
}

// 2^floor(k/16) from the bits of `shifted = 1.5 * 2^52 + k`: its low 16
// bits are k + 2^16 m for some m, so (bits + 16368) << 48 holds k + 16368 =
// k + 1023 * 16 in the top 16 bits (higher bits shift out), and clearing
// bits 48 ... 51 leaves (floor(k/16) + 1023) << 52, the biased exponent of
// 2^floor(k/16) (normal for k in [-16352, 16383]).

extension Double {
  @inlinable @inline(__always)
  package static func twoPowerFloorSixteenth(_ shifted: Double) -> Double {
    Double(bitPattern: ((shifted.bitPattern &+ 16368) &<< 48) & 0xFFF0_0000_0000_0000)
  }
}

extension SIMD4 where Scalar == Double {
  @inlinable @inline(__always)
  package static func twoPowerFloorSixteenth(_ shifted: SIMD4<Double>) -> SIMD4<Double> {
    let bits = unsafeBitCast(shifted, to: SIMD4<UInt64>.self)
    return unsafeBitCast(((bits &+ 16368) &<< 48) & 0xFFF0_0000_0000_0000, to: SIMD4<Double>.self)
  }
}

extension SIMD8 where Scalar == Double {
  @inlinable @inline(__always)
  package static func twoPowerFloorSixteenth(_ shifted: SIMD8<Double>) -> SIMD8<Double> {
    let bits = unsafeBitCast(shifted, to: SIMD8<UInt64>.self)
    return unsafeBitCast(((bits &+ Self.bits(16368)) &<< Self.bits(48)) & Self.bits(0xFFF0_0000_0000_0000),
                         to: SIMD8<Double>.self)
  }
}

extension SIMD where Scalar == Double {
  /// ``DoubleLanes/twoPowerSixteenths(_:)`` one lane at a time.
  @inlinable @inline(__always)
  static func lookUpLaneByLane(_ shifted: Self) -> (hi: Self, lo: Self) {
    var hi = Self()
    var lo = Self()
    for lane in shifted.indices {
      hi[lane] = pace_exp2_hi(shifted[lane])
      lo[lane] = pace_exp2_lo(shifted[lane])
    }
    return (hi, lo)
  }
}

extension DoubleLanes {
  /// ``scaled(_:byTwoPowerFloor:)`` by multiplications: one exact power of
  /// two when every `floor(n)` is in [-1022, 1023], else two halves (each
  /// in [-550, 550]; the first product is exact for the `x` of `exp2`, about
  /// [0.98, 2.05), so only the second rounds).
  @inlinable @inline(__always)
  package static func scaledByProducts(_ x: Self, byTwoPowerFloor n: Self) -> Self {
    // floor(n): adding and subtracting 1.5 * 2^52 rounds to an integer;
    // step back by one where that rounded up.
    let shifter = Self(broadcast: 0x1.8p52)
    let rounded = (n + shifter) - shifter
    let m = choose(rounded, lessOrEqual: n, rounded, rounded - Self(broadcast: 1))
    if all(Self(broadcast: -1022), lessOrEqual: m) && all(m, lessOrEqual: Self(broadcast: 1023)) {
      return x * twoPower(m)
    }
    let half = (m * Self(broadcast: 0.5) + shifter) - shifter
    return (x * twoPower(half)) * twoPower(m - half)
  }
}
