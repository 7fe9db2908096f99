// The other Pace handles from C++: a runtime whose cooldown starts by event
// and resumes from a checkpoint, a loss-curve law fitted to a curve and used
// to search a schedule, and the batch engine filling many schedules at once.
// Every class is move-only and frees its handle; failures throw pace::Error.
#include "pace.hpp"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

int failures = 0;

void expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what);
    ++failures;
  }
}

// A runtime with two groups; the WSD stable phase is open-ended and the
// cooldown starts when the trainer decides (here: at step 600).
void runtime_demo() {
  const char* config = R"({"channels":{"lr":{"peak":1e-3,"phases":[{"shape":"linear","steps":100,"from":0,"to":1},{"shape":"constant"}]},
                           "weight_decay":{"preset":"constant","peak":0.1}},
                           "groups":[{"name":"embed","scale":{"lr":0.5}},{"name":"rest"}]})";
  pace::Runtime rt(config);
  expect(rt.channel_count() == 2 && rt.group_count() == 2, "runtime shape");
  expect(rt.group_names() == std::vector<std::string>{"embed", "rest"}, "group names");
  std::vector<double> uninterrupted;
  std::vector<std::uint8_t> checkpoint;
  for (int step = 0; step < 1000; ++step) {
    if (step == 600) rt.begin_decay(400, "sqrt", 0.0);  // an event: cooldown from now
    if (step == 700) checkpoint = rt.save();
    const std::vector<double>& v = rt.step(1.0 / (1 + step));  // the gradient norm of this step
    if (step >= 700) uninterrupted.push_back(v[1 * 2 + 0]);   // group "rest", channel "lr"
  }
  std::printf("runtime: %lld steps, lr at the end %.3e, checkpoint %zu bytes\n",
              static_cast<long long>(rt.step_count()), rt.values()[2], checkpoint.size());

  pace::Runtime resumed = pace::Runtime::load(checkpoint);  // e.g. in a new process
  expect(resumed.group_names() == std::vector<std::string>{"embed", "rest"}, "group names after load");
  bool same = true;
  for (int step = 700; step < 1000; ++step)
    same = same && resumed.step(1.0 / (1 + step))[2] == uninterrupted[static_cast<std::size_t>(step - 700)];
  expect(same, "a resumed runtime continues bit for bit");

  pace::Runtime moved = std::move(resumed);
  try {
    (void)resumed.step_count();  // NOLINT: deliberately used after the move
    expect(false, "a moved-from runtime throws");
  } catch (const pace::Error& e) {
    expect(e.status() == PACE_E_ARGUMENT, "moved-from status");
  }
  try {
    moved.begin_decay(10, "zigzag");
    expect(false, "a bad shape throws");
  } catch (const pace::Error& e) {
    std::printf("rejected as expected: %s\n", e.what());
    const std::string text = e.what();
    expect(text.find("PACE_E_ARGUMENT") == 0 && text.find("PACE_E_ARGUMENT", 1) == std::string::npos,
           "the status appears once");
  }
}

// A multi-power law: predictions of a known law are fitted back, then the
// best WSD/cosine schedule for a budget is searched.
void law_demo() {
  const std::vector<double> truth = {3.0, 0.5, 0.5, 500, 2.0, 0.5, 0.6};  // L0, A, alpha, B, C, beta, gamma
  pace::Law reference(PACE_LAW_MULTI_POWER, truth);
  const std::string spec = R"({"preset":"cosine","peak":3e-4,"warmup_steps":100,"total_steps":4000,"min_ratio":0.1})";
  std::vector<std::int64_t> steps;
  for (std::int64_t t = 200; t < 4000; t += 50) steps.push_back(t);
  pace::Curve curve{pace::LRs::spec(spec), steps, reference.predict(pace::LRs::spec(spec), steps)};
  // Fitting a known law back: the minimiser (LM) in the law's own warmup convention (RAW),
  // not the default fit (chosen to predict unseen runs, docs/laws.md).
  pace_fit_options recover = {sizeof(pace_fit_options), PACE_WARMUP_RAW, PACE_FIT_LM, 0, 0, 0, 0};
  pace::Law fitted = pace::Law::fit(PACE_LAW_MULTI_POWER, {curve}, &recover);
  const std::vector<double> p = fitted.params();
  const std::vector<std::string> names = fitted.param_names();
  expect(p.size() == 7 && names.size() == 7 && names[0] == "L0", "law parameters");
  const std::vector<double> again = fitted.predict(pace::LRs::spec(spec), steps);
  double worst = 0;
  for (std::size_t i = 0; i < steps.size(); ++i)
    worst = std::fmax(worst, std::fabs(again[i] - curve.losses[i]) / curve.losses[i]);
  std::printf("law: fitted L0 %.4f (true %.1f), worst relative error %.2e\n", p[0], truth[0], worst);
  expect(worst < 1e-3, "the fit reproduces the curve");

  pace::Law loaded = pace::Law::load(fitted.save());
  expect(loaded.params() == p, "save/load keeps the parameters");
  pace::SearchResult best = loaded.search(4000, 3e-4, 100, PACE_FAMILY_WSD | PACE_FAMILY_COSINE);
  pace::Schedule chosen(best.spec_json);
  std::printf("search: %lld candidates, best final loss %.4f: %s\n", static_cast<long long>(best.evaluated),
              best.final_loss, best.spec_json.c_str());
  expect(best.final_loss <= loaded.final_loss(pace::LRs::spec(spec)) + 1e-12, "the search beats plain cosine");
  expect(chosen.total_steps().value_or(0) == 4000, "the searched schedule has the budget");
}

// The engine fills and reduces many schedules in parallel, bit for bit.
void engine_demo() {
  pace::Engine engine(2, PACE_NUMA_AUTO);
  const pace_engine_info info = engine.info();
  std::vector<pace::Schedule> owned;
  for (int i = 1; i <= 8; ++i)
    owned.emplace_back(R"({"preset":"cosine","peak":)" + std::to_string(i) + R"(e-4,"total_steps":5000})");
  std::vector<const pace::Schedule*> schedules;
  for (const pace::Schedule& s : owned) schedules.push_back(&s);
  const std::vector<double> table = engine.fill(schedules, 0, 5000);
  bool same = true;
  for (std::size_t i = 0; i < owned.size(); ++i)
    for (std::int64_t t = 0; t < 5000; t += 97) same = same && table[i * 5000 + static_cast<std::size_t>(t)] == owned[i].at(t);
  expect(same, "engine fill equals Schedule::at");
  const pace::Reduction r = engine.reduce(schedules, 0, 5000);
  std::printf("engine: %lld thread(s) on %lld node(s); S1 of the first schedule %.6f\n",
              static_cast<long long>(info.threads), static_cast<long long>(info.nodes), r.sums[0]);
  expect(r.final_values[7] == owned[7].at(4999), "engine reduce: the final value");
}

}  // namespace

int main() {
  try {
    runtime_demo();
    law_demo();
    engine_demo();
  } catch (const pace::Error& e) {
    std::fprintf(stderr, "pace error: %s\n", e.what());
    return 1;
  }
  if (failures) return 1;
  std::printf("ok\n");
  return 0;
}
