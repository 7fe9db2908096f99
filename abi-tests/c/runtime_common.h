/*
 * runtime_common.h - what the runtime's C tests share (runtime_*_test.c; one
 * translation unit each): value comparisons, runtime helpers, blob
 * (checkpoint) byte helpers, files in a temporary folder, re-executing the
 * test binary, the scenario configs, and each program's set-up and summary.
 * Everything is static inline: a program that does not use a helper gets no
 * warning for it.
 */
#ifndef PACE_RUNTIME_COMMON_H
#define PACE_RUNTIME_COMMON_H

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
static inline void note(const char *fmt, ...) {
  printf("  note: ");
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
}

static inline int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static inline int close_rel(double got, double want, double rel, double abs_tol) {
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

static inline pace_runtime *create_ok_at(int line, const char *config) {
  pace_runtime *rt = NULL;
  pace_status st = pace_runtime_create(config, &rt);
  check_impl(st == PACE_OK && rt != NULL, line, "create of a valid config: status %s (message \"%s\"): %s",
             sname(st), last_error(), config);
  if (st != PACE_OK) return NULL;
  return rt;
}
#define CREATE_OK(config) create_ok_at(__LINE__, config)

static inline pace_schedule *parse_ok_at(int line, const char *spec) {
  pace_schedule *s = NULL;
  pace_status st = pace_schedule_parse(spec, &s);
  check_impl(st == PACE_OK && s != NULL, line, "parse of a valid spec: status %s (message \"%s\"): %s", sname(st),
             last_error(), spec);
  if (st != PACE_OK) return NULL;
  return s;
}
#define PARSE_OK(spec) parse_ok_at(__LINE__, spec)

static inline double at(const pace_schedule *s, int64_t step) {
  double v = NAN;
  if (pace_schedule_at(s, step, &v) != PACE_OK) return NAN;
  return v;
}

static inline int64_t step_count(const pace_runtime *rt) {
  int64_t n = -1;
  if (pace_runtime_step_count(rt, &n) != PACE_OK) return -1;
  return n;
}

static inline int64_t value_count(const pace_runtime *rt) {
  int64_t c = 0, g = 0;
  if (pace_runtime_shape(rt, &c, &g) != PACE_OK) return 0;
  return c * g;
}

/* Steps `n` times with the given norm; returns the first non-OK status. */
static inline pace_status advance(pace_runtime *rt, int64_t n, double norm) {
  double buf[64];
  size_t cap = sizeof buf / sizeof buf[0];
  for (int64_t i = 0; i < n; i++) {
    pace_status st = pace_runtime_step(rt, norm, buf, cap);
    if (st != PACE_OK) return st;
  }
  return PACE_OK;
}

/* The saved state as a malloc'ed blob (NULL on failure). */
static inline unsigned char *save_alloc(const pace_runtime *rt, size_t *size) {
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
static inline int same_future(pace_runtime *a, pace_runtime *b, int64_t n, int64_t *first_diff) {
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
static inline pace_runtime *clone_via_blob(const pace_runtime *rt) {
  size_t n = 0;
  unsigned char *blob = save_alloc(rt, &n);
  if (!blob) return NULL;
  pace_runtime *out = NULL;
  if (pace_runtime_load(blob, n, &out) != PACE_OK) out = NULL;
  free(blob);
  return out;
}

/* splitmix64: deterministic pseudo-random numbers. */
static inline uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
static uint64_t g_rng = 0x5eed;
static inline uint64_t rng_next(void) { return g_rng = mix64(g_rng); }
static inline double rng_unit(void) { return (double)(rng_next() >> 11) * 0x1p-53; } /* [0, 1) */

/* CRC-32 as zlib's crc32(0, p, n): reflected polynomial 0xEDB88320. */
static inline uint32_t crc32_zlib(const unsigned char *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return c ^ 0xFFFFFFFFu;
}
static inline uint32_t get_u32le(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t get_u64le(const unsigned char *p) { return (uint64_t)get_u32le(p) | (uint64_t)get_u32le(p + 4) << 32; }
static inline void put_u32le(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static inline void fix_crc(unsigned char *blob, size_t n) { put_u32le(blob + n - 4, crc32_zlib(blob, n - 4)); }

static inline int write_file(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(data, 1, n, f);
  int rc = fclose(f);
  return (w == n && rc == 0) ? 0 : -1;
}

/* Reads a whole file (malloc'ed; NULL on failure). */
static inline unsigned char *read_file(const char *path, size_t *size) {
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
static inline int run_self(const char *const *args) {
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

static inline void tmp_path(char *buf, size_t cap, const char *name) { snprintf(buf, cap, "%s/%s", g_tmpdir, name); }

/* ---- configs ----------------------------------------------------------- */

#define SPEC_WD "{\"peak\":0.05,\"phases\":[{\"shape\":\"linear\",\"steps\":100,\"from\":1,\"to\":0.2}]}"
#define SPEC_LR2 "{\"preset\":\"cosine\",\"peak\":2e-3,\"warmup_steps\":10,\"total_steps\":200}"

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

static inline const char *scenario_config(int id) { return id == 0 ? CFG_S0 : id == 1 ? CFG_S1 : CFG_S2; }

/* The gradient norm fed at step s: a decaying trend, hashed noise, and an
 * unmeasured (NaN) step now and then. Same bits in every process. */
static inline double scenario_norm(int64_t s) {
  if (s % 97 == 13) return NAN;
  double noise = (double)(mix64((uint64_t)s) >> 11) * 0x1p-53;
  return 2.0 / sqrt(1.0 + (double)s / 1000.0) + 0.5 + 0.2 * noise;
}

/* Events of scenario 1, applied at step s before stepping from s. */
static inline pace_status scenario_event(pace_runtime *rt, int id, int64_t s) {
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
static inline pace_status run_scenario(pace_runtime *rt, int id, int64_t from, int64_t to, double *out,
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


/* ---- set-up and summary of each program ------------------------------------ */

/* Creates the temporary folder (TMPDIR or /tmp) and the marker schedule,
 * prints the program's header line; returns 0, or 1 when it cannot. */
static inline int runtime_test_begin(const char *name, const char *argv0) {
  g_self = strchr(argv0, '/') ? argv0 : "/proc/self/exe";
  const char *base = getenv("TMPDIR");
  snprintf(g_tmpdir, sizeof g_tmpdir, "%s/pace_%s.XXXXXX", base && base[0] ? base : "/tmp", name);
  if (!mkdtemp(g_tmpdir)) {
    fprintf(stderr, "cannot create a temporary folder %s: %s\n", g_tmpdir, strerror(errno));
    printf("0 passed, 1 failed\n");
    return 1;
  }
  printf("pace %s: header %d.%d.%d, library %s, temporary folder %s\n", name, PACE_VERSION_MAJOR,
         PACE_VERSION_MINOR, PACE_VERSION_PATCH, pace_version_string() ? pace_version_string() : "(NULL)", g_tmpdir);
  if (pace_schedule_parse("{\"preset\":\"constant\"}", &g_marker_schedule) != PACE_OK || !g_marker_schedule) {
    fprintf(stderr, "cannot parse the marker schedule: %s\n", last_error());
    printf("0 passed, 1 failed\n");
    return 1;
  }
  return 0;
}

/* Frees the marker, removes the temporary folder (and any leftovers after a
 * failed check), prints the time and "N passed, M failed"; the exit code. */
static inline int runtime_test_end(double t0) {
  pace_schedule_free(g_marker_schedule);
  if (rmdir(g_tmpdir) != 0) {
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

#endif /* PACE_RUNTIME_COMMON_H */
