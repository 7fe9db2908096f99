/*
 * ab.h - what the A/B benchmarks (bench_fill_ab.c, bench_at_ab.c) share: two
 * builds of libpace.so loaded side by side in one process (RTLD_LOCAL, each
 * with its own static Swift runtime), thread CPU time, the command line
 * `OLD/libpace.so NEW/libpace.so [rounds]`, and min / median of the rounds.
 */
#ifndef PACE_BENCH_AB_H
#define PACE_BENCH_AB_H

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* CPU time of the calling thread, ns (CLOCK_THREAD_CPUTIME_ID): what stays
 * comparable on a shared machine. */
static double thread_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int ab_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Sorts the rounds' samples in place and gives their minimum and median. */
static void ab_min_median(double *samples, int rounds, double *min, double *median) {
  qsort(samples, (size_t)rounds, sizeof(double), ab_cmp_double);
  *min = samples[0];
  *median = samples[rounds / 2];
}

/* The rounds of `tool OLD NEW [rounds]` (1...max_rounds, default 41); exits
 * with status 2 and the usage line when the two paths are missing. */
static int ab_rounds(int argc, char **argv, const char *tool, int max_rounds) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s OLD/libpace.so NEW/libpace.so [rounds]\n", tool);
    exit(2);
  }
  int rounds = argc > 3 ? atoi(argv[3]) : 41;
  return rounds < 1 || rounds > max_rounds ? 41 : rounds;
}

/* dlopen of one build, or exit 1 with dlerror(). */
static void *ab_open(const char *tool, const char *path) {
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    fprintf(stderr, "%s: %s\n", tool, dlerror());
    exit(1);
  }
  return handle;
}

/* A function of one build, or exit 1 naming it. */
static void *ab_symbol(const char *tool, void *handle, const char *path, const char *name) {
  void *f = dlsym(handle, name);
  if (!f) {
    fprintf(stderr, "%s: %s lacks %s\n", tool, path, name);
    exit(1);
  }
  return f;
}

#endif
