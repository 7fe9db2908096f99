/* fuzz_law.c - saved laws (pace_law_load). A text that loads saves to a
 * text that loads, byte-identical on a second round, and predicts. */
#include "fuzz_common.h"

static char *saved(const pace_law *law) {
  size_t need = 0;
  PROMISE(pace_law_save(law, NULL, 0, &need) == PACE_E_BUFFER_TOO_SMALL, "save size");
  char *text = malloc(need);
  PROMISE(text && pace_law_save(law, text, need, &need) == PACE_OK, "save");
  return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  pace_law *law = NULL;
  if (pace_law_load(text, &law) == PACE_OK) {
    char *a = saved(law);
    pace_law *back = NULL;
    PROMISE(pace_law_load(a, &back) == PACE_OK, "a law the library saved does not load");
    char *b = saved(back);
    PROMISE(strcmp(a, b) == 0, "save -> load -> save differs");
    pace_lr_input lr;
    memset(&lr, 0, sizeof lr);
    lr.spec_json = "{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":10,\"total_steps\":200}";
    lr.warmup_steps = -1;
    int64_t steps[3] = {1, 100, 199};
    double out[3];
    pace_law_predict(law, &lr, steps, 3, out); /* any status; never a crash */
    free(a);
    free(b);
    pace_law_free(back);
    pace_law_free(law);
  } else {
    PROMISE(law == NULL && pace_last_error()[0] != 0, "a rejected law leaves *out NULL and a message");
  }
  free(text);
  return 0;
}
