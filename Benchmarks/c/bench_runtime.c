/*
 * bench_runtime.c - cost of Pace's training-loop runtime and refinement.
 *
 *  1. ns per pace_runtime_step for one channel and one group (warmup 1000 +
 *     cosine over 10^6 steps; target <= 25 ns), next to pace_schedule_at of
 *     the same schedule; and for 3 channels x 4 groups (lr warmup+cosine,
 *     momentum ramp then constant, weight decay constant; scales per group).
 *  2. ns per pace_runtime_values, for both shapes.
 *  3. ms per pace_refine of 10^6 norms with smoothing 0.1 (target <= 50 ms)
 *     and of 10^5 norms; for 10^6 also the process CPU time per call (both
 *     threads of its fork-joins), which a loaded machine does not stretch.
 *  4. pace_runtime_save / pace_runtime_load after 10^5 steps: ms and blob
 *     size, for the two runtimes above and for one with online refinement.
 *
 * Each measurement is repeated 11 times (after one untimed warm-up run),
 * interleaved; the table shows the median, min and max, and the spread
 * (max-min)/median. Results feed a volatile sink.
 *
 * Build: cc -O2 Benchmarks/c/bench_runtime.c $(pkg-config --cflags --libs pace) -lm
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>

#include "timing.h"
#include "../refinement/refine_norms.h"

enum { REPS = 11 };

static pace_runtime *create_or_die(const char *config) {
  pace_runtime *rt = NULL;
  check(pace_runtime_create(config, &rt), "pace_runtime_create");
  return rt;
}

/* ---- configs -------------------------------------------------------------- */

#define STEPS 1000000LL /* steps per repetition of the per-step benchmarks */

#define SPEC_LR "{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":1000,\"total_steps\":1000000}"
#define CFG_1x1 "{\"channels\":{\"lr\":" SPEC_LR "}}"
#define CFG_3x4                                                                                        \
  "{\"channels\":{\"lr\":" SPEC_LR ","                                                                 \
  "\"momentum\":{\"peak\":0.95,\"phases\":[{\"shape\":\"linear\",\"steps\":1000,\"from\":0.9,\"to\":1}," \
  "{\"shape\":\"constant\"}]},"                                                                        \
  "\"weight_decay\":{\"peak\":0.1,\"phases\":[{\"shape\":\"constant\"}]}},"                            \
  "\"groups\":[{\"name\":\"embed\",\"scale\":{\"lr\":0.5,\"weight_decay\":0}},"                        \
  "{\"name\":\"layers_lo\",\"scale\":{\"lr\":0.7}},{\"name\":\"layers_hi\",\"scale\":{\"lr\":0.85}},"  \
  "{\"name\":\"head\",\"scale\":{\"weight_decay\":0}}]}"
#define CFG_REFINE                                                                                     \
  "{\"channels\":{\"lr\":{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":1000,"                  \
  "\"total_steps\":200000}},\"refine\":{\"every\":1000,\"smoothing\":0.1,\"min_history\":2000}}"

static double norm_at(int64_t s) { return 1.0 + 0.5 / sqrt(1.0 + (double)s * 1e-3) + 0.01 * (double)(s % 7); }

/* ---- per-call benchmarks --------------------------------------------------- */

/* ns per pace_runtime_step over STEPS steps of a fresh runtime. */
static double run_step(const char *config, int64_t nv) {
  pace_runtime *rt = create_or_die(config);
  double out[16], acc = 0;
  double t0 = now_ns();
  for (int64_t i = 0; i < STEPS; i++) {
    pace_runtime_step(rt, 1.25, out, 16);
    acc += out[nv - 1];
  }
  double t1 = now_ns();
  sink = acc;
  pace_runtime_free(rt);
  return (t1 - t0) / (double)STEPS;
}

/* ns per pace_schedule_at over the same steps (for comparison). */
static double run_at(const pace_schedule *s) {
  double acc = 0, v = 0;
  double t0 = now_ns();
  for (int64_t i = 1; i <= STEPS; i++) {
    pace_schedule_at(s, i, &v);
    acc += v;
  }
  double t1 = now_ns();
  sink = acc;
  return (t1 - t0) / (double)STEPS;
}

#define VALUES_CALLS 2000000LL

/* ns per pace_runtime_values at a mid-run step. */
static double run_values(const pace_runtime *rt, int64_t nv) {
  double out[16], acc = 0;
  double t0 = now_ns();
  for (int64_t i = 0; i < VALUES_CALLS; i++) {
    pace_runtime_values(rt, out, 16);
    acc += out[nv - 1];
  }
  double t1 = now_ns();
  sink = acc;
  return (t1 - t0) / (double)VALUES_CALLS;
}

/* ms per pace_refine of n norms (wall); the process CPU time in *cpu_ms
 * when cpu_ms is not NULL. */
static double run_refine(const double *norms, int64_t n, double *out, double *cpu_ms) {
  pace_refine_options o = {sizeof o, PACE_NORM_L2, 0.1};
  double c0 = process_cpu_ns();
  double t0 = now_ns();
  check(pace_refine(norms, n, &o, out), "pace_refine");
  double t1 = now_ns();
  if (cpu_ms) *cpu_ms = (process_cpu_ns() - c0) * 1e-6;
  sink = out[n / 2];
  return (t1 - t0) * 1e-6;
}

struct blob {
  unsigned char *data;
  size_t size;
};

/* A runtime after `steps` steps and its saved state. */
static pace_runtime *stepped(const char *config, int64_t steps) {
  pace_runtime *rt = create_or_die(config);
  double out[16];
  for (int64_t s = 0; s < steps; s++) check(pace_runtime_step(rt, norm_at(s), out, 16), "step");
  return rt;
}

static double run_save(const pace_runtime *rt, struct blob *b) {
  double t0 = now_ns();
  size_t needed = 0;
  check(pace_runtime_save(rt, b->data, b->size, &needed), "pace_runtime_save");
  double t1 = now_ns();
  sink = b->data[needed / 2];
  return (t1 - t0) * 1e-6;
}

static double run_load(const struct blob *b) {
  pace_runtime *rt = NULL;
  double t0 = now_ns();
  check(pace_runtime_load(b->data, b->size, &rt), "pace_runtime_load");
  double t1 = now_ns();
  pace_runtime_free(rt);
  return (t1 - t0) * 1e-6;
}

static struct blob save_alloc(const pace_runtime *rt) {
  size_t needed = 0;
  if (pace_runtime_save(rt, NULL, 0, &needed) != PACE_E_BUFFER_TOO_SMALL) check(PACE_E_INTERNAL, "save size");
  struct blob b = {malloc(needed), needed};
  if (!b.data) {
    fprintf(stderr, "bench_runtime: out of memory\n");
    exit(1);
  }
  return b;
}

int main(int argc, char **argv) {
  bench_init(argc, argv);
  pace_schedule *lr = NULL;
  check(pace_schedule_parse(SPEC_LR, &lr), "parse");

  /* norms for refinement: a decaying trend with noise */
  const int64_t big = 1000000, small = 100000;
  double *norms = malloc((size_t)big * sizeof *norms), *mult = malloc((size_t)big * sizeof *mult);
  if (!norms || !mult) {
    fprintf(stderr, "bench_runtime: out of memory\n");
    return 1;
  }
  refine_norms(norms, big);

  /* same numbers? pace_runtime_step (1 x 1) vs pace_schedule_at, 10^5 steps */
  int64_t mismatches = 0;
  {
    pace_runtime *rt = create_or_die(CFG_1x1);
    double v = 0, w = 0;
    for (int64_t s = 1; s <= 100000; s++) {
      check(pace_runtime_step(rt, 1.0, &v, 1), "step");
      check(pace_schedule_at(lr, s, &w), "at");
      mismatches += memcmp(&v, &w, sizeof v) != 0;
    }
    pace_runtime_free(rt);
  }

  /* runtimes for values / save / load, after 10^5 steps */
  pace_runtime *rt1 = stepped(CFG_1x1, 100000), *rt12 = stepped(CFG_3x4, 100000);
  pace_runtime *rtr = stepped(CFG_REFINE, 100000);
  struct blob b1 = save_alloc(rt1), b12 = save_alloc(rt12), br = save_alloc(rtr);
  run_save(rt1, &b1);
  run_save(rt12, &b12);
  run_save(rtr, &br);

  double t_step1[REPS], t_step12[REPS], t_at[REPS], t_val1[REPS], t_val12[REPS], t_ref6[REPS], t_ref5[REPS];
  double t_ref6_cpu[REPS];
  double t_save1[REPS], t_load1[REPS], t_save12[REPS], t_load12[REPS], t_saver[REPS], t_loadr[REPS];
  /* warm-up */
  run_step(CFG_1x1, 1);
  run_step(CFG_3x4, 12);
  run_at(lr);
  run_values(rt1, 1);
  run_values(rt12, 12);
  run_refine(norms, big, mult, NULL);
  run_refine(norms, small, mult, NULL);
  run_load(&b1);
  for (int r = 0; r < REPS; r++) { /* interleaved, so drift hits every row alike */
    t_step1[r] = run_step(CFG_1x1, 1);
    t_at[r] = run_at(lr);
    t_step12[r] = run_step(CFG_3x4, 12);
    t_val1[r] = run_values(rt1, 1);
    t_val12[r] = run_values(rt12, 12);
    t_ref6[r] = run_refine(norms, big, mult, &t_ref6_cpu[r]);
    t_ref5[r] = run_refine(norms, small, mult, NULL);
    t_save1[r] = run_save(rt1, &b1);
    t_load1[r] = run_load(&b1);
    t_save12[r] = run_save(rt12, &b12);
    t_load12[r] = run_load(&b12);
  }
  /* the refined runtime's checkpoint can be very large (every re-plan's table
   * is kept): then fewer repetitions, said in the table */
  const int reps_r = br.size > (16u << 20) ? 3 : REPS;
  for (int r = 0; r < reps_r; r++) {
    t_saver[r] = run_save(rtr, &br);
    t_loadr[r] = run_load(&br);
  }
  struct stats step1 = summarize(t_step1, REPS), step12 = summarize(t_step12, REPS), sat = summarize(t_at, REPS);
  struct stats val1 = summarize(t_val1, REPS), val12 = summarize(t_val12, REPS);
  struct stats ref6 = summarize(t_ref6, REPS), ref5 = summarize(t_ref5, REPS);
  struct stats ref6_cpu = summarize(t_ref6_cpu, REPS);
  struct stats save1 = summarize(t_save1, REPS), load1 = summarize(t_load1, REPS);
  struct stats save12 = summarize(t_save12, REPS), load12 = summarize(t_load12, REPS);
  struct stats saver = summarize(t_saver, reps_r), loadr = summarize(t_loadr, reps_r);

  printf("Pace runtime benchmark (%s), %d repetitions each, CLOCK_MONOTONIC\n", pace_build_info(), REPS);
  printf("lr: warmup 1000 + cosine to step 10^6, peak 3e-4; %lld steps per repetition (fresh runtime each)\n",
         (long long)STEPS);
  printf("pace_runtime_step (1 x 1) vs pace_schedule_at over 10^5 steps: %lld values differ in any bit\n\n",
         (long long)mismatches);
  table_header();
  row("pace_runtime_step, 1 channel x 1 group", "ns/call", step1);
  row("pace_schedule_at, same schedule", "ns/call", sat);
  ratio("ratio runtime_step / schedule_at", step1, sat);
  target("target: runtime_step 1x1", step1, 25.0, "ns");
  row("pace_runtime_step, 3 channels x 4 groups", "ns/call", step12);
  printf("  %-44s %-8s %9.3f\n", "  per value (12 values)", "ns/value", step12.median / 12.0);
  row("pace_runtime_values, 1 x 1 (step 10^5)", "ns/call", val1);
  row("pace_runtime_values, 3 x 4 (step 10^5)", "ns/call", val12);
  printf("\n");
  printf("  refinement (L2, smoothing 0.1):\n");
  row("pace_refine, 10^6 norms", "ms/call", ref6);
  target("target: pace_refine 10^6", ref6, 50.0, "ms");
  row("pace_refine, 10^6 norms, process CPU time", "ms/call", ref6_cpu);
  row("pace_refine, 10^5 norms", "ms/call", ref5);
  printf("\n");
  printf("  checkpoints after 10^5 steps:\n");
  row("pace_runtime_save, 1 x 1", "ms/call", save1);
  row("pace_runtime_load (+free), 1 x 1", "ms/call", load1);
  info("blob size, 1 x 1", "bytes", (double)b1.size);
  row("pace_runtime_save, 3 x 4", "ms/call", save12);
  row("pace_runtime_load (+free), 3 x 4", "ms/call", load12);
  info("blob size, 3 x 4", "bytes", (double)b12.size);
  char name_s[64], name_l[64];
  snprintf(name_s, sizeof name_s, "pace_runtime_save, 1 x 1 + refine%s", reps_r < REPS ? " (3 reps)" : "");
  snprintf(name_l, sizeof name_l, "pace_runtime_load (+free), 1 x 1 + refine%s", reps_r < REPS ? " (3 reps)" : "");
  row(name_s, "ms/call", saver);
  row(name_l, "ms/call", loadr);
  info("blob size, 1 x 1 + refine every 1000", "bytes", (double)br.size);
  printf("  (refine: lr warmup 1000 + cosine to step 200000, re-planned every 1000 steps from step 2000)\n");

  free(b1.data);
  free(b12.data);
  free(br.data);
  pace_runtime_free(rt1);
  pace_runtime_free(rt12);
  pace_runtime_free(rtr);
  pace_schedule_free(lr);
  free(norms);
  free(mult);
  return 0;
}
