/* fuzz_autolrs.c - the AutoLRS tuner's config (pace_autolrs_create, first
 * input byte even) and saved state (pace_autolrs_load, odd). Accepted: a
 * few actions driven with losses from the input, and save -> load -> save
 * byte-identical. */
#include <math.h>

#include "fuzz_common.h"

static pace_status save_tuner(const void *h, void *buf, size_t cap, size_t *needed) {
  return pace_autolrs_save((const pace_autolrs *)h, buf, cap, needed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  pace_autolrs *t = NULL;
  pace_status st;
  if ((data[0] & 1) == 0) {
    char *text = fuzz_text(data + 1, size - 1);
    st = pace_autolrs_create(text, &t);
    free(text);
  } else {
    unsigned char *copy = malloc(size - 1 ? size - 1 : 1);
    memcpy(copy, data + 1, size - 1);
    st = pace_autolrs_load(copy, size - 1, &t);
    free(copy);
  }
  if (st == PACE_OK) {
    for (int i = 0; i < 6; i++) {
      pace_autolrs_action a;
      memset(&a, 0, sizeof a);
      if (pace_autolrs_next(t, &a) != PACE_OK || a.kind == PACE_AUTOLRS_DONE) break;
      if (a.kind == PACE_AUTOLRS_TRAIN && a.report != PACE_AUTOLRS_REPORT_NONE) {
        int64_t n = a.report == PACE_AUTOLRS_REPORT_TRAIN ? a.steps : (a.every > 0 ? a.steps / a.every : 0);
        if (n < 0 || n > (1 << 16)) break;
        double *losses = malloc((size_t)(n ? n : 1) * sizeof(double));
        for (int64_t k = 0; k < n; k++) losses[k] = 3.0 - 0.001 * (double)k + 0.01 * (double)(data[k % size] & 7);
        pace_autolrs_report(t, losses, n);
        free(losses);
      }
    }
    size_t n = 0, m = 0;
    unsigned char *blob = fuzz_saved(save_tuner, t, &n);
    pace_autolrs *back = NULL;
    PROMISE(pace_autolrs_load(blob, n, &back) == PACE_OK, "a tuner state the library wrote does not load");
    unsigned char *again = fuzz_saved(save_tuner, back, &m);
    PROMISE(m == n && memcmp(blob, again, n) == 0, "save -> load -> save differs");
    free(blob);
    free(again);
    pace_autolrs_free(back);
    pace_autolrs_free(t);
  } else {
    PROMISE(t == NULL && pace_last_error()[0] != 0, "a rejected input leaves *out NULL and a message");
  }
  return 0;
}
