// pace.hpp - header-only C++17 RAII wrapper over the Pace C API (pace.h).
//
//   pace::Schedule lr(R"({"preset":"cosine","peak":3e-4,"warmup_steps":100,"total_steps":1000})");
//   double rate = lr.at(step);                 // throws pace::Error on failure
//   std::vector<double> all = lr.values(0, 1000);
//
// Classes: Schedule (and refine, refine_spec), Runtime, Law (with LRs, Curve,
// RunLog; functional_s1, _s2, _ld), Engine, Sampler (and irt_fit,
// irt_ability), AutoLRS. Handles are move-only and freed by their
// destructors. Every failure throws pace::Error carrying the pace_status and
// the library's message (what() names the status once). No raw pointer
// appears in the public surface.
#ifndef PACE_HPP
#define PACE_HPP

#include <pace.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pace {

/// A failed Pace call: the status and the library's message. what() reads
/// "PACE_E_SPEC: phases[0].steps: must be ..." (the status once, then the
/// message); message() is the part after the status.
class Error : public std::runtime_error {
 public:
  /// message: the library's text (already "NAME: ...") or the wrapper's own,
  /// which gets the status name in front.
  Error(pace_status status, const std::string& message)
      : std::runtime_error(prefixed(status, message)), status_(status) {}
  /// The pace_status of the failed call.
  pace_status status() const noexcept { return status_; }
  /// Its static name ("PACE_E_SPEC", ...).
  const char* status_name() const noexcept { return pace_status_name(status_); }
  /// The message without the leading status name.
  std::string message() const { return std::string(what()).substr(std::string(status_name()).size() + 2); }

 private:
  static std::string prefixed(pace_status status, const std::string& message) {
    const std::string name = std::string(pace_status_name(status)) + ": ";
    return message.compare(0, name.size(), name) == 0 ? message : name + message;
  }
  pace_status status_;
};

namespace detail {
inline void check(pace_status status) {
  if (status != PACE_OK) throw Error(status, pace_last_error());
}

/// Reads a (buf, cap, *needed) text: asks the size, then fills.
template <class Call>
std::string read_text(Call call) {
  std::size_t needed = 0;
  pace_status status = call(nullptr, 0, &needed);
  if (status != PACE_E_BUFFER_TOO_SMALL) detail::check(status);
  std::string text(needed, '\0');
  detail::check(call(text.data(), text.size(), &needed));
  text.resize(needed > 0 ? needed - 1 : 0);  // drop the NUL
  return text;
}
}  // namespace detail

/// The loaded library's version number (major*10000 + minor*100 + patch).
inline std::uint32_t version_number() noexcept { return pace_version_number(); }
/// The loaded library's version string.
inline std::string version_string() { return pace_version_string(); }
/// Which build of the library is loaded, e.g. "pace 0.1.0; isa=x86-64-v3; cpu=haswell;
/// features=avx2,fma; swift=6.3; build=release" (format: pace_build_info in pace.h).
inline std::string build_info() { return pace_build_info(); }
/// The library's names as JSON (pace_names_json): status names, law kinds with
/// every accepted spelling and parameter names, warmup modes, fit methods,
/// search families, defaults. Read it rather than restating any of them.
inline std::string names_json() {
  return detail::read_text([](char* buf, std::size_t cap, std::size_t* needed) {
    return pace_names_json(buf, cap, needed);
  });
}

/// An immutable schedule: value(t) = peak * m(t). Thread-safe to share
/// (const methods only); move-only.
class Schedule {
 public:
  /// Parses a spec (docs/schedule-spec.md). Throws pace::Error
  /// (PACE_E_SPEC with the JSON path) when it is rejected.
  explicit Schedule(std::string_view spec_json) {
    std::string text(spec_json);  // NUL-terminated copy
    pace_schedule* handle = nullptr;
    detail::check(pace_schedule_parse(text.c_str(), &handle));
    handle_ = handle;
  }
  ~Schedule() { pace_schedule_free(handle_); }
  Schedule(Schedule&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Schedule& operator=(Schedule&& other) noexcept {
    if (this != &other) {
      pace_schedule_free(handle_);
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  Schedule(const Schedule&) = delete;
  Schedule& operator=(const Schedule&) = delete;

  /// The value at `step` (>= 0).
  double at(std::int64_t step) const {
    double out = 0;
    detail::check(pace_schedule_at(get(), step, &out));
    return out;
  }
  double operator()(std::int64_t step) const { return at(step); }

  /// Values of steps start .. start+count-1 (float64).
  std::vector<double> values(std::int64_t start, std::int64_t count) const {
    std::vector<double> out(count > 0 ? static_cast<std::size_t>(count) : 0);
    detail::check(pace_schedule_fill_f64(get(), start, count, out.data()));
    return out;
  }
  /// Values of steps start .. start+count-1, each rounded once to float.
  std::vector<float> values_f32(std::int64_t start, std::int64_t count) const {
    std::vector<float> out(count > 0 ? static_cast<std::size_t>(count) : 0);
    detail::check(pace_schedule_fill_f32(get(), start, count, out.data()));
    return out;
  }
  /// Fills `out` with the values of steps start .. start+out.size()-1.
  void fill(std::int64_t start, std::vector<double>& out) const {
    detail::check(pace_schedule_fill_f64(get(), start, static_cast<std::int64_t>(out.size()), out.data()));
  }

  /// The first step past the last phase, or nullopt when open-ended.
  std::optional<std::int64_t> total_steps() const {
    std::int64_t out = 0;
    detail::check(pace_schedule_total_steps(get(), &out));
    if (out < 0) return std::nullopt;
    return out;
  }

  /// The canonical, fully expanded spec.
  std::string to_json() const {
    std::size_t needed = 0;
    pace_status status = pace_schedule_to_json(get(), nullptr, 0, &needed);
    if (status != PACE_E_BUFFER_TOO_SMALL) detail::check(status);
    std::string text(needed, '\0');
    detail::check(pace_schedule_to_json(get(), text.data(), text.size(), &needed));
    text.resize(needed - 1);  // drop the NUL
    return text;
  }

 private:
  friend class Engine;
  const pace_schedule* get() const {
    if (!handle_) throw Error(PACE_E_ARGUMENT, "pace::Schedule used after being moved from");
    return handle_;
  }
  pace_schedule* handle_ = nullptr;
};

// ---- refinement from gradient norms (docs/runtime.md) ---------------------

/// Multipliers refined from a run's gradient norms (pace_refine_ex): one per
/// norm, max 1, last 0; `skipped` norms (non-finite or <= 0) were filled from
/// their neighbours.
struct Refinement {
  std::vector<double> multipliers;
  std::int64_t skipped = 0;
};

namespace detail {
inline Refinement refine(const std::vector<double>& grad_norms, const pace_refine_options* options) {
  Refinement out;
  out.multipliers.resize(grad_norms.size());
  detail::check(pace_refine_ex(grad_norms.data(), static_cast<std::int64_t>(grad_norms.size()), options,
                               out.multipliers.data(), &out.skipped));
  return out;
}
}  // namespace detail

/// Refines a schedule from the gradient norms of a previous run (Defazio et
/// al. 2023) with the library's defaults (pace.h: options NULL). At least
/// one norm. O(n + filter width).
inline Refinement refine(const std::vector<double>& grad_norms) { return detail::refine(grad_norms, nullptr); }
/// As refine(grad_norms), with norm PACE_NORM_L2 (SGD) or PACE_NORM_L1
/// (Adam-type) and the median filter's width as a fraction of the run
/// (0: no filter).
inline Refinement refine(const std::vector<double>& grad_norms, std::uint32_t norm, double smoothing) {
  pace_refine_options options{};
  options.struct_size = sizeof(pace_refine_options);
  options.norm = norm;
  options.smoothing = smoothing;
  return detail::refine(grad_norms, &options);
}
/// A schedule spec playing refined multipliers as a table scaled by peak,
/// after a linear warmup of warmup_steps (0 <= warmup_steps < size); Schedule
/// parses it.
inline std::string refine_spec(const std::vector<double>& multipliers, double peak, std::int64_t warmup_steps = 0) {
  return detail::read_text([&](char* buf, std::size_t cap, std::size_t* needed) {
    return pace_refine_spec(multipliers.data(), static_cast<std::int64_t>(multipliers.size()), peak, warmup_steps, buf,
                            cap, needed);
  });
}

/// A learning-rate sequence for the laws: a schedule spec, or per-step LRs.
/// warmup_steps: steps before the warmup's end, or -1 for "up to the first
/// step at the largest LR". Holds its own storage (pace_lr_input points into it).
class LRs {
 public:
  /// Steps 0 .. count-1 of a spec (count 0: its total steps).
  static LRs spec(std::string_view spec_json, std::int64_t count = 0, std::int64_t warmup_steps = -1) {
    LRs out;
    out.spec_json_ = std::string(spec_json);
    out.is_spec_ = true;
    out.count_ = count;
    out.warmup_steps_ = warmup_steps;
    return out;
  }
  /// The given per-step LRs (finite, >= 0; at least one).
  static LRs rates(std::vector<double> lrs, std::int64_t warmup_steps = -1) {
    LRs out;
    out.rates_ = std::move(lrs);
    out.count_ = static_cast<std::int64_t>(out.rates_.size());
    out.warmup_steps_ = warmup_steps;
    return out;
  }
  /// The number of steps of the sequence: the rates' count, or the spec's
  /// count (0: the spec's total steps; an open-ended spec throws).
  std::int64_t count() const {
    if (!is_spec_ || count_ > 0) return count_;
    std::optional<std::int64_t> total = Schedule(spec_json_).total_steps();
    if (!total) throw Error(PACE_E_ARGUMENT, "pace::LRs: the schedule is open-ended; give a count");
    return *total;
  }
  /// The C view; valid while this object lives and is not modified.
  pace_lr_input c() const noexcept {
    pace_lr_input in{};
    in.spec_json = is_spec_ ? spec_json_.c_str() : nullptr;
    in.lrs = is_spec_ ? nullptr : rates_.data();
    in.count = count_;
    in.warmup_steps = warmup_steps_;
    return in;
  }

 private:
  std::string spec_json_;
  std::vector<double> rates_;
  bool is_spec_ = false;
  std::int64_t count_ = 0;
  std::int64_t warmup_steps_ = -1;
};

/// An observed loss curve: its LRs and (step, loss) pairs.
struct Curve {
  LRs lrs;
  std::vector<std::int64_t> steps;
  std::vector<double> losses;
};

/// A training run as its trainer logged it (pace_run_log, docs/laws.md "Laws
/// from real runs"): CSV text with columns step, loss and optionally lr (or
/// learning_rate), or rows of (step, lr, loss) with NaN where a value was not
/// logged. The LRs between rows are linear (a linear warmup from 0 before the
/// first), unless with_lrs() gives the per-step LRs or the spec. Holds its
/// own storage (c() points into it).
class RunLog {
 public:
  /// CSV text (the header names the columns; empty or nan fields: not logged).
  static RunLog csv(std::string text) {
    RunLog out;
    out.csv_ = std::move(text);
    out.is_csv_ = true;
    return out;
  }
  /// Rows: losses[i] at steps[i] (strictly increasing), lrs[i] the LR logged
  /// there (NaN: none; lrs empty: no LR column). Lengths must agree.
  static RunLog rows(std::vector<std::int64_t> steps, std::vector<double> lrs, std::vector<double> losses) {
    if (steps.size() != losses.size() || (!lrs.empty() && lrs.size() != losses.size()))
      throw Error(PACE_E_ARGUMENT, "pace::RunLog::rows: " + std::to_string(steps.size()) + " steps, " +
                                       std::to_string(lrs.size()) + " lrs and " + std::to_string(losses.size()) +
                                       " losses (lrs may be empty; else the lengths must agree)");
    RunLog out;
    out.steps_ = std::move(steps);
    out.lrs_ = std::move(lrs);
    out.losses_ = std::move(losses);
    return out;
  }
  /// Per-step arrays: row i is step i (lrs empty: no LR column).
  static RunLog per_step(std::vector<double> lrs, std::vector<double> losses) {
    if (!lrs.empty() && lrs.size() != losses.size())
      throw Error(PACE_E_ARGUMENT, "pace::RunLog::per_step: " + std::to_string(lrs.size()) + " lrs and " +
                                       std::to_string(losses.size()) + " losses");
    RunLog out;
    out.lrs_ = std::move(lrs);
    out.losses_ = std::move(losses);
    return out;
  }
  /// The run's LRs from a spec or per-step LRs instead of the rows' (every
  /// logged step inside them).
  RunLog& with_lrs(LRs lrs) & {
    lr_ = std::move(lrs);
    return *this;
  }
  RunLog with_lrs(LRs lrs) && { return std::move(with_lrs(std::move(lrs))); }
  /// With the LRs of the rows: steps before the warmup's end (-1: up to the
  /// first step at the largest LR).
  RunLog& with_warmup_steps(std::int64_t warmup_steps) & {
    warmup_steps_ = warmup_steps;
    return *this;
  }
  RunLog with_warmup_steps(std::int64_t warmup_steps) && { return std::move(with_warmup_steps(warmup_steps)); }
  /// The C view; valid while this object lives and is not modified.
  pace_run_log c() const noexcept {
    pace_run_log r{};
    r.struct_size = sizeof(pace_run_log);
    if (is_csv_) {
      r.csv = csv_.c_str();
    } else {
      r.steps = steps_.empty() ? nullptr : steps_.data();
      r.lrs = lrs_.empty() ? nullptr : lrs_.data();
      r.losses = losses_.data();
      r.n = static_cast<std::int64_t>(losses_.size());
    }
    if (lr_) {
      r.lr = lr_->c();
    } else {
      r.lr.warmup_steps = warmup_steps_;
    }
    return r;
  }

 private:
  std::string csv_;
  bool is_csv_ = false;
  std::vector<std::int64_t> steps_;
  std::vector<double> lrs_;
  std::vector<double> losses_;
  std::optional<LRs> lr_;
  std::int64_t warmup_steps_ = -1;
};

/// Fit options (pace_fit_options) that mean what passing no options means:
/// the law's cross-validated default fit (method PACE_FIT_AUTO, lambda
/// fitted, every other field 0, which pace.h defines as the library's
/// default for that field). Set the fields to change (PACE_WARMUP_*, a
/// method code of pace.h or names_json()'s fit_methods, ...). A zeroed
/// pace_fit_options is not the same: pace.h keeps it PACE_FIT_LM with lambda
/// fixed for callers written before PACE_FIT_AUTO.
inline pace_fit_options fit_options() noexcept {
  pace_fit_options options{};
  options.struct_size = sizeof(pace_fit_options);
  options.method = PACE_FIT_AUTO;
  options.fit_lambda = 1;
  return options;
}

/// Predicted losses with their prediction interval (Law::predict_interval):
/// lower[i] <= values[i] <= upper[i].
struct Prediction {
  std::vector<double> values;
  std::vector<double> lower;
  std::vector<double> upper;
};

/// The best schedule of a search: its spec, predicted final loss, candidates evaluated.
struct SearchResult {
  std::string spec_json;
  double final_loss = 0;
  std::int64_t evaluated = 0;
};

/// A loss-curve law (multi-power or annealing) with its parameters; immutable,
/// thread-safe to share; move-only (docs/laws.md).
class Law {
 public:
  /// Fits a law jointly to curves (kind: PACE_LAW_MULTI_POWER or PACE_LAW_ANNEALING).
  /// options may be nullptr (defaults). Throws PACE_E_NUMERIC when the fit does not converge.
  static Law fit(std::uint32_t kind, const std::vector<Curve>& curves, const pace_fit_options* options = nullptr) {
    const std::vector<pace_law_curve> c = c_curves(curves, "pace::Law::fit");
    pace_law* handle = nullptr;
    detail::check(pace_law_fit(kind, c.data(), static_cast<std::int64_t>(c.size()), options, &handle));
    return Law(handle);
  }
  /// As fit(), and calibrates a prediction interval by leave-one-curve-out
  /// cross-validation (at least 2 curves; costs one fit more per curve);
  /// predict_interval() and save() use it.
  static Law fit_interval(std::uint32_t kind, const std::vector<Curve>& curves,
                          const pace_fit_options* options = nullptr) {
    const std::vector<pace_law_curve> c = c_curves(curves, "pace::Law::fit_interval");
    pace_law* handle = nullptr;
    detail::check(pace_law_fit_interval(kind, c.data(), static_cast<std::int64_t>(c.size()), options, &handle));
    return Law(handle);
  }
  /// Fits a law jointly to logged runs (pace_law_fit_runs): rows without a
  /// loss, and at step 0, are skipped; *skipped (when not null) receives
  /// their number.
  static Law fit_runs(std::uint32_t kind, const std::vector<RunLog>& runs, const pace_fit_options* options = nullptr,
                      std::int64_t* skipped = nullptr) {
    std::vector<pace_run_log> c;
    c.reserve(runs.size());
    for (const RunLog& r : runs) c.push_back(r.c());
    pace_law* handle = nullptr;
    std::int64_t rows = 0;
    detail::check(pace_law_fit_runs(kind, c.data(), static_cast<std::int64_t>(c.size()), options, &rows, &handle));
    if (skipped) *skipped = rows;
    return Law(handle);
  }
  /// A law from its parameters (in pace.h's order) and a PACE_WARMUP_* mode.
  Law(std::uint32_t kind, const std::vector<double>& params, std::uint32_t warmup = PACE_WARMUP_DEFAULT) {
    pace_law* handle = nullptr;
    detail::check(pace_law_create(kind, params.data(), static_cast<std::int64_t>(params.size()), warmup, &handle));
    handle_ = handle;
  }
  /// Reads the text of save(). Not a saved law: PACE_E_STATE; another version: PACE_E_VERSION.
  static Law load(std::string_view json) {
    std::string text(json);
    pace_law* handle = nullptr;
    detail::check(pace_law_load(text.c_str(), &handle));
    return Law(handle);
  }
  ~Law() { pace_law_free(handle_); }
  Law(Law&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Law& operator=(Law&& other) noexcept {
    if (this != &other) {
      pace_law_free(handle_);
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  Law(const Law&) = delete;
  Law& operator=(const Law&) = delete;

  /// PACE_LAW_MULTI_POWER or PACE_LAW_ANNEALING.
  std::uint32_t kind() const {
    std::uint32_t out = 0;
    detail::check(pace_law_kind(get(), &out));
    return out;
  }
  /// The parameters, in pace.h's order.
  std::vector<double> params() const {
    std::int64_t count = 0;
    pace_status status = pace_law_params(get(), nullptr, 0, &count);
    if (status != PACE_E_BUFFER_TOO_SMALL) detail::check(status);
    std::vector<double> out(static_cast<std::size_t>(count > 0 ? count : 0));
    detail::check(pace_law_params(get(), out.data(), count, &count));
    return out;
  }
  /// The parameters' names ("L0", "A", ...), in the same order.
  std::vector<std::string> param_names() const {
    std::vector<std::string> out;
    const std::int64_t n = static_cast<std::int64_t>(params().size());
    for (std::int64_t i = 0; i < n; ++i)
      out.push_back(detail::read_text([&](char* buf, std::size_t cap, std::size_t* needed) {
        return pace_law_param_name(get(), i, buf, cap, needed);
      }));
    return out;
  }
  /// The fit report as JSON ("{}" for a law that was not fitted).
  std::string fit_report() const {
    return detail::read_text([&](char* b, std::size_t c, std::size_t* n) { return pace_law_fit_report(get(), b, c, n); });
  }
  /// The law as JSON text (load() reads it back).
  std::string save() const {
    return detail::read_text([&](char* b, std::size_t c, std::size_t* n) { return pace_law_save(get(), b, c, n); });
  }
  /// Predicted losses at the given steps (each >= 1, inside the sequence).
  std::vector<double> predict(const LRs& lrs, const std::vector<std::int64_t>& steps) const {
    std::vector<double> out(steps.size());
    const pace_lr_input in = lrs.c();
    detail::check(pace_law_predict(get(), &in, steps.data(), static_cast<std::int64_t>(steps.size()), out.data()));
    return out;
  }
  /// Predicted losses at the given steps with the calibrated prediction
  /// interval at `level` (0 < level < 1, e.g. 0.9); a law without one
  /// (not from fit_interval(), or loaded without it) throws PACE_E_ARGUMENT.
  Prediction predict_interval(const LRs& lrs, const std::vector<std::int64_t>& steps, double level) const {
    Prediction out;
    out.values.resize(steps.size());
    out.lower.resize(steps.size());
    out.upper.resize(steps.size());
    const pace_lr_input in = lrs.c();
    detail::check(pace_law_predict_interval(get(), &in, steps.data(), static_cast<std::int64_t>(steps.size()), level,
                                            out.values.data(), out.lower.data(), out.upper.data()));
    return out;
  }
  /// The loss predicted at the sequence's last step.
  double final_loss(const LRs& lrs) const {
    double out = 0;
    const pace_lr_input in = lrs.c();
    detail::check(pace_law_final_loss(get(), &in, &out));
    return out;
  }
  /// The family member (PACE_FAMILY_* bits; 0: all) of least predicted final
  /// loss for a budget of steps at a peak LR; warmup_steps -1: the library's default
  /// fraction of the budget (names_json(): defaults.search_warmup_fraction).
  SearchResult search(std::int64_t budget, double peak, std::int64_t warmup_steps = -1, std::uint32_t families = 0) const {
    pace_search_options opt = search_options(budget, peak, warmup_steps, families);
    SearchResult out;
    out.spec_json = detail::read_text([&](char* b, std::size_t c, std::size_t* n) {
      return pace_law_search(get(), &opt, b, c, n, &out.final_loss, &out.evaluated);
    });
    return out;
  }
  /// Free-form search: budget per-step LRs (non-increasing after the warmup).
  std::vector<double> search_free_form(std::int64_t budget, double peak, std::int64_t iterations,
                                       std::int64_t warmup_steps = -1, double* final_loss = nullptr) const {
    pace_search_options opt = search_options(budget, peak, warmup_steps, 0);
    std::vector<double> rates(budget > 0 ? static_cast<std::size_t>(budget) : 0);
    double loss = 0;
    detail::check(pace_law_search_free_form(get(), &opt, iterations, rates.data(),
                                            static_cast<std::int64_t>(rates.size()), &loss));
    if (final_loss) *final_loss = loss;
    return rates;
  }

 private:
  explicit Law(pace_law* handle) noexcept : handle_(handle) {}
  static std::vector<pace_law_curve> c_curves(const std::vector<Curve>& curves, const char* function) {
    std::vector<pace_law_curve> c(curves.size());
    for (std::size_t i = 0; i < curves.size(); ++i) {
      if (curves[i].steps.size() != curves[i].losses.size())
        throw Error(PACE_E_ARGUMENT, std::string(function) + ": curve " + std::to_string(i) + " has " +
                                         std::to_string(curves[i].steps.size()) + " steps and " +
                                         std::to_string(curves[i].losses.size()) + " losses");
      c[i].lr = curves[i].lrs.c();
      c[i].steps = curves[i].steps.data();
      c[i].losses = curves[i].losses.data();
      c[i].n = static_cast<std::int64_t>(curves[i].steps.size());
    }
    return c;
  }
  static pace_search_options search_options(std::int64_t budget, double peak, std::int64_t warmup_steps,
                                            std::uint32_t families) noexcept {
    pace_search_options opt{};
    opt.struct_size = sizeof(pace_search_options);
    opt.families = families;
    opt.budget = budget;
    opt.peak = peak;
    opt.warmup_steps = warmup_steps;
    return opt;
  }
  const pace_law* get() const {
    if (!handle_) throw Error(PACE_E_ARGUMENT, "pace::Law used after being moved from");
    return handle_;
  }
  pace_law* handle_ = nullptr;
};

// ---- schedule functionals of the laws (docs/laws.md) -----------------------

namespace detail {
template <class Call>
std::vector<double> functional(const LRs& lrs, Call call) {
  std::vector<double> out(static_cast<std::size_t>(lrs.count()));
  const pace_lr_input in = lrs.c();
  detail::check(call(&in, out.data(), static_cast<std::int64_t>(out.size())));
  return out;
}
}  // namespace detail

/// S1(t) = sum_{i=1}^{t} eta_i at every step of the sequence (warmup:
/// PACE_WARMUP_*; DEFAULT means RAW). O(T).
inline std::vector<double> functional_s1(const LRs& lrs, std::uint32_t warmup = PACE_WARMUP_DEFAULT) {
  return detail::functional(lrs, [&](const pace_lr_input* in, double* out, std::int64_t cap) {
    return pace_functional_s1(in, warmup, out, cap);
  });
}
/// The annealing law's S2 at every step, momentum lambda in [0, 1). O(T).
inline std::vector<double> functional_s2(const LRs& lrs, double lambda, std::uint32_t warmup = PACE_WARMUP_DEFAULT) {
  return detail::functional(lrs, [&](const pace_lr_input* in, double* out, std::int64_t cap) {
    return pace_functional_s2(in, warmup, lambda, out, cap);
  });
}
/// The multi-power law's loss drop LD(t) at every step (C > 0, beta > 0,
/// gamma), in O(T J), relative accuracy ~1e-15.
inline std::vector<double> functional_ld(const LRs& lrs, double C, double beta, double gamma,
                                         std::uint32_t warmup = PACE_WARMUP_DEFAULT) {
  return detail::functional(lrs, [&](const pace_lr_input* in, double* out, std::int64_t cap) {
    return pace_functional_ld(in, warmup, C, beta, gamma, out, cap);
  });
}

/// A training-loop runtime: step counter, named channels, parameter groups,
/// gradient-norm history, events, online refinement; saved and restored
/// exactly. Used by one thread at a time; move-only.
class Runtime {
 public:
  /// Creates a runtime at step 0 from its JSON config (pace.h, docs/runtime.md).
  explicit Runtime(std::string_view config_json) {
    std::string text(config_json);
    pace_runtime* handle = nullptr;
    detail::check(pace_runtime_create(text.c_str(), &handle));
    adopt(handle);
  }
  /// Restores a saved state. Damaged: PACE_E_STATE; newer format: PACE_E_VERSION.
  static Runtime load(const std::vector<std::uint8_t>& state) {
    pace_runtime* handle = nullptr;
    detail::check(pace_runtime_load(state.data(), state.size(), &handle));
    return Runtime(handle);
  }
  /// Loads a file written by save_file().
  static Runtime load_file(const std::string& path) {
    pace_runtime* handle = nullptr;
    detail::check(pace_runtime_load_file(path.c_str(), &handle));
    return Runtime(handle);
  }
  ~Runtime() { pace_runtime_free(handle_); }
  Runtime(Runtime&& other) noexcept
      : handle_(std::exchange(other.handle_, nullptr)), channels_(other.channels_), groups_(other.groups_),
        values_(std::move(other.values_)) {}
  Runtime& operator=(Runtime&& other) noexcept {
    if (this != &other) {
      pace_runtime_free(handle_);
      handle_ = std::exchange(other.handle_, nullptr);
      channels_ = other.channels_;
      groups_ = other.groups_;
      values_ = std::move(other.values_);
    }
    return *this;
  }
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// Number of channels (lr, momentum, ...).
  std::int64_t channel_count() const noexcept { return channels_; }
  /// Number of parameter groups.
  std::int64_t group_count() const noexcept { return groups_; }
  /// The channels' names, in config order.
  std::vector<std::string> channel_names() const {
    std::vector<std::string> out;
    for (std::int64_t i = 0; i < channels_; ++i)
      out.push_back(detail::read_text([&](char* b, std::size_t c, std::size_t* n) {
        return pace_runtime_channel_name(get(), i, b, c, n);
      }));
    return out;
  }
  /// The groups' names, in config order (they survive save and load).
  std::vector<std::string> group_names() const {
    std::vector<std::string> out;
    for (std::int64_t i = 0; i < groups_; ++i)
      out.push_back(detail::read_text([&](char* b, std::size_t c, std::size_t* n) {
        return pace_runtime_group_name(get(), i, b, c, n);
      }));
    return out;
  }
  /// Records the current step's gradient norm (NaN: not measured), advances
  /// one step and returns the new step's values, group-major
  /// (values[g * channel_count() + c]). The reference stays valid until the
  /// next call on this runtime; no allocation per step.
  const std::vector<double>& step(double grad_norm = std::numeric_limits<double>::quiet_NaN()) {
    detail::check(pace_runtime_step(get(), grad_norm, values_.data(), values_.size()));
    return values_;
  }
  /// The current step's values (group-major) without advancing.
  const std::vector<double>& values() {
    detail::check(pace_runtime_values(get(), values_.data(), values_.size()));
    return values_;
  }
  /// Steps taken so far.
  std::int64_t step_count() const {
    std::int64_t out = 0;
    detail::check(pace_runtime_step_count(get(), &out));
    return out;
  }
  /// Starts a cooldown now: over decay_steps steps to `to` x the channel's
  /// peak along `shape`; channel empty: "lr" (or the first).
  void begin_decay(std::int64_t decay_steps, const std::string& shape = "sqrt", double to = 0,
                   const std::string& channel = "") {
    detail::check(pace_runtime_begin_decay(get(), channel.empty() ? nullptr : channel.c_str(), decay_steps,
                                           shape.c_str(), to));
  }
  /// Continual pre-training: plays spec_json from its step 0, from now on.
  void rewarm(std::string_view spec_json, const std::string& channel = "") {
    std::string text(spec_json);
    detail::check(pace_runtime_rewarm(get(), channel.empty() ? nullptr : channel.c_str(), text.c_str()));
  }
  /// Stretches the rest of every finite channel to end at total_steps.
  void set_total_steps(std::int64_t total_steps) { detail::check(pace_runtime_set_total_steps(get(), total_steps)); }
  /// Number of events applied so far (re-plans are not events).
  std::int64_t event_count() const {
    std::int64_t out = 0;
    detail::check(pace_runtime_event_count(get(), &out));
    return out;
  }
  /// The events as a JSON array (kind, step, channel, parameters; docs/runtime.md).
  std::string events_json() const {
    return detail::read_text([&](char* b, std::size_t c, std::size_t* n) { return pace_runtime_events_json(get(), b, c, n); });
  }
  /// Whether a begin_decay of the channel (empty: "lr" or the first) was applied and no rewarm came later.
  bool cooldown_started(const std::string& channel = "") const {
    int out = 0;
    detail::check(pace_runtime_cooldown_started(get(), channel.empty() ? nullptr : channel.c_str(), &out));
    return out != 0;
  }
  /// The values the channel played (before group scales) at steps first_step ..
  /// first_step + count - 1, all at or before the current step, bit-identical
  /// to what step() returned (at an event's step: the value after the event).
  std::vector<double> played_values(const std::string& channel, std::int64_t first_step, std::size_t count) const {
    std::vector<double> out(count);
    detail::check(pace_runtime_played_values(get(), channel.empty() ? nullptr : channel.c_str(), first_step, count,
                                             out.data()));
    return out;
  }
  /// The schedule the channel (empty: "lr" or the first) played, as spec JSON:
  /// peak 1, one "segment" phase per piece of its timeline (docs/runtime.md).
  /// pace::Schedule of it gives played_values() bit for bit; O(events) in size.
  std::string played_spec(const std::string& channel = "") const {
    const char* name = channel.empty() ? nullptr : channel.c_str();
    return detail::read_text([&](char* b, std::size_t c, std::size_t* n) { return pace_runtime_played_spec(get(), name, b, c, n); });
  }
  /// The state: versioned, checksummed, exact.
  std::vector<std::uint8_t> save() const {
    std::size_t needed = 0;
    pace_status status = pace_runtime_save(get(), nullptr, 0, &needed);
    if (status != PACE_E_BUFFER_TOO_SMALL) detail::check(status);
    std::vector<std::uint8_t> out(needed);
    detail::check(pace_runtime_save(get(), out.data(), out.size(), &needed));
    out.resize(needed);
    return out;
  }
  /// Saves to a file atomically (a crash leaves the old file intact).
  void save_file(const std::string& path) const { detail::check(pace_runtime_save_file(get(), path.c_str())); }

 private:
  explicit Runtime(pace_runtime* handle) { adopt(handle); }
  void adopt(pace_runtime* handle) {
    handle_ = handle;
    detail::check(pace_runtime_shape(handle_, &channels_, &groups_));
    values_.assign(static_cast<std::size_t>(channels_ * groups_), 0.0);
  }
  pace_runtime* get() const {
    if (!handle_) throw Error(PACE_E_ARGUMENT, "pace::Runtime used after being moved from");
    return handle_;
  }
  pace_runtime* handle_ = nullptr;
  std::int64_t channels_ = 0;
  std::int64_t groups_ = 0;
  std::vector<double> values_;
};

/// Per-schedule reductions of Engine::reduce.
struct Reduction {
  std::vector<double> final_values;  // eta_T
  std::vector<double> sums;          // S1 (Kahan-compensated)
  std::vector<double> s2;            // the annealing law's S2
};

/// A pool of worker threads, one group per NUMA node, filling and reducing
/// many schedules at once; results never depend on the threads. Move-only.
class Engine {
 public:
  /// threads: PACE_THREADS_AUTO or 1 .. 1024; numa: PACE_NUMA_*.
  explicit Engine(std::int64_t threads = PACE_THREADS_AUTO, std::uint32_t numa = PACE_NUMA_AUTO) {
    pace_engine_options opt{};
    opt.struct_size = sizeof(pace_engine_options);
    opt.numa = numa;
    opt.threads = threads;
    pace_engine* handle = nullptr;
    detail::check(pace_engine_create(&opt, &handle));
    handle_ = handle;
  }
  ~Engine() { pace_engine_free(handle_); }
  Engine(Engine&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Engine& operator=(Engine&& other) noexcept {
    if (this != &other) {
      pace_engine_free(handle_);
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Nodes, threads and pinning.
  pace_engine_info info() const {
    pace_engine_info out{};
    out.struct_size = sizeof(pace_engine_info);
    detail::check(pace_engine_get_info(get(), &out));
    return out;
  }
  /// Values of steps start .. start+count-1 of every schedule, row-major
  /// (row i: schedules[i]), bit-identical to Schedule::at.
  std::vector<double> fill(const std::vector<const Schedule*>& schedules, std::int64_t start, std::int64_t count) {
    std::vector<const pace_schedule*> handles = raw(schedules);
    std::vector<double> out(matrix_size(schedules.size(), count));
    detail::check(pace_batch_fill_f64(get(), handles.data(), static_cast<std::int64_t>(handles.size()), start, count,
                                      out.data(), out.size()));
    return out;
  }
  /// As fill(), each value rounded once to float.
  std::vector<float> fill_f32(const std::vector<const Schedule*>& schedules, std::int64_t start, std::int64_t count) {
    std::vector<const pace_schedule*> handles = raw(schedules);
    std::vector<float> out(matrix_size(schedules.size(), count));
    detail::check(pace_batch_fill_f32(get(), handles.data(), static_cast<std::int64_t>(handles.size()), start, count,
                                      out.data(), out.size()));
    return out;
  }
  /// Final value, S1 and S2 (momentum lambda in [0, 1)) of each schedule over
  /// steps start .. start+count-1, streamed (no n x count memory).
  Reduction reduce(const std::vector<const Schedule*>& schedules, std::int64_t start, std::int64_t count,
                   double lambda = 0.999) {
    std::vector<const pace_schedule*> handles = raw(schedules);
    Reduction out;
    out.final_values.resize(handles.size());
    out.sums.resize(handles.size());
    out.s2.resize(handles.size());
    detail::check(pace_batch_reduce(get(), handles.data(), static_cast<std::int64_t>(handles.size()), start, count,
                                    lambda, out.final_values.data(), out.sums.data(), out.s2.data()));
    return out;
  }

 private:
  static std::vector<const pace_schedule*> raw(const std::vector<const Schedule*>& schedules) {
    std::vector<const pace_schedule*> out;
    out.reserve(schedules.size());
    for (const Schedule* s : schedules) {
      if (!s) throw Error(PACE_E_ARGUMENT, "pace::Engine: a schedule is null");
      out.push_back(s->get());
    }
    return out;
  }
  static std::size_t matrix_size(std::size_t n, std::int64_t count) {
    if (count <= 0) return 0;
    const std::size_t c = static_cast<std::size_t>(count);
    if (n != 0 && c > std::numeric_limits<std::size_t>::max() / sizeof(double) / n)
      throw Error(PACE_E_ARGUMENT, "pace::Engine: n x count does not fit in memory");
    return n * c;
  }
  pace_engine* get() const {
    if (!handle_) throw Error(PACE_E_ARGUMENT, "pace::Engine used after being moved from");
    return handle_;
  }
  pace_engine* handle_ = nullptr;
};


// ---- data pacing (docs/data.md) ------------------------------------------

/// A batch sampler (pace_sampler): for every optimizer step the global batch
/// of sample indices and each data-parallel rank's contiguous slice of it, a
/// pure function of (config, scores, domains, step) plus the reported
/// abilities. Queries are const; report_ability is the one mutation.
/// Move-only.
///
///   pace::Sampler s(R"({"size": 1000000, "global_batch": 256, "seed": 7})");
///   std::vector<std::int64_t> mine = s.batch(step, rank, world_size);
class Sampler {
 public:
  /// config_json: keys size, global_batch, seed, policy, mixture. scores and
  /// domains: one value per sample, empty where the policy reads none.
  explicit Sampler(std::string_view config_json, const std::vector<double>& scores = {},
                   const std::vector<std::int32_t>& domains = {}) {
    std::string text(config_json);
    pace_sampler* handle = nullptr;
    detail::check(pace_sampler_create(text.c_str(), scores.empty() ? nullptr : scores.data(),
                                      domains.empty() ? nullptr : domains.data(), length(scores, domains), &handle));
    handle_ = handle;
  }
  ~Sampler() { pace_sampler_free(handle_); }
  Sampler(Sampler&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Sampler& operator=(Sampler&& other) noexcept {
    if (this != &other) {
      pace_sampler_free(handle_);
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  /// Restores a sampler saved by save(), with the same arrays again.
  static Sampler load(const std::vector<std::uint8_t>& state, const std::vector<double>& scores = {},
                      const std::vector<std::int32_t>& domains = {}) {
    pace_sampler* handle = nullptr;
    detail::check(pace_sampler_load(state.data(), state.size(), scores.empty() ? nullptr : scores.data(),
                                    domains.empty() ? nullptr : domains.data(), length(scores, domains), &handle));
    return Sampler(handle);
  }

  /// This rank's slice of step's global batch (global_batch / world_size indices).
  std::vector<std::int64_t> batch(std::int64_t step, std::int64_t rank = 0, std::int64_t world_size = 1) const {
    std::int64_t count = 0;
    pace_status status = pace_sampler_batch(get(), step, rank, world_size, nullptr, 0, &count);
    if (status != PACE_E_BUFFER_TOO_SMALL) detail::check(status);
    std::vector<std::int64_t> out(static_cast<std::size_t>(count));
    detail::check(pace_sampler_batch(get(), step, rank, world_size, out.data(), count, &count));
    return out;
  }
  /// The global batch size of step.
  std::int64_t global_batch_size(std::int64_t step) const {
    return query(step, pace_sampler_global_batch_size);
  }
  /// The sample offset of step's first sample (the sum of earlier batch sizes).
  std::int64_t first_offset(std::int64_t step) const { return query(step, pace_sampler_first_offset); }
  /// The size of the eligible pool at step.
  std::int64_t eligible(std::int64_t step) const { return query(step, pace_sampler_eligible); }
  /// Ability policy: records the trainer's ability estimate at step (PUDF's cap rule).
  void report_ability(std::int64_t step, double theta) {
    detail::check(pace_sampler_report_ability(get(), step, theta));
  }
  /// The saved state (config and ability history; versioned, checksummed).
  std::vector<std::uint8_t> save() const {
    std::size_t needed = 0;
    pace_status status = pace_sampler_save(get(), nullptr, 0, &needed);
    if (status != PACE_E_BUFFER_TOO_SMALL) detail::check(status);
    std::vector<std::uint8_t> out(needed);
    detail::check(pace_sampler_save(get(), out.data(), out.size(), &needed));
    return out;
  }

 private:
  explicit Sampler(pace_sampler* handle) : handle_(handle) {}
  static std::int64_t length(const std::vector<double>& scores, const std::vector<std::int32_t>& domains) {
    if (!scores.empty() && !domains.empty() && scores.size() != domains.size())
      throw Error(PACE_E_ARGUMENT, "pace::Sampler: scores and domains differ in length");
    return static_cast<std::int64_t>(scores.empty() ? domains.size() : scores.size());
  }
  std::int64_t query(std::int64_t step, pace_status (*call)(const pace_sampler*, std::int64_t, std::int64_t*)) const {
    std::int64_t out = 0;
    detail::check(call(get(), step, &out));
    return out;
  }
  pace_sampler* get() const {
    if (!handle_) throw Error(PACE_E_ARGUMENT, "pace::Sampler used after being moved from");
    return handle_;
  }
  pace_sampler* handle_ = nullptr;
};

/// A 1PL (Rasch) fit: item difficulties and model abilities.
struct IrtFit {
  std::vector<double> difficulties;  // items values
  std::vector<double> abilities;     // models values
};

/// Fits 1PL by MAP (N(0,1) priors) from a row-major models x items 0/1 matrix.
inline IrtFit irt_fit(const std::vector<std::uint8_t>& responses, std::int64_t models, std::int64_t items) {
  if (models < 1 || items < 1 || responses.size() / static_cast<std::size_t>(models) != static_cast<std::size_t>(items) ||
      responses.size() % static_cast<std::size_t>(models) != 0)
    throw Error(PACE_E_ARGUMENT, "pace::irt_fit: responses must hold models x items values");
  IrtFit out;
  out.difficulties.resize(static_cast<std::size_t>(items));
  out.abilities.resize(static_cast<std::size_t>(models));
  detail::check(pace_irt_fit(responses.data(), models, items, out.difficulties.data(), out.abilities.data()));
  return out;
}

/// PUDF's MAP ability of a model whose answers (+1 right, -1 wrong) to items
/// of the given difficulties are responses_pm1.
inline double irt_ability(const std::vector<double>& difficulties, const std::vector<std::int8_t>& responses_pm1) {
  if (difficulties.size() != responses_pm1.size())
    throw Error(PACE_E_ARGUMENT, "pace::irt_ability: difficulties and responses differ in length");
  double theta = 0;
  detail::check(pace_irt_ability(difficulties.data(), responses_pm1.data(),
                                 static_cast<std::int64_t>(difficulties.size()), &theta));
  return theta;
}

// ---- AutoLRS: the learning rate tuned on the fly (docs/autolrs.md) --------

/// The AutoLRS tuner (pace_autolrs): a state machine the training loop
/// drives. Ask next(), do what it says, report() the losses a TRAIN action
/// asks for; every step handed out counts against total_steps. Move-only.
///
///   pace::AutoLRS tuner(R"({"min_lr": 1e-4, "max_lr": 1, "total_steps": 100000})");
///   for (auto a = tuner.next(); a.kind != pace::AutoLRS::Kind::done; a = tuner.next()) { ... }
class AutoLRS {
 public:
  enum class Kind : std::uint32_t {
    checkpoint = PACE_AUTOLRS_CHECKPOINT,  // save model + optimizer state
    restore = PACE_AUTOLRS_RESTORE,        // load the state of the last checkpoint
    train = PACE_AUTOLRS_TRAIN,            // train `steps` steps at constant `lr`
    done = PACE_AUTOLRS_DONE,              // the budget is spent
  };
  enum class Report : std::uint32_t {
    none = PACE_AUTOLRS_REPORT_NONE,
    train = PACE_AUTOLRS_REPORT_TRAIN,  // each step's training loss
    val = PACE_AUTOLRS_REPORT_VAL,      // a validation loss every `every` steps
  };
  /// One action of the protocol.
  struct Action {
    Kind kind;
    double lr;           // train: the constant learning rate
    std::int64_t steps;  // train: optimizer steps
    Report report;       // train: which losses to report
    std::int64_t every;  // Report::val: steps between validation losses
    /// How many losses report() expects after this action.
    std::int64_t report_count() const noexcept {
      if (kind != Kind::train || report == Report::none) return 0;
      return report == Report::train ? steps : (every > 0 ? steps / every : 0);
    }
  };

  /// config_json: min_lr, max_lr, total_steps (required), tau, tau_prime,
  /// candidates, tau_max, seed, warmup_steps, warmup_lr, val_every.
  explicit AutoLRS(std::string_view config_json) {
    std::string text(config_json);
    pace_autolrs* handle = nullptr;
    detail::check(pace_autolrs_create(text.c_str(), &handle));
    handle_ = handle;
  }
  ~AutoLRS() { pace_autolrs_free(handle_); }
  AutoLRS(AutoLRS&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  AutoLRS& operator=(AutoLRS&& other) noexcept {
    if (this != &other) {
      pace_autolrs_free(handle_);
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  AutoLRS(const AutoLRS&) = delete;
  AutoLRS& operator=(const AutoLRS&) = delete;

  /// Restores a tuner saved by save() (it continues exactly where it was).
  static AutoLRS load(const std::vector<std::uint8_t>& state) {
    pace_autolrs* handle = nullptr;
    detail::check(pace_autolrs_load(state.data(), state.size(), &handle));
    return AutoLRS(handle);
  }

  /// The next action; throws while the last TRAIN action's losses are awaited.
  Action next() {
    pace_autolrs_action a{};
    detail::check(pace_autolrs_next(get(), &a));
    return Action{static_cast<Kind>(a.kind), a.lr, a.steps, static_cast<Report>(a.report), a.every};
  }
  /// The losses of the last TRAIN action (NaN or inf: a diverged trial).
  void report(const std::vector<double>& losses) {
    detail::check(pace_autolrs_report(get(), losses.data(), static_cast<std::int64_t>(losses.size())));
  }
  /// Optimizer steps handed out so far, trials included.
  std::int64_t steps_used() const {
    std::int64_t out = 0;
    detail::check(pace_autolrs_steps_used(get(), &out));
    return out;
  }
  /// Per decided stage: tried LRs, forecasts, chosen LR (a JSON array).
  std::string history() const {
    return detail::read_text([this](char* buf, std::size_t cap, std::size_t* needed) {
      return pace_autolrs_history(get(), buf, cap, needed);
    });
  }
  /// The saved state (versioned, checksummed).
  std::vector<std::uint8_t> save() const {
    std::size_t needed = 0;
    pace_status status = pace_autolrs_save(get(), nullptr, 0, &needed);
    if (status != PACE_E_BUFFER_TOO_SMALL) detail::check(status);
    std::vector<std::uint8_t> out(needed);
    detail::check(pace_autolrs_save(get(), out.data(), out.size(), &needed));
    return out;
  }

 private:
  explicit AutoLRS(pace_autolrs* handle) : handle_(handle) {}
  pace_autolrs* get() const {
    if (!handle_) throw Error(PACE_E_ARGUMENT, "pace::AutoLRS used after being moved from");
    return handle_;
  }
  pace_autolrs* handle_ = nullptr;
};

}  // namespace pace

#endif  // PACE_HPP
