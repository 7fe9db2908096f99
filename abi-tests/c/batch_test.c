/*
 * batch_test.c - the batch engine of include/pace.h through the shipped
 * libpace.so, as a C caller would:
 *   - pace_engine_create / _free / _get_info: options (NULL, struct_size,
 *     numa mode, thread counts 0, -2, 1025 rejected, PACE_THREADS_AUTO);
 *   - pace_batch_fill_f64 / _f32: every element bit-identical to
 *     pace_schedule_at (f32: rounded once), for 1, 2, 3 and 7 threads and
 *     PACE_NUMA_OFF, all bit-identical to each other;
 *   - pace_batch_reduce: final value, S1, S2 equal to a plain loop bit for
 *     bit (algorithms.md 6.1 test vector included), NULL outputs skipped;
 *   - bad input (NULL engine, zero schedules, a NULL schedule, negative
 *     start or count, start + count overflowing int64, n x count overflowing
 *     size_t, a short buffer, NULL out, lambda outside [0, 1)): the status,
 *     a message, and not one element written;
 *   - the environment, each case in a fresh child process (the engine reads
 *     it at creation): PACE_NUMA=off (one node, nothing pinned),
 *     PACE_NUMA_SIMULATE="0-0,1-1" (two nodes, same bits as one node), and
 *     malformed values (PACE_E_ARGUMENT);
 *   - fork: in the child the parent's engine fails cleanly (no workers
 *     there), its free returns, and a new engine works.
 *
 * Prints one line per check group (failed checks above it), then
 * "N passed, M failed"; exits 1 when any check failed.
 *
 * Build: cc -std=c11 -Wall -Wextra -Werror -pthread abi-tests/c/batch_test.c \
 *          $(pkg-config --cflags --libs pace) -lm        (abi-tests/c/run.sh)
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

/* ---- fixtures ------------------------------------------------------------ */

static const char *SPECS[] = {
  "{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":50,\"total_steps\":900}",
  "{\"preset\":\"wsd\",\"peak\":3e-4,\"warmup_steps\":100,\"stable_steps\":400,\"decay_steps\":300}",
  "{\"preset\":\"onecycle\",\"peak\":0.1,\"total_steps\":700,\"pct_start\":0.3}",
  "{\"preset\":\"inverse_sqrt\",\"peak\":1e-3,\"warmup_steps\":100,\"timescale\":300}",
  "{\"preset\":\"sgdr\",\"peak\":0.1,\"t0\":50,\"t_mult\":2,\"min_ratio\":0.01}",
  "{\"preset\":\"step\",\"peak\":0.1,\"step_size\":77,\"gamma\":0.5}",
  "{\"peak\":2,\"phases\":[{\"shape\":\"table\",\"values\":[1,0.5,0.25,0.75,0.1]},"
  "{\"shape\":\"exponential\",\"steps\":90,\"to\":0.01}],\"after\":\"zero\"}",
  "{\"preset\":\"uba\",\"peak\":1e-3,\"warmup_steps\":100,\"total_steps\":1000,\"phi\":1.5}",
};
enum { KINDS = sizeof SPECS / sizeof *SPECS, N = 19, T = 3001 };

static pace_schedule *g_s[N];

static pace_engine *engine_with(int64_t threads, uint32_t numa) {
  pace_engine_options opt = {sizeof opt, numa, threads};
  pace_engine *e = NULL;
  pace_status st = pace_engine_create(&opt, &e);
  CHECK(st == PACE_OK && e, "pace_engine_create(threads %lld, numa %u): %s %s", (long long)threads, numa,
        pace_status_name(st), last_error());
  return e;
}

static int same_bits_f64(const double *a, const double *b, size_t n) { return memcmp(a, b, n * sizeof *a) == 0; }

/* The plain loop of the definition (header, pace_batch_reduce): Kahan S1, plain S2. */
static double kahan_add(double *s, double *c, double v) {
  double y = v - *c, t = *s + y;
  *c = (t - *s) - y;
  return *s = t;
}

static void naive_reduce(const double *v, int64_t n, double lambda, double *fin, double *sum, double *s2) {
  double s = 0, c = 0, a = 0, m = 0, prev = v[0];
  kahan_add(&s, &c, v[0]);
  for (int64_t k = 1; k < n; k++) {
    m = lambda * m + (prev - v[k]);
    a += m;
    kahan_add(&s, &c, v[k]);
    prev = v[k];
  }
  *fin = prev;
  *sum = s;
  *s2 = a;
}

/* ---- engines ----------------------------------------------------------------- */

static void test_engine_lifecycle(void) {
  group_begin("engine create/info/free");
  pace_engine *e = NULL;
  pace_status st = pace_engine_create(NULL, &e);
  CHECK(st == PACE_OK && e, "create(NULL options): %s", last_error());
  pace_engine_info info;
  memset(&info, 0, sizeof info);
  info.struct_size = sizeof info;
  CHECK(pace_engine_get_info(e, &info) == PACE_OK, "get_info: %s", last_error());
  CHECK(info.threads >= 1 && info.nodes >= 1 && info.nodes <= info.threads, "threads %lld nodes %lld",
        (long long)info.threads, (long long)info.nodes);
  CHECK(info.simulated == 0, "not simulated");
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  CHECK(cpus < 1 || info.threads <= cpus, "default threads %lld <= online CPUs %ld", (long long)info.threads, cpus);
  if (info.libnuma) CHECK(info.pinned == (uint32_t)info.threads, "libnuma: every worker pinned (%u)", info.pinned);
  pace_engine_free(e);
  pace_engine_free(NULL);

  CHECK(pace_engine_create(NULL, NULL) == PACE_E_ARGUMENT, "out NULL");
  int64_t bad_threads[] = {0, -2, 1025, INT64_MIN};
  for (size_t i = 0; i < sizeof bad_threads / sizeof *bad_threads; i++) {
    pace_engine_options opt = {sizeof opt, PACE_NUMA_AUTO, bad_threads[i]};
    e = (pace_engine *)&opt; /* must be reset to NULL */
    st = pace_engine_create(&opt, &e);
    CHECK(st == PACE_E_ARGUMENT && e == NULL && strstr(last_error(), "threads"), "threads %lld: %s %s",
          (long long)bad_threads[i], pace_status_name(st), last_error());
  }
  pace_engine_options small = {4, PACE_NUMA_AUTO, 1};
  CHECK(pace_engine_create(&small, &e) == PACE_E_ARGUMENT && strstr(last_error(), "struct_size"), "struct_size 4");
  pace_engine_options mode = {sizeof mode, 7, 1};
  CHECK(pace_engine_create(&mode, &e) == PACE_E_ARGUMENT && strstr(last_error(), "numa"), "numa 7");

  e = engine_with(3, PACE_NUMA_OFF);
  memset(&info, 0, sizeof info);
  info.struct_size = sizeof info;
  CHECK(pace_engine_get_info(e, &info) == PACE_OK && info.nodes == 1 && info.threads == 3 && info.pinned == 0 &&
            info.libnuma == 0,
        "PACE_NUMA_OFF: nodes %lld threads %lld pinned %u", (long long)info.nodes, (long long)info.threads,
        info.pinned);
  pace_engine_info short_info = {8, 0, 0, 0, 0, 0};
  CHECK(pace_engine_get_info(e, &short_info) == PACE_E_ARGUMENT, "info struct_size 8");
  CHECK(pace_engine_get_info(NULL, &info) == PACE_E_ARGUMENT, "info engine NULL");
  CHECK(pace_engine_get_info(e, NULL) == PACE_E_ARGUMENT, "info out NULL");
  pace_engine_free(e);
  group_end();
}

/* ---- fills ----------------------------------------------------------------- */

static void test_fills(void) {
  group_begin("fills: bits and threads");
  size_t total = (size_t)N * T;
  double *ref = malloc(total * sizeof *ref), *got = malloc(total * sizeof *got);
  float *got32 = malloc(total * sizeof *got32);
  if (!ref || !got || !got32) abort();
  int64_t start = 5;
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < T; j++) pace_schedule_at(g_s[i], start + j, &ref[(size_t)i * T + j]);
  }
  struct { int64_t threads; uint32_t numa; } variants[] = {{1, PACE_NUMA_AUTO}, {2, PACE_NUMA_AUTO},
                                                            {3, PACE_NUMA_AUTO}, {7, PACE_NUMA_AUTO},
                                                            {2, PACE_NUMA_OFF}};
  for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
    pace_engine *e = engine_with(variants[v].threads, variants[v].numa);
    if (!e) continue;
    memset(got, 0xff, total * sizeof *got);
    pace_status st = pace_batch_fill_f64(e, (const pace_schedule *const *)g_s, N, start, T, got, total);
    CHECK(st == PACE_OK, "fill_f64: %s", last_error());
    CHECK(same_bits_f64(got, ref, total), "fill_f64 with %lld threads (numa %u) == pace_schedule_at",
          (long long)variants[v].threads, variants[v].numa);
    st = pace_batch_fill_f32(e, (const pace_schedule *const *)g_s, N, start, T, got32, total);
    int same32 = st == PACE_OK;
    for (size_t k = 0; same32 && k < total; k++) same32 = memcmp(&got32[k], &(float){(float)ref[k]}, sizeof(float)) == 0;
    CHECK(same32, "fill_f32 with %lld threads: each value rounded once", (long long)variants[v].threads);
    /* count 0 writes nothing, out may be NULL */
    CHECK(pace_batch_fill_f64(e, (const pace_schedule *const *)g_s, N, 0, 0, NULL, 0) == PACE_OK, "count 0");
    /* a huge capacity (size_t beyond INT64_MAX) is just "enough" */
    CHECK(pace_batch_fill_f64(e, (const pace_schedule *const *)g_s, 1, 0, 3, got, SIZE_MAX) == PACE_OK,
          "capacity SIZE_MAX: %s", last_error());
    pace_engine_free(e);
  }
  free(ref);
  free(got);
  free(got32);
  group_end();
}

/* ---- reductions ------------------------------------------------------------- */

static void test_reductions(void) {
  group_begin("reductions");
  /* algorithms.md 6.1: eta = [1, 1, 0.5, 0.5], lambda = 0.5 -> S1 = 3, S2 = 0.75 */
  pace_schedule *tv = NULL;
  pace_schedule_parse("{\"phases\":[{\"shape\":\"constant\",\"steps\":2,\"from\":1},"
                      "{\"shape\":\"constant\",\"steps\":2,\"from\":0.5}]}",
                      &tv);
  pace_engine *e = engine_with(2, PACE_NUMA_AUTO);
  if (!tv || !e) {
    group_end();
    return;
  }
  double fin = 0, s1 = 0, s2 = 0;
  const pace_schedule *one[1] = {tv};
  CHECK(pace_batch_reduce(e, one, 1, 0, 4, 0.5, &fin, &s1, &s2) == PACE_OK && fin == 0.5 && s1 == 3 && s2 == 0.75,
        "test vector: final %g S1 %g S2 %g (%s)", fin, s1, s2, last_error());
  pace_schedule_free(tv);

  double *row = malloc(T * sizeof *row);
  double f[N], s[N], a[N], f2[N], s_2[N], a2[N];
  double lambdas[] = {0.0, 0.5, 0.999};
  for (size_t l = 0; l < 3; l++) {
    CHECK(pace_batch_reduce(e, (const pace_schedule *const *)g_s, N, 11, T, lambdas[l], f, s, a) == PACE_OK,
          "reduce: %s", last_error());
    int same = 1;
    for (int i = 0; i < N; i++) {
      double nf, ns, na;
      pace_schedule_fill_f64(g_s[i], 11, T, row);
      naive_reduce(row, T, lambdas[l], &nf, &ns, &na);
      same &= memcmp(&nf, &f[i], 8) == 0 && memcmp(&ns, &s[i], 8) == 0 && memcmp(&na, &a[i], 8) == 0;
    }
    CHECK(same, "lambda %g: bit-identical to the plain loop", lambdas[l]);
  }
  int64_t threads[] = {1, 3, 7};
  for (size_t t = 0; t < 3; t++) {
    pace_engine *other = engine_with(threads[t], PACE_NUMA_AUTO);
    if (!other) continue;
    CHECK(pace_batch_reduce(other, (const pace_schedule *const *)g_s, N, 11, T, 0.999, f2, s_2, a2) == PACE_OK,
          "reduce: %s", last_error());
    CHECK(same_bits_f64(f, f2, N) && same_bits_f64(s, s_2, N) && same_bits_f64(a, a2, N),
          "%lld threads == 2 threads", (long long)threads[t]);
    pace_engine_free(other);
  }
  /* NULL outputs are skipped; all NULL is fine */
  for (int i = 0; i < N; i++) s_2[i] = -1;
  CHECK(pace_batch_reduce(e, (const pace_schedule *const *)g_s, N, 11, T, 0.999, NULL, s_2, NULL) == PACE_OK &&
            same_bits_f64(s, s_2, N),
        "sums only");
  CHECK(pace_batch_reduce(e, (const pace_schedule *const *)g_s, N, 11, T, 0.999, NULL, NULL, NULL) == PACE_OK,
        "no outputs");
  free(row);
  pace_engine_free(e);
  group_end();
}

/* ---- bad input --------------------------------------------------------------- */

static int untouched(const double *buf, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (buf[i] != 42.0) return 0;
  return 1;
}

static void test_errors(void) {
  group_begin("bad input, no writes");
  pace_engine *e = engine_with(2, PACE_NUMA_AUTO);
  if (!e) {
    group_end();
    return;
  }
  enum { CAP = 3 * 10 };
  double buf[CAP];
  float buf32[CAP];
  const pace_schedule *three[3] = {g_s[0], g_s[1], g_s[2]};
  const pace_schedule *holed[3] = {g_s[0], NULL, g_s[2]};
  struct {
    const char *what;
    pace_engine *engine;
    const pace_schedule *const *list;
    int64_t n, start, count;
    size_t cap;
    int null_out;
    pace_status expected;
    const char *needle;
  } cases[] = {
    {"engine NULL", NULL, three, 3, 0, 10, CAP, 0, PACE_E_ARGUMENT, "engine"},
    {"zero schedules", e, three, 0, 0, 10, CAP, 0, PACE_E_ARGUMENT, "no schedules"},
    {"negative n", e, three, -1, 0, 10, CAP, 0, PACE_E_ARGUMENT, "no schedules"},
    {"schedules NULL", e, NULL, 3, 0, 10, CAP, 0, PACE_E_ARGUMENT, "schedules is NULL"},
    {"a NULL schedule", e, holed, 3, 0, 10, CAP, 0, PACE_E_ARGUMENT, "schedules[1]"},
    {"negative start", e, three, 3, -1, 10, CAP, 0, PACE_E_ARGUMENT, "start"},
    {"negative count", e, three, 3, 0, -1, CAP, 0, PACE_E_ARGUMENT, "count"},
    {"start + count overflow", e, three, 3, INT64_MAX - 5, 10, CAP, 0, PACE_E_ARGUMENT, "overflows int64"},
    {"n x count overflow", e, three, 3, 0, INT64_MAX / 2, SIZE_MAX, 0, PACE_E_ARGUMENT, "overflows size_t"},
    {"buffer too small", e, three, 3, 0, 10, CAP - 1, 0, PACE_E_BUFFER_TOO_SMALL, "30"},
    {"out NULL", e, three, 3, 0, 10, CAP, 1, PACE_E_ARGUMENT, "out is NULL"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    for (int i = 0; i < CAP; i++) buf[i] = 42.0, buf32[i] = 42.0f;
    pace_status st = pace_batch_fill_f64(cases[c].engine, cases[c].list, cases[c].n, cases[c].start,
                                         cases[c].count, cases[c].null_out ? NULL : buf, cases[c].cap);
    CHECK(st == cases[c].expected && strstr(last_error(), cases[c].needle) && untouched(buf, CAP),
          "fill_f64 %s: %s '%s'", cases[c].what, pace_status_name(st), last_error());
    st = pace_batch_fill_f32(cases[c].engine, cases[c].list, cases[c].n, cases[c].start, cases[c].count,
                             cases[c].null_out ? NULL : buf32, cases[c].cap);
    int same32 = 1;
    for (int i = 0; i < CAP; i++) same32 &= buf32[i] == 42.0f;
    CHECK(st == cases[c].expected && same32, "fill_f32 %s: %s '%s'", cases[c].what, pace_status_name(st),
          last_error());
  }
  /* reductions: same shape checks (no capacity), count >= 1, lambda in [0, 1) */
  double f[3] = {42, 42, 42}, s[3] = {42, 42, 42}, a[3] = {42, 42, 42};
  struct { const char *what; int64_t n, start, count; double lambda; const pace_schedule *const *list; const char *needle; }
    rcases[] = {
      {"zero schedules", 0, 0, 10, 0.5, three, "no schedules"},
      {"a NULL schedule", 3, 0, 10, 0.5, holed, "schedules[1]"},
      {"count 0", 3, 0, 0, 0.5, three, "count"},
      {"negative start", 3, -4, 10, 0.5, three, "start"},
      {"overflow", 3, INT64_MAX, 1, 0.5, three, "overflows"},
      {"lambda 1", 3, 0, 10, 1.0, three, "lambda"},
      {"lambda -0.5", 3, 0, 10, -0.5, three, "lambda"},
      {"lambda NaN", 3, 0, 10, NAN, three, "lambda"},
    };
  for (size_t c = 0; c < sizeof rcases / sizeof *rcases; c++) {
    pace_status st = pace_batch_reduce(e, rcases[c].list, rcases[c].n, rcases[c].start, rcases[c].count,
                                       rcases[c].lambda, f, s, a);
    CHECK(st == PACE_E_ARGUMENT && strstr(last_error(), rcases[c].needle) && untouched(f, 3) && untouched(s, 3) &&
              untouched(a, 3),
          "reduce %s: %s '%s'", rcases[c].what, pace_status_name(st), last_error());
  }
  CHECK(pace_batch_reduce(NULL, three, 3, 0, 10, 0.5, f, s, a) == PACE_E_ARGUMENT, "reduce engine NULL");
  pace_engine_free(e);
  group_end();
}

/* ---- the environment, in child processes ---------------------------------------- */

/* Runs `body` in a child with the given variables; returns its exit code. */
static int in_child(const char *numa, const char *simulate, int (*body)(void)) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    unsetenv("PACE_NUMA");
    unsetenv("PACE_NUMA_SIMULATE");
    if (numa) setenv("PACE_NUMA", numa, 1);
    if (simulate) setenv("PACE_NUMA_SIMULATE", simulate, 1);
    _exit(body());
  }
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* Exit codes: 0 ok; 1 create failed; 2 wrong shape; 3 wrong values. */
static int child_info(uint32_t want_simulated, int64_t want_nodes, int want_unpinned) {
  pace_engine *e = NULL;
  pace_engine_options opt = {sizeof opt, PACE_NUMA_AUTO, 2};
  if (pace_engine_create(&opt, &e) != PACE_OK) return 1;
  pace_engine_info info;
  memset(&info, 0, sizeof info);
  info.struct_size = sizeof info;
  pace_engine_get_info(e, &info);
  int code = 0;
  if (info.simulated != want_simulated || info.nodes != want_nodes || (want_unpinned && info.pinned != 0)) code = 2;
  size_t total = (size_t)N * T;
  double *got = malloc(total * sizeof *got), *ref = malloc(total * sizeof *ref);
  if (code == 0 && got && ref) {
    pace_batch_fill_f64(e, (const pace_schedule *const *)g_s, N, 0, T, got, total);
    for (int i = 0; i < N; i++) pace_schedule_fill_f64(g_s[i], 0, T, ref + (size_t)i * T);
    if (!same_bits_f64(got, ref, total)) code = 3;
  }
  free(got);
  free(ref);
  pace_engine_free(e);
  return code;
}

static int child_off(void) { return child_info(0, 1, 1); }
static int child_simulated(void) { return child_info(1, 2, 0); }
static int child_expect_argument(void) {
  pace_engine *e = NULL;
  pace_status st = pace_engine_create(NULL, &e);
  return st == PACE_E_ARGUMENT && e == NULL && strstr(last_error(), "PACE_NUMA") ? 0 : 1;
}
static int child_require_off(void) {
  pace_engine *e = NULL;
  pace_engine_options opt = {sizeof opt, PACE_NUMA_REQUIRE, 1};
  return pace_engine_create(&opt, &e) == PACE_E_UNSUPPORTED && e == NULL ? 0 : 1;
}

static void test_environment(void) {
  group_begin("PACE_NUMA, PACE_NUMA_SIMULATE");
  int rc = in_child("off", NULL, child_off);
  CHECK(rc == 0, "PACE_NUMA=off: one unpinned node, same values (child exit %d)", rc);
  rc = in_child("off", "0-0,1-1", child_off);
  CHECK(rc == 0, "PACE_NUMA=off wins over a simulation (child exit %d)", rc);
  rc = in_child(NULL, "0-0,1-1", child_simulated);
  CHECK(rc == 0, "PACE_NUMA_SIMULATE=0-0,1-1: two nodes, same values (child exit %d)", rc);
  rc = in_child("off", NULL, child_require_off);
  CHECK(rc == 0, "PACE_NUMA_REQUIRE with PACE_NUMA=off: PACE_E_UNSUPPORTED (child exit %d)", rc);
  const char *bad_sim[] = {"1-0", "x", "0-0,,1-1", "0-1-2", "0-5000"};
  for (size_t i = 0; i < sizeof bad_sim / sizeof *bad_sim; i++) {
    rc = in_child(NULL, bad_sim[i], child_expect_argument);
    CHECK(rc == 0, "PACE_NUMA_SIMULATE=%s: PACE_E_ARGUMENT (child exit %d)", bad_sim[i], rc);
  }
  rc = in_child("sometimes", NULL, child_expect_argument);
  CHECK(rc == 0, "PACE_NUMA=sometimes: PACE_E_ARGUMENT (child exit %d)", rc);
  group_end();
}

/* ---- fork: an engine's workers stay in the parent -------------------------------- */

static void test_fork(void) {
  group_begin("engine across fork");
  pace_engine *e = engine_with(2, PACE_NUMA_AUTO);
  if (!e) {
    group_end();
    return;
  }
  double buf[30], f[3], sums[3] = {42, 42, 42};
  CHECK(pace_batch_fill_f64(e, (const pace_schedule *const *)g_s, 3, 0, 10, buf, 30) == PACE_OK, "parent fill");
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    /* The child has none of the workers: a clear error, nothing written, and
       free returns (it must not wait for threads that are not there). */
    for (int i = 0; i < 30; i++) buf[i] = 42.0;
    int code = 0;
    if (pace_batch_fill_f64(e, (const pace_schedule *const *)g_s, 3, 0, 10, buf, 30) != PACE_E_UNSUPPORTED) code = 1;
    else if (!strstr(last_error(), "fork") || !untouched(buf, 30)) code = 2;
    else if (pace_batch_reduce(e, (const pace_schedule *const *)g_s, 3, 0, 10, 0.5, NULL, sums, NULL) !=
             PACE_E_UNSUPPORTED || !untouched(sums, 3)) code = 3;
    pace_engine_free(e);
    /* a new engine in the child works */
    pace_engine *mine = NULL;
    if (code == 0 && (pace_engine_create(NULL, &mine) != PACE_OK ||
                      pace_batch_reduce(mine, (const pace_schedule *const *)g_s, 3, 0, 10, 0.5, f, sums, NULL) !=
                          PACE_OK)) code = 4;
    pace_engine_free(mine);
    _exit(code);
  }
  int status = 0;
  int rc = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  CHECK(rc == 0, "forked child: PACE_E_UNSUPPORTED, no writes, free returns, a new engine works (exit %d)", rc);
  CHECK(pace_batch_fill_f64(e, (const pace_schedule *const *)g_s, 3, 0, 10, buf, 30) == PACE_OK,
        "the parent's engine still works");
  pace_engine_free(e);
  group_end();
}

/* ---- main -------------------------------------------------------------------- */

int main(void) {
  printf("pace batch engine test: library %s\n", pace_version_string());
  for (int i = 0; i < N; i++) {
    if (pace_schedule_parse(SPECS[i % KINDS], &g_s[i]) != PACE_OK) {
      fprintf(stderr, "cannot parse %s: %s\n", SPECS[i % KINDS], last_error());
      printf("0 passed, 1 failed\n");
      return 1;
    }
  }
  test_engine_lifecycle();
  test_fills();
  test_reductions();
  test_errors();
  test_environment();
  test_fork();
  for (int i = 0; i < N; i++) pace_schedule_free(g_s[i]);
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed ? 1 : 0;
}
