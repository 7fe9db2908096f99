// cxx_include_test.cpp - pace.h compiles and links from C++17: the extern "C"
// guards give the functions C linkage (a mangled name would not link).
#include <pace.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <type_traits>

static_assert(std::is_same<decltype(&pace_schedule_at),
                           pace_status (*)(const pace_schedule *, int64_t, double *)>::value,
              "pace_schedule_at signature");
static_assert(PACE_OK == 0 && PACE_E_INTERNAL == 9, "status values");

struct ScheduleDeleter {
  void operator()(pace_schedule *s) const noexcept { pace_schedule_free(s); }
};
using Schedule = std::unique_ptr<pace_schedule, ScheduleDeleter>;

int main() {
  int failures = 0;
  if (pace_version_number() != PACE_VERSION_NUMBER) {
    std::printf("version mismatch: %u vs %d\n", pace_version_number(), PACE_VERSION_NUMBER);
    failures++;
  }
  pace_schedule *raw = nullptr;
  pace_status st = pace_schedule_parse(R"({"preset":"cosine","peak":3e-4,"warmup_steps":100,"total_steps":1000})", &raw);
  Schedule s(raw);
  if (st != PACE_OK) {
    std::printf("parse: %s: %s\n", pace_status_name(st), pace_last_error());
    return 1;
  }
  double lr = 0;
  st = pace_schedule_at(s.get(), 100, &lr);
  if (st != PACE_OK || lr != 3e-4) {
    std::printf("at(100): %s, %.17g\n", pace_status_name(st), lr);
    failures++;
  }
  st = pace_schedule_at(s.get(), -1, &lr);
  if (st != PACE_E_ARGUMENT || std::strlen(pace_last_error()) == 0) {
    std::printf("at(-1): %s, \"%s\"\n", pace_status_name(st), pace_last_error());
    failures++;
  }
  int64_t total = 0;
  if (pace_schedule_total_steps(s.get(), &total) != PACE_OK || total != 1000) failures++;
  std::printf("C++17 include test: %s (pace %s)\n", failures ? "FAIL" : "ok", pace_version_string());
  return failures ? 1 : 0;
}
