/*
 * bench_at.c - cost of Pace's C API in a training loop.
 *
 *  1. ns per pace_schedule_at call for an llm.c-style warmup + cosine
 *     schedule (warmup 1000, total 100000), next to the same formula written
 *     inline in C the way llm.c does it (float64 here), in the same run.
 *  2. ns per element of pace_schedule_fill_f64 / fill_f32 over 10^7 steps of a
 *     warmup + cosine schedule whose cosine spans all 10^7 steps, next to the
 *     inline formula filling the same buffer and to memset of that buffer.
 *
 * Each measurement is repeated 11 times (after one untimed warm-up run);
 * the table shows the median, min and max, and the spread (max-min)/median.
 * Results feed a volatile sink so the work cannot be optimized away.
 *
 * Build: cc -O2 Benchmarks/c/bench_at.c $(pkg-config --cflags --libs pace) -lm
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>

#include "timing.h"

enum { REPS = 11 };
static const double PI = 3.14159265358979323846;

/* Inputs read through volatiles: the compiler cannot fold the formula. */
static volatile double v_max_lr = 6e-4, v_final_frac = 0.1;
static volatile int64_t v_warmup = 1000, v_total = 100000;

static pace_schedule *parse_or_die(const char *spec) {
  pace_schedule *s = NULL;
  if (pace_schedule_parse(spec, &s) != PACE_OK) {
    fprintf(stderr, "bench_at: cannot parse %s: %s\n", spec, pace_last_error());
    exit(1);
  }
  return s;
}

/* llm.c get_learning_rate (cosine), in float64. */
static inline double llmc_lr(int64_t step, double max_lr, double min_lr, int64_t warmup, int64_t total) {
  if (step < warmup) return max_lr * (double)(step + 1) / (double)warmup;
  double ratio = (double)(step - warmup) / (double)(total - warmup);
  double coeff = 0.5 * (1.0 + cos(PI * ratio));
  return min_lr + coeff * (max_lr - min_lr);
}

/* ---- per-call benchmarks ------------------------------------------------ */

#define CALLS 2000000 /* per repetition: 20 passes over the 100000 steps */

static double run_at(const pace_schedule *s, int64_t total) {
  double acc = 0, v = 0;
  double t0 = now_ns();
  for (int64_t i = 0, step = 0; i < CALLS; i++) {
    pace_schedule_at(s, step, &v);
    acc += v;
    if (++step == total) step = 0;
  }
  double t1 = now_ns();
  sink = acc;
  return (t1 - t0) / CALLS;
}

static double run_inline(int64_t total) {
  const double max_lr = v_max_lr, min_lr = v_max_lr * v_final_frac;
  const int64_t warmup = v_warmup;
  double acc = 0;
  double t0 = now_ns();
  for (int64_t i = 0, step = 0; i < CALLS; i++) {
    acc += llmc_lr(step, max_lr, min_lr, warmup, total);
    if (++step == total) step = 0;
  }
  double t1 = now_ns();
  sink = acc;
  return (t1 - t0) / CALLS;
}

/* ---- per-element benchmarks --------------------------------------------- */

#define FILL_N 10000000LL

static double run_fill_f64(const pace_schedule *s, double *buf) {
  double t0 = now_ns();
  check(pace_schedule_fill_f64(s, 0, FILL_N, buf), "fill_f64");
  double t1 = now_ns();
  sink = buf[FILL_N / 3] + buf[FILL_N - 1];
  return (t1 - t0) / (double)FILL_N;
}

static double run_fill_f32(const pace_schedule *s, float *buf) {
  double t0 = now_ns();
  check(pace_schedule_fill_f32(s, 0, FILL_N, buf), "fill_f32");
  double t1 = now_ns();
  sink = (double)buf[FILL_N / 3] + (double)buf[FILL_N - 1];
  return (t1 - t0) / (double)FILL_N;
}

static double run_inline_fill(double *buf) {
  const double max_lr = v_max_lr, min_lr = v_max_lr * v_final_frac;
  const int64_t warmup = v_warmup, total = FILL_N;
  double t0 = now_ns();
  for (int64_t step = 0; step < FILL_N; step++) buf[step] = llmc_lr(step, max_lr, min_lr, warmup, total);
  double t1 = now_ns();
  sink = buf[FILL_N / 3] + buf[FILL_N - 1];
  return (t1 - t0) / (double)FILL_N;
}

static double run_memset(void *buf, size_t bytes) {
  double t0 = now_ns();
  memset_fn(buf, 0, bytes);
  double t1 = now_ns();
  sink = ((volatile unsigned char *)buf)[bytes / 2];
  return (t1 - t0) / (double)FILL_N;
}

int main(int argc, char **argv) {
  bench_init(argc, argv);
  char spec_at[256], spec_fill[256];
  snprintf(spec_at, sizeof spec_at,
           "{\"preset\":\"llmc\",\"peak\":%.17g,\"warmup_steps\":%lld,\"total_steps\":%lld,\"final_frac\":%.17g}",
           (double)v_max_lr, (long long)v_warmup, (long long)v_total, (double)v_final_frac);
  snprintf(spec_fill, sizeof spec_fill,
           "{\"preset\":\"llmc\",\"peak\":%.17g,\"warmup_steps\":%lld,\"total_steps\":%lld,\"final_frac\":%.17g}",
           (double)v_max_lr, (long long)v_warmup, (long long)FILL_N, (double)v_final_frac);
  pace_schedule *s_at = parse_or_die(spec_at);
  pace_schedule *s_fill = parse_or_die(spec_fill);

  /* Same numbers? (llm.c formula vs Pace, every step of the schedule) */
  double max_rel = 0;
  for (int64_t step = 0; step < v_total; step++) {
    double ours = 0, want = llmc_lr(step, v_max_lr, v_max_lr * v_final_frac, v_warmup, v_total);
    check(pace_schedule_at(s_at, step, &ours), "at");
    double rel = fabs(ours - want) / fabs(want);
    if (rel > max_rel) max_rel = rel;
  }

  double *buf64 = malloc((size_t)FILL_N * sizeof *buf64);
  float *buf32 = malloc((size_t)FILL_N * sizeof *buf32);
  if (!buf64 || !buf32) {
    fprintf(stderr, "bench_at: out of memory\n");
    return 1;
  }
  memset(buf64, 1, (size_t)FILL_N * sizeof *buf64); /* fault the pages in before timing */
  memset(buf32, 1, (size_t)FILL_N * sizeof *buf32);

  double t_at[REPS], t_inline[REPS], t_f64[REPS], t_f32[REPS], t_inl_fill[REPS], t_ms64[REPS], t_ms32[REPS];
  run_at(s_at, v_total);  /* warm-up */
  run_inline(v_total);
  run_fill_f64(s_fill, buf64);
  run_fill_f32(s_fill, buf32);
  for (int r = 0; r < REPS; r++) {  /* interleaved, so drift hits every row alike */
    t_at[r] = run_at(s_at, v_total);
    t_inline[r] = run_inline(v_total);
    t_f64[r] = run_fill_f64(s_fill, buf64);
    t_inl_fill[r] = run_inline_fill(buf64);
    t_ms64[r] = run_memset(buf64, (size_t)FILL_N * sizeof *buf64);
    t_f32[r] = run_fill_f32(s_fill, buf32);
    t_ms32[r] = run_memset(buf32, (size_t)FILL_N * sizeof *buf32);
  }
  struct stats at = summarize(t_at, REPS), inl = summarize(t_inline, REPS);
  struct stats f64 = summarize(t_f64, REPS), f32 = summarize(t_f32, REPS), inlf = summarize(t_inl_fill, REPS);
  struct stats ms64 = summarize(t_ms64, REPS), ms32 = summarize(t_ms32, REPS);

  printf("Pace C API benchmark (%s), %d repetitions each, CLOCK_MONOTONIC\n", pace_build_info(), REPS);
  printf("schedule: llm.c warmup+cosine, warmup %lld, total %lld, peak %g, final_frac %g\n", (long long)v_warmup,
         (long long)v_total, (double)v_max_lr, (double)v_final_frac);
  printf("max relative difference Pace vs inline llm.c formula over all %lld steps: %.3g\n\n", (long long)v_total,
         max_rel);
  table_header();
  row("pace_schedule_at", "ns/call", at);
  row("inline llm.c formula (C, float64)", "ns/call", inl);
  ratio("ratio pace_schedule_at / inline", at, inl);
  printf("\n");
  printf("  fill over 10^7 steps (warmup 1000, cosine to step 10^7):\n");
  row("pace_schedule_fill_f64", "ns/elem", f64);
  row("inline llm.c formula into the buffer", "ns/elem", inlf);
  row("memset of the same 80 MB buffer", "ns/elem", ms64);
  ratio("ratio fill_f64 / inline", f64, inlf);
  ratio("ratio fill_f64 / memset", f64, ms64);
  row("pace_schedule_fill_f32", "ns/elem", f32);
  row("memset of the same 40 MB buffer", "ns/elem", ms32);
  ratio("ratio fill_f32 / memset", f32, ms32);

  free(buf64);
  free(buf32);
  pace_schedule_free(s_at);
  pace_schedule_free(s_fill);
  return 0;
}
