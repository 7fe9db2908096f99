/*
 * threads_test.c - what the thread sanitizer checks (scripts/sanitize):
 * 8 threads sharing schedules (pace_schedule_at, the fills, to_json,
 * total_steps on the same handles at once), a runtime per thread with
 * online refinement and checkpoints, per-thread pace_last_error, handles
 * created and freed concurrently (the free quarantine), and the batch
 * engine's workers (fills and reductions, 4 threads, called from 2 caller
 * threads on 2 engines). Every thread checks its values against values
 * computed before the threads start, so a race that changes a result fails
 * here too, not only under the sanitizer.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pace.h>

#define THREADS 8
#define STEPS 2000

static const char *SPECS[3] = {
    "{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":100,\"total_steps\":2000}",
    "{\"phases\":[{\"repeat\":[{\"shape\":\"cosine\",\"steps\":100,\"from\":1,\"to\":0.1}],\"cycles\":null,\"period_mult\":1.5}]}",
    "{\"phases\":[{\"shape\":\"table\",\"steps\":2000,\"points\":[[0,1],[500.5,0.5],[1999,0]]}]}",
};
static pace_schedule *g_shared[3];
static double g_expected[3][STEPS];
static int g_failures;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static void failure(const char *what, long detail) {
  pthread_mutex_lock(&g_lock);
  g_failures++;
  if (g_failures <= 10) fprintf(stderr, "FAILED: %s (%ld)\n", what, detail);
  pthread_mutex_unlock(&g_lock);
}

static void *worker(void *arg) {
  long id = (long)(intptr_t)arg;
  double buf[STEPS], v;
  /* shared schedules: at, fill, to_json, total_steps */
  for (int round = 0; round < 5; round++) {
    for (int s = 0; s < 3; s++) {
      if (pace_schedule_fill_f64(g_shared[s], 0, STEPS, buf) != PACE_OK) failure("fill", s);
      if (memcmp(buf, g_expected[s], sizeof buf) != 0) failure("shared fill differs", s);
      for (int t = (int)id; t < STEPS; t += 97) {
        if (pace_schedule_at(g_shared[s], t, &v) != PACE_OK || memcmp(&v, &g_expected[s][t], sizeof v) != 0)
          failure("shared at differs", t);
      }
      size_t need = 0;
      pace_schedule_to_json(g_shared[s], NULL, 0, &need);
      int64_t total = 0;
      pace_schedule_total_steps(g_shared[s], &total);
    }
  }
  /* per-thread last error */
  char mine[64];
  snprintf(mine, sizeof mine, "%ld", -1000 - id);
  pace_schedule_at(g_shared[0], -1000 - id, &v);
  if (strstr(pace_last_error(), mine) == NULL) failure("pace_last_error is not per thread", id);
  /* handles created and freed concurrently; use after free detected */
  for (int i = 0; i < 200; i++) {
    pace_schedule *s = NULL;
    if (pace_schedule_parse(SPECS[i % 3], &s) != PACE_OK) failure("parse", i);
    pace_schedule_free(s);
    if (pace_schedule_at(s, 1, &v) != PACE_E_ARGUMENT) failure("use after free not detected", i);
  }
  /* a runtime per thread, refined, saved and reloaded */
  pace_runtime *rt = NULL;
  if (pace_runtime_create("{\"channels\":{\"lr\":{\"preset\":\"cosine\",\"total_steps\":20000}},"
                          "\"refine\":{\"every\":500,\"min_history\":500}}", &rt) != PACE_OK)
    failure("runtime_create", id);
  for (int t = 0; t < 3000 && rt; t++) {
    pace_runtime_step(rt, 1.0 + 0.001 * (double)((t * 7 + id) % 13), &v, 1);
    if (t % 1000 == 999) {
      size_t need = 0;
      pace_runtime_save(rt, NULL, 0, &need);
      void *blob = malloc(need);
      pace_runtime_save(rt, blob, need, &need);
      pace_runtime *back = NULL;
      if (pace_runtime_load(blob, need, &back) != PACE_OK) failure("load", t);
      pace_runtime_free(rt);
      rt = back;
      free(blob);
    }
  }
  pace_runtime_free(rt);
  return NULL;
}

struct engine_job {
  pace_engine *engine;
  int failures;
};

static void *engine_caller(void *arg) {
  struct engine_job *job = arg;
  const pace_schedule *list[3] = {g_shared[0], g_shared[1], g_shared[2]};
  double *out = malloc(3 * STEPS * sizeof(double));
  for (int round = 0; round < 10; round++) {
    if (pace_batch_fill_f64(job->engine, list, 3, 0, STEPS, out, 3 * STEPS) != PACE_OK) job->failures++;
    for (int s = 0; s < 3; s++)
      if (memcmp(out + s * STEPS, g_expected[s], STEPS * sizeof(double)) != 0) job->failures++;
    double finals[3], sums[3], s2[3];
    if (pace_batch_reduce(job->engine, list, 3, 0, STEPS, 0.999, finals, sums, s2) != PACE_OK) job->failures++;
  }
  free(out);
  return NULL;
}

int main(void) {
  for (int s = 0; s < 3; s++) {
    if (pace_schedule_parse(SPECS[s], &g_shared[s]) != PACE_OK) {
      fprintf(stderr, "parse: %s\n", pace_last_error());
      return 1;
    }
    for (int t = 0; t < STEPS; t++) pace_schedule_at(g_shared[s], t, &g_expected[s][t]);
  }
  pthread_t threads[THREADS];
  for (long i = 0; i < THREADS; i++) pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i);
  for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);

  pace_engine_options o = {sizeof o, PACE_NUMA_OFF, 4};
  struct engine_job jobs[2] = {{NULL, 0}, {NULL, 0}};
  pthread_t callers[2];
  for (int i = 0; i < 2; i++) {
    if (pace_engine_create(&o, &jobs[i].engine) != PACE_OK) {
      fprintf(stderr, "engine_create: %s\n", pace_last_error());
      return 1;
    }
    pthread_create(&callers[i], NULL, engine_caller, &jobs[i]);
  }
  for (int i = 0; i < 2; i++) {
    pthread_join(callers[i], NULL);
    g_failures += jobs[i].failures;
    pace_engine_free(jobs[i].engine);
  }
  for (int s = 0; s < 3; s++) pace_schedule_free(g_shared[s]);
  printf("threads_test: %d threads on shared schedules, runtimes, handles, 2 engines x 4 workers: %d failures\n",
         THREADS, g_failures);
  return g_failures ? 1 : 0;
}
