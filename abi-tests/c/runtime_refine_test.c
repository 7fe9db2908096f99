/*
 * runtime_refine_test.c - refinement from gradient norms through the shipped
 * libpace.so: offline (pace_refine*: the reference vectors, linear decay for
 * constant norms, invalid norms filled and counted, a naive median-filter
 * reference, options handling, pace_refine_spec round trips) and online in a
 * runtime (acts only after min_history, stays within the peak, keeps the
 * warmup; the checkpoint of a refined run stays bounded).
 *
 * Prints one line per check group (failed checks above it), then
 * "N passed, M failed"; exits 1 when any check failed.
 *
 * Build: cc -std=c11 -Wall -Wextra -Werror -pthread abi-tests/c/runtime_refine_test.c \
 *          $(pkg-config --cflags --libs pace) -lm        (abi-tests/c/run.sh)
 */
#define _XOPEN_SOURCE 700

#include "runtime_common.h"

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


int main(int argc, char **argv) {
  (void)argc;
  if (runtime_test_begin("runtime_refine_test", argv[0]) != 0) return 1;
  double t0 = now_s();
  test_refine();
  test_online_refine();
  return runtime_test_end(t0);
}
