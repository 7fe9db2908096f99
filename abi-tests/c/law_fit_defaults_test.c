/*
 * law_fit_defaults_test.c - the fit's defaults through the C ABI: opt NULL
 * and PACE_FIT_AUTO / PACE_WARMUP_DEFAULT give each law's cross-validated
 * default fit (multi-power: adam; annealing: lm; warmup sum, Huber delta 1e-2),
 * bit for bit the same law; a zeroed pace_fit_options keeps meaning
 * PACE_FIT_LM (ABI compatibility); the fit report names the method and
 * warmup used; pace_names_json lists them; bad method codes are rejected.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

#define T 3000
#define POINTS 120

static double lrs[3][T];
static int64_t steps[3][POINTS];
static double losses[3][POINTS];

/* Three runs (warmup 200 steps, peak 3e-4, cooldowns of different lengths)
 * predicted by `truth` at every 20th step from 220, with a +-0.2% wobble. */
static int make_curves(const pace_law *truth, pace_law_curve curves[3]) {
  for (int c = 0; c < 3; c++) {
    int start = T - 400 - 800 * c;
    for (int t = 0; t < T; t++) {
      double lr = t < 200 ? 3e-4 * (t + 1) / 200.0 : 3e-4;
      if (t >= start) lr = 3e-4 * (1 - 0.9 * (t - start) / (double)(T - start));
      lrs[c][t] = lr;
    }
    int k = 0;
    for (int t = 220; t < T && k < POINTS; t += 20) steps[c][k++] = t;
    curves[c] = (pace_law_curve){{NULL, lrs[c], T, -1}, steps[c], losses[c], k};
    if (pace_law_predict(truth, &curves[c].lr, steps[c], k, losses[c]) != PACE_OK) return 0;
    for (int i = 0; i < k; i++) losses[c][i] *= 1 + 0.002 * sin(1.3 * i + c);
  }
  return 1;
}

/* The fit report's JSON (static buffer). */
static const char *report(const pace_law *law) {
  static char text[8192];
  size_t needed = 0;
  if (pace_law_fit_report(law, text, sizeof text, &needed) != PACE_OK) return "";
  return text;
}

static int same_params(const pace_law *a, const pace_law *b) {
  double pa[8], pb[8];
  int64_t na = 0, nb = 0;
  if (pace_law_params(a, pa, 8, &na) != PACE_OK || pace_law_params(b, pb, 8, &nb) != PACE_OK) return 0;
  return na == nb && memcmp(pa, pb, (size_t)na * sizeof(double)) == 0;
}

static pace_fit_options zeroed(void) {
  pace_fit_options o;
  memset(&o, 0, sizeof o);
  o.struct_size = (uint32_t)sizeof o;
  return o;
}

/* One law kind: opt NULL == AUTO options; zeroed == LM; the report's names. */
static void check_kind(uint32_t kind, const double *params, int64_t n, const char *method, const char *warmup) {
  pace_law *truth = NULL;
  EXPECT_OK("pace_law_create", pace_law_create(kind, params, n, PACE_WARMUP_RAW, &truth));
  pace_law_curve curves[3];
  CHECK(make_curves(truth, curves), "predicting the synthetic curves failed: %s", last_error());
  pace_law_free(truth);

  pace_law *by_default = NULL, *automatic = NULL, *zero = NULL;
  EXPECT_OK("pace_law_fit opt NULL", pace_law_fit(kind, curves, 3, NULL, &by_default));
  pace_fit_options o = zeroed();
  o.method = PACE_FIT_AUTO;
  o.warmup = PACE_WARMUP_DEFAULT;
  o.fit_lambda = 1;
  EXPECT_OK("pace_law_fit PACE_FIT_AUTO", pace_law_fit(kind, curves, 3, &o, &automatic));
  pace_fit_options z = zeroed();
  EXPECT_OK("pace_law_fit zeroed options", pace_law_fit(kind, curves, 3, &z, &zero));
  if (by_default && automatic && zero) {
    CHECK(same_params(by_default, automatic), "opt NULL and PACE_FIT_AUTO fitted different laws");
    char want[96];
    snprintf(want, sizeof want, "\"method\":\"%s\",\"warmup\":\"%s\"", method, warmup);
    CHECK(strstr(report(by_default), want) != NULL, "report of the default fit lacks %s: %s", want, report(by_default));
    CHECK(strstr(report(automatic), want) != NULL, "report of the AUTO fit lacks %s: %s", want, report(automatic));
    CHECK(strstr(report(zero), "\"method\":\"lm\"") != NULL, "a zeroed struct is not lm: %s", report(zero));
    snprintf(want, sizeof want, "\"warmup\":\"%s\"", warmup);
    CHECK(strstr(report(zero), want) != NULL, "a zeroed struct's warmup is not the law's default: %s", report(zero));
  }
  pace_law_free(by_default);
  pace_law_free(automatic);
  pace_law_free(zero);

  pace_law *none = NULL;
  pace_fit_options bad = zeroed();
  bad.method = 3;
  EXPECT_FAIL("method 3", pace_law_fit(kind, curves, 3, &bad, &none), PACE_E_ARGUMENT);
  CHECK(strstr(last_error(), "PACE_FIT_AUTO") != NULL, "message: %s", last_error());
  bad.method = UINT32_MAX;
  EXPECT_FAIL("method UINT32_MAX", pace_law_fit(kind, curves, 3, &bad, &none), PACE_E_ARGUMENT);
  if (kind == PACE_LAW_ANNEALING) {
    bad.method = PACE_FIT_ADAM;
    EXPECT_FAIL("adam for annealing", pace_law_fit(kind, curves, 3, &bad, &none), PACE_E_ARGUMENT);
  }
  CHECK(none == NULL, "a failed fit gave a law");
}

int main(void) {
  pace_schedule_parse("{\"version\":1,\"peak\":1,\"phases\":[{\"shape\":\"constant\",\"steps\":10}]}",
                      &g_marker_schedule);
  group_begin("multi_power default fit");
  const double mp[] = {3.0, 0.5, 0.5, 400, 2.0, 0.6, 0.6};
  check_kind(PACE_LAW_MULTI_POWER, mp, 7, "adam", "sum");
  group_end();

  group_begin("annealing default fit");
  const double an[] = {3.1, 0.6, 0.55, 0.4, 0.999};
  check_kind(PACE_LAW_ANNEALING, an, 5, "lm", "sum");
  group_end();

  group_begin("names");
  static char names[16384];
  size_t needed = 0;
  EXPECT_OK("pace_names_json", pace_names_json(names, sizeof names, &needed));
  CHECK(strstr(names, "\"fit_methods\":{\"lm\":0,\"adam\":1,\"auto\":2}"), "fit_methods: %s", names);
  CHECK(strstr(names, "\"fit_method\":\"adam\",\"fit_warmup\":\"sum\""), "multi_power defaults: %s", names);
  CHECK(strstr(names, "\"fit_method\":\"lm\",\"fit_warmup\":\"sum\""), "annealing defaults: %s", names);
  CHECK(PACE_FIT_AUTO == 2u && PACE_FIT_LM == 0u && PACE_FIT_ADAM == 1u, "codes renumbered");
  group_end();

  pace_schedule_free(g_marker_schedule);
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed ? 1 : 0;
}
