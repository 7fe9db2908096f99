/*
 * runtime_events_test.c - the runtime's events through the shipped
 * libpace.so: begin_decay, rewarm, set_total_steps, each followed by a
 * save/load whose copy must reproduce every later output bit for bit.
 *
 * Prints one line per check group (failed checks above it), then
 * "N passed, M failed"; exits 1 when any check failed.
 *
 * Build: cc -std=c11 -Wall -Wextra -Werror -pthread abi-tests/c/runtime_events_test.c \
 *          $(pkg-config --cflags --libs pace) -lm        (abi-tests/c/run.sh)
 */
#define _XOPEN_SOURCE 700

#include "runtime_common.h"

/* ---- 5. events ------------------------------------------------------------ */

#define CFG_WSD                                                                                        \
  "{\"channels\":{\"lr\":{\"peak\":0.5,\"phases\":[{\"shape\":\"linear\",\"steps\":100,\"from\":0,\"to\":1}," \
  "{\"shape\":\"constant\"}]}},\"groups\":[{\"name\":\"a\",\"scale\":{\"lr\":2}},{\"name\":\"b\"}]}"

/* A shadow: a copy of a runtime made through save/load at some step, stepped
 * alongside the original (norm 1.0); every later output of the original
 * must be reproduced bit for bit (events survive save/load). */
struct shadow {
  pace_runtime *copy;
  int64_t steps, bad, first_bad;
  int64_t nv;
  const char *what;
  int line;
};
static struct shadow g_shadow;

static void shadow_begin(int line, const pace_runtime *rt, const char *what) {
  g_shadow = (struct shadow){clone_via_blob(rt), 0, 0, -1, value_count(rt), what, line};
  check_impl(g_shadow.copy != NULL, line, "%s: save/load failed: %s", what, last_error());
  if (g_shadow.copy) {
    double a[64], b[64];
    pace_runtime_values(rt, a, 64);
    pace_runtime_values(g_shadow.copy, b, 64);
    check_impl(step_count(g_shadow.copy) == step_count(rt) && memcmp(a, b, (size_t)g_shadow.nv * sizeof(double)) == 0,
               line, "%s: the loaded copy's step or current values differ", what);
  }
}

/* Steps rt (norm 1.0) into v, and the shadow (if any) alongside. */
static pace_status ev_step(pace_runtime *rt, double *v, size_t cap) {
  pace_status st = pace_runtime_step(rt, 1.0, v, cap);
  if (g_shadow.copy) {
    double w[64];
    pace_status st2 = pace_runtime_step(g_shadow.copy, 1.0, w, 64);
    if (st2 != st || memcmp(v, w, (size_t)g_shadow.nv * sizeof(double)) != 0) {
      if (g_shadow.bad++ == 0) g_shadow.first_bad = step_count(rt);
    }
    g_shadow.steps++;
  }
  return st;
}

static void ev_advance(pace_runtime *rt, int64_t n) {
  double v[64];
  for (int64_t i = 0; i < n; i++) ev_step(rt, v, 64);
}

static void shadow_end(void) {
  if (g_shadow.copy) {
    check_impl(g_shadow.bad == 0 && g_shadow.steps > 0, g_shadow.line,
               "%s: after save/load, %lld of %lld values differ from the original's (first at step %lld)",
               g_shadow.what, (long long)g_shadow.bad, (long long)g_shadow.steps, (long long)g_shadow.first_bad);
  }
  pace_runtime_free(g_shadow.copy);
  g_shadow = (struct shadow){0};
}

static void test_events(void) {
  group_begin("events");
  const double peak = 0.5;

  /* begin_decay: keeps the current value, reaches to*peak after decay_steps, then holds */
  static const char *const shapes[] = {"linear", "cosine", "sqrt", "square", "polynomial", "rex", "exponential"};
  for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
    pace_runtime *rt = CREATE_OK(CFG_WSD);
    if (!rt) continue;
    advance(rt, 300, 1.0);
    double before[2], after[2], v[2];
    pace_runtime_values(rt, before, 2);
    pace_status st = pace_runtime_begin_decay(rt, si % 2 ? "lr" : NULL, 50, shapes[si], 0.1);
    CHECK(st == PACE_OK, "begin_decay(%s): %s (%s)", shapes[si], sname(st), last_error());
    pace_runtime_values(rt, after, 2);
    CHECK(memcmp(before, after, sizeof before) == 0, "begin_decay(%s) changed the current value %.17g -> %.17g",
          shapes[si], before[1], after[1]);
    CHECK(step_count(rt) == 300, "begin_decay moved the step");
    int mono = 1;
    double prev = after[1];
    for (int k = 1; k <= 50; k++) {
      if (k == 20) shadow_begin(__LINE__, rt, "begin_decay, saved mid-decay");
      ev_step(rt, v, 2);
      mono &= v[1] <= prev && v[1] >= peak * 0.1 * (1 - 1e-15);
      mono &= same_bits(v[0], 2 * v[1]);
      prev = v[1];
      if (k == 25 && strcmp(shapes[si], "linear") == 0) {
        CHECK(close_rel(v[1], peak * (0.1 + 0.9 * 0.5), 1e-15, 0), "linear decay midway: %.17g, want %.17g", v[1],
              peak * 0.55);
      }
    }
    CHECK(mono, "begin_decay(%s): not decreasing within [to*peak, current] or group scale lost", shapes[si]);
    CHECK(close_rel(v[1], peak * 0.1, 1e-15, 0), "begin_decay(%s): %.17g after decay_steps, want to*peak = %.17g",
          shapes[si], v[1], peak * 0.1);
    ev_advance(rt, 100);
    shadow_end();
    pace_runtime_values(rt, v, 2);
    CHECK(close_rel(v[1], peak * 0.1, 1e-15, 0), "begin_decay(%s): does not hold %.17g after the decay (%.17g)",
          shapes[si], peak * 0.1, v[1]);
    pace_runtime_free(rt);
  }
  /* begin_decay during the warmup (value below peak), and to above the current value */
  {
    pace_runtime *rt = CREATE_OK(CFG_WSD);
    if (rt) {
      advance(rt, 40, 1.0);
      double v0[2], v[2];
      pace_runtime_values(rt, v0, 2);
      EXPECT_OK("begin_decay during warmup", pace_runtime_begin_decay(rt, NULL, 10, "cosine", 0.0));
      pace_runtime_values(rt, v, 2);
      CHECK(same_bits(v[1], v0[1]), "begin_decay during warmup changed the current value");
      shadow_begin(__LINE__, rt, "begin_decay to 0, saved at once");
      ev_advance(rt, 10);
      pace_runtime_values(rt, v, 2);
      CHECK(v[1] == 0, "begin_decay to 0: %.17g after decay_steps, want 0", v[1]);
      ev_advance(rt, 100);
      shadow_end();
      pace_runtime_free(rt);
    }
  }

  /* begin_decay after a rewarm: "to x the channel's peak" is the peak of the
   * schedule in force (the rewarm's), whether the rewarm came at step 0 or later;
   * a cooldown from 4e-4 to 0.5 x peak never rises */
  for (int at0 = 0; at0 <= 1; at0++) {
    pace_runtime *rt = CREATE_OK("{\"channels\":{\"lr\":{\"peak\":1e-3,\"phases\":[{\"shape\":\"constant\"}]}}}");
    if (!rt) continue;
    int64_t at = at0 ? 50 : 0;
    advance(rt, at, 1.0);
    EXPECT_OK("rewarm(peak 4e-4)", pace_runtime_rewarm(rt, NULL, "{\"peak\":4e-4,\"phases\":[{\"shape\":\"constant\"}]}"));
    advance(rt, 5, 1.0);
    EXPECT_OK("begin_decay after rewarm", pace_runtime_begin_decay(rt, NULL, 10, "linear", 0.5));
    double v = 0, prev = 4e-4;
    int rises = 0;
    for (int k = 0; k < 10; k++) {
      pace_runtime_step(rt, 1.0, &v, 1);
      rises += v > prev;
      prev = v;
    }
    CHECK(close_rel(v, 0.5 * 4e-4, 1e-15, 0), "rewarm (peak 4e-4) at step %lld, begin_decay(to 0.5) 5 steps later: "
          "%.17g after the decay, want 0.5 x the rewarmed peak = 2e-4 (0.5 x the config's peak 1e-3 would be 5e-4)",
          (long long)at, v);
    CHECK(rises == 0, "rewarm at step %lld, then begin_decay to 0.5: the cooldown rises %d times (4e-4 -> %.17g)",
          (long long)at, rises, v);
    pace_runtime_free(rt);
  }

  /* rewarm: plays the new spec from its step 0 at the current step */
  {
    const char *cfg = "{\"channels\":{\"lr\":" SPEC_LR2 ",\"weight_decay\":" SPEC_WD "},"
                      "\"groups\":[{\"name\":\"a\",\"scale\":{\"lr\":0.5}},{\"name\":\"b\"}]}";
    const char *spec2 = "{\"peak\":1e-3,\"phases\":[{\"shape\":\"linear\",\"steps\":50,\"from\":0,\"to\":1},"
                        "{\"shape\":\"cosine\",\"steps\":450,\"to\":0.1}]}";
    pace_runtime *rt = CREATE_OK(cfg);
    pace_schedule *s2 = PARSE_OK(spec2), *wd = PARSE_OK(SPEC_WD);
    if (rt && s2 && wd) {
      advance(rt, 150, 1.0);
      EXPECT_OK("rewarm(lr)", pace_runtime_rewarm(rt, NULL, spec2));
      CHECK(step_count(rt) == 150, "rewarm moved the step");
      int bad = 0;
      char first[200] = "";
      double v[4];
      for (int64_t t = 150; t < 800; t++) {
        if (t == 400) shadow_begin(__LINE__, rt, "rewarm, saved 250 steps later");
        if (t > 150) ev_step(rt, v, 4);
        else pace_runtime_values(rt, v, 4);
        double lr = at(s2, t - 150), w = at(wd, t);
        if (!same_bits(v[0], lr * 0.5) || !same_bits(v[2], lr) || !same_bits(v[1], w) || !same_bits(v[3], w)) {
          if (!bad) snprintf(first, sizeof first, "step %lld: lr %.17g (want %.17g), wd %.17g (want %.17g)",
                             (long long)t, v[2], lr, v[1], w);
          bad++;
        }
      }
      CHECK(bad == 0, "after rewarm at 150, %d values differ from spec(t - 150): %s", bad, first);
      shadow_end();
      /* a re-warm of another channel by name */
      EXPECT_OK("rewarm(weight_decay)", pace_runtime_rewarm(rt, "weight_decay", "{\"peak\":0.2,\"phases\":"
                "[{\"shape\":\"constant\"}]}"));
      pace_runtime_values(rt, v, 4);
      CHECK(v[1] == 0.2 && v[3] == 0.2, "rewarm(weight_decay): %.17g, want 0.2 at once", v[1]);
      shadow_begin(__LINE__, rt, "rewarm(weight_decay), saved at once");
      ev_advance(rt, 300);
      shadow_end();
    }
    pace_runtime_free(rt);
    pace_schedule_free(s2);
    pace_schedule_free(wd);
    /* rewarm at step 0 */
    rt = CREATE_OK(CFG_S0);
    pace_schedule *s = PARSE_OK(SPEC_LR2);
    if (rt && s) {
      EXPECT_OK("rewarm at step 0", pace_runtime_rewarm(rt, NULL, SPEC_LR2));
      double v;
      int bad = 0;
      pace_runtime_values(rt, &v, 1);
      bad += !same_bits(v, at(s, 0));
      for (int64_t t = 1; t < 300; t++) {
        pace_runtime_step(rt, 1.0, &v, 1);
        bad += !same_bits(v, at(s, t));
      }
      CHECK(bad == 0, "rewarm at step 0: %d values differ from the new spec", bad);
    }
    pace_runtime_free(rt);
    pace_schedule_free(s);
  }

  /* set_total_steps: keeps the current value, stretches the rest, ends at the new total */
  {
    const char *spec = "{\"preset\":\"cosine\",\"peak\":1e-3,\"warmup_steps\":100,\"total_steps\":1000}";
    char cfg[512];
    snprintf(cfg, sizeof cfg, "{\"channels\":{\"lr\":%s,\"weight_decay\":{\"peak\":0.1,\"phases\":"
             "[{\"shape\":\"constant\"}]}}}", spec);
    pace_schedule *s = PARSE_OK(spec);
    static const int64_t totals[] = {2000, 500, 301, 1000, 7777};
    for (size_t ti = 0; s && ti < sizeof totals / sizeof totals[0]; ti++) {
      int64_t T = totals[ti];
      pace_runtime *rt = CREATE_OK(cfg);
      if (!rt) continue;
      advance(rt, 300, 1.0);
      double before[2], v[2];
      pace_runtime_values(rt, before, 2);
      pace_status st = pace_runtime_set_total_steps(rt, T);
      CHECK(st == PACE_OK, "set_total_steps(%lld) at 300: %s (%s)", (long long)T, sname(st), last_error());
      pace_runtime_values(rt, v, 2);
      CHECK(same_bits(v[0], before[0]), "set_total_steps(%lld) changed the current value %.17g -> %.17g", (long long)T,
            before[0], v[0]);
      int bad = 0, wd_bad = 0;
      char first[200] = "";
      const double end_value = at(s, 1000); /* the schedule's end value (hold) */
      for (int64_t t = 301; t <= T + 50; t++) {
        if (t == 301 + (T - 300) / 2) shadow_begin(__LINE__, rt, "set_total_steps, saved half-way");
        ev_step(rt, v, 2);
        wd_bad += v[1] != 0.1;
        /* cosine from position 300 to 1000 stretched over [300, T] */
        double pos = 300.0 + (double)(t - 300) * (700.0 / (double)(T - 300));
        double want = t >= T ? end_value : 1e-3 * 0.5 * (1 + cos(M_PI * (pos - 100.0) / 900.0));
        int ok = t >= T ? same_bits(v[0], want) : close_rel(v[0], want, 1e-9, 1e-18);
        if (!ok) {
          if (!bad) snprintf(first, sizeof first, "step %lld: %.17g, want %.17g", (long long)t, v[0], want);
          bad++;
        }
        if (t == T - 1) CHECK(v[0] > end_value, "set_total_steps(%lld): already at the end value at step %lld",
                              (long long)T, (long long)t);
      }
      CHECK(bad == 0, "set_total_steps(%lld): %d values off the stretched curve (end value exactly at %lld): %s",
            (long long)T, bad, (long long)T, first);
      CHECK(wd_bad == 0, "set_total_steps(%lld) changed the open-ended weight_decay channel", (long long)T);
      shadow_end();
      pace_runtime_free(rt);
    }
    /* twice: 300 -> 2000, then at 1000 -> 1500 */
    pace_runtime *rt = s ? CREATE_OK(cfg) : NULL;
    if (rt) {
      advance(rt, 300, 1.0);
      pace_runtime_set_total_steps(rt, 2000);
      advance(rt, 700, 1.0);
      double b[2], v[2];
      pace_runtime_values(rt, b, 2);
      EXPECT_OK("set_total_steps twice", pace_runtime_set_total_steps(rt, 1500));
      pace_runtime_values(rt, v, 2);
      CHECK(same_bits(v[0], b[0]), "second set_total_steps changed the current value");
      shadow_begin(__LINE__, rt, "set_total_steps twice, saved at once");
      ev_advance(rt, 500);
      pace_runtime_values(rt, v, 2);
      CHECK(same_bits(v[0], at(s, 1000)), "set_total_steps twice: %.17g at 1500, want the end value %.17g", v[0],
            at(s, 1000));
      shadow_end();
      pace_runtime_free(rt);
    }
    /* only open-ended channels: nothing to stretch; whatever the status, values unchanged */
    rt = CREATE_OK(CFG_WSD);
    pace_runtime *twin = CREATE_OK(CFG_WSD);
    if (rt && twin) {
      advance(rt, 10, 1.0);
      advance(twin, 10, 1.0);
      pace_status st = pace_runtime_set_total_steps(rt, 1000);
      note("set_total_steps on open-ended channels only: %s", st ? last_error() : "PACE_OK");
      int64_t diff = -1;
      CHECK(same_future(rt, twin, 2000, &diff), "set_total_steps on open-ended channels changed values (step +%lld)",
            (long long)diff);
    }
    pace_runtime_free(rt);
    pace_runtime_free(twin);
    pace_schedule_free(s);
  }
  group_end();
}


int main(int argc, char **argv) {
  (void)argc;
  if (runtime_test_begin("runtime_events_test", argv[0]) != 0) return 1;
  double t0 = now_s();
  test_events();
  return runtime_test_end(t0);
}
