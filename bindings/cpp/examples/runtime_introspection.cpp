// Runtime introspection from C++: a WSD run whose cooldown starts by event,
// then the run asked what happened: its events (with their steps), whether
// the cooldown has begun, and the learning rates actually played (the input
// a loss-curve law is fitted to), as values and as a spec of segments, the
// same after a checkpoint round trip.
#include "pace.hpp"

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

int main() {
  int failures = 0;
  auto expect = [&](bool ok, const char* what) {
    if (!ok) {
      std::fprintf(stderr, "FAILED: %s\n", what);
      ++failures;
    }
  };
  const char* config = R"({"channels":{"lr":{"peak":1e-3,"phases":[{"shape":"linear","steps":100,"from":0,"to":1},{"shape":"constant"}]}},
                           "groups":[{"name":"all"}]})";
  pace::Runtime rt(config);
  std::vector<double> stepped{rt.values()[0]};
  for (int t = 1; t <= 1000; ++t) {
    if (t == 601) {
      rt.begin_decay(400, "sqrt", 0.0);  // the trainer decides: cool down over the last 400 steps
      stepped.back() = rt.values()[0];   // the value in force at the event's step
    }
    stepped.push_back(rt.step(1.0)[0]);
  }
  expect(rt.event_count() == 1, "one event");
  expect(rt.cooldown_started(), "the cooldown has begun");
  std::printf("events: %s\n", rt.events_json().c_str());

  std::vector<double> played = rt.played_values("lr", 0, stepped.size());
  expect(std::memcmp(played.data(), stepped.data(), stepped.size() * sizeof(double)) == 0,
         "played values equal the stepped ones bit for bit");

  // The played schedule as a spec: compiled, it gives the same bits.
  std::string spec = rt.played_spec();
  pace::Schedule played_schedule(spec);
  expect(played_schedule.values(0, static_cast<std::int64_t>(stepped.size())) == stepped,
         "the played spec gives the stepped values bit for bit");
  std::printf("played spec: %zu bytes, %s...\n", spec.size(), spec.substr(0, 60).c_str());

  pace::Runtime resumed = pace::Runtime::load(rt.save());
  expect(resumed.played_spec() == spec, "the played spec survives save/load");
  expect(resumed.events_json() == rt.events_json(), "events survive save/load");
  expect(resumed.played_values("lr", 0, stepped.size()) == played, "played values survive save/load");
  std::printf("lr at steps 0, 600, 800, 1000: %.3g %.3g %.3g %.3g\n", played[0], played[600], played[800], played[1000]);

  try {
    rt.played_values("lr", 990, 20);  // beyond the current step
    expect(false, "a range past the current step throws");
  } catch (const pace::Error& e) {
    std::printf("as expected: %s\n", e.what());
  }
  std::printf("%s\n", failures ? "FAILED" : "runtime introspection example: ok");
  return failures ? 1 : 0;
}
