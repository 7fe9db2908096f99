/*
 * load_light_test.c - loading libpace.so and using a schedule start no
 * thread and map no BLAS, LAPACKE or libnuma; LAPACKE loads on first use.
 *
 *   load_light_test path/to/libpace.so
 *
 * The program does not link libpace.so: it opens it with dlopen, as a
 * trainer's plugin loader or Python's ctypes does, and checks:
 *   1. the threads of the process (/proc/self/task) and the libraries
 *      mapped (/proc/self/maps) before dlopen, after it, and after a
 *      schedule's use (parse, at, fill_f64, fill_f32): no new thread, and
 *      no OpenBLAS, LAPACKE, LAPACK, BLAS, gfortran or libnuma mapped;
 *   2. in child processes: PACE_LAPACKE naming a missing file, or a library
 *      without LAPACKE, makes pace_law_fit fail with PACE_E_UNSUPPORTED and
 *      a message naming the library (no crash; schedules still work);
 *   3. a law fit (Levenberg-Marquardt on LAPACKE) then works: LAPACKE is
 *      mapped afterwards and the parameters of a law's own predictions are
 *      recovered.
 * Prints the dlopen time and the thread counts (figures, not checks).
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pace.h>

static int failures = 0;
static int passes = 0;

#define CHECK(cond, ...)                  \
  do {                                    \
    if (cond) {                           \
      passes++;                           \
    } else {                              \
      failures++;                         \
      printf("  FAILED %s:%d: ", __FILE__, __LINE__); \
      printf(__VA_ARGS__);                \
      printf("\n");                       \
    }                                     \
  } while (0)

/* The C API functions used, resolved with dlsym. */
static struct {
  __typeof__(&pace_schedule_parse) schedule_parse;
  __typeof__(&pace_schedule_at) schedule_at;
  __typeof__(&pace_schedule_fill_f64) fill_f64;
  __typeof__(&pace_schedule_fill_f32) fill_f32;
  __typeof__(&pace_schedule_free) schedule_free;
  __typeof__(&pace_law_create) law_create;
  __typeof__(&pace_law_predict) law_predict;
  __typeof__(&pace_law_fit) law_fit;
  __typeof__(&pace_law_params) law_params;
  __typeof__(&pace_law_free) law_free;
  __typeof__(&pace_last_error) last_error;
} api;

static int resolve(void *library) {
  struct {
    const char *name;
    void **slot;
  } table[] = {
    {"pace_schedule_parse", (void **)&api.schedule_parse}, {"pace_schedule_at", (void **)&api.schedule_at},
    {"pace_schedule_fill_f64", (void **)&api.fill_f64},    {"pace_schedule_fill_f32", (void **)&api.fill_f32},
    {"pace_schedule_free", (void **)&api.schedule_free},   {"pace_law_create", (void **)&api.law_create},
    {"pace_law_predict", (void **)&api.law_predict},       {"pace_law_fit", (void **)&api.law_fit},
    {"pace_law_params", (void **)&api.law_params},         {"pace_law_free", (void **)&api.law_free},
    {"pace_last_error", (void **)&api.last_error},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    *table[i].slot = dlsym(library, table[i].name);
    if (*table[i].slot == NULL) {
      printf("  FAILED: %s is not exported\n", table[i].name);
      return 0;
    }
  }
  return 1;
}

/* Threads of this process: the entries of /proc/self/task. */
static int thread_count(void) {
  DIR *dir = opendir("/proc/self/task");
  if (dir == NULL) return -1;
  int n = 0;
  struct dirent *entry;
  while ((entry = readdir(dir)) != NULL) {
    if (entry->d_name[0] != '.') n++;
  }
  closedir(dir);
  return n;
}

/* The libraries that must not be mapped before a LAPACKE or NUMA call. */
static const char *const heavy[] = {"libopenblas", "liblapacke", "liblapack.so", "libblas", "libgfortran", "libnuma"};

/* Writes the heavy libraries mapped into the process to `found` (names
 * separated by spaces; empty when none). */
static void heavy_mapped(char *found, size_t cap) {
  found[0] = '\0';
  FILE *maps = fopen("/proc/self/maps", "r");
  if (maps == NULL) return;
  char line[4096];
  while (fgets(line, sizeof line, maps) != NULL) {
    const char *path = strchr(line, '/');
    if (path == NULL) continue;
    const char *base = strrchr(path, '/') + 1;
    for (size_t i = 0; i < sizeof heavy / sizeof heavy[0]; i++) {
      if (strncmp(base, heavy[i], strlen(heavy[i])) != 0) continue;
      char name[256];
      snprintf(name, sizeof name, "%.*s", (int)strcspn(base, "\n"), base);
      if (strstr(found, name) == NULL && strlen(found) + strlen(name) + 2 < cap) {
        strcat(found, found[0] != '\0' ? " " : "");
        strcat(found, name);
      }
    }
  }
  fclose(maps);
}

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static const char *const spec = "{\"preset\":\"onecycle\",\"peak\":0.1,\"total_steps\":2000}";

/* A schedule's use: parse, at, both fills, free. */
static void use_a_schedule(void) {
  pace_schedule *s = NULL;
  CHECK(api.schedule_parse(spec, &s) == PACE_OK && s != NULL, "pace_schedule_parse: %s", api.last_error());
  if (s == NULL) return;
  double at = 0;
  CHECK(api.schedule_at(s, 500, &at) == PACE_OK && at > 0 && at <= 0.1, "pace_schedule_at(500) = %g", at);
  static double values[2000];
  static float single[2000];
  CHECK(api.fill_f64(s, 0, 2000, values) == PACE_OK && values[500] == at, "fill_f64 differs from at");
  CHECK(api.fill_f32(s, 0, 2000, single) == PACE_OK && single[500] == (float)at, "fill_f32 differs from at");
  api.schedule_free(s);
}

/* The annealing law's parameters (L0, A, alpha, C, lambda) and 100 of its
 * predicted losses on the schedule: a curve the fit must recover. */
static const double truth[5] = {2.0, 1.5, 0.45, 0.01, 0.999};
enum { points = 100 };
static int64_t steps[points];
static double losses[points];

static int synthetic_curve(pace_law_curve *curve) {
  pace_law *law = NULL;
  if (api.law_create(PACE_LAW_ANNEALING, truth, 5, PACE_WARMUP_PEAK, &law) != PACE_OK) {
    printf("  FAILED: pace_law_create: %s\n", api.last_error());
    return 0;
  }
  for (int i = 0; i < points; i++) steps[i] = 20 * (i + 1) - 1;
  memset(curve, 0, sizeof *curve);
  curve->lr.spec_json = spec;
  curve->lr.warmup_steps = -1;
  curve->steps = steps;
  curve->losses = losses;
  curve->n = points;
  pace_status status = api.law_predict(law, &curve->lr, steps, points, losses);
  api.law_free(law);
  if (status != PACE_OK) printf("  FAILED: pace_law_predict: %s\n", api.last_error());
  return status == PACE_OK;
}

/* The fit's options: the curve's own warmup convention and lambda, so that
 * the truth is exactly representable (not the library's defaults). */
static pace_fit_options fit_options(void) {
  pace_fit_options o;
  memset(&o, 0, sizeof o);
  o.struct_size = (uint32_t)sizeof o;
  o.warmup = PACE_WARMUP_PEAK;
  o.method = PACE_FIT_LM;
  o.fit_lambda = 0;
  o.lambda = truth[4];
  return o;
}

/* In a child: PACE_LAPACKE = `value`; pace_law_fit must fail with
 * PACE_E_UNSUPPORTED and a message containing `expected`; schedules work. */
static void missing_lapacke_in_child(const char *value, const char *expected) {
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    setenv("PACE_LAPACKE", value, 1);
    pace_law_curve curve;
    if (!synthetic_curve(&curve)) _exit(2);
    pace_law *law = NULL;
    pace_fit_options options = fit_options();
    pace_status status = api.law_fit(PACE_LAW_ANNEALING, &curve, 1, &options, &law);
    const char *message = api.last_error();
    printf("  PACE_LAPACKE=%s: pace_law_fit -> %d, \"%s\"\n", value, (int)status, message);
    int ok = status == PACE_E_UNSUPPORTED && law == NULL && strstr(message, expected) != NULL &&
             strstr(message, "LAPACKE") != NULL;
    failures = 0;
    use_a_schedule(); /* the rest of the library is unaffected */
    fflush(stdout);
    _exit(ok && failures == 0 ? 0 : 1);
  }
  int status = 0;
  CHECK(child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "PACE_LAPACKE=%s: expected PACE_E_UNSUPPORTED naming %s (child status %d)", value, expected, status);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s path/to/libpace.so\n", argv[0]);
    return 2;
  }
  char mapped[1024];
  int threads_before = thread_count();
  heavy_mapped(mapped, sizeof mapped);
  CHECK(mapped[0] == '\0', "mapped before dlopen: %s", mapped);

  double start = seconds();
  void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  double load_ms = 1e3 * (seconds() - start);
  if (library == NULL) {
    printf("  FAILED: dlopen(%s): %s\n", argv[1], dlerror());
    return 1;
  }
  int threads_loaded = thread_count();
  heavy_mapped(mapped, sizeof mapped);
  printf("dlopen(%s): %.2f ms; threads %d before, %d after\n", argv[1], load_ms, threads_before, threads_loaded);
  CHECK(threads_loaded == threads_before, "dlopen started %d threads", threads_loaded - threads_before);
  CHECK(mapped[0] == '\0', "dlopen mapped %s", mapped);
  if (!resolve(library)) return 1;

  use_a_schedule();
  int threads_used = thread_count();
  heavy_mapped(mapped, sizeof mapped);
  printf("after a schedule's parse, at and fills: threads %d\n", threads_used);
  CHECK(threads_used == threads_before, "a schedule's use started %d threads", threads_used - threads_before);
  CHECK(mapped[0] == '\0', "a schedule's use mapped %s", mapped);

  missing_lapacke_in_child("/nonexistent/liblapacke.so.3", "/nonexistent/liblapacke.so.3");
  missing_lapacke_in_child("libm.so.6", "has no function LAPACKE_");

  pace_law_curve curve;
  if (synthetic_curve(&curve)) {
    pace_law *law = NULL;
    pace_fit_options options = fit_options();
    pace_status status = api.law_fit(PACE_LAW_ANNEALING, &curve, 1, &options, &law);
    CHECK(status == PACE_OK && law != NULL, "pace_law_fit: %s", api.last_error());
    heavy_mapped(mapped, sizeof mapped);
    printf("after a law fit: threads %d; mapped: %s\n", thread_count(), mapped);
    CHECK(strstr(mapped, "liblapacke") != NULL, "LAPACKE is not mapped after a law fit");
    double fitted[8];
    int64_t count = 0;
    if (law != NULL && api.law_params(law, fitted, 8, &count) == PACE_OK) {
      CHECK(count == 5, "%lld parameters", (long long)count);
      for (int i = 0; i < 4 && i < count; i++) {
        CHECK(fabs(fitted[i] - truth[i]) <= 1e-3 * fabs(truth[i]), "parameter %d: fitted %.9g, truth %.9g", i,
              fitted[i], truth[i]);
      }
    }
    api.law_free(law);
  }

  printf("%d passed, %d failed\n", passes, failures);
  return failures == 0 ? 0 : 1;
}
