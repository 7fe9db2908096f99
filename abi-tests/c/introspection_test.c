/*
 * introspection_test.c - runtime introspection through the shipped
 * libpace.so (include/pace.h, "Introspection"; docs/runtime.md):
 *   - pace_runtime_event_count / pace_runtime_events_json after each event
 *     (set_total_steps, begin_decay, rewarm), refused events not logged;
 *   - pace_runtime_cooldown_started per channel, ended by a rewarm;
 *   - pace_runtime_played_values bit-identical to every value
 *     pace_runtime_step returned (at an event's step: pace_runtime_values
 *     after it), before and after save/load; events survive save/load and
 *     save -> load -> save is byte-identical;
 *   - pace_runtime_played_spec: compiled with pace_schedule_parse, every
 *     value (pace_schedule_at and pace_schedule_fill_f64) equals the one
 *     stepped, bit for bit, for both channels; equal text after save/load,
 *     and still exact after more steps and a cooldown of the loaded runtime;
 *     a channel refined online: exact after its first re-plan, refused
 *     (PACE_E_ARGUMENT) after a second;
 *   - NULL handles and outputs, unknown channels, ranges past the current
 *     step, small buffers: a status and a message, never a crash.
 *
 * Prints one line per check group, then "N passed, M failed"; exits 1 when
 * any check failed.
 * Build: cc -std=c11 -Wall -Wextra -Werror abi-tests/c/introspection_test.c \
 *          $(pkg-config --cflags --libs pace) -lm        (abi-tests/c/run.sh)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define STEPS 800

static const char *k_config =
    "{\"channels\": {\"lr\": {\"preset\": \"wsd\", \"peak\": 0.001, \"warmup_steps\": 50, \"total_steps\": 2000,"
    " \"decay_steps\": 400},"
    " \"momentum\": {\"peak\": 0.95, \"phases\": [{\"shape\": \"cosine\", \"steps\": 600, \"to\": 0.85}]}},"
    " \"groups\": [{\"name\": \"embed\", \"scale\": {\"lr\": 0.5}}, {\"name\": \"rest\"}]}";
static const char *k_rewarm =
    "{\"peak\": 0.0005, \"phases\": [{\"shape\": \"linear\", \"steps\": 40, \"from\": 0.1, \"to\": 1},"
    " {\"shape\": \"cosine\", \"steps\": 200, \"to\": 0}]}";

/* The "rest" group's lr and momentum of every step (index = step). */
static double g_lr[STEPS + 1], g_momentum[STEPS + 1];

static void record(pace_runtime *rt, int64_t t, int step) {
  double v[4];
  pace_status st = step ? pace_runtime_step(rt, 1.0, v, 4) : pace_runtime_values(rt, v, 4);
  CHECK(st == PACE_OK, "step %lld: %s", (long long)t, last_error());
  g_lr[t] = v[2];
  g_momentum[t] = v[3];
}

static void run_to(pace_runtime *rt, int64_t *t, int64_t to) {
  while (*t < to) record(rt, ++*t, 1);
}

static char *events_json(const pace_runtime *rt) {
  size_t needed = 0;
  if (pace_runtime_events_json(rt, NULL, 0, &needed) != PACE_E_BUFFER_TOO_SMALL) return NULL;
  char *buf = malloc(needed);
  if (buf && pace_runtime_events_json(rt, buf, needed, &needed) != PACE_OK) {
    free(buf);
    return NULL;
  }
  return buf;
}

static int64_t event_count(const pace_runtime *rt) {
  int64_t n = -1;
  CHECK(pace_runtime_event_count(rt, &n) == PACE_OK, "event_count: %s", last_error());
  return n;
}

static int cooldown(const pace_runtime *rt, const char *channel) {
  int out = -1;
  CHECK(pace_runtime_cooldown_started(rt, channel, &out) == PACE_OK, "cooldown_started: %s", last_error());
  return out;
}

/* Number of steps in [0, n) whose played value differs (bits) from want. */
static int played_mismatches(const pace_runtime *rt, const char *channel, const double *want, int64_t n) {
  double *got = malloc((size_t)n * sizeof *got);
  if (!got) return -1;
  pace_status st = pace_runtime_played_values(rt, channel, 0, (size_t)n, got);
  CHECK(st == PACE_OK, "played_values(%s): %s", channel ? channel : "NULL", last_error());
  int bad = 0;
  for (int64_t i = 0; i < n; i++) bad += memcmp(&got[i], &want[i], sizeof(double)) != 0;
  free(got);
  return bad;
}

static pace_runtime *eventful_run(void) {
  pace_runtime *rt = NULL;
  if (pace_runtime_create(k_config, &rt) != PACE_OK) return NULL;
  int64_t t = 0;
  record(rt, 0, 0);
  run_to(rt, &t, 300);
  EXPECT_OK("set_total_steps", pace_runtime_set_total_steps(rt, 1500));
  record(rt, t, 0);
  run_to(rt, &t, 500);
  EXPECT_OK("begin_decay", pace_runtime_begin_decay(rt, NULL, 120, "sqrt", 0.1));
  record(rt, t, 0);
  run_to(rt, &t, 650);
  EXPECT_OK("rewarm", pace_runtime_rewarm(rt, "lr", k_rewarm));
  record(rt, t, 0);
  run_to(rt, &t, 750);
  EXPECT_OK("begin_decay momentum", pace_runtime_begin_decay(rt, "momentum", 10, "linear", 0.5));
  record(rt, t, 0);
  run_to(rt, &t, STEPS);
  return rt;
}

static void test_events(void) {
  group_begin("events");
  pace_runtime *rt = eventful_run();
  CHECK(rt != NULL, "eventful run failed");
  if (!rt) {
    group_end();
    return;
  }
  CHECK(event_count(rt) == 4, "event count %lld, want 4", (long long)event_count(rt));
  char *json = events_json(rt);
  CHECK(json != NULL, "events_json failed: %s", last_error());
  if (json) {
    const char *a = strstr(json, "\"kind\":\"set_total_steps\",\"step\":300,\"channel\":null,\"total_steps\":1500");
    const char *b = strstr(json, "\"kind\":\"begin_decay\",\"step\":500,\"channel\":\"lr\",\"decay_steps\":120,"
                                 "\"shape\":\"sqrt\",\"to\":0.1");
    const char *c = strstr(json, "\"kind\":\"rewarm\",\"step\":650,\"channel\":\"lr\"");
    const char *d = strstr(json, "\"kind\":\"begin_decay\",\"step\":750,\"channel\":\"momentum\"");
    CHECK(a && b && c && d && a < b && b < c && c < d, "events JSON in order with parameters: %s", json);
    free(json);
  }
  /* refused events are not logged */
  EXPECT_FAIL("begin_decay 0 steps", pace_runtime_begin_decay(rt, NULL, 0, "sqrt", 0), PACE_E_ARGUMENT);
  EXPECT_FAIL("set_total_steps in the past", pace_runtime_set_total_steps(rt, 10), PACE_E_ARGUMENT);
  CHECK(event_count(rt) == 4, "refused events were logged: %lld", (long long)event_count(rt));
  /* small buffer */
  char small[8];
  size_t needed = 0;
  CHECK(pace_runtime_events_json(rt, small, sizeof small, &needed) == PACE_E_BUFFER_TOO_SMALL && needed > 8,
        "small buffer: needed %zu", needed);
  pace_runtime_free(rt);
  group_end();
}

static void test_cooldown(void) {
  group_begin("cooldown_started");
  pace_runtime *rt = NULL;
  EXPECT_OK("create", pace_runtime_create(k_config, &rt));
  CHECK(cooldown(rt, NULL) == 0 && cooldown(rt, "momentum") == 0, "no cooldown at step 0");
  EXPECT_OK("begin_decay", pace_runtime_begin_decay(rt, "lr", 50, "linear", 0.0));
  CHECK(cooldown(rt, NULL) == 1 && cooldown(rt, "lr") == 1, "cooldown of lr begun");
  CHECK(cooldown(rt, "momentum") == 0, "momentum not in cooldown");
  EXPECT_OK("rewarm", pace_runtime_rewarm(rt, NULL, "{\"preset\": \"constant\"}"));
  CHECK(cooldown(rt, NULL) == 0, "a rewarm ends the cooldown");
  int out = 0;
  EXPECT_FAIL("unknown channel", pace_runtime_cooldown_started(rt, "nope", &out), PACE_E_ARGUMENT);
  EXPECT_FAIL("NULL out", pace_runtime_cooldown_started(rt, NULL, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("NULL runtime", pace_runtime_cooldown_started(NULL, NULL, &out), PACE_E_ARGUMENT);
  pace_runtime_free(rt);
  group_end();
}

static void test_played_and_save(void) {
  group_begin("played values, save/load");
  pace_runtime *rt = eventful_run();
  if (!rt) {
    CHECK(0, "eventful run failed");
    group_end();
    return;
  }
  CHECK(played_mismatches(rt, NULL, g_lr, STEPS + 1) == 0, "lr: played values differ from the stepped ones");
  CHECK(played_mismatches(rt, "momentum", g_momentum, STEPS + 1) == 0, "momentum: played values differ");
  double part[10];
  EXPECT_OK("a sub-range", pace_runtime_played_values(rt, "lr", 495, 10, part));
  CHECK(memcmp(part, g_lr + 495, sizeof part) == 0, "sub-range 495..504 differs");
  EXPECT_FAIL("past the current step", pace_runtime_played_values(rt, NULL, STEPS, 2, part), PACE_E_ARGUMENT);
  EXPECT_FAIL("negative first step", pace_runtime_played_values(rt, NULL, -1, 1, part), PACE_E_ARGUMENT);
  EXPECT_FAIL("NULL out", pace_runtime_played_values(rt, NULL, 0, 1, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("huge count", pace_runtime_played_values(rt, NULL, 0, SIZE_MAX, part), PACE_E_ARGUMENT);
  EXPECT_FAIL("unknown channel", pace_runtime_played_values(rt, "nope", 0, 1, part), PACE_E_ARGUMENT);
  EXPECT_OK("zero count, NULL out", pace_runtime_played_values(rt, NULL, 0, 0, NULL));

  size_t n = 0;
  pace_runtime_save(rt, NULL, 0, &n);
  unsigned char *blob = malloc(n), *again = malloc(n);
  size_t n2 = n;
  pace_runtime *loaded = NULL;
  if (blob && again) {
    EXPECT_OK("save", pace_runtime_save(rt, blob, n, &n));
    EXPECT_OK("load", pace_runtime_load(blob, n, &loaded));
  }
  if (loaded) {
    EXPECT_OK("save again", pace_runtime_save(loaded, again, n2, &n2));
    CHECK(n2 == n && memcmp(blob, again, n) == 0, "save -> load -> save is not byte-identical");
    CHECK(event_count(loaded) == 4, "events lost by save/load");
    char *a = events_json(rt), *b = events_json(loaded);
    CHECK(a && b && strcmp(a, b) == 0, "events JSON differs after load");
    free(a);
    free(b);
    CHECK(cooldown(loaded, "momentum") == 1, "cooldown state lost by save/load");
    CHECK(played_mismatches(loaded, NULL, g_lr, STEPS + 1) == 0, "played values differ after load");
    pace_runtime_free(loaded);
  }
  free(blob);
  free(again);
  int64_t count = 0;
  EXPECT_FAIL("event_count NULL runtime", pace_runtime_event_count(NULL, &count), PACE_E_ARGUMENT);
  EXPECT_FAIL("event_count NULL out", pace_runtime_event_count(rt, NULL), PACE_E_ARGUMENT);
  pace_runtime_free(rt);
  group_end();
}

static char *played_spec(const pace_runtime *rt, const char *channel) {
  size_t needed = 0;
  if (pace_runtime_played_spec(rt, channel, NULL, 0, &needed) != PACE_E_BUFFER_TOO_SMALL) return NULL;
  char *buf = malloc(needed);
  if (buf && pace_runtime_played_spec(rt, channel, buf, needed, &needed) != PACE_OK) {
    free(buf);
    return NULL;
  }
  return buf;
}

/* Steps of the played spec of `channel` (0 ..< n) that differ from `want`,
 * by pace_schedule_at and by pace_schedule_fill_f64. */
static int spec_mismatches(const pace_runtime *rt, const char *channel, const double *want, int64_t n) {
  char *text = played_spec(rt, channel);
  CHECK(text != NULL, "played_spec(%s): %s", channel ? channel : "NULL", last_error());
  if (!text) return -1;
  pace_schedule *s = NULL;
  pace_status st = pace_schedule_parse(text, &s);
  CHECK(st == PACE_OK, "the played spec does not parse: %s", last_error());
  free(text);
  if (st != PACE_OK) return -1;
  double *filled = malloc((size_t)n * sizeof *filled);
  int bad = filled ? 0 : -1;
  if (filled) {
    EXPECT_OK("fill the played spec", pace_schedule_fill_f64(s, 0, n, filled));
    for (int64_t i = 0; i < n; i++) {
      double v = 0;
      pace_schedule_at(s, i, &v);
      bad += memcmp(&v, &want[i], sizeof v) != 0 || memcmp(&filled[i], &want[i], sizeof v) != 0;
    }
  }
  free(filled);
  pace_schedule_free(s);
  return bad;
}

static void test_played_spec(void) {
  group_begin("played spec");
  pace_runtime *rt = eventful_run();
  if (!rt) {
    CHECK(0, "eventful run failed");
    group_end();
    return;
  }
  CHECK(spec_mismatches(rt, NULL, g_lr, STEPS + 1) == 0, "lr: the played spec differs from the stepped values");
  CHECK(spec_mismatches(rt, "momentum", g_momentum, STEPS + 1) == 0, "momentum: the played spec differs");
  char *text = played_spec(rt, "lr");
  CHECK(text && strstr(text, "\"segment\"") && strstr(text, "\"origin\""), "segments in %s", text ? text : "NULL");
  char small[16];
  size_t needed = 0;
  EXPECT_FAIL("small buffer", pace_runtime_played_spec(rt, NULL, small, sizeof small, &needed), PACE_E_BUFFER_TOO_SMALL);
  CHECK(text && needed == strlen(text) + 1, "needed %zu for a text of %zu", needed, text ? strlen(text) : 0);
  EXPECT_FAIL("unknown channel", pace_runtime_played_spec(rt, "nope", NULL, 0, &needed), PACE_E_ARGUMENT);
  EXPECT_FAIL("NULL runtime", pace_runtime_played_spec(NULL, NULL, NULL, 0, &needed), PACE_E_ARGUMENT);

  /* Save, load, resume with another event: the spec stays exact. */
  size_t n = 0;
  pace_runtime_save(rt, NULL, 0, &n);
  unsigned char *blob = malloc(n);
  pace_runtime *loaded = NULL;
  if (blob && pace_runtime_save(rt, blob, n, &n) == PACE_OK) EXPECT_OK("load", pace_runtime_load(blob, n, &loaded));
  free(blob);
  if (loaded) {
    char *again = played_spec(loaded, "lr");
    CHECK(text && again && strcmp(text, again) == 0, "the played spec changed across save/load");
    free(again);
    static double lr[STEPS + 201], momentum[STEPS + 201];
    memcpy(lr, g_lr, sizeof g_lr);
    memcpy(momentum, g_momentum, sizeof g_momentum);
    double v[4];
    for (int64_t t = STEPS + 1; t <= STEPS + 200; t++) {
      if (t == STEPS + 80) {
        EXPECT_OK("begin_decay after load", pace_runtime_begin_decay(loaded, "lr", 50, "cosine", 0));
        pace_runtime_values(loaded, v, 4);
        lr[t - 1] = v[2];
      }
      pace_runtime_step(loaded, 1.0, v, 4);
      lr[t] = v[2];
      momentum[t] = v[3];
    }
    CHECK(spec_mismatches(loaded, "lr", lr, STEPS + 201) == 0, "lr after load and a cooldown: the spec differs");
    CHECK(spec_mismatches(loaded, "momentum", momentum, STEPS + 201) == 0, "momentum after load: the spec differs");
    pace_runtime_free(loaded);
  }
  free(text);
  pace_runtime_free(rt);

  /* A refined channel: exact while the re-plan in force is the first. */
  pace_runtime *refined = NULL;
  const char *config =
      "{\"channels\": {\"lr\": {\"preset\": \"cosine\", \"peak\": 0.001, \"warmup_steps\": 10, \"total_steps\": 3000}},"
      " \"refine\": {\"every\": 200, \"min_history\": 300}}";
  EXPECT_OK("refined runtime", pace_runtime_create(config, &refined));
  if (refined) {
    static double lr[601];
    double v[1];
    pace_runtime_values(refined, v, 1);
    lr[0] = v[0];
    for (int t = 1; t <= 450; t++) {
      pace_runtime_step(refined, 1.0 + (t % 13) / 50.0, v, 1);
      lr[t] = v[0];
    }
    CHECK(spec_mismatches(refined, NULL, lr, 451) == 0, "refined lr after one re-plan: the spec differs");
    for (int t = 451; t <= 600; t++) pace_runtime_step(refined, 1.0 + (t % 13) / 50.0, v, 1);
    EXPECT_FAIL("after a second re-plan", pace_runtime_played_spec(refined, NULL, NULL, 0, &needed), PACE_E_ARGUMENT);
    pace_runtime_free(refined);
  }
  group_end();
}

int main(void) {
  if (pace_schedule_parse("{\"preset\": \"constant\"}", &g_marker_schedule) != PACE_OK) return 2;
  test_events();
  test_cooldown();
  test_played_and_save();
  test_played_spec();
  pace_schedule_free(g_marker_schedule);
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed ? 1 : 0;
}
