/*
 * bench_at_ab.c - pace_schedule_at of two builds of libpace.so, run
 * alternately in one process: CPU time (CLOCK_THREAD_CPUTIME_ID) per call
 * over a sweep of steps for a few schedules, and hashes of at, fill_f64 and
 * fill_f32 of a schedule of every shape and of the kernel examples (equal
 * hashes: the same bits). A refactor of the schedule core runs it with the
 * library before and after the change.
 *
 * Thread CPU time is what stays comparable on a shared machine (see
 * bench_fill_ab.c); the two libraries alternate round by round and the
 * minimum is reported with the median.
 *
 * Build: cc -O2 Benchmarks/c/bench_at_ab.c -ldl -o build/bench/bench_at_ab
 * Run:   bench_at_ab OLD/libpace.so NEW/libpace.so [rounds, default 41]
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ab.h"

enum { CALLS = 1 << 16, MAX_ROUNDS = 201, TIMED = 5, HASH_STEPS = 4096 };

typedef struct pace_schedule pace_schedule;
typedef int (*parse_fn)(const char *, pace_schedule **);
typedef int (*at_fn)(const pace_schedule *, int64_t, double *);
typedef int (*fill64_fn)(const pace_schedule *, int64_t, int64_t, double *);
typedef int (*fill32_fn)(const pace_schedule *, int64_t, int64_t, float *);

/* The timed schedules (10^7 steps) and the steps their sweep covers. */
static const char *timed_names[TIMED] = {"warmup+cosine", "wsd 1-sqrt", "rex", "exponential", "step"};
static const char *timed_specs[TIMED] = {
  "{\"preset\":\"llmc\",\"peak\":6e-4,\"warmup_steps\":700,\"total_steps\":10000000,\"final_frac\":0.1}",
  "{\"preset\":\"wsd\",\"peak\":3e-4,\"warmup_steps\":500000,\"decay_steps\":2000000,\"total_steps\":10000000,"
  "\"decay_type\":\"sqrt\"}",
  "{\"preset\":\"rex\",\"peak\":3e-4,\"total_steps\":10000000}",
  "{\"preset\":\"exponential\",\"peak\":3e-4,\"gamma\":0.9999995}",
  "{\"phases\":[{\"shape\":\"step\",\"gamma\":0.5,\"step_size\":1000000,\"steps\":10000000,\"from\":1}]}",
};

/* The hashed schedules: one phase of every shape, curve and endpoint variant
 * (Tests/PaceTests/AtPathTests.swift's everyShapeSpec), the kernel examples
 * of ElementaryTests.swift and the timed ones. */
static const char *hashed_specs[] = {
  "{\"peak\": 0.003, \"phases\": ["
  "{\"shape\": \"linear\", \"steps\": 37, \"from\": 0, \"to\": 1, \"endpoint\": \"inclusive\"},"
  "{\"shape\": \"linear\", \"steps\": 40, \"from\": 0.2, \"to\": 0.9, \"mirror\": false},"
  "{\"shape\": \"polynomial\", \"power\": 2, \"steps\": 33, \"to\": 0.1},"
  "{\"shape\": \"polynomial\", \"power\": 1, \"steps\": 20, \"to\": 0.5},"
  "{\"shape\": \"cosine\", \"steps\": 101, \"offset\": 7, \"from\": 1, \"to\": 0.05},"
  "{\"shape\": \"cosine\", \"cycles\": 1.5, \"steps\": 64, \"from\": 0.9, \"to\": 0.1},"
  "{\"shape\": \"sqrt\", \"steps\": 29, \"from\": 0.8, \"to\": 0.01},"
  "{\"shape\": \"square\", \"steps\": 31, \"from\": 0.01, \"to\": 0.7},"
  "{\"shape\": \"rex\", \"steps\": 45, \"from\": 1, \"to\": 0},"
  "{\"shape\": \"uba\", \"phi\": 0.8, \"steps\": 52, \"from\": 0.4, \"to\": 0.02},"
  "{\"shape\": \"polynomial\", \"power\": 3, \"steps\": 41, \"from\": 0.02, \"to\": 0.6, \"endpoint\": \"inclusive\"},"
  "{\"shape\": \"cosine\", \"exponent\": 2, \"steps\": 60, \"to\": 0.01},"
  "{\"shape\": \"cosine\", \"cycles\": 1.5, \"exponent\": 3, \"steps\": 58, \"from\": 1, \"to\": 0.1},"
  "{\"shape\": \"exponential\", \"steps\": 70, \"from\": 1, \"to\": 0.001},"
  "{\"shape\": \"exponential\", \"steps\": 50, \"from\": 0.01, \"to\": 0.5, \"endpoint\": \"inclusive\", \"offset\": 3},"
  "{\"shape\": \"exponential\", \"gamma\": 0.97, \"steps\": 40},"
  "{\"shape\": \"exponential\", \"gamma\": 0.5, \"staircase\": 10, \"steps\": 55},"
  "{\"shape\": \"step\", \"gamma\": 0.5, \"step_size\": 9, \"steps\": 47, \"from\": 0.9},"
  "{\"shape\": \"step\", \"gamma\": 0.3, \"milestones\": [4, 11, 30], \"steps\": 38},"
  "{\"shape\": \"constant\", \"steps\": 13, \"from\": 0.25},"
  "{\"shape\": \"inverse_sqrt\", \"timescale\": 12, \"steps\": 44, \"from\": 1},"
  "{\"shape\": \"table\", \"values\": [0.5, 0.4, 0.45, 0.1]},"
  "{\"shape\": \"table\", \"steps\": 30, \"points\": [[0, 0.2], [10.5, 0.8], [30, 0.05]]},"
  "{\"shape\": \"table\", \"steps\": 20, \"points\": [[0, 1], [7, 0.3]], \"interpolation\": \"step\"},"
  "{\"repeat\": [{\"shape\": \"linear\", \"steps\": 3.5, \"from\": 0, \"to\": 1}, {\"shape\": \"exponential\", "
  "\"steps\": 6.25, \"to\": 0.1}, {\"shape\": \"cosine\", \"exponent\": 2, \"steps\": 8, \"to\": 0}],"
  " \"cycles\": 4, \"period_mult\": 1.3, \"decay\": 0.8, \"decay_mode\": \"peak\", \"floor\": 0.1, "
  "\"decay_per_step\": 0.999},"
  "{\"shape\": \"cosine\", \"steps\": 35.5, \"from\": 0.7, \"to\": 0.2},"
  "{\"shape\": \"power\", \"a\": 4, \"b\": -0.51, \"tokens_per_step\": 1000}"
  "]}",
  "{\"phases\":[{\"shape\":\"exponential\",\"steps\":1000,\"from\":1,\"to\":0.001}]}",
  "{\"phases\":[{\"shape\":\"exponential\",\"steps\":100,\"from\":0.5,\"to\":2,\"endpoint\":\"inclusive\"},"
  "{\"shape\":\"exponential\",\"gamma\":0.9999995}]}",
  "{\"phases\":[{\"shape\":\"exponential\",\"gamma\":0.5,\"staircase\":10,\"steps\":100},"
  "{\"shape\":\"exponential\",\"gamma\":0.99}]}",
  "{\"peak\":0.02,\"phases\":[{\"shape\":\"power\",\"a\":4,\"b\":-0.51,\"tokens_per_step\":1000}]}",
  "{\"phases\":[{\"shape\":\"step\",\"gamma\":0.1,\"step_size\":30,\"steps\":95},"
  "{\"shape\":\"step\",\"gamma\":0.5,\"milestones\":[10,20]}]}",
  "{\"phases\":[{\"shape\":\"polynomial\",\"power\":0.5,\"steps\":77,\"from\":0,\"to\":1},"
  "{\"shape\":\"polynomial\",\"power\":3,\"steps\":90,\"to\":0.01}]}",
  "{\"phases\":[{\"shape\":\"cosine\",\"exponent\":2,\"steps\":60,\"to\":0},"
  "{\"shape\":\"cosine\",\"cycles\":1.5,\"exponent\":2,\"steps\":60,\"from\":1,\"to\":0.1}]}",
  "{\"phases\":[{\"shape\":\"inverse_sqrt\",\"timescale\":100}]}",
  "{\"phases\":[{\"repeat\":[{\"shape\":\"exponential\",\"steps\":10,\"to\":0.1},"
  "{\"shape\":\"cosine\",\"exponent\":3,\"steps\":7,\"to\":0}],\"cycles\":5,\"period_mult\":1.5,\"decay\":0.7,"
  "\"decay_per_step\":0.9999}]}",
};
enum { HASHED = sizeof hashed_specs / sizeof hashed_specs[0] };

struct library {
  const char *path;
  parse_fn parse;
  at_fn at;
  fill64_fn fill64;
  fill32_fn fill32;
  pace_schedule *timed[TIMED];
  double ns[TIMED][MAX_ROUNDS];
  uint64_t hash[HASHED + TIMED];
};

static void *symbol(void *handle, const char *path, const char *name) {
  return ab_symbol("bench_at_ab", handle, path, name);
}

static pace_schedule *parse_or_die(struct library *lib, const char *spec) {
  pace_schedule *s = NULL;
  if (lib->parse(spec, &s) != 0) {
    fprintf(stderr, "bench_at_ab: %s rejected %s\n", lib->path, spec);
    exit(1);
  }
  return s;
}

static void load(struct library *lib) {
  void *handle = ab_open("bench_at_ab", lib->path);
  lib->parse = (parse_fn)(uintptr_t)symbol(handle, lib->path, "pace_schedule_parse");
  lib->at = (at_fn)(uintptr_t)symbol(handle, lib->path, "pace_schedule_at");
  lib->fill64 = (fill64_fn)(uintptr_t)symbol(handle, lib->path, "pace_schedule_fill_f64");
  lib->fill32 = (fill32_fn)(uintptr_t)symbol(handle, lib->path, "pace_schedule_fill_f32");
  for (int s = 0; s < TIMED; s++) lib->timed[s] = parse_or_die(lib, timed_specs[s]);
}

static uint64_t mix(uint64_t h, uint64_t bits) { return (h ^ bits) * 1099511628211ULL; }

/* FNV-1a over the bits of at, fill_f64 and fill_f32 at steps 0 ..< HASH_STEPS,
 * from steps 1, 2 and 3 (runs that start mid-vector), and near 2^53. */
static uint64_t values_hash(struct library *lib, pace_schedule *s) {
  static double f64[HASH_STEPS];
  static float f32[HASH_STEPS];
  const int64_t starts[] = {0, 1, 2, 3, 5000000, (INT64_C(1) << 53) - 5};
  uint64_t h = 1469598103934665603ULL;
  for (size_t j = 0; j < sizeof starts / sizeof starts[0]; j++) {
    int64_t n = starts[j] > 3 ? 64 : HASH_STEPS;
    if (lib->fill64(s, starts[j], n, f64) != 0 || lib->fill32(s, starts[j], n, f32) != 0) return 0;
    for (int64_t i = 0; i < n; i++) {
      double v;
      if (lib->at(s, starts[j] + i, &v) != 0) return 0;
      uint64_t a, b;
      uint32_t c;
      memcpy(&a, &v, sizeof a);
      memcpy(&b, &f64[i], sizeof b);
      memcpy(&c, &f32[i], sizeof c);
      h = mix(mix(mix(h, a), b), c);
    }
  }
  return h;
}

/* One round: CALLS calls of at over the run, each at a step 10^7 / CALLS
 * apart (plus the round, so rounds differ a little), summed so that no call
 * is dead. */
static double sweep(struct library *lib, int s, int round, double *sink) {
  const int64_t stride = 10000000 / CALLS;
  double sum = 0;
  double t0 = thread_ns();
  for (int64_t i = 0; i < CALLS; i++) {
    double v;
    lib->at(lib->timed[s], i * stride + round, &v);
    sum += v;
  }
  double ns = (thread_ns() - t0) / CALLS;
  *sink += sum;
  return ns;
}

int main(int argc, char **argv) {
  int rounds = ab_rounds(argc, argv, "bench_at_ab", MAX_ROUNDS);
  static struct library libs[2];
  libs[0].path = argv[1];
  libs[1].path = argv[2];
  load(&libs[0]);
  load(&libs[1]);
  for (int l = 0; l < 2; l++) {
    for (int s = 0; s < HASHED; s++) {
      pace_schedule *schedule = parse_or_die(&libs[l], hashed_specs[s]);
      libs[l].hash[s] = values_hash(&libs[l], schedule);
    }
    for (int s = 0; s < TIMED; s++) libs[l].hash[HASHED + s] = values_hash(&libs[l], libs[l].timed[s]);
  }
  double sink = 0;
  for (int s = 0; s < TIMED; s++) {
    for (int r = 0; r < rounds; r++) {
      for (int l = 0; l < 2; l++) libs[l].ns[s][r] = sweep(&libs[l], s, r, &sink);
    }
  }
  int same = 0;
  for (int s = 0; s < HASHED + TIMED; s++) same += libs[0].hash[s] == libs[1].hash[s] && libs[0].hash[s] != 0;
  printf("pace_schedule_at on one thread, CPU ns per call over %d steps of a 10^7-step run, %d alternating rounds: "
         "min / median\n", CALLS, rounds);
  printf("  A: %s\n  B: %s\n", libs[0].path, libs[1].path);
  printf("%-14s %18s %18s %8s\n", "schedule", "A min / median", "B min / median", "B/A min");
  for (int s = 0; s < TIMED; s++) {
    double m[2], med[2];
    for (int l = 0; l < 2; l++) ab_min_median(libs[l].ns[s], rounds, &m[l], &med[l]);
    printf("%-14s %8.3f / %7.3f %8.3f / %7.3f %7.2fx\n", timed_names[s], m[0], med[0], m[1], med[1], m[1] / m[0]);
  }
  printf("bits (at, fill_f64, fill_f32 hashed): %d of %d schedules the same%s\n", same, HASHED + TIMED,
         sink == 0 ? "" : " ");
  return same == HASHED + TIMED ? 0 : 1;
}
