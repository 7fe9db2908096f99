/*
 * bench_fill_ab.c - one-thread fill cost of two builds of libpace.so, run
 * alternately in one process: CPU time (CLOCK_THREAD_CPUTIME_ID) per element
 * of pace_schedule_fill_f32 over 2^18 steps (below the two-thread minimum,
 * 1 MiB: in L2) for the five schedules of bench_fill.py, and a hash of each
 * library's values (equal hashes: the same bits).
 *
 * Thread CPU time is what stays comparable on a shared machine: other
 * tenants stretch wall-clock times (a 2-vCPU host at load 20 gives each
 * thread a fraction of a core) but not the cycles this thread runs. It does
 * not remove the slowdown of a busy sibling hardware thread, so the two
 * libraries alternate, round by round, and the minimum is reported with the
 * median.
 *
 * Build: cc -O2 Benchmarks/c/bench_fill_ab.c -ldl -o build/bench/bench_fill_ab
 * Run:   bench_fill_ab OLD/libpace.so NEW/libpace.so [rounds, default 41]
 *        (e.g. build/lib/baseline/libpace.so build/lib/libpace.so: per ISA)
 * Each library is loaded with RTLD_LOCAL from its own path (two copies of
 * Pace in one process, each with its static Swift runtime).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ab.h"

enum { STEPS = 1 << 18, MAX_ROUNDS = 201, SCHEDULES = 5, TOTAL = 10000000 };

typedef struct pace_schedule pace_schedule;
typedef int (*parse_fn)(const char *, pace_schedule **);
typedef int (*fill_fn)(const pace_schedule *, int64_t, int64_t, float *);

struct library {
  const char *path;
  parse_fn parse;
  fill_fn fill;
  pace_schedule *schedules[SCHEDULES];
  double ns[SCHEDULES][MAX_ROUNDS];
  uint64_t hash[SCHEDULES];
};

static const char *names[SCHEDULES] = {"warmup+cosine", "wsd 1-sqrt", "rex", "uba phi=1", "exponential"};

/* The specs of bench_fill.py for a 10^7-step run; fills start mid-run
 * (step 5 * 10^6: inside the decay) except WSD, which starts at 0 (its
 * warmup, constant phase and cooldown all appear across the rounds). */
static void spec_text(int s, char *out, size_t size) {
  const long n = TOTAL, w = TOTAL / 20;
  switch (s) {
  case 0: snprintf(out, size, "{\"version\":1,\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":%ld,\"total_steps\":%ld}", w, n); break;
  case 1:
    snprintf(out, size, "{\"version\":1,\"preset\":\"wsd\",\"peak\":3e-4,\"warmup_steps\":%ld,\"decay_steps\":%ld,"
             "\"total_steps\":%ld,\"decay_type\":\"sqrt\"}", w, n / 5, n);
    break;
  case 2: snprintf(out, size, "{\"version\":1,\"preset\":\"rex\",\"peak\":3e-4,\"total_steps\":%ld}", n); break;
  case 3: snprintf(out, size, "{\"version\":1,\"preset\":\"uba\",\"peak\":3e-4,\"total_steps\":%ld,\"phi\":1}", n); break;
  default: snprintf(out, size, "{\"version\":1,\"preset\":\"exponential\",\"peak\":3e-4,\"gamma\":0.9999995}"); break;
  }
}

static void load(struct library *lib) {
  void *handle = ab_open("bench_fill_ab", lib->path);
  lib->parse = (parse_fn)(uintptr_t)ab_symbol("bench_fill_ab", handle, lib->path, "pace_schedule_parse");
  lib->fill = (fill_fn)(uintptr_t)ab_symbol("bench_fill_ab", handle, lib->path, "pace_schedule_fill_f32");
  for (int s = 0; s < SCHEDULES; s++) {
    char spec[400];
    spec_text(s, spec, sizeof spec);
    if (lib->parse(spec, &lib->schedules[s]) != 0) {
      fprintf(stderr, "bench_fill_ab: %s rejected schedule %s\n", lib->path, names[s]);
      exit(1);
    }
  }
}

static int64_t first_step(int s, int round) { return (s == 1 ? 0 : TOTAL / 2) + (int64_t)(round % 4) * STEPS; }

/* FNV-1a over the float bits of one fill from the schedule's first step. */
static uint64_t values_hash(struct library *lib, int s, float *out) {
  lib->fill(lib->schedules[s], first_step(s, 0), STEPS, out);
  uint64_t h = 1469598103934665603ULL;
  for (int i = 0; i < STEPS; i++) {
    uint32_t bits;
    memcpy(&bits, &out[i], sizeof bits);
    h = (h ^ bits) * 1099511628211ULL;
  }
  return h;
}

int main(int argc, char **argv) {
  int rounds = ab_rounds(argc, argv, "bench_fill_ab", MAX_ROUNDS);
  static struct library libs[2];
  libs[0].path = argv[1];
  libs[1].path = argv[2];
  load(&libs[0]);
  load(&libs[1]);
  float *out = aligned_alloc(64, (size_t)STEPS * sizeof(float));
  if (!out) return 1;
  for (int s = 0; s < SCHEDULES; s++) {
    for (int l = 0; l < 2; l++) libs[l].hash[s] = values_hash(&libs[l], s, out);
    for (int r = 0; r < rounds; r++) {
      for (int l = 0; l < 2; l++) {
        double t0 = thread_ns();
        libs[l].fill(libs[l].schedules[s], first_step(s, r), STEPS, out);
        libs[l].ns[s][r] = (thread_ns() - t0) / STEPS;
      }
    }
  }
  printf("fill_f32 of 2^18 steps on one thread, CPU ns per element, %d alternating rounds: min / median\n", rounds);
  printf("  A: %s\n  B: %s\n", libs[0].path, libs[1].path);
  printf("%-14s %18s %18s %8s  %s\n", "schedule", "A min / median", "B min / median", "B/A min", "bits");
  for (int s = 0; s < SCHEDULES; s++) {
    double m[2], med[2];
    for (int l = 0; l < 2; l++) ab_min_median(libs[l].ns[s], rounds, &m[l], &med[l]);
    printf("%-14s %8.3f / %7.3f %8.3f / %7.3f %7.2fx  %s\n", names[s], m[0], med[0], m[1], med[1], m[1] / m[0],
           libs[0].hash[s] == libs[1].hash[s] ? "same" : "differ");
  }
  free(out);
  return 0;
}
