/*
 * abi_test.c - exercises every function of include/pace.h through the
 * shipped libpace.so, as a C trainer would:
 *   - versions, pace_build_info (the ISA it names; PACE_EXPECT_ISA), status
 *     names (every status, out-of-range values);
 *   - NULL handles and outputs, negative steps and counts, start + count
 *     overflowing int64, count 0 with a NULL out;
 *   - the (buf, cap, *needed) pattern of pace_schedule_to_json;
 *   - ~95 rejected specs: PACE_E_SPEC, *out reset to NULL, a fresh non-empty
 *     message that names the JSON path;
 *   - at / fill_f64 / fill_f32 bit identity, to_json round trips,
 *     total_steps, closed-form values, presets against the formulas of the
 *     libraries they reproduce (HF, PyTorch, optax, llm.c);
 *   - extreme but well-formed specs, each in a forked child so that a crash
 *     inside the library is reported as a failed check;
 *   - pace_last_error per thread, one schedule shared by several threads.
 *
 * Prints one line per check group (failed checks above it), then
 * "N passed, M failed"; exits 1 when any check failed.
 *
 * Build: cc -std=c11 -Wall -Wextra -Werror -pthread abi-tests/c/abi_test.c \
 *          $(pkg-config --cflags --libs pace) -lm        (abi-tests/c/run.sh)
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

/* Parses a spec that must be valid; NULL (and a failed check) otherwise. */
static pace_schedule *parse_ok_at(int line, const char *spec) {
  pace_schedule *s = NULL;
  pace_status st = pace_schedule_parse(spec, &s);
  check_impl(st == PACE_OK && s != NULL, line, "parse of valid spec %s: status %s (message \"%s\")", spec,
             sname(st), last_error());
  if (st != PACE_OK) {
    pace_schedule_free(s);
    return NULL;
  }
  return s;
}
#define PARSE_OK(spec) parse_ok_at(__LINE__, spec)

static int same_bits_f64(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }


/* ---- 1. versions ------------------------------------------------------- */

static void test_versions(void) {
  group_begin("versions");
  uint32_t n = pace_version_number();
  CHECK(n == (uint32_t)PACE_VERSION_NUMBER, "pace_version_number() = %u, header says %u", n,
        (unsigned)PACE_VERSION_NUMBER);
  CHECK(PACE_VERSION_NUMBER ==
            PACE_VERSION_MAJOR * 10000 + PACE_VERSION_MINOR * 100 + PACE_VERSION_PATCH,
        "PACE_VERSION_NUMBER formula");
  const char *v = pace_version_string();
  char want[64];
  snprintf(want, sizeof want, "%d.%d.%d", PACE_VERSION_MAJOR, PACE_VERSION_MINOR, PACE_VERSION_PATCH);
  CHECK(v != NULL, "pace_version_string() is NULL");
  CHECK(v != NULL && strcmp(v, want) == 0, "pace_version_string() = \"%s\", want \"%s\"", v ? v : "(NULL)",
        want);
  CHECK(v == pace_version_string(), "pace_version_string() is not static storage (pointer changed)");

  /* pace_build_info: "pace VERSION; isa=ISA; ..."; PACE_EXPECT_ISA (set by
     abi-tests/c/run.sh for each library it tests) names the ISA it must report. */
  const char *info = pace_build_info();
  CHECK(info != NULL, "pace_build_info() is NULL");
  if (info != NULL) {
    char head[96];
    snprintf(head, sizeof head, "pace %s; isa=", want);
    CHECK(strncmp(info, head, strlen(head)) == 0, "pace_build_info() = \"%s\" does not start with \"%s\"", info,
          head);
    const char *isa = strstr(info, "; isa=");
    char got_isa[32] = "";
    if (isa != NULL) sscanf(isa + 6, "%31[^;]", got_isa);
    CHECK(got_isa[0] != '\0', "pace_build_info() = \"%s\" names no ISA", info);
    CHECK(strstr(info, "; build=release") != NULL || strstr(info, "; build=debug") != NULL,
          "pace_build_info() = \"%s\" names no build configuration", info);
    const char *expect = getenv("PACE_EXPECT_ISA");
    if (expect != NULL && expect[0] != '\0') {
      CHECK(strcmp(got_isa, expect) == 0, "pace_build_info() isa=%s, PACE_EXPECT_ISA=%s", got_isa, expect);
    }
    CHECK(info == pace_build_info(), "pace_build_info() is not static storage (pointer changed)");
  }
  group_end();
}

/* ---- 2. status names --------------------------------------------------- */

static void test_status_names(void) {
  group_begin("status names");
  static const struct { pace_status s; const char *name; } names[] = {
      {PACE_OK, "PACE_OK"},
      {PACE_E_ARGUMENT, "PACE_E_ARGUMENT"},
      {PACE_E_SPEC, "PACE_E_SPEC"},
      {PACE_E_BUFFER_TOO_SMALL, "PACE_E_BUFFER_TOO_SMALL"},
      {PACE_E_STATE, "PACE_E_STATE"},
      {PACE_E_VERSION, "PACE_E_VERSION"},
      {PACE_E_NUMERIC, "PACE_E_NUMERIC"},
      {PACE_E_NO_MEMORY, "PACE_E_NO_MEMORY"},
      {PACE_E_UNSUPPORTED, "PACE_E_UNSUPPORTED"},
      {PACE_E_INTERNAL, "PACE_E_INTERNAL"},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    CHECK((int)names[i].s == (int)i, "%s has value %d, want %zu", names[i].name, (int)names[i].s, i);
    const char *got = pace_status_name(names[i].s);
    CHECK(got != NULL && strcmp(got, names[i].name) == 0, "pace_status_name(%d) = \"%s\", want \"%s\"",
          (int)names[i].s, got ? got : "(NULL)", names[i].name);
    CHECK(got == pace_status_name(names[i].s), "pace_status_name(%d) is not static", (int)names[i].s);
  }
  const int out_of_range[] = {10, 11, 42, 1000, -1, INT32_MAX};
  for (size_t i = 0; i < sizeof out_of_range / sizeof out_of_range[0]; i++) {
    const char *got = pace_status_name((pace_status)out_of_range[i]);
    CHECK(got != NULL && strcmp(got, "PACE_E_UNKNOWN") == 0, "pace_status_name(%d) = \"%s\", want PACE_E_UNKNOWN",
          out_of_range[i], got ? got : "(NULL)");
  }
  group_end();
}

/* ---- 3. NULL handles, NULL outputs, negative steps ---------------------- */

static void test_null_arguments(void) {
  group_begin("NULL and negative args");
  pace_schedule *s = PARSE_OK("{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":100,\"total_steps\":1000}");
  double d = 0;
  float f = 0;
  int64_t n = 0;
  size_t needed = 0;
  char buf[16];

  /* parse */
  EXPECT_FAIL("parse(NULL spec, &out)", pace_schedule_parse(NULL, &(pace_schedule *){NULL}), PACE_E_ARGUMENT);
  {
    pace_schedule *out = (pace_schedule *)(uintptr_t)0x1;  /* must be reset to NULL */
    set_marker();
    pace_status st = pace_schedule_parse(NULL, &out);
    expect_failure(__LINE__, "parse(NULL spec) sets *out", st, PACE_E_ARGUMENT);
    CHECK(out == NULL, "parse(NULL spec): *out not set to NULL on failure");
  }
  EXPECT_FAIL("parse(spec, NULL out)", pace_schedule_parse("{\"preset\":\"constant\"}", NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("parse(NULL, NULL)", pace_schedule_parse(NULL, NULL), PACE_E_ARGUMENT);

  /* free accepts NULL */
  pace_schedule_free(NULL);
  CHECK(1, "pace_schedule_free(NULL) returned");

  /* at */
  EXPECT_FAIL("at(NULL, 0, &d)", pace_schedule_at(NULL, 0, &d), PACE_E_ARGUMENT);
  EXPECT_FAIL("at(s, 0, NULL)", pace_schedule_at(s, 0, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("at(NULL, 0, NULL)", pace_schedule_at(NULL, 0, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("at(s, -1, &d)", pace_schedule_at(s, -1, &d), PACE_E_ARGUMENT);
  EXPECT_FAIL("at(s, INT64_MIN, &d)", pace_schedule_at(s, INT64_MIN, &d), PACE_E_ARGUMENT);
  EXPECT_OK("at(s, 0, &d)", pace_schedule_at(s, 0, &d));
  EXPECT_OK("at(s, INT64_MAX, &d)", pace_schedule_at(s, INT64_MAX, &d));
  CHECK(isfinite(d), "at(s, INT64_MAX) = %g, not finite", d);

  /* fills: NULL handle / out */
  EXPECT_FAIL("fill_f64(NULL, 0, 1, &d)", pace_schedule_fill_f64(NULL, 0, 1, &d), PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f32(NULL, 0, 1, &f)", pace_schedule_fill_f32(NULL, 0, 1, &f), PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f64(s, 0, 1, NULL)", pace_schedule_fill_f64(s, 0, 1, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f32(s, 0, 1, NULL)", pace_schedule_fill_f32(s, 0, 1, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f64(NULL, 0, 0, NULL)", pace_schedule_fill_f64(NULL, 0, 0, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f32(NULL, 0, 0, NULL)", pace_schedule_fill_f32(NULL, 0, 0, NULL), PACE_E_ARGUMENT);

  /* to_json */
  EXPECT_FAIL("to_json(NULL, buf, cap, &needed)", pace_schedule_to_json(NULL, buf, sizeof buf, &needed),
              PACE_E_ARGUMENT);
  EXPECT_FAIL("to_json(NULL, NULL, 0, NULL)", pace_schedule_to_json(NULL, NULL, 0, NULL), PACE_E_ARGUMENT);
  {
    /* buf NULL and needed NULL: the size cannot be reported; must not succeed. */
    set_marker();
    pace_status st = pace_schedule_to_json(s, NULL, 0, NULL);
    CHECK(st == PACE_E_BUFFER_TOO_SMALL || st == PACE_E_ARGUMENT,
          "to_json(s, NULL, 0, NULL): status %s, want PACE_E_BUFFER_TOO_SMALL or PACE_E_ARGUMENT", sname(st));
    CHECK(pace_last_error()[0] != '\0' && strstr(pace_last_error(), MARKER_TEXT) == NULL,
          "to_json(s, NULL, 0, NULL): message not set (\"%s\")", last_error());
  }

  /* total_steps */
  EXPECT_FAIL("total_steps(NULL, &n)", pace_schedule_total_steps(NULL, &n), PACE_E_ARGUMENT);
  EXPECT_FAIL("total_steps(s, NULL)", pace_schedule_total_steps(s, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("total_steps(NULL, NULL)", pace_schedule_total_steps(NULL, NULL), PACE_E_ARGUMENT);

  /* pace_last_error is never NULL */
  CHECK(pace_last_error() != NULL, "pace_last_error() returned NULL");
  pace_schedule_free(s);
  group_end();
}

/* ---- 4. fill arguments: counts, overflow, count 0 ------------------------ */

static void test_fill_arguments(void) {
  group_begin("fill counts and overflow");
  pace_schedule *s = PARSE_OK("{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":100,\"total_steps\":1000}");
  double d[16];
  float f[16];

  EXPECT_FAIL("fill_f64 count -1", pace_schedule_fill_f64(s, 0, -1, d), PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f32 count -1", pace_schedule_fill_f32(s, 0, -1, f), PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f64 count INT64_MIN", pace_schedule_fill_f64(s, 0, INT64_MIN, d), PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f32 count INT64_MIN", pace_schedule_fill_f32(s, 0, INT64_MIN, f), PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f64 start -1", pace_schedule_fill_f64(s, -1, 4, d), PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f32 start -1", pace_schedule_fill_f32(s, -1, 4, f), PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f64 start INT64_MIN", pace_schedule_fill_f64(s, INT64_MIN, 4, d), PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f64 start -1 count 0", pace_schedule_fill_f64(s, -1, 0, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f32 start -1 count 0", pace_schedule_fill_f32(s, -1, 0, NULL), PACE_E_ARGUMENT);

  /* start + count overflows int64 */
  EXPECT_FAIL("fill_f64 start INT64_MAX-5 count 10", pace_schedule_fill_f64(s, INT64_MAX - 5, 10, d),
              PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f32 start INT64_MAX-5 count 10", pace_schedule_fill_f32(s, INT64_MAX - 5, 10, f),
              PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f64 start INT64_MAX count INT64_MAX", pace_schedule_fill_f64(s, INT64_MAX, INT64_MAX, d),
              PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f64 start 1 count INT64_MAX", pace_schedule_fill_f64(s, 1, INT64_MAX, d), PACE_E_ARGUMENT);
  EXPECT_FAIL("fill_f64 start 1 count INT64_MAX NULL out", pace_schedule_fill_f64(s, 1, INT64_MAX, NULL),
              PACE_E_ARGUMENT);

  /* Exactly reaching INT64_MAX does not overflow: start+count == INT64_MAX. */
  {
    for (int i = 0; i < 16; i++) d[i] = -1.0;
    pace_status st = pace_schedule_fill_f64(s, INT64_MAX - 5, 5, d);
    CHECK(st == PACE_OK, "fill_f64 start INT64_MAX-5 count 5: status %s (\"%s\")", sname(st), last_error());
    int same = 1;
    for (int i = 0; i < 5 && st == PACE_OK; i++) {
      double a = 0;
      pace_schedule_at(s, INT64_MAX - 5 + i, &a);
      same &= same_bits_f64(a, d[i]);
    }
    CHECK(same, "fill_f64 near INT64_MAX differs from pace_schedule_at");
    CHECK(d[5] == -1.0, "fill_f64 count 5 wrote past out[4]");
  }

  /* count 0: out may be NULL; nothing is written */
  EXPECT_OK("fill_f64 count 0 out NULL", pace_schedule_fill_f64(s, 0, 0, NULL));
  EXPECT_OK("fill_f32 count 0 out NULL", pace_schedule_fill_f32(s, 0, 0, NULL));
  EXPECT_OK("fill_f64 count 0 at INT64_MAX", pace_schedule_fill_f64(s, INT64_MAX, 0, NULL));
  {
    d[0] = -2.0;
    f[0] = -2.0f;
    EXPECT_OK("fill_f64 count 0 out non-NULL", pace_schedule_fill_f64(s, 5, 0, d));
    EXPECT_OK("fill_f32 count 0 out non-NULL", pace_schedule_fill_f32(s, 5, 0, f));
    CHECK(d[0] == -2.0 && f[0] == -2.0f, "count 0 wrote to out");
  }

  /* count exactly fills the buffer, not beyond */
  {
    for (int i = 0; i < 16; i++) { d[i] = -3.0; f[i] = -3.0f; }
    EXPECT_OK("fill_f64 count 8", pace_schedule_fill_f64(s, 96, 8, d));
    EXPECT_OK("fill_f32 count 8", pace_schedule_fill_f32(s, 96, 8, f));
    int untouched = 1;
    for (int i = 8; i < 16; i++) untouched &= d[i] == -3.0 && f[i] == -3.0f;
    CHECK(untouched, "fill with count 8 wrote past out[7]");
  }
  pace_schedule_free(s);
  group_end();
}

/* ---- 5. to_json (buf, cap, *needed) --------------------------------------- */

static void test_to_json(void) {
  group_begin("to_json buffer pattern");
  pace_schedule *s = PARSE_OK("{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":100,\"total_steps\":1000}");
  if (!s) { group_end(); return; }
  size_t needed = 0;

  /* NULL buf: size reported */
  set_marker();
  pace_status st = pace_schedule_to_json(s, NULL, 0, &needed);
  expect_failure(__LINE__, "to_json(s, NULL, 0, &needed)", st, PACE_E_BUFFER_TOO_SMALL);
  CHECK(needed > 1, "to_json NULL buf: *needed = %zu, want > 1", needed);
  size_t needed2 = 0;
  st = pace_schedule_to_json(s, NULL, 1000000, &needed2);
  CHECK(st == PACE_E_BUFFER_TOO_SMALL && needed2 == needed,
        "to_json(NULL buf, large cap): status %s, needed %zu (want BUFFER_TOO_SMALL, %zu)", sname(st), needed2,
        needed);

  char *buf = malloc(needed + 64);
  if (!buf) { CHECK(0, "malloc"); pace_schedule_free(s); group_end(); return; }

  /* cap 0 with a real buffer: nothing written */
  memset(buf, 0x5A, needed + 64);
  size_t n3 = 0;
  set_marker();
  st = pace_schedule_to_json(s, buf, 0, &n3);
  expect_failure(__LINE__, "to_json cap 0", st, PACE_E_BUFFER_TOO_SMALL);
  CHECK(n3 == needed, "to_json cap 0: *needed = %zu, want %zu", n3, needed);
  CHECK((unsigned char)buf[0] == 0x5A, "to_json cap 0 wrote into the buffer");

  /* too small by one (no room for the NUL) */
  memset(buf, 0x5A, needed + 64);
  size_t n4 = 0;
  set_marker();
  st = pace_schedule_to_json(s, buf, needed - 1, &n4);
  expect_failure(__LINE__, "to_json cap needed-1", st, PACE_E_BUFFER_TOO_SMALL);
  CHECK(n4 == needed, "to_json cap needed-1: *needed = %zu, want %zu", n4, needed);
  {
    int beyond = 1;
    for (size_t i = needed - 1; i < needed + 64; i++) beyond &= (unsigned char)buf[i] == 0x5A;
    CHECK(beyond, "to_json cap needed-1 wrote at or beyond buf[cap]");
  }

  /* exact size */
  memset(buf, 0x5A, needed + 64);
  size_t n5 = 0;
  st = pace_schedule_to_json(s, buf, needed, &n5);
  CHECK(st == PACE_OK, "to_json exact cap: status %s (\"%s\")", sname(st), last_error());
  CHECK(n5 == needed, "to_json exact cap: *needed = %zu, want %zu", n5, needed);
  CHECK(st == PACE_OK && strlen(buf) == needed - 1, "to_json exact cap: strlen %zu, want %zu",
        st == PACE_OK ? strlen(buf) : 0, needed - 1);
  {
    int beyond = 1;
    for (size_t i = needed; i < needed + 64; i++) beyond &= (unsigned char)buf[i] == 0x5A;
    CHECK(beyond, "to_json exact cap wrote beyond buf[needed-1]");
  }

  /* larger buffer, needed NULL (size not wanted): same text */
  {
    char *big = malloc(needed + 100);
    if (big) {
      memset(big, 0x5A, needed + 100);
      st = pace_schedule_to_json(s, big, needed + 100, NULL);
      CHECK(st == PACE_OK || st == PACE_E_ARGUMENT, "to_json large cap, NULL needed: status %s", sname(st));
      if (st == PACE_OK) CHECK(strcmp(big, buf) == 0, "to_json text differs between calls");
      free(big);
    }
  }

  /* the text is the expanded spec: no preset left, phases written out */
  CHECK(strstr(buf, "\"phases\"") != NULL, "to_json output has no \"phases\": %s", buf);
  CHECK(strstr(buf, "\"preset\"") == NULL, "to_json output still has \"preset\": %s", buf);
  CHECK(strstr(buf, "\"version\"") != NULL, "to_json output lacks \"version\" (defaults written out): %s", buf);
  free(buf);
  pace_schedule_free(s);
  group_end();
}

/* ---- 6. rejected specs ---------------------------------------------------- */

struct bad_spec {
  const char *what;
  const char *json;
  /* JSON path the message must name; alternatives separated by '|'; NULL for
   * document-level syntax errors (no path exists) */
  const char *path;
};

static void run_bad_spec(int line, const struct bad_spec *b) {
  pace_schedule *out = (pace_schedule *)(uintptr_t)0x1;
  set_marker();
  pace_status st = pace_schedule_parse(b->json, &out);
  char what[160];
  snprintf(what, sizeof what, "spec [%s]", b->what);
  expect_failure(line, what, st, PACE_E_SPEC);
  check_impl(out == NULL, line, "%s: *out not set to NULL on failure", what);
  if (st == PACE_OK && out != NULL && out != (pace_schedule *)(uintptr_t)0x1) pace_schedule_free(out);
  if (b->path && st != PACE_OK) {
    check_impl(message_names_path(last_error(), b->path), line, "%s: message \"%s\" does not name \"%s\"", what,
               last_error(), b->path);
  }
}

#define LIN10 "{\"shape\":\"linear\",\"steps\":10,\"to\":0}"

static void test_bad_specs(void) {
  group_begin("rejected specs");
  static const struct bad_spec cases[] = {
      /* not one valid JSON object */
      {"empty text", "", NULL},
      {"not JSON", "hello", NULL},
      {"truncated object", "{\"preset\":\"constant\"", NULL},
      {"trailing text", "{\"preset\":\"constant\"} x", NULL},
      {"two documents", "{\"preset\":\"constant\"}{}", NULL},
      {"array at top level", "[1,2]", NULL},
      {"number at top level", "1", NULL},
      {"invalid UTF-8 byte 0xff", "{\"preset\":\"cos\xff" "ine\"}", NULL},
      {"overlong UTF-8", "{\"preset\":\"\xc0\xaf\"}", NULL},
      {"UTF-16 surrogate as UTF-8", "{\"preset\":\"\xed\xa0\x80\"}", NULL},
      {"lone surrogate escape", "{\"preset\":\"\\ud800\"}", NULL},
      {"leading zero", "{\"peak\":01,\"preset\":\"constant\"}", NULL},
      {"single quotes", "{'preset':'constant'}", NULL},
      {"duplicate key at top", "{\"peak\":1,\"peak\":2,\"preset\":\"constant\"}", "peak"},
      {"duplicate key in a phase",
       "{\"phases\":[{\"shape\":\"constant\",\"steps\":10,\"steps\":20}]}", "phases[0].steps"},
      /* nesting deeper than 64 is built at run time below */

      /* top level */
      {"version 2", "{\"version\":2,\"phases\":[" LIN10 "]}", "version"},
      {"version 0", "{\"version\":0,\"phases\":[" LIN10 "]}", "version"},
      {"version 1.5", "{\"version\":1.5,\"phases\":[" LIN10 "]}", "version"},
      {"version as string", "{\"version\":\"1\",\"phases\":[" LIN10 "]}", "version"},
      {"empty phases", "{\"phases\":[]}", "phases"},
      {"no phases, no preset", "{}", "phases"},
      {"phases not an array", "{\"phases\":{}}", "phases"},
      {"phase not an object", "{\"phases\":[1]}", "phases[0]"},
      {"unknown top-level field", "{\"phases\":[" LIN10 "],\"bogus\":1}", "bogus"},
      {"peak 0", "{\"peak\":0,\"phases\":[" LIN10 "]}", "peak"},
      {"peak negative", "{\"peak\":-1,\"phases\":[" LIN10 "]}", "peak"},
      {"peak wrong type", "{\"peak\":\"big\",\"phases\":[" LIN10 "]}", "peak"},
      {"peak non-finite 1e999", "{\"peak\":1e999,\"phases\":[" LIN10 "]}", "peak"},
      {"after unknown value", "{\"after\":\"loop\",\"phases\":[" LIN10 "]}", "after"},
      {"after wrong type", "{\"after\":0,\"phases\":[" LIN10 "]}", "after"},
      {"total_steps wrong type", "{\"total_steps\":\"100\",\"phases\":[" LIN10 "]}", "total_steps"},

      /* phases */
      {"unknown phase field", "{\"phases\":[{\"shape\":\"constant\",\"steps\":10,\"bogus\":1}]}", "phases[0].bogus"},
      {"unknown shape", "{\"phases\":[{\"shape\":\"zigzag\",\"steps\":10}]}", "phases[0].shape"},
      {"shape wrong type", "{\"phases\":[{\"shape\":3,\"steps\":10}]}", "phases[0].shape"},
      {"missing shape", "{\"phases\":[{\"steps\":10,\"to\":0}]}", "phases[0].shape|phases[0]"},
      {"'to' on constant", "{\"phases\":[{\"shape\":\"constant\",\"steps\":10,\"to\":0.5}]}", "phases[0].to"},
      {"'phi' on linear", "{\"phases\":[{\"shape\":\"linear\",\"steps\":10,\"to\":0,\"phi\":1}]}", "phases[0].phi"},
      {"'gamma' on cosine", "{\"phases\":[{\"shape\":\"cosine\",\"steps\":10,\"to\":0,\"gamma\":0.5}]}",
       "phases[0].gamma"},
      {"'endpoint' on constant", "{\"phases\":[{\"shape\":\"constant\",\"steps\":10,\"endpoint\":\"inclusive\"}]}",
       "phases[0].endpoint"},
      {"missing 'to' on linear", "{\"phases\":[{\"shape\":\"linear\",\"steps\":10}]}", "phases[0].to"},
      {"missing 'phi' on uba", "{\"phases\":[{\"shape\":\"uba\",\"steps\":10,\"to\":0}]}", "phases[0].phi"},
      {"missing 'gamma' on step", "{\"phases\":[{\"shape\":\"step\",\"steps\":10,\"step_size\":2}]}",
       "phases[0].gamma"},
      {"missing 'timescale' on inverse_sqrt", "{\"phases\":[{\"shape\":\"inverse_sqrt\",\"steps\":10}]}",
       "phases[0].timescale"},
      {"steps wrong type", "{\"phases\":[{\"shape\":\"linear\",\"steps\":\"10\",\"to\":0}]}", "phases[0].steps"},
      {"to wrong type", "{\"phases\":[{\"shape\":\"linear\",\"steps\":10,\"to\":null}]}", "phases[0].to"},
      {"mirror wrong type", "{\"phases\":[{\"shape\":\"linear\",\"steps\":10,\"from\":0,\"to\":1,\"mirror\":1}]}",
       "phases[0].mirror"},
      {"steps 0", "{\"phases\":[{\"shape\":\"linear\",\"steps\":0,\"to\":0}]}", "phases[0].steps"},
      {"steps -5", "{\"phases\":[{\"shape\":\"linear\",\"steps\":-5,\"to\":0}]}", "phases[0].steps"},
      {"steps 1e999", "{\"phases\":[{\"shape\":\"linear\",\"steps\":1e999,\"to\":0}]}", "phases[0].steps"},
      {"to -1e999", "{\"phases\":[{\"shape\":\"linear\",\"steps\":10,\"to\":-1e999}]}", "phases[0].to"},
      {"step_size beyond int64 (2^63)",
       "{\"phases\":[{\"shape\":\"step\",\"steps\":100,\"gamma\":0.5,\"step_size\":9223372036854775808}]}",
       "phases[0].step_size"},
      {"step_size 1e30", "{\"phases\":[{\"shape\":\"step\",\"steps\":100,\"gamma\":0.5,\"step_size\":1e30}]}",
       "phases[0].step_size"},
      {"step_size 0", "{\"phases\":[{\"shape\":\"step\",\"steps\":100,\"gamma\":0.5,\"step_size\":0}]}",
       "phases[0].step_size"},
      {"staircase beyond int64",
       "{\"phases\":[{\"shape\":\"exponential\",\"steps\":100,\"to\":0.1,\"staircase\":1e20}]}",
       "phases[0].staircase"},
      {"milestone beyond int64",
       "{\"phases\":[{\"shape\":\"step\",\"gamma\":0.5,\"milestones\":[10,9223372036854775808]}]}",
       "phases[0].milestones"},
      {"cycles beyond int64",
       "{\"phases\":[{\"repeat\":[" LIN10 "],\"cycles\":1e19}]}", "phases[0].cycles"},
      {"fractions sum above 1",
       "{\"total_steps\":100,\"phases\":[{\"shape\":\"constant\",\"fraction\":0.6},"
       "{\"shape\":\"linear\",\"fraction\":0.6,\"to\":0}]}",
       "phases"},
      {"fraction above 1", "{\"total_steps\":100,\"phases\":[{\"shape\":\"linear\",\"fraction\":1.5,\"to\":0}]}",
       "phases[0].fraction|phases"},
      {"steps and fraction together",
       "{\"total_steps\":100,\"phases\":[{\"shape\":\"linear\",\"steps\":10,\"fraction\":0.1,\"to\":0}]}",
       "phases[0].steps|phases[0].fraction"},
      {"fraction without total_steps", "{\"phases\":[{\"shape\":\"linear\",\"fraction\":0.5,\"to\":0}]}",
       "phases[0].fraction"},
      {"non-last phase without a length",
       "{\"total_steps\":100,\"phases\":[{\"shape\":\"constant\"}," LIN10 "]}", "phases[0]"},
      {"last bounded phase without length or total_steps", "{\"phases\":[{\"shape\":\"linear\",\"to\":0}]}",
       "phases[0]"},
      {"forever repeat block not last",
       "{\"phases\":[{\"repeat\":[" LIN10 "],\"cycles\":null},{\"shape\":\"constant\",\"steps\":10}]}",
       "phases[0]"},
      {"repeat template phase without a length",
       "{\"phases\":[{\"repeat\":[{\"shape\":\"constant\"}],\"cycles\":2}]}", "phases[0].repeat[0]"},
      {"nested repeat",
       "{\"phases\":[{\"repeat\":[{\"repeat\":[" LIN10 "],\"cycles\":2}],\"cycles\":2}]}", "phases[0].repeat[0]"},
      {"unknown decay_mode", "{\"phases\":[{\"repeat\":[" LIN10 "],\"cycles\":2,\"decay_mode\":\"both\"}]}",
       "phases[0].decay_mode"},
      {"unknown endpoint", "{\"phases\":[{\"shape\":\"linear\",\"steps\":10,\"to\":0,\"endpoint\":\"middle\"}]}",
       "phases[0].endpoint"},
      {"exponential with to and gamma",
       "{\"phases\":[{\"shape\":\"exponential\",\"steps\":10,\"to\":0.1,\"gamma\":0.9}]}",
       "phases[0].gamma|phases[0].to"},
      {"exponential to 0", "{\"phases\":[{\"shape\":\"exponential\",\"steps\":10,\"to\":0}]}", "phases[0].to"},
      {"exponential from 0", "{\"phases\":[{\"shape\":\"exponential\",\"steps\":10,\"from\":0,\"to\":0.5}]}",
       "phases[0].from"},
      {"offset == L", "{\"phases\":[{\"shape\":\"cosine\",\"steps\":10,\"to\":0,\"offset\":10}]}", "phases[0].offset"},
      {"offset negative", "{\"phases\":[{\"shape\":\"cosine\",\"steps\":10,\"to\":0,\"offset\":-1}]}",
       "phases[0].offset"},
      {"milestones not increasing",
       "{\"phases\":[{\"shape\":\"step\",\"gamma\":0.5,\"milestones\":[30,20]}]}", "phases[0].milestones"},
      {"milestones repeated",
       "{\"phases\":[{\"shape\":\"step\",\"gamma\":0.5,\"milestones\":[10,10]}]}", "phases[0].milestones"},
      {"step with step_size and milestones",
       "{\"phases\":[{\"shape\":\"step\",\"gamma\":0.5,\"step_size\":5,\"milestones\":[10]}]}",
       "phases[0].milestones|phases[0].step_size"},
      {"table steps != len(values)",
       "{\"phases\":[{\"shape\":\"table\",\"steps\":5,\"values\":[1,0.5,0.25]}]}", "phases[0].steps|phases[0].values"},
      {"table value wrong type", "{\"phases\":[{\"shape\":\"table\",\"values\":[1,\"x\"]}]}", "phases[0].values"},
      {"table points not increasing",
       "{\"phases\":[{\"shape\":\"table\",\"steps\":10,\"points\":[[5,1],[2,0.5]]}]}", "phases[0].points"},
      {"cosine cycles 0", "{\"phases\":[{\"shape\":\"cosine\",\"steps\":10,\"to\":0,\"cycles\":0}]}",
       "phases[0].cycles"},
      {"polynomial power negative", "{\"phases\":[{\"shape\":\"polynomial\",\"steps\":10,\"to\":0,\"power\":-1}]}",
       "phases[0].power"},
      {"power b >= 0",
       "{\"phases\":[{\"shape\":\"power\",\"a\":4.6,\"b\":0.5,\"tokens_per_step\":1000}]}", "phases[0].b"},
      {"second phase bad steps", "{\"phases\":[" LIN10 ",{\"shape\":\"linear\",\"steps\":-1,\"to\":0}]}",
       "phases[1].steps"},

      /* presets */
      {"unknown preset", "{\"preset\":\"nope\"}", "preset"},
      {"preset wrong type", "{\"preset\":1}", "preset"},
      {"unknown preset parameter", "{\"preset\":\"cosine\",\"total_steps\":100,\"warmup\":10}", "warmup"},
      {"preset and phases", "{\"preset\":\"constant\",\"phases\":[" LIN10 "]}", "phases|preset"},
      {"preset missing total_steps", "{\"preset\":\"cosine\",\"warmup_steps\":10}", "total_steps"},
      {"preset negative warmup", "{\"preset\":\"cosine\",\"warmup_steps\":-10,\"total_steps\":100}",
       "warmup_steps"},
      {"preset warmup beyond int64",
       "{\"preset\":\"cosine\",\"warmup_steps\":1e300,\"total_steps\":100}", "warmup_steps"},
      {"uba preset without phi", "{\"preset\":\"uba\",\"total_steps\":100}", "phi"},
      {"wsd bad decay_type", "{\"preset\":\"wsd\",\"stable_steps\":10,\"decay_steps\":10,\"decay_type\":\"zig\"}",
       "decay_type"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_bad_spec(__LINE__, &cases[i]);

  /* nesting deeper than 64, and very deep (must not overflow the stack) */
  {
    static const int depths[] = {65, 100, 200000};
    for (size_t k = 0; k < sizeof depths / sizeof depths[0]; k++) {
      int depth = depths[k];
      size_t len = (size_t)depth * 2 + 32;
      char *text = malloc(len);
      if (!text) { CHECK(0, "malloc"); continue; }
      char *p = text;
      p += sprintf(p, "{\"phases\":");
      for (int i = 0; i < depth - 1; i++) *p++ = '[';
      for (int i = 0; i < depth - 1; i++) *p++ = ']';
      *p++ = '}';
      *p = '\0';
      char what[64];
      snprintf(what, sizeof what, "nesting depth %d", depth);
      struct bad_spec b = {what, text, NULL};
      run_bad_spec(__LINE__, &b);
      free(text);
    }
  }
  group_end();
}

/* ---- 7. at / fill_f64 / fill_f32 agree bit for bit; to_json round trip ----- */

static const char *const good_specs[] = {
    "{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":100,\"total_steps\":1000}",
    "{\"preset\":\"llmc\",\"peak\":6e-4,\"warmup_steps\":700,\"total_steps\":19073,\"final_frac\":0.1}",
    "{\"preset\":\"wsd\",\"peak\":1e-3,\"warmup_steps\":100,\"stable_steps\":600,\"decay_steps\":300,"
    "\"decay_type\":\"sqrt\"}",
    "{\"preset\":\"onecycle\",\"peak\":0.1,\"total_steps\":997}",
    "{\"preset\":\"sgdr\",\"peak\":0.1,\"t0\":50,\"t_mult\":2,\"min_ratio\":0.01}",
    "{\"preset\":\"cyclic\",\"peak\":0.1,\"base_ratio\":0.1,\"step_size_up\":37,\"mode\":\"triangular2\"}",
    "{\"preset\":\"rex\",\"peak\":1e-3,\"warmup_steps\":50,\"total_steps\":1000}",
    "{\"preset\":\"uba\",\"peak\":1e-3,\"warmup_steps\":50,\"total_steps\":1000,\"phi\":1}",
    "{\"preset\":\"power\",\"peak\":0.02,\"a\":4.6,\"b\":-0.51,\"tokens_per_step\":1048576,"
    "\"warmup_steps\":100,\"decay_steps\":200,\"total_steps\":1000}",
    "{\"preset\":\"infinite\",\"peak\":3e-4,\"warmup_steps\":100,\"cooldown_steps\":300,\"constant_ratio\":0.25}",
    "{\"preset\":\"timm_cosine\",\"peak\":0.1,\"t_initial\":300,\"warmup_t\":20,\"cycle_limit\":3,"
    "\"cycle_mul\":1.5,\"cycle_decay\":0.5,\"lr_min_ratio\":0.01}",
    "{\"peak\":2,\"after\":\"zero\",\"total_steps\":1000,\"phases\":["
    "{\"shape\":\"sqrt\",\"fraction\":0.1,\"from\":0,\"to\":1},"
    "{\"shape\":\"constant\",\"steps\":333.3},"
    "{\"shape\":\"cosine\",\"to\":0.1,\"cycles\":1.25,\"exponent\":2}]}",
    "{\"phases\":[{\"repeat\":[{\"shape\":\"linear\",\"steps\":7,\"from\":0.1,\"to\":1},"
    "{\"shape\":\"cosine\",\"steps\":13.5,\"to\":0.1}],\"cycles\":null,\"period_mult\":1.5,\"decay\":0.7,"
    "\"floor\":0.1,\"decay_per_step\":0.9999}]}",
    "{\"phases\":[{\"shape\":\"table\",\"points\":[[0,0],[10,1],[50,0.5],[200,0.01]],\"steps\":250},"
    "{\"shape\":\"table\",\"values\":[0.3,0.2,0.1]},"
    "{\"shape\":\"step\",\"gamma\":0.5,\"milestones\":[10,30,70]}]}",
    "{\"phases\":[{\"shape\":\"exponential\",\"gamma\":0.999,\"staircase\":10}]}",
    "{\"phases\":[{\"shape\":\"polynomial\",\"steps\":100,\"from\":0,\"to\":1,\"power\":2,\"mirror\":false},"
    "{\"shape\":\"uba\",\"steps\":500,\"to\":0,\"phi\":0.5,\"offset\":100,\"endpoint\":\"inclusive\"},"
    "{\"shape\":\"inverse_sqrt\",\"timescale\":50}]}",
};
#define N_GOOD (sizeof good_specs / sizeof good_specs[0])

static char *to_json_alloc(const pace_schedule *s) {
  size_t needed = 0;
  if (pace_schedule_to_json(s, NULL, 0, &needed) != PACE_E_BUFFER_TOO_SMALL || needed == 0) return NULL;
  char *buf = malloc(needed);
  if (!buf) return NULL;
  if (pace_schedule_to_json(s, buf, needed, &needed) != PACE_OK) { free(buf); return NULL; }
  return buf;
}

/* Compares at() with fill_f64 and fill_f32 over [start, start+count). */
static void compare_window(const pace_schedule *s, const char *spec, int64_t start, int64_t count) {
  double *a = malloc((size_t)count * sizeof *a);
  double *b = malloc((size_t)count * sizeof *b);
  float *f = malloc((size_t)count * sizeof *f);
  if (!a || !b || !f) { CHECK(0, "malloc"); free(a); free(b); free(f); return; }
  int at_ok = 1;
  for (int64_t i = 0; i < count; i++) at_ok &= pace_schedule_at(s, start + i, &a[i]) == PACE_OK;
  CHECK(at_ok, "at() failed in [%lld, +%lld) for %s", (long long)start, (long long)count, spec);
  pace_status st = pace_schedule_fill_f64(s, start, count, b);
  CHECK(st == PACE_OK, "fill_f64(%lld, %lld): %s", (long long)start, (long long)count, sname(st));
  int64_t first_diff = -1;
  for (int64_t i = 0; i < count; i++)
    if (!same_bits_f64(a[i], b[i])) { first_diff = i; break; }
  CHECK(memcmp(a, b, (size_t)count * sizeof *a) == 0,
        "at vs fill_f64 differ from step %lld (at %.17g, fill %.17g) for %s", (long long)(start + first_diff),
        first_diff >= 0 ? a[first_diff] : 0.0, first_diff >= 0 ? b[first_diff] : 0.0, spec);
  /* chunked fills (odd chunk sizes) equal one fill */
  {
    int64_t chunk = 97, pos = 0;
    int ok = 1;
    while (pos < count) {
      int64_t c = count - pos < chunk ? count - pos : chunk;
      ok &= pace_schedule_fill_f64(s, start + pos, c, b + pos) == PACE_OK;
      pos += c;
      chunk = chunk * 3 % 1013 + 1;
    }
    CHECK(ok && memcmp(a, b, (size_t)count * sizeof *a) == 0, "chunked fill_f64 differs from at() for %s", spec);
  }
  st = pace_schedule_fill_f32(s, start, count, f);
  CHECK(st == PACE_OK, "fill_f32(%lld, %lld): %s", (long long)start, (long long)count, sname(st));
  int64_t bad = -1;
  for (int64_t i = 0; i < count; i++) {
    float want = (float)a[i];
    if (memcmp(&want, &f[i], sizeof want) != 0) { bad = i; break; }
  }
  CHECK(bad < 0, "fill_f32 != (float)fill_f64 at step %lld (%.9g vs %.9g) for %s", (long long)(start + bad),
        bad >= 0 ? (double)f[bad] : 0.0, bad >= 0 ? (double)(float)a[bad] : 0.0, spec);
  free(a);
  free(b);
  free(f);
}

static void test_bit_identity(void) {
  group_begin("at == fill_f64 == fill_f32");
  for (size_t k = 0; k < N_GOOD; k++) {
    pace_schedule *s = PARSE_OK(good_specs[k]);
    if (!s) continue;
    compare_window(s, good_specs[k], 0, 3000);
    compare_window(s, good_specs[k], 123456789, 257);
    compare_window(s, good_specs[k], INT64_MAX - 300, 300);
    pace_schedule_free(s);
  }
  group_end();
}

static void test_roundtrip(void) {
  group_begin("to_json round trip");
  for (size_t k = 0; k < N_GOOD; k++) {
    pace_schedule *s = PARSE_OK(good_specs[k]);
    if (!s) continue;
    char *text = to_json_alloc(s);
    CHECK(text != NULL, "to_json failed for %s (%s)", good_specs[k], last_error());
    if (!text) { pace_schedule_free(s); continue; }
    pace_schedule *r = NULL;
    pace_status st = pace_schedule_parse(text, &r);
    CHECK(st == PACE_OK, "to_json output does not re-parse: %s\n    spec: %s\n    json: %s", last_error(),
          good_specs[k], text);
    if (st == PACE_OK) {
      enum { N = 3000 };
      static double a[N], b[N];
      int ok = pace_schedule_fill_f64(s, 0, N, a) == PACE_OK && pace_schedule_fill_f64(r, 0, N, b) == PACE_OK;
      int64_t diff = -1;
      for (int i = 0; i < N; i++)
        if (!same_bits_f64(a[i], b[i])) { diff = i; break; }
      CHECK(ok && diff < 0, "re-parsed to_json differs at step %lld (%.17g vs %.17g)\n    spec: %s\n    json: %s",
            (long long)diff, diff >= 0 ? a[diff] : 0.0, diff >= 0 ? b[diff] : 0.0, good_specs[k], text);
      ok = pace_schedule_fill_f64(s, 1000000007, 64, a) == PACE_OK &&
           pace_schedule_fill_f64(r, 1000000007, 64, b) == PACE_OK;
      CHECK(ok && memcmp(a, b, 64 * sizeof a[0]) == 0, "re-parsed to_json differs far out for %s", good_specs[k]);
      int64_t t1 = 0, t2 = 0;
      pace_schedule_total_steps(s, &t1);
      pace_schedule_total_steps(r, &t2);
      CHECK(t1 == t2, "re-parsed total_steps %lld != %lld for %s", (long long)t2, (long long)t1, good_specs[k]);
      /* canonical: printing the re-parsed schedule gives the same text */
      char *text2 = to_json_alloc(r);
      CHECK(text2 && strcmp(text, text2) == 0, "to_json is not a fixed point:\n    1st: %s\n    2nd: %s", text,
            text2 ? text2 : "(NULL)");
      free(text2);
      pace_schedule_free(r);
    }
    free(text);
    pace_schedule_free(s);
  }
  group_end();
}

/* ---- 8. total_steps ----------------------------------------------------- */

static void expect_total(int line, const char *spec, int64_t want) {
  pace_schedule *s = parse_ok_at(line, spec);
  if (!s) return;
  int64_t n = -999;
  pace_status st = pace_schedule_total_steps(s, &n);
  check_impl(st == PACE_OK && n == want, line, "total_steps(%s) = %lld (%s), want %lld", spec, (long long)n,
             sname(st), (long long)want);
  pace_schedule_free(s);
}

static void test_total_steps(void) {
  group_begin("total_steps");
  expect_total(__LINE__, "{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":100,\"total_steps\":1000}", 1000);
  expect_total(__LINE__, "{\"phases\":[" LIN10 "]}", 10);
  expect_total(__LINE__, "{\"phases\":[{\"shape\":\"linear\",\"steps\":10.5,\"to\":0}]}", 11);
  expect_total(__LINE__, "{\"phases\":[{\"shape\":\"linear\",\"steps\":10.5,\"to\":0},"
                         "{\"shape\":\"constant\",\"steps\":0.5}]}", 11);
  expect_total(__LINE__, "{\"total_steps\":250,\"phases\":[" LIN10 ",{\"shape\":\"cosine\",\"to\":0}]}", 250);
  expect_total(__LINE__,
               "{\"phases\":[{\"repeat\":[" LIN10 "],\"cycles\":3,\"period_mult\":2}]}", 70);
  /* open-ended: -1 */
  expect_total(__LINE__, "{\"preset\":\"constant\"}", -1);
  expect_total(__LINE__, "{\"preset\":\"inverse_sqrt\",\"warmup_steps\":100}", -1);
  expect_total(__LINE__, "{\"phases\":[{\"shape\":\"linear\",\"steps\":10,\"to\":0.5},"
                         "{\"shape\":\"exponential\",\"gamma\":0.99}]}", -1);
  expect_total(__LINE__, "{\"phases\":[{\"repeat\":[" LIN10 "],\"cycles\":null}]}", -1);
  expect_total(__LINE__,
               "{\"preset\":\"infinite\",\"warmup_steps\":100,\"cooldown_steps\":300,\"constant_ratio\":0.25}", -1);
  group_end();
}

/* ---- 9. closed-form values ------------------------------------------------ */

/* Tolerance: 1e-12 of max(|want|, largest |want| in the set) ("to rounding"). */
static void expect_values(int line, const char *spec, const int64_t *steps, const double *want, size_t n) {
  pace_schedule *s = parse_ok_at(line, spec);
  if (!s) return;
  double scale = 0;
  for (size_t i = 0; i < n; i++) scale = fmax(scale, fabs(want[i]));
  for (size_t i = 0; i < n; i++) {
    double v = NAN;
    pace_status st = pace_schedule_at(s, steps[i], &v);
    check_impl(st == PACE_OK && fabs(v - want[i]) <= 1e-12 * fmax(fabs(want[i]), scale), line,
               "%s\n    at(%lld) = %.17g, want %.17g", spec, (long long)steps[i], v, want[i]);
  }
  pace_schedule_free(s);
}
#define EXPECT_VALUES(spec, steps, want) \
  expect_values(__LINE__, spec, steps, want, sizeof(steps) / sizeof(steps)[0])

static void test_values(void) {
  group_begin("closed-form values");
  const double pi = 3.14159265358979323846;
  {
    /* HF get_cosine_schedule_with_warmup */
    const double peak = 3e-4;
    const int64_t w = 100, T = 1000;
    int64_t steps[] = {0, 1, 50, 99, 100, 101, 550, 999, 1000, 5000};
    double want[10];
    for (int i = 0; i < 10; i++) {
      int64_t t = steps[i];
      if (t < w) want[i] = peak * ((double)t / (double)w);
      else if (t < T) {
        double prog = (double)(t - w) / (double)(T - w);
        want[i] = peak * fmax(0.0, 0.5 * (1.0 + cos(pi * 2.0 * 0.5 * prog)));
      } else want[i] = 0.0;  /* after: hold the end value */
    }
    EXPECT_VALUES("{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":100,\"total_steps\":1000}", steps, want);
  }
  {
    /* llm.c get_learning_rate (cosine), the benchmark's schedule */
    const double lr = 6e-4, frac = 0.0;
    const int64_t w = 1000, T = 100000;
    int64_t steps[] = {0, 1, 500, 999, 1000, 1001, 50000, 99999};
    double want[8];
    for (int i = 0; i < 8; i++) {
      int64_t t = steps[i];
      if (t < w) want[i] = lr * (double)(t + 1) / (double)w;
      else {
        double ratio = (double)(t - w) / (double)(T - w);
        double coeff = 0.5 * (1.0 + cos(pi * ratio));
        double min_lr = lr * frac;
        want[i] = min_lr + coeff * (lr - min_lr);
      }
    }
    EXPECT_VALUES("{\"preset\":\"llmc\",\"peak\":6e-4,\"warmup_steps\":1000,\"total_steps\":100000}", steps, want);
  }
  {
    int64_t steps[] = {0, 1, 10, 25};
    double want[] = {1.0, 0.9, pow(0.9, 10), pow(0.9, 25)};
    EXPECT_VALUES("{\"phases\":[{\"shape\":\"exponential\",\"gamma\":0.9}]}", steps, want);
  }
  {
    int64_t steps[] = {0, 9, 10, 19, 20, 1000000};
    double want[] = {2, 2, 1, 1, 0.5, 0.5};
    EXPECT_VALUES("{\"peak\":2,\"phases\":[{\"shape\":\"step\",\"gamma\":0.5,\"milestones\":[10,20]}]}", steps, want);
  }
  {
    int64_t steps[] = {0, 4, 5, 12};
    double want[] = {1, 1, 0.1, 0.1 * 0.1};
    EXPECT_VALUES("{\"phases\":[{\"shape\":\"step\",\"gamma\":0.1,\"step_size\":5}]}", steps, want);
  }
  {
    int64_t steps[] = {0, 100, 300, 10000};
    double want[] = {1, 1 / sqrt(2.0), 0.5, 1 / sqrt(101.0)};
    EXPECT_VALUES("{\"phases\":[{\"shape\":\"inverse_sqrt\",\"timescale\":100}]}", steps, want);
  }
  {
    int64_t steps[] = {0, 1, 2};
    double want[] = {1, 0.5, 0.25};
    EXPECT_VALUES("{\"phases\":[{\"shape\":\"table\",\"values\":[1,0.5,0.25]}]}", steps, want);
  }
  {
    /* after: hold vs zero */
    int64_t steps[] = {0, 5, 10, 11};
    double hold[] = {1, 0.75, 0.5, 0.5};
    double zero[] = {1, 0.75, 0, 0};
    EXPECT_VALUES("{\"phases\":[{\"shape\":\"linear\",\"steps\":10,\"to\":0.5}]}", steps, hold);
    EXPECT_VALUES("{\"after\":\"zero\",\"phases\":[{\"shape\":\"linear\",\"steps\":10,\"to\":0.5}]}", steps, zero);
  }
  {
    /* endpoint inclusive warmup never yields 0 at step 0 */
    int64_t steps[] = {0, 3, 4, 5};
    double want[] = {0.25, 1, 1, 1};
    EXPECT_VALUES("{\"phases\":[{\"shape\":\"linear\",\"steps\":4,\"from\":0,\"to\":1,\"endpoint\":\"inclusive\"},"
                  "{\"shape\":\"constant\"}]}", steps, want);
  }
  {
    /* wsd with 1-sqrt decay */
    int64_t steps[] = {0, 5, 10, 50, 60, 70, 99, 100};
    double want[] = {0, 0.5, 1, 1, 1, 0.5, 1 - sqrt(39.0 / 40.0), 0};
    EXPECT_VALUES("{\"preset\":\"wsd\",\"warmup_steps\":10,\"stable_steps\":50,\"decay_steps\":40,"
                  "\"decay_type\":\"sqrt\"}", steps, want);
  }
  {
    /* repeat block: period_mult 2, amplitude decay 0.5 */
    int64_t steps[] = {0, 5, 10, 20, 30, 35, 69, 70, 1000};
    double want[] = {1, 0.5, 0.5, 0.25, 0.25, 0.25 * (1 - 5.0 / 40), 0.25 * (1 - 39.0 / 40), 0, 0};
    EXPECT_VALUES("{\"phases\":[{\"repeat\":[{\"shape\":\"linear\",\"steps\":10,\"from\":1,\"to\":0}],"
                  "\"cycles\":3,\"period_mult\":2,\"decay\":0.5}]}", steps, want);
  }
  {
    /* rex: d(p) = (1-p)/(1-p/2) */
    int64_t steps[] = {0, 50, 100};
    double want[] = {1, 0.5 / 0.75, 0};
    EXPECT_VALUES("{\"phases\":[{\"shape\":\"rex\",\"steps\":100,\"to\":0}]}", steps, want);
  }
  {
    /* uba phi=2 is cosine */
    int64_t steps[] = {0, 25, 50, 75};
    double want[4];
    for (int i = 0; i < 4; i++) want[i] = 0.5 * (1 + cos(pi * (double)steps[i] / 100.0));
    EXPECT_VALUES("{\"phases\":[{\"shape\":\"uba\",\"steps\":100,\"to\":0,\"phi\":2}]}", steps, want);
  }
  group_end();
}

/* ---- 10. presets against the named libraries' formulas ----------------------- */
/*
 * Each reference is the library's own formula written out in C (float64), for
 * steps below the preset's total; the spec promises the same numbers "to
 * rounding".
 */
#define REF_N 1200
static const double PI = 3.14159265358979323846;

typedef double (*ref_fn)(int64_t t);

static void expect_reference(int line, const char *spec, ref_fn f, int64_t n) {
  static int64_t steps[REF_N];
  static double want[REF_N];
  if (n > REF_N) n = REF_N;
  for (int64_t t = 0; t < n; t++) {
    steps[t] = t;
    want[t] = f(t);
  }
  expect_values(line, spec, steps, want, (size_t)n);
}

/* HF get_linear_schedule_with_warmup(warmup 100, total 1000), lr 1e-3 */
static double ref_hf_linear(int64_t t) {
  const double lr = 1e-3; const int64_t w = 100, T = 1000;
  if (t < w) return lr * ((double)t / (double)w);
  return lr * fmax(0.0, (double)(T - t) / (double)(T - w));
}

/* HF get_cosine_with_hard_restarts_schedule_with_warmup(50, 1000, cycles 3) */
static double ref_hf_restarts(int64_t t) {
  const double lr = 1e-3; const int64_t w = 50, T = 1000; const double cycles = 3;
  if (t < w) return lr * ((double)t / (double)w);
  double progress = (double)(t - w) / (double)(T - w);
  if (progress >= 1.0) return 0.0;
  return lr * fmax(0.0, 0.5 * (1.0 + cos(PI * fmod(cycles * progress, 1.0))));
}

/* HF get_polynomial_decay_schedule_with_warmup(100, 1000, lr_end 1e-5, power 2), lr 1e-3 */
static double ref_hf_poly(int64_t t) {
  const double lr_init = 1e-3, lr_end = 1e-5, power = 2; const int64_t w = 100, T = 1000;
  double factor;
  if (t < w) factor = (double)t / (double)w;
  else if (t > T) factor = lr_end / lr_init;
  else {
    double range = lr_init - lr_end;
    double remaining = 1.0 - (double)(t - w) / (double)(T - w);
    factor = (range * pow(remaining, power) + lr_end) / lr_init;
  }
  return lr_init * factor;
}

/* HF get_inverse_sqrt_schedule(warmup 100), timescale default = warmup */
static double ref_hf_inverse_sqrt(int64_t t) {
  const double lr = 1e-3; const int64_t w = 100; const double timescale = 100;
  if (t < w) return lr * ((double)t / (double)w);
  double shift = timescale - (double)w;
  return lr * (1.0 / sqrt(((double)t + shift) / timescale));
}

/* torch OneCycleLR(max_lr 0.1, total_steps 997), defaults: pct 0.3, cos, div 25, final_div 1e4 */
static double ref_onecycle(int64_t t) {
  const double max_lr = 0.1, total = 997, pct = 0.3;
  const double initial = max_lr / 25.0, min_lr = initial / 1e4;
  const double end1 = pct * total - 1, end2 = total - 1;
  double start, end, a, b;
  if ((double)t <= end1) { start = 0; end = end1; a = initial; b = max_lr; }
  else { start = end1; end = end2; a = max_lr; b = min_lr; }
  double p = ((double)t - start) / (end - start);
  return b + (a - b) / 2.0 * (cos(PI * p) + 1);
}

/* torch CosineAnnealingWarmRestarts(T_0 50, T_mult 2, eta_min 0.001), lr 0.1 */
static double ref_sgdr(int64_t t) {
  const double base = 0.1, eta_min = 0.001; const double T0 = 50, mult = 2;
  double epoch = (double)t, T_cur, T_i;
  if (epoch >= T0) {
    int n = (int)(log(epoch / T0 * (mult - 1) + 1) / log(mult));
    T_cur = epoch - T0 * (pow(mult, n) - 1) / (mult - 1);
    T_i = T0 * pow(mult, n);
  } else { T_cur = epoch; T_i = T0; }
  return eta_min + (base - eta_min) * (1 + cos(PI * T_cur / T_i)) / 2;
}

/* torch CyclicLR(base 0.01, max 0.1, step_size_up 37, mode triangular2) */
static double ref_cyclic(int64_t t) {
  const double base = 0.01, max_lr = 0.1, total = 74, ratio = 37.0 / 74.0;
  double cycle = floor(1 + (double)t / total);
  double x = 1. + (double)t / total - cycle;
  double scale = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
  return base + (max_lr - base) * scale * (1 / pow(2., cycle - 1));
}

/* torch StepLR(step_size 30, gamma 0.1), MultiStepLR([30, 80], 0.5), ExponentialLR(0.99); lr 0.1 */
static double ref_steplr(int64_t t) { return 0.1 * pow(0.1, (double)(t / 30)); }
static double ref_multistep(int64_t t) { return 0.1 * pow(0.5, (double)((t >= 30) + (t >= 80))); }
static double ref_explr(int64_t t) { return 0.1 * pow(0.99, (double)t); }

/* optax warmup_cosine_decay_schedule(1e-4, 1e-3, 100, 1000, 1e-5, exponent 1) */
static double ref_optax(int64_t t) {
  const double init = 1e-4, peak = 1e-3, end = 1e-5; const int64_t w = 100, D = 1000;
  if (t < w) return (init - peak) * (1.0 - (double)t / (double)w) + peak;
  double count = fmin((double)(t - w), (double)(D - w));
  double cosine = 0.5 * (1 + cos(PI * count / (double)(D - w)));
  double alpha = end / peak;
  return peak * ((1 - alpha) * cosine + alpha);
}

/* llm.c get_learning_rate, wsd, warmup 100, total 1000, final_frac 0.1, lr 6e-4 */
static double ref_llmc_wsd(int64_t t) {
  const double max_lr = 6e-4, frac = 0.1; const int64_t w = 100, T = 1000;
  int64_t decay_point = (int64_t)(0.8 * (double)T);
  if (t < w) return max_lr * (double)(t + 1) / (double)w;
  if (t < decay_point) return max_lr;
  double ratio = (double)(t - decay_point) / (double)(T - decay_point);
  double min_lr = max_lr * frac;
  return min_lr + (1.0 - sqrt(ratio)) * (max_lr - min_lr);
}

/* HF get_wsd_schedule(warmup 100, stable 500, decay 400, min_lr_ratio 0.1, cosine decay) */
static double ref_hf_wsd(int64_t t) {
  const double lr = 1e-3, min_ratio = 0.1; const int64_t w = 100, st = 500, d = 400;
  double f;
  if (t < w) {
    double progress = (double)t / (double)w;
    f = min_ratio + (1 - min_ratio) * progress;  /* linear warmup from min_lr_ratio */
  } else if (t < w + st) f = 1.0;
  else if (t < w + st + d) {
    double progress = (double)(t - w - st) / (double)d;
    double value = 0.5 * (1.0 + cos(PI * 2 * 0.5 * progress));
    f = (1 - min_ratio) * value + min_ratio;
  } else f = min_ratio;
  return lr * f;
}

static void test_references(void) {
  group_begin("presets vs references");
  expect_reference(__LINE__, "{\"preset\":\"linear\",\"peak\":1e-3,\"warmup_steps\":100,\"total_steps\":1000}",
                   ref_hf_linear, 1000);
  expect_reference(__LINE__, "{\"preset\":\"cosine_with_restarts\",\"peak\":1e-3,\"warmup_steps\":50,"
                   "\"total_steps\":1000,\"cycles\":3}", ref_hf_restarts, 1000);
  expect_reference(__LINE__, "{\"preset\":\"polynomial\",\"peak\":1e-3,\"warmup_steps\":100,\"total_steps\":1000,"
                   "\"end_ratio\":0.01,\"power\":2}", ref_hf_poly, 1000);
  expect_reference(__LINE__, "{\"preset\":\"inverse_sqrt\",\"peak\":1e-3,\"warmup_steps\":100}",
                   ref_hf_inverse_sqrt, 1200);
  expect_reference(__LINE__, "{\"preset\":\"onecycle\",\"peak\":0.1,\"total_steps\":997}", ref_onecycle, 997);
  expect_reference(__LINE__, "{\"preset\":\"sgdr\",\"peak\":0.1,\"t0\":50,\"t_mult\":2,\"min_ratio\":0.01}",
                   ref_sgdr, 1200);
  expect_reference(__LINE__, "{\"preset\":\"cyclic\",\"peak\":0.1,\"base_ratio\":0.1,\"step_size_up\":37,"
                   "\"mode\":\"triangular2\"}", ref_cyclic, 1200);
  expect_reference(__LINE__, "{\"preset\":\"step\",\"peak\":0.1,\"step_size\":30,\"gamma\":0.1}", ref_steplr, 300);
  expect_reference(__LINE__, "{\"preset\":\"multistep\",\"peak\":0.1,\"milestones\":[30,80],\"gamma\":0.5}",
                   ref_multistep, 300);
  expect_reference(__LINE__, "{\"preset\":\"exponential\",\"peak\":0.1,\"gamma\":0.99}", ref_explr, 1200);
  expect_reference(__LINE__, "{\"preset\":\"warmup_cosine\",\"peak\":1e-3,\"init_ratio\":0.1,\"warmup_steps\":100,"
                   "\"decay_steps\":1000,\"end_ratio\":0.01}", ref_optax, 1200);
  expect_reference(__LINE__, "{\"preset\":\"llmc\",\"type\":\"wsd\",\"peak\":6e-4,\"warmup_steps\":100,"
                   "\"total_steps\":1000,\"final_frac\":0.1}", ref_llmc_wsd, 1000);
  expect_reference(__LINE__, "{\"preset\":\"wsd\",\"peak\":1e-3,\"warmup_steps\":100,\"stable_steps\":500,"
                   "\"decay_steps\":400,\"min_ratio\":0.1}", ref_hf_wsd, 1000);
  group_end();
}

/* ---- 11. robustness: extreme but well-formed inputs, each in a child process -- */
/*
 * "No input, however bad, crashes the caller": each case runs in a forked
 * child so that a crash (e.g. a Swift runtime trap, SIGILL) is reported as a
 * failed check instead of ending this program. The child parses the spec and,
 * when accepted, evaluates it (at, fill near INT64_MAX), prints it with
 * to_json and re-parses that text, comparing values bit for bit.
 */
enum robust_expect {
  EXPECT_ACCEPT,           /* accepted; to_json re-parses to bit-identical values */
  EXPECT_REJECT,         /* rejected with PACE_E_SPEC naming `path` */
  EXPECT_REJECT_OR_RT,   /* rejected with PACE_E_SPEC, or accepted and round-trips */
};

struct robust_case {
  const char *what;
  const char *json;
  enum robust_expect expect;
  const char *path;
};

struct robust_result {
  int crashed, signal;
  int status;      /* parse status */
  int roundtrip;   /* 1: to_json re-parsed to the same values; 0: not; -1: n/a */
  char message[1024];
};

static void robust_child(const char *json, int fd) {
  struct robust_result r = {0, 0, -1, -1, ""};
  pace_schedule *s = NULL;
  r.status = (int)pace_schedule_parse(json, &s);
  snprintf(r.message, sizeof r.message, "%s", last_error());
  if (r.status == PACE_OK) {
    static const int64_t steps[] = {0, 1, 2, 10, 99, 100, 1000, 1LL << 40, INT64_MAX - 1, INT64_MAX};
    enum { NS = sizeof steps / sizeof steps[0] };
    double v[NS], w[NS], fill[16];
    float fill32[16];
    for (int i = 0; i < NS; i++) pace_schedule_at(s, steps[i], &v[i]);
    pace_schedule_fill_f64(s, INT64_MAX - 16, 16, fill);
    pace_schedule_fill_f32(s, 0, 16, fill32);
    int64_t total = 0;
    pace_schedule_total_steps(s, &total);
    char *text = to_json_alloc(s);
    pace_schedule *back = NULL;
    if (!text) {
      r.roundtrip = 0;
      snprintf(r.message, sizeof r.message, "to_json failed: %s", last_error());
    } else if (pace_schedule_parse(text, &back) != PACE_OK) {
      r.roundtrip = 0;
      snprintf(r.message, sizeof r.message, "to_json output does not re-parse (%s): %.700s", last_error(), text);
    } else {
      r.roundtrip = 1;
      for (int i = 0; i < NS; i++) {
        pace_schedule_at(back, steps[i], &w[i]);
        if (!same_bits_f64(v[i], w[i])) {
          r.roundtrip = 0;
          snprintf(r.message, sizeof r.message, "re-parsed value at %lld: %.17g, original %.17g; json %.600s",
                   (long long)steps[i], w[i], v[i], text);
          break;
        }
      }
    }
    pace_schedule_free(back);
    free(text);
    pace_schedule_free(s);
  }
  ssize_t off = 0, n;
  const char *p = (const char *)&r;
  while (off < (ssize_t)sizeof r && (n = write(fd, p + off, sizeof r - (size_t)off)) > 0) off += n;
}

static struct robust_result robust_run(const char *json) {
  struct robust_result r = {0, 0, -1, -1, ""};
  int fds[2];
  if (pipe(fds) != 0) { snprintf(r.message, sizeof r.message, "pipe failed"); r.crashed = 1; return r; }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    robust_child(json, fds[1]);
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  ssize_t off = 0, n;
  char *p = (char *)&r;
  while (pid > 0 && off < (ssize_t)sizeof r && (n = read(fds[0], p + off, sizeof r - (size_t)off)) > 0) off += n;
  close(fds[0]);
  int wstatus = 0;
  if (pid < 0 || waitpid(pid, &wstatus, 0) < 0) {
    r.crashed = 1;
    snprintf(r.message, sizeof r.message, "fork/waitpid failed");
  } else if (WIFSIGNALED(wstatus) || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0 || off != (ssize_t)sizeof r) {
    memset(&r, 0, sizeof r);
    r.crashed = 1;
    r.signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
  }
  return r;
}

#define I64MAX "9223372036854775807"
#define I64MAX_1 "9223372036854775806"
#define TWO62 "4611686018427387904"
#define TWO62_1 "4611686018427387905"

static void test_robustness(void) {
  group_begin("robustness (forked)");
  static const struct robust_case cases[] = {
      /* step counts and positions are capped at 2^53 (exact in float64; docs/schedule-spec.md,
         Decisions): beyond it they are rejected with the path, never a crash */
      {"milestones [2^63-2, 2^63-1]", "{\"phases\":[{\"shape\":\"step\",\"gamma\":0.5,\"milestones\":[" I64MAX_1 ","
       I64MAX "]}]}", EXPECT_REJECT, "phases[0].milestones[0]"},
      {"milestones [2^62, 2^62+1]", "{\"phases\":[{\"shape\":\"step\",\"gamma\":0.5,\"milestones\":[" TWO62 "," TWO62_1
       "]}]}", EXPECT_REJECT, "phases[0].milestones[0]"},
      {"milestones [2^53-1, 2^53]", "{\"phases\":[{\"shape\":\"step\",\"gamma\":0.5,\"milestones\":[9007199254740991,"
       "9007199254740992]}]}", EXPECT_ACCEPT, NULL},
      {"milestones [2^63-1]", "{\"phases\":[{\"shape\":\"step\",\"gamma\":0.5,\"milestones\":[" I64MAX "]}]}", EXPECT_REJECT,
       "phases[0].milestones[0]"},
      {"step_size 2^63-1", "{\"phases\":[{\"shape\":\"step\",\"gamma\":0.5,\"step_size\":" I64MAX "}]}", EXPECT_REJECT,
       "phases[0].step_size"},
      {"step_size 2^53", "{\"phases\":[{\"shape\":\"step\",\"gamma\":0.5,\"step_size\":9007199254740992}]}", EXPECT_ACCEPT,
       NULL},
      {"staircase 2^63-1", "{\"phases\":[{\"shape\":\"exponential\",\"steps\":10,\"to\":0.5,\"staircase\":" I64MAX "}]}",
       EXPECT_REJECT, "phases[0].staircase"},
      {"repeat cycles 2^63-1", "{\"phases\":[{\"repeat\":[" LIN10 "],\"cycles\":" I64MAX "}]}", EXPECT_ACCEPT, NULL},
      {"multistep preset milestone 2^63-1", "{\"preset\":\"multistep\",\"milestones\":[" I64MAX "]}", EXPECT_REJECT,
       "milestones"},
      /* not increasing, with int64 extremes */
      {"milestones [2^63-1, 30]", "{\"phases\":[{\"shape\":\"step\",\"gamma\":0.5,\"milestones\":[" I64MAX ",30]}]}",
       EXPECT_REJECT, "phases[0].milestones"},
      {"milestones [10, 2^63-1, 70]",
       "{\"phases\":[{\"shape\":\"step\",\"gamma\":0.5,\"milestones\":[10," I64MAX ",70]}]}", EXPECT_REJECT,
       "phases[0].milestones"},
      /* preset step counts whose sums overflow int64 */
      {"wsd decay_steps 2^63-1", "{\"preset\":\"wsd\",\"warmup_steps\":10,\"total_steps\":100,\"decay_steps\":" I64MAX "}",
       EXPECT_REJECT, "total_steps|decay_steps"},
      {"wsd warmup+decay 2^63", "{\"preset\":\"wsd\",\"warmup_steps\":" TWO62 ",\"total_steps\":100,\"decay_steps\":"
       TWO62 "}", EXPECT_REJECT, "total_steps|decay_steps|warmup_steps"},
      {"power decay_steps 2^63-1", "{\"preset\":\"power\",\"a\":4.6,\"b\":-0.5,\"tokens_per_step\":1000,"
       "\"warmup_steps\":10,\"decay_steps\":" I64MAX ",\"total_steps\":100}", EXPECT_REJECT,
       "total_steps|decay_steps"},
      {"power warmup_steps 2^63-1", "{\"preset\":\"power\",\"a\":4.6,\"b\":-0.5,\"tokens_per_step\":1000,"
       "\"warmup_steps\":" I64MAX ",\"decay_steps\":20,\"total_steps\":100}", EXPECT_REJECT,
       "total_steps|warmup_steps"},
      {"infinite anneal_steps 2^63-1", "{\"preset\":\"infinite\",\"warmup_steps\":10,\"cooldown_steps\":20,"
       "\"constant_ratio\":0.5,\"total_steps\":100,\"anneal_steps\":" I64MAX ",\"min_ratio\":0.1}", EXPECT_REJECT,
       "total_steps|anneal_steps"},
      {"infinite cooldown_steps 2^63-1", "{\"preset\":\"infinite\",\"warmup_steps\":10,\"cooldown_steps\":" I64MAX ","
       "\"constant_ratio\":0.5,\"total_steps\":100,\"anneal_steps\":10,\"min_ratio\":0.1}", EXPECT_REJECT,
       "total_steps|cooldown_steps"},
      {"infinite warmup 2^63-2, total 2^63-1", "{\"preset\":\"infinite\",\"warmup_steps\":" I64MAX_1
       ",\"cooldown_steps\":20,\"constant_ratio\":0.5,\"total_steps\":" I64MAX "}", EXPECT_REJECT,
       "total_steps|warmup_steps|cooldown_steps"},
      /* huge but finite numbers: reject, or accept and print re-parseable JSON */
      {"exponential gamma 1e300 then constant",
       "{\"phases\":[{\"shape\":\"exponential\",\"steps\":10,\"gamma\":1e300},{\"shape\":\"constant\"}]}",
       EXPECT_REJECT_OR_RT, "phases[0].gamma|phases[1]"},
      {"repeat decay 1e300 then constant",
       "{\"phases\":[{\"repeat\":[{\"shape\":\"linear\",\"steps\":10,\"from\":1,\"to\":0.5}],\"cycles\":3,"
       "\"decay\":1e300},{\"shape\":\"constant\"}]}", EXPECT_REJECT_OR_RT, "phases[0].decay|phases[1]"},
      {"linear steps 1e308 twice",
       "{\"phases\":[{\"shape\":\"linear\",\"steps\":1e308,\"to\":0},{\"shape\":\"linear\",\"steps\":1e308,\"to\":0}]}",
       EXPECT_REJECT_OR_RT, "phases[1].steps|phases"},
      {"table points up to 1e308",
       "{\"phases\":[{\"shape\":\"table\",\"points\":[[0,1],[1e308,2]],\"steps\":5}]}", EXPECT_REJECT_OR_RT, "phases[0]"},
      {"sgdr t0 and t_mult 2^63-1", "{\"preset\":\"sgdr\",\"t0\":" I64MAX ",\"t_mult\":" I64MAX "}", EXPECT_REJECT_OR_RT,
       "t0|t_mult"},
      {"cyclic step sizes 2^63-1", "{\"preset\":\"cyclic\",\"base_ratio\":0.1,\"step_size_up\":" I64MAX
       ",\"step_size_down\":" I64MAX "}", EXPECT_REJECT_OR_RT, "step_size_up|step_size_down"},
      {"cosine warmup 2^63-2 total 2^63-1", "{\"preset\":\"cosine\",\"warmup_steps\":" I64MAX_1 ",\"total_steps\":"
       I64MAX "}", EXPECT_REJECT_OR_RT, "warmup_steps|total_steps"},
      {"timm_cosine 2^63-1", "{\"preset\":\"timm_cosine\",\"t_initial\":" I64MAX ",\"warmup_t\":" I64MAX
       ",\"warmup_prefix\":true}", EXPECT_REJECT_OR_RT, "t_initial|warmup_t"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const struct robust_case *c = &cases[i];
    struct robust_result r = robust_run(c->json);
    if (!CHECK(!r.crashed, "[%s] the library crashed the process (signal %d%s): %s", c->what, r.signal,
               r.signal == 4 ? ", SIGILL: Swift runtime trap" : "", c->json))
      continue;
    switch (c->expect) {
    case EXPECT_ACCEPT:
      CHECK(r.status == PACE_OK, "[%s] status %s, want PACE_OK (\"%s\")", c->what, sname((pace_status)r.status),
            r.message);
      if (r.status == PACE_OK)
        CHECK(r.roundtrip == 1, "[%s] to_json round trip: %s", c->what, r.message);
      break;
    case EXPECT_REJECT:
      CHECK(r.status == PACE_E_SPEC, "[%s] status %s, want PACE_E_SPEC", c->what, sname((pace_status)r.status));
      if (r.status == PACE_E_SPEC)
        CHECK(message_names_path(r.message, c->path), "[%s] message \"%s\" does not name \"%s\"", c->what, r.message,
              c->path);
      break;
    case EXPECT_REJECT_OR_RT:
      CHECK(r.status == PACE_E_SPEC || r.status == PACE_OK, "[%s] status %s, want PACE_E_SPEC or PACE_OK", c->what,
            sname((pace_status)r.status));
      if (r.status == PACE_OK)
        CHECK(r.roundtrip == 1, "[%s] accepted, but to_json does not round-trip: %s", c->what, r.message);
      else if (r.status == PACE_E_SPEC)
        CHECK(message_names_path(r.message, c->path), "[%s] message \"%s\" does not name \"%s\"", c->what, r.message,
              c->path);
      break;
    }
  }

  /* integer step fields above 2^53 are rejected (they could not stay exact in float64) */
  {
    static const char *const specs[] = {
        "{\"phases\":[{\"shape\":\"step\",\"gamma\":0.5,\"step_size\":9007199254740993}]}",
        "{\"phases\":[{\"shape\":\"step\",\"gamma\":0.5,\"milestones\":[9007199254740993]}]}",
    };
    for (size_t i = 0; i < 2; i++) {
      pace_schedule *s = (pace_schedule *)0x1;
      pace_status st = pace_schedule_parse(specs[i], &s);
      CHECK(st == PACE_E_SPEC && s == NULL, "%s: status %s, want PACE_E_SPEC", specs[i], sname(st));
      CHECK(strstr(pace_last_error(), "2^53") != NULL, "%s: message \"%s\" does not name the 2^53 limit", specs[i],
            pace_last_error());
    }
  }
  group_end();
}

/* ---- 12. threads ------------------------------------------------------------ */

static pthread_barrier_t g_barrier;

struct thread_msg {
  int64_t step;       /* negative step this thread fails with */
  char seen[512];     /* its message after the other thread failed */
  char fresh[64];     /* pace_last_error() before any failure on this thread */
  int fresh_null;
  pace_status st;
};

static void *error_thread(void *arg) {
  struct thread_msg *m = arg;
  const char *e = pace_last_error();
  m->fresh_null = e == NULL;
  snprintf(m->fresh, sizeof m->fresh, "%s", e ? e : "");
  double d;
  /* Thread B (odd step) fails first, then thread A, then B reads its message. */
  int first = (m->step % 2) != 0;
  if (first) m->st = pace_schedule_at(g_marker_schedule, m->step, &d);
  pthread_barrier_wait(&g_barrier);
  if (!first) m->st = pace_schedule_at(g_marker_schedule, m->step, &d);
  pthread_barrier_wait(&g_barrier);
  e = pace_last_error();
  snprintf(m->seen, sizeof m->seen, "%s", e ? e : "(NULL)");
  return NULL;
}

struct shared_eval {
  const pace_schedule *s;
  const double *want;
  int64_t n;
  int mismatches;
};

static void *shared_thread(void *arg) {
  struct shared_eval *e = arg;
  for (int rep = 0; rep < 20; rep++) {
    for (int64_t i = 0; i < e->n; i++) {
      double v;
      if (pace_schedule_at(e->s, i, &v) != PACE_OK || !same_bits_f64(v, e->want[i])) e->mismatches++;
    }
  }
  return NULL;
}

static void test_threads(void) {
  group_begin("threads");
  /* pace_last_error is per thread */
  struct thread_msg a = {.step = -111112}, b = {.step = -222223};
  pthread_barrier_init(&g_barrier, NULL, 2);
  pthread_t ta, tb;
  int rc = pthread_create(&ta, NULL, error_thread, &a);
  rc |= pthread_create(&tb, NULL, error_thread, &b);
  CHECK(rc == 0, "pthread_create failed");
  if (rc == 0) {
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK(!a.fresh_null && !b.fresh_null, "pace_last_error() is NULL on a new thread");
    CHECK(a.fresh[0] == '\0' && b.fresh[0] == '\0',
          "new thread's pace_last_error() is not \"\" (A: \"%s\", B: \"%s\")", a.fresh, b.fresh);
    CHECK(a.st == PACE_E_ARGUMENT && b.st == PACE_E_ARGUMENT, "thread failures: %s / %s", sname(a.st),
          sname(b.st));
    CHECK(strstr(a.seen, "111112") != NULL, "thread A's message is \"%s\", want its own failure (-111112)",
          a.seen);
    CHECK(strstr(b.seen, "222223") != NULL && strstr(b.seen, "111112") == NULL,
          "thread B's message changed to \"%s\" after thread A failed", b.seen);
  }
  pthread_barrier_destroy(&g_barrier);

  /* the main thread's message is untouched by the threads */
  set_marker();
  CHECK(strstr(last_error(), MARKER_TEXT) != NULL, "main thread message lost: \"%s\"", last_error());

  /* one immutable schedule shared by several threads */
  pace_schedule *s = PARSE_OK(good_specs[12]);
  if (s) {
    enum { N = 5000, T = 4 };
    static double want[N];
    pace_schedule_fill_f64(s, 0, N, want);
    struct shared_eval ev[T];
    pthread_t th[T];
    int started = 0;
    for (int i = 0; i < T; i++) {
      ev[i] = (struct shared_eval){s, want, N, 0};
      if (pthread_create(&th[i], NULL, shared_thread, &ev[i]) == 0) started++;
      else break;
    }
    int mismatches = 0;
    for (int i = 0; i < started; i++) {
      pthread_join(th[i], NULL);
      mismatches += ev[i].mismatches;
    }
    CHECK(started == T, "started %d of %d threads", started, T);
    CHECK(mismatches == 0, "%d mismatching values when sharing a schedule across threads", mismatches);
    pace_schedule_free(s);
  }
  group_end();
}

/* ---- main -------------------------------------------------------------------- */

/* Fills above 2^53 near a phase boundary equal pace_schedule_at (issue 15:
 * found by a random search; doubles hold every 64th step at 2^58). */
static void test_fill_beyond_2_53(void) {
  group_begin("fills beyond 2^53 == at");
  static const struct {
    const char *spec;
    int64_t start;
  } cases[] = {
      {"{\"phases\":[{\"shape\":\"constant\",\"steps\":2.882303761517118e+17},"
       "{\"shape\":\"sqrt\",\"steps\":3002399751580330.5,\"to\":0}]}", 288230376151711775LL},
      {"{\"phases\":[{\"shape\":\"sqrt\",\"steps\":3002399751580330.5,\"to\":0},"
       "{\"shape\":\"square\",\"steps\":2.882303761517118e+17,\"to\":0.1},{\"shape\":\"cosine\",\"steps\":246.5,\"to\":0}]}",
       291232775903292127LL},
      {"{\"phases\":[{\"shape\":\"exponential\",\"steps\":50.5,\"to\":0.1},"
       "{\"shape\":\"exponential\",\"steps\":5.764607523034235e+17,\"to\":0.5}]}", 576460752303423418LL},
      {"{\"phases\":[{\"shape\":\"linear\",\"steps\":9007199254740990,\"to\":0.5},{\"shape\":\"cosine\",\"steps\":100,\"to\":0}]}",
       9007199254740900LL},
  };
  pace_engine *e = NULL;
  pace_engine_create(NULL, &e);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pace_schedule *s = PARSE_OK(cases[i].spec);
    if (!s) continue;
    static const int64_t counts[] = {7, 33, 80, 200};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
      int64_t n = counts[c];
      double f[200], b[200], a;
      float f32[200];
      int differ = 0, differ32 = 0, differ_batch = 0;
      EXPECT_OK("fill_f64", pace_schedule_fill_f64(s, cases[i].start, n, f));
      EXPECT_OK("fill_f32", pace_schedule_fill_f32(s, cases[i].start, n, f32));
      const pace_schedule *list[1] = {s};
      int batch = e && pace_batch_fill_f64(e, list, 1, cases[i].start, n, b, 200) == PACE_OK;
      for (int64_t k = 0; k < n; k++) {
        pace_schedule_at(s, cases[i].start + k, &a);
        differ += !same_bits_f64(f[k], a);
        differ32 += f32[k] != (float)a;
        differ_batch += batch && !same_bits_f64(b[k], a);
      }
      CHECK(differ == 0 && differ32 == 0 && differ_batch == 0,
            "case %zu, count %lld: fill_f64 differs from at at %d steps, fill_f32 at %d, batch at %d", i, (long long)n,
            differ, differ32, differ_batch);
    }
    pace_schedule_free(s);
  }
  pace_engine_free(e);
  group_end();
}

/* ---- tagged handles (issue 15) and bounded error messages -------------------- */

/* A handle of the wrong kind, a freed handle and garbage give PACE_E_ARGUMENT
 * and a message, never a crash or a silent PACE_OK (pace.h says what cannot be
 * detected: pointers into unmapped memory, and handles freed long ago). */
static void test_handles(void) {
  group_begin("tagged handles");
  pace_schedule *s = PARSE_OK("{\"preset\":\"cosine\",\"total_steps\":100}");
  pace_runtime *rt = NULL;
  pace_status st = pace_runtime_create("{\"channels\":{\"lr\":{\"preset\":\"constant\"}}}", &rt);
  CHECK(st == PACE_OK && rt, "runtime_create: %s", last_error());
  double v = 123, buf[4];
  int64_t n = 0;
  if (s && rt) {
    EXPECT_FAIL("schedule_at(a runtime)", pace_schedule_at((const pace_schedule *)rt, 1, &v), PACE_E_ARGUMENT);
    CHECK(strstr(last_error(), "pace_runtime") != NULL, "message names the kind given: \"%s\"", last_error());
    EXPECT_FAIL("fill_f64(a runtime)", pace_schedule_fill_f64((const pace_schedule *)rt, 0, 4, buf), PACE_E_ARGUMENT);
    EXPECT_FAIL("total_steps(a runtime)", pace_schedule_total_steps((const pace_schedule *)rt, &n), PACE_E_ARGUMENT);
    EXPECT_FAIL("runtime_step(a schedule)", pace_runtime_step((pace_runtime *)s, 1.0, buf, 4), PACE_E_ARGUMENT);
    EXPECT_FAIL("runtime_values(a schedule)", pace_runtime_values((const pace_runtime *)s, buf, 4), PACE_E_ARGUMENT);
    EXPECT_FAIL("law_kind(a schedule)", pace_law_kind((const pace_law *)s, (uint32_t *)&n), PACE_E_ARGUMENT);
    pace_engine_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    EXPECT_FAIL("engine_get_info(a schedule)", pace_engine_get_info((const pace_engine *)s, &info), PACE_E_ARGUMENT);
    const pace_schedule *list[2] = {s, (const pace_schedule *)rt};
    pace_engine *e = NULL;
    if (pace_engine_create(NULL, &e) == PACE_OK) {
      EXPECT_FAIL("batch_fill_f64(schedules[1] a runtime)", pace_batch_fill_f64(e, list, 2, 0, 2, buf, 4),
                  PACE_E_ARGUMENT);
      pace_engine_free(e);
      EXPECT_FAIL("engine_get_info(freed)", pace_engine_get_info(e, &info), PACE_E_ARGUMENT);
    }
  }
  /* freed handles: use after free and double free */
  pace_schedule_free(s);
  EXPECT_FAIL("schedule_at(freed)", pace_schedule_at(s, 1, &v), PACE_E_ARGUMENT);
  CHECK(strstr(last_error(), "freed") != NULL, "message says freed: \"%s\"", last_error());
  set_marker();
  pace_schedule_free(s); /* double free: ignored, recorded */
  CHECK(strstr(last_error(), "freed") != NULL, "double free recorded: \"%s\"", last_error());
  pace_runtime_free(rt);
  EXPECT_FAIL("runtime_step(freed)", pace_runtime_step(rt, 1.0, buf, 4), PACE_E_ARGUMENT);
  pace_runtime_free(rt);
  /* garbage: zeroed and random heap blocks, a small address, a misaligned pointer */
  uint64_t *junk = calloc(16, sizeof(uint64_t));
  EXPECT_FAIL("schedule_at(zeroed block)", pace_schedule_at((const pace_schedule *)junk, 0, &v), PACE_E_ARGUMENT);
  for (int i = 0; i < 16; i++) junk[i] = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1);
  EXPECT_FAIL("runtime_step(random block)", pace_runtime_step((pace_runtime *)junk, 1.0, buf, 4), PACE_E_ARGUMENT);
  pace_schedule_free((pace_schedule *)junk); /* not a handle: left alone */
  free(junk);
  EXPECT_FAIL("schedule_at(0x10)", pace_schedule_at((const pace_schedule *)(uintptr_t)0x10, 0, &v), PACE_E_ARGUMENT);
  char raw[64];
  EXPECT_FAIL("schedule_at(misaligned)", pace_schedule_at((const pace_schedule *)(raw + 3), 0, &v), PACE_E_ARGUMENT);
  group_end();
}

/* A 4 MB field name never makes a 4 MB message (4 MB: fast under valgrind). */
static void test_error_length(void) {
  group_begin("bounded error messages");
  size_t big = 4u << 20;
  char *spec = malloc(big + 64);
  if (spec) {
    strcpy(spec, "{\"");
    memset(spec + 2, 'x', big);
    strcpy(spec + 2 + big, "\":1,\"phases\":[{\"shape\":\"constant\"}]}");
    pace_schedule *s = NULL;
    EXPECT_FAIL("parse(4 MB field name)", pace_schedule_parse(spec, &s), PACE_E_SPEC);
    CHECK(strlen(pace_last_error()) <= 2100, "pace_last_error() is %zu bytes", strlen(pace_last_error()));
    pace_runtime *rt = NULL;
    const char *prefix = "{\"channels\":{\"lr\":{\"preset\":\"constant\"}},\"refine\":{\"every\":5,\"channel\":\"";
    size_t p = strlen(prefix);
    memcpy(spec, prefix, p);
    memset(spec + p, 'y', big - p);
    strcpy(spec + big, "\"}}");
    EXPECT_FAIL("runtime_create(4 MB channel name)", pace_runtime_create(spec, &rt), PACE_E_SPEC);
    CHECK(strlen(pace_last_error()) <= 2100, "pace_last_error() is %zu bytes", strlen(pace_last_error()));
    free(spec);
  }
  group_end();
}

int main(void) {
  printf("pace ABI test: header %d.%d.%d, library %s (%s)\n", PACE_VERSION_MAJOR, PACE_VERSION_MINOR,
         PACE_VERSION_PATCH, pace_version_string() ? pace_version_string() : "(NULL)",
         pace_build_info() ? pace_build_info() : "(NULL)");
  /* the marker schedule: any valid schedule */
  if (pace_schedule_parse("{\"preset\":\"constant\"}", &g_marker_schedule) != PACE_OK || !g_marker_schedule) {
    fprintf(stderr, "cannot parse the marker schedule: %s\n", last_error());
    printf("0 passed, 1 failed\n");
    return 1;
  }
  test_threads();
  test_versions();
  test_status_names();
  test_null_arguments();
  test_fill_arguments();
  test_to_json();
  test_bad_specs();
  test_bit_identity();
  test_roundtrip();
  test_total_steps();
  test_values();
  test_references();
  test_robustness();
  test_handles();
  test_error_length();
  test_fill_beyond_2_53();
  pace_schedule_free(g_marker_schedule);
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed ? 1 : 0;
}
