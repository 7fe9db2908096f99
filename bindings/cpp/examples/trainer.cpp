// A C++ trainer loop driven by Pace: a WSD learning rate and a cosine weight
// decay, both from specs; shows error handling with pace::Error.
#include "pace.hpp"

#include <cstdio>
#include <vector>

int main() {
  try {
    pace::Schedule lr(R"({"preset":"wsd","peak":3e-4,"warmup_steps":100,"decay_steps":200,"total_steps":1000,"decay_type":"sqrt"})");
    pace::Schedule wd(R"({"peak":0.1,"phases":[{"shape":"cosine","steps":1000,"from":1,"to":0.1}]})");
    const std::int64_t steps = lr.total_steps().value_or(1000);
    std::vector<double> table = lr.values(0, steps);  // a whole run in one call
    double checksum = 0;
    for (std::int64_t step = 0; step < steps; ++step) {
      double rate = lr.at(step);
      if (rate != table[static_cast<std::size_t>(step)]) {
        std::fprintf(stderr, "at() and values() disagree at step %lld\n", static_cast<long long>(step));
        return 1;
      }
      checksum += rate * wd(step);  // optimizer_step(model, rate, wd(step));
      if (step % 200 == 0)
        std::printf("step %5lld  lr %.6e  wd %.4f\n", static_cast<long long>(step), rate, wd(step));
    }
    std::printf("total steps %lld, checksum %.12e\n", static_cast<long long>(steps), checksum);

    pace::Schedule moved = std::move(lr);  // move-only handles
    std::printf("canonical: %s\n", moved.to_json().c_str());

    try {
      pace::Schedule bad(R"({"phases":[{"shape":"linear","steps":-5,"to":0}]})");
    } catch (const pace::Error& e) {
      std::printf("rejected as expected: %s\n", e.what());  // what() names the status once
      if (e.status() != PACE_E_SPEC) return 1;
    }
    try {
      (void)moved.at(-1);
      return 1;
    } catch (const pace::Error& e) {
      if (e.status() != PACE_E_ARGUMENT) return 1;
    }
    std::printf("ok (pace %s; %s)\n", pace::version_string().c_str(), pace::build_info().c_str());
  } catch (const pace::Error& e) {
    std::fprintf(stderr, "pace error: %s\n", e.what());
    return 1;
  }
  return 0;
}
