/*
 * sampler_test.c - data pacing through the shipped libpace.so, as a C
 * caller would (include/pace.h, "data pacing"):
 *   - pace_sampler_create / _free for every policy and a mixture; the
 *     batch of every rank for world sizes 1, 2, 4, 8 concatenates to the
 *     global batch; two samplers of one config agree;
 *   - pace_sampler_global_batch_size / _first_offset over a ramp-up (exact
 *     sums), _eligible, _report_ability (PUDF's cap rule);
 *   - pace_sampler_batch's (out, cap, *count) pattern: a NULL or short
 *     buffer gives PACE_E_BUFFER_TOO_SMALL and the count;
 *   - pace_sampler_save / _load: the (buf, cap, *needed) pattern, a loaded
 *     sampler continues with the same batches and saves the same bytes;
 *     every flipped byte, a cut, a trailing byte -> PACE_E_STATE; a newer
 *     version -> PACE_E_VERSION; other arrays -> PACE_E_STATE;
 *   - pace_irt_fit / pace_irt_ability on synthetic Rasch data;
 *   - bad input: NULL pointers, a bad config (PACE_E_SPEC), NaN scores,
 *     n mismatches, negative steps, rank outside [0, W), B % W != 0,
 *     domains out of range, handles of another kind and freed handles.
 *
 * Prints one line per check group (failed checks above it), then
 * "N passed, M failed"; exits 1 when any check failed.
 *
 * Build: cc -std=c11 -Wall -Wextra -Werror -pthread abi-tests/c/sampler_test.c \
 *          $(pkg-config --cflags --libs pace) -lm        (abi-tests/c/run.sh)
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define N 1000

static double g_scores[N];
static int32_t g_domains[N];

/* A reproducible uniform in [0, 1) (test data only). */
static uint64_t g_rng = 12345;
static double next_uniform(void) {
  g_rng = g_rng * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(g_rng >> 11) * 0x1p-53;
}

static pace_sampler *make(const char *config, const double *scores, const int32_t *domains, int64_t n) {
  pace_sampler *s = NULL;
  pace_status st = pace_sampler_create(config, scores, domains, n, &s);
  CHECK(st == PACE_OK && s != NULL, "create %s: %s (%s)", config, sname(st), last_error());
  return s;
}

static int64_t *global_batch(const pace_sampler *s, int64_t step, int64_t *count) {
  int64_t b = 0;
  pace_sampler_global_batch_size(s, step, &b);
  int64_t *out = calloc((size_t)(b > 0 ? b : 1), sizeof *out);
  pace_status st = pace_sampler_batch(s, step, 0, 1, out, b, count);
  CHECK(st == PACE_OK && *count == b, "batch of step %lld: %s", (long long)step, sname(st));
  return out;
}

static const char *k_configs[] = {
    "{\"size\": 1000, \"global_batch\": [[0, 16], [5, 32]], \"seed\": 3}",
    "{\"size\": 1000, \"global_batch\": 16, \"policy\": {\"kind\": \"competence\", \"pacing\": \"sqrt\", "
    "\"total_steps\": 50, \"c0\": 0.1}}",
    "{\"size\": 1000, \"global_batch\": 16, \"policy\": {\"kind\": \"ability\"}}",
    "{\"size\": 1000, \"global_batch\": 16, \"policy\": {\"kind\": \"weighted\", \"budget\": 0.2, \"temperature\": 2}}",
    "{\"size\": 1000, \"global_batch\": 16, \"policy\": {\"kind\": \"ordered\", \"descending\": true}}",
    "{\"size\": 1000, \"global_batch\": 24, \"mixture\": {\"weights\": [1, 2, {\"phases\": [{\"shape\": \"linear\", "
    "\"steps\": 20, \"from\": 0, \"to\": 1}]}]}}",
};

static void test_policies(void) {
  group_begin("policies and rank slices");
  for (size_t c = 0; c < sizeof k_configs / sizeof *k_configs; c++) {
    pace_sampler *a = make(k_configs[c], g_scores, g_domains, N);
    pace_sampler *b = make(k_configs[c], g_scores, g_domains, N);
    if (!a || !b) continue;
    for (int64_t step = 0; step < 12; step += 5) {
      int64_t count = 0, other = 0;
      int64_t *global = global_batch(a, step, &count);
      int64_t *again = global_batch(b, step, &other);
      CHECK(count == other && memcmp(global, again, (size_t)count * sizeof *global) == 0,
            "config %zu step %lld: two samplers differ", c, (long long)step);
      for (int64_t i = 0; i < count; i++) CHECK(global[i] >= 0 && global[i] < N, "index out of range");
      for (int64_t w = 1; w <= 8; w *= 2) {
        int64_t joined[64];
        int64_t at = 0;
        for (int64_t r = 0; r < w; r++) {
          int64_t got = 0;
          pace_status st = pace_sampler_batch(a, step, r, w, joined + at, 64 - at, &got);
          CHECK(st == PACE_OK && got == count / w, "rank %lld of %lld: %s", (long long)r, (long long)w, sname(st));
          at += got;
        }
        CHECK(at == count && memcmp(joined, global, (size_t)count * sizeof *global) == 0,
              "config %zu step %lld: the slices of %lld ranks differ from the global batch", c, (long long)step,
              (long long)w);
      }
      free(global);
      free(again);
    }
    pace_sampler_free(a);
    pace_sampler_free(b);
  }
  group_end();
}

static void test_queries(void) {
  group_begin("offsets, eligible, ability");
  pace_sampler *s = make("{\"size\": 100, \"global_batch\": [[0, 2], [3, 5], [10, 7]]}", NULL, NULL, 0);
  int64_t offset = 0;
  for (int64_t step = 0; step < 30; step++) {
    int64_t got = -1, b = -1;
    EXPECT_OK("first_offset", pace_sampler_first_offset(s, step, &got));
    EXPECT_OK("global_batch_size", pace_sampler_global_batch_size(s, step, &b));
    CHECK(got == offset, "first_offset(%lld) = %lld, want %lld", (long long)step, (long long)got, (long long)offset);
    offset += b;
  }
  int64_t e = 0;
  EXPECT_OK("eligible uniform", pace_sampler_eligible(s, 5, &e));
  CHECK(e == 100, "uniform eligible %lld", (long long)e);
  EXPECT_FAIL("report_ability on uniform", pace_sampler_report_ability(s, 0, 0.5), PACE_E_ARGUMENT);
  pace_sampler_free(s);

  pace_sampler *a = make("{\"size\": 1000, \"global_batch\": 16, \"policy\": {\"kind\": \"ability\", \"min_pool\": 50}}",
                         g_scores, NULL, N);
  int64_t before = 0, after = 0, bumped = 0;
  pace_sampler_eligible(a, 0, &before);
  int below = 0;
  for (int i = 0; i < N; i++) below += g_scores[i] <= 0.0;
  CHECK(before == (below > 50 ? below : 50), "eligible before any report %lld, want %d", (long long)before, below);
  EXPECT_OK("report", pace_sampler_report_ability(a, 10, -1.0));
  pace_sampler_eligible(a, 10, &after);
  below = 0;
  for (int i = 0; i < N; i++) below += g_scores[i] <= -1.0;
  CHECK(after == (below > 50 ? below : 50), "eligible after theta -1: %lld, want %d", (long long)after, below);
  EXPECT_OK("report stagnant", pace_sampler_report_ability(a, 20, -2.0));
  pace_sampler_eligible(a, 20, &bumped);
  below = 0;
  for (int i = 0; i < N; i++) below += g_scores[i] <= -0.9;
  CHECK(bumped == (below > 50 ? below : 50), "eligible after a stagnant report: %lld, want %d", (long long)bumped, below);
  EXPECT_FAIL("report going back", pace_sampler_report_ability(a, 19, 1.0), PACE_E_ARGUMENT);
  EXPECT_FAIL("report NaN", pace_sampler_report_ability(a, 30, NAN), PACE_E_ARGUMENT);
  pace_sampler_free(a);
  group_end();
}

static void test_buffers_and_errors(void) {
  group_begin("bad input");
  pace_sampler *s = make("{\"size\": 100, \"global_batch\": 12}", NULL, NULL, 0);
  int64_t count = -1, out[12];
  set_marker();
  pace_status st = pace_sampler_batch(s, 0, 0, 1, NULL, 0, &count);
  CHECK(st == PACE_E_BUFFER_TOO_SMALL && count == 12, "NULL out: %s, count %lld", sname(st), (long long)count);
  count = -1;
  st = pace_sampler_batch(s, 0, 1, 2, out, 5, &count);
  CHECK(st == PACE_E_BUFFER_TOO_SMALL && count == 6, "short out: %s, count %lld", sname(st), (long long)count);
  EXPECT_FAIL("negative step", pace_sampler_batch(s, -1, 0, 1, out, 12, &count), PACE_E_ARGUMENT);
  EXPECT_FAIL("rank == world", pace_sampler_batch(s, 0, 2, 2, out, 12, &count), PACE_E_ARGUMENT);
  EXPECT_FAIL("negative rank", pace_sampler_batch(s, 0, -1, 2, out, 12, &count), PACE_E_ARGUMENT);
  EXPECT_FAIL("world 0", pace_sampler_batch(s, 0, 0, 0, out, 12, &count), PACE_E_ARGUMENT);
  EXPECT_FAIL("B % W != 0", pace_sampler_batch(s, 0, 0, 5, out, 12, &count), PACE_E_ARGUMENT);
  CHECK(strstr(last_error(), "world_size") != NULL, "B %% W message names world_size: %s", last_error());
  EXPECT_FAIL("NULL sampler", pace_sampler_batch(NULL, 0, 0, 1, out, 12, &count), PACE_E_ARGUMENT);
  EXPECT_FAIL("NULL out of first_offset", pace_sampler_first_offset(s, 0, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("negative step of eligible", pace_sampler_eligible(s, -2, &count), PACE_E_ARGUMENT);
  EXPECT_FAIL("negative step of global_batch_size", pace_sampler_global_batch_size(s, -2, &count), PACE_E_ARGUMENT);
  EXPECT_FAIL("offset overflow", pace_sampler_first_offset(s, INT64_MAX, &count), PACE_E_ARGUMENT);

  pace_sampler *bad = (pace_sampler *)0x1;
  EXPECT_FAIL("create NULL out", pace_sampler_create("{}", NULL, NULL, 0, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("create NULL config", pace_sampler_create(NULL, NULL, NULL, 0, &bad), PACE_E_ARGUMENT);
  CHECK(bad == NULL, "out is set to NULL on failure");
  EXPECT_FAIL("unknown key", pace_sampler_create("{\"size\": 10, \"global_batch\": 2, \"sise\": 1}", NULL, NULL, 0, &bad),
              PACE_E_SPEC);
  CHECK(strstr(last_error(), "sise") != NULL, "message names the key: %s", last_error());
  EXPECT_FAIL("N = 0", pace_sampler_create("{\"size\": 0, \"global_batch\": 2}", NULL, NULL, 0, &bad), PACE_E_SPEC);
  EXPECT_FAIL("invalid JSON", pace_sampler_create("{\"size\": ", NULL, NULL, 0, &bad), PACE_E_SPEC);
  const char *ordered = "{\"size\": 4, \"global_batch\": 2, \"policy\": {\"kind\": \"ordered\"}}";
  double nan_scores[4] = {1, NAN, 2, 3};
  EXPECT_FAIL("NaN score", pace_sampler_create(ordered, nan_scores, NULL, 4, &bad), PACE_E_ARGUMENT);
  CHECK(strstr(last_error(), "scores[1]") != NULL, "message names scores[1]: %s", last_error());
  EXPECT_FAIL("NULL scores", pace_sampler_create(ordered, NULL, NULL, 4, &bad), PACE_E_ARGUMENT);
  EXPECT_FAIL("n mismatch", pace_sampler_create(ordered, g_scores, NULL, 5, &bad), PACE_E_ARGUMENT);
  EXPECT_FAIL("negative n", pace_sampler_create(ordered, g_scores, NULL, -4, &bad), PACE_E_ARGUMENT);
  const char *mix = "{\"size\": 4, \"global_batch\": 2, \"mixture\": {\"weights\": [1, 1]}}";
  int32_t domains[4] = {0, 1, 7, 0};
  EXPECT_FAIL("domain out of range", pace_sampler_create(mix, NULL, domains, 4, &bad), PACE_E_ARGUMENT);
  CHECK(strstr(last_error(), "domains[2]") != NULL, "message names domains[2]: %s", last_error());
  EXPECT_FAIL("batch above the pool",
              pace_sampler_create("{\"size\": 4, \"global_batch\": 8}", NULL, NULL, 4, &bad), PACE_E_SPEC);

  /* Handles of another kind, and freed handles. */
  pace_schedule *sched = NULL;
  pace_schedule_parse("{\"preset\":\"constant\"}", &sched);
  if (sched) {
    EXPECT_FAIL("a schedule as a sampler", pace_sampler_eligible((const pace_sampler *)sched, 0, &count), PACE_E_ARGUMENT);
    CHECK(strstr(last_error(), "pace_schedule") != NULL, "message names the kind: %s", last_error());
    pace_schedule_free(sched);
  }
  pace_sampler *gone = make("{\"size\": 10, \"global_batch\": 2}", NULL, NULL, 0);
  pace_sampler_free(gone);
  EXPECT_FAIL("freed sampler", pace_sampler_eligible(gone, 0, &count), PACE_E_ARGUMENT);
  pace_sampler_free(gone); /* a double free is recognised, not a crash */
  pace_sampler_free(NULL);
  pace_sampler_free(s);
  group_end();
}

static void test_state(void) {
  group_begin("save, load, damage");
  const char *config = "{\"size\": 1000, \"global_batch\": [[0, 8], [20, 16]], \"seed\": 9, "
                       "\"policy\": {\"kind\": \"ability\", \"min_pool\": 40}}";
  pace_sampler *s = make(config, g_scores, NULL, N);
  pace_sampler_report_ability(s, 0, -0.5);
  pace_sampler_report_ability(s, 15, 0.3);
  size_t needed = 0;
  set_marker();
  pace_status st = pace_sampler_save(s, NULL, 0, &needed);
  CHECK(st == PACE_E_BUFFER_TOO_SMALL && needed > 24, "save size query: %s, needed %zu", sname(st), needed);
  unsigned char *buf = malloc(needed);
  st = pace_sampler_save(s, buf, needed - 1, &needed);
  CHECK(st == PACE_E_BUFFER_TOO_SMALL, "save into a short buffer: %s", sname(st));
  EXPECT_OK("save", pace_sampler_save(s, buf, needed, &needed));
  EXPECT_FAIL("save NULL sampler", pace_sampler_save(NULL, buf, needed, &needed), PACE_E_ARGUMENT);

  pace_sampler *r = NULL;
  EXPECT_OK("load", pace_sampler_load(buf, needed, g_scores, NULL, N, &r));
  if (r) {
    for (int64_t step = 0; step < 40; step += 7) {
      int64_t c1 = 0, c2 = 0;
      int64_t *x = global_batch(s, step, &c1), *y = global_batch(r, step, &c2);
      CHECK(c1 == c2 && memcmp(x, y, (size_t)c1 * sizeof *x) == 0, "resumed batch of step %lld differs", (long long)step);
      free(x);
      free(y);
    }
    size_t again = 0;
    unsigned char *buf2 = malloc(needed);
    EXPECT_OK("save again", pace_sampler_save(r, buf2, needed, &again));
    CHECK(again == needed && memcmp(buf, buf2, needed) == 0, "save -> load -> save is not byte-identical");
    free(buf2);
    pace_sampler_free(r);
  }
  unsigned char *bad = malloc(needed + 1);
  int rejected = 0, flips = 0;
  for (size_t i = 0; i < needed; i++) {
    memcpy(bad, buf, needed);
    bad[i] ^= 0x04;
    pace_sampler *x = NULL;
    flips++;
    rejected += pace_sampler_load(bad, needed, g_scores, NULL, N, &x) == PACE_E_STATE && x == NULL;
    pace_sampler_free(x);
  }
  CHECK(rejected == flips, "flipped bytes: %d of %d rejected with PACE_E_STATE", rejected, flips);
  memcpy(bad, buf, needed);
  EXPECT_FAIL("truncated", pace_sampler_load(bad, needed - 1, g_scores, NULL, N, &r), PACE_E_STATE);
  EXPECT_FAIL("header only", pace_sampler_load(bad, 10, g_scores, NULL, N, &r), PACE_E_STATE);
  bad[needed] = 0;
  EXPECT_FAIL("trailing byte", pace_sampler_load(bad, needed + 1, g_scores, NULL, N, &r), PACE_E_STATE);
  EXPECT_FAIL("NULL buf", pace_sampler_load(NULL, needed, g_scores, NULL, N, &r), PACE_E_ARGUMENT);
  EXPECT_FAIL("NULL out", pace_sampler_load(buf, needed, g_scores, NULL, N, NULL), PACE_E_ARGUMENT);
  double other[N];
  memcpy(other, g_scores, sizeof other);
  other[500] += 1;
  EXPECT_FAIL("other arrays", pace_sampler_load(buf, needed, other, NULL, N, &r), PACE_E_STATE);
  /* A newer version with a valid checksum (zlib's CRC-32, computed here). */
  memcpy(bad, buf, needed);
  bad[8] = 2;
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < needed - 4; i++) {
    crc ^= bad[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  crc ^= 0xFFFFFFFFu;
  for (int k = 0; k < 4; k++) bad[needed - 4 + (size_t)k] = (unsigned char)(crc >> (8 * k));
  EXPECT_FAIL("newer version", pace_sampler_load(bad, needed, g_scores, NULL, N, &r), PACE_E_VERSION);
  free(bad);
  free(buf);
  pace_sampler_free(s);
  group_end();
}

static void test_irt(void) {
  group_begin("irt_fit, irt_ability");
  enum { M = 200, I = 300 };
  static double theta[M], b[I], fit_b[I], fit_theta[M];
  static uint8_t y[M * I];
  for (int m = 0; m < M; m++) theta[m] = 2 * next_uniform() - 1;
  for (int i = 0; i < I; i++) b[i] = 3 * next_uniform() - 1.5;
  for (int m = 0; m < M; m++)
    for (int i = 0; i < I; i++) y[m * I + i] = next_uniform() < 1 / (1 + exp(b[i] - theta[m]));
  EXPECT_OK("irt_fit", pace_irt_fit(y, M, I, fit_b, fit_theta));
  double mb = 0, mf = 0, sbf = 0, sbb = 0, sff = 0;
  for (int i = 0; i < I; i++) mb += b[i] / I, mf += fit_b[i] / I;
  for (int i = 0; i < I; i++) {
    sbf += (b[i] - mb) * (fit_b[i] - mf);
    sbb += (b[i] - mb) * (b[i] - mb);
    sff += (fit_b[i] - mf) * (fit_b[i] - mf);
  }
  double corr = sbf / sqrt(sbb * sff);
  CHECK(corr > 0.95, "difficulty correlation %.3f", corr);
  static double again[I];
  EXPECT_OK("irt_fit without abilities", pace_irt_fit(y, M, I, again, NULL));
  CHECK(memcmp(again, fit_b, sizeof again) == 0, "irt_fit is not deterministic");
  y[7] = 3;
  EXPECT_FAIL("a response of 3", pace_irt_fit(y, M, I, fit_b, NULL), PACE_E_ARGUMENT);
  y[7] = 1;
  EXPECT_FAIL("NULL responses", pace_irt_fit(NULL, M, I, fit_b, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("NULL difficulties", pace_irt_fit(y, M, I, NULL, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("0 models", pace_irt_fit(y, 0, I, fit_b, NULL), PACE_E_ARGUMENT);
  EXPECT_FAIL("overflowing size", pace_irt_fit(y, INT64_MAX, 2, fit_b, NULL), PACE_E_ARGUMENT);

  int8_t r[I];
  for (int i = 0; i < I; i++) r[i] = next_uniform() < 1 / (1 + exp(b[i] - 0.7)) ? 1 : -1;
  double est = 0;
  EXPECT_OK("irt_ability", pace_irt_ability(b, r, I, &est));
  /* The derivative of PUDF's objective vanishes there. */
  double g = -est;
  for (int i = 0; i < I; i++) {
    double p = 1 / (1 + exp(b[i] - est));
    g += r[i] == 1 ? 1 - p : -p;
  }
  CHECK(fabs(g) < 1e-9 && fabs(est - 0.7) < 0.5, "theta %.4f, derivative %.2e", est, g);
  r[3] = 0;
  EXPECT_FAIL("a response of 0", pace_irt_ability(b, r, I, &est), PACE_E_ARGUMENT);
  EXPECT_FAIL("NULL difficulties", pace_irt_ability(NULL, r, I, &est), PACE_E_ARGUMENT);
  EXPECT_FAIL("NULL out", pace_irt_ability(b, r, I, NULL), PACE_E_ARGUMENT);
  EXPECT_OK("no items", pace_irt_ability(NULL, NULL, 0, &est));
  CHECK(est == 0, "no items: theta %g (the prior's mode)", est);
  group_end();
}

int main(void) {
  pace_schedule_parse("{\"preset\":\"constant\"}", &g_marker_schedule);
  for (int i = 0; i < N; i++) {
    g_scores[i] = 4 * next_uniform() - 2;
    g_domains[i] = (int32_t)(i % 3);
  }
  test_policies();
  test_queries();
  test_buffers_and_errors();
  test_state();
  test_irt();
  pace_schedule_free(g_marker_schedule);
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed ? 1 : 0;
}
