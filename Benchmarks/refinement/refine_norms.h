/*
 * refine_norms.h - the gradient norms the refinement benchmarks time
 * (Benchmarks/c/bench_runtime.c, Benchmarks/refinement/bench_refine_ab.c):
 * a decaying trend 1 + 2 / sqrt(1 + i 10^-4) times uniform noise in
 * [0.8, 1.2) from a xorshift64 generator (seed 0x1234567).
 */
#ifndef PACE_BENCH_REFINE_NORMS_H
#define PACE_BENCH_REFINE_NORMS_H

#include <math.h>
#include <stdint.h>

/* Writes norms[0 ..< n]. */
static void refine_norms(double *norms, int64_t n) {
  uint64_t x = 0x1234567;
  for (int64_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    norms[i] = (1.0 + 2.0 / sqrt(1.0 + (double)i * 1e-4)) * (0.8 + 0.4 * (double)(x >> 11) * 0x1p-53);
  }
}

#endif
