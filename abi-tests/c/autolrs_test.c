/*
 * abi-tests/c/autolrs_test.c - the AutoLRS C ABI (pace_autolrs_*): every
 * function, error paths, the (buf, cap, *needed) pattern, save/load/damage,
 * and full protocol loops on a synthetic loss with a known best LR.
 *
 *   abi-tests/c/run.sh builds it with -std=c11 -Wall -Wextra -Werror.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ---- a synthetic model: loss relaxes to a floor quadratic in log10(lr) --- */
typedef struct model {
  double loss, saved, best_lr, diverge_above;
  uint64_t noise;
} model;

static double floor_of(const model *m, double lr) {
  double d = log10(lr) - log10(m->best_lr);
  return 1.0 + 0.5 * d * d;
}

static double noise(model *m) { /* uniform in [-0.01, 0.01) */
  m->noise = m->noise * 6364136223846793005ULL + 1442695040888963407ULL;
  return ((double)(m->noise >> 11) * 0x1p-53 - 0.5) * 0.02;
}

/* Carries out `a`; writes the losses it asks for into `losses` (capacity
 * `cap`) and returns their count. */
static int64_t carry_out(model *m, const pace_autolrs_action *a, double *losses, int64_t cap) {
  int64_t n = 0;
  if (a->kind == PACE_AUTOLRS_CHECKPOINT) m->saved = m->loss;
  if (a->kind == PACE_AUTOLRS_RESTORE) m->loss = m->saved;
  if (a->kind != PACE_AUTOLRS_TRAIN) return 0;
  for (int64_t s = 1; s <= a->steps; s++) {
    m->loss -= 0.01 * (m->loss - floor_of(m, a->lr));
    double reported = a->lr > m->diverge_above ? NAN : m->loss + noise(m);
    if (a->report == PACE_AUTOLRS_REPORT_TRAIN && n < cap) losses[n++] = reported;
    if (a->report == PACE_AUTOLRS_REPORT_VAL && s % a->every == 0 && n < cap) losses[n++] = reported + 0.05;
  }
  return n;
}

/* Drives `t` for at most `limit` actions (or to DONE); stores the actions in
 * `log` (capacity `log_cap`) when given. Returns the number of actions, -1 on
 * an unexpected status. Sums the train steps into *steps. */
static int64_t drive(pace_autolrs *t, model *m, int64_t limit, pace_autolrs_action *log, int64_t log_cap,
                     int64_t *steps) {
  static double losses[100000];
  int64_t count = 0;
  while (count < limit) {
    pace_autolrs_action a;
    if (pace_autolrs_next(t, &a) != PACE_OK) return -1;
    if (log && count < log_cap) log[count] = a;
    count++;
    if (a.kind == PACE_AUTOLRS_DONE) break;
    if (a.kind == PACE_AUTOLRS_TRAIN && steps) *steps += a.steps;
    int64_t n = carry_out(m, &a, losses, 100000);
    if (a.report != PACE_AUTOLRS_REPORT_NONE && pace_autolrs_report(t, losses, n) != PACE_OK) return -1;
  }
  return count;
}

static const char *k_config = "{\"min_lr\": 1e-4, \"max_lr\": 1, \"total_steps\": 30000, \"seed\": 3}";

static model new_model(void) { return (model){.loss = 3, .saved = 3, .best_lr = 0.01, .diverge_above = INFINITY, .noise = 9}; }

/* zlib's CRC-32, to re-seal a blob whose version we change. */
static uint32_t crc32_of(const unsigned char *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xFFFFFFFFu;
}

static void test_create_and_config_errors(void) {
  group_begin("create, config errors");
  pace_autolrs *t = NULL;
  EXPECT_OK("create", pace_autolrs_create(k_config, &t));
  CHECK(t != NULL, "create gives a handle");
  pace_autolrs_free(t);
  pace_autolrs_free(NULL);
  EXPECT_FAIL("NULL out", pace_autolrs_create(k_config, NULL), PACE_E_ARGUMENT);
  t = (pace_autolrs *)&t;
  EXPECT_FAIL("NULL config", pace_autolrs_create(NULL, &t), PACE_E_ARGUMENT);
  CHECK(t == NULL, "a failed create stores NULL");
  static const struct { const char *config, *field; } bad[] = {
      {"{\"max_lr\": 1, \"total_steps\": 10}", "min_lr"},
      {"{\"min_lr\": 1e-3, \"total_steps\": 10}", "max_lr"},
      {"{\"min_lr\": 1e-3, \"max_lr\": 1}", "total_steps"},
      {"{\"min_lr\": 1, \"max_lr\": 0.5, \"total_steps\": 10}", "max_lr"},
      {"{\"min_lr\": 1e-3, \"max_lr\": 1, \"total_steps\": -4}", "total_steps"},
      {"{\"min_lr\": 1e-3, \"max_lr\": 1, \"total_steps\": 10, \"tau_prime\": 2}", "tau_prime"},
      {"{\"min_lr\": 1e-3, \"max_lr\": 1, \"total_steps\": 10, \"candidates\": 1000}", "candidates"},
      {"{\"min_lr\": 1e-3, \"max_lr\": 1, \"total_steps\": 10, \"warmup_steps\": 3}", "warmup_lr"},
      {"{\"min_lr\": 1e-3, \"max_lr\": 1, \"total_steps\": 10, \"lr\": 3}", "lr: unknown key"},
      {"{\"min_lr\": 1e-3, \"max_lr\": 1, \"total_steps\": 10, \"seed\": 1.5}", "seed"},
      {"not json", "invalid JSON"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    EXPECT_FAIL(bad[i].config, pace_autolrs_create(bad[i].config, &t), PACE_E_SPEC);
    CHECK(strstr(last_error(), bad[i].field) != NULL, "message \"%s\" names %s", last_error(), bad[i].field);
  }
  group_end();
}

static void test_protocol_loop(void) {
  group_begin("protocol loop, step accounting");
  static const char *configs[] = {
      "{\"min_lr\": 1e-4, \"max_lr\": 1, \"total_steps\": 30000, \"seed\": 3}",
      "{\"min_lr\": 1e-4, \"max_lr\": 1, \"total_steps\": 4321, \"tau\": 300, \"tau_prime\": 30, \"candidates\": 6}",
      "{\"min_lr\": 1e-3, \"max_lr\": 0.3, \"total_steps\": 2000, \"warmup_steps\": 25, \"warmup_lr\": 0.01}",
      "{\"min_lr\": 1e-3, \"max_lr\": 0.3, \"total_steps\": 5000, \"tau\": 100, \"tau_prime\": 16, \"candidates\": 4, "
      "\"tau_max\": 100, \"val_every\": 4}",
      "{\"min_lr\": 1e-3, \"max_lr\": 0.3, \"total_steps\": 9}",
  };
  for (size_t c = 0; c < sizeof configs / sizeof configs[0]; c++) {
    pace_autolrs *t = NULL;
    EXPECT_OK("create", pace_autolrs_create(configs[c], &t));
    model m = new_model();
    int64_t steps = 0;
    int64_t n = drive(t, &m, 10000000, NULL, 0, &steps);
    CHECK(n > 0, "config %zu: the loop ran to DONE (message \"%s\")", c, last_error());
    int64_t used = -1;
    EXPECT_OK("steps_used", pace_autolrs_steps_used(t, &used));
    int64_t total = c == 0 ? 30000 : c == 1 ? 4321 : c == 2 ? 2000 : c == 3 ? 5000 : 9;
    CHECK(steps == total, "config %zu: train steps %lld == total_steps %lld", c, (long long)steps, (long long)total);
    CHECK(used == total, "config %zu: steps_used %lld == total_steps", c, (long long)used);
    pace_autolrs_action a;
    EXPECT_OK("next after done", pace_autolrs_next(t, &a));
    CHECK(a.kind == PACE_AUTOLRS_DONE, "DONE repeats");
    pace_autolrs_free(t);
  }
  group_end();
}

static void test_chosen_lr_near_best(void) {
  group_begin("chosen LR near the best");
  pace_autolrs *t = NULL;
  EXPECT_OK("create", pace_autolrs_create(k_config, &t));
  model m = new_model();
  m.best_lr = 0.03;
  int64_t steps = 0;
  static pace_autolrs_action log[4096];
  int64_t n = drive(t, &m, 4096, log, 4096, &steps);
  int exploits = 0;
  for (int64_t i = 1; i < n; i++) {
    /* An exploitation phase follows a RESTORE and is the only train action without trial reports. */
    if (log[i].kind == PACE_AUTOLRS_TRAIN && log[i - 1].kind == PACE_AUTOLRS_RESTORE &&
        log[i].report != PACE_AUTOLRS_REPORT_TRAIN) {
      exploits++;
      CHECK(fabs(log10(log[i].lr) - log10(0.03)) < 0.3, "stage %d trains at %g, the best LR is 0.03", exploits, log[i].lr);
    }
  }
  CHECK(exploits >= 3, "%d searched stages", exploits);
  size_t needed = 0;
  EXPECT_FAIL("history, NULL buf", pace_autolrs_history(t, NULL, 0, &needed), PACE_E_BUFFER_TOO_SMALL);
  CHECK(needed > 2, "history needs %zu bytes", needed);
  char *text = malloc(needed);
  EXPECT_FAIL("history, cap one short", pace_autolrs_history(t, text, needed - 1, &needed), PACE_E_BUFFER_TOO_SMALL);
  EXPECT_OK("history", pace_autolrs_history(t, text, needed, &needed));
  CHECK(text[0] == '[' && strstr(text, "\"lrs\":[") && strstr(text, "\"forecasts\":[") && strstr(text, "\"lr\":"),
        "history JSON: %.80s", text);
  CHECK(strlen(text) + 1 == needed, "needed counts the NUL");
  free(text);
  pace_autolrs_free(t);
  group_end();
}

static void test_out_of_order_and_bad_arguments(void) {
  group_begin("out-of-order calls, bad arguments");
  pace_autolrs *t = NULL;
  EXPECT_OK("create", pace_autolrs_create(k_config, &t));
  double losses[200] = {0};
  EXPECT_FAIL("report before any train", pace_autolrs_report(t, losses, 3), PACE_E_ARGUMENT);
  CHECK(strstr(last_error(), "no report is awaited") != NULL, "message: %s", last_error());
  pace_autolrs_action a;
  EXPECT_FAIL("next, NULL action", pace_autolrs_next(t, NULL), PACE_E_ARGUMENT);
  EXPECT_OK("next", pace_autolrs_next(t, &a));
  CHECK(a.kind == PACE_AUTOLRS_CHECKPOINT, "the first action is CHECKPOINT");
  EXPECT_OK("next", pace_autolrs_next(t, &a));
  CHECK(a.kind == PACE_AUTOLRS_TRAIN && a.report == PACE_AUTOLRS_REPORT_TRAIN && a.steps == 100 && a.lr >= 1e-4 &&
            a.lr <= 1,
        "a trial of 100 steps at %g", a.lr);
  EXPECT_FAIL("next while a report is pending", pace_autolrs_next(t, &a), PACE_E_ARGUMENT);
  CHECK(strstr(last_error(), "report the losses") != NULL, "message: %s", last_error());
  EXPECT_FAIL("report, wrong count", pace_autolrs_report(t, losses, 99), PACE_E_ARGUMENT);
  CHECK(strstr(last_error(), "expected 100") != NULL, "message: %s", last_error());
  EXPECT_FAIL("report, NULL losses", pace_autolrs_report(t, NULL, 100), PACE_E_ARGUMENT);
  EXPECT_FAIL("report, negative n", pace_autolrs_report(t, losses, -1), PACE_E_ARGUMENT);
  for (int i = 0; i < 100; i++) losses[i] = i % 7 ? NAN : INFINITY;
  EXPECT_OK("report NaN and inf losses", pace_autolrs_report(t, losses, 100));
  EXPECT_OK("next", pace_autolrs_next(t, &a));
  CHECK(a.kind == PACE_AUTOLRS_RESTORE, "RESTORE before the second trial");
  EXPECT_FAIL("steps_used, NULL out", pace_autolrs_steps_used(t, NULL), PACE_E_ARGUMENT);
  /* Handles of another kind, NULL, freed. */
  pace_schedule *s = NULL;
  EXPECT_OK("a schedule", pace_schedule_parse("{\"preset\":\"constant\"}", &s));
  EXPECT_FAIL("a schedule as tuner", pace_autolrs_next((pace_autolrs *)s, &a), PACE_E_ARGUMENT);
  CHECK(strstr(last_error(), "pace_schedule") != NULL, "message names the kind: %s", last_error());
  pace_autolrs_free((pace_autolrs *)s); /* refused, recorded */
  EXPECT_OK("the schedule still works", pace_schedule_at(s, 0, &losses[0]));
  pace_schedule_free(s);
  EXPECT_FAIL("NULL tuner", pace_autolrs_next(NULL, &a), PACE_E_ARGUMENT);
  int64_t used;
  EXPECT_FAIL("NULL tuner, steps_used", pace_autolrs_steps_used(NULL, &used), PACE_E_ARGUMENT);
  pace_autolrs_free(t);
  EXPECT_FAIL("a freed tuner", pace_autolrs_next(t, &a), PACE_E_ARGUMENT);
  CHECK(strstr(last_error(), "freed") != NULL, "message: %s", last_error());
  pace_autolrs_free(t); /* double free: refused, no crash */
  group_end();
}

static void test_save_load(void) {
  group_begin("save, load, damage");
  static pace_autolrs_action expected[8192], got[8192];
  /* Small stages, so that validation mode comes (third stage on) and the run stays short under valgrind. */
  static const char *config = "{\"min_lr\": 1e-4, \"max_lr\": 1, \"total_steps\": 6000, \"tau\": 300, "
                              "\"tau_prime\": 32, \"candidates\": 5, \"tau_max\": 600, \"seed\": 3}";
  pace_autolrs *ref = NULL;
  EXPECT_OK("create", pace_autolrs_create(config, &ref));
  model m = new_model();
  int64_t steps = 0;
  int64_t n_ref = drive(ref, &m, 8192, expected, 8192, &steps);
  pace_autolrs_free(ref);

  int64_t cuts[] = {1, 2, 5, 14, 17, 18, 30, 41};
  for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
    pace_autolrs *t = NULL;
    EXPECT_OK("create", pace_autolrs_create(config, &t));
    model mm = new_model();
    int64_t s2 = 0;
    int64_t n1 = drive(t, &mm, cuts[c], got, 8192, &s2);
    size_t needed = 0;
    EXPECT_FAIL("save, NULL buf", pace_autolrs_save(t, NULL, 0, &needed), PACE_E_BUFFER_TOO_SMALL);
    unsigned char *blob = malloc(needed);
    EXPECT_FAIL("save, cap short", pace_autolrs_save(t, blob, needed - 1, &needed), PACE_E_BUFFER_TOO_SMALL);
    EXPECT_OK("save", pace_autolrs_save(t, blob, needed, &needed));
    pace_autolrs_free(t);
    pace_autolrs *u = NULL;
    EXPECT_OK("load", pace_autolrs_load(blob, needed, &u));
    size_t again_size = 0;
    pace_autolrs_save(u, NULL, 0, &again_size);
    unsigned char *again = malloc(again_size);
    EXPECT_OK("save again", pace_autolrs_save(u, again, again_size, &again_size));
    CHECK(again_size == needed && memcmp(again, blob, needed) == 0, "cut %lld: save -> load -> save is byte-identical",
          (long long)cuts[c]);
    int64_t n2 = drive(u, &mm, 8192, got + n1, 8192 - n1, &s2);
    CHECK(n1 + n2 == n_ref && memcmp(got, expected, sizeof(pace_autolrs_action) * (size_t)n_ref) == 0,
          "cut %lld: the loaded tuner continues identically (%lld + %lld actions, %lld expected)", (long long)cuts[c],
          (long long)n1, (long long)n2, (long long)n_ref);
    pace_autolrs_free(u);
    if (c == 4) { /* damage: every byte flipped, truncations, trailing byte, newer version */
      int rejected = 0, tried = 0;
      for (size_t i = 0; i < needed; i++) {
        blob[i] ^= 0x41;
        pace_autolrs *v = (pace_autolrs *)blob;
        pace_status st = pace_autolrs_load(blob, needed, &v);
        rejected += st == PACE_E_STATE && v == NULL;
        tried++;
        blob[i] ^= 0x41;
      }
      CHECK(rejected == tried, "%d of %d one-byte damages rejected with PACE_E_STATE", rejected, tried);
      pace_autolrs *v = NULL;
      EXPECT_FAIL("truncated", pace_autolrs_load(blob, needed - 1, &v), PACE_E_STATE);
      EXPECT_FAIL("header only", pace_autolrs_load(blob, 20, &v), PACE_E_STATE);
      EXPECT_FAIL("empty", pace_autolrs_load(blob, 0, &v), PACE_E_STATE);
      unsigned char *longer = malloc(needed + 1);
      memcpy(longer, blob, needed);
      longer[needed] = 0;
      EXPECT_FAIL("trailing byte", pace_autolrs_load(longer, needed + 1, &v), PACE_E_STATE);
      free(longer);
      blob[8] = 2; /* format version 2, resealed */
      uint32_t crc = crc32_of(blob, needed - 4);
      for (int k = 0; k < 4; k++) blob[needed - 4 + (size_t)k] = (unsigned char)(crc >> (8 * k));
      EXPECT_FAIL("newer version", pace_autolrs_load(blob, needed, &v), PACE_E_VERSION);
      EXPECT_FAIL("NULL buf", pace_autolrs_load(NULL, 10, &v), PACE_E_ARGUMENT);
      EXPECT_FAIL("NULL out", pace_autolrs_load(blob, needed, NULL), PACE_E_ARGUMENT);
    }
    free(blob);
    free(again);
  }
  group_end();
}

static void test_diverging_trials(void) {
  group_begin("NaN losses (diverging LRs)");
  pace_autolrs *t = NULL;
  EXPECT_OK("create", pace_autolrs_create("{\"min_lr\": 1e-4, \"max_lr\": 1, \"total_steps\": 12000}", &t));
  model m = new_model();
  m.diverge_above = 0.05;
  int64_t steps = 0;
  static pace_autolrs_action log[4096];
  int64_t n = drive(t, &m, 4096, log, 4096, &steps);
  CHECK(n > 0 && steps == 12000, "the run completes (%lld steps)", (long long)steps);
  for (int64_t i = 1; i < n; i++) {
    if (log[i].kind == PACE_AUTOLRS_TRAIN && log[i - 1].kind == PACE_AUTOLRS_RESTORE &&
        log[i].report != PACE_AUTOLRS_REPORT_TRAIN) {
      CHECK(log[i].lr <= 0.05, "a diverging LR is never chosen (%g)", log[i].lr);
    }
  }
  size_t needed = 0;
  pace_autolrs_history(t, NULL, 0, &needed);
  char *text = malloc(needed);
  EXPECT_OK("history", pace_autolrs_history(t, text, needed, &needed));
  CHECK(strstr(text, "1000000") != NULL, "a diverged trial is forecast as 1e6");
  free(text);
  pace_autolrs_free(t);
  group_end();
}

int main(void) {
  pace_schedule_parse("{\"preset\":\"constant\"}", &g_marker_schedule);
  test_create_and_config_errors();
  test_protocol_loop();
  test_chosen_lr_near_best();
  test_out_of_order_and_bad_arguments();
  test_save_load();
  test_diverging_trials();
  pace_schedule_free(g_marker_schedule);
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed ? 1 : 0;
}
