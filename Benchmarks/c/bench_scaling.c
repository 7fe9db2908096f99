/*
 * bench_scaling.c - fill time against count: pace_schedule_fill_f32 of a
 * warmup + cosine schedule for 10^3 .. 10^8 steps (4 KB .. 400 MB), next to
 * memset of the same buffer, in ns per element. Flat while compute bound;
 * memset's cost steps up where the buffer leaves each cache level, and the
 * fill's ratio to memset shrinks toward the memory limit.
 *
 * Each sample times back-to-back calls covering at least 10^6 elements (so
 * that small counts are not clock-bound); the fill and memset samples
 * alternate; 11 samples (5 at 10^8), median with min..max. The sizes of the
 * CPU's caches (sysfs) are printed above the table.
 *
 * Build: cc -O2 Benchmarks/c/bench_scaling.c $(pkg-config --cflags --libs pace) -lm
 * Run:   bench_scaling [--json] [--max-exp 8]
 */
#define _POSIX_C_SOURCE 200809L

#include "timing.h"

enum { REPS = 11, REPS_LARGE = 5 };

/* Size in bytes of the data or unified cache of CPU 0 at `level` (0: none). */
static long cache_bytes(int level) {
  for (int i = 0; i < 8; i++) {
    char path[128], text[32] = "";
    long got_level = 0, size = 0;
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    if (fscanf(f, "%ld", &got_level) != 1) got_level = 0;
    fclose(f);
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
    f = fopen(path, "r");
    if (!f) continue;
    if (fscanf(f, "%31s", text) != 1) text[0] = '\0';
    fclose(f);
    if (got_level != level || strcmp(text, "Instruction") == 0) continue;
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
    f = fopen(path, "r");
    if (!f) continue;
    char unit = 0;
    if (fscanf(f, "%ld%c", &size, &unit) < 1) size = 0;
    fclose(f);
    return size * (unit == 'K' ? 1024L : unit == 'M' ? 1048576L : 1L);
  }
  return 0;
}

int main(int argc, char **argv) {
  bench_init(argc, argv);
  int max_exp = 8;
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp(argv[i], "--max-exp") == 0) max_exp = atoi(argv[i + 1]);
  if (max_exp < 3 || max_exp > 9) max_exp = 8;

  long l1 = cache_bytes(1), l2 = cache_bytes(2), l3 = cache_bytes(3);
  printf("Pace fill scaling (%s), CLOCK_MONOTONIC\n", pace_build_info());
  printf("caches of CPU 0: L1d %ld KB, L2 %ld KB, L3 %ld KB\n", l1 >> 10, l2 >> 10, l3 >> 10);
  if (bench_json) printf("@bench {\"bench\":\"%s\",\"caches\":{\"L1\":%ld,\"L2\":%ld,\"L3\":%ld}}\n", bench_name(), l1, l2, l3);
  printf("  %12s %12s %26s %26s %10s\n", "count", "bytes", "fill_f32 ns/elem", "memset ns/elem", "fill/memset");

  for (int e = 3; e <= max_exp; e++) {
    int64_t m = 1;
    for (int k = 0; k < e; k++) m *= 10;
    size_t bytes = (size_t)m * sizeof(float);
    float *buf = malloc(bytes);
    if (!buf) {
      fprintf(stderr, "bench_scaling: out of memory for %lld elements\n", (long long)m);
      return 1;
    }
    memset(buf, 1, bytes); /* fault the pages in before timing */
    char spec[256];
    snprintf(spec, sizeof spec, "{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":%lld,\"total_steps\":%lld}",
             (long long)(m / 20), (long long)m);
    pace_schedule *s = NULL;
    check(pace_schedule_parse(spec, &s), "parse");
    int64_t inner = m >= 1000000 ? 1 : 1000000 / m;
    int reps = m >= 100000000 ? REPS_LARGE : REPS;
    double t_fill[REPS], t_mem[REPS];
    check(pace_schedule_fill_f32(s, 0, m, buf), "fill_f32"); /* warm-up */
    for (int r = 0; r < reps; r++) {
      double t0 = now_ns();
      for (int64_t i = 0; i < inner; i++) check(pace_schedule_fill_f32(s, 0, m, buf), "fill_f32");
      double t1 = now_ns();
      for (int64_t i = 0; i < inner; i++) memset_fn(buf, (int)i, bytes);
      double t2 = now_ns();
      t_fill[r] = (t1 - t0) / (double)(inner * m);
      t_mem[r] = (t2 - t1) / (double)(inner * m);
      sink = (double)buf[m / 2];
    }
    struct stats f = summarize(t_fill, reps), ms = summarize(t_mem, reps);
    const char *where = (l1 && (long)bytes <= l1) ? "L1" : (l2 && (long)bytes <= l2) ? "L2" : (l3 && (long)bytes <= l3) ? "L3" : "DRAM";
    printf("  %12lld %12zu %9.3f (%6.3f..%6.3f) %9.3f (%6.3f..%6.3f) %9.2fx  %s\n", (long long)m, bytes, f.median, f.min,
           f.max, ms.median, ms.min, ms.max, f.median / ms.median, where);
    if (bench_json)
      printf("@bench {\"bench\":\"%s\",\"section\":\"scaling\",\"count\":%lld,\"bytes\":%zu,\"fits\":\"%s\","
             "\"fill\":{\"median\":%.6g,\"min\":%.6g,\"max\":%.6g,\"n\":%d},"
             "\"memset\":{\"median\":%.6g,\"min\":%.6g,\"max\":%.6g,\"n\":%d},\"ratio\":%.6g}\n",
             bench_name(), (long long)m, bytes, where, f.median, f.min, f.max, f.n, ms.median, ms.min, ms.max, ms.n,
             f.median / ms.median);
    pace_schedule_free(s);
    free(buf);
  }
  return 0;
}
