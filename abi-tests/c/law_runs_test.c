/*
 * law_runs_test.c - laws fitted from training runs as their trainers logged
 * them (pace_law_fit_runs, pace_run_log) through the C ABI:
 *   - per-step arrays with NaN where no loss was logged, rows logged at
 *     irregular steps with gaps and their LRs (linear between rows, a linear
 *     warmup from 0), the same rows as CSV text (extra columns, empty and
 *     nan fields, an LR row and a loss row of one step merged), and rows
 *     whose LRs come from a spec or per-step LRs in pace_run_log.lr: each
 *     fit agrees with pace_law_fit of the same points given as plain curves
 *     (parameters and predictions of a held-out schedule), and `skipped`
 *     counts the rows without a loss;
 *   - every bad argument (NULL pointers, zero or negative counts, sizes,
 *     all-NaN losses, negative or missing LRs, steps out of order or past
 *     the LRs, bad CSV, bad options) gives its status and a fresh message,
 *     *out NULL, no crash.
 * The curves are an annealing law's (L0 2.9, A 1.1, alpha 0.45, C 0.4,
 * lambda 0.999) on piecewise-linear schedules (warmup, constant, linear
 * cooldowns of three lengths), times a +-0.3% wobble. Fits of the same points
 * agree to 1e-6 (relative; the issue's bound for loss predictions) when their
 * LRs differ by rounding (interpolated between rows), bit for bit otherwise.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

#define RUNS 3
#define T 1500
#define WARMUP 50
#define PEAK 1e-3
#define MAX_ROWS 200

/* Per-step LRs of run c (steps 0 .. T-1): linear warmup from 0, constant, linear cooldown to 0.1 x peak. */
static double lrs[RUNS][T];
static int cooldown_start(int c) { return T - 300 - 250 * c; }

/* The logged rows of run c: irregular steps (every 20, every 7 in the cooldown, a gap of 200 steps), the
 * warmup's end and the cooldown's start among them (so that linear interpolation between rows is exact),
 * with a NaN loss at every 9th row. */
static int64_t row_steps[RUNS][MAX_ROWS];
static double row_lrs[RUNS][MAX_ROWS];
static double row_losses[RUNS][MAX_ROWS];
static int rows[RUNS];
static int nan_rows[RUNS];

/* The same points as plain curves: the rows with a loss at S1 > 0. */
static int64_t kept_steps[RUNS][MAX_ROWS];
static double kept_losses[RUNS][MAX_ROWS];
static int kept[RUNS];

/* Per-step arrays (row i is step i), NaN where no loss was logged, up to the last logged step. */
static double per_step_losses[RUNS][T];
static int per_step_count[RUNS];

static double loss_at(int c, int t) {
  const double L0 = 2.9, A = 1.1, alpha = 0.45, C = 0.4, lambda = 0.999;
  double s1 = 0, m = 0, s2 = 0;
  for (int k = 1; k <= t; k++) {
    s1 += lrs[c][k];
    m = lambda * m + (lrs[c][k - 1] - lrs[c][k]);
    s2 += m;
  }
  return (L0 + A * pow(s1, -alpha) - C * s2) * (1 + 0.003 * sin(0.013 * t + c));
}

static int logged(int c, int t) {
  if (t == 0 || t == WARMUP || t == cooldown_start(c) || t == T - 1) return 1;
  if (t > 600 && t < 800) return 0; /* a gap */
  if (t >= cooldown_start(c)) return (t - cooldown_start(c)) % 7 == 0;
  return t % 20 == 0 || t % 31 == 0;
}

static void make_runs(void) {
  for (int c = 0; c < RUNS; c++) {
    int start = cooldown_start(c);
    for (int t = 0; t < T; t++) {
      double lr = t < WARMUP ? PEAK * t / WARMUP : PEAK;
      if (t >= start) lr = PEAK * (1 - 0.9 * (t - start) / (double)(T - 1 - start));
      lrs[c][t] = lr;
    }
    int n = 0;
    for (int t = 0; t < T && n < MAX_ROWS; t++) {
      if (!logged(c, t)) continue;
      row_steps[c][n] = t;
      row_lrs[c][n] = lrs[c][t];
      row_losses[c][n] = (n % 9 == 4 || t == 0) ? NAN : loss_at(c, t);
      if (isnan(row_losses[c][n])) nan_rows[c]++;
      else {
        kept_steps[c][kept[c]] = t;
        kept_losses[c][kept[c]] = row_losses[c][n];
        kept[c]++;
      }
      n++;
    }
    rows[c] = n;
    int last = (int)row_steps[c][n - 1];
    per_step_count[c] = last + 1;
    for (int t = 0; t <= last; t++) per_step_losses[c][t] = NAN;
    for (int i = 0; i < n; i++) per_step_losses[c][row_steps[c][i]] = row_losses[c][i];
  }
}

/* The rows of run c as CSV: columns epoch, Step, loss, learning_rate (names in any case, an extra column),
 * "nan" or empty where not logged, the LR of some steps on a row of its own before the loss row. */
static char *csv_of(int c) {
  size_t cap = 64 * (size_t)rows[c] + 128, used = 0;
  char *text = malloc(cap);
  used += (size_t)snprintf(text + used, cap - used, "epoch,Step,loss,learning_rate\n");
  for (int i = 0; i < rows[c]; i++) {
    long long t = (long long)row_steps[c][i];
    if (i % 5 == 2) {
      used += (size_t)snprintf(text + used, cap - used, "0,%lld,,%.17g\n", t, row_lrs[c][i]);
      used += (size_t)snprintf(text + used, cap - used, "0,%lld,%.17g,nan\n", t, row_losses[c][i]);
    } else if (isnan(row_losses[c][i])) {
      used += (size_t)snprintf(text + used, cap - used, "0,%lld,nan,%.17g\n", t, row_lrs[c][i]);
    } else {
      used += (size_t)snprintf(text + used, cap - used, "0,%lld,%.17g,%.17g\n", t, row_losses[c][i], row_lrs[c][i]);
    }
  }
  return text;
}

static pace_run_log empty_log(void) {
  pace_run_log r;
  memset(&r, 0, sizeof r);
  r.struct_size = sizeof(pace_run_log);
  r.lr.warmup_steps = -1;
  return r;
}

/* Rows of run c with their logged LRs. */
static pace_run_log rows_log(int c) {
  pace_run_log r = empty_log();
  r.steps = row_steps[c];
  r.lrs = row_lrs[c];
  r.losses = row_losses[c];
  r.n = rows[c];
  return r;
}

/* A held-out schedule to predict: warmup, constant, a cooldown of 600 steps to 0. */
static double held_out[T];
static const int64_t held_out_steps[] = {100, 500, 900, 1100, 1300, 1499};
#define HELD_OUT_POINTS 6

static double max_relative(const double *a, const double *b, int n) {
  double worst = 0;
  for (int i = 0; i < n; i++) {
    double d = fabs(a[i] - b[i]) / fabs(b[i]);
    if (!(d <= worst)) worst = d; /* NaN propagates as the worst */
  }
  return worst;
}

/* Compares a law with the reference fit: parameters within `tol_params` (relative, each), predictions of
 * the held-out schedule within `tol_predict` (relative). */
static void compare(const char *what, const pace_law *law, const pace_law *reference, double tol_params,
                    double tol_predict) {
  double p[8], q[8];
  int64_t np = 0, nq = 0;
  EXPECT_OK("pace_law_params", pace_law_params(law, p, 8, &np));
  EXPECT_OK("pace_law_params (reference)", pace_law_params(reference, q, 8, &nq));
  CHECK(np == nq && np > 0, "%s: %lld parameters, the reference %lld", what, (long long)np, (long long)nq);
  for (int64_t i = 0; i < np && i < nq; i++) {
    double d = fabs(p[i] - q[i]) / fmax(fabs(q[i]), 1e-12);
    CHECK(d <= tol_params, "%s: parameter %lld is %.10g, the plain curves' fit %.10g (relative %.2g > %.2g)", what,
          (long long)i, p[i], q[i], d, tol_params);
  }
  pace_lr_input lr = {NULL, held_out, T, -1};
  double a[HELD_OUT_POINTS], b[HELD_OUT_POINTS];
  EXPECT_OK("pace_law_predict", pace_law_predict(law, &lr, held_out_steps, HELD_OUT_POINTS, a));
  EXPECT_OK("pace_law_predict (reference)", pace_law_predict(reference, &lr, held_out_steps, HELD_OUT_POINTS, b));
  double d = max_relative(a, b, HELD_OUT_POINTS);
  CHECK(d <= tol_predict, "%s: held-out predictions differ from the plain curves' fit by %.3g (relative) > %.2g", what,
        d, tol_predict);
}

/* Fits `runs` and checks the status, the handle and the skipped count. */
static pace_law *fit_runs(const char *what, uint32_t kind, const pace_run_log *runs, int64_t count,
                          const pace_fit_options *opt, int64_t want_skipped) {
  pace_law *law = NULL;
  int64_t skipped = -1;
  pace_status st = pace_law_fit_runs(kind, runs, count, opt, &skipped, &law);
  CHECK(st == PACE_OK, "%s: status %s (message \"%s\")", what, sname(st), last_error());
  CHECK(st != PACE_OK || law != NULL, "%s: PACE_OK without a law", what);
  CHECK(st != PACE_OK || skipped == want_skipped, "%s: skipped %lld rows, want %lld", what, (long long)skipped,
        (long long)want_skipped);
  return law;
}

static void bad_arguments(void) {
  pace_law *law = (pace_law *)&law; /* not NULL: a failure must set it to NULL */
  pace_run_log good[RUNS];
  for (int c = 0; c < RUNS; c++) good[c] = rows_log(c);
  int64_t skipped = 0;

#define EXPECT_RUNS_FAIL(what, runs, count, opt, want)                                               \
  do {                                                                                                \
    law = (pace_law *)&law;                                                                           \
    EXPECT_FAIL(what, pace_law_fit_runs(PACE_LAW_ANNEALING, runs, count, opt, &skipped, &law), want); \
    CHECK(law == NULL, "%s: *out is not NULL after a failure", what);                                 \
  } while (0)

  group_begin("arguments: pointers, counts");
  EXPECT_FAIL("out NULL", pace_law_fit_runs(PACE_LAW_ANNEALING, good, RUNS, NULL, &skipped, NULL), PACE_E_ARGUMENT);
  EXPECT_RUNS_FAIL("runs NULL", NULL, RUNS, NULL, PACE_E_ARGUMENT);
  EXPECT_RUNS_FAIL("runs NULL, count 0", NULL, 0, NULL, PACE_E_ARGUMENT);
  EXPECT_RUNS_FAIL("run_count 0", good, 0, NULL, PACE_E_ARGUMENT);
  EXPECT_RUNS_FAIL("run_count -1", good, -1, NULL, PACE_E_ARGUMENT);
  EXPECT_RUNS_FAIL("run_count INT64_MIN", good, INT64_MIN, NULL, PACE_E_ARGUMENT);
  law = (pace_law *)&law;
  EXPECT_FAIL("unknown kind", pace_law_fit_runs(99u, good, RUNS, NULL, &skipped, &law), PACE_E_ARGUMENT);
  CHECK(law == NULL, "unknown kind: *out is not NULL");
  pace_run_log r = good[0];
  r.losses = NULL;
  EXPECT_RUNS_FAIL("losses NULL", &r, 1, NULL, PACE_E_ARGUMENT);
  r = good[0];
  r.n = 0;
  EXPECT_RUNS_FAIL("n 0", &r, 1, NULL, PACE_E_ARGUMENT);
  r.n = -5;
  EXPECT_RUNS_FAIL("n negative", &r, 1, NULL, PACE_E_ARGUMENT);
  r = good[0];
  r.struct_size = 0;
  EXPECT_RUNS_FAIL("struct_size 0", &r, 1, NULL, PACE_E_ARGUMENT);
  r.struct_size = sizeof(pace_run_log) - 8;
  EXPECT_RUNS_FAIL("struct_size too small", &r, 1, NULL, PACE_E_ARGUMENT);
  r.struct_size = sizeof(pace_run_log) + 8;
  EXPECT_RUNS_FAIL("struct_size too large", &r, 1, NULL, PACE_E_ARGUMENT);
  r = good[0];
  r.reserved = 1;
  EXPECT_RUNS_FAIL("reserved not 0", &r, 1, NULL, PACE_E_ARGUMENT);
  pace_fit_options opt;
  memset(&opt, 0, sizeof opt);
  EXPECT_RUNS_FAIL("options.struct_size 0", good, RUNS, &opt, PACE_E_ARGUMENT);
  opt.struct_size = sizeof opt;
  opt.warmup = 77;
  EXPECT_RUNS_FAIL("options.warmup unknown", good, RUNS, &opt, PACE_E_ARGUMENT);
  opt.warmup = PACE_WARMUP_DEFAULT;
  opt.huber_delta = -1;
  EXPECT_RUNS_FAIL("options.huber_delta negative", good, RUNS, &opt, PACE_E_ARGUMENT);
  opt.huber_delta = 0;
  opt.lambda = 1.5;
  EXPECT_RUNS_FAIL("options.lambda 1.5", good, RUNS, &opt, PACE_E_ARGUMENT);
  group_end();

  group_begin("arguments: rows");
  double lo[MAX_ROWS], lr[MAX_ROWS];
  int64_t st[MAX_ROWS];
  int n = rows[0];
  memcpy(lo, row_losses[0], sizeof lo);
  memcpy(lr, row_lrs[0], sizeof lr);
  memcpy(st, row_steps[0], sizeof st);
  r = good[0];
  r.steps = st;
  r.lrs = lr;
  r.losses = lo;
  for (int i = 0; i < n; i++) lo[i] = NAN;
  EXPECT_RUNS_FAIL("all losses NaN", &r, 1, NULL, PACE_E_ARGUMENT);
  memcpy(lo, row_losses[0], sizeof lo);
  lo[10] = INFINITY;
  EXPECT_RUNS_FAIL("an infinite loss", &r, 1, NULL, PACE_E_ARGUMENT);
  lo[10] = 0;
  EXPECT_RUNS_FAIL("a zero loss", &r, 1, NULL, PACE_E_ARGUMENT);
  lo[10] = -2.5;
  EXPECT_RUNS_FAIL("a negative loss", &r, 1, NULL, PACE_E_ARGUMENT);
  lo[10] = row_losses[0][10];
  lr[20] = -1e-4;
  EXPECT_RUNS_FAIL("a negative LR", &r, 1, NULL, PACE_E_ARGUMENT);
  lr[20] = INFINITY;
  EXPECT_RUNS_FAIL("an infinite LR", &r, 1, NULL, PACE_E_ARGUMENT);
  for (int i = 0; i < n; i++) lr[i] = NAN;
  EXPECT_RUNS_FAIL("no LR logged, no lr input", &r, 1, NULL, PACE_E_ARGUMENT);
  r.lrs = NULL;
  EXPECT_RUNS_FAIL("lrs NULL, no lr input", &r, 1, NULL, PACE_E_ARGUMENT);
  r.lrs = lr;
  memcpy(lr, row_lrs[0], sizeof lr);
  st[30] = st[29];
  EXPECT_RUNS_FAIL("a repeated step", &r, 1, NULL, PACE_E_ARGUMENT);
  st[30] = st[29] - 1;
  EXPECT_RUNS_FAIL("a decreasing step", &r, 1, NULL, PACE_E_ARGUMENT);
  memcpy(st, row_steps[0], sizeof st);
  st[0] = -1;
  EXPECT_RUNS_FAIL("a negative step", &r, 1, NULL, PACE_E_ARGUMENT);
  st[0] = 0;
  st[n - 1] = INT64_MAX;
  EXPECT_RUNS_FAIL("a step beyond 2^31", &r, 1, NULL, PACE_E_ARGUMENT);
  memcpy(st, row_steps[0], sizeof st);
  r.n = 3;
  EXPECT_RUNS_FAIL("fewer points than parameters", &r, 1, NULL, PACE_E_ARGUMENT);
  r.n = n;
  /* rows and the LRs of pace_run_log.lr of different lengths: a logged step past the LRs */
  pace_lr_input short_lrs = {NULL, lrs[0], 1000, -1};
  r.lr = short_lrs;
  EXPECT_RUNS_FAIL("a logged step past lr.count", &r, 1, NULL, PACE_E_ARGUMENT);
  r.lr.lrs = NULL;
  r.lr.spec_json = "{\"preset\":\"constant\",\"peak\":1e-3,\"total_steps\":1000}";
  r.lr.count = 0;
  EXPECT_RUNS_FAIL("a logged step past the spec's steps", &r, 1, NULL, PACE_E_ARGUMENT);
  r.lr.lrs = lrs[0];
  r.lr.count = T;
  EXPECT_RUNS_FAIL("lr: spec_json and lrs", &r, 1, NULL, PACE_E_ARGUMENT);
  r.lr.lrs = NULL;
  r.lr.spec_json = "{\"preset\":\"cosine\",\"peak\":-1,\"total_steps\":1500}";
  EXPECT_RUNS_FAIL("lr: a bad spec", &r, 1, NULL, PACE_E_SPEC);
  r.lr.spec_json = NULL;
  r.lr.lrs = lrs[0];
  r.lr.count = -3;
  EXPECT_RUNS_FAIL("lr.count negative", &r, 1, NULL, PACE_E_ARGUMENT);
  r.lr.count = T;
  r.lr.warmup_steps = -2;
  EXPECT_RUNS_FAIL("lr.warmup_steps -2", &r, 1, NULL, PACE_E_ARGUMENT);
  double bad_rates[T];
  memcpy(bad_rates, lrs[0], sizeof bad_rates);
  bad_rates[700] = -1;
  r.lr.warmup_steps = -1;
  r.lr.lrs = bad_rates;
  EXPECT_RUNS_FAIL("lr.lrs with a negative LR", &r, 1, NULL, PACE_E_ARGUMENT);
  r = good[0];
  r.lr.warmup_steps = -7;
  EXPECT_RUNS_FAIL("lr.warmup_steps -7 with the rows' LRs", &r, 1, NULL, PACE_E_ARGUMENT);
  /* a bad run after good ones: the message names it */
  pace_run_log three[RUNS] = {good[0], good[1], good[2]};
  three[2].losses = NULL;
  EXPECT_RUNS_FAIL("runs[2].losses NULL", three, RUNS, NULL, PACE_E_ARGUMENT);
  CHECK(strstr(last_error(), "runs[2]") != NULL, "the message does not name runs[2]: \"%s\"", last_error());
  group_end();

  group_begin("arguments: CSV");
  pace_run_log csv = empty_log();
  const char *bad_csv[] = {
    "",                                         /* empty */
    "step,lr\n1,0.1\n",                         /* no loss column */
    "loss,lr\n2.5,0.1\n",                       /* no step column */
    "step,loss\n",                              /* no data rows */
    "step,loss,lr\n1,2.5\n",                    /* too few fields */
    "step,loss,lr\n1.5,2.5,0.1\n",              /* a fractional step */
    "step,loss,lr\n-1,2.5,0.1\n",               /* a negative step */
    "step,loss,lr\n1,abc,0.1\n",                /* a loss that is no number */
    "step,loss,lr\n1,2.5,0.1\n1,2.6,0.1\n",     /* two losses for one step */
    "step,loss,lr\n5,2.5,0.1\n3,2.6,0.1\n",     /* decreasing steps */
    "step,loss,lr\n1,nan,0.1\n2,,0.1\n",        /* every loss missing */
    "step,loss,lr\n1,2.5,-0.1\n2,2.4,0.1\n",    /* a negative LR */
    "step,loss,lr\n1,inf,0.1\n2,2.4,0.1\n",     /* an infinite loss */
    "step,loss\n1,2.5\n2,2.4\n3,2.3\n",         /* no LR column, no lr input */
    "step,loss,lr\n1,2.5,\n2,2.4,nan\n",        /* no LR logged */
  };
  for (size_t i = 0; i < sizeof bad_csv / sizeof bad_csv[0]; i++) {
    char what[96];
    snprintf(what, sizeof what, "bad CSV %zu", i);
    csv.csv = bad_csv[i];
    EXPECT_RUNS_FAIL(what, &csv, 1, NULL, PACE_E_ARGUMENT);
  }
  const char invalid_utf8[] = {'s', 't', 'e', 'p', ',', 'l', 'o', 's', 's', '\n', '1', ',', (char)0xff, '\n', 0};
  csv.csv = invalid_utf8;
  EXPECT_RUNS_FAIL("CSV not UTF-8", &csv, 1, NULL, PACE_E_ARGUMENT);
  csv.csv = "step,loss,lr\n1,2.5,0.1\n2,2.4,0.1\n";
  csv.losses = row_losses[0];
  csv.n = 2;
  EXPECT_RUNS_FAIL("CSV and arrays", &csv, 1, NULL, PACE_E_ARGUMENT);
  csv.losses = NULL;
  csv.n = 0;
  csv.steps = row_steps[0];
  EXPECT_RUNS_FAIL("CSV and steps", &csv, 1, NULL, PACE_E_ARGUMENT);
  group_end();
#undef EXPECT_RUNS_FAIL
}

int main(void) {
  pace_schedule_parse("{\"version\":1,\"peak\":1,\"phases\":[{\"shape\":\"constant\",\"steps\":10}]}",
                      &g_marker_schedule);
  make_runs();
  for (int t = 0; t < T; t++) held_out[t] = t < WARMUP ? PEAK * t / WARMUP : t < 900 ? PEAK : PEAK * (T - 1 - t) / 599.0;

  /* The reference: the kept points as plain curves with the per-step LRs. */
  pace_law_curve curves[RUNS];
  for (int c = 0; c < RUNS; c++) curves[c] = (pace_law_curve){{NULL, lrs[c], T, -1}, kept_steps[c], kept_losses[c], kept[c]};
  group_begin("reference: plain curves");
  pace_law *reference = NULL;
  EXPECT_OK("pace_law_fit", pace_law_fit(PACE_LAW_ANNEALING, curves, RUNS, NULL, &reference));
  group_end();
  if (!reference) {
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return 1;
  }
  int64_t all_nan = 0, all_rows = 0;
  for (int c = 0; c < RUNS; c++) {
    all_nan += nan_rows[c];
    all_rows += rows[c];
  }
  printf("  %lld rows in %d runs, %lld without a loss; %d, %d, %d points kept\n", (long long)all_rows, RUNS,
         (long long)all_nan, kept[0], kept[1], kept[2]);

  group_begin("rows: irregular, gaps, NaN");
  pace_run_log runs[RUNS];
  for (int c = 0; c < RUNS; c++) runs[c] = rows_log(c);
  pace_law *from_rows = fit_runs("rows with LRs", PACE_LAW_ANNEALING, runs, RUNS, NULL, all_nan);
  if (from_rows) compare("rows with LRs", from_rows, reference, 1e-6, 1e-6);
  /* skipped may be NULL */
  pace_law *again = NULL;
  EXPECT_OK("skipped NULL", pace_law_fit_runs(PACE_LAW_ANNEALING, runs, RUNS, NULL, NULL, &again));
  if (again && from_rows) compare("skipped NULL", again, from_rows, 0, 0);
  pace_law_free(again);
  group_end();

  group_begin("per-step arrays (steps NULL)");
  pace_run_log per_step[RUNS];
  for (int c = 0; c < RUNS; c++) {
    per_step[c] = empty_log();
    per_step[c].lrs = lrs[c];
    per_step[c].losses = per_step_losses[c];
    per_step[c].n = per_step_count[c];
  }
  int64_t per_step_skipped = 0;
  for (int c = 0; c < RUNS; c++) per_step_skipped += per_step_count[c] - kept[c];
  pace_law *from_arrays = fit_runs("per-step arrays", PACE_LAW_ANNEALING, per_step, RUNS, NULL, per_step_skipped);
  if (from_arrays) compare("per-step arrays", from_arrays, reference, 0, 0);
  /* the per-step LRs given as pace_run_log.lr instead, the rows without LRs */
  for (int c = 0; c < RUNS; c++) {
    per_step[c].lrs = NULL;
    per_step[c].lr = (pace_lr_input){NULL, lrs[c], T, -1};
  }
  pace_law *from_lr_input = fit_runs("per-step arrays, lr input", PACE_LAW_ANNEALING, per_step, RUNS, NULL,
                                     per_step_skipped);
  if (from_lr_input) compare("per-step arrays, lr input", from_lr_input, reference, 0, 0);
  pace_law_free(from_lr_input);
  pace_law_free(from_arrays);
  group_end();

  group_begin("CSV text");
  pace_run_log csv_runs[RUNS];
  char *texts[RUNS];
  for (int c = 0; c < RUNS; c++) {
    texts[c] = csv_of(c);
    csv_runs[c] = empty_log();
    csv_runs[c].csv = texts[c];
  }
  pace_law *from_csv = fit_runs("CSV", PACE_LAW_ANNEALING, csv_runs, RUNS, NULL, all_nan);
  /* %.17g round-trips every double: the same rows, so the same law bit for bit */
  if (from_csv && from_rows) compare("CSV", from_csv, from_rows, 0, 0);
  pace_law_free(from_csv);
  for (int c = 0; c < RUNS; c++) free(texts[c]);
  group_end();

  group_begin("rows, LRs from a spec");
  /* run 0's schedule as a spec: linear warmup 0 -> peak over 50 steps, constant, linear cooldown */
  char spec[512];
  int start = cooldown_start(0);
  snprintf(spec, sizeof spec,
           "{\"version\":1,\"peak\":%.17g,\"phases\":[{\"shape\":\"linear\",\"steps\":%d,\"from\":0,\"to\":1},"
           "{\"shape\":\"constant\",\"steps\":%d},{\"shape\":\"linear\",\"steps\":%d,\"from\":1,\"to\":0.1}]}",
           PEAK, WARMUP, start - WARMUP, T - 1 - start);
  pace_schedule *s = NULL;
  EXPECT_OK("pace_schedule_parse (run 0's spec)", pace_schedule_parse(spec, &s));
  double played[T];
  EXPECT_OK("pace_schedule_fill_f64", pace_schedule_fill_f64(s, 0, T, played));
  double d = 0;
  for (int t = 1; t < T; t++) d = fmax(d, fabs(played[t] - lrs[0][t]) / lrs[0][t]);
  CHECK(d < 1e-12, "the spec's LRs differ from run 0's by %.3g (relative)", d);
  pace_schedule_free(s);
  pace_law_curve spec_curves[RUNS];
  memcpy(spec_curves, curves, sizeof spec_curves);
  spec_curves[0].lr = (pace_lr_input){spec, NULL, T, -1};
  pace_law *spec_reference = NULL;
  EXPECT_OK("pace_law_fit (run 0 by its spec)", pace_law_fit(PACE_LAW_ANNEALING, spec_curves, RUNS, NULL, &spec_reference));
  pace_run_log spec_runs[RUNS] = {rows_log(0), rows_log(1), rows_log(2)};
  spec_runs[0].lrs = NULL;
  spec_runs[0].lr = (pace_lr_input){spec, NULL, T, -1};
  pace_law *from_spec = fit_runs("rows, run 0 by its spec", PACE_LAW_ANNEALING, spec_runs, RUNS, NULL, all_nan);
  if (from_spec && spec_reference) compare("rows, run 0 by its spec", from_spec, spec_reference, 1e-6, 1e-6);
  if (from_spec) compare("rows, run 0 by its spec vs per-step LRs", from_spec, reference, 1e-6, 1e-6);
  pace_law_free(from_spec);
  pace_law_free(spec_reference);
  group_end();

  group_begin("multi-power, rows");
  pace_law *mp_reference = NULL, *mp_rows = NULL;
  EXPECT_OK("pace_law_fit (multi-power)", pace_law_fit(PACE_LAW_MULTI_POWER, curves, RUNS, NULL, &mp_reference));
  mp_rows = fit_runs("rows (multi-power)", PACE_LAW_MULTI_POWER, runs, RUNS, NULL, all_nan);
  if (mp_rows && mp_reference) compare("rows (multi-power)", mp_rows, mp_reference, 1e-6, 1e-6);
  pace_law_free(mp_rows);
  pace_law_free(mp_reference);
  group_end();

  bad_arguments();

  pace_law_free(from_rows);
  pace_law_free(reference);
  pace_schedule_free(g_marker_schedule);
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
