/*
 * check.h - the C tests' counted checks, grouped under names (included by
 * abi_test.c, the runtime_*_test.c programs through runtime_common.h,
 * batch_test.c and the others; one translation unit each).
 *
 *   group_begin("name"); CHECK(cond, "printf format", args...); group_end();
 *   ... printf("%d passed, %d failed\n", g_passed, g_failed) at the end.
 *
 * A failed check prints "  FAILED [group] file.c:LINE: message" at once;
 * group_end prints one line per group with its counts and time.
 *
 * Calls that must fail: EXPECT_FAIL(what, call, status) checks the status
 * and that pace_last_error() is non-empty and was set by that very call
 * (set_marker() leaves a known message first; the file sets
 * g_marker_schedule to any valid schedule before using it).
 */
#ifndef PACE_TESTS_CHECK_H
#define PACE_TESTS_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <pace.h>

static int g_passed, g_failed;     /* all checks */
static int grp_passed, grp_failed; /* current group */
static const char *grp_name;
static double grp_start;

static inline double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline void group_begin(const char *name) {
  grp_name = name;
  grp_passed = grp_failed = 0;
  grp_start = now_s();
}

static inline void group_end(void) {
  printf("%-32s %s  (%d passed, %d failed; %.1f s)\n", grp_name, grp_failed ? "FAIL" : "ok  ", grp_passed, grp_failed,
         now_s() - grp_start);
  fflush(stdout);
}

/* The test's own file name (__BASE_FILE__: the .c file, not this header). */
static inline const char *check_file(void) {
  const char *slash = strrchr(__BASE_FILE__, '/');
  return slash ? slash + 1 : __BASE_FILE__;
}

__attribute__((format(printf, 3, 4)))
static inline int check_impl(int ok, int line, const char *fmt, ...) {
  if (ok) {
    g_passed++;
    grp_passed++;
    return 1;
  }
  g_failed++;
  grp_failed++;
  printf("  FAILED [%s] %s:%d: ", grp_name, check_file(), line);
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
  return 0;
}

/* CHECK(condition, printf-format, args...): one counted check. */
#define CHECK(cond, ...) check_impl(!!(cond), __LINE__, __VA_ARGS__)

static inline const char *sname(pace_status s) { return pace_status_name(s); }

static inline const char *last_error(void) {
  const char *m = pace_last_error();
  return m ? m : "(NULL)";
}

/* Whether an error message names one of the JSON paths in `paths`
 * (alternatives separated by '|'). */
static inline int message_names_path(const char *msg, const char *paths) {
  char tmp[256];
  snprintf(tmp, sizeof tmp, "%s", paths);
  char *save = NULL;
  for (char *p = strtok_r(tmp, "|", &save); p; p = strtok_r(NULL, "|", &save)) {
    if (strstr(msg, p)) return 1;
  }
  return 0;
}

/* ---- fresh-error marker ------------------------------------------------ */
/*
 * Before every call that must fail we make a failure whose message contains
 * MARKER_TEXT (a negative step on a valid schedule). After the call under
 * test the message must be non-empty and must no longer contain it: the
 * failing call itself set the message.
 */
#define MARKER_STEP (-7777777)
#define MARKER_TEXT "7777777"
static pace_schedule *g_marker_schedule;

static inline void set_marker(void) {
  double v = 0;
  pace_status st = pace_schedule_at(g_marker_schedule, MARKER_STEP, &v);
  if (st != PACE_E_ARGUMENT || strstr(last_error(), MARKER_TEXT) == NULL) {
    fprintf(stderr, "  warning: marker failure not recorded (status %s, message \"%s\")\n", sname(st),
            last_error());
  }
}

/* Checks a failed call: status, non-NULL non-empty fresh message. */
static inline int expect_failure(int line, const char *what, pace_status got, pace_status want) {
  int ok = check_impl(got == want, line, "%s: status %s, want %s (message \"%s\")", what, sname(got), sname(want),
                      last_error());
  const char *m = pace_last_error();
  ok &= check_impl(m != NULL && m[0] != '\0', line, "%s: pace_last_error() is empty or NULL", what);
  ok &= check_impl(m != NULL && strstr(m, MARKER_TEXT) == NULL, line,
                   "%s: pace_last_error() was not updated by the failing call (\"%s\")", what, last_error());
  return ok;
}

#define EXPECT_FAIL(what, call, want)          \
  do {                                         \
    set_marker();                              \
    pace_status st_ = (call);                  \
    expect_failure(__LINE__, what, st_, want); \
  } while (0)

#define EXPECT_OK(what, call)                                                                                 \
  do {                                                                                                        \
    pace_status st_ = (call);                                                                                 \
    CHECK(st_ == PACE_OK, "%s: status %s, want PACE_OK (message \"%s\")", what, sname(st_), last_error());   \
  } while (0)

#endif /* PACE_TESTS_CHECK_H */
