/* autolrs_trainer.c - AutoLRS drives a real (tiny) training loop: logistic
 * regression by minibatch SGD on synthetic data, its learning rate chosen on
 * the fly. The trainer asks pace_autolrs_next what to do and does it:
 * CHECKPOINT copies the weights, RESTORE copies them back, TRAIN runs steps
 * at a constant LR and reports training (or validation) losses when asked.
 *
 * Build: cc -std=c11 examples/c/autolrs_trainer.c $(pkg-config --cflags --libs pace) -lm
 */
#include <math.h>
#include <pace.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FEATURES = 20, TRAIN = 4000, VALID = 1000, BATCH = 32 };

static double x_data[TRAIN + VALID][FEATURES], y_data[TRAIN + VALID];
static uint64_t rng = 42;

static double uniform(void) { /* [0, 1) */
  rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(rng >> 11) * 0x1p-53;
}
static double gaussian(void) { return sqrt(-2 * log(uniform() + 1e-300)) * cos(6.283185307179586 * uniform()); }

/* Labels from a hidden linear rule with 10% label noise. */
static void make_data(void) {
  double w[FEATURES];
  for (int j = 0; j < FEATURES; j++) w[j] = gaussian();
  for (int i = 0; i < TRAIN + VALID; i++) {
    double z = 0;
    for (int j = 0; j < FEATURES; j++) z += (x_data[i][j] = gaussian()) * w[j];
    y_data[i] = (z > 0) != (uniform() < 0.1);
  }
}

/* Mean log loss of the weights `w` (bias last) over samples [from, to). */
static double log_loss(const double *w, int from, int to) {
  double sum = 0;
  for (int i = from; i < to; i++) {
    double z = w[FEATURES];
    for (int j = 0; j < FEATURES; j++) z += w[j] * x_data[i][j];
    sum += y_data[i] ? log1p(exp(-z)) : log1p(exp(z));
  }
  return sum / (to - from);
}

/* One SGD step on a random minibatch; returns the minibatch loss before the step. */
static double sgd_step(double *w, double lr) {
  double grad[FEATURES + 1] = {0}, loss = 0;
  for (int b = 0; b < BATCH; b++) {
    int i = (int)(uniform() * TRAIN);
    double z = w[FEATURES];
    for (int j = 0; j < FEATURES; j++) z += w[j] * x_data[i][j];
    double p = 1 / (1 + exp(-z));
    loss += y_data[i] ? log1p(exp(-z)) : log1p(exp(z));
    for (int j = 0; j < FEATURES; j++) grad[j] += (p - y_data[i]) * x_data[i][j];
    grad[FEATURES] += p - y_data[i];
  }
  for (int j = 0; j <= FEATURES; j++) w[j] -= lr * grad[j] / BATCH;
  return loss / BATCH;
}

int main(void) {
  make_data();
  const char *config = "{\"min_lr\": 1e-3, \"max_lr\": 10, \"total_steps\": 12000, \"tau\": 500, "
                       "\"tau_prime\": 50, \"candidates\": 8, \"tau_max\": 1000}";
  pace_autolrs *tuner = NULL;
  if (pace_autolrs_create(config, &tuner) != PACE_OK) {
    fprintf(stderr, "bad config: %s\n", pace_last_error());
    return 1;
  }
  double w[FEATURES + 1] = {0}, saved[FEATURES + 1] = {0};
  double *losses = NULL;
  int64_t capacity = 0, optimizer_steps = 0;
  for (;;) {
    pace_autolrs_action a;
    if (pace_autolrs_next(tuner, &a) != PACE_OK) {
      fprintf(stderr, "next: %s\n", pace_last_error());
      return 1;
    }
    if (a.kind == PACE_AUTOLRS_DONE) break;
    if (a.kind == PACE_AUTOLRS_CHECKPOINT) memcpy(saved, w, sizeof w);
    if (a.kind == PACE_AUTOLRS_RESTORE) memcpy(w, saved, sizeof w);
    if (a.kind != PACE_AUTOLRS_TRAIN) continue;
    if (a.steps > capacity) {
      capacity = a.steps;
      free(losses);
      losses = malloc(sizeof(double) * (size_t)capacity);
      if (!losses) return 1;
    }
    int64_t n = 0;
    for (int64_t s = 1; s <= a.steps; s++) {
      double loss = sgd_step(w, a.lr);
      if (a.report == PACE_AUTOLRS_REPORT_TRAIN) losses[n++] = loss;
      if (a.report == PACE_AUTOLRS_REPORT_VAL && s % a.every == 0) losses[n++] = log_loss(w, TRAIN, TRAIN + VALID);
    }
    optimizer_steps += a.steps;
    if (a.report != PACE_AUTOLRS_REPORT_NONE && pace_autolrs_report(tuner, losses, n) != PACE_OK) {
      fprintf(stderr, "report: %s\n", pace_last_error());
      return 1;
    }
    /* The exploitation phase reports nothing, or (validation mode) one loss at its end. */
    int exploitation = a.report == PACE_AUTOLRS_REPORT_NONE || (a.report == PACE_AUTOLRS_REPORT_VAL && a.every == a.steps);
    if (exploitation && a.steps > 1)
      printf("stage trains %5lld steps at lr %.4g  (train loss %.4f, held-out %.4f)\n", (long long)a.steps, a.lr,
             log_loss(w, 0, TRAIN), log_loss(w, TRAIN, TRAIN + VALID));
  }
  int64_t used = 0;
  pace_autolrs_steps_used(tuner, &used);
  printf("optimizer steps %lld (tuner counted %lld), final train loss %.4f, held-out %.4f\n",
         (long long)optimizer_steps, (long long)used, log_loss(w, 0, TRAIN), log_loss(w, TRAIN, TRAIN + VALID));
  free(losses);
  pace_autolrs_free(tuner);
  return optimizer_steps == used ? 0 : 1;
}
