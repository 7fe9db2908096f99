/*
 * print_table.c - Pace demo: several schedules side by side.
 *
 * Prints value(t) / peak (the multiplier m(t), so that schedules with
 * different peaks share one scale) at 12 steps for each schedule, then the
 * peaks, total steps and specs.
 * With arguments, tabulates the given JSON specs instead of the built-in set.
 *
 *   cc examples/c/print_table.c $(pkg-config --cflags --libs pace) -o print_table
 *   ./print_table
 *   ./print_table '{"preset":"linear","warmup_steps":10,"total_steps":100}' '{"preset":"constant"}'
 */
#include <pace.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
  const char *label;
  const char *spec;
};

/* Preset parameters as in docs/schedule-spec.md; 1000 steps, warmup 100. */
static const struct entry builtin[] = {
    {"cosine", "{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":100,\"total_steps\":1000}"},
    {"wsd/sqrt", "{\"preset\":\"wsd\",\"peak\":3e-4,\"warmup_steps\":100,\"stable_steps\":600,"
                 "\"decay_steps\":300,\"decay_type\":\"sqrt\"}"},
    {"rex", "{\"preset\":\"rex\",\"peak\":3e-4,\"warmup_steps\":100,\"total_steps\":1000}"},
    {"uba phi=1", "{\"preset\":\"uba\",\"peak\":3e-4,\"warmup_steps\":100,\"total_steps\":1000,\"phi\":1}"},
    {"power", "{\"preset\":\"power\",\"peak\":0.02,\"a\":4.6,\"b\":-0.51,\"tokens_per_step\":1048576,"
              "\"warmup_steps\":100,\"decay_steps\":100,\"total_steps\":1000}"},
    {"infinite", "{\"preset\":\"infinite\",\"peak\":3e-4,\"warmup_steps\":100,\"cooldown_steps\":200,"
                 "\"constant_ratio\":0.25}"},
};

enum { MAX_SCHEDULES = 16, N_STEPS = 12 };

int main(int argc, char **argv) {
  struct entry entries[MAX_SCHEDULES];
  char labels[MAX_SCHEDULES][16];
  int n = 0;
  if (argc > 1) {
    for (int i = 1; i < argc && n < MAX_SCHEDULES; i++, n++) {
      snprintf(labels[n], sizeof labels[n], "spec %d", n + 1);
      entries[n] = (struct entry){labels[n], argv[i]};
    }
  } else {
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) entries[n++] = builtin[i];
  }

  pace_schedule *s[MAX_SCHEDULES] = {0};
  double peak[MAX_SCHEDULES];
  int64_t total[MAX_SCHEDULES], horizon = 0;
  int status = 0;
  for (int k = 0; k < n; k++) {
    if (pace_schedule_parse(entries[k].spec, &s[k]) != PACE_OK ||
        pace_schedule_total_steps(s[k], &total[k]) != PACE_OK) {
      fprintf(stderr, "%s: %s\n  spec: %s\n", entries[k].label, pace_last_error(), entries[k].spec);
      status = 1;
      goto done;
    }
    if (total[k] > horizon) horizon = total[k];
    /* The peak, from the canonical JSON (every default written out). */
    size_t needed = 0;
    char *json = NULL;
    if (pace_schedule_to_json(s[k], NULL, 0, &needed) != PACE_E_BUFFER_TOO_SMALL || !(json = malloc(needed)) ||
        pace_schedule_to_json(s[k], json, needed, &needed) != PACE_OK) {
      fprintf(stderr, "%s: to_json: %s\n", entries[k].label, pace_last_error());
      free(json);
      status = 1;
      goto done;
    }
    const char *p = strstr(json, "\"peak\":");
    peak[k] = p ? strtod(p + 7, NULL) : 1.0;
    free(json);
  }
  if (horizon <= 0) horizon = 1000;

  /* 12 steps: 0, tenths of the horizon, its last step and the first past it. */
  int64_t steps[N_STEPS];
  steps[0] = 0;
  for (int i = 1; i <= 9; i++) steps[i] = horizon * i / 10;
  steps[10] = horizon - 1;
  steps[11] = horizon;

  printf("multiplier value(t) / peak\n\n");
  printf("%8s", "step");
  for (int k = 0; k < n; k++) printf(" %11s", entries[k].label);
  printf("\n%8s", "--------");
  for (int k = 0; k < n; k++) printf(" %11s", "-----------");
  printf("\n");
  for (int i = 0; i < N_STEPS; i++) {
    printf("%8lld", (long long)steps[i]);
    for (int k = 0; k < n; k++) {
      double v;
      if (pace_schedule_at(s[k], steps[i], &v) != PACE_OK) {
        fprintf(stderr, "\n%s at step %lld: %s\n", entries[k].label, (long long)steps[i], pace_last_error());
        status = 1;
        goto done;
      }
      printf(" %11.6f", v / peak[k]);
    }
    printf("\n");
  }
  printf("%8s", "peak");
  for (int k = 0; k < n; k++) printf(" %11.3e", peak[k]);
  printf("\n%8s", "total");
  for (int k = 0; k < n; k++) {
    if (total[k] < 0) printf(" %11s", "open-ended");
    else printf(" %11lld", (long long)total[k]);
  }
  printf("\n\n");
  for (int k = 0; k < n; k++) printf("%-10s %s\n", entries[k].label, entries[k].spec);

done:
  for (int k = 0; k < n; k++) pace_schedule_free(s[k]);
  return status;
}
