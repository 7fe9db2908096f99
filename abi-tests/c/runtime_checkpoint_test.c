/*
 * runtime_checkpoint_test.c - runtime checkpoints through the shipped
 * libpace.so:
 *   - saved at step k, loaded in a FRESH PROCESS (this binary re-executed
 *     with --resume), the next 100000 values bit-identical to an
 *     uninterrupted run (with online refinement and every kind of event), a
 *     run resumed three times;
 *   - damaged state: every truncation, 1000 bit flips, bit flips with the
 *     CRC recomputed, a newer format version (each in a forked child);
 *   - atomic files: a writer process (this binary with --writer) killed by
 *     SIGKILL at random moments; the file always loads.
 *
 * Child modes (used by the test itself):
 *   runtime_checkpoint_test --resume STATE SCENARIO FROM TO VALUES_OUT STATE_OUT|-
 *   runtime_checkpoint_test --run SCENARIO TO VALUES_OUT PREFIX|- KLIST|-
 *   runtime_checkpoint_test --writer PATH READY_FD
 *
 * Prints one line per check group (failed checks above it), then
 * "N passed, M failed"; exits 1 when any check failed.
 *
 * Build: cc -std=c11 -Wall -Wextra -Werror -pthread abi-tests/c/runtime_checkpoint_test.c \
 *          $(pkg-config --cflags --libs pace) -lm        (abi-tests/c/run.sh)
 */
#define _XOPEN_SOURCE 700

#include "runtime_common.h"

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


int main(int argc, char **argv) {
  if (argc >= 8 && strcmp(argv[1], "--resume") == 0) return child_resume(argv + 2);
  if (argc >= 4 && strcmp(argv[1], "--writer") == 0) return child_writer(argv + 2);
  if (argc >= 7 && strcmp(argv[1], "--run") == 0) return child_run(argv + 2);
  (void)argc;
  if (runtime_test_begin("runtime_checkpoint_test", argv[0]) != 0) return 1;
  double t0 = now_s();
  test_damaged_state();
  test_atomic_writes();
  test_checkpoints_fresh_process();
  return runtime_test_end(t0);
}
