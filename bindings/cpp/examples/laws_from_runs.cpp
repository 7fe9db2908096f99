// Loss-curve laws from C++, fitted to runs as a trainer logs them: three runs
// logged every 25 steps as CSV (one loss missing here and there), a law
// fitted to them with a prediction interval, the loss of a schedule never run
// predicted with its 90% interval, and a schedule refined from gradient norms.
// Every class is move-only and frees its handle; failures throw pace::Error.
#include "pace.hpp"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

// A run of `steps` steps: warmup to 1e-3 over 100 steps, constant, linear cooldown of
// `cooldown` steps; its training loss is an annealing law's with noise of +-0.3%.
struct Run {
  std::vector<double> lrs;     // per step
  std::vector<double> losses;  // per step (NaN at step 0)
  std::string csv;          // what the trainer wrote: step,lr,loss every 25 steps
};

Run simulate(int steps, int cooldown, int seed) {
  Run run;
  run.csv = "step,lr,loss\n";
  double s1 = 0, m = 0, s2 = 0, previous = 0;
  for (int t = 0; t < steps; ++t) {
    double lr = t < 100 ? 1e-3 * t / 100 : 1e-3;
    if (t >= steps - cooldown) lr = 1e-3 * (steps - t) / cooldown;
    if (t > 0) {
      s1 += lr;
      m = 0.999 * m + (previous - lr);
      s2 += m;
    }
    previous = lr;
    const double loss = t == 0 ? NAN : (2.9 + 1.1 * std::pow(s1, -0.45) - 0.4 * s2) * (1 + 0.003 * std::sin(t + seed));
    run.lrs.push_back(lr);
    run.losses.push_back(loss);
    if (t % 25 != 0) continue;
    const bool lost = (t / 25 + seed) % 11 == 0;  // a logging hiccup
    char line[96];
    std::snprintf(line, sizeof line, lost ? "%d,%.9g,\n" : "%d,%.9g,%.9g\n", t, lr, loss);
    run.csv += line;
  }
  return run;
}

}  // namespace

int main() {
  try {
    // 1. Fit from the logs: CSV text, LRs linear between the logged rows.
    std::vector<pace::RunLog> logs;
    for (int i = 0; i < 3; ++i) logs.push_back(pace::RunLog::csv(simulate(2000, 200 + 300 * i, i).csv));
    std::int64_t skipped = 0;
    const pace::Law law = pace::Law::fit_runs(PACE_LAW_ANNEALING, logs, nullptr, &skipped);
    std::printf("fitted from 3 logged runs (%lld rows without a loss skipped): ", static_cast<long long>(skipped));
    const std::vector<std::string> names = law.param_names();
    const std::vector<double> params = law.params();
    for (std::size_t i = 0; i < params.size(); ++i) std::printf("%s=%.4g ", names[i].c_str(), params[i]);
    std::printf("\n");

    // 2. A prediction interval needs the curves with their per-step LRs (each
    //    curve is predicted by the law fitted on the others).
    std::vector<pace::Curve> curves;
    for (int i = 0; i < 3; ++i) {
      const Run run = simulate(2000, 200 + 300 * i, i);
      pace::Curve c{pace::LRs::rates(run.lrs), {}, {}};
      for (int t = 50; t < 2000; t += 50) {
        c.steps.push_back(t);
        c.losses.push_back(run.losses[static_cast<std::size_t>(t)]);
      }
      curves.push_back(std::move(c));
    }
    const pace::Law calibrated = pace::Law::fit_interval(PACE_LAW_ANNEALING, curves);
    const pace::LRs wsd = pace::LRs::spec(R"({"preset":"wsd","peak":1e-3,"warmup_steps":100,"stable_steps":1400,"decay_steps":500})");
    const pace::Prediction p = calibrated.predict_interval(wsd, {500, 1000, 1999}, 0.9);
    for (std::size_t i = 0; i < p.values.size(); ++i)
      std::printf("WSD step %4d: loss %.4f, 90%% interval [%.4f, %.4f]\n", i == 0 ? 500 : i == 1 ? 1000 : 1999,
                  p.values[i], p.lower[i], p.upper[i]);

    // 3. The law's functionals of that schedule: S1 (the LR area) at its end.
    const std::vector<double> s1 = pace::functional_s1(wsd);
    std::printf("WSD: S1 at step %zu = %.4f\n", s1.size() - 1, s1.back());

    // 4. A schedule refined from the gradient norms of a previous run.
    std::vector<double> norms(2000);
    for (std::size_t t = 0; t < norms.size(); ++t) norms[t] = 1.0 + 0.5 * std::exp(-static_cast<double>(t) / 300);
    const pace::Refinement refined = pace::refine(norms);
    const pace::Schedule next(pace::refine_spec(refined.multipliers, 1e-3, 100));
    std::printf("refined schedule: lr(100) %.3e, lr(1000) %.3e, lr(1999) %.3e\n", next.at(100), next.at(1000),
                next.at(1999));

    // 5. Bad input throws pace::Error with the status and the library's message.
    try {
      (void)pace::Law::fit_runs(PACE_LAW_ANNEALING, {pace::RunLog::csv("step,lr\n1,0.1\n")});
      return 1;
    } catch (const pace::Error& e) {
      std::printf("a CSV without a loss column: %s\n", e.what());
      if (e.status() != PACE_E_ARGUMENT) return 1;
    }
  } catch (const pace::Error& e) {
    std::fprintf(stderr, "FAILED: %s\n", e.what());
    return 1;
  }
  return 0;
}
