/*
 * runtime_api_test.c - the training-loop runtime's API (pace_runtime_*)
 * through the shipped libpace.so, as a C trainer uses it:
 *   - every function normally and with NULL handles, outputs and paths,
 *     capacities too small (PACE_E_BUFFER_TOO_SMALL and *needed), negative
 *     and zero counts, unknown channels, bad decay shapes, total_steps not
 *     past the current step; nothing changes when a call fails;
 *   - 41 rejected configs: PACE_E_SPEC, *out NULL, a fresh message that
 *     names the JSON path ("path: what is wrong");
 *   - the group-major values layout (2 channels x 3 groups, scales applied),
 *     pace_runtime_values not advancing, pace_runtime_step_count;
 *   - distinct runtimes on distinct threads.
 *
 * Prints one line per check group (failed checks above it), then
 * "N passed, M failed"; exits 1 when any check failed.
 *
 * Build: cc -std=c11 -Wall -Wextra -Werror -pthread abi-tests/c/runtime_api_test.c \
 *          $(pkg-config --cflags --libs pace) -lm        (abi-tests/c/run.sh)
 */
#define _XOPEN_SOURCE 700

#include "runtime_common.h"

/* ---- 1. arguments: NULLs, counts, capacities ------------------------------- */

#define CFG_SMALL                                                                                      \
  "{\"channels\":{\"lr\":{\"preset\":\"cosine\",\"peak\":1e-3,\"warmup_steps\":10,\"total_steps\":100}," \
  "\"weight_decay\":{\"peak\":0.1,\"phases\":[{\"shape\":\"constant\"}]}},"                            \
  "\"groups\":[{\"name\":\"a\",\"scale\":{\"lr\":0.5}},{\"name\":\"b\"}]}"

static void test_runtime_arguments(void) {
  group_begin("runtime arguments");
  pace_runtime *rt = CREATE_OK(CFG_SMALL);
  pace_runtime *twin = CREATE_OK(CFG_SMALL);
  if (!rt || !twin) {
    pace_runtime_free(rt);
    pace_runtime_free(twin);
    group_end();
    return;
  }
  double v[8];
  int64_t i64 = 0, c = -1, g = -1;
  size_t needed = 0;
  char name[64];

  /* create */
  pace_runtime *out = (pace_runtime *)(uintptr_t)0x1;
  EXPECT_FAIL("create(NULL config)", pace_runtime_create(NULL, &out), PACE_E_ARGUMENT);
  CHECK(out == NULL, "create(NULL config): *out not set to NULL");
  EXPECT_FAIL("create(config, NULL out)", pace_runtime_create(CFG_SMALL, NULL), PACE_E_ARGUMENT);
  pace_runtime_free(NULL); /* must not crash */
  CHECK(1, "pace_runtime_free(NULL)");

  /* shape */
  EXPECT_FAIL("shape(NULL)", pace_runtime_shape(NULL, &c, &g), PACE_E_ARGUMENT);
  EXPECT_OK("shape(rt, &c, &g)", pace_runtime_shape(rt, &c, &g));
  CHECK(c == 2 && g == 2, "shape = %lld x %lld, want 2 x 2", (long long)c, (long long)g);
  EXPECT_OK("shape(rt, NULL, NULL)", pace_runtime_shape(rt, NULL, NULL));
  c = -1;
  EXPECT_OK("shape(rt, &c, NULL)", pace_runtime_shape(rt, &c, NULL));
  CHECK(c == 2, "shape(rt, &c, NULL): channels %lld", (long long)c);
  g = -1;
  EXPECT_OK("shape(rt, NULL, &g)", pace_runtime_shape(rt, NULL, &g));
  CHECK(g == 2, "shape(rt, NULL, &g): groups %lld", (long long)g);

  /* group_name (the (buf, cap, *needed) pattern itself is checked on channel_name below) */
  EXPECT_FAIL("group_name(NULL)", pace_runtime_group_name(NULL, 0, name, sizeof name, &needed), PACE_E_ARGUMENT);
  EXPECT_FAIL("group_name(index -1)", pace_runtime_group_name(rt, -1, name, sizeof name, &needed), PACE_E_ARGUMENT);
  EXPECT_FAIL("group_name(index 2 of 2)", pace_runtime_group_name(rt, 2, name, sizeof name, &needed),
              PACE_E_ARGUMENT);
  EXPECT_FAIL("group_name(INT64_MIN)", pace_runtime_group_name(rt, INT64_MIN, name, sizeof name, &needed),
              PACE_E_ARGUMENT);
  needed = 0;
  EXPECT_FAIL("group_name(cap 1)", pace_runtime_group_name(rt, 1, name, 1, &needed), PACE_E_BUFFER_TOO_SMALL);
  CHECK(needed == 2, "group_name(cap 1): *needed %zu, want 2", needed);
  EXPECT_OK("group_name(0)", pace_runtime_group_name(rt, 0, name, sizeof name, &needed));
  CHECK(strcmp(name, "a") == 0, "group_name(0) = \"%.20s\", want \"a\"", name);

  /* channel_name */
  EXPECT_FAIL("channel_name(NULL)", pace_runtime_channel_name(NULL, 0, name, sizeof name, &needed), PACE_E_ARGUMENT);
  EXPECT_FAIL("channel_name(index -1)", pace_runtime_channel_name(rt, -1, name, sizeof name, &needed),
              PACE_E_ARGUMENT);
  EXPECT_FAIL("channel_name(index 2 of 2)", pace_runtime_channel_name(rt, 2, name, sizeof name, &needed),
              PACE_E_ARGUMENT);
  EXPECT_FAIL("channel_name(INT64_MAX)", pace_runtime_channel_name(rt, INT64_MAX, name, sizeof name, &needed),
              PACE_E_ARGUMENT);
  EXPECT_FAIL("channel_name(INT64_MIN)", pace_runtime_channel_name(rt, INT64_MIN, name, sizeof name, &needed),
              PACE_E_ARGUMENT);
  needed = 0;
  EXPECT_FAIL("channel_name(NULL buf)", pace_runtime_channel_name(rt, 1, NULL, 0, &needed), PACE_E_BUFFER_TOO_SMALL);
  CHECK(needed == strlen("weight_decay") + 1, "channel_name(NULL buf): *needed %zu, want %zu", needed,
        strlen("weight_decay") + 1);
  needed = 0;
  EXPECT_FAIL("channel_name(NULL buf, cap 64)", pace_runtime_channel_name(rt, 1, NULL, 64, &needed),
              PACE_E_BUFFER_TOO_SMALL);
  CHECK(needed == 13, "channel_name(NULL buf, cap 64): *needed %zu, want 13", needed);
  memset(name, 'x', sizeof name);
  needed = 0;
  EXPECT_FAIL("channel_name(cap 12 for 13)", pace_runtime_channel_name(rt, 1, name, 12, &needed),
              PACE_E_BUFFER_TOO_SMALL);
  CHECK(needed == 13, "channel_name(cap 12): *needed %zu, want 13", needed);
  EXPECT_FAIL2("channel_name(cap 12, NULL needed)", pace_runtime_channel_name(rt, 1, name, 12, NULL),
               PACE_E_BUFFER_TOO_SMALL, PACE_E_ARGUMENT);
  needed = 0;
  EXPECT_OK("channel_name(cap 13)", pace_runtime_channel_name(rt, 1, name, 13, &needed));
  CHECK(strcmp(name, "weight_decay") == 0 && needed == 13, "channel_name(1) = \"%.20s\" (needed %zu)", name, needed);
  name[0] = 0;
  /* a large enough buffer with needed NULL (size not wanted): OK, or ARGUMENT for the NULL */
  pace_status nst = pace_runtime_channel_name(rt, 0, name, sizeof name, NULL);
  CHECK(nst == PACE_OK || nst == PACE_E_ARGUMENT, "channel_name(NULL needed): status %s", sname(nst));
  if (nst == PACE_OK) CHECK(strcmp(name, "lr") == 0, "channel_name(0) = \"%.20s\", want \"lr\"", name);
  EXPECT_OK("channel_name(0)", pace_runtime_channel_name(rt, 0, name, sizeof name, &needed));
  CHECK(strcmp(name, "lr") == 0 && needed == 3, "channel_name(0) = \"%.20s\" (needed %zu), want \"lr\" (3)", name,
        needed);

  /* step / values / step_count */
  EXPECT_FAIL("step(NULL)", pace_runtime_step(NULL, 1.0, v, 8), PACE_E_ARGUMENT);
  EXPECT_FAIL("step(NULL out)", pace_runtime_step(rt, 1.0, NULL, 8), PACE_E_ARGUMENT);
  EXPECT_FAIL("step(NULL out, cap 0)", pace_runtime_step(rt, 1.0, NULL, 0), PACE_E_ARGUMENT);
  EXPECT_FAIL("step(cap 3 for 4)", pace_runtime_step(rt, 1.0, v, 3), PACE_E_BUFFER_TOO_SMALL);
  EXPECT_FAIL("step(cap 0)", pace_runtime_step(rt, 1.0, v, 0), PACE_E_BUFFER_TOO_SMALL);
  CHECK(step_count(rt) == 0, "failed steps advanced the runtime to step %lld", (long long)step_count(rt));
  EXPECT_FAIL("values(NULL)", pace_runtime_values(NULL, v, 8), PACE_E_ARGUMENT);
  EXPECT_FAIL("values(NULL out)", pace_runtime_values(rt, NULL, 8), PACE_E_ARGUMENT);
  EXPECT_FAIL("values(cap 3 for 4)", pace_runtime_values(rt, v, 3), PACE_E_BUFFER_TOO_SMALL);
  EXPECT_OK("values(cap 4)", pace_runtime_values(rt, v, 4));
  EXPECT_OK("values(cap SIZE_MAX, buffer large enough)", pace_runtime_values(rt, v, SIZE_MAX));
  EXPECT_FAIL("step_count(NULL)", pace_runtime_step_count(NULL, &i64), PACE_E_ARGUMENT);
  EXPECT_FAIL("step_count(NULL out)", pace_runtime_step_count(rt, NULL), PACE_E_ARGUMENT);
  EXPECT_OK("step(NaN norm: not measured)", pace_runtime_step(rt, NAN, v, 4));
  EXPECT_OK("step(cap exact)", pace_runtime_step(rt, 1.5, v, 4));
  CHECK(step_count(rt) == 2, "step_count %lld after 2 steps", (long long)step_count(rt));
  EXPECT_OK("twin steps", advance(twin, 2, 1.0));

  /* begin_decay */
  EXPECT_FAIL("begin_decay(NULL)", pace_runtime_begin_decay(NULL, NULL, 10, "linear", 0.1), PACE_E_ARGUMENT);
  EXPECT_FAIL("begin_decay(NULL shape)", pace_runtime_begin_decay(rt, NULL, 10, NULL, 0.1), PACE_E_ARGUMENT);
  EXPECT_FAIL("begin_decay(unknown channel)", pace_runtime_begin_decay(rt, "momentum", 10, "linear", 0.1),
              PACE_E_ARGUMENT);
  CHECK(strstr(last_error(), "momentum") != NULL, "begin_decay(unknown channel): message \"%s\" does not name it",
        last_error());
  EXPECT_FAIL("begin_decay(channel \"\")", pace_runtime_begin_decay(rt, "", 10, "linear", 0.1), PACE_E_ARGUMENT);
  EXPECT_FAIL("begin_decay(channel \"LR\": names are case-sensitive)",
              pace_runtime_begin_decay(rt, "LR", 10, "linear", 0.1), PACE_E_ARGUMENT);
  EXPECT_FAIL("begin_decay(channel invalid UTF-8)", pace_runtime_begin_decay(rt, "l\xffr", 10, "linear", 0.1),
              PACE_E_ARGUMENT);
  EXPECT_FAIL("begin_decay(decay_steps 0)", pace_runtime_begin_decay(rt, NULL, 0, "linear", 0.1), PACE_E_ARGUMENT);
  EXPECT_FAIL("begin_decay(decay_steps -5)", pace_runtime_begin_decay(rt, NULL, -5, "linear", 0.1), PACE_E_ARGUMENT);
  EXPECT_FAIL("begin_decay(decay_steps INT64_MIN)", pace_runtime_begin_decay(rt, NULL, INT64_MIN, "linear", 0.1),
              PACE_E_ARGUMENT);
  EXPECT_FAIL("begin_decay(decay_steps INT64_MAX)", pace_runtime_begin_decay(rt, NULL, INT64_MAX, "linear", 0.1),
              PACE_E_ARGUMENT);
  EXPECT_FAIL("begin_decay(to NaN)", pace_runtime_begin_decay(rt, NULL, 10, "linear", NAN), PACE_E_ARGUMENT);
  EXPECT_FAIL("begin_decay(to +Inf)", pace_runtime_begin_decay(rt, NULL, 10, "linear", INFINITY), PACE_E_ARGUMENT);
  EXPECT_FAIL("begin_decay(to -0.1)", pace_runtime_begin_decay(rt, NULL, 10, "linear", -0.1), PACE_E_ARGUMENT);
  /* bad shapes: not one of the decay shapes is a bad argument */
  static const char *const bad_shapes[] = {"zigzag", "", "Linear", "constant", "table", "step", "inverse_sqrt",
                                           "uba", "cosine ", "linear\n"};
  for (size_t k = 0; k < sizeof bad_shapes / sizeof bad_shapes[0]; k++) {
    char what[96];
    snprintf(what, sizeof what, "begin_decay(shape \"%s\")", bad_shapes[k]);
    EXPECT_FAIL(what, pace_runtime_begin_decay(rt, NULL, 10, bad_shapes[k], 0.1), PACE_E_ARGUMENT);
  }
  EXPECT_FAIL("begin_decay(exponential to 0)", pace_runtime_begin_decay(rt, NULL, 10, "exponential", 0.0),
              PACE_E_ARGUMENT);

  /* rewarm */
  EXPECT_FAIL("rewarm(NULL)", pace_runtime_rewarm(NULL, NULL, SPEC_LR_COSINE), PACE_E_ARGUMENT);
  EXPECT_FAIL("rewarm(NULL spec)", pace_runtime_rewarm(rt, NULL, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("rewarm(unknown channel)", pace_runtime_rewarm(rt, "momentum", SPEC_LR_COSINE), PACE_E_ARGUMENT);
  EXPECT_FAIL("rewarm(bad spec)", pace_runtime_rewarm(rt, NULL, "{\"phases\":[{\"shape\":\"linear\",\"steps\":-5,\"to\":0}]}"),
              PACE_E_SPEC);
  CHECK(strstr(last_error(), "phases[0].steps") != NULL, "rewarm(bad spec): message \"%s\" does not name "
        "phases[0].steps", last_error());
  EXPECT_FAIL("rewarm(not JSON)", pace_runtime_rewarm(rt, "lr", "cosine please"), PACE_E_SPEC);
  EXPECT_FAIL("rewarm(empty spec)", pace_runtime_rewarm(rt, "lr", ""), PACE_E_SPEC);

  /* set_total_steps: must be past the current step (2) */
  EXPECT_FAIL("set_total_steps(NULL)", pace_runtime_set_total_steps(NULL, 100), PACE_E_ARGUMENT);
  EXPECT_FAIL("set_total_steps(current step)", pace_runtime_set_total_steps(rt, 2), PACE_E_ARGUMENT);
  EXPECT_FAIL("set_total_steps(current - 1)", pace_runtime_set_total_steps(rt, 1), PACE_E_ARGUMENT);
  EXPECT_FAIL("set_total_steps(0)", pace_runtime_set_total_steps(rt, 0), PACE_E_ARGUMENT);
  EXPECT_FAIL("set_total_steps(-100)", pace_runtime_set_total_steps(rt, -100), PACE_E_ARGUMENT);
  EXPECT_FAIL("set_total_steps(INT64_MIN)", pace_runtime_set_total_steps(rt, INT64_MIN), PACE_E_ARGUMENT);

  /* none of the failed calls changed anything: same future as the twin */
  int64_t diff = -1;
  CHECK(step_count(rt) == 2, "failed calls changed the step to %lld", (long long)step_count(rt));
  CHECK(same_future(rt, twin, 300, &diff), "after the failed calls the runtime's values differ from an untouched "
        "twin's (from step %lld on)", (long long)diff);

  /* save (buf, cap, *needed) */
  EXPECT_FAIL("save(NULL)", pace_runtime_save(NULL, NULL, 0, &needed), PACE_E_ARGUMENT);
  needed = 0;
  EXPECT_FAIL("save(NULL buf)", pace_runtime_save(rt, NULL, 0, &needed), PACE_E_BUFFER_TOO_SMALL);
  size_t want = needed;
  CHECK(want > 24, "save(NULL buf): *needed %zu", want);
  needed = 0;
  EXPECT_FAIL("save(NULL buf, cap 1 MB)", pace_runtime_save(rt, NULL, 1 << 20, &needed), PACE_E_BUFFER_TOO_SMALL);
  CHECK(needed == want, "save(NULL buf, cap 1 MB): *needed %zu, want %zu", needed, want);
  EXPECT_FAIL2("save(NULL buf, NULL needed)", pace_runtime_save(rt, NULL, 0, NULL), PACE_E_BUFFER_TOO_SMALL,
               PACE_E_ARGUMENT);
  unsigned char *blob = want > 24 ? malloc(want + 16) : NULL;
  if (blob) {
    memset(blob, 0xAB, want + 16);
    needed = 0;
    EXPECT_FAIL("save(cap needed-1)", pace_runtime_save(rt, blob, want - 1, &needed), PACE_E_BUFFER_TOO_SMALL);
    CHECK(needed == want, "save(cap needed-1): *needed %zu, want %zu", needed, want);
    CHECK(blob[0] == 0xAB, "save(cap needed-1) wrote into the buffer");
    nst = pace_runtime_save(rt, blob, want, NULL);
    CHECK(nst == PACE_OK || nst == PACE_E_ARGUMENT, "save(cap needed, NULL needed): status %s", sname(nst));
    needed = 0;
    EXPECT_OK("save(cap needed+16)", pace_runtime_save(rt, blob, want + 16, &needed));
    CHECK(needed == want, "save(cap larger): *needed %zu, want %zu", needed, want);
    CHECK(blob[want] == 0xAB, "save wrote past *needed bytes");

    /* load */
    out = (pace_runtime *)(uintptr_t)0x1;
    EXPECT_FAIL("load(NULL buf)", pace_runtime_load(NULL, want, &out), PACE_E_ARGUMENT);
    CHECK(out == NULL, "load(NULL buf): *out not NULL");
    EXPECT_FAIL("load(NULL buf, size 0)", pace_runtime_load(NULL, 0, &out), PACE_E_ARGUMENT);
    EXPECT_FAIL("load(NULL out)", pace_runtime_load(blob, want, NULL), PACE_E_ARGUMENT);
    out = (pace_runtime *)(uintptr_t)0x1;
    EXPECT_FAIL("load(size 0)", pace_runtime_load(blob, 0, &out), PACE_E_STATE);
    CHECK(out == NULL, "load(size 0): *out not NULL");
    out = (pace_runtime *)(uintptr_t)0x1;
    EXPECT_FAIL("load(one trailing byte)", pace_runtime_load(blob, want + 1, &out), PACE_E_STATE);
    CHECK(out == NULL, "load(trailing byte): *out not NULL");
    out = NULL;
    EXPECT_OK("load(blob)", pace_runtime_load(blob, want, &out));
    CHECK(out != NULL && step_count(out) == 302, "loaded step %lld, want 302", (long long)step_count(out));
    if (out) {
      EXPECT_OK("group_name(loaded, 1)", pace_runtime_group_name(out, 1, name, sizeof name, &needed));
      CHECK(strcmp(name, "b") == 0, "group_name(loaded, 1) = \"%.20s\", want \"b\" (names survive load)", name);
    }
    pace_runtime_free(out);
    free(blob);
  }

  /* save_file / load_file */
  char path[320], dirpath[320], missing[320];
  tmp_path(path, sizeof path, "args.ckpt");
  tmp_path(dirpath, sizeof dirpath, "args.dir");
  tmp_path(missing, sizeof missing, "no/such/folder/x.ckpt");
  mkdir(dirpath, 0755);
  EXPECT_FAIL("save_file(NULL)", pace_runtime_save_file(NULL, path), PACE_E_ARGUMENT);
  EXPECT_FAIL("save_file(NULL path)", pace_runtime_save_file(rt, NULL), PACE_E_ARGUMENT);
  set_marker();
  pace_status st = pace_runtime_save_file(rt, missing);
  expect_failure(__LINE__, "save_file(missing folder)", st == PACE_OK ? PACE_OK : PACE_E_ARGUMENT, PACE_E_ARGUMENT);
  CHECK(strstr(last_error(), "no/such/folder") != NULL, "save_file(missing folder): message \"%s\" does not name the "
        "path", last_error());
  set_marker();
  st = pace_runtime_save_file(rt, dirpath);
  expect_failure(__LINE__, "save_file(path is a folder)", st == PACE_OK ? PACE_OK : PACE_E_ARGUMENT, PACE_E_ARGUMENT);
  set_marker();
  st = pace_runtime_save_file(rt, "");
  expect_failure(__LINE__, "save_file(\"\")", st == PACE_OK ? PACE_OK : PACE_E_ARGUMENT, PACE_E_ARGUMENT);
  EXPECT_OK("save_file(path)", pace_runtime_save_file(rt, path));
  out = (pace_runtime *)(uintptr_t)0x1;
  EXPECT_FAIL("load_file(NULL path)", pace_runtime_load_file(NULL, &out), PACE_E_ARGUMENT);
  CHECK(out == NULL, "load_file(NULL path): *out not NULL");
  EXPECT_FAIL("load_file(NULL out)", pace_runtime_load_file(path, NULL), PACE_E_ARGUMENT);
  out = (pace_runtime *)(uintptr_t)0x1;
  set_marker();
  st = pace_runtime_load_file(missing, &out);
  expect_failure(__LINE__, "load_file(missing file)", st == PACE_OK ? PACE_OK : PACE_E_ARGUMENT, PACE_E_ARGUMENT);
  CHECK(out == NULL, "load_file(missing file): *out not NULL");
  CHECK(strstr(last_error(), "no/such/folder") != NULL, "load_file(missing file): message \"%s\" does not name the "
        "path", last_error());
  out = (pace_runtime *)(uintptr_t)0x1;
  set_marker();
  st = pace_runtime_load_file(dirpath, &out);
  expect_failure(__LINE__, "load_file(a folder)", st == PACE_OK ? PACE_OK : PACE_E_ARGUMENT, PACE_E_ARGUMENT);
  CHECK(out == NULL, "load_file(a folder): *out not NULL");
  char garbage_path[320];
  tmp_path(garbage_path, sizeof garbage_path, "garbage.ckpt");
  static const char garbage[] = "this is not a checkpoint, not even close to one";
  write_file(garbage_path, garbage, sizeof garbage);
  out = (pace_runtime *)(uintptr_t)0x1;
  EXPECT_FAIL("load_file(garbage file)", pace_runtime_load_file(garbage_path, &out), PACE_E_STATE);
  CHECK(out == NULL, "load_file(garbage): *out not NULL");
  write_file(garbage_path, "", 0);
  EXPECT_FAIL("load_file(empty file)", pace_runtime_load_file(garbage_path, &out), PACE_E_STATE);
  out = NULL;
  EXPECT_OK("load_file(path)", pace_runtime_load_file(path, &out));
  CHECK(out != NULL && step_count(out) == step_count(rt), "load_file: step %lld, want %lld", (long long)step_count(out),
        (long long)step_count(rt));
  CHECK(out && same_future(out, rt, 200, &diff), "load_file: the loaded runtime's values differ from step %lld",
        (long long)diff);
  pace_runtime_free(out);
  /* a failed save_file("") must not leave a temporary file in the cwd */
  {
    int stray = 0;
    DIR *d = opendir(".");
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
      if (strncmp(e->d_name, ".tmp.", 5) == 0) {
        char own[64];
        snprintf(own, sizeof own, ".tmp.%ld", (long)getpid());
        if (strcmp(e->d_name, own) == 0) {
          stray++;
          unlink(e->d_name);
        }
      }
    }
    if (d) closedir(d);
    CHECK(stray == 0, "save_file(\"\") left a temporary file \".tmp.%ld\" in the current folder (removed)",
          (long)getpid());
  }
  unlink(path);
  unlink(garbage_path);
  rmdir(dirpath);

  pace_runtime_free(rt);
  pace_runtime_free(twin);
  group_end();
}

/* ---- 2. rejected configs ------------------------------------------------- */

struct bad_config {
  const char *what;
  const char *json;
  /* JSON path the message must name, followed by ": "; alternatives separated
   * by '|'; NULL for document-level syntax errors (no path exists) */
  const char *path;
};

#define LR_OK "\"lr\":{\"preset\":\"cosine\",\"total_steps\":100}"
#define LR_OPEN "\"lr\":{\"preset\":\"constant\"}"

static void test_bad_configs(void) {
  group_begin("rejected configs");
  static const struct bad_config cases[] = {
      {"not JSON", "hello", NULL},
      {"empty text", "", NULL},
      {"truncated", "{\"channels\":{" LR_OK "}", NULL},
      {"trailing text", "{\"channels\":{" LR_OK "}} x", NULL},
      {"top-level array", "[1]", NULL},
      {"invalid UTF-8", "{\"channels\":{\"l\xff\":{\"preset\":\"constant\"}}}", NULL},
      {"missing channels", "{}", "channels"},
      {"missing channels, groups given", "{\"groups\":[{\"name\":\"a\"}]}", "channels"},
      {"channels empty", "{\"channels\":{}}", "channels"},
      {"channels an array", "{\"channels\":[1]}", "channels"},
      {"channel name empty", "{\"channels\":{\"\":{\"preset\":\"constant\"}}}", "channels"},
      {"duplicate channel", "{\"channels\":{" LR_OK "," LR_OPEN "}}", "channels.lr|channels"},
      {"unknown top-level field", "{\"channels\":{" LR_OK "},\"bogus\":1}", "bogus"},
      {"config version 2", "{\"version\":2,\"channels\":{" LR_OK "}}", "version"},
      {"bad spec inside a channel", "{\"channels\":{\"lr\":{\"phases\":[{\"shape\":\"linear\",\"steps\":-5,\"to\":0}]}}}",
       "channels.lr.phases[0].steps"},
      {"unknown shape in 2nd channel",
       "{\"channels\":{" LR_OK ",\"wd\":{\"peak\":0.1,\"phases\":[{\"shape\":\"zigzag\"}]}}}", "channels.wd.phases[0].shape"},
      {"unknown preset in a channel", "{\"channels\":{\"lr\":{\"preset\":\"cosinus\"}}}", "channels.lr.preset"},
      {"channel spec a number", "{\"channels\":{\"lr\":5}}", "channels.lr"},
      {"channel spec with bad peak", "{\"channels\":{\"lr\":{\"preset\":\"constant\",\"peak\":-1}}}", "channels.lr.peak"},
      {"groups empty", "{\"channels\":{" LR_OK "},\"groups\":[]}", "groups"},
      {"groups an object", "{\"channels\":{" LR_OK "},\"groups\":{}}", "groups"},
      {"group not an object", "{\"channels\":{" LR_OK "},\"groups\":[5]}", "groups[0]"},
      {"group unknown field", "{\"channels\":{" LR_OK "},\"groups\":[{\"name\":\"a\"},{\"bogus\":1}]}", "groups[1].bogus"},
      {"group name a number", "{\"channels\":{" LR_OK "},\"groups\":[{\"name\":5}]}", "groups[0].name"},
      {"group scale names an unknown channel",
       "{\"channels\":{" LR_OK "},\"groups\":[{\"name\":\"a\",\"scale\":{\"momentum\":0.5}}]}", "groups[0].scale.momentum"},
      {"negative group scale", "{\"channels\":{" LR_OK "},\"groups\":[{\"name\":\"a\",\"scale\":{\"lr\":-0.5}}]}",
       "groups[0].scale.lr"},
      {"group scale a string", "{\"channels\":{" LR_OK "},\"groups\":[{\"scale\":{\"lr\":\"x\"}}]}", "groups[0].scale.lr"},
      {"group scale 1e999", "{\"channels\":{" LR_OK "},\"groups\":[{\"scale\":{\"lr\":1e999}}]}", "groups[0].scale.lr"},
      {"refine on an open-ended lr", "{\"channels\":{" LR_OPEN "},\"refine\":{\"every\":10}}", "channels.lr|refine"},
      {"refine.every 0", "{\"channels\":{" LR_OK "},\"refine\":{\"every\":0}}", "refine.every"},
      {"refine.every -3", "{\"channels\":{" LR_OK "},\"refine\":{\"every\":-3}}", "refine.every"},
      {"refine.every 1.5", "{\"channels\":{" LR_OK "},\"refine\":{\"every\":1.5}}", "refine.every"},
      {"refine without every", "{\"channels\":{" LR_OK "},\"refine\":{}}", "refine.every"},
      {"refine not an object", "{\"channels\":{" LR_OK "},\"refine\":5}", "refine"},
      {"refine.norm l3", "{\"channels\":{" LR_OK "},\"refine\":{\"every\":10,\"norm\":\"l3\"}}", "refine.norm"},
      {"refine.smoothing 2", "{\"channels\":{" LR_OK "},\"refine\":{\"every\":10,\"smoothing\":2}}", "refine.smoothing"},
      {"refine.smoothing -0.1", "{\"channels\":{" LR_OK "},\"refine\":{\"every\":10,\"smoothing\":-0.1}}",
       "refine.smoothing"},
      {"refine.min_history 1", "{\"channels\":{" LR_OK "},\"refine\":{\"every\":10,\"min_history\":1}}",
       "refine.min_history"},
      {"refine.channel unknown", "{\"channels\":{" LR_OK "},\"refine\":{\"every\":10,\"channel\":\"wd\"}}",
       "refine.channel"},
      {"refine without an lr channel", "{\"channels\":{\"wd\":{\"preset\":\"constant\"}},\"refine\":{\"every\":10}}",
       "refine.channel|refine"},
      {"refine unknown field", "{\"channels\":{" LR_OK "},\"refine\":{\"every\":10,\"bogus\":1}}", "refine.bogus"},
  };
  int n = (int)(sizeof cases / sizeof cases[0]);
  for (int i = 0; i < n; i++) {
    const struct bad_config *b = &cases[i];
    pace_runtime *out = (pace_runtime *)(uintptr_t)0x1;
    char what[160];
    snprintf(what, sizeof what, "config [%s]", b->what);
    set_marker();
    pace_status st = pace_runtime_create(b->json, &out);
    expect_failure(__LINE__, what, st, PACE_E_SPEC);
    CHECK(out == NULL, "%s: *out not set to NULL on failure", what);
    if (st == PACE_OK && out && out != (pace_runtime *)(uintptr_t)0x1) pace_runtime_free(out);
    if (b->path && st != PACE_OK) {
      /* "path: what is wrong": the path, then a colon */
      char with_colon[256] = "";
      char tmp[256];
      snprintf(tmp, sizeof tmp, "%s", b->path);
      char *save = NULL;
      for (char *p = strtok_r(tmp, "|", &save); p; p = strtok_r(NULL, "|", &save)) {
        size_t len = strlen(with_colon);
        snprintf(with_colon + len, sizeof with_colon - len, "%s%s: ", len ? "|" : "", p);
      }
      CHECK(message_names_path(last_error(), with_colon), "%s: message \"%s\" does not name \"%s\" as \"path: ...\"",
            what, last_error(), b->path);
    }
  }
  note("%d rejected configs", n);

  /* accepted variants around the rejected ones */
  static const char *const good[] = {
      "{\"channels\":{" LR_OK "},\"refine\":null}",
      "{\"version\":1,\"channels\":{" LR_OK "}}",
      "{\"channels\":{" LR_OK "},\"groups\":[{}]}",
      "{\"channels\":{" LR_OK "},\"groups\":[{\"name\":\"a\",\"scale\":{}}]}",
      "{\"channels\":{" LR_OK "},\"groups\":[{\"name\":\"a\",\"scale\":{\"lr\":0}}]}",
      "{\"channels\":{" LR_OK "},\"refine\":{\"every\":1,\"norm\":\"l1\",\"smoothing\":0,\"min_history\":2}}",
      "{\"channels\":{" LR_OK ",\"wd\":{\"preset\":\"constant\"}},\"refine\":{\"every\":5,\"channel\":\"lr\"}}",
      "{\"channels\":{\"\xc3\xa9ta\":{\"preset\":\"constant\"}}}",
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    pace_runtime *rt = CREATE_OK(good[i]);
    pace_runtime_free(rt);
  }
  group_end();
}

/* ---- 3. values layout ------------------------------------------------------ */

#define CFG_LAYOUT                                                                                   \
  "{\"channels\":{\"weight_decay\":" SPEC_WD ",\"lr\":" SPEC_LR2 "},"                                \
  "\"groups\":[{\"name\":\"embed\",\"scale\":{\"lr\":0.25}},{\"name\":\"body\"},"                    \
  "{\"name\":\"head\",\"scale\":{\"lr\":3,\"weight_decay\":0}}]}"

static void test_values_layout(void) {
  group_begin("values layout");
  pace_runtime *rt = CREATE_OK(CFG_LAYOUT);
  pace_schedule *wd = PARSE_OK(SPEC_WD), *lr = PARSE_OK(SPEC_LR2);
  if (!rt || !wd || !lr) {
    pace_runtime_free(rt);
    pace_schedule_free(wd);
    pace_schedule_free(lr);
    group_end();
    return;
  }
  int64_t c = 0, g = 0;
  pace_runtime_shape(rt, &c, &g);
  CHECK(c == 2 && g == 3, "shape %lld x %lld, want 2 channels x 3 groups", (long long)c, (long long)g);
  char name[32];
  pace_runtime_channel_name(rt, 0, name, sizeof name, NULL);
  CHECK(strcmp(name, "weight_decay") == 0, "channel 0 is \"%s\", want \"weight_decay\" (config order)", name);
  pace_runtime_channel_name(rt, 1, name, sizeof name, NULL);
  CHECK(strcmp(name, "lr") == 0, "channel 1 is \"%s\", want \"lr\"", name);

  static const double scale[3][2] = {{1, 0.25}, {1, 1}, {0, 3}}; /* [group][channel] */
  const pace_schedule *sched[2] = {wd, lr};
  int bad_step = 0, bad_values = 0, bad_idem = 0, bad_count = 0;
  char first[256] = "";
  double v[6], w[6], x[6];
  for (int64_t s = 0; s <= 300; s++) {
    if (s > 0) {
      for (int k = 0; k < 6; k++) v[k] = -1;
      if (pace_runtime_step(rt, 1.0, v, 6) != PACE_OK) bad_step++;
    } else if (pace_runtime_values(rt, v, 6) != PACE_OK) {
      bad_values++;
    }
    if (step_count(rt) != s) bad_count++;
    if (pace_runtime_values(rt, w, 6) != PACE_OK || pace_runtime_values(rt, x, 6) != PACE_OK) bad_values++;
    if (memcmp(v, w, sizeof v) != 0 || memcmp(w, x, sizeof w) != 0) bad_idem++;
    if (step_count(rt) != s) bad_count++;
    for (int gi = 0; gi < 3; gi++) {
      for (int ci = 0; ci < 2; ci++) {
        double want = at(sched[ci], s) * scale[gi][ci];
        if (!same_bits(w[gi * 2 + ci], want) && first[0] == '\0') {
          snprintf(first, sizeof first, "step %lld group %d channel %d: out[%d] = %.17g, want %.17g", (long long)s, gi,
                   ci, gi * 2 + ci, w[gi * 2 + ci], want);
        }
      }
    }
  }
  CHECK(bad_step == 0, "%d steps failed: %s", bad_step, last_error());
  CHECK(bad_values == 0, "%d values calls failed", bad_values);
  CHECK(bad_count == 0, "step_count wrong %d times (values must not advance)", bad_count);
  CHECK(bad_idem == 0, "values differ from the step's output or between calls %d times", bad_idem);
  CHECK(first[0] == '\0', "values are not group-major schedule x scale: %s", first);
  CHECK(step_count(rt) == 300, "step_count %lld after 300 steps", (long long)step_count(rt));
  pace_runtime_free(rt);

  /* no "groups": one group, scale 1 */
  rt = CREATE_OK("{\"channels\":{\"lr\":" SPEC_LR2 ",\"weight_decay\":" SPEC_WD "}}");
  if (rt) {
    pace_runtime_shape(rt, &c, &g);
    CHECK(c == 2 && g == 1, "no groups: shape %lld x %lld, want 2 x 1", (long long)c, (long long)g);
    advance(rt, 37, 1.0);
    double u[2];
    pace_runtime_values(rt, u, 2);
    CHECK(same_bits(u[0], at(lr, 37)) && same_bits(u[1], at(wd, 37)), "no groups: values %.17g %.17g at 37", u[0],
          u[1]);
    pace_runtime_free(rt);
  }
  /* one channel, one group: step's output equals the schedule */
  rt = CREATE_OK(CFG_S0);
  pace_schedule *s0 = PARSE_OK(SPEC_LR_COSINE);
  if (rt && s0) {
    int bad = 0;
    double u;
    pace_runtime_values(rt, &u, 1);
    if (!same_bits(u, at(s0, 0))) bad++;
    for (int64_t s = 1; s <= 60000; s++) {
      if (pace_runtime_step(rt, 1.0, &u, 1) != PACE_OK || !same_bits(u, at(s0, s))) bad++;
    }
    CHECK(bad == 0, "one channel: %d of 60001 values differ from pace_schedule_at", bad);
  }
  pace_runtime_free(rt);
  pace_schedule_free(s0);
  pace_schedule_free(wd);
  pace_schedule_free(lr);
  group_end();
}

/* ---- 9. threads: distinct runtimes concurrently ------------------------------ */

struct thread_run {
  const double *want;
  int64_t n;
  int mismatches;
  pace_status st;
};

static void *runtime_thread(void *arg) {
  struct thread_run *t = arg;
  pace_runtime *rt = NULL;
  t->st = pace_runtime_create(CFG_S1, &rt);
  if (t->st != PACE_OK) return NULL;
  double v[6];
  for (int64_t s = 0; s < t->n; s++) {
    if (pace_runtime_step(rt, scenario_norm(s), v, 6) != PACE_OK || memcmp(v, t->want + s * 6, sizeof v) != 0)
      t->mismatches++;
  }
  /* a failure on this thread: its own message */
  pace_runtime_begin_decay(rt, "thread-only-channel", 10, "linear", 0);
  if (strstr(pace_last_error(), "thread-only-channel") == NULL) t->mismatches++;
  pace_runtime_free(rt);
  return NULL;
}

static void test_threads(void) {
  group_begin("threads");
  enum { N = 6000, T = 4 };
  double *want = malloc((size_t)N * 6 * sizeof(double));
  pace_runtime *rt = CREATE_OK(CFG_S1);
  if (rt && want) {
    for (int64_t s = 0; s < N; s++) pace_runtime_step(rt, scenario_norm(s), want + s * 6, 6);
    struct thread_run runs[T];
    pthread_t th[T];
    int started = 0;
    for (int i = 0; i < T; i++) {
      runs[i] = (struct thread_run){want, N, 0, PACE_OK};
      if (pthread_create(&th[i], NULL, runtime_thread, &runs[i]) != 0) break;
      started++;
    }
    int mism = 0, fails = 0;
    for (int i = 0; i < started; i++) {
      pthread_join(th[i], NULL);
      mism += runs[i].mismatches;
      fails += runs[i].st != PACE_OK;
    }
    CHECK(started == T, "started %d of %d threads", started, T);
    CHECK(fails == 0 && mism == 0, "%d threads failed to create, %d mismatching values or messages", fails, mism);
  }
  pace_runtime_free(rt);
  free(want);
  group_end();
}


int main(int argc, char **argv) {
  (void)argc;
  if (runtime_test_begin("runtime_api_test", argv[0]) != 0) return 1;
  double t0 = now_s();
  test_runtime_arguments();
  test_bad_configs();
  test_values_layout();
  test_threads();
  return runtime_test_end(t0);
}
