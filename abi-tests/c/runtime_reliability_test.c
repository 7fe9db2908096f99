/*
 * runtime_reliability_test.c - issue 15 through the shipped libpace.so: no
 * input crashes the trainer (forged and hostile checkpoint files, huge
 * totals), refinement at real scale (3x10^6 refined steps,
 * set_total_steps(10^13), a 2^53-step channel: time-bounded re-plans,
 * bounded checkpoints, save -> load -> save byte-identical), norms spanning
 * beyond the double range.
 *
 * Prints one line per check group (failed checks above it), then
 * "N passed, M failed"; exits 1 when any check failed.
 *
 * Build: cc -std=c11 -Wall -Wextra -Werror -pthread abi-tests/c/runtime_reliability_test.c \
 *          $(pkg-config --cflags --libs pace) -lm        (abi-tests/c/run.sh)
 */
#define _XOPEN_SOURCE 700

#include "runtime_common.h"

/* ---- 9. issue 15: no input crashes the trainer; refinement at real scale ------ */

/* The size pace_runtime_save reports. */
static size_t state_size(const pace_runtime *rt) {
  size_t need = 0;
  pace_runtime_save(rt, NULL, 0, &need);
  return need;
}

/* save -> load -> save is byte-identical, and the loaded runtime is returned. */
static pace_runtime *reload_identical(pace_runtime *rt, const char *what) {
  size_t n = state_size(rt), m = 0;
  unsigned char *a = malloc(n), *b = malloc(n);
  pace_runtime *back = NULL;
  if (a && b && pace_runtime_save(rt, a, n, &n) == PACE_OK) {
    pace_status st = pace_runtime_load(a, n, &back);
    CHECK(st == PACE_OK, "%s: a checkpoint the library wrote does not load: %s", what, last_error());
    if (back) {
      m = state_size(back);
      CHECK(m == n && pace_runtime_save(back, b, m, &m) == PACE_OK && memcmp(a, b, n) == 0,
            "%s: save -> load -> save differs", what);
    }
  }
  free(a);
  free(b);
  return back;
}

static void test_reliability(void) {
  group_begin("reliability (issue 15)");
  pace_runtime *out = (pace_runtime *)(uintptr_t)0x1;
  /* load_file checks the header first and bounds the read */
  double t0 = now_s();
  EXPECT_FAIL("load_file(/dev/zero)", pace_runtime_load_file("/dev/zero", &out), PACE_E_STATE);
  CHECK(out == NULL, "load_file(/dev/zero): out not NULL");
  char path[600];
  snprintf(path, sizeof path, "%s/lying_header.state", g_tmpdir);
  FILE *f = fopen(path, "wb");
  if (f) {
    unsigned char header[120] = {'P', 'A', 'C', 'E', 0, 'R', 'T', 0, 2, 0, 0, 0};
    header[12 + 5] = 1; /* payload length 2^40 */
    fwrite(header, 1, sizeof header, f);
    fclose(f);
    EXPECT_FAIL("load_file(declares 2^40 bytes, holds 120)", pace_runtime_load_file(path, &out), PACE_E_STATE);
    unlink(path);
  }
  CHECK(now_s() - t0 < 5, "the header checks took %.1f s", now_s() - t0);

  /* a refined channel ending at or beyond 2^63 steps */
  pace_runtime *rt = NULL;
  EXPECT_FAIL("create(refined channel of 1e300 steps)",
              pace_runtime_create("{\"channels\":{\"lr\":{\"phases\":[{\"shape\":\"linear\",\"steps\":1e300,\"to\":0}]}},"
                                  "\"refine\":{\"every\":10}}", &rt),
              PACE_E_SPEC);
  rt = CREATE_OK("{\"channels\":{\"lr\":{\"preset\":\"linear\",\"total_steps\":1000}},\"refine\":{\"every\":10}}");
  double v = 0;
  if (rt) {
    for (int i = 0; i < 30; i++) pace_runtime_step(rt, 1.0 + i % 3, &v, 1);
    EXPECT_OK("rewarm(1e300 steps)",
              pace_runtime_rewarm(rt, NULL, "{\"phases\":[{\"shape\":\"linear\",\"steps\":1e300,\"from\":1,\"to\":0}]}"));
    int bad = 0;
    for (int i = 0; i < 30; i++) bad += pace_runtime_step(rt, 1.0, &v, 1) != PACE_OK;
    CHECK(bad == 0 && isfinite(v), "steps after a 1e300-step rewarm: %d failed, value %g", bad, v);
    pace_runtime *back = reload_identical(rt, "after a 1e300-step rewarm");
    if (back) {
      for (int i = 0; i < 30; i++) bad += pace_runtime_step(back, 1.0, &v, 1) != PACE_OK;
      CHECK(bad == 0, "the reloaded runtime's steps failed %d times", bad);
      pace_runtime_free(back);
    }
    pace_runtime_free(rt);
  }

  /* set_total_steps(1e13) and a 2^53-step refined channel: re-plans cost nothing like the remaining run */
  const char *huge[2] = {"{\"channels\":{\"lr\":{\"preset\":\"cosine\",\"warmup_steps\":10,\"total_steps\":10000}},"
                         "\"refine\":{\"every\":100,\"min_history\":100}}",
                         "{\"channels\":{\"lr\":{\"preset\":\"cosine\",\"warmup_steps\":10,\"total_steps\":9007199254740992}},"
                         "\"refine\":{\"every\":100,\"min_history\":100}}"};
  for (int k = 0; k < 2; k++) {
    rt = CREATE_OK(huge[k]);
    if (!rt) continue;
    t0 = now_s();
    for (int i = 0; i < 150; i++) pace_runtime_step(rt, scenario_norm(i), &v, 1);
    if (k == 0) EXPECT_OK("set_total_steps(1e13)", pace_runtime_set_total_steps(rt, 10000000000000LL));
    int bad = 0;
    for (int i = 150; i < 1000; i++) bad += pace_runtime_step(rt, scenario_norm(i), &v, 1) != PACE_OK || !(v >= 0);
    CHECK(bad == 0, "%s: %d bad steps", k ? "2^53 steps" : "set_total_steps(1e13)", bad);
    size_t size = state_size(rt);
    CHECK(size < 300000, "%s: the checkpoint is %zu bytes", k ? "2^53 steps" : "set_total_steps(1e13)", size);
    CHECK(now_s() - t0 < 10, "1000 steps with 9 re-plans took %.1f s", now_s() - t0);
    pace_runtime *back = reload_identical(rt, k ? "2^53 steps" : "set_total_steps(1e13)");
    pace_runtime_free(back);
    pace_runtime_free(rt);
  }

  /* a 3*10^6-step refined run: the norm history is decimated, the checkpoint stays bounded */
  rt = CREATE_OK("{\"channels\":{\"lr\":{\"preset\":\"cosine\",\"warmup_steps\":1000,\"total_steps\":4000000}},"
                 "\"refine\":{\"every\":200000,\"min_history\":10000}}");
  if (rt) {
    t0 = now_s();
    for (int64_t i = 0; i < 3000000; i++) pace_runtime_step(rt, scenario_norm(i), &v, 1);
    double dt = now_s() - t0;
    size_t size = state_size(rt);
    CHECK(size < 1000000, "3*10^6 refined steps: the checkpoint is %zu bytes", size);
    note("3*10^6 refined steps (14 re-plans) in %.2f s; checkpoint %zu bytes", dt, size);
    pace_runtime *back = reload_identical(rt, "3*10^6 refined steps");
    if (back) {
      double a = 0, b = 0;
      int differ = 0;
      for (int64_t i = 3000000; i < 3300000; i++) {
        pace_runtime_step(rt, scenario_norm(i), &a, 1);
        pace_runtime_step(back, scenario_norm(i), &b, 1);
        differ += memcmp(&a, &b, sizeof a) != 0;
      }
      CHECK(differ == 0, "the resumed run differs at %d of 300000 steps", differ);
      pace_runtime_free(back);
    }
    pace_runtime_free(rt);
  }

  /* an open-ended block whose default from overflows beyond the probed steps */
  pace_schedule *s = NULL;
  EXPECT_FAIL("parse(template from overflows to inf)",
              pace_schedule_parse("{\"phases\":[{\"repeat\":[{\"shape\":\"exponential\",\"steps\":2000,\"gamma\":1.5},"
                                  "{\"shape\":\"linear\",\"steps\":10,\"to\":1}],\"cycles\":null}]}", &s),
              PACE_E_SPEC);

  /* refinement of tiny norms: max 1, last 0, every value finite */
  double norms[4] = {1, 1e-200, 1e-200, 1}, m[4];
  pace_refine_options o = {sizeof o, PACE_NORM_L2, 0};
  EXPECT_OK("refine({1, 1e-200, 1e-200, 1})", pace_refine(norms, 4, &o, m));
  double mx = 0;
  int finite = 1;
  for (int i = 0; i < 4; i++) {
    finite &= isfinite(m[i]) && m[i] >= 0;
    if (m[i] > mx) mx = m[i];
  }
  CHECK(finite && mx == 1 && m[3] == 0, "refine of tiny norms: %g %g %g %g", m[0], m[1], m[2], m[3]);
  group_end();
}


int main(int argc, char **argv) {
  (void)argc;
  if (runtime_test_begin("runtime_reliability_test", argv[0]) != 0) return 1;
  double t0 = now_s();
  test_reliability();
  return runtime_test_end(t0);
}
