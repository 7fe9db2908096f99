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
 *
 * Handle checks: every handle carries a tag of its kind, checked at each
 * entry (one load and one compare on the hot path of pace_schedule_at), and
 * is poisoned when freed; freed handles stay poisoned in a quarantine of the
 * last 4096 frees. NULL, a handle of another kind (a pace_runtime passed as
 * a pace_schedule), a freed handle, a misaligned or small address, or a
 * block of memory that holds no tag give PACE_E_ARGUMENT and a message; a
 * *_free of such a pointer does nothing (the problem becomes the thread's
 * pace_last_error). What cannot be detected: a pointer into unmapped memory
 * (reading its tag faults), a handle freed more than 4096 frees ago whose
 * memory now holds a new handle of the same kind (it is used as that
 * handle), and two threads using one stateful handle (runtime, law search,
 * sampler, tuner) at the same time. Error messages quote caller input cut
 * to 200 characters; pace_last_error() is at most about 2 KB.
 * docs/guarantees.md lists every promise and the test that backs it.
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
/**
 * Which build of the library is loaded: static, NUL-terminated text, never
 * NULL, never freed. "pace VERSION" then "; "-separated key=value fields, in
 * this order (fields may be added at the end, never renamed or reordered):
 *
 *   pace 0.1.0; isa=x86-64-v4; cpu=skylake-avx512; features=avx512f,avx512dq,avx512bw,avx512vl,avx2,fma; swift=6.3; build=release
 *   pace 0.1.0; isa=x86-64-v3; cpu=haswell; features=avx2,fma; swift=6.3; build=release
 *   pace 0.1.0; isa=x86-64; cpu=generic; features=sse2; swift=6.3; build=release
 *
 *   isa       vector ISA compiled for: x86-64-v4 (the Makefile's host build
 *             where the CPU has AVX-512 F/DQ/BW/VL: fills run 8 float64
 *             lanes), x86-64-v3 (host build where the CPU has AVX2 and FMA:
 *             4 lanes), x86-64 (the portable baseline,
 *             build/lib/baseline/libpace.so), aarch64, unknown
 *   cpu       the -target-cpu (generic: the compiler's default)
 *   features  comma-separated vector extensions the code may use
 *   swift     MAJOR.MINOR of the compiler
 *   build     release or debug
 *
 * The two builds agree to 1e-14 relative (abi-tests/python/test_build_variants.py);
 * bit identity between them is not promised, since kernels may use FMA (one
 * rounding for a*b+c) where the ISA has it.
 */
const char *pace_build_info(void);

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

/* ---- names: the library's vocabularies, for bindings ------------------- */

/**
 * Every name a binding maps to a value, as one JSON object built from the
 * tables the library itself uses, so that bindings read the names instead of
 * restating them. (buf, cap, *needed) pattern; the text is the same for the
 * life of the process (keys may be added, never renamed):
 *
 *   {"version": "0.1.0", "version_number": 100,
 *    "status": {"PACE_OK": 0, "PACE_E_ARGUMENT": 1, ...},
 *    "law_kinds": {"annealing": {"value": 0, "names": ["annealing", "tissue", "momentum"],
 *                                "params": ["L0", "A", "alpha", "C", "lambda"], "warmup": "peak"},
 *                  "multi_power": {...}},
 *    "warmup_modes": {"default": 0, "sum": 1, "peak": 2, "raw": 3},
 *    "fit_methods": {"lm": 0, "adam": 1},
 *    "search_families": {"wsd": 1, "cosine": 2, "rex": 4, "uba": 8, "linear": 16},
 *    "defaults": {"search_warmup_fraction": 0.09, "refine_smoothing": 0.1}}
 *
 * law_kinds: value is the PACE_LAW_* code, names every spelling the library
 * accepts for the kind (lowercase; matched in any case), params the
 * parameters in pace_law_create's order, warmup the kind's own warmup mode.
 * defaults.search_warmup_fraction: the warmup of pace_search_options when
 * warmup_steps is -1, as a fraction of the budget. defaults.refine_smoothing:
 * the smoothing of pace_refine when opt is NULL (and of a runtime config's
 * refine block without "smoothing").
 */
pace_status pace_names_json(char *buf, size_t cap, size_t *needed);

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
 * SIMD (four float64 lanes, eight in x86-64-v4 builds); fills of 2^19 steps
 * or more run on two threads, which take 2^16-step chunks in turn (same
 * values).
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
 * out_multipliers holds n values and may be grad_norms itself (in place).
 * Cost: O(n + w) for a filter of width w (a radix ranking and a bitmap walk);
 * from n = 65536 on, the ranking, the walk and the weights run in two
 * halves on two threads (same result).
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
 * restored exactly. Used by one thread at a time, the const functions too
 * (pace_runtime_values refills a per-runtime look-ahead). Config (JSON):
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
 * The name of parameter group `index` (config order): its "name", "group<i>"
 * for an unnamed group, "default" for the implicit single group. Checkpoints
 * carry the config, so names survive pace_runtime_load. (buf, cap, *needed)
 * pattern.
 */
pace_status pace_runtime_group_name(const pace_runtime *rt, int64_t index, char *buf, size_t cap,
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

/*
 * Introspection (docs/runtime.md, "Introspection"): the events applied so far
 * (begin_decay, rewarm, set_total_steps, with their steps; online re-plans are
 * not events) survive save and load.
 */
/** Number of events applied so far. */
pace_status pace_runtime_event_count(const pace_runtime *rt, int64_t *out);
/**
 * The events as a JSON array, in order: {"kind", "step", "channel" (name, or
 * null for set_total_steps), then "decay_steps", "shape", "to" | "spec" |
 * "total_steps"}. (buf, cap, *needed) pattern.
 */
pace_status pace_runtime_events_json(const pace_runtime *rt, char *buf, size_t cap, size_t *needed);
/**
 * *out = 1 when a begin_decay of the channel (NULL: "lr" or the first) was
 * applied and no rewarm of it came later, else 0.
 */
pace_status pace_runtime_cooldown_started(const pace_runtime *rt, const char *channel, int *out);
/**
 * The values the channel (NULL: "lr" or the first) played, before group
 * scales, at steps first_step .. first_step + count - 1 (all <= the current
 * step), bit-identical to what pace_runtime_step returned: the base schedule
 * and every event are replayed (O(events) memory). For a channel refined
 * online, steps between the first possible re-plan and the segment in force
 * are not kept: PACE_E_ARGUMENT.
 */
pace_status pace_runtime_played_values(const pace_runtime *rt, const char *channel, int64_t first_step,
                                       size_t count, double *out);
/**
 * The schedule the channel (NULL: "lr" or the first) played, as spec JSON
 * (docs/schedule-spec.md, shape "segment"): peak 1 and one "segment" phase
 * per piece of its timeline (the base schedule, then one per event on it),
 * the last open-ended (the schedule in force). Compiled with
 * pace_schedule_create it gives the values pace_runtime_played_values gives,
 * bit for bit, and those the runtime plays next if no event comes. Its size
 * is O(events), whatever the run's length; it survives save and load. A
 * channel refined online after its first possible re-plan has no exact
 * played spec (the re-plans are not kept): PACE_E_ARGUMENT.
 * (buf, cap, *needed) pattern.
 */
pace_status pace_runtime_played_spec(const pace_runtime *rt, const char *channel, char *buf, size_t cap,
                                     size_t *needed);

/* ---- loss-curve laws: annealing (Tissue et al.), multi-power (Luo et al.) */

/**
 * A loss-curve law with its parameters (given, fitted, or loaded): predicts
 * the training loss of any schedule at any step (docs/laws.md). Immutable
 * once created; may be shared by any number of threads.
 */
typedef struct pace_law pace_law;

#define PACE_LAW_ANNEALING 0u   /* L0 + A S1^-alpha - C S2;     params L0, A, alpha, C, lambda */
#define PACE_LAW_MULTI_POWER 1u /* L0 + A S1^-alpha - B LD(t);  params L0, A, alpha, B, C, beta, gamma */

#define PACE_WARMUP_DEFAULT 0u /* the law's own: RAW for multi-power, PEAK for annealing */
#define PACE_WARMUP_SUM 1u     /* warmup LRs in S1, not in LD / S2 */
#define PACE_WARMUP_PEAK 2u    /* warmup LRs taken as the peak */
#define PACE_WARMUP_RAW 3u     /* the sequence as is (the multi-power study's code) */

#define PACE_FIT_LM 0u   /* Huber Levenberg-Marquardt to convergence (LAPACKE) */
#define PACE_FIT_ADAM 1u /* the multi-power study's early-stopped AdamW recipe (multi-power only) */
#define PACE_FIT_AUTO 2u /* the law's cross-validated default: ADAM for multi-power, LM for annealing */

/**
 * A learning-rate sequence: a schedule spec, or per-step LRs.
 * spec_json != NULL: the spec's steps 0 .. count-1 (count 0: its total
 * steps; lrs must be NULL). Otherwise lrs[0 .. count-1] (count >= 1; finite,
 * >= 0). warmup_steps: steps before the warmup's end, or -1 for "up to the
 * first step at the largest LR".
 */
typedef struct pace_lr_input {
  const char *spec_json;
  const double *lrs;
  int64_t count;
  int64_t warmup_steps;
} pace_lr_input;

/**
 * An observed curve: its LRs and n (step, loss) pairs (steps strictly
 * increasing, >= 0, inside the sequence; losses finite and > 0, or NaN for
 * "not logged"). NaN losses, and steps where S1 = 0 (step 0), are skipped.
 */
typedef struct pace_law_curve {
  pace_lr_input lr;
  const int64_t *steps;
  const double *losses;
  int64_t n;
} pace_law_curve;

/**
 * Options of a fit. opt NULL gives every default: the law's cross-validated
 * fit (docs/laws.md, "Choosing the default fit"): multi-power ADAM (LM when
 * the recipe leaves the law's domain), annealing LM with lambda fitted;
 * warmup SUM and Huber delta 1e-2 for both. A zeroed struct is the same
 * except for its zeros' meanings kept from earlier versions: method 0 is
 * PACE_FIT_LM and fit_lambda 0 keeps lambda fixed; set method =
 * PACE_FIT_AUTO and fit_lambda = 1 for the defaults. The fit report
 * (pace_law_fit_report) names the method and warmup used.
 */
typedef struct pace_fit_options {
  uint32_t struct_size;   /* sizeof(pace_fit_options) */
  uint32_t warmup;        /* PACE_WARMUP_*; DEFAULT: the law's fit default (SUM for both laws) */
  uint32_t method;        /* PACE_FIT_LM, PACE_FIT_ADAM (multi-power only) or PACE_FIT_AUTO (the default) */
  uint32_t fit_lambda;    /* annealing: 1 fits lambda, 0 keeps it (opt NULL: fitted, the default) */
  double lambda;          /* annealing: lambda, or its start (0: 0.999) */
  double huber_delta;     /* 0: the law's fit default (1e-2 for both laws) */
  int64_t max_iterations; /* per Levenberg-Marquardt run; 0: 300 */
} pace_fit_options;

/**
 * Fits a law jointly to curve_count curves: Huber on log residuals,
 * deterministic multi-start (docs/laws.md). opt may be NULL
 * (the law's cross-validated default fit).
 * Bad curves: PACE_E_ARGUMENT / PACE_E_SPEC. No convergence:
 * PACE_E_NUMERIC, and the message gives the parameters reached.
 */
pace_status pace_law_fit(uint32_t kind, const pace_law_curve *curves, int64_t curve_count,
                         const pace_fit_options *opt, pace_law **out);

/**
 * A training run as its trainer logged it (docs/laws.md, "Laws from real
 * runs"): rows of (step, lr, loss), NaN where a value was not logged.
 * - csv != NULL: CSV text whose header names the columns step and loss and
 *   optionally lr (or learning_rate); names case-insensitive, other columns
 *   ignored, empty or nan fields not logged; steps, lrs, losses NULL, n 0.
 * - else n rows: losses[i] at steps[i] (strictly increasing, >= 0; steps
 *   NULL: row i is step i), lrs[i] the LR logged there (lrs may be NULL).
 * The per-step LRs: those of lr when it gives a spec or per-step LRs (every
 * logged step inside them); else the rows' LRs, linear between rows, linear
 * from 0 at step 0 up to the first (a linear warmup), held after the last.
 * lr.warmup_steps: steps before the warmup's end, -1 for "up to the first
 * step at the largest LR". Rows without a loss and rows where S1 = 0 (step
 * 0) are skipped; infinite or non-positive losses are PACE_E_ARGUMENT.
 */
typedef struct pace_run_log {
  uint32_t struct_size; /* sizeof(pace_run_log) (an array's stride: must be equal) */
  uint32_t reserved;    /* 0 */
  const char *csv;
  const int64_t *steps;
  const double *lrs;
  const double *losses;
  int64_t n;
  pace_lr_input lr;
} pace_run_log;

/**
 * Fits a law jointly to run_count logged runs, as pace_law_fit (opt may be
 * NULL). skipped (may be NULL) receives the number of rows skipped.
 */
pace_status pace_law_fit_runs(uint32_t kind, const pace_run_log *runs, int64_t run_count,
                              const pace_fit_options *opt, int64_t *skipped, pace_law **out);
/** A law from its n parameters (in the order above) and a PACE_WARMUP_* mode. */
pace_status pace_law_create(uint32_t kind, const double *params, int64_t n, uint32_t warmup, pace_law **out);
/** Releases a law. Accepts NULL. */
void pace_law_free(pace_law *law);
/** The PACE_LAW_* kind. */
pace_status pace_law_kind(const pace_law *law, uint32_t *out);
/** The parameters: *count receives their number; out (cap doubles) receives them when cap is enough, else PACE_E_BUFFER_TOO_SMALL. */
pace_status pace_law_params(const pace_law *law, double *out, int64_t cap, int64_t *count);
/** The name of parameter `index` ("L0", "A", ...); (buf, cap, *needed) pattern. */
pace_status pace_law_param_name(const pace_law *law, int64_t index, char *buf, size_t cap, size_t *needed);
/** The fit report as JSON ("{}" for a law that was not fitted); (buf, cap, *needed). */
pace_status pace_law_fit_report(const pace_law *law, char *buf, size_t cap, size_t *needed);
/**
 * Predicted losses at n steps (any order; each >= 1, inside the sequence,
 * with S1 > 0) into out[0 .. n-1]. Cost: O(T J) (multi-power; J ~ 50
 * exponential-sum nodes, T the largest step), O(T) (annealing).
 */
pace_status pace_law_predict(const pace_law *law, const pace_lr_input *lr, const int64_t *steps, int64_t n,
                             double *out);
/** The loss predicted at the sequence's last step, exactly, in O(T). */
pace_status pace_law_final_loss(const pace_law *law, const pace_lr_input *lr, double *out);
/**
 * The law as JSON text ({"format":"pace-law","version":3,...}, with the fit report and the
 * prediction interval when it has them); (buf, cap, *needed).
 */
pace_status pace_law_save(const pace_law *law, char *buf, size_t cap, size_t *needed);
/**
 * Reads pace_law_save text (format 3, 2 or 1). Not a saved law, or damaged (length, CRC-32):
 * PACE_E_STATE; a newer format version: PACE_E_VERSION.
 */
pace_status pace_law_load(const char *json, pace_law **out);
/**
 * As pace_law_fit, and calibrates a prediction interval for the law by
 * leave-one-curve-out cross-validation: each curve is predicted by the law
 * fitted (same kind and options) on the other curves, and the quantiles of
 * those log residuals log(observed / predicted), every curve weighing the
 * same, are kept with the law (and saved by pace_law_save). Costs
 * curve_count more fits than pace_law_fit; curve_count >= 2. A fit without
 * one curve that fails gives its status, and the message names the curve.
 */
pace_status pace_law_fit_interval(uint32_t kind, const pace_law_curve *curves, int64_t curve_count,
                                  const pace_fit_options *opt, pace_law **out);
/**
 * As pace_law_predict into out[0 .. n-1], with the prediction interval at
 * `level` (0 < level < 1, e.g. 0.9) into lower[0 .. n-1] and upper[0 .. n-1]:
 * out[i] * exp(q((1 - level) / 2)) and out[i] * exp(q((1 + level) / 2)), q the
 * calibrated quantiles, so lower <= out <= upper and a larger level gives a
 * wider interval. A law without a calibrated interval: PACE_E_ARGUMENT.
 * Cost: pace_law_predict's, plus O(n).
 */
pace_status pace_law_predict_interval(const pace_law *law, const pace_lr_input *lr, const int64_t *steps, int64_t n,
                                      double level, double *out, double *lower, double *upper);

/**
 * Schedule functionals of a sequence at every step, into out[0 .. count-1]
 * (count: lr->count, or the spec's total when that is 0; out_cap is the
 * number of doubles out holds). warmup: PACE_WARMUP_* (DEFAULT means RAW).
 * S1(t) = sum_{i=1}^{t} eta_i. S2: momentum lambda in [0, 1).
 * LD(t) = sum_k (eta_{k-1} - eta_k) (1 - (1 + C eta_k^-gamma S_k(t))^-beta),
 * all t in O(T J) instead of O(T^2) (relative accuracy ~1e-15).
 */
pace_status pace_functional_s1(const pace_lr_input *lr, uint32_t warmup, double *out, int64_t out_cap);
pace_status pace_functional_s2(const pace_lr_input *lr, uint32_t warmup, double lambda, double *out, int64_t out_cap);
pace_status pace_functional_ld(const pace_lr_input *lr, uint32_t warmup, double C, double beta, double gamma,
                               double *out, int64_t out_cap);

#define PACE_FAMILY_WSD 1u
#define PACE_FAMILY_COSINE 2u
#define PACE_FAMILY_REX 4u
#define PACE_FAMILY_UBA 8u
#define PACE_FAMILY_LINEAR 16u

typedef struct pace_search_options {
  uint32_t struct_size;  /* sizeof(pace_search_options) */
  uint32_t families;     /* PACE_FAMILY_* bits; 0: all */
  int64_t budget;        /* total steps T >= 2 */
  double peak;           /* peak LR > 0 */
  int64_t warmup_steps;  /* linear warmup from 0; -1: 9% of the budget */
} pace_search_options;

/**
 * Evaluates every member of the families on their grids (docs/laws.md) and
 * writes the spec with the lowest predicted final loss; (buf, cap, *needed)
 * pattern (a 4096-byte buffer always suffices). final_loss and evaluated
 * (candidates) may be NULL.
 */
pace_status pace_law_search(const pace_law *law, const pace_search_options *opt, char *buf, size_t cap,
                            size_t *needed, double *final_loss, int64_t *evaluated);
/**
 * Free-form search: a non-increasing schedule after the fixed warmup,
 * minimising the predicted final loss by projected gradient (iterations
 * >= 1); writes budget per-step LRs into rates (rates_cap doubles).
 */
pace_status pace_law_search_free_form(const pace_law *law, const pace_search_options *opt, int64_t iterations,
                                      double *rates, int64_t rates_cap, double *final_loss);

/* ---- batch engine: many schedules x many steps, every core (NUMA) ------ */

/**
 * A pool of worker threads, one group per NUMA node (libnuma), each thread
 * pinned to its node's CPUs with its scratch memory on that node
 * (docs/engine.md). Results never depend on the thread count or the
 * topology: every element is computed by the code of pace_schedule_at, and
 * every reduction runs in step order on one thread. Calls on one engine
 * from several threads are serialised; distinct engines run concurrently.
 *
 * pace_engine_create reads the environment: PACE_NUMA=off acts as if
 * libnuma reported no NUMA (one node, no pinning, ordinary memory);
 * PACE_NUMA_SIMULATE="0-0,1-1" (a testing aid) gives node i the CPU range
 * of item i, so that the multi-node paths run on a one-node machine.
 */
typedef struct pace_engine pace_engine;

#define PACE_NUMA_AUTO 0u    /* libnuma's nodes; one node when it reports none */
#define PACE_NUMA_OFF 1u     /* one node, no pinning, ordinary memory */
#define PACE_NUMA_REQUIRE 2u /* as AUTO, but PACE_E_UNSUPPORTED without NUMA support */

#define PACE_THREADS_AUTO (-1) /* one worker per CPU of the process's affinity mask */

typedef struct pace_engine_options {
  uint32_t struct_size; /* sizeof(pace_engine_options) */
  uint32_t numa;        /* PACE_NUMA_* */
  int64_t threads;      /* worker threads, 1 .. 1024, or PACE_THREADS_AUTO (0: PACE_E_ARGUMENT) */
} pace_engine_options;

typedef struct pace_engine_info {
  uint32_t struct_size; /* set by the caller: sizeof(pace_engine_info) */
  uint32_t simulated;   /* 1: the nodes come from PACE_NUMA_SIMULATE */
  uint32_t libnuma;     /* 1: libnuma reported the nodes (0: one-node fallback, off, simulated) */
  uint32_t pinned;      /* worker threads pinned to their node's CPUs */
  int64_t nodes;        /* nodes with worker threads */
  int64_t threads;      /* worker threads */
} pace_engine_info;

/** Starts an engine's workers. opt may be NULL (PACE_NUMA_AUTO, PACE_THREADS_AUTO). */
pace_status pace_engine_create(const pace_engine_options *opt, pace_engine **out);
/** Stops the workers and releases the engine. Accepts NULL; not while a call on it runs. */
void pace_engine_free(pace_engine *engine);
/** The engine's nodes, threads and pinning (out->struct_size set by the caller). */
pace_status pace_engine_get_info(const pace_engine *engine, pace_engine_info *out);

/**
 * Values of steps start .. start+count-1 of n schedules into the row-major
 * n x count matrix out (row i: schedules[i]), in parallel; element (i, j) is
 * bit-identical to pace_schedule_at(schedules[i], start + j) (f32: rounded
 * once). out_capacity: the elements out holds (< n * count:
 * PACE_E_BUFFER_TOO_SMALL). Each node's workers write, and first touch, a
 * contiguous page-aligned part of out. n >= 1, no NULL schedule, start >= 0,
 * count >= 0 (0 writes nothing), start + count within int64, n * count bytes
 * within size_t. Everything is checked before any worker starts: on error
 * out is untouched.
 */
pace_status pace_batch_fill_f64(pace_engine *engine, const pace_schedule *const *schedules, int64_t n,
                                int64_t start, int64_t count, double *out, size_t out_capacity);
pace_status pace_batch_fill_f32(pace_engine *engine, const pace_schedule *const *schedules, int64_t n,
                                int64_t start, int64_t count, float *out, size_t out_capacity);

/**
 * Per schedule, over its values eta_1 .. eta_T of steps start .. start+T-1
 * (T = count >= 1), streamed through per-thread scratch (no n x T memory):
 * final_values[i] = eta_T; sums[i] = S1 = sum_k eta_k (Kahan-compensated);
 * s2[i] = S2 = sum_{k=2}^{T} m_k, m_1 = 0,
 * m_k = lambda m_{k-1} + (eta_{k-1} - eta_k), lambda in [0, 1) (the
 * annealing law's functionals: S1 of steps 1 .. T-1 and S2 of steps
 * 0 .. T-1 are pace_functional_s1 / _s2 at T-1, warmup RAW, bit for bit:
 * the same operations in the same order). Each sum runs in step
 * order in one thread: the same bits as a plain loop, whatever the threads.
 * Each output holds n doubles or is NULL (skipped). Checked first: on error
 * nothing is written.
 */
pace_status pace_batch_reduce(pace_engine *engine, const pace_schedule *const *schedules, int64_t n,
                              int64_t start, int64_t count, double lambda, double *final_values,
                              double *sums, double *s2);

/* ---- data pacing: which samples go into each batch (docs/data.md) ------- */

/**
 * A batch sampler (docs/data.md): for every optimizer step, the
 * global batch of sample indices in [0, N) and each data-parallel rank's
 * contiguous slice of it, as a pure function of (config, scores, domains,
 * step) plus, for the "ability" policy, the abilities reported so far.
 * Stateful only through pace_sampler_report_ability: used by one thread at a
 * time; pace_sampler_batch and the other queries do not change it.
 */
typedef struct pace_sampler pace_sampler;

/**
 * Creates a sampler from its JSON config (keys: size, global_batch, seed,
 * policy, mixture; docs/data.md). scores: n per-sample values (difficulty,
 * IRT difficulty, quality rating or ordering score), NULL when the policy
 * needs none. domains: n domain ids in [0, 65535], NULL without a mixture or
 * per-domain budget. n must equal the config's size when an array is given
 * (with both NULL it is not read). The arrays are read during the call only:
 * the sampler keeps what its policy needs (nothing for uniform; 4 bytes of
 * sorted order per sample for competence and ordered, plus the sorted
 * difficulties for ability; the selected subset for weighted). Pools of
 * 2^20 samples or more are sorted / selected on worker threads, with the
 * same result whatever the thread count. Errors: PACE_E_SPEC naming the
 * config field, PACE_E_ARGUMENT naming the array element (NaN or infinite
 * score, domain out of range) or n.
 */
pace_status pace_sampler_create(const char *config_json, const double *scores, const int32_t *domains,
                                int64_t n, pace_sampler **out);
/** Releases a sampler. Accepts NULL. */
void pace_sampler_free(pace_sampler *s);
/**
 * This rank's slice of the global batch of `step`: global_batch(step) /
 * world_size indices written to out (cap: the int64_t values out holds; too
 * small, or out NULL: PACE_E_BUFFER_TOO_SMALL with *count set to what is
 * needed). 0 <= rank < world_size; global_batch(step) % world_size == 0;
 * step >= 0. Cost O(global_batch / world_size), independent of N and step.
 */
pace_status pace_sampler_batch(const pace_sampler *s, int64_t step, int64_t rank, int64_t world_size,
                               int64_t *out, int64_t cap, int64_t *count);
/** The global batch size of `step` (the config's global_batch or its ramp-up segments). */
pace_status pace_sampler_global_batch_size(const pace_sampler *s, int64_t step, int64_t *out);
/** The sample offset of `step`'s first sample: the sum of the batch sizes of steps 0 .. step-1. */
pace_status pace_sampler_first_offset(const pace_sampler *s, int64_t step, int64_t *out);
/** The size of the eligible pool at `step`. */
pace_status pace_sampler_eligible(const pace_sampler *s, int64_t step, int64_t *out);
/**
 * Ability policy: records the ability theta the trainer estimated at `step`
 * (pace_irt_ability) and applies PUDF's cap rule to the steps from `step` on.
 * Steps must not decrease between reports; theta finite.
 */
pace_status pace_sampler_report_ability(pace_sampler *s, int64_t step, double theta);
/**
 * Saves the sampler's state (config and ability history, not the arrays):
 * versioned, checksummed. (buf, cap, *needed) pattern, in bytes.
 */
pace_status pace_sampler_save(const pace_sampler *s, void *buf, size_t cap, size_t *needed);
/**
 * Restores a saved sampler, with the same arrays again (a fingerprint of the
 * arrays is checked). Damaged: PACE_E_STATE; newer format: PACE_E_VERSION.
 */
pace_status pace_sampler_load(const void *buf, size_t size, const double *scores, const int32_t *domains,
                              int64_t n, pace_sampler **out);

/**
 * 1PL (Rasch) item response theory fit: responses is a row-major
 * models x items matrix of 0/1 (an artificial crowd's answers); writes the
 * MAP item difficulties (N(0,1) priors on abilities and difficulties) to
 * out_difficulties (items values) and, when not NULL, the models' abilities
 * to out_abilities (models values). Deterministic.
 */
pace_status pace_irt_fit(const uint8_t *responses, int64_t models, int64_t items, double *out_difficulties,
                         double *out_abilities);
/**
 * PUDF's ability estimate: the MAP theta of a model whose answers to n items
 * of the given difficulties are responses_pm1 (+1 right, -1 wrong).
 */
pace_status pace_irt_ability(const double *difficulties, const int8_t *responses_pm1, int64_t n, double *out_theta);

/* ---- AutoLRS: the learning rate tuned on the fly (docs/autolrs.md) ------ */

/**
 * AutoLRS (Jin et al. 2021) as a state machine the trainer drives: ask
 * pace_autolrs_next what to do, do it, report losses when asked. No thread,
 * socket or clock of its own; deterministic for its seed. One thread at a
 * time.
 */
typedef struct pace_autolrs pace_autolrs;

#define PACE_AUTOLRS_CHECKPOINT 1u /* save model + optimizer state (the stage's start) */
#define PACE_AUTOLRS_RESTORE 2u    /* load the state saved at the last CHECKPOINT */
#define PACE_AUTOLRS_TRAIN 3u      /* train `steps` steps at constant `lr` */
#define PACE_AUTOLRS_DONE 4u       /* the budget (total_steps) is spent */

#define PACE_AUTOLRS_REPORT_NONE 0u  /* report nothing */
#define PACE_AUTOLRS_REPORT_TRAIN 1u /* report each step's training loss (steps values) */
#define PACE_AUTOLRS_REPORT_VAL 2u   /* report a validation loss every `every` steps */

typedef struct pace_autolrs_action {
  uint32_t kind;   /* PACE_AUTOLRS_* */
  uint32_t report; /* PACE_AUTOLRS_REPORT_* (TRAIN actions) */
  double lr;       /* TRAIN: the constant learning rate */
  int64_t steps;   /* TRAIN: optimizer steps to take */
  int64_t every;   /* REPORT_VAL: steps between validation losses */
} pace_autolrs_action;

/** Creates a tuner from its JSON config (min_lr, max_lr, total_steps required; docs/autolrs.md). */
pace_status pace_autolrs_create(const char *config_json, pace_autolrs **out);
/** Releases a tuner. Accepts NULL. */
void pace_autolrs_free(pace_autolrs *t);
/**
 * The next action. After a TRAIN action whose report is not NONE, the
 * losses must be reported (pace_autolrs_report) before the next call
 * (else PACE_E_ARGUMENT). Sequence: warmup_steps one-step TRAIN actions on
 * the linear ramp to warmup_lr; then per stage CHECKPOINT, K trials of
 * tau' steps (REPORT_TRAIN; REPORT_VAL once tau reached tau_max) separated
 * by RESTORE, RESTORE, and tau steps at the LR of the lowest forecast
 * (REPORT_NONE; in validation mode REPORT_VAL with every = steps: one
 * validation loss at its end). The last stage shrinks so that the steps
 * sum to total_steps exactly; then DONE, on every later call too.
 */
pace_status pace_autolrs_next(pace_autolrs *t, pace_autolrs_action *action);
/** The losses of the last TRAIN action (NaN or inf: treated as a very large loss). */
pace_status pace_autolrs_report(pace_autolrs *t, const double *losses, int64_t n);
/** Optimizer steps handed out so far, trials included. */
pace_status pace_autolrs_steps_used(const pace_autolrs *t, int64_t *out);
/**
 * Per decided stage, a JSON array of {"stage", "start_step", "mode" ("train"
 * | "val"), "trial_steps", "steps", "lrs": [...], "forecasts": [...], "lr"}
 * (a stage without search: trial_steps 0, empty lists). (buf, cap, *needed).
 */
pace_status pace_autolrs_history(const pace_autolrs *t, char *buf, size_t cap, size_t *needed);
/** Saves the tuner's state: versioned, checksummed. (buf, cap, *needed), in bytes. */
pace_status pace_autolrs_save(const pace_autolrs *t, void *buf, size_t cap, size_t *needed);
/** Restores a saved tuner. Damaged: PACE_E_STATE; newer format: PACE_E_VERSION. */
pace_status pace_autolrs_load(const void *buf, size_t size, pace_autolrs **out);

#ifdef __cplusplus
}
#endif

#endif /* PACE_H */
