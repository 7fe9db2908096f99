/*
 * bench_batch.c - the batch engine (pace_batch_fill_f32/_f64,
 * pace_batch_reduce) on 4096 schedules x 100000 steps of mixed presets.
 *
 * Rows of the table:
 *  - fill f32 through a plain loop of pace_schedule_fill_f32 (no engine),
 *    then pace_batch_fill_f32 with 1 thread, with every CPU of the affinity
 *    mask, with every CPU and PACE_NUMA=off (one node), and with every CPU on
 *    a simulated two-node topology (PACE_NUMA_SIMULATE), and memset of the
 *    same matrix (the memory-bandwidth roof, one thread);
 *  - fill f64 with every CPU (twice the bytes);
 *  - reduce (final value, S1, S2; no matrix) with 1 thread, every CPU, one
 *    node and the simulated two nodes.
 * Every configuration runs in a fresh child process (this program
 * re-executes itself), so that its peak resident memory (getrusage
 * ru_maxrss) is its own: the table shows it next to the output size;
 * rss-base is the growth over the process before the batch (library loaded,
 * engine started, schedules parsed). A child does a cold run (for fills the
 * matrix is fresh memory, faulted in by the workers: first touch) and a warm
 * run. The configurations run in turn, round after round (default 5), so
 * that a shared machine's load falls on all of them alike; the table gives
 * the medians, the spread (max-min)/median of the warm runs, and cpu/w, the
 * CPU time per wall time of the warm runs (how many cores the row actually
 * got). A sample of elements and reductions is checked against
 * pace_schedule_at.
 *
 * Build: cc -O2 Benchmarks/c/bench_batch.c $(pkg-config --cflags --libs pace) -lm
 * Run:   bench_batch [schedules [steps [rounds]]]   (defaults 4096 100000 5)
 */
#define _GNU_SOURCE 1

#include <errno.h>
#include <math.h>
#include <pace.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timing.h"

enum { MAX_REPS = 51 };

static double cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
         (double)ru.ru_stime.tv_usec * 1e-6;
}

static double maxrss_mb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_maxrss / 1024.0; /* kilobytes on Linux */
}

/* Mixed presets over `steps` steps; schedule i gets peak scaled by (1 + (i % 97) / 97). */
static pace_schedule **make_schedules(int64_t n, int64_t steps) {
  static const char *templates[] = {
    "{\"preset\":\"cosine\",\"peak\":%g,\"warmup_steps\":%lld,\"total_steps\":%lld}",
    "{\"preset\":\"wsd\",\"peak\":%g,\"warmup_steps\":%lld,\"stable_steps\":%lld,\"decay_steps\":%lld,\"decay_type\":\"1-sqrt\"}",
    "{\"preset\":\"linear\",\"peak\":%g,\"warmup_steps\":%lld,\"total_steps\":%lld}",
    "{\"preset\":\"onecycle\",\"peak\":%g,\"total_steps\":%lld,\"pct_start\":0.3}",
    "{\"preset\":\"rex\",\"peak\":%g,\"warmup_steps\":%lld,\"total_steps\":%lld,\"min_ratio\":0.05}",
    "{\"preset\":\"uba\",\"peak\":%g,\"warmup_steps\":%lld,\"total_steps\":%lld,\"phi\":1.5}",
    "{\"preset\":\"polynomial\",\"peak\":%g,\"warmup_steps\":%lld,\"total_steps\":%lld,\"power\":2}",
    "{\"preset\":\"inverse_sqrt\",\"peak\":%g,\"warmup_steps\":%lld,\"timescale\":3000}",
    "{\"preset\":\"cosine_with_restarts\",\"peak\":%g,\"warmup_steps\":%lld,\"total_steps\":%lld,\"cycles\":3}",
    "{\"preset\":\"step\",\"peak\":%g,\"step_size\":%lld,\"gamma\":0.5}",
  };
  enum { KINDS = sizeof templates / sizeof *templates };
  pace_schedule **s = calloc((size_t)n, sizeof *s);
  if (!s) exit(1);
  char spec[512];
  long long w = (long long)(steps / 100 > 0 ? steps / 100 : 1), t = (long long)steps;
  for (int64_t i = 0; i < n; i++) {
    double peak = 3e-4 * (1.0 + (double)(i % 97) / 97.0);
    int k = (int)(i % KINDS);
    switch (k) {
      case 1: snprintf(spec, sizeof spec, templates[k], peak, w, t * 7 / 10 - w, t - t * 7 / 10); break;
      case 3: snprintf(spec, sizeof spec, templates[k], peak, t); break;
      case 7: snprintf(spec, sizeof spec, templates[k], peak, w); break;
      case 9: snprintf(spec, sizeof spec, templates[k], peak, t / 10 > 0 ? t / 10 : 1); break;
      default: snprintf(spec, sizeof spec, templates[k], peak, w, t); break;
    }
    check(pace_schedule_parse(spec, &s[i]), spec);
  }
  return s;
}

struct config {
  const char *name;
  const char *kind;  /* loop32, fill32, fill64, memset32, reduce */
  int all_threads;   /* 0: 1 thread */
  const char *numa;  /* value of PACE_NUMA, or NULL */
  const char *sim;   /* value of PACE_NUMA_SIMULATE, or NULL ("auto": one node per allowed CPU) */
};

static const struct config configs[] = {
  {"fill f32: pace_schedule_fill_f32 loop", "loop32", 0, NULL, NULL},
  {"fill f32: engine, 1 thread", "fill32", 0, NULL, NULL},
  {"fill f32: engine, all threads", "fill32", 1, NULL, NULL},
  {"fill f32: all threads, PACE_NUMA=off", "fill32", 1, "off", NULL},
  {"fill f32: all threads, simulated 2 nodes", "fill32", 1, NULL, "auto"},
  {"memset f32 matrix (roof, 1 thread)", "memset32", 0, NULL, NULL},
  {"fill f64: engine, all threads", "fill64", 1, NULL, NULL},
  {"reduce: engine, 1 thread", "reduce", 0, NULL, NULL},
  {"reduce: engine, all threads", "reduce", 1, NULL, NULL},
  {"reduce: all threads, PACE_NUMA=off", "reduce", 1, "off", NULL},
  {"reduce: all threads, simulated 2 nodes", "reduce", 1, NULL, "auto"},
};
enum { CONFIGS = sizeof configs / sizeof *configs };

static int allowed_cpus(int *first, int *second) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  int count = 0;
  *first = *second = -1;
  for (int c = 0; c < CPU_SETSIZE; c++) {
    if (!CPU_ISSET(c, &set)) continue;
    if (count == 0) *first = c;
    if (count == 1) *second = c;
    count++;
  }
  return count;
}

/* Checks a sample of a filled matrix against pace_schedule_at. */
static void verify_fill(pace_schedule **s, int64_t n, int64_t steps, const void *out, int f32) {
  for (int k = 0; k < 1000; k++) {
    int64_t i = (int64_t)(((uint64_t)k * 2654435761u) % (uint64_t)n);
    int64_t j = (int64_t)(((uint64_t)k * 40503u * 7919u) % (uint64_t)steps);
    double v;
    check(pace_schedule_at(s[i], j, &v), "pace_schedule_at");
    size_t e = (size_t)i * (size_t)steps + (size_t)j;
    int ok = f32 ? ((const float *)out)[e] == (float)v : ((const double *)out)[e] == v;
    if (!ok) {
      fprintf(stderr, "bench_batch: element (%lld, %lld) differs from pace_schedule_at\n", (long long)i, (long long)j);
      exit(1);
    }
  }
}

static void verify_reduce(pace_schedule **s, int64_t n, int64_t steps, const double *fin, const double *sums) {
  double *row = malloc((size_t)steps * sizeof *row);
  if (!row) exit(1);
  for (int64_t i = 0; i < n; i += n / 7 + 1) {
    check(pace_schedule_fill_f64(s[i], 0, steps, row), "fill");
    double sum = 0, c = 0; /* Kahan, in step order, as the engine */
    for (int64_t j = 0; j < steps; j++) {
      double y = row[j] - c, t = sum + y;
      c = (t - sum) - y;
      sum = t;
    }
    if (fin[i] != row[steps - 1] || sums[i] != sum) {
      fprintf(stderr, "bench_batch: reduction of schedule %lld differs from a plain loop\n", (long long)i);
      exit(1);
    }
  }
  free(row);
}

/* One round of one configuration, in a fresh process: a cold run (fills:
 * the matrix is fresh memory, faulted in by the workers) and a warm run.
 * Prints "cold warm cpu_warm base_mb peak_mb threads nodes" on stdout. */
static int child(const struct config *c, int64_t n, int64_t steps) {
  pace_schedule **s = make_schedules(n, steps);
  pace_engine *engine = NULL;
  pace_engine_options opt = {sizeof opt, PACE_NUMA_AUTO, c->all_threads ? PACE_THREADS_AUTO : 1};
  int uses_engine = strcmp(c->kind, "fill32") == 0 || strcmp(c->kind, "fill64") == 0 || strcmp(c->kind, "reduce") == 0;
  pace_engine_info info = {sizeof info, 0, 0, 0, 0, 1};
  if (uses_engine) {
    check(pace_engine_create(&opt, &engine), "pace_engine_create");
    check(pace_engine_get_info(engine, &info), "pace_engine_get_info");
  }
  double base_mb = maxrss_mb();
  size_t elements = (size_t)n * (size_t)steps;
  int f64 = strcmp(c->kind, "fill64") == 0;
  int reduce = strcmp(c->kind, "reduce") == 0;
  size_t bytes = reduce ? 0 : elements * (f64 ? sizeof(double) : sizeof(float));
  void *out = NULL;
  double *fin = NULL, *sums = NULL, *s2 = NULL;
  if (reduce) {
    fin = malloc((size_t)n * sizeof *fin);
    sums = malloc((size_t)n * sizeof *sums);
    s2 = malloc((size_t)n * sizeof *s2);
    if (!fin || !sums || !s2) exit(1);
  } else {
    out = malloc(bytes); /* fresh pages: the cold run touches them */
    if (!out) {
      fprintf(stderr, "bench_batch: cannot allocate %zu bytes\n", bytes);
      exit(1);
    }
  }
  double times[2], cpu_warm = 0;
  for (int r = 0; r < 2; r++) {
    double c0 = cpu_s(), t0 = now_s();
    if (strcmp(c->kind, "loop32") == 0) {
      for (int64_t i = 0; i < n; i++)
        check(pace_schedule_fill_f32(s[i], 0, steps, (float *)out + (size_t)i * (size_t)steps), "fill");
    } else if (strcmp(c->kind, "memset32") == 0) {
      memset_fn(out, r + 1, bytes);
    } else if (strcmp(c->kind, "fill32") == 0) {
      check(pace_batch_fill_f32(engine, (const pace_schedule *const *)s, n, 0, steps, out, elements), "fill_f32");
    } else if (f64) {
      check(pace_batch_fill_f64(engine, (const pace_schedule *const *)s, n, 0, steps, out, elements), "fill_f64");
    } else {
      check(pace_batch_reduce(engine, (const pace_schedule *const *)s, n, 0, steps, 0.999, fin, sums, s2), "reduce");
    }
    times[r] = now_s() - t0;
    if (r == 1) cpu_warm = cpu_s() - c0;
  }
  if (reduce) {
    verify_reduce(s, n, steps, fin, sums);
    sink = fin[0] + sums[0] + s2[0];
  } else if (strcmp(c->kind, "memset32") != 0) {
    verify_fill(s, n, steps, out, !f64);
    sink = f64 ? ((double *)out)[elements - 1] : ((float *)out)[elements - 1];
  }
  printf("%.6f %.6f %.6f %.3f %.3f %lld %lld\n", times[0], times[1], cpu_warm, base_mb, maxrss_mb(),
         (long long)(uses_engine ? info.threads : 1), (long long)(uses_engine ? info.nodes : 0));
  free(out);
  free(fin);
  free(sums);
  free(s2);
  pace_engine_free(engine);
  for (int64_t i = 0; i < n; i++) pace_schedule_free(s[i]);
  free(s);
  return 0;
}

struct sample {
  double cold, warm, cpu, base_mb, peak_mb;
  long long threads, nodes;
};

/* Runs one round of configuration k in a child process (environment set
 * for it); 0 on success. */
static int run_child(const char *self, int k, const char *sim, int64_t n, int64_t steps, struct sample *out) {
  const struct config *c = &configs[k];
  int fd[2];
  if (pipe(fd) != 0) return -1;
  char ks[16], ns[32], ts[32];
  snprintf(ks, sizeof ks, "%d", k);
  snprintf(ns, sizeof ns, "%lld", (long long)n);
  snprintf(ts, sizeof ts, "%lld", (long long)steps);
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    close(fd[0]);
    dup2(fd[1], 1);
    unsetenv("PACE_NUMA");
    unsetenv("PACE_NUMA_SIMULATE");
    if (c->numa) setenv("PACE_NUMA", c->numa, 1);
    if (c->sim) setenv("PACE_NUMA_SIMULATE", sim, 1);
    execl("/proc/self/exe", self, "--child", ks, ns, ts, (char *)NULL);
    perror("exec");
    _exit(127);
  }
  close(fd[1]);
  char line[256] = "";
  FILE *f = fdopen(fd[0], "r");
  int got = f && fgets(line, sizeof line, f) != NULL;
  if (f) fclose(f);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return sscanf(line, "%lf %lf %lf %lf %lf %lld %lld", &out->cold, &out->warm, &out->cpu, &out->base_mb, &out->peak_mb,
                &out->threads, &out->nodes) == 7 ? 0 : -1;
}

static double median_of(double *v, int n) { return summarize(v, n).median; }

int main(int argc, char **argv) {
  if (argc >= 5 && strcmp(argv[1], "--child") == 0) {
    int k = atoi(argv[2]);
    if (k < 0 || k >= CONFIGS) return 2;
    return child(&configs[k], atoll(argv[3]), atoll(argv[4]));
  }
  int64_t n = argc > 1 ? atoll(argv[1]) : 4096;
  int64_t steps = argc > 2 ? atoll(argv[2]) : 100000;
  int rounds = argc > 3 ? atoi(argv[3]) : 5;
  if (n < 1 || steps < 1 || rounds < 1 || rounds > MAX_REPS) {
    fprintf(stderr, "usage: bench_batch [schedules >= 1 [steps >= 1 [rounds 1..%d]]]\n", MAX_REPS);
    return 2;
  }
  int first, second;
  int cpus = allowed_cpus(&first, &second);
  char sim[64] = "";
  if (cpus >= 2) snprintf(sim, sizeof sim, "%d-%d,%d-%d", first, first, second, second);

  printf("batch engine: %lld schedules x %lld steps (mixed presets), %d CPUs in the affinity mask, %d rounds\n",
         (long long)n, (long long)steps, cpus, rounds);
  printf("each round runs every configuration once, in turn, each in a fresh process (a cold and a warm run);\n"
         "simulated 2 nodes: PACE_NUMA_SIMULATE=\"%s\"\n", sim);
  static struct sample samples[CONFIGS][MAX_REPS];
  for (int r = 0; r < rounds; r++) {
    for (int k = 0; k < CONFIGS; k++) {
      if (configs[k].sim && !*sim) continue;
      if (run_child(argv[0], k, sim, n, steps, &samples[k][r]) != 0) {
        fprintf(stderr, "bench_batch: %s failed\n", configs[k].name);
        return 1;
      }
    }
    double load[3] = {0, 0, 0};
    getloadavg(load, 3);
    printf("  round %d/%d done (load average %.2f)\n", r + 1, rounds, load[0]);
    fflush(stdout);
  }
  printf("%-42s %7s %7s %8s %7s %5s %8s %8s %6s %9s %9s %9s\n", "configuration", "thr/nod", "cold s", "median s",
         "spread", "cpu/w", "Gval/s", "Gval/cpu", "GB/s", "maxrss MB", "output MB", "rss-base");
  for (int k = 0; k < CONFIGS; k++) {
    const struct config *c = &configs[k];
    if (c->sim && !*sim) {
      printf("%-42s skipped: needs 2 CPUs in the affinity mask\n", c->name);
      continue;
    }
    double cold[MAX_REPS], warm[MAX_REPS], cpu = 0, wall = 0, peak = 0, growth = 0;
    for (int r = 0; r < rounds; r++) {
      cold[r] = samples[k][r].cold;
      warm[r] = samples[k][r].warm;
      cpu += samples[k][r].cpu;
      wall += samples[k][r].warm;
      if (samples[k][r].peak_mb > peak) peak = samples[k][r].peak_mb;
      if (samples[k][r].peak_mb - samples[k][r].base_mb > growth) growth = samples[k][r].peak_mb - samples[k][r].base_mb;
    }
    double cold_med = median_of(cold, rounds), med = median_of(warm, rounds);
    double spread = (warm[rounds - 1] - warm[0]) / med; /* sorted by median_of */
    int reduce = strcmp(c->kind, "reduce") == 0, f64 = strcmp(c->kind, "fill64") == 0;
    size_t elements = (size_t)n * (size_t)steps;
    size_t bytes = reduce ? 0 : elements * (f64 ? sizeof(double) : sizeof(float));
    char thr[32], cold_text[16], gbs[16];
    if (samples[k][0].nodes > 0) snprintf(thr, sizeof thr, "%lld/%lld", samples[k][0].threads, samples[k][0].nodes);
    else snprintf(thr, sizeof thr, "1/-");
    if (reduce) snprintf(cold_text, sizeof cold_text, "-");
    else snprintf(cold_text, sizeof cold_text, "%.3f", cold_med);
    if (bytes) snprintf(gbs, sizeof gbs, "%.2f", (double)bytes / med / 1e9);
    else snprintf(gbs, sizeof gbs, "-");
    printf("%-42s %7s %7s %8.3f %6.1f%% %5.2f %8.3f %8.3f %6s %9.0f %9.0f %9.1f\n", c->name, thr, cold_text, med,
           100.0 * spread, cpu / wall, (double)elements / med / 1e9, (double)elements * rounds / cpu / 1e9, gbs, peak,
           (double)bytes / 1048576.0, growth);
  }
  printf("cold s: median of the cold runs (fills: includes faulting the fresh matrix in); median s and spread\n"
         "(max-min)/median: the warm runs; cpu/w: CPU seconds per wall second of the warm runs (how many cores\n"
         "the row really got); Gval/s: values (or reduced steps) per second, warm median; Gval/cpu: per CPU\n"
         "second (the work per core, which a shared machine does not distort); GB/s: matrix bytes written per\n"
         "second; maxrss: peak resident memory of the row's process (largest round); rss-base: its growth after\n"
         "the library, engine and schedules were set up (fills: the output + O(threads) scratch; reductions:\n"
         "no O(N x T) memory).\n");
  double load[3];
  if (getloadavg(load, 3) == 3) printf("load average after the run: %.2f %.2f %.2f\n", load[0], load[1], load[2]);
  return 0;
}
