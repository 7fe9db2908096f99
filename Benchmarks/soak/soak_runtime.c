/*
 * soak_runtime.c - a long run of the runtime with online refinement, saved
 * and reloaded on a fixed cadence, against the same run uninterrupted
 * (issue 15; docs/guarantees.md, "checkpoints at scale").
 *
 *   cc -O2 -std=c11 Benchmarks/soak/soak_runtime.c -o build/soak $(pkg-config --cflags --libs pace) -lm
 *   build/soak [STEPS [REFINE_EVERY [RELOAD_EVERY]]]     (default 10^8, 10^4, 10^6)
 *   Benchmarks/soak/run [STEPS ...]                      (builds it, then runs it)
 *
 * Two runtimes see the same gradient norms (a function of the step with
 * noise, a slow rise and unmeasured steps): A runs straight through; B is
 * saved with pace_runtime_save and replaced by pace_runtime_load every
 * RELOAD_EVERY steps. Every step's learning rate of B must equal A's bit for
 * bit. At each reload the table prints the step, the checkpoint's size, the
 * process's resident memory (/proc/self/statm) and the time so far; the
 * last lines give the largest checkpoint, the resident memory's growth from
 * the first reload to the last, and the verdicts (values identical; memory
 * flat: growth below 16 MB). Exit status 1 when either fails.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <pace.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU seconds of this process (user + system): on a shared machine the wall
 * time also counts other processes' turns. */
static double cpu_s(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (double)u.ru_utime.tv_sec + 1e-6 * (double)u.ru_utime.tv_usec + (double)u.ru_stime.tv_sec +
         1e-6 * (double)u.ru_stime.tv_usec;
}

static double resident_mb(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f) {
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
  }
  return (double)resident * (double)sysconf(_SC_PAGESIZE) / 1048576.0;
}

/* The gradient norm of step t: a slow rise, +-20% noise, NaN every 9973 steps. */
static double norm_at(int64_t t) {
  uint64_t z = (uint64_t)t * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  if (t % 9973 == 0) return NAN;
  return (1.0 + 1e-8 * (double)t) * (0.8 + 0.4 * (double)(z >> 11) / 9007199254740992.0);
}

int main(int argc, char **argv) {
  int64_t steps = argc > 1 ? (int64_t)atof(argv[1]) : 100000000;
  int64_t every = argc > 2 ? (int64_t)atof(argv[2]) : 10000;
  int64_t reload = argc > 3 ? (int64_t)atof(argv[3]) : 1000000;
  char config[512];
  snprintf(config, sizeof config,
           "{\"channels\":{\"lr\":{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":2000,\"total_steps\":%lld}},"
           "\"refine\":{\"every\":%lld,\"min_history\":%lld,\"norm\":\"l2\",\"smoothing\":0.1}}",
           (long long)(steps + steps / 10), (long long)every, (long long)(every > 5000 ? every : 5000));
  pace_runtime *a = NULL, *b = NULL;
  if (pace_runtime_create(config, &a) != PACE_OK || pace_runtime_create(config, &b) != PACE_OK) {
    fprintf(stderr, "create: %s\n", pace_last_error());
    return 1;
  }
  printf("soak: %lld steps, refine every %lld, save + reload every %lld (%s)\n", (long long)steps, (long long)every,
         (long long)reload, pace_build_info());
  printf("%12s %12s %12s %10s\n", "step", "state bytes", "resident MB", "seconds");
  double t0 = now_s(), first_rss = -1, last_rss = 0;
  size_t largest = 0;
  int64_t differ = 0, first_differ = -1;
  unsigned char *blob = NULL;
  size_t cap = 0;
  for (int64_t t = 0; t < steps; t++) {
    double g = norm_at(t), va = 0, vb = 0;
    pace_runtime_step(a, g, &va, 1);
    pace_runtime_step(b, g, &vb, 1);
    if (memcmp(&va, &vb, sizeof va) != 0) {
      if (first_differ < 0) first_differ = t + 1;
      differ++;
    }
    if ((t + 1) % reload == 0) {
      size_t need = 0;
      pace_runtime_save(b, NULL, 0, &need);
      if (need > cap) {
        free(blob);
        cap = need;
        blob = malloc(cap);
      }
      if (!blob || pace_runtime_save(b, blob, cap, &need) != PACE_OK) {
        fprintf(stderr, "save: %s\n", pace_last_error());
        return 1;
      }
      pace_runtime *back = NULL;
      if (pace_runtime_load(blob, need, &back) != PACE_OK) {
        fprintf(stderr, "load at step %lld: %s\n", (long long)(t + 1), pace_last_error());
        return 1;
      }
      pace_runtime_free(b);
      b = back;
      if (need > largest) largest = need;
      last_rss = resident_mb();
      if (first_rss < 0) first_rss = last_rss;
      int64_t n = (t + 1) / reload;
      if (n <= 3 || (n & (n - 1)) == 0 || t + 1 == steps) {
        printf("%12lld %12zu %12.1f %10.1f\n", (long long)(t + 1), need, last_rss, now_s() - t0);
        fflush(stdout);
      }
    }
  }
  double seconds = now_s() - t0;
  double cpu = cpu_s();
  printf("%lld steps x 2 runtimes in %.1f s wall, %.1f s CPU (%.1f ns CPU per step each, re-plans and reloads "
         "included; load average shown by uptime)\n", (long long)steps, seconds, cpu, 1e9 * cpu / (double)steps / 2);
  printf("largest checkpoint %zu bytes; resident memory %.1f MB at the first reload, %.1f MB at the last (%+.1f MB)\n",
         largest, first_rss, last_rss, last_rss - first_rss);
  int flat = last_rss - first_rss < 16;
  printf("values identical to the uninterrupted run: %s", differ == 0 ? "yes\n" : "NO");
  if (differ) printf(" (%lld steps differ, the first at %lld)\n", (long long)differ, (long long)first_differ);
  printf("memory flat (growth < 16 MB): %s\n", flat ? "yes" : "NO");
  pace_runtime_free(a);
  pace_runtime_free(b);
  free(blob);
  return differ == 0 && flat ? 0 : 1;
}
