/*
 * bench_refine_ab.c - pace_refine of 10^6 and 10^5 norms (L2, smoothing 0.1,
 * the norms of Benchmarks/c/bench_runtime.c) from two builds of libpace.so
 * loaded side by side, calls interleaved so drift hits both alike: wall time
 * and process CPU time (every thread) per call, min and median of the
 * rounds, and new/old ratios. Also checks that both builds give the same
 * bytes for each size.
 *
 *   cc -std=c11 -O2 Benchmarks/refinement/bench_refine_ab.c -ldl -lm -o build/bench/bench_refine_ab
 *   build/bench/bench_refine_ab OLD/libpace.so NEW/libpace.so [rounds]
 *
 * Pass the same path twice to time one build. Numbers are only comparable
 * on an otherwise idle machine: it prints the load average before and after.
 */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../c/ab.h"
#include "refine_norms.h"

typedef struct {
  uint32_t struct_size;
  uint32_t norm;
  double smoothing;
} refine_options; /* pace_refine_options (pace.h), without the header */

typedef int (*refine_fn)(const double *, int64_t, const refine_options *, double *);

static double clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void load_average(const char *when) {
  double l[3] = {0, 0, 0};
  FILE *f = fopen("/proc/loadavg", "r");
  if (f) {
    if (fscanf(f, "%lf %lf %lf", &l[0], &l[1], &l[2]) != 3) l[0] = l[1] = l[2] = -1;
    fclose(f);
  }
  printf("load average %s: %.2f %.2f %.2f\n", when, l[0], l[1], l[2]);
}

/* One call: wall ms, process CPU ms in *cpu_ms. */
static double timed(refine_fn f, const double *norms, int64_t n, double *out, double *cpu_ms) {
  refine_options o = {sizeof o, 0, 0.1};
  double c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID), t0 = clock_ns(CLOCK_MONOTONIC);
  if (f(norms, n, &o, out) != 0) {
    fprintf(stderr, "bench_refine_ab: pace_refine failed\n");
    exit(1);
  }
  double t1 = clock_ns(CLOCK_MONOTONIC), c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
  *cpu_ms = (c1 - c0) * 1e-6;
  return (t1 - t0) * 1e-6;
}

#define MAX_ROUNDS 201

int main(int argc, char **argv) {
  const char *tool = "bench_refine_ab";
  (void)thread_ns; /* ab.h's thread clock: this benchmark times the process (two threads) */
  int rounds = ab_rounds(argc, argv, tool, MAX_ROUNDS);
  refine_fn f[2];
  for (int b = 0; b < 2; b++) f[b] = (refine_fn)ab_symbol(tool, ab_open(tool, argv[1 + b]), argv[1 + b], "pace_refine");

  const int64_t big = 1000000, sizes[2] = {1000000, 100000};
  double *norms = malloc((size_t)big * sizeof *norms);
  double *out[2] = {malloc((size_t)big * sizeof(double)), malloc((size_t)big * sizeof(double))};
  if (!norms || !out[0] || !out[1]) {
    fprintf(stderr, "%s: out of memory\n", tool);
    return 1;
  }
  refine_norms(norms, big);

  static double wall[2][2][MAX_ROUNDS], cpu[2][2][MAX_ROUNDS]; /* [size][build][round] */
  int same[2] = {1, 1};
  double ignored;
  for (int s = 0; s < 2; s++)
    for (int b = 0; b < 2; b++) timed(f[b], norms, sizes[s], out[b], &ignored); /* warm-up */
  load_average("before");
  for (int r = 0; r < rounds; r++)
    for (int s = 0; s < 2; s++) {
      for (int b = 0; b < 2; b++) {
        int first = (r + s) & 1 ? 1 - b : b; /* alternate which build goes first */
        wall[s][first][r] = timed(f[first], norms, sizes[s], out[first], &cpu[s][first][r]);
      }
      same[s] &= memcmp(out[0], out[1], (size_t)sizes[s] * sizeof(double)) == 0;
    }
  load_average("after");

  printf("pace_refine (L2, smoothing 0.1), %d rounds; old = %s, new = %s\n", rounds, argv[1], argv[2]);
  printf("%-26s %10s %10s %10s %10s %9s\n", "", "old min", "old med", "new min", "new med", "new/old");
  for (int s = 0; s < 2; s++) {
    const char *name = s == 0 ? "10^6 norms" : "10^5 norms";
    double m[2][2][2]; /* [wall|cpu][build][min|median] */
    for (int b = 0; b < 2; b++) {
      ab_min_median(wall[s][b], rounds, &m[0][b][0], &m[0][b][1]);
      ab_min_median(cpu[s][b], rounds, &m[1][b][0], &m[1][b][1]);
    }
    for (int k = 0; k < 2; k++)
      printf("%-12s %-13s %10.2f %10.2f %10.2f %10.2f %9.3f\n", name, k == 0 ? "wall ms" : "process CPU ms",
             m[k][0][0], m[k][0][1], m[k][1][0], m[k][1][1], m[k][1][1] / m[k][0][1]);
    printf("%-12s same bytes: %s\n", name, same[s] ? "yes" : "NO");
  }
  return same[0] && same[1] ? 0 : 1;
}
