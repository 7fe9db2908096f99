// pace.hpp - header-only C++17 RAII wrapper over the Pace C API (pace.h).
//
//   pace::Schedule lr(R"({"preset":"cosine","peak":3e-4,"warmup_steps":100,"total_steps":1000})");
//   double rate = lr.at(step);                 // throws pace::Error on failure
//   std::vector<double> all = lr.values(0, 1000);
//
// Handles are move-only and freed by their destructors. Every failure throws
// pace::Error carrying the pace_status and the library's message. No raw
// pointer appears in the public surface.
#ifndef PACE_HPP
#define PACE_HPP

#include <pace.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pace {

/// A failed Pace call: the status and the library's message.
class Error : public std::runtime_error {
 public:
  Error(pace_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  /// The pace_status of the failed call.
  pace_status status() const noexcept { return status_; }
  /// Its static name ("PACE_E_SPEC", ...).
  const char* status_name() const noexcept { return pace_status_name(status_); }

 private:
  pace_status status_;
};

namespace detail {
inline void check(pace_status status) {
  if (status != PACE_OK) throw Error(status, pace_last_error());
}
}  // namespace detail

/// The loaded library's version number (major*10000 + minor*100 + patch).
inline std::uint32_t version_number() noexcept { return pace_version_number(); }
/// The loaded library's version string.
inline std::string version_string() { return pace_version_string(); }
/// Which build of the library is loaded, e.g. "pace 0.1.0; isa=x86-64-v3; cpu=haswell;
/// features=avx2,fma; swift=6.3; build=release" (format: pace_build_info in pace.h).
inline std::string build_info() { return pace_build_info(); }

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
  const pace_schedule* get() const {
    if (!handle_) throw Error(PACE_E_ARGUMENT, "pace::Schedule used after being moved from");
    return handle_;
  }
  pace_schedule* handle_ = nullptr;
};

}  // namespace pace

#endif  // PACE_HPP
