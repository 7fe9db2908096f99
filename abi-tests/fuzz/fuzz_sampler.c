/* fuzz_sampler.c - the curriculum sampler's config (pace_sampler_create,
 * first input byte even) and saved state (pace_sampler_load, odd), with no
 * per-sample arrays. Accepted: batches, and save -> load -> save
 * byte-identical. */
#include "fuzz_common.h"

static pace_status save_sampler(const void *h, void *buf, size_t cap, size_t *needed) {
  return pace_sampler_save((const pace_sampler *)h, buf, cap, needed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  pace_sampler *s = NULL;
  pace_status st;
  if ((data[0] & 1) == 0) {
    char *text = fuzz_text(data + 1, size - 1);
    st = pace_sampler_create(text, NULL, NULL, 0, &s);
    free(text);
  } else {
    unsigned char *copy = malloc(size - 1 ? size - 1 : 1);
    memcpy(copy, data + 1, size - 1);
    st = pace_sampler_load(copy, size - 1, NULL, NULL, 0, &s);
    free(copy);
  }
  if (st == PACE_OK) {
    int64_t batch = 0, count = 0;
    for (int64_t step = 0; step < 3; step++) {
      if (pace_sampler_global_batch_size(s, step, &batch) != PACE_OK || batch <= 0 || batch > (1 << 16)) continue;
      int64_t *out = malloc((size_t)batch * sizeof(int64_t));
      pace_sampler_batch(s, step, 0, 1, out, batch, &count);
      free(out);
    }
    size_t n = 0, m = 0;
    unsigned char *blob = fuzz_saved(save_sampler, s, &n);
    pace_sampler *back = NULL;
    PROMISE(pace_sampler_load(blob, n, NULL, NULL, 0, &back) == PACE_OK, "a sampler state the library wrote does not load");
    unsigned char *again = fuzz_saved(save_sampler, back, &m);
    PROMISE(m == n && memcmp(blob, again, n) == 0, "save -> load -> save differs");
    free(blob);
    free(again);
    pace_sampler_free(back);
    pace_sampler_free(s);
  } else {
    PROMISE(s == NULL && pace_last_error()[0] != 0, "a rejected input leaves *out NULL and a message");
  }
  return 0;
}
