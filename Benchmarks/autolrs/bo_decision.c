/* bo_decision.c - the cost of one AutoLRS Bayesian-optimisation decision
 * through the C API: fitting the GP (Matern 5/2, hyper-parameters by
 * marginal likelihood) to n trials and minimising the LCB acquisition, as
 * the pace_autolrs_next call that hands out trial n+1 of a stage. Also the
 * cost of pace_autolrs_report for a trial of 100 training losses (the
 * exponential forecast with outlier removal).
 *
 * Method: a tuner with candidates = n + 1 is driven on a synthetic loss
 * through n trials; its state is saved just before the next() under test.
 * Each timed round loads that state and calls next(); the load alone is
 * timed the same way and subtracted (median of each over `rounds` rounds).
 *
 * Build and run (after make lib):
 *   cc -O2 -std=c11 Benchmarks/autolrs/bo_decision.c $(pkg-config --cflags --libs pace) -lm -o build/bo_decision
 *   build/bo_decision            # n = 2, 5, 10, 20
 * The scikit-optimize comparison (Optimizer.ask/tell on the same points) is
 * Benchmarks/autolrs/bo_decision.py.
 */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <pace.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return 1e6 * (double)ts.tv_sec + 1e-3 * (double)ts.tv_nsec;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, compare);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* A trial's training losses: relaxing toward a floor quadratic in log10(lr), with noise. */
static void trial_losses(double lr, int64_t steps, double *out, uint64_t *seed) {
  double loss = 3, d = log10(lr) + 2, floor = 1 + 0.5 * d * d;
  for (int64_t s = 0; s < steps; s++) {
    *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
    loss -= 0.01 * (loss - floor);
    out[s] = loss + 0.02 * ((double)(*seed >> 11) * 0x1p-53 - 0.5);
  }
}

enum { ROUNDS = 200 };

int main(void) {
  static const int points[] = {2, 5, 10, 20};
  printf("%-8s %14s %14s %16s\n", "trials", "decision (us)", "load (us)", "report (us)");
  for (size_t p = 0; p < sizeof points / sizeof points[0]; p++) {
    int n = points[p];
    char config[256];
    snprintf(config, sizeof config,
             "{\"min_lr\": 1e-4, \"max_lr\": 1, \"total_steps\": 1000000, \"candidates\": %d, \"seed\": 1}", n + 1);
    pace_autolrs *t = NULL;
    if (pace_autolrs_create(config, &t) != PACE_OK) {
      fprintf(stderr, "%s\n", pace_last_error());
      return 1;
    }
    double losses[100];
    uint64_t seed = 5;
    unsigned char *before_report = NULL;
    size_t report_size = 0;
    pace_autolrs_action a;
    int trials = 0;
    while (trials < n) {
      if (pace_autolrs_next(t, &a) != PACE_OK) return 1;
      if (a.kind != PACE_AUTOLRS_TRAIN) continue;
      trial_losses(a.lr, a.steps, losses, &seed);
      if (trials == n - 1) { /* the state before the last report, to time report() */
        pace_autolrs_save(t, NULL, 0, &report_size);
        before_report = malloc(report_size);
        pace_autolrs_save(t, before_report, report_size, &report_size);
      }
      if (pace_autolrs_report(t, losses, a.steps) != PACE_OK) return 1;
      trials++;
    }
    if (pace_autolrs_next(t, &a) != PACE_OK || a.kind != PACE_AUTOLRS_RESTORE) return 1;
    size_t size = 0;
    pace_autolrs_save(t, NULL, 0, &size);
    unsigned char *state = malloc(size);
    pace_autolrs_save(t, state, size, &size);
    pace_autolrs_free(t);

    double decision[ROUNDS], load[ROUNDS], report[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      pace_autolrs *u = NULL;
      double t0 = now_us();
      pace_autolrs_load(state, size, &u);
      double t1 = now_us();
      pace_autolrs_next(u, &a);
      double t2 = now_us();
      pace_autolrs_free(u);
      load[r] = t1 - t0;
      decision[r] = t2 - t0;
      if (a.kind != PACE_AUTOLRS_TRAIN) return 1;
      pace_autolrs_load(before_report, report_size, &u);
      t0 = now_us();
      pace_autolrs_report(u, losses, 100);
      report[r] = now_us() - t0;
      pace_autolrs_free(u);
    }
    double l = median(load, ROUNDS);
    printf("%-8d %14.1f %14.1f %16.1f\n", n, median(decision, ROUNDS) - l, l, median(report, ROUNDS));
    free(state);
    free(before_report);
  }
  return 0;
}
