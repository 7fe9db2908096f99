/*
 * law_interval_test.c - prediction intervals of the loss-curve laws through
 * the C ABI: pace_law_fit_interval and pace_law_predict_interval (bounds
 * around the prediction, wider with the level), the saved form (format 3,
 * exact round trip, damage rejected), and every bad argument.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

#define T 1500
#define POINTS 70

static double lrs[3][T];
static int64_t steps[3][POINTS];
static double losses[3][POINTS];

/* Three runs of an annealing law (L0 2.9, A 1.1, alpha 0.45, C 0.4, lambda 0.999) with
 * different cooldowns and a deterministic +-0.3% wobble. */
static void make_curves(pace_law_curve curves[3]) {
  const double L0 = 2.9, A = 1.1, alpha = 0.45, C = 0.4, lambda = 0.999;
  for (int c = 0; c < 3; c++) {
    int start = T - 300 - 250 * c;
    for (int t = 0; t < T; t++) {
      double lr = t < 50 ? 1e-3 * (t + 1) / 50.0 : 1e-3;
      if (t >= start) lr = 1e-3 * (1 - 0.9 * (t - start) / (double)(T - start));
      lrs[c][t] = lr;
    }
    double s1 = 0, m = 0, s2 = 0;
    int k = 0;
    for (int t = 1; t < T && k < POINTS; t++) {
      s1 += lrs[c][t];
      if (t >= 50) {
        m = lambda * m + (lrs[c][t - 1] - lrs[c][t]);
        s2 += m;
      }
      if (t % 20 == 0 && t >= 60) {
        steps[c][k] = t;
        losses[c][k] = (L0 + A * pow(s1, -alpha) - C * s2) * (1 + 0.003 * sin(1.7 * k + c));
        k++;
      }
    }
    curves[c] = (pace_law_curve){{NULL, lrs[c], T, -1}, steps[c], losses[c], k};
  }
}

int main(void) {
  pace_schedule_parse("{\"version\":1,\"peak\":1,\"phases\":[{\"shape\":\"constant\",\"steps\":10}]}",
                      &g_marker_schedule);
  pace_law_curve curves[3];
  make_curves(curves);
  pace_lr_input lr = {NULL, lrs[2], T, -1};
  int64_t at[] = {100, 700, 1200, 1499};
  double out[4], lower[4], upper[4];

  group_begin("fit with interval");
  pace_law *law = NULL;
  EXPECT_OK("pace_law_fit_interval", pace_law_fit_interval(PACE_LAW_ANNEALING, curves, 3, NULL, &law));
  CHECK(law != NULL, "law is NULL");
  group_end();
  if (!law) return 1;

  group_begin("predict interval");
  double plain[4];
  EXPECT_OK("pace_law_predict", pace_law_predict(law, &lr, at, 4, plain));
  double prev_lo[4], prev_hi[4];
  const double levels[] = {0.1, 0.5, 0.8, 0.9, 0.95, 0.99};
  for (int l = 0; l < 6; l++) {
    EXPECT_OK("pace_law_predict_interval", pace_law_predict_interval(law, &lr, at, 4, levels[l], out, lower, upper));
    for (int i = 0; i < 4; i++) {
      CHECK(out[i] == plain[i], "level %g step %lld: prediction %.17g differs from pace_law_predict %.17g", levels[l],
            (long long)at[i], out[i], plain[i]);
      CHECK(lower[i] <= out[i] && out[i] <= upper[i], "level %g: %g <= %g <= %g", levels[l], lower[i], out[i],
            upper[i]);
      if (l > 0) {
        CHECK(lower[i] <= prev_lo[i] && upper[i] >= prev_hi[i], "level %g is not at least as wide as %g", levels[l],
              levels[l - 1]);
      }
      prev_lo[i] = lower[i];
      prev_hi[i] = upper[i];
    }
  }
  CHECK(prev_hi[0] - prev_lo[0] > 0, "the 99%% interval has width 0");
  EXPECT_OK("n = 0 with NULL buffers", pace_law_predict_interval(law, &lr, NULL, 0, 0.9, NULL, NULL, NULL));
  group_end();

  group_begin("save and load");
  size_t needed = 0;
  pace_law_save(law, NULL, 0, &needed);
  char *text = malloc(needed);
  EXPECT_OK("pace_law_save", pace_law_save(law, text, needed, &needed));
  CHECK(strstr(text, "\"version\":3") && strstr(text, "\"interval\":{\"method\":\"leave-one-curve-out\""),
        "saved text lacks version 3 or its interval");
  pace_law *back = NULL;
  EXPECT_OK("pace_law_load", pace_law_load(text, &back));
  char *again = malloc(needed);
  size_t needed2 = 0;
  EXPECT_OK("pace_law_save (loaded)", pace_law_save(back, again, needed, &needed2));
  CHECK(needed2 == needed && strcmp(text, again) == 0, "save -> load -> save differs");
  double out2[4], lower2[4], upper2[4];
  EXPECT_OK("loaded law's interval", pace_law_predict_interval(back, &lr, at, 4, 0.9, out2, lower2, upper2));
  EXPECT_OK("fitted law's interval", pace_law_predict_interval(law, &lr, at, 4, 0.9, out, lower, upper));
  CHECK(memcmp(lower, lower2, sizeof lower) == 0 && memcmp(upper, upper2, sizeof upper) == 0,
        "the loaded law's interval differs");
  char *q = strstr(text, "log_residual_quantiles");
  size_t length = strlen(text);
  /* damage every 37th byte from the quantiles to the end (indices, never past the terminator) */
  for (size_t k = q ? (size_t)(q - text) : length; k + 1 < length; k += 37) {
    char *p = text + k;
    char saved = *p;
    *p ^= 0x04;
    pace_law *bad = NULL;
    EXPECT_FAIL("damaged quantiles", pace_law_load(text, &bad), PACE_E_STATE);
    CHECK(bad == NULL, "a damaged text gave a law");
    *p = saved;
  }
  char *v = strstr(text, "\"version\":3");
  v[10] = '2'; /* a version 2 header on a version 3 body: the checksums differ */
  pace_law *bad = NULL;
  EXPECT_FAIL("version 2 header on a version 3 body", pace_law_load(text, &bad), PACE_E_STATE);
  v[10] = '4';
  EXPECT_FAIL("newer version", pace_law_load(text, &bad), PACE_E_VERSION);
  free(text);
  free(again);
  pace_law_free(back);
  group_end();

  group_begin("bad arguments");
  pace_law *none = NULL;
  EXPECT_FAIL("out NULL", pace_law_fit_interval(PACE_LAW_ANNEALING, curves, 3, NULL, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("one curve", pace_law_fit_interval(PACE_LAW_ANNEALING, curves, 1, NULL, &none), PACE_E_ARGUMENT);
  EXPECT_FAIL("curves NULL", pace_law_fit_interval(PACE_LAW_ANNEALING, NULL, 3, NULL, &none), PACE_E_ARGUMENT);
  EXPECT_FAIL("bad kind", pace_law_fit_interval(7, curves, 3, NULL, &none), PACE_E_ARGUMENT);
  double nan_loss = losses[1][5];
  losses[1][5] = -1;
  EXPECT_FAIL("a bad loss", pace_law_fit_interval(PACE_LAW_ANNEALING, curves, 3, NULL, &none), PACE_E_ARGUMENT);
  losses[1][5] = nan_loss;
  CHECK(none == NULL, "a failed fit gave a law");
  const double levels_bad[] = {0, 1, -0.1, 1.5, NAN, INFINITY};
  for (int i = 0; i < 6; i++) {
    EXPECT_FAIL("bad level", pace_law_predict_interval(law, &lr, at, 4, levels_bad[i], out, lower, upper),
                PACE_E_ARGUMENT);
  }
  EXPECT_FAIL("lower NULL", pace_law_predict_interval(law, &lr, at, 4, 0.9, out, NULL, upper), PACE_E_ARGUMENT);
  EXPECT_FAIL("upper NULL", pace_law_predict_interval(law, &lr, at, 4, 0.9, out, lower, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("out NULL", pace_law_predict_interval(law, &lr, at, 4, 0.9, NULL, lower, upper), PACE_E_ARGUMENT);
  int64_t beyond[] = {T};
  EXPECT_FAIL("step beyond", pace_law_predict_interval(law, &lr, beyond, 1, 0.9, out, lower, upper), PACE_E_ARGUMENT);
  EXPECT_FAIL("law NULL", pace_law_predict_interval(NULL, &lr, at, 4, 0.9, out, lower, upper), PACE_E_ARGUMENT);
  double params[] = {2.9, 1.1, 0.45, 0.4, 0.999};
  pace_law *plain_law = NULL;
  EXPECT_OK("pace_law_create", pace_law_create(PACE_LAW_ANNEALING, params, 5, PACE_WARMUP_DEFAULT, &plain_law));
  EXPECT_FAIL("a law without an interval", pace_law_predict_interval(plain_law, &lr, at, 4, 0.9, out, lower, upper),
              PACE_E_ARGUMENT);
  CHECK(strstr(last_error(), "no prediction interval") != NULL, "message: %s", last_error());
  pace_law_free(plain_law);
  group_end();

  pace_law_free(law);
  pace_schedule_free(g_marker_schedule);
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed ? 1 : 0;
}
