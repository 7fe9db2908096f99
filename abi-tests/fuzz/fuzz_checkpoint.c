/* fuzz_checkpoint.c - runtime checkpoints (pace_runtime_load). A blob that
 * loads runs (steps and events), and what it saves loads again,
 * byte-identical on a second round. */
#include "fuzz_common.h"

static pace_status save_rt(const void *h, void *buf, size_t cap, size_t *needed) {
  return pace_runtime_save((const pace_runtime *)h, buf, cap, needed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pace_runtime *rt = NULL;
  /* an exact-size copy, so a read past the end is an overrun ASan sees */
  unsigned char *copy = malloc(size ? size : 1);
  memcpy(copy, data, size);
  if (pace_runtime_load(copy, size, &rt) == PACE_OK) {
    int64_t c = 0, g = 0;
    PROMISE(pace_runtime_shape(rt, &c, &g) == PACE_OK && c >= 1 && g >= 1 && c * g < (1 << 20), "shape");
    double *v = malloc((size_t)(c * g) * sizeof(double));
    for (int i = 0; i < 64; i++) PROMISE(pace_runtime_step(rt, 1.0 + i % 3, v, (size_t)(c * g)) == PACE_OK, "step");
    pace_runtime_begin_decay(rt, NULL, 10, "linear", 0);
    size_t n = 0, m = 0;
    unsigned char *blob = fuzz_saved(save_rt, rt, &n);
    pace_runtime *back = NULL;
    PROMISE(pace_runtime_load(blob, n, &back) == PACE_OK, "a checkpoint the library wrote does not load");
    unsigned char *again = fuzz_saved(save_rt, back, &m);
    PROMISE(m == n && memcmp(blob, again, n) == 0, "save -> load -> save differs");
    free(blob);
    free(again);
    free(v);
    pace_runtime_free(back);
    pace_runtime_free(rt);
  } else {
    PROMISE(rt == NULL && pace_last_error()[0] != 0, "a rejected checkpoint leaves *out NULL and a message");
  }
  free(copy);
  return 0;
}
