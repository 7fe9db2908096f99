/* fuzz_config.c - runtime configs (pace_runtime_create). Accepted configs:
 * 120 steps with norms taken from the input (NaN, 0 and huge ones
 * included), the events, and every checkpoint written loads, save -> load
 * -> save byte-identical, the loaded runtime continuing bit for bit. */
#include "fuzz_common.h"

static pace_status save_rt(const void *h, void *buf, size_t cap, size_t *needed) {
  return pace_runtime_save((const pace_runtime *)h, buf, cap, needed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  pace_runtime *rt = NULL;
  if (pace_runtime_create(text, &rt) == PACE_OK) {
    int64_t c = 0, g = 0;
    PROMISE(pace_runtime_shape(rt, &c, &g) == PACE_OK && c >= 1 && g >= 1, "shape");
    size_t cap = (size_t)(c * g);
    double *v = malloc(cap * sizeof(double)), *w = malloc(cap * sizeof(double));
    static const double norms[8] = {1.0, 0.5, 2.0, 0.0, -1.0, 1e300, 1e-300, 3.0};
    for (int i = 0; i < 120; i++) {
      double norm = size ? norms[data[i % size] & 7] : 1.0;
      if (size && (data[i % size] & 0x40)) norm = __builtin_nan("");
      PROMISE(pace_runtime_step(rt, norm, v, cap) == PACE_OK, "step %d", i);
      if (i == 40) pace_runtime_begin_decay(rt, NULL, 100, "cosine", 0.01);
      if (i == 80) pace_runtime_set_total_steps(rt, 100000);
    }
    size_t n = 0;
    unsigned char *blob = fuzz_saved(save_rt, rt, &n);
    pace_runtime *back = NULL;
    PROMISE(pace_runtime_load(blob, n, &back) == PACE_OK, "a checkpoint the library wrote does not load");
    size_t m = 0;
    unsigned char *again = fuzz_saved(save_rt, back, &m);
    PROMISE(m == n && memcmp(blob, again, n) == 0, "save -> load -> save differs");
    for (int i = 0; i < 20; i++) {
      pace_runtime_step(rt, 1.0, v, cap);
      pace_runtime_step(back, 1.0, w, cap);
      PROMISE(memcmp(v, w, cap * sizeof(double)) == 0, "the loaded runtime differs %d steps on", i + 1);
    }
    free(blob);
    free(again);
    free(v);
    free(w);
    pace_runtime_free(back);
    pace_runtime_free(rt);
  } else {
    PROMISE(rt == NULL && pace_last_error()[0] != 0, "a rejected config leaves *out NULL and a message");
  }
  free(text);
  return 0;
}
