/*
 * pace.h - Pace, a schedule runtime for training loops.
 *
 * One C ABI for learning-rate (and any hyper-parameter) schedules, described
 * in one JSON spec (docs/schedule-spec.md) and evaluated as pure functions of
 * the optimizer step, in float64.
 *
 * Rules (docs/c-api.md):
 *  - Every fallible function returns a pace_status (PACE_OK = 0) and writes
 *    its results through out-pointers. No input, however bad, crashes the
 *    caller; on failure pace_last_error() says why.
 *  - Handles are opaque. Every *_parse / *_create has a *_free that accepts
 *    NULL.
 *  - The library never returns memory the caller must free. Variable-size
 *    outputs use (buf, cap, *needed): with buf == NULL or cap too small the
 *    size is stored in *needed (text: including the terminating NUL) and
 *    PACE_E_BUFFER_TOO_SMALL is returned.
 *  - Steps and counts are int64_t (negative: PACE_E_ARGUMENT); sizes size_t.
 *
 * Thread safety: a pace_schedule is immutable once created and may be shared
 * by any number of threads. pace_last_error() is per thread.
 */
#ifndef PACE_H
#define PACE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- versions ---------------------------------------------------------- */

#define PACE_VERSION_MAJOR 0
#define PACE_VERSION_MINOR 1
#define PACE_VERSION_PATCH 0
/** major*10000 + minor*100 + patch */
#define PACE_VERSION_NUMBER \
  (PACE_VERSION_MAJOR * 10000 + PACE_VERSION_MINOR * 100 + PACE_VERSION_PATCH)

/** PACE_VERSION_NUMBER of the loaded library; bindings compare it at load. */
uint32_t pace_version_number(void);
/** "MAJOR.MINOR.PATCH" of the loaded library (static storage). */
const char *pace_version_string(void);

/* ---- status codes ------------------------------------------------------ */

typedef enum pace_status {
  PACE_OK = 0,
  PACE_E_ARGUMENT = 1,         /* NULL pointer, negative count, bad enum, non-finite number */
  PACE_E_SPEC = 2,             /* schedule / config text rejected; message names the JSON path */
  PACE_E_BUFFER_TOO_SMALL = 3, /* *needed holds the size required */
  PACE_E_STATE = 4,            /* saved state truncated, corrupted (checksum), or of another kind */
  PACE_E_VERSION = 5,          /* saved state or caller built for an incompatible version */
  PACE_E_NUMERIC = 6,          /* a fit or solve did not converge, or produced non-finite values */
  PACE_E_NO_MEMORY = 7,
  PACE_E_UNSUPPORTED = 8,      /* e.g. a NUMA request on a machine without NUMA support */
  PACE_E_INTERNAL = 9
} pace_status;

/**
 * Message of the last failed call on the calling thread ("" if none).
 * Valid until this thread's next failing pace call; never NULL.
 */
const char *pace_last_error(void);

/** Static name of a status ("PACE_OK", "PACE_E_SPEC", ...; "PACE_E_UNKNOWN"). */
const char *pace_status_name(pace_status status);

/* ---- schedules --------------------------------------------------------- */

/** An immutable schedule: value(t) = peak * m(t). */
typedef struct pace_schedule pace_schedule;

/**
 * Parses a schedule spec (UTF-8 JSON text, NUL-terminated; spec version 1,
 * docs/schedule-spec.md). On success *out owns a new schedule: release it
 * with pace_schedule_free. On failure *out is set to NULL and the status is
 * PACE_E_SPEC (message: "JSON.path: what is wrong") or PACE_E_ARGUMENT.
 */
pace_status pace_schedule_parse(const char *spec_json, pace_schedule **out);

/** Releases a schedule. Accepts NULL. */
void pace_schedule_free(pace_schedule *s);

/**
 * The value at optimizer step `step` (>= 0), in float64.
 * Cost: O(number of phases), independent of the step.
 */
pace_status pace_schedule_at(const pace_schedule *s, int64_t step, double *out);

/**
 * Writes the values of steps start .. start+count-1 into out[0..count-1],
 * bit-identical to pace_schedule_at. start >= 0, count >= 0, and
 * start + count must not overflow int64. out may be NULL only when count is 0.
 */
pace_status pace_schedule_fill_f64(const pace_schedule *s, int64_t start, int64_t count, double *out);

/** As pace_schedule_fill_f64, each float64 value rounded once to float. */
pace_status pace_schedule_fill_f32(const pace_schedule *s, int64_t start, int64_t count, float *out);

/**
 * The canonical, fully expanded spec as JSON text (presets expanded, every
 * default written out). Parsing it gives bit-identical values.
 * (buf, cap, *needed) pattern; *needed includes the terminating NUL.
 */
pace_status pace_schedule_to_json(const pace_schedule *s, char *buf, size_t cap, size_t *needed);

/**
 * First step past the last phase (the ceiling of its end), or -1 when the
 * schedule is open-ended (runs forever).
 */
pace_status pace_schedule_total_steps(const pace_schedule *s, int64_t *out);

#ifdef __cplusplus
}
#endif

#endif /* PACE_H */
