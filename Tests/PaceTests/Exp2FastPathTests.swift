//===--- Exp2FastPathTests.swift ------------------------------------------===//
// exp2's in-range path (the power of two built from the rounded exponent's
// bits) against its general path, scalbn, and Foundation's exp and pow.
//===----------------------------------------------------------------------===//
import Foundation
import Testing
import _CKernels
@testable import Pace

@Suite struct Exp2FastPathTests {
  func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

  /// A fixed pseudo-random sequence in [0, 1).
  struct Uniform {
    var state: UInt64
    mutating func next() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) * 0x1p-53
    }
  }

  /// `twoPowerFloorSixteenth` is `2^floor(k/16)` for every k it promises,
  /// on every lane type.
  @Test func powerOfTwoFromTheBitsOfEveryK() {
    for k in -16352...16383 {
      let shifted = 0x1.8p52 + Double(k)
      let expected = scalbn(1.0, Int((Double(k) / 16).rounded(.down)))
      #expect(Double.twoPowerFloorSixteenth(shifted) == expected, "k = \(k)")
      let four = SIMD4<Double>.twoPowerFloorSixteenth(SIMD4(repeating: shifted))
      let eight = SIMD8<Double>.twoPowerFloorSixteenth(SIMD8(repeating: shifted))
      #expect(four[3] == expected && eight[7] == expected, "k = \(k) on lanes")
    }
  }

  /// The AVX2 lookup (one 16-byte load of a (hi, lo) pair per lane, used by
  /// x86-64-v3 builds) gives the scalar table's entries in every lane, for
  /// every index and for shifted sums of negative and positive k. Runs where
  /// the CPU has AVX2 (the debug build under test is not itself a v3 build).
  @Test func pairLookupMatchesTheTable() throws {
    #if arch(x86_64)
    let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    guard flags.contains(" avx2") else { return }
    for base in [-32, 0, 16_000, -16_000] {
      for j in 0..<16 {
        let k = SIMD4<Double>(Double(base + j), Double(base + (j + 5) % 16), Double(base + (j + 9) % 16),
                              Double(base + (15 - j)))
        let shifted = SIMD4<Double>(repeating: 0x1.8p52) + k
        let hi = pace_exp2_pairs4(shifted, 0), lo = pace_exp2_pairs4(shifted, 1)
        for lane in 0..<4 {
          #expect(hi[lane] == pace_exp2_hi(shifted[lane]) && same(lo[lane], pace_exp2_lo(shifted[lane])),
                  "j = \(j), lane \(lane)")
        }
      }
    }
    #endif
  }

  /// The exponents where each path applies: random ones over the whole
  /// range, both sides of the in-range bounds (+-1020), of every table
  /// index and of ties of 16 x, and the special values.
  func exponents() -> [Double] {
    var uniform = Uniform(state: 0x2545_F491_4F6C_DD1D)
    var xs: [Double] = []
    for _ in 0..<20_000 { xs.append(uniform.next() * 2200 - 1100) }
    for _ in 0..<20_000 { xs.append(uniform.next() * 64 - 32) }
    for bound in [-1020.0, 1020.0, -1022, 1023, -1074, 1024, 0] {
      var below = bound, above = bound
      for _ in 0..<40 {
        xs += [below, above]
        below = below.nextDown
        above = above.nextUp
      }
      for j in 0..<64 { xs += [bound + Double(j) / 32, bound - Double(j) / 32] }  // ties of 16 x included
    }
    xs += [.infinity, -.infinity, .nan, 1100, -1100, 1e300, -1e300, 0x1p-1074, -0x1p-1074, -0.0]
    return xs
  }

  /// A lane inside (-1020, 1020) gives the same bits whether its vector
  /// takes the in-range path or the general one (forced by a NaN lane), and
  /// the same bits as one lane.
  @Test func inRangePathEqualsTheGeneralPath() {
    let xs = exponents()
    var uniform = Uniform(state: 7)
    for x in xs {
      let tail = x.isFinite ? x.ulp * (uniform.next() - 0.5) : 0
      let scalar = Elementary.exp2(x, tail)
      let inRange = Elementary.exp2(SIMD4<Double>(x, 0.5, -3, 7), SIMD4<Double>(tail, 0, 0, 0))
      let general = Elementary.exp2(SIMD4<Double>(x, 0.5, .nan, 7), SIMD4<Double>(tail, 0, 0, 0))
      let eight = Elementary.exp2(SIMD8<Double>(repeating: x), SIMD8<Double>(repeating: tail))
      #expect(same(scalar, inRange[0]) && same(scalar, general[0]) && same(scalar, eight[5]), "2^\(x)")
      #expect(same(inRange[1], general[1]) && same(inRange[3], general[3]))
    }
  }

  /// `ours` within one spacing of doubles (subnormal spacing included) of
  /// `theirs`; the same bits where `theirs` is NaN, infinite or zero.
  func expectWithinOneSpacing(_ ours: Double, _ theirs: Double, _ label: String) {
    if theirs.isNaN || theirs.isInfinite || theirs == 0 {
      #expect(same(ours, theirs), "\(label): \(ours) against \(theirs)")
    } else {
      let spacing = theirs.isSubnormal ? Double.leastNonzeroMagnitude : theirs.ulp
      #expect(abs(ours - theirs) <= spacing, "\(label): \(ours) against \(theirs)")
    }
  }

  /// exp against Foundation's (glibc's) exp: within one ulp over the whole
  /// range (both are below 0.81 ulp from the exact value), with subnormal
  /// results, overflow and the special values exactly as glibc's.
  @Test func expAgreesWithFoundation() {
    var uniform = Uniform(state: 11)
    var xs: [Double] = [0, -0.0, 1, -1, 709.78, 709.79, -708.39, -745.13, -745.2, .infinity, -.infinity, .nan,
                        1e-300, -1e-300, 0x1p-60]
    for _ in 0..<100_000 { xs.append(uniform.next() * 1454.9 - 745.1) }
    for _ in 0..<50_000 { xs.append(uniform.next() * 2 - 1) }
    for x in xs { expectWithinOneSpacing(Elementary.exp(x), Foundation.exp(x), "exp(\(x))") }
  }

  /// pow against Foundation's pow on the schedule ranges (decay factors to
  /// the step, endpoint ratios to a progress, the power shape) and C's
  /// special values.
  @Test func powAgreesWithFoundation() {
    var uniform = Uniform(state: 13)
    var cases: [(Double, Double)] = []
    for _ in 0..<30_000 { cases.append((1 - uniform.next() * 0x1p-20, (uniform.next() * 1e7).rounded())) }
    for _ in 0..<30_000 { cases.append((uniform.next(), uniform.next() * 8)) }
    for _ in 0..<30_000 { cases.append((1 + uniform.next() * 1e16, -uniform.next())) }
    for _ in 0..<30_000 {
      let x = Foundation.pow(2, uniform.next() * 40 - 20)
      cases.append((x, (uniform.next() * 1400 - 700) / Foundation.log(x)))
    }
    for x in [0.0, -0.0, 1, -1, 2, -2, 0.5, .infinity, -.infinity, .nan] {
      for y in [0.0, -0.0, 1, -1, 2, 3, -3, 0.5, -0.5, .infinity, -.infinity, .nan, 1e300] { cases.append((x, y)) }
    }
    for (x, y) in cases { expectWithinOneSpacing(Elementary.pow(x, y), Foundation.pow(x, y), "pow(\(x), \(y))") }
  }

  /// cosPi on |x| <= 4 against the long-double `cosl(pi x)` (pi x in
  /// Float80 is 2^11 times more precise than the result needs there): within
  /// two ulps (the documented bound is 1.48 ulp); against Foundation's
  /// `cos(pi x)` (pi x rounded to double) within its argument error; and
  /// exact zeros and ones where the reduction is exact.
  @Test func cosPiAgreesWithFoundation() {
    #expect(Trigonometry.cosPi(1e6 + 0.5) == 0 && Trigonometry.cosPi(-3.5) == 0)
    #expect(Trigonometry.cosPi(1e6) == 1 && Trigonometry.cosPi(0x1p40 + 1) == -1)
    var uniform = Uniform(state: 17)
    var xs: [Double] = [0, 0.25, 0.5, 1, 1.5, 2, -0.5]
    for _ in 0..<50_000 { xs.append(uniform.next() * 8 - 4) }
    for x in xs {
      let ours = Trigonometry.cosPi(x)
      let exact = Double(cosl(Float80(x) * Float80.pi))
      #expect(abs(ours - exact) <= 2 * Swift.max(exact.magnitude.ulp, 0x1p-1022) + 0x1p-60, "cosPi(\(x))")
      let theirs = Foundation.cos(Double.pi * x)  // pi x rounded: a few ulps of the argument
      #expect(abs(ours - theirs) <= 1e-15 * Swift.max(1, abs(x)), "cosPi(\(x)) against cos(pi x)")
    }
  }
}
