/*
 * runtime_test.c - the training-loop runtime (pace_runtime_*) and offline
 * refinement (pace_refine*) through the shipped libpace.so, as a C trainer
 * uses them:
 *   - every function normally and with NULL handles, outputs and paths,
 *     capacities too small (PACE_E_BUFFER_TOO_SMALL and *needed), negative
 *     and zero counts, unknown channels, bad decay shapes, total_steps not
 *     past the current step; nothing changes when a call fails;
 *   - 41 rejected configs: PACE_E_SPEC, *out NULL, a fresh message that
 *     names the JSON path ("path: what is wrong");
 *   - the group-major values layout (2 channels x 3 groups, scales applied),
 *     pace_runtime_values not advancing, pace_runtime_step_count;
 *   - refinement: the reference vectors, linear decay for constant norms,
 *     invalid norms filled and counted, a naive median-filter reference,
 *     options handling, pace_refine_spec round trips;
 *   - checkpoints: saved at step k, loaded in a FRESH PROCESS (this binary
 *     re-executed with --resume), the next 100000 values bit-identical to an
 *     uninterrupted run (with online refinement and every kind of event),
 *     a run resumed three times, every truncation, 1000 bit flips, bit flips
 *     with the CRC recomputed, a newer format version;
 *   - atomic files: a writer process (this binary with --writer) killed by
 *     SIGKILL at random moments; the file always loads;
 *   - events: begin_decay, rewarm, set_total_steps, and save/load after each;
 *   - online refinement: acts only after min_history, stays within the peak,
 *     keeps the warmup; the checkpoint of a refined run stays bounded;
 *   - distinct runtimes on distinct threads.
 *
 * Prints one line per check group (failed checks above it), then
 * "N passed, M failed"; exits 1 when any check failed.
 *
 * Build: cc -std=c11 -Wall -Wextra -Werror -pthread abi-tests/c/runtime_test.c \
 *          $(pkg-config --cflags --libs pace) -lm        (abi-tests/c/run.sh)
 * Child modes (used by the test itself):
 *   runtime_test --resume STATE SCENARIO FROM TO VALUES_OUT STATE_OUT|-
 *   runtime_test --run SCENARIO TO VALUES_OUT PREFIX|- KLIST|-
 *   runtime_test --writer PATH READY_FD
 */
#define _XOPEN_SOURCE 700

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

__attribute__((format(printf, 1, 2)))
static void note(const char *fmt, ...) {
  printf("  note: ");
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static int close_rel(double got, double want, double rel, double abs_tol) {
  if (!isfinite(got) || !isfinite(want)) return same_bits(got, want);
  return fabs(got - want) <= rel * fabs(want) + abs_tol;
}

/* A failure whose status may be one of two (the header leaves it open). */
#define EXPECT_FAIL2(what, call, want1, want2)                                                          \
  do {                                                                                                  \
    set_marker();                                                                                       \
    pace_status st_ = (call);                                                                           \
    expect_failure(__LINE__, what, st_ == (want2) ? (want1) : st_, want1);                              \
  } while (0)

/* ---- helpers ------------------------------------------------------------- */

static const char *g_self; /* path of this binary, for the child processes */

static pace_runtime *create_ok_at(int line, const char *config) {
  pace_runtime *rt = NULL;
  pace_status st = pace_runtime_create(config, &rt);
  check_impl(st == PACE_OK && rt != NULL, line, "create of a valid config: status %s (message \"%s\"): %s",
             sname(st), last_error(), config);
  if (st != PACE_OK) return NULL;
  return rt;
}
#define CREATE_OK(config) create_ok_at(__LINE__, config)

static pace_schedule *parse_ok_at(int line, const char *spec) {
  pace_schedule *s = NULL;
  pace_status st = pace_schedule_parse(spec, &s);
  check_impl(st == PACE_OK && s != NULL, line, "parse of a valid spec: status %s (message \"%s\"): %s", sname(st),
             last_error(), spec);
  if (st != PACE_OK) return NULL;
  return s;
}
#define PARSE_OK(spec) parse_ok_at(__LINE__, spec)

static double at(const pace_schedule *s, int64_t step) {
  double v = NAN;
  if (pace_schedule_at(s, step, &v) != PACE_OK) return NAN;
  return v;
}

static int64_t step_count(const pace_runtime *rt) {
  int64_t n = -1;
  if (pace_runtime_step_count(rt, &n) != PACE_OK) return -1;
  return n;
}

static int64_t value_count(const pace_runtime *rt) {
  int64_t c = 0, g = 0;
  if (pace_runtime_shape(rt, &c, &g) != PACE_OK) return 0;
  return c * g;
}

/* Steps `n` times with the given norm; returns the first non-OK status. */
static pace_status advance(pace_runtime *rt, int64_t n, double norm) {
  double buf[64];
  size_t cap = sizeof buf / sizeof buf[0];
  for (int64_t i = 0; i < n; i++) {
    pace_status st = pace_runtime_step(rt, norm, buf, cap);
    if (st != PACE_OK) return st;
  }
  return PACE_OK;
}

/* The saved state as a malloc'ed blob (NULL on failure). */
static unsigned char *save_alloc(const pace_runtime *rt, size_t *size) {
  size_t needed = 0;
  *size = 0;
  if (pace_runtime_save(rt, NULL, 0, &needed) != PACE_E_BUFFER_TOO_SMALL || needed == 0) return NULL;
  unsigned char *buf = malloc(needed);
  if (!buf) return NULL;
  size_t again = 0;
  if (pace_runtime_save(rt, buf, needed, &again) != PACE_OK || again != needed) {
    free(buf);
    return NULL;
  }
  *size = needed;
  return buf;
}

/* Steps both runtimes n times (norm as given) and compares every output. */
static int same_future(pace_runtime *a, pace_runtime *b, int64_t n, int64_t *first_diff) {
  double va[64], vb[64];
  int64_t nv = value_count(a);
  if (nv != value_count(b) || nv <= 0 || nv > 64) return 0;
  for (int64_t i = 0; i < n; i++) {
    double norm = 1.0 + 0.25 * sin((double)i * 0.37);
    if (pace_runtime_step(a, norm, va, 64) != PACE_OK || pace_runtime_step(b, norm, vb, 64) != PACE_OK) {
      if (first_diff) *first_diff = i;
      return 0;
    }
    if (memcmp(va, vb, (size_t)nv * sizeof(double)) != 0) {
      if (first_diff) *first_diff = i;
      return 0;
    }
  }
  return 1;
}

/* Saves `rt` to memory, loads it into a new runtime (NULL on failure). */
static pace_runtime *clone_via_blob(const pace_runtime *rt) {
  size_t n = 0;
  unsigned char *blob = save_alloc(rt, &n);
  if (!blob) return NULL;
  pace_runtime *out = NULL;
  if (pace_runtime_load(blob, n, &out) != PACE_OK) out = NULL;
  free(blob);
  return out;
}

/* splitmix64: deterministic pseudo-random numbers. */
static uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
static uint64_t g_rng = 0x5eed;
static uint64_t rng_next(void) { return g_rng = mix64(g_rng); }
static double rng_unit(void) { return (double)(rng_next() >> 11) * 0x1p-53; } /* [0, 1) */

/* CRC-32 as zlib's crc32(0, p, n): reflected polynomial 0xEDB88320. */
static uint32_t crc32_zlib(const unsigned char *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return c ^ 0xFFFFFFFFu;
}
static uint32_t get_u32le(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get_u64le(const unsigned char *p) { return (uint64_t)get_u32le(p) | (uint64_t)get_u32le(p + 4) << 32; }
static void put_u32le(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static void fix_crc(unsigned char *blob, size_t n) { put_u32le(blob + n - 4, crc32_zlib(blob, n - 4)); }

static int write_file(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(data, 1, n, f);
  int rc = fclose(f);
  return (w == n && rc == 0) ? 0 : -1;
}

/* Reads a whole file (malloc'ed; NULL on failure). */
static unsigned char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  unsigned char *buf = malloc(cap);
  while (buf) {
    size_t r = fread(buf + n, 1, cap - n, f);
    n += r;
    if (n < cap) break;
    unsigned char *bigger = realloc(buf, cap * 2);
    if (!bigger) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = bigger;
    cap *= 2;
  }
  fclose(f);
  *size = n;
  return buf;
}

/* Runs this binary with the given arguments (argv[0] filled in); returns the
 * exit code, or 128 + signal when it was killed. */
static int run_self(const char *const *args) {
  const char *argv[16];
  int n = 0;
  argv[n++] = g_self;
  for (int i = 0; args[i] && n < 15; i++) argv[n++] = args[i];
  argv[n] = NULL;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    execv(g_self, (char *const *)argv);
    _exit(127);
  }
  int ws = 0;
  while (waitpid(pid, &ws, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFSIGNALED(ws)) return 128 + WTERMSIG(ws);
  return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

static char g_tmpdir[200];

static void tmp_path(char *buf, size_t cap, const char *name) { snprintf(buf, cap, "%s/%s", g_tmpdir, name); }

/* ---- configs ----------------------------------------------------------- */

#define SPEC_LR_COSINE "{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":1000,\"total_steps\":50000}"

/* scenario 0: one channel, one group, warmup + cosine (the fast path) */
#define CFG_S0 "{\"channels\":{\"lr\":" SPEC_LR_COSINE "}}"

/* scenario 1: three channels, two groups, online refinement, and events */
#define CFG_S1                                                                                         \
  "{\"channels\":{"                                                                                    \
  "\"lr\":{\"preset\":\"cosine\",\"peak\":1e-3,\"warmup_steps\":200,\"total_steps\":30000},"           \
  "\"momentum\":{\"peak\":0.95,\"phases\":[{\"shape\":\"linear\",\"steps\":1000,\"from\":0.9,\"to\":1}," \
  "{\"shape\":\"constant\"}]},"                                                                        \
  "\"weight_decay\":{\"peak\":0.1,\"phases\":[{\"shape\":\"constant\"}]}},"                            \
  "\"groups\":[{\"name\":\"embed\",\"scale\":{\"lr\":0.5,\"weight_decay\":0}},{\"name\":\"rest\"}],"   \
  "\"refine\":{\"every\":1000,\"norm\":\"l2\",\"smoothing\":0.1,\"min_history\":2000}}"

/* scenario 1 without its refine section (to see that refinement acts) */
#define CFG_S1_NOREFINE                                                                                \
  "{\"channels\":{"                                                                                    \
  "\"lr\":{\"preset\":\"cosine\",\"peak\":1e-3,\"warmup_steps\":200,\"total_steps\":30000},"           \
  "\"momentum\":{\"peak\":0.95,\"phases\":[{\"shape\":\"linear\",\"steps\":1000,\"from\":0.9,\"to\":1}," \
  "{\"shape\":\"constant\"}]},"                                                                        \
  "\"weight_decay\":{\"peak\":0.1,\"phases\":[{\"shape\":\"constant\"}]}},"                            \
  "\"groups\":[{\"name\":\"embed\",\"scale\":{\"lr\":0.5,\"weight_decay\":0}},{\"name\":\"rest\"}]}"

#define SPEC_REWARM                                                                                   \
  "{\"peak\":5e-4,\"phases\":[{\"shape\":\"linear\",\"steps\":500,\"from\":0,\"to\":1},"              \
  "{\"shape\":\"cosine\",\"steps\":19500,\"to\":0.1}]}"

/* scenario 2: one channel with online refinement over a long schedule */
#define CFG_S2                                                                                         \
  "{\"channels\":{\"lr\":{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":1000,"                  \
  "\"total_steps\":200000}},\"refine\":{\"every\":1000,\"smoothing\":0.1,\"min_history\":2000}}"

static const char *scenario_config(int id) { return id == 0 ? CFG_S0 : id == 1 ? CFG_S1 : CFG_S2; }

/* The gradient norm fed at step s: a decaying trend, hashed noise, and an
 * unmeasured (NaN) step now and then. Same bits in every process. */
static double scenario_norm(int64_t s) {
  if (s % 97 == 13) return NAN;
  double noise = (double)(mix64((uint64_t)s) >> 11) * 0x1p-53;
  return 2.0 / sqrt(1.0 + (double)s / 1000.0) + 0.5 + 0.2 * noise;
}

/* Events of scenario 1, applied at step s before stepping from s. */
static pace_status scenario_event(pace_runtime *rt, int id, int64_t s) {
  if (id != 1) return PACE_OK;
  switch (s) {
  case 5000: return pace_runtime_set_total_steps(rt, 40000);
  case 8000: return pace_runtime_begin_decay(rt, "weight_decay", 3000, "cosine", 0.1);
  case 20000: return pace_runtime_rewarm(rt, "lr", SPEC_REWARM);
  case 60000: return pace_runtime_begin_decay(rt, NULL, 10000, "sqrt", 0.0);
  default: return PACE_OK;
  }
}

/* Plays steps from .. to-1 of a scenario (events, then a step), writing the
 * values after each step to out[(s - from) * nv ...] (out may be NULL).
 * save_at (ascending, -1 terminated; may be NULL): before the events of such
 * a step, the state is saved to save_paths[i]. Returns the first failure. */
static pace_status run_scenario(pace_runtime *rt, int id, int64_t from, int64_t to, double *out,
                                const int64_t *save_at, char paths[][320], char *why, size_t why_cap) {
  double buf[64];
  int64_t nv = value_count(rt);
  int si = 0;
  for (int64_t s = from; s < to; s++) {
    while (save_at && save_at[si] >= 0 && save_at[si] < s) si++;
    if (save_at && save_at[si] == s) {
      pace_status st = pace_runtime_save_file(rt, paths[si]);
      if (st != PACE_OK) {
        snprintf(why, why_cap, "save_file at step %lld: %s", (long long)s, last_error());
        return st;
      }
    }
    pace_status st = scenario_event(rt, id, s);
    if (st != PACE_OK) {
      snprintf(why, why_cap, "event at step %lld: %s", (long long)s, last_error());
      return st;
    }
    st = pace_runtime_step(rt, scenario_norm(s), out ? out + (s - from) * nv : buf, (size_t)(out ? nv : 64));
    if (st != PACE_OK) {
      snprintf(why, why_cap, "step %lld: %s", (long long)s, last_error());
      return st;
    }
  }
  return PACE_OK;
}

/* ---- child modes --------------------------------------------------------- */

/* --resume STATE SCENARIO FROM TO VALUES_OUT STATE_OUT|- */
static int child_resume(char **argv) {
  const char *state_in = argv[0], *values_out = argv[4], *state_out = argv[5];
  int id = atoi(argv[1]);
  int64_t from = strtoll(argv[2], NULL, 10), to = strtoll(argv[3], NULL, 10);
  pace_runtime *rt = NULL;
  if (pace_runtime_load_file(state_in, &rt) != PACE_OK) {
    fprintf(stderr, "resume: load %s: %s\n", state_in, last_error());
    return 2;
  }
  if (step_count(rt) != from) {
    fprintf(stderr, "resume: loaded step %lld, want %lld\n", (long long)step_count(rt), (long long)from);
    return 3;
  }
  int64_t nv = value_count(rt);
  double *vals = malloc((size_t)(to - from) * (size_t)nv * sizeof(double));
  char why[512] = "";
  if (!vals || run_scenario(rt, id, from, to, vals, NULL, NULL, why, sizeof why) != PACE_OK) {
    fprintf(stderr, "resume: %s\n", why);
    return 4;
  }
  if (write_file(values_out, vals, (size_t)(to - from) * (size_t)nv * sizeof(double)) != 0) return 5;
  if (strcmp(state_out, "-") != 0 && pace_runtime_save_file(rt, state_out) != PACE_OK) {
    fprintf(stderr, "resume: save %s: %s\n", state_out, last_error());
    return 6;
  }
  free(vals);
  pace_runtime_free(rt);
  return 0;
}

/* --run SCENARIO TO VALUES_OUT PREFIX|- KLIST|-: an uninterrupted run from
 * step 0 to TO; writes the values at steps 0 .. TO; saves the state at each
 * step of KLIST (comma-separated, ascending) to PREFIX_k<step>.ckpt. */
static int child_run(char **argv) {
  int id = atoi(argv[0]);
  int64_t to = strtoll(argv[1], NULL, 10);
  const char *values_out = argv[2], *prefix = argv[3], *klist = argv[4];
  int64_t save_at[17];
  char paths[17][320];
  int ns = 0;
  for (const char *p = klist; strcmp(klist, "-") != 0 && *p && ns < 16;) {
    char *end = NULL;
    save_at[ns] = strtoll(p, &end, 10);
    snprintf(paths[ns], sizeof paths[ns], "%s_k%lld.ckpt", prefix, (long long)save_at[ns]);
    ns++;
    p = *end == ',' ? end + 1 : end;
  }
  save_at[ns] = -1;
  pace_runtime *rt = NULL;
  if (pace_runtime_create(scenario_config(id), &rt) != PACE_OK) return 2;
  int64_t nv = value_count(rt);
  double *vals = malloc((size_t)(to + 1) * (size_t)nv * sizeof(double));
  char why[512] = "";
  if (!vals || pace_runtime_values(rt, vals, (size_t)nv) != PACE_OK ||
      run_scenario(rt, id, 0, to, vals + nv, ns ? save_at : NULL, paths, why, sizeof why) != PACE_OK) {
    fprintf(stderr, "run: %s\n", why);
    return 4;
  }
  if (write_file(values_out, vals, (size_t)(to + 1) * (size_t)nv * sizeof(double)) != 0) return 5;
  free(vals);
  pace_runtime_free(rt);
  return 0;
}

#define CFG_WRITER "{\"channels\":{\"lr\":{\"preset\":\"cosine\",\"peak\":1e-3,\"warmup_steps\":100,\"total_steps\":5000000}}}"
#define SPEC_WRITER "{\"preset\":\"cosine\",\"peak\":1e-3,\"warmup_steps\":100,\"total_steps\":5000000}"

/* --writer PATH READY_FD: loads PATH, says ready, then forever: a few steps,
 * pace_runtime_save_file(PATH). Killed by the parent (or by alarm). */
static int child_writer(char **argv) {
  const char *path = argv[0];
  int fd = atoi(argv[1]);
  alarm(30); /* never outlive a parent that died */
  pace_runtime *rt = NULL;
  if (pace_runtime_load_file(path, &rt) != PACE_OK) {
    fprintf(stderr, "writer: load %s: %s\n", path, last_error());
    return 3;
  }
  if (write(fd, "r", 1) != 1) return 4;
  close(fd);
  uint64_t r = (uint64_t)getpid();
  for (;;) {
    r = mix64(r);
    int64_t n = 1 + (int64_t)(r % 300);
    double v;
    for (int64_t i = 0; i < n; i++) {
      if (pace_runtime_step(rt, 1.0 + (double)(r % 7), &v, 1) != PACE_OK) return 5;
    }
    if (pace_runtime_save_file(rt, path) != PACE_OK) {
      fprintf(stderr, "writer: save %s: %s\n", path, last_error());
      return 6;
    }
  }
}

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

#define SPEC_WD "{\"peak\":0.05,\"phases\":[{\"shape\":\"linear\",\"steps\":100,\"from\":1,\"to\":0.2}]}"
#define SPEC_LR2 "{\"preset\":\"cosine\",\"peak\":2e-3,\"warmup_steps\":10,\"total_steps\":200}"
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

/* ---- 4. offline refinement -------------------------------------------------- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Naive reference: median filter of width w = 2*floor(smoothing*n/2)+1 over
 * g clamped on the left and numpy-'reflect'-padded on the right, then
 * eta_t = w_t * sum_{s>t} w_s (long double), normalised to max 1, last 0. */
static void refine_reference(const double *norms, int64_t n, unsigned norm_kind, double smoothing, double *out) {
  int64_t w = 2 * (int64_t)(smoothing * (double)n / 2) + 1, h = w / 2;
  double *g = malloc((size_t)n * sizeof *g), *win = malloc((size_t)w * sizeof *win);
  for (int64_t i = 0; i < n; i++) {
    if (w == 1 || n == 1) {
      g[i] = norms[i];
      continue;
    }
    for (int64_t k = 0; k < w; k++) {
      int64_t j = i - h + k;
      double x;
      if (j <= 0) {
        x = norms[0];
      } else if (j < n) {
        x = norms[j];
      } else { /* reflect about the last element, period 2(n-1) */
        int64_t r = j % (2 * (n - 1));
        x = norms[r < n ? r : 2 * (n - 1) - r];
      }
      win[k] = x;
    }
    qsort(win, (size_t)w, sizeof *win, cmp_double);
    g[i] = win[h];
  }
  long double tail = 0, peak = 0;
  long double *eta = malloc((size_t)n * sizeof *eta);
  for (int64_t t = n - 1; t >= 0; t--) {
    long double wt = norm_kind == PACE_NORM_L2 ? 1.0L / ((long double)g[t] * g[t]) : 1.0L / g[t];
    eta[t] = wt * tail;
    tail += wt;
    if (eta[t] > peak) peak = eta[t];
  }
  for (int64_t t = 0; t < n; t++) out[t] = peak > 0 ? (double)(eta[t] / peak) : 0.0;
  out[n - 1] = 0;
  free(eta);
  free(g);
  free(win);
}

static void test_refine(void) {
  group_begin("refine (offline)");
  const double G[5] = {4, 2, 1, 1, 1};
  const double want_l2[5] = {0.1015625, 0.375, 1, 0.5, 0};
  const double want_l1[5] = {0.4375, 0.75, 1, 0.5, 0};
  double m[5];
  pace_refine_options o = {sizeof o, PACE_NORM_L2, 0.0};
  EXPECT_OK("refine L2 reference", pace_refine(G, 5, &o, m));
  CHECK(memcmp(m, want_l2, sizeof m) == 0, "L2 [4,2,1,1,1] -> [%.17g %.17g %.17g %.17g %.17g], want [0.1015625, "
        "0.375, 1, 0.5, 0]", m[0], m[1], m[2], m[3], m[4]);
  o.norm = PACE_NORM_L1;
  EXPECT_OK("refine L1 reference", pace_refine(G, 5, &o, m));
  CHECK(memcmp(m, want_l1, sizeof m) == 0, "L1 [4,2,1,1,1] -> [%.17g %.17g %.17g %.17g %.17g], want [0.4375, 0.75, "
        "1, 0.5, 0]", m[0], m[1], m[2], m[3], m[4]);
  int64_t skipped = -1;
  o.norm = PACE_NORM_L2;
  EXPECT_OK("refine_ex L2 reference", pace_refine_ex(G, 5, &o, m, &skipped));
  CHECK(memcmp(m, want_l2, sizeof m) == 0 && skipped == 0, "refine_ex L2: m[0] %.17g, skipped %lld", m[0],
        (long long)skipped);

  /* constant norms: linear decay (n-1-t)/(n-1), for any constant and smoothing */
  {
    enum { N = 1000 };
    static double norms[N], out[N];
    static const double consts[] = {1.0, 0.37, 2.5, 1e-3, 1e4};
    static const double smooth[] = {0.0, 0.1, 0.5, 1.0};
    int bad = 0;
    char first[200] = "";
    for (size_t ci = 0; ci < sizeof consts / sizeof consts[0]; ci++) {
      for (size_t si = 0; si < sizeof smooth / sizeof smooth[0]; si++) {
        for (unsigned kind = 0; kind <= 1; kind++) {
          for (int i = 0; i < N; i++) norms[i] = consts[ci];
          pace_refine_options oo = {sizeof oo, kind, smooth[si]};
          if (pace_refine(norms, N, &oo, out) != PACE_OK) {
            bad++;
            continue;
          }
          for (int t = 0; t < N; t++) {
            double want = (double)(N - 1 - t) / (double)(N - 1);
            if (!close_rel(out[t], want, 1e-13, 1e-15)) {
              if (!bad) snprintf(first, sizeof first, "norm %g smoothing %g %s: m[%d] = %.17g, want %.17g",
                                 consts[ci], smooth[si], kind ? "L1" : "L2", t, out[t], want);
              bad++;
              break;
            }
          }
        }
      }
    }
    CHECK(bad == 0, "constant norms do not give linear decay (%d cases): %s", bad, first);
  }

  /* many sizes of smooth and noisy norms (a release build once crashed in the
   * radix ranking at n = 82000 of these smooth norms, which the debug-built
   * Swift tests did not see): every result finite, in [0, 1], max 1, last 0 */
  {
    enum { NMAX = 130000 };
    static double g[NMAX], m[NMAX];
    int bad = 0;
    char first[160] = "";
    for (int n = 2000; n <= NMAX; n += (n < 90000 ? 4000 : 20000)) {
      for (int kind = 0; kind < 3; kind++) {
        int len = kind == 2 ? 82000 : n;
        for (int i = 0; i < len; i++) {
          double smooth = 1.0 + 0.5 / sqrt(1.0 + i * 1e-3) + 0.01 * (double)(i % 7);
          g[i] = kind == 1 ? smooth * (1.0 + 0.3 * sin(i * 12.9898)) : smooth;
        }
        pace_refine_options oo = {sizeof oo, (uint32_t)(kind & 1), 0.1};
        pace_status st = pace_refine(g, len, &oo, m);
        double peak = 0;
        int ok = st == PACE_OK && m[len - 1] == 0;
        for (int i = 0; ok && i < len; i++) {
          ok = isfinite(m[i]) && m[i] >= 0 && m[i] <= 1;
          if (m[i] > peak) peak = m[i];
        }
        if (!ok || peak != 1) {
          if (!bad) snprintf(first, sizeof first, "n %d kind %d: status %s, peak %.17g", len, kind, sname(st), peak);
          bad++;
        }
      }
    }
    CHECK(bad == 0, "refine of smooth/noisy norms: %d bad results, first: %s", bad, first);
  }

  /* in place (out_multipliers == grad_norms) and overlapping buffers give the
   * same multipliers as separate buffers, with and without repairs */
  {
    enum { N = 3000 };
    static double norms[N], expect[N], inplace[N + 7];
    for (int dirty = 0; dirty < 2; dirty++) {
      for (int i = 0; i < N; i++) norms[i] = 1.0 + 0.5 * sin(0.01 * i) + (double)((i * 7919) % 101) / 200.0;
      if (dirty) norms[17] = NAN, norms[N - 1] = -1.0;
      pace_refine_options oo = {sizeof oo, PACE_NORM_L1, 0.1};
      EXPECT_OK("refine(separate buffers)", pace_refine(norms, N, &oo, expect));
      memcpy(inplace, norms, sizeof norms);
      EXPECT_OK("refine(in place)", pace_refine(inplace, N, &oo, inplace));
      CHECK(memcmp(inplace, expect, sizeof expect) == 0, "refine in place (dirty %d) differs from separate buffers",
            dirty);
      memcpy(inplace + 7, norms, sizeof norms);
      EXPECT_OK("refine(out overlapping, shifted by 7)", pace_refine(inplace + 7, N, &oo, inplace));
      CHECK(memcmp(inplace, expect, sizeof expect) == 0, "refine into an overlapping buffer (dirty %d) differs", dirty);
    }
  }

  /* invalid norms (NaN, +-Inf, 0, negative) are filled from their neighbours
   * and counted; placed between equal neighbours, any filling gives the
   * clean sequence */
  {
    const double dirty[11] = {NAN, 4, 2, INFINITY, 2, 1, 0, 1, -3, -INFINITY, 1};
    const double clean[11] = {4, 4, 2, 2, 2, 1, 1, 1, 1, 1, 1};
    double a[11], b[11];
    for (int s = 0; s < 2; s++) {
      pace_refine_options oo = {sizeof oo, PACE_NORM_L2, s ? 0.3 : 0.0};
      skipped = -1;
      EXPECT_OK("refine_ex(dirty norms)", pace_refine_ex(dirty, 11, &oo, a, &skipped));
      EXPECT_OK("refine(clean norms)", pace_refine(clean, 11, &oo, b));
      CHECK(skipped == 5, "refine_ex: skipped %lld, want 5 (NaN, +Inf, 0, -3, -Inf)", (long long)skipped);
      CHECK(memcmp(a, b, sizeof a) == 0, "smoothing %g: dirty norms give m[0] %.17g m[3] %.17g, clean %.17g %.17g",
            oo.smoothing, a[0], a[3], b[0], b[3]);
      int finite = 1;
      for (int i = 0; i < 11; i++) finite &= isfinite(a[i]) && a[i] >= 0 && a[i] <= 1;
      CHECK(finite, "dirty norms: a multiplier is not finite or outside [0, 1]");
    }
    EXPECT_OK("refine(dirty norms), no count", pace_refine(dirty, 11, NULL, a));
    skipped = -1;
    const double one_good[4] = {NAN, 0, 3, -1};
    EXPECT_OK("refine_ex(one valid norm)", pace_refine_ex(one_good, 4, NULL, a, &skipped));
    CHECK(skipped == 3, "one valid norm: skipped %lld, want 3", (long long)skipped);
    CHECK(a[0] == 1 && a[3] == 0, "one valid norm (constant after filling): m = [%g %g %g %g], want linear decay",
          a[0], a[1], a[2], a[3]);
    const double none_good[3] = {NAN, 0, -1};
    set_marker();
    pace_status st = pace_refine_ex(none_good, 3, NULL, a, &skipped);
    expect_failure(__LINE__, "refine_ex(no valid norm)", st == PACE_E_NUMERIC ? PACE_E_ARGUMENT : st, PACE_E_ARGUMENT);
  }

  /* options: NULL = L2 with smoothing 0.1; struct_size; bad enum; smoothing */
  {
    enum { N = 500 };
    static double norms[N], a[N], b[N];
    for (int i = 0; i < N; i++) norms[i] = 1.0 + 0.5 * sin(i * 0.05) + 0.3 * rng_unit();
    pace_refine_options oo = {sizeof oo, PACE_NORM_L2, 0.1};
    EXPECT_OK("refine(opt NULL)", pace_refine(norms, N, NULL, a));
    EXPECT_OK("refine(L2, 0.1)", pace_refine(norms, N, &oo, b));
    CHECK(memcmp(a, b, sizeof a) == 0, "opt NULL differs from {L2, smoothing 0.1}");
    pace_status nst = pace_refine_ex(norms, N, NULL, a, NULL); /* count not wanted: OK, or ARGUMENT for the NULL */
    CHECK(nst == PACE_OK || nst == PACE_E_ARGUMENT, "refine_ex(NULL skipped): status %s", sname(nst));
    if (nst == PACE_OK) CHECK(memcmp(a, b, sizeof a) == 0, "refine_ex(NULL skipped) differs from refine");
    struct {
      pace_refine_options o;
      double future_field;
    } bigger = {{sizeof bigger, PACE_NORM_L2, 0.1}, 123.0};
    EXPECT_OK("refine(struct_size larger: a newer caller)", pace_refine(norms, N, &bigger.o, a));
    CHECK(memcmp(a, b, sizeof a) == 0, "struct_size larger: result differs");
    pace_refine_options small = {sizeof small - 1, PACE_NORM_L2, 0.1};
    EXPECT_FAIL("refine(struct_size sizeof-1)", pace_refine(norms, N, &small, a), PACE_E_ARGUMENT);
    small.struct_size = 0;
    EXPECT_FAIL("refine(struct_size 0)", pace_refine(norms, N, &small, a), PACE_E_ARGUMENT);
    small.struct_size = 8;
    EXPECT_FAIL("refine(struct_size 8)", pace_refine(norms, N, &small, a), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine_ex(struct_size 4)",
                pace_refine_ex(norms, N, &(pace_refine_options){4, 0, 0.1}, a, &skipped), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine(norm 2)", pace_refine(norms, N, &(pace_refine_options){sizeof oo, 2, 0.1}, a), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine(norm 0xFFFFFFFF)", pace_refine(norms, N, &(pace_refine_options){sizeof oo, 0xFFFFFFFFu, 0.1}, a),
                PACE_E_ARGUMENT);
    static const double bad_smoothing[] = {NAN, INFINITY, -INFINITY, -0.1, 1.5};
    for (size_t i = 0; i < sizeof bad_smoothing / sizeof bad_smoothing[0]; i++) {
      char what[64];
      snprintf(what, sizeof what, "refine(smoothing %g)", bad_smoothing[i]);
      EXPECT_FAIL(what, pace_refine(norms, N, &(pace_refine_options){sizeof oo, 0, bad_smoothing[i]}, a),
                  PACE_E_ARGUMENT);
    }
    /* NULLs and counts */
    EXPECT_FAIL("refine(NULL norms)", pace_refine(NULL, N, NULL, a), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine(NULL out)", pace_refine(norms, N, NULL, NULL), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine(n 0)", pace_refine(norms, 0, NULL, a), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine(n -1)", pace_refine(norms, -1, NULL, a), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine(n INT64_MIN)", pace_refine(norms, INT64_MIN, NULL, a), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine(n INT64_MAX)", pace_refine(norms, INT64_MAX, NULL, a), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine_ex(NULL norms)", pace_refine_ex(NULL, N, NULL, a, &skipped), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine_ex(NULL out)", pace_refine_ex(norms, N, NULL, NULL, &skipped), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine_ex(n 0)", pace_refine_ex(norms, 0, NULL, a, &skipped), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine_ex(n -5)", pace_refine_ex(norms, -5, NULL, a, &skipped), PACE_E_ARGUMENT);
  }

  /* small n */
  {
    double one = 2.0, m1 = -1, m2[2] = {-1, -1};
    EXPECT_OK("refine(n 1)", pace_refine(&one, 1, NULL, &m1));
    CHECK(m1 == 0, "n 1: m = %g, want 0 (the last value)", m1);
    const double two[2] = {3, 3};
    EXPECT_OK("refine(n 2)", pace_refine(two, 2, &(pace_refine_options){sizeof(pace_refine_options), 0, 1.0}, m2));
    CHECK(m2[0] == 1 && m2[1] == 0, "n 2: m = [%g %g], want [1 0]", m2[0], m2[1]);
  }

  /* properties and a naive reference on random norms */
  {
    static const int64_t sizes[] = {3, 10, 101, 1000, 4001};
    static const double smooth[] = {0.0, 0.05, 0.1, 0.37, 1.0};
    int bad_ref = 0, bad_prop = 0;
    char first[256] = "", firstp[256] = "";
    for (size_t zi = 0; zi < sizeof sizes / sizeof sizes[0]; zi++) {
      int64_t n = sizes[zi];
      double *norms = malloc((size_t)n * sizeof *norms), *got = malloc((size_t)n * sizeof *got),
             *want = malloc((size_t)n * sizeof *want);
      for (int64_t i = 0; i < n; i++)
        norms[i] = exp(0.8 * (rng_unit() - 0.5)) * (1.5 + cos((double)i * 6.0 / (double)n)) * (i % 50 == 7 ? 3 : 1);
      for (size_t si = 0; si < sizeof smooth / sizeof smooth[0]; si++) {
        for (unsigned kind = 0; kind <= 1; kind++) {
          if (n > 1000 && smooth[si] > 0.1) continue; /* the naive filter is O(n w log w) */
          pace_refine_options oo = {sizeof oo, kind, smooth[si]};
          if (pace_refine(norms, n, &oo, got) != PACE_OK) {
            bad_ref++;
            continue;
          }
          refine_reference(norms, n, kind, smooth[si], want);
          double mx = 0;
          int prop_ok = got[n - 1] == 0;
          for (int64_t t = 0; t < n; t++) {
            prop_ok &= isfinite(got[t]) && got[t] >= 0 && got[t] <= 1;
            if (got[t] > mx) mx = got[t];
            if (fabs(got[t] - want[t]) > 1e-12) {
              if (!bad_ref) snprintf(first, sizeof first, "n %lld smoothing %g %s: m[%lld] = %.17g, reference %.17g",
                                     (long long)n, smooth[si], kind ? "L1" : "L2", (long long)t, got[t], want[t]);
              bad_ref++;
              break;
            }
          }
          prop_ok &= mx == 1.0;
          if (!prop_ok) {
            if (!bad_prop) snprintf(firstp, sizeof firstp, "n %lld smoothing %g: max %.17g, last %.17g", (long long)n,
                                    smooth[si], mx, got[n - 1]);
            bad_prop++;
          }
        }
      }
      free(norms);
      free(got);
      free(want);
    }
    CHECK(bad_ref == 0, "%d cases differ from the naive median-filter reference: %s", bad_ref, first);
    CHECK(bad_prop == 0, "%d cases are not in [0, 1] with max 1 and last 0: %s", bad_prop, firstp);
  }

  /* scale invariance: refine(c * g) == refine(g) (the weights' scale cancels) */
  {
    enum { N = 300 };
    static double norms[N], scaled[N], a[N], b[N];
    for (int i = 0; i < N; i++) norms[i] = 0.5 + rng_unit();
    static const double scales[] = {1e-100, 1e-30, 1e-8, 65536.0, 1e30, 1e100};
    for (size_t k = 0; k < sizeof scales / sizeof scales[0]; k++) {
      for (int i = 0; i < N; i++) scaled[i] = norms[i] * scales[k];
      pace_refine_options oo = {sizeof oo, PACE_NORM_L2, 0.0};
      int ok = pace_refine(norms, N, &oo, a) == PACE_OK && pace_refine(scaled, N, &oo, b) == PACE_OK;
      double worst = 0;
      for (int i = 0; ok && i < N; i++) worst = fmax(worst, fabs(a[i] - b[i]));
      CHECK(ok && worst <= 1e-12, "L2 norms scaled by %g: multipliers change by up to %.3g (m[0] %.17g vs %.17g)",
            scales[k], worst, b[0], a[0]);
    }
  }

  /* pace_refine_spec: a table spec, optionally after a linear warmup */
  {
    enum { N = 400 };
    static double norms[N], mult[N];
    for (int i = 0; i < N; i++) norms[i] = 1.0 + 1.0 / (1.0 + i * 0.02) + 0.1 * rng_unit();
    pace_refine(norms, N, NULL, mult);
    const double peak = 3e-4;
    static const int64_t warmups[] = {0, 1, 25, N - 1};
    for (size_t wi = 0; wi < sizeof warmups / sizeof warmups[0]; wi++) {
      int64_t W = warmups[wi];
      size_t needed = 0;
      EXPECT_FAIL("refine_spec(NULL buf)", pace_refine_spec(mult, N, peak, W, NULL, 0, &needed), PACE_E_BUFFER_TOO_SMALL);
      CHECK(needed > 1, "refine_spec: *needed %zu", needed);
      char *buf = malloc(needed + 8);
      if (!buf) continue;
      size_t n2 = 0;
      memset(buf, 'x', needed + 8);
      EXPECT_FAIL("refine_spec(cap needed-1)", pace_refine_spec(mult, N, peak, W, buf, needed - 1, &n2),
                  PACE_E_BUFFER_TOO_SMALL);
      CHECK(n2 == needed, "refine_spec(cap needed-1): *needed %zu, want %zu", n2, needed);
      EXPECT_OK("refine_spec(cap needed)", pace_refine_spec(mult, N, peak, W, buf, needed, &n2));
      CHECK(strlen(buf) + 1 == needed, "refine_spec: strlen %zu + 1 != *needed %zu", strlen(buf), needed);
      pace_schedule *s = PARSE_OK(buf);
      if (s) {
        int bad = 0;
        char first[200] = "";
        for (int64_t t = W; t < N; t++) {
          double want = peak * mult[t], got = at(s, t);
          if (!same_bits(got, want)) {
            if (!bad) snprintf(first, sizeof first, "step %lld: %.17g, want peak*m = %.17g", (long long)t, got, want);
            bad++;
          }
        }
        CHECK(bad == 0, "warmup %lld: %d values after the warmup differ from peak*multipliers: %s", (long long)W, bad,
              first);
        int64_t total = 0;
        pace_schedule_total_steps(s, &total);
        CHECK(total == N, "warmup %lld: total_steps %lld, want %d", (long long)W, (long long)total, N);
        CHECK(same_bits(at(s, N + 100), peak * mult[N - 1]), "warmup %lld: past the end %.17g, want the last value",
              (long long)W, at(s, N + 100));
        if (W > 1) {
          int ramp_ok = at(s, 0) == 0;
          for (int64_t t = 0; t < W; t++)
            ramp_ok &= close_rel(at(s, t), peak * mult[W] * (double)t / (double)W, 1e-12, 1e-20);
          CHECK(ramp_ok, "warmup %lld: not a linear ramp from 0 to peak*m[W] (step 0: %.17g, step %lld: %.17g)",
                (long long)W, at(s, 0), (long long)(W - 1), at(s, W - 1));
        }
        pace_schedule_free(s);
      }
      free(buf);
    }
    char buf[64];
    size_t needed = 0;
    EXPECT_FAIL("refine_spec(NULL multipliers)", pace_refine_spec(NULL, N, peak, 0, buf, sizeof buf, &needed),
                PACE_E_ARGUMENT);
    EXPECT_FAIL("refine_spec(n 0)", pace_refine_spec(mult, 0, peak, 0, buf, sizeof buf, &needed), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine_spec(n -1)", pace_refine_spec(mult, -1, peak, 0, buf, sizeof buf, &needed), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine_spec(peak 0)", pace_refine_spec(mult, N, 0.0, 0, buf, sizeof buf, &needed), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine_spec(peak -1)", pace_refine_spec(mult, N, -1.0, 0, buf, sizeof buf, &needed), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine_spec(peak NaN)", pace_refine_spec(mult, N, NAN, 0, buf, sizeof buf, &needed), PACE_E_ARGUMENT);
    EXPECT_FAIL("refine_spec(peak Inf)", pace_refine_spec(mult, N, INFINITY, 0, buf, sizeof buf, &needed),
                PACE_E_ARGUMENT);
    EXPECT_FAIL("refine_spec(warmup -1)", pace_refine_spec(mult, N, peak, -1, buf, sizeof buf, &needed),
                PACE_E_ARGUMENT);
    EXPECT_FAIL("refine_spec(warmup n)", pace_refine_spec(mult, N, peak, N, buf, sizeof buf, &needed), PACE_E_ARGUMENT);
    double nanm[3] = {1, NAN, 0};
    EXPECT_FAIL("refine_spec(NaN multiplier)", pace_refine_spec(nanm, 3, peak, 0, buf, sizeof buf, &needed),
                PACE_E_ARGUMENT);
    /* a refined schedule as a runtime channel */
    size_t need = 0;
    pace_refine_spec(mult, N, peak, 10, NULL, 0, &need);
    char *spec = malloc(need), *cfg = malloc(need + 64);
    size_t need2 = 0;
    if (spec && cfg && pace_refine_spec(mult, N, peak, 10, spec, need, &need2) == PACE_OK) {
      snprintf(cfg, need + 64, "{\"channels\":{\"lr\":%s}}", spec);
      pace_runtime *rt = CREATE_OK(cfg);
      if (rt) {
        advance(rt, 200, 1.0);
        double v = 0;
        pace_runtime_values(rt, &v, 1);
        CHECK(same_bits(v, peak * mult[200]), "refined spec as a channel: %.17g at 200, want %.17g", v,
              peak * mult[200]);
      }
      pace_runtime_free(rt);
    }
    free(spec);
    free(cfg);
  }
  group_end();
}

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

/* ---- 6. checkpoints in fresh processes ---------------------------------------- */

#define FUTURE 100000

/* Compares values a child wrote for steps from..to-1 with the reference. */
static void compare_child_values(int line, const char *what, const char *path, const double *ref, int64_t from,
                                 int64_t to, int64_t nv) {
  size_t size = 0;
  unsigned char *got = read_file(path, &size);
  size_t want_size = (size_t)(to - from) * (size_t)nv * sizeof(double);
  check_impl(got && size == want_size, line, "%s: child wrote %zu bytes of values, want %zu", what, size, want_size);
  if (got && size == want_size) {
    const double *g = (const double *)(const void *)got;
    const double *r = ref + (from + 1) * nv; /* the values after each step */
    if (memcmp(g, r, want_size) != 0) {
      int64_t i = 0;
      while (i < (to - from) * nv && same_bits(g[i], r[i])) i++;
      check_impl(0, line, "%s: values not bit-identical from step %lld (value %lld): %.17g, uninterrupted %.17g", what,
                 (long long)(from + i / nv + 1), (long long)(i % nv), g[i], r[i]);
    } else {
      check_impl(1, line, "ok");
    }
  }
  free(got);
  unlink(path);
}

/* Reads values a child wrote (malloc'ed; NULL unless exactly `count` doubles). */
static double *read_values(const char *path, int64_t count) {
  size_t size = 0;
  unsigned char *data = read_file(path, &size);
  if (data && size != (size_t)count * sizeof(double)) {
    free(data);
    data = NULL;
  }
  return (double *)(void *)data;
}

static void resume_scenario(int id, const int64_t *ks, int nk, int64_t chain[3]) {
  int64_t kmax = 0;
  for (int i = 0; i < nk; i++) kmax = ks[i] > kmax ? ks[i] : kmax;
  int64_t total = kmax + FUTURE;
  pace_runtime *probe = CREATE_OK(scenario_config(id));
  if (!probe) return;
  int64_t nv = value_count(probe);
  pace_runtime_free(probe);
  char id_s[8], to_s[32], ref_path[320], prefix[240], klist[256] = "";
  snprintf(id_s, sizeof id_s, "%d", id);

  /* the uninterrupted run, in its own process (native speed under valgrind):
   * ref_all[s * nv ...] = the values at step s, s = 0 .. total */
  snprintf(to_s, sizeof to_s, "%lld", (long long)total);
  tmp_path(ref_path, sizeof ref_path, "reference.bin");
  double t0 = now_s();
  const char *ref_args[] = {"--run", id_s, to_s, ref_path, "-", "-", NULL};
  int rc = run_self(ref_args);
  double t_ref = now_s() - t0;
  double *ref_all = rc == 0 ? read_values(ref_path, (total + 1) * nv) : NULL;
  unlink(ref_path);
  CHECK(rc == 0 && ref_all, "scenario %d: the uninterrupted run failed (exit %d)", id, rc);
  if (!ref_all) return;
  int64_t nonfinite = 0;
  for (int64_t i = 0; i < (total + 1) * nv; i++) nonfinite += !isfinite(ref_all[i]);
  CHECK(nonfinite == 0, "scenario %d: %lld non-finite values in the uninterrupted run", id, (long long)nonfinite);

  /* a second run that saves at every k (and chain[0]); its values must equal
   * the reference too (saving changes nothing) */
  int64_t save_at[16];
  char paths[16][320];
  int ns = 0;
  for (int i = 0; i < nk; i++) save_at[ns++] = ks[i];
  if (chain) save_at[ns++] = chain[0];
  for (int i = 0; i < ns; i++) /* sort ascending */
    for (int j = i + 1; j < ns; j++)
      if (save_at[j] < save_at[i]) {
        int64_t t = save_at[i];
        save_at[i] = save_at[j];
        save_at[j] = t;
      }
  save_at[ns] = -1;
  snprintf(prefix, sizeof prefix, "%s/s%d", g_tmpdir, id);
  for (int i = 0; i < ns; i++) {
    snprintf(paths[i], sizeof paths[i], "%s_k%lld.ckpt", prefix, (long long)save_at[i]);
    size_t len = strlen(klist);
    snprintf(klist + len, sizeof klist - len, "%s%lld", i ? "," : "", (long long)save_at[i]);
  }
  int64_t last = save_at[ns - 1] + 1;
  char last_s[32], saving_path[320];
  snprintf(last_s, sizeof last_s, "%lld", (long long)last);
  tmp_path(saving_path, sizeof saving_path, "saving.bin");
  const char *save_args[] = {"--run", id_s, last_s, saving_path, prefix, klist, NULL};
  rc = run_self(save_args);
  double *saving = rc == 0 ? read_values(saving_path, (last + 1) * nv) : NULL;
  unlink(saving_path);
  CHECK(rc == 0 && saving, "scenario %d: the saving run failed (exit %d)", id, rc);
  CHECK(saving && memcmp(saving, ref_all, (size_t)(last + 1) * (size_t)nv * sizeof(double)) == 0,
        "scenario %d: a run that saves differs from one that does not", id);
  free(saving);
  {
    struct stat sb;
    if (stat(paths[ns - 1], &sb) == 0)
      note("scenario %d: checkpoint at step %lld: %lld bytes", id, (long long)save_at[ns - 1], (long long)sb.st_size);
  }

  /* resume each k in a fresh process: the next FUTURE values */
  for (int i = 0; i < nk; i++) {
    int p = 0;
    while (save_at[p] != ks[i]) p++;
    char values_path[320], from_s[32], to_s[32], id_s[8], what[96];
    tmp_path(values_path, sizeof values_path, "values.bin");
    snprintf(from_s, sizeof from_s, "%lld", (long long)ks[i]);
    snprintf(to_s, sizeof to_s, "%lld", (long long)(ks[i] + FUTURE));
    snprintf(id_s, sizeof id_s, "%d", id);
    snprintf(what, sizeof what, "scenario %d, saved at step %lld", id, (long long)ks[i]);
    const char *args[] = {"--resume", paths[p], id_s, from_s, to_s, values_path, "-", NULL};
    int rc = run_self(args);
    CHECK(rc == 0, "%s: the resuming process exited with %d", what, rc);
    if (rc == 0) compare_child_values(__LINE__, what, values_path, ref_all, ks[i], ks[i] + FUTURE, nv);
  }

  /* resumed three times: chain[0] (saved here) -> chain[1] -> chain[2] -> chain[0] + FUTURE */
  if (chain) {
    int p = 0;
    while (save_at[p] != chain[0]) p++;
    int64_t bounds[4] = {chain[0], chain[1], chain[2], chain[0] + FUTURE};
    char state_in[320], state_out[320];
    snprintf(state_in, sizeof state_in, "%s", paths[p]);
    for (int leg = 0; leg < 3; leg++) {
      char values_path[320], from_s[32], to_s[32], id_s[8], what[128], name[64];
      snprintf(name, sizeof name, "chain%d.ckpt", leg);
      tmp_path(state_out, sizeof state_out, name);
      tmp_path(values_path, sizeof values_path, "chain_values.bin");
      snprintf(from_s, sizeof from_s, "%lld", (long long)bounds[leg]);
      snprintf(to_s, sizeof to_s, "%lld", (long long)bounds[leg + 1]);
      snprintf(id_s, sizeof id_s, "%d", id);
      snprintf(what, sizeof what, "scenario %d, resume %d of 3 (steps %lld..%lld)", id, leg + 1,
               (long long)bounds[leg], (long long)bounds[leg + 1]);
      const char *args[] = {"--resume", state_in, id_s, from_s, to_s, values_path, leg < 2 ? state_out : "-", NULL};
      int rc = run_self(args);
      CHECK(rc == 0, "%s: the resuming process exited with %d", what, rc);
      if (rc != 0) break;
      compare_child_values(__LINE__, what, values_path, ref_all, bounds[leg], bounds[leg + 1], nv);
      if (leg > 0) unlink(state_in);
      snprintf(state_in, sizeof state_in, "%s", state_out);
    }
    unlink(state_in);
  }
  for (int i = 0; i < ns; i++) unlink(paths[i]);
  note("scenario %d (%lld values per step): uninterrupted %lld steps in %.2f s (a process); resumed at %d steps%s", id,
       (long long)nv, (long long)total, t_ref, nk, chain ? ", and a run resumed three times" : "");
  free(ref_all);
}

static void test_checkpoints_fresh_process(void) {
  group_begin("checkpoints (fresh process)");
  static const int64_t k0[] = {0, 1, 999, 1000, 31337, 77777};
  resume_scenario(0, k0, (int)(sizeof k0 / sizeof k0[0]), NULL);
  /* scenario 1: refine from 2000 on; set_total_steps at 5000, begin_decay at
   * 8000, rewarm at 20000, begin_decay at 60000 */
  static const int64_t k1[] = {0, 1500, 4999, 5000, 8001, 20001, 61234};
  int64_t chain[3] = {2500, 30000, 70000};
  resume_scenario(1, k1, (int)(sizeof k1 / sizeof k1[0]), chain);

  /* checkpoint size of a refined run: the state needed is the norm history
   * (8 B/step) plus the schedules in force; past segments are never evaluated
   * again. From step 10000 to 40000 (30 re-plans of a 200000-step schedule) a
   * linear state grows by ~8 B/step, plus at most one table of 200000 values. */
  {
    char prefix[240], values_path[320], p10[320], p40[320];
    snprintf(prefix, sizeof prefix, "%s/s2", g_tmpdir);
    tmp_path(values_path, sizeof values_path, "s2_values.bin");
    const char *args[] = {"--run", "2", "40001", values_path, prefix, "10000,40000", NULL};
    int rc = run_self(args);
    CHECK(rc == 0, "refined run to step 40000: exit %d", rc);
    snprintf(p10, sizeof p10, "%s_k10000.ckpt", prefix);
    snprintf(p40, sizeof p40, "%s_k40000.ckpt", prefix);
    struct stat s10, s40;
    int have = rc == 0 && stat(p10, &s10) == 0 && stat(p40, &s40) == 0;
    CHECK(rc != 0 || have, "refined run: the checkpoints at steps 10000 and 40000 were not written");
    if (have) {
      double growth = (double)s40.st_size - (double)s10.st_size;
      double bound = 64.0 * 30000 + 32.0 * 200000;
      note("refined run (every 1000, 200000 steps): checkpoint %lld bytes at step 10000, %lld at 40000", (long long)s10.st_size, (long long)s40.st_size);
      CHECK(growth <= bound, "refine every 1000 over 200000 steps: the checkpoint grows from %lld bytes (step 10000) to "
            "%lld bytes (step 40000), +%.0f; a linear state grows by at most %.0f (every re-plan's table is kept)",
            (long long)s10.st_size, (long long)s40.st_size, growth, bound);
    }
    unlink(p10);
    unlink(p40);
    unlink(values_path);
  }

  group_end();
}

/* ---- online refinement ------------------------------------------------------- */

static void test_online_refine(void) {
  group_begin("online refinement");
  /* online refinement that starts during the warmup (min_history < warmup_steps;
   * min_history defaults to `every`) must not cut the warmup short: the lr still
   * reaches its peak (pace_refine_spec keeps a warmup apart from the table too) */
  {
    pace_runtime *rt = CREATE_OK("{\"channels\":{\"lr\":{\"preset\":\"cosine\",\"peak\":1e-3,\"warmup_steps\":1000,"
                                 "\"total_steps\":10000}},\"refine\":{\"every\":100,\"min_history\":200}}");
    if (rt) {
      double v = 0, mx = 0;
      int64_t at = 0;
      for (int64_t s = 1; s <= 10000; s++) {
        pace_runtime_step(rt, scenario_norm(s), &v, 1);
        if (v > mx) {
          mx = v;
          at = s;
        }
      }
      CHECK(mx >= 0.99e-3, "refine every 100 from step 200, warmup 1000 steps to peak 1e-3: the lr peaks at %.6g (step "
            "%lld); the warmup is cut short by the first re-plan", mx, (long long)at);
      pace_runtime_free(rt);
    }
  }

  /* online refinement acts: same values as without refine before min_history, different after */
  pace_runtime *a = CREATE_OK(CFG_S1), *b = CREATE_OK(CFG_S1_NOREFINE);
  if (a && b) {
    double va[6], vb[6];
    int64_t first_diff = -1, bad_cap = 0;
    for (int64_t s = 0; s < 4000; s++) {
      double g = scenario_norm(s);
      pace_runtime_step(a, g, va, 6);
      pace_runtime_step(b, g, vb, 6);
      if (first_diff < 0 && memcmp(va, vb, sizeof va) != 0) first_diff = s + 1;
      bad_cap += !(va[3] >= 0 && va[3] <= 1e-3);
    }
    CHECK(first_diff >= 2000, "online refinement changed values at step %lld, before min_history 2000",
          (long long)first_diff);
    CHECK(first_diff > 0, "online refinement never changed the lr (4000 steps, every 1000, min_history 2000)");
    CHECK(bad_cap == 0, "refined lr outside [0, peak] %lld times", (long long)bad_cap);
    note("online refinement first changed the lr at step %lld", (long long)first_diff);
  }
  pace_runtime_free(a);
  pace_runtime_free(b);
  group_end();
}

/* ---- 7. damaged state -------------------------------------------------------- */

struct fuzz_result {
  int total, status_ok, status_state, status_version, status_other, out_not_null, misbehaved;
  char first[400];
};

typedef void (*fuzz_fn)(const unsigned char *blob, size_t n, struct fuzz_result *r);

/* Runs fn in a forked child; a crash in the library is a failed check. */
static int run_forked(fuzz_fn fn, const unsigned char *blob, size_t n, struct fuzz_result *r, int *signal_out) {
  int fds[2];
  memset(r, 0, sizeof *r);
  *signal_out = 0;
  if (pipe(fds) != 0) return -1;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    struct fuzz_result res;
    memset(&res, 0, sizeof res);
    fn(blob, n, &res);
    const char *p = (const char *)&res;
    size_t off = 0;
    while (off < sizeof res) {
      ssize_t w = write(fds[1], p + off, sizeof res - off);
      if (w <= 0) break;
      off += (size_t)w;
    }
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  size_t off = 0;
  char *p = (char *)r;
  while (pid > 0 && off < sizeof *r) {
    ssize_t got = read(fds[0], p + off, sizeof *r - off);
    if (got <= 0) break;
    off += (size_t)got;
  }
  close(fds[0]);
  int ws = 0;
  if (pid < 0 || waitpid(pid, &ws, 0) < 0) return -1;
  if (WIFSIGNALED(ws)) *signal_out = WTERMSIG(ws);
  /* exit 1 without a signal: under valgrind, memory errors in the child */
  if (WIFEXITED(ws) && WEXITSTATUS(ws) != 0) *signal_out = -WEXITSTATUS(ws);
  return (WIFEXITED(ws) && WEXITSTATUS(ws) == 0 && off == sizeof *r) ? 0 : -1;
}

static const char *crash_hint(int sig) {
  if (sig == SIGILL) return ", SIGILL: Swift runtime trap";
  if (sig < 0) return " (negative: exit code; under valgrind, memory errors in the child)";
  return "";
}

static void tally(struct fuzz_result *r, pace_status st, pace_runtime *out, const char *what) {
  r->total++;
  if (st == PACE_OK) r->status_ok++;
  else if (st == PACE_E_STATE) r->status_state++;
  else if (st == PACE_E_VERSION) r->status_version++;
  else r->status_other++;
  if (st != PACE_OK && out != NULL) r->out_not_null++;
  if (st != PACE_OK && (pace_last_error()[0] == '\0')) r->misbehaved++;
  (void)what;
}

static void fuzz_truncate(const unsigned char *blob, size_t n, struct fuzz_result *r) {
  for (size_t len = 0; len < n; len++) {
    pace_runtime *out = (pace_runtime *)(uintptr_t)0x1;
    /* a fresh copy of exactly len bytes, so reading past it is a real overrun */
    unsigned char *copy = malloc(len ? len : 1);
    memcpy(copy, blob, len);
    pace_status st = pace_runtime_load(copy, len, &out);
    tally(r, st, out, "truncated");
    if (st != PACE_E_STATE && r->first[0] == '\0')
      snprintf(r->first, sizeof r->first, "length %zu of %zu: %s (%s)", len, n, pace_status_name(st), pace_last_error());
    if (st == PACE_OK) pace_runtime_free(out);
    free(copy);
  }
}

static void fuzz_bitflip(const unsigned char *blob, size_t n, struct fuzz_result *r) {
  unsigned char *copy = malloc(n);
  uint64_t seed = 0xb17f11b5ULL;
  for (int i = 0; i < 1000; i++) {
    memcpy(copy, blob, n);
    seed = mix64(seed);
    size_t bit = (size_t)(seed % ((uint64_t)n * 8));
    copy[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    pace_runtime *out = (pace_runtime *)(uintptr_t)0x1;
    pace_status st = pace_runtime_load(copy, n, &out);
    tally(r, st, out, "bit flip");
    if (st != PACE_E_STATE && r->first[0] == '\0')
      snprintf(r->first, sizeof r->first, "bit %zu (byte %zu): %s (%s)", bit, bit / 8, pace_status_name(st),
               pace_last_error());
    if (st == PACE_OK) pace_runtime_free(out);
  }
  free(copy);
}

/* Bit flips in the payload with the CRC recomputed: the structure checks must
 * catch what the checksum no longer does; a blob that loads must run. */
static void fuzz_bitflip_crc(const unsigned char *blob, size_t n, struct fuzz_result *r) {
  unsigned char *copy = malloc(n);
  uint64_t seed = 0xc5c5c5ULL;
  for (int i = 0; i < 1000; i++) {
    memcpy(copy, blob, n);
    int flips = 1 + (int)(i % 3);
    for (int f = 0; f < flips; f++) {
      seed = mix64(seed);
      size_t bit = 20 * 8 + (size_t)(seed % ((uint64_t)(n - 24) * 8));
      copy[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    }
    fix_crc(copy, n);
    pace_runtime *out = (pace_runtime *)(uintptr_t)0x1;
    pace_status st = pace_runtime_load(copy, n, &out);
    tally(r, st, out, "bit flip + crc");
    if (st != PACE_OK && st != PACE_E_STATE && r->first[0] == '\0')
      snprintf(r->first, sizeof r->first, "flip set %d: %s (%s)", i, pace_status_name(st), pace_last_error());
    if (st == PACE_OK) {
      double v[64];
      int64_t c = 0, g = 0;
      pace_runtime_shape(out, &c, &g);
      if (c * g > 64 || c * g < 1) r->misbehaved++;
      for (int k = 0; k < 50; k++) pace_runtime_step(out, 1.0, v, 64);
      pace_runtime_begin_decay(out, NULL, 10, "linear", 0);
      pace_runtime_values(out, v, 64);
      size_t need = 0;
      pace_runtime_save(out, NULL, 0, &need);
      pace_runtime_free(out);
    }
  }
  free(copy);
}

static void test_damaged_state(void) {
  group_begin("damaged state");
  pace_runtime *rt = CREATE_OK(CFG_S1);
  if (!rt) {
    group_end();
    return;
  }
  /* a few segments: set_total_steps, begin_decay, rewarm, then steps */
  for (int64_t s = 0; s < 300; s++) {
    if (s == 100) pace_runtime_set_total_steps(rt, 20000);
    if (s == 150) pace_runtime_begin_decay(rt, "weight_decay", 500, "linear", 0.5);
    if (s == 200) pace_runtime_rewarm(rt, "momentum", "{\"peak\":0.9,\"phases\":[{\"shape\":\"constant\"}]}");
    double v[6];
    pace_runtime_step(rt, scenario_norm(s), v, 6);
  }
  size_t n = 0;
  unsigned char *blob = save_alloc(rt, &n);
  CHECK(blob != NULL, "save failed: %s", last_error());
  if (!blob) {
    pace_runtime_free(rt);
    group_end();
    return;
  }
  /* the documented layout: magic, version 3 (issue 16: the event log), payload length, CRC-32 (zlib) */
  CHECK(n >= 24 && memcmp(blob, "PACE\0RT\0", 8) == 0, "blob does not start with the magic \"PACE\\0RT\\0\"");
  CHECK(get_u32le(blob + 8) == 3, "format version field %u, want 3", get_u32le(blob + 8));
  CHECK(get_u64le(blob + 12) == n - 24, "payload length field %llu, want %zu", (unsigned long long)get_u64le(blob + 12),
        n - 24);
  CHECK(get_u32le(blob + n - 4) == crc32_zlib(blob, n - 4), "stored CRC %08x, zlib crc32 of the rest %08x",
        get_u32le(blob + n - 4), crc32_zlib(blob, n - 4));
  /* exact: load then save gives the same bytes; the same runtime saves the same bytes twice */
  {
    pace_runtime *back = NULL;
    size_t n2 = 0, n3 = 0;
    EXPECT_OK("load(blob)", pace_runtime_load(blob, n, &back));
    unsigned char *again = back ? save_alloc(back, &n2) : NULL, *twice = save_alloc(rt, &n3);
    CHECK(again && n2 == n && memcmp(again, blob, n) == 0, "save(load(blob)) differs from blob (%zu vs %zu bytes)", n2,
          n);
    CHECK(twice && n3 == n && memcmp(twice, blob, n) == 0, "saving twice gives different bytes");
    free(again);
    free(twice);
    pace_runtime_free(back);
  }
  note("blob at step 300 with 3 events: %zu bytes", n);

  struct fuzz_result r;
  int sig = 0, rc;
  rc = run_forked(fuzz_truncate, blob, n, &r, &sig);
  CHECK(rc == 0, "truncations: the process crashed (signal %d%s)", sig, crash_hint(sig));
  if (rc == 0) {
    CHECK(r.total == (int)n && r.status_state == (int)n, "truncations: %d of %d lengths gave PACE_E_STATE; first other: %s",
          r.status_state, r.total, r.first);
    CHECK(r.out_not_null == 0, "truncations: *out not NULL after %d failures", r.out_not_null);
    CHECK(r.misbehaved == 0, "truncations: %d failures without a message", r.misbehaved);
  }
  rc = run_forked(fuzz_bitflip, blob, n, &r, &sig);
  CHECK(rc == 0, "bit flips: the process crashed (signal %d%s)", sig, crash_hint(sig));
  if (rc == 0) {
    CHECK(r.total == 1000 && r.status_state == 1000, "bit flips: %d of %d gave PACE_E_STATE (ok %d, version %d, other "
          "%d); first other: %s", r.status_state, r.total, r.status_ok, r.status_version, r.status_other, r.first);
    CHECK(r.out_not_null == 0, "bit flips: *out not NULL after %d failures", r.out_not_null);
  }
  rc = run_forked(fuzz_bitflip_crc, blob, n, &r, &sig);
  CHECK(rc == 0, "bit flips with the CRC recomputed: the process crashed (signal %d%s)", sig,
        crash_hint(sig));
  if (rc == 0) {
    CHECK(r.status_ok + r.status_state == r.total && r.total == 1000, "bit flips + CRC: statuses ok %d, state %d, "
          "version %d, other %d; first other: %s", r.status_ok, r.status_state, r.status_version, r.status_other,
          r.first);
    CHECK(r.out_not_null == 0 && r.misbehaved == 0, "bit flips + CRC: *out not NULL %d times, %d misbehaved",
          r.out_not_null, r.misbehaved);
    note("1000 payload bit flips with the CRC recomputed: %d loaded (and ran), %d PACE_E_STATE", r.status_ok,
         r.status_state);
  }

  /* format version 4 (newer), CRC recomputed: PACE_E_VERSION */
  unsigned char *copy = malloc(n);
  pace_runtime *out;
  memcpy(copy, blob, n);
  put_u32le(copy + 8, 4);
  fix_crc(copy, n);
  out = (pace_runtime *)(uintptr_t)0x1;
  EXPECT_FAIL("load(version 4, CRC recomputed)", pace_runtime_load(copy, n, &out), PACE_E_VERSION);
  CHECK(out == NULL, "version 4: *out not NULL");
  CHECK(strstr(last_error(), "4") != NULL, "version 4: message \"%s\" does not give the version", last_error());
  put_u32le(copy + 8, 0xFFFFFFFFu);
  fix_crc(copy, n);
  EXPECT_FAIL("load(version 2^32-1, CRC recomputed)", pace_runtime_load(copy, n, &out), PACE_E_VERSION);
  put_u32le(copy + 8, 0);
  fix_crc(copy, n);
  EXPECT_FAIL2("load(version 0, CRC recomputed)", pace_runtime_load(copy, n, &out), PACE_E_VERSION, PACE_E_STATE);
  /* version 4 with a stale CRC: damaged first */
  memcpy(copy, blob, n);
  put_u32le(copy + 8, 4);
  EXPECT_FAIL("load(version 4, CRC stale)", pace_runtime_load(copy, n, &out), PACE_E_STATE);
  /* magic changed, CRC recomputed: another kind */
  memcpy(copy, blob, n);
  copy[0] = 'p';
  fix_crc(copy, n);
  EXPECT_FAIL("load(bad magic, CRC recomputed)", pace_runtime_load(copy, n, &out), PACE_E_STATE);
  /* payload length off by one, CRC recomputed */
  memcpy(copy, blob, n);
  copy[12] ^= 1;
  fix_crc(copy, n);
  EXPECT_FAIL("load(length field +-1, CRC recomputed)", pace_runtime_load(copy, n, &out), PACE_E_STATE);
  /* payload length huge, CRC recomputed */
  memcpy(copy, blob, n);
  for (int i = 12; i < 20; i++) copy[i] = 0xFF;
  fix_crc(copy, n);
  EXPECT_FAIL("load(length field 2^64-1, CRC recomputed)", pace_runtime_load(copy, n, &out), PACE_E_STATE);
  /* a blob of another version written as a file */
  {
    char path[320];
    tmp_path(path, sizeof path, "v4.ckpt");
    memcpy(copy, blob, n);
    put_u32le(copy + 8, 4);
    fix_crc(copy, n);
    write_file(path, copy, n);
    EXPECT_FAIL("load_file(version 4)", pace_runtime_load_file(path, &out), PACE_E_VERSION);
    copy[n / 2] ^= 0x10;
    write_file(path, copy, n);
    EXPECT_FAIL("load_file(damaged)", pace_runtime_load_file(path, &out), PACE_E_STATE);
    unlink(path);
  }
  free(copy);
  free(blob);
  pace_runtime_free(rt);
  group_end();
}

/* ---- 8. atomic file writes under SIGKILL ------------------------------------- */

static void test_atomic_writes(void) {
  group_begin("atomic file writes (SIGKILL)");
  char path[320];
  tmp_path(path, sizeof path, "atomic.ckpt");
  pace_runtime *rt = CREATE_OK(CFG_WRITER);
  pace_schedule *s = PARSE_OK(SPEC_WRITER);
  if (!rt || !s) {
    pace_runtime_free(rt);
    pace_schedule_free(s);
    group_end();
    return;
  }
  advance(rt, 10, 1.0);
  EXPECT_OK("initial save_file", pace_runtime_save_file(rt, path));
  pace_runtime_free(rt);

  enum { KILLS = 60 };
  int64_t prev = 10, first_step = 10;
  int load_fail = 0, went_back = 0, wrong_value = 0, not_killed = 0, advanced = 0, not_ready = 0;
  char first[256] = "";
  for (int k = 0; k < KILLS; k++) {
    int fds[2];
    if (pipe(fds) != 0) {
      CHECK(0, "pipe failed");
      break;
    }
    char fd_s[16];
    snprintf(fd_s, sizeof fd_s, "%d", fds[1]);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      execl(g_self, g_self, "--writer", path, fd_s, (char *)NULL);
      _exit(127);
    }
    close(fds[1]);
    char c = 0;
    ssize_t got = pid > 0 ? read(fds[0], &c, 1) : -1; /* the writer has loaded the file */
    close(fds[0]);
    if (got != 1) not_ready++;
    long delay_us = (long)(rng_next() % 5001); /* 0 .. 5 ms */
    struct timespec ts = {0, delay_us * 1000L};
    nanosleep(&ts, NULL);
    if (pid > 0) kill(pid, SIGKILL);
    int ws = 0;
    if (pid > 0) waitpid(pid, &ws, 0);
    if (!(pid > 0 && WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL)) {
      not_killed++;
      if (first[0] == '\0') snprintf(first, sizeof first, "writer %d ended on its own (status 0x%x)", k, ws);
    }
    pace_runtime *back = NULL;
    pace_status st = pace_runtime_load_file(path, &back);
    if (st != PACE_OK) {
      load_fail++;
      if (first[0] == '\0') snprintf(first, sizeof first, "after kill %d: load_file: %s (%s)", k, sname(st), last_error());
      continue;
    }
    int64_t step = step_count(back);
    if (step < prev) went_back++;
    if (step > prev) advanced++;
    double v = NAN;
    pace_runtime_values(back, &v, 1);
    if (!same_bits(v, at(s, step))) {
      wrong_value++;
      if (first[0] == '\0') snprintf(first, sizeof first, "after kill %d: value at step %lld %.17g, want %.17g", k,
                                     (long long)step, v, at(s, step));
    }
    prev = step;
    pace_runtime_free(back);
  }
  CHECK(not_ready == 0, "%d writers died before they were ready", not_ready);
  CHECK(not_killed == 0, "%d writers were not ended by SIGKILL: %s", not_killed, first);
  CHECK(load_fail == 0, "after %d of %d kills the checkpoint did not load: %s", load_fail, KILLS, first);
  CHECK(went_back == 0, "the checkpoint's step went back %d times", went_back);
  CHECK(wrong_value == 0, "%d loaded checkpoints had wrong values: %s", wrong_value, first);
  CHECK(advanced > 0, "the writers never completed a save between kills (the test exercised nothing)");
  /* temporary files left by killed writers (path.tmp.PID) */
  int leftovers = 0;
  DIR *d = opendir(g_tmpdir);
  for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
    if (strncmp(e->d_name, "atomic.ckpt.tmp.", 16) == 0) {
      char p[640];
      snprintf(p, sizeof p, "%s/%s", g_tmpdir, e->d_name);
      unlink(p);
      leftovers++;
    }
  }
  if (d) closedir(d);
  note("%d SIGKILLs at 0-5 ms: the checkpoint advanced %d times (step %lld -> %lld), always loaded; "
       "%d leftover atomic.ckpt.tmp.PID files removed", KILLS, advanced, (long long)first_step, (long long)prev, leftovers);
  unlink(path);
  pace_schedule_free(s);
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

/* ---- main -------------------------------------------------------------------- */

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
  if (argc >= 8 && strcmp(argv[1], "--resume") == 0) return child_resume(argv + 2);
  if (argc >= 4 && strcmp(argv[1], "--writer") == 0) return child_writer(argv + 2);
  if (argc >= 7 && strcmp(argv[1], "--run") == 0) return child_run(argv + 2);

  g_self = strchr(argv[0], '/') ? argv[0] : "/proc/self/exe";
  const char *base = getenv("TMPDIR");
  snprintf(g_tmpdir, sizeof g_tmpdir, "%s/pace_runtime_test.XXXXXX", base && base[0] ? base : "/tmp");
  if (!mkdtemp(g_tmpdir)) {
    fprintf(stderr, "cannot create a temporary folder %s: %s\n", g_tmpdir, strerror(errno));
    printf("0 passed, 1 failed\n");
    return 1;
  }
  printf("pace runtime test: header %d.%d.%d, library %s, temporary folder %s\n", PACE_VERSION_MAJOR,
         PACE_VERSION_MINOR, PACE_VERSION_PATCH, pace_version_string() ? pace_version_string() : "(NULL)", g_tmpdir);
  if (pace_schedule_parse("{\"preset\":\"constant\"}", &g_marker_schedule) != PACE_OK || !g_marker_schedule) {
    fprintf(stderr, "cannot parse the marker schedule: %s\n", last_error());
    printf("0 passed, 1 failed\n");
    return 1;
  }
  double t0 = now_s();
  test_runtime_arguments();
  test_bad_configs();
  test_values_layout();
  test_refine();
  test_events();
  test_damaged_state();
  test_threads();
  test_atomic_writes();
  test_online_refine();
  test_checkpoints_fresh_process();
  test_reliability();
  pace_schedule_free(g_marker_schedule);
  if (rmdir(g_tmpdir) != 0) {
    /* leftovers (e.g. after a failed check): remove them */
    DIR *d = opendir(g_tmpdir);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      char p[640];
      snprintf(p, sizeof p, "%s/%s", g_tmpdir, e->d_name);
      if (unlink(p) != 0) rmdir(p);
    }
    if (d) closedir(d);
    rmdir(g_tmpdir);
  }
  printf("(%.1f s)\n", now_s() - t0);
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed ? 1 : 0;
}
