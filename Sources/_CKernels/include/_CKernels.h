//===--- _CKernels.h -------------------------------------------------------===//
// The 2^(j/16) table of Pace's exp2 kernel and the few x86 vector
// instructions Swift's SIMD types cannot spell (a variable in-register
// permute, scalef, a per-lane load of table pairs). Implementation detail of module Pace.
//===----------------------------------------------------------------------===//
//
// Every function is `static inline` and always inlined, so Swift's
// optimiser sees through it. The vector ones carry a `target` attribute
// instead of needing global flags; Swift calls them only in builds whose CPU
// target has the instructions (PACE_ISA_X86_64_V4: AVX-512F, V3: AVX2), and
// the scalar lookup gives the same bits everywhere else.

#ifndef PACE_CKERNELS_H
#define PACE_CKERNELS_H

#include <stdint.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/// Four and eight float64 lanes, imported by Swift as SIMD4<Double> and
/// SIMD8<Double>.
typedef double pace_lanes4 __attribute__((ext_vector_type(4)));
typedef double pace_lanes8 __attribute__((ext_vector_type(8)));

/// 2^(j/16), j = 0 ... 15, as a double-double: `hi` rounded to nearest and
/// `lo` the rest rounded to nearest (hi + lo within 2^-106 relative).
/// Computed with 80-digit decimal arithmetic. Written once, laid out twice
/// below: as two arrays (the scalar and AVX-512 lookups) and as (hi, lo)
/// pairs (the AVX2 lookup).
#define PACE_EXP2_SIXTEENTHS(X) \
  X(0x1.0000000000000p+0, 0x0.0p+0) X(0x1.0b5586cf9890fp+0, 0x1.8a62e4adc610bp-54) \
  X(0x1.172b83c7d517bp+0, -0x1.19041b9d78a76p-55) X(0x1.2387a6e756238p+0, 0x1.9b07eb6c70573p-54) \
  X(0x1.306fe0a31b715p+0, 0x1.6f46ad23182e4p-55) X(0x1.3dea64c123422p+0, 0x1.ada0911f09ebcp-55) \
  X(0x1.4bfdad5362a27p+0, 0x1.d4397afec42e2p-56) X(0x1.5ab07dd485429p+0, 0x1.6324c054647adp-54) \
  X(0x1.6a09e667f3bcdp+0, -0x1.bdd3413b26456p-54) X(0x1.7a11473eb0187p+0, -0x1.41577ee04992fp-55) \
  X(0x1.8ace5422aa0dbp+0, 0x1.6e9f156864b27p-54) X(0x1.9c49182a3f090p+0, 0x1.c7c46b071f2bep-56) \
  X(0x1.ae89f995ad3adp+0, 0x1.7a1cd345dcc81p-54) X(0x1.c199bdd85529cp+0, 0x1.11065895048ddp-55) \
  X(0x1.d5818dcfba487p+0, 0x1.2ed02d75b3707p-55) X(0x1.ea4afa2a490dap+0, -0x1.e9c23179c2893p-54)
#define PACE_EXP2_HI(hi, lo) hi,
#define PACE_EXP2_LO(hi, lo) lo,
#define PACE_EXP2_PAIR(hi, lo) hi, lo,
static const double pace_exp2_sixteenths_hi[16] __attribute__((aligned(64))) = {PACE_EXP2_SIXTEENTHS(PACE_EXP2_HI)};
static const double pace_exp2_sixteenths_lo[16] __attribute__((aligned(64))) = {PACE_EXP2_SIXTEENTHS(PACE_EXP2_LO)};
/// `hi, lo` of 2^(j/16) at indices 2j, 2j + 1: one 16-byte load per lane.
static const double pace_exp2_sixteenths_pairs[32] __attribute__((aligned(64))) = {
  PACE_EXP2_SIXTEENTHS(PACE_EXP2_PAIR)};

/// The table index of `shifted`: the low four bits of its bit pattern.
static inline __attribute__((always_inline)) unsigned pace_exp2_index(double shifted) {
  uint64_t bits;
  __builtin_memcpy(&bits, &shifted, sizeof bits);
  return (unsigned)(bits & 15);
}

/// `hi` of 2^(j/16), j the low four bits of `shifted`'s bit pattern.
static inline __attribute__((always_inline)) double pace_exp2_hi(double shifted) {
  return pace_exp2_sixteenths_hi[pace_exp2_index(shifted)];
}

/// `lo` of 2^(j/16), j the low four bits of `shifted`'s bit pattern.
static inline __attribute__((always_inline)) double pace_exp2_lo(double shifted) {
  return pace_exp2_sixteenths_lo[pace_exp2_index(shifted)];
}

#if defined(__x86_64__)
/// Per lane `hi` (`which` 0) or `lo` (1) of 2^(j/16), j the low four bits of
/// each lane of `shifted`: one `vpermi2pd` over the table held in two
/// registers. AVX-512F only.
static inline __attribute__((always_inline, target("avx512f")))
pace_lanes8 pace_exp2_table8(pace_lanes8 shifted, int which) {
  const double *table = which ? pace_exp2_sixteenths_lo : pace_exp2_sixteenths_hi;
  __m512i index = _mm512_castpd_si512((__m512d)shifted);
  return (pace_lanes8)_mm512_permutex2var_pd(_mm512_load_pd(table), index, _mm512_load_pd(table + 8));
}

/// Per lane `x * 2^floor(n)`, rounded once (`vscalefpd`: subnormal results
/// rounded to nearest, overflow to infinity, NaN in either operand gives
/// NaN). AVX-512F only.
static inline __attribute__((always_inline, target("avx512f")))
pace_lanes8 pace_scale8(pace_lanes8 x, pace_lanes8 n) {
  return (pace_lanes8)_mm512_scalef_pd((__m512d)x, (__m512d)n);
}

/// ``pace_exp2_table8`` for four lanes: each lane's index moved to a
/// general register and its (hi, lo) pair read with one 16-byte load, then
/// one unpack. AVX2 only. Called for both halves with the same `shifted`,
/// the index moves and loads are shared after inlining. On AMD Zen 3 this
/// is about 20% faster per `exp2` than two `vgatherqpd` (and than
/// in-register `vpermd` selects over four registers per half): AMD's
/// gathers are microcoded (see docs/performance.md).
static inline __attribute__((always_inline, target("avx2")))
pace_lanes4 pace_exp2_pairs4(pace_lanes4 shifted, int which) {
  __m256i index = _mm256_and_si256(_mm256_castpd_si256((__m256d)shifted), _mm256_set1_epi64x(15));
  __m128i low = _mm256_castsi256_si128(index), high = _mm256_extracti128_si256(index, 1);
  const double *p = pace_exp2_sixteenths_pairs;
  __m256d lanes02 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_load_pd(p + 2 * _mm_cvtsi128_si64(low))),
                                         _mm_load_pd(p + 2 * _mm_cvtsi128_si64(high)), 1);
  __m256d lanes13 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_load_pd(p + 2 * _mm_extract_epi64(low, 1))),
                                         _mm_load_pd(p + 2 * _mm_extract_epi64(high, 1)), 1);
  return (pace_lanes4)(which ? _mm256_unpackhi_pd(lanes02, lanes13) : _mm256_unpacklo_pd(lanes02, lanes13));
}
#endif

#endif  // PACE_CKERNELS_H
