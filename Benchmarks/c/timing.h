/*
 * timing.h - what the C benchmarks share: a monotonic clock, medians of
 * repeated runs with their spread, a table row format, and the
 * machine-readable lines that Benchmarks/run collects.
 *
 * bench_init(argc, argv) reads --json: then every row/ratio/target also
 * prints one line
 *   @bench {"bench":"bench_at","name":"...","unit":"ns/call","median":..,"min":..,"max":..,"n":11}
 *   @bench {"bench":"bench_at","name":"...","ratio":..}
 * (one JSON object after "@bench "; the human table is printed as well).
 */
#ifndef PACE_BENCH_TIMING_H
#define PACE_BENCH_TIMING_H

#include <pace.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Results feed this volatile sink so the work cannot be optimized away. */
static volatile double sink;

/* memset called through a volatile pointer: a real call, never elided. */
static void *(*volatile memset_fn)(void *, int, size_t) = memset;

static inline double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline double now_s(void) { return now_ns() * 1e-9; }

/* CPU time of the whole process (every thread), in ns: what a call costs
 * apart from the waits a shared machine adds to its wall time. */
static inline double process_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

struct stats {
  double median, min, max;
  int n;
};

/* Sorts the samples; the median is the middle one (n odd) or the mean of the
 * two middle ones. */
static inline struct stats summarize(double *samples, int n) {
  qsort(samples, (size_t)n, sizeof *samples, cmp_double);
  double median = n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
  return (struct stats){median, samples[0], samples[n - 1], n};
}

/* The program's name ("bench_at"), from its source file. */
static inline const char *bench_name(void) {
  static char name[64];
  if (!name[0]) {
    const char *slash = strrchr(__BASE_FILE__, '/');
    snprintf(name, sizeof name, "%s", slash ? slash + 1 : __BASE_FILE__);
    char *dot = strrchr(name, '.');
    if (dot) *dot = '\0';
  }
  return name;
}

static int bench_json; /* --json: also print @bench lines */

static inline void bench_init(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--json") == 0) bench_json = 1;
  if (bench_json) {
    const char *info = pace_build_info();
    printf("@bench {\"bench\":\"%s\",\"library\":\"%s\",\"version\":\"%s\"}\n", bench_name(), info ? info : "",
           pace_version_string());
  }
}

/* Fails the benchmark on a status other than PACE_OK. */
static inline void check(pace_status st, const char *what) {
  if (st != PACE_OK) {
    fprintf(stderr, "%s: %s: %s\n", bench_name(), what, pace_last_error());
    exit(1);
  }
}

/* ---- table ------------------------------------------------------------------ */

static inline void table_header(void) {
  printf("  %-44s %-8s %9s %9s %9s %8s\n", "measurement", "unit", "median", "min", "max", "spread");
  printf("  %-44s %-8s %9s %9s %9s %8s\n", "--------------------------------------------", "--------", "---------",
         "---------", "---------", "--------");
}

static inline void row(const char *name, const char *unit, struct stats st) {
  printf("  %-44s %-8s %9.3f %9.3f %9.3f %7.1f%%\n", name, unit, st.median, st.min, st.max,
         st.median > 0 ? 100.0 * (st.max - st.min) / st.median : 0.0);
  if (bench_json)
    printf("@bench {\"bench\":\"%s\",\"name\":\"%s\",\"unit\":\"%s\",\"median\":%.6g,\"min\":%.6g,\"max\":%.6g,"
           "\"n\":%d}\n",
           bench_name(), name, unit, st.median, st.min, st.max, st.n);
}

/* a / b of the medians (same run). */
static inline void ratio(const char *name, struct stats a, struct stats b) {
  printf("  %-44s %-8s %9.2fx\n", name, "", a.median / b.median);
  if (bench_json)
    printf("@bench {\"bench\":\"%s\",\"name\":\"%s\",\"ratio\":%.6g}\n", bench_name(), name, a.median / b.median);
}

static inline void target(const char *name, struct stats st, double limit, const char *unit) {
  printf("  %-44s %-8s %9s   median %.3f %s vs target <= %g %s\n", name, "", st.median <= limit ? "met" : "MISSED",
         st.median, unit, limit, unit);
}

static inline void info(const char *name, const char *unit, double value) {
  printf("  %-44s %-8s %9.0f\n", name, unit, value);
}

#endif /* PACE_BENCH_TIMING_H */
