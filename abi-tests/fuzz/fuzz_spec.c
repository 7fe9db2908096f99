/* fuzz_spec.c - the schedule spec parser (pace_schedule_parse). Accepted
 * specs: the canonical text (to_json) parses back to the same text and the
 * same values; at == fill_f64 bit for bit on a window; total_steps agrees. */
#include <math.h>

#include "fuzz_common.h"

static void check_window(const pace_schedule *s, int64_t start, int64_t n) {
  double fill[64], at;
  PROMISE(pace_schedule_fill_f64(s, start, n, fill) == PACE_OK, "fill_f64(%lld, %lld)", (long long)start, (long long)n);
  for (int64_t k = 0; k < n; k++) {
    PROMISE(pace_schedule_at(s, start + k, &at) == PACE_OK, "at(%lld)", (long long)(start + k));
    PROMISE(memcmp(&at, &fill[k], sizeof at) == 0, "at(%lld) = %.17g, fill %.17g", (long long)(start + k), at, fill[k]);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  pace_schedule *s = NULL;
  if (pace_schedule_parse(text, &s) == PACE_OK) {
    size_t need = 0;
    PROMISE(pace_schedule_to_json(s, NULL, 0, &need) == PACE_E_BUFFER_TOO_SMALL, "to_json size");
    char *json = malloc(need);
    PROMISE(json && pace_schedule_to_json(s, json, need, &need) == PACE_OK, "to_json");
    pace_schedule *back = NULL;
    PROMISE(pace_schedule_parse(json, &back) == PACE_OK, "the canonical text does not parse: %.300s", json);
    size_t need2 = 0;
    pace_schedule_to_json(back, NULL, 0, &need2);
    char *json2 = malloc(need2);
    PROMISE(json2 && pace_schedule_to_json(back, json2, need2, &need2) == PACE_OK && strcmp(json, json2) == 0,
            "canonical text of the canonical text differs");
    int64_t total = 0;
    PROMISE(pace_schedule_total_steps(s, &total) == PACE_OK, "total_steps");
    int64_t starts[4] = {0, total > 40 ? total - 20 : 0, 1000, (int64_t)1 << 40};
    for (int i = 0; i < 4; i++) {
      check_window(s, starts[i], 40);
      double a = 0, b = 0;
      pace_schedule_at(s, starts[i] + 7, &a);
      pace_schedule_at(back, starts[i] + 7, &b);
      PROMISE(memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b)), "the reparsed schedule differs at %lld",
              (long long)(starts[i] + 7));
    }
    free(json);
    free(json2);
    pace_schedule_free(back);
    pace_schedule_free(s);
  } else {
    PROMISE(s == NULL && pace_last_error()[0] != 0, "a rejected spec leaves *out NULL and a message");
  }
  free(text);
  return 0;
}
