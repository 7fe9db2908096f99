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


/* ---- refinement from gradient norms (Defazio et al. 2023), offline ---- */

#define PACE_NORM_L2 0u /* SGD: weights w = g^-2 */
#define PACE_NORM_L1 1u /* Adam-type: weights w = g^-1 */

typedef struct pace_refine_options {
  uint32_t struct_size; /* sizeof(pace_refine_options): lets the struct grow */
  uint32_t norm;        /* PACE_NORM_L2 or PACE_NORM_L1 */
  double smoothing;     /* median-filter width as a fraction of the run; 0.1 default; 0 = none */
} pace_refine_options;

/**
 * Refines a schedule from the gradient norms of a previous run:
 * eta_t proportional to w_t * sum_{s>t} w_s (w = g^-2 for L2, g^-1 for L1),
 * after a median filter of width 2*floor(smoothing*n/2)+1 (reflect-padded on
 * the right, clamped on the left, as the reference); normalised to max 1,
 * last value 0. Non-finite or non-positive norms are skipped and filled from
 * their neighbours. opt may be NULL (L2, smoothing 0.1). n >= 1;
 * out_multipliers holds n values. Cost: O(n log w) for a filter of width w.
 */
pace_status pace_refine(const double *grad_norms, int64_t n, const pace_refine_options *opt,
                        double *out_multipliers);

/** As pace_refine; also stores in *out_skipped how many norms were filled. */
pace_status pace_refine_ex(const double *grad_norms, int64_t n, const pace_refine_options *opt,
                           double *out_multipliers, int64_t *out_skipped);

/**
 * A schedule spec (JSON text) that plays refined multipliers as a `table`,
 * scaled by peak, after an optional linear warmup of warmup_steps (from 0 to
 * the table's value at the warmup's end). (buf, cap, *needed) pattern.
 */
pace_status pace_refine_spec(const double *multipliers, int64_t n, double peak, int64_t warmup_steps,
                             char *buf, size_t cap, size_t *needed);

/* ---- the training-loop runtime ----------------------------------------- */

/**
 * A runtime: the step counter, named channels (lr, momentum, weight_decay,
 * any name) each a schedule, parameter groups with a scale per channel, the
 * gradient-norm history, the run's events and online refinement; saved and
 * restored exactly. Used by one thread at a time. Config (JSON):
 *   {"channels": {"lr": SPEC, "weight_decay": SPEC},
 *    "groups": [{"name": "embed", "scale": {"lr": 0.5}}, {"name": "rest"}],
 *    "refine": {"every": 500, "norm": "l2", "smoothing": 0.1, "min_history": 1000}}
 * Values are group-major: out[g * channels + c].
 */
typedef struct pace_runtime pace_runtime;

/** Creates a runtime at step 0. PACE_E_SPEC names the JSON path of a bad config. */
pace_status pace_runtime_create(const char *config_json, pace_runtime **out);
/** Releases a runtime. Accepts NULL. */
void pace_runtime_free(pace_runtime *rt);
/** The number of channels and of parameter groups (either pointer may be NULL). */
pace_status pace_runtime_shape(const pace_runtime *rt, int64_t *channels, int64_t *groups);
/** The name of channel `index` (config order); (buf, cap, *needed) pattern. */
pace_status pace_runtime_channel_name(const pace_runtime *rt, int64_t index, char *buf, size_t cap,
                                      size_t *needed);
/**
 * Records the gradient norm of the current step (NaN when not measured),
 * advances one step, and writes the new step's values (channels x groups
 * doubles; cap is the number of doubles out can hold).
 */
pace_status pace_runtime_step(pace_runtime *rt, double grad_norm, double *out, size_t cap);
/** The current step's values without advancing. */
pace_status pace_runtime_values(const pace_runtime *rt, double *out, size_t cap);
/** Steps taken so far (the current values are those of this step). */
pace_status pace_runtime_step_count(const pace_runtime *rt, int64_t *out);

/**
 * Starts a cooldown at the current step: over decay_steps steps, from the
 * current value to `to` x the channel's peak along `shape` (linear, cosine,
 * sqrt, square, polynomial, rex, exponential), then holds. channel NULL: the
 * "lr" channel (or the first). Earlier values never change.
 */
pace_status pace_runtime_begin_decay(pace_runtime *rt, const char *channel, int64_t decay_steps,
                                     const char *shape, double to);
/** Continual pre-training: from the current step, plays spec_json from its step 0. */
pace_status pace_runtime_rewarm(pace_runtime *rt, const char *channel, const char *spec_json);
/**
 * Extends or shortens the run to total_steps (> current step): the rest of
 * every finite channel is stretched in time to end there; earlier values and
 * the current value never change; open-ended channels are unchanged.
 */
pace_status pace_runtime_set_total_steps(pace_runtime *rt, int64_t total_steps);

/**
 * Saves the state: versioned, checksummed, self-describing (it carries the
 * config and every schedule), exact. (buf, cap, *needed) pattern, in bytes.
 */
pace_status pace_runtime_save(const pace_runtime *rt, void *buf, size_t cap, size_t *needed);
/**
 * Restores a saved state. Damaged or truncated state: PACE_E_STATE; a newer
 * format: PACE_E_VERSION; nothing is half-loaded (*out stays NULL).
 */
pace_status pace_runtime_load(const void *buf, size_t size, pace_runtime **out);
/** Saves to a file atomically (temporary file, fsync, rename): a crash leaves the old file intact. */
pace_status pace_runtime_save_file(const pace_runtime *rt, const char *path);
/** Loads a file written by pace_runtime_save_file. */
pace_status pace_runtime_load_file(const char *path, pace_runtime **out);

#ifdef __cplusplus
}
#endif

#endif /* PACE_H */
