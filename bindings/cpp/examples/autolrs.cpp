// autolrs.cpp - pace::AutoLRS drives a training loop: a one-parameter model
// (least squares on a noisy line, SGD), its learning rate chosen on the fly.
// Checkpoints are copies of the parameters; the tuner is saved and loaded
// half-way, as a trainer resuming from its own checkpoint would.
//
// Build: c++ -std=c++17 -Ibindings/cpp bindings/cpp/examples/autolrs.cpp $(pkg-config --cflags --libs pace)
#include <pace.hpp>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

int main() {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 0.3);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  double w = 0, saved = 0;  // fit y = 3x + noise
  auto step = [&](double lr) {
    double x = uniform(rng), y = 3 * x + noise(rng);
    double loss = 0.5 * (w * x - y) * (w * x - y);
    w -= lr * (w * x - y) * x;
    return loss;
  };
  try {
    pace::AutoLRS tuner(R"({"min_lr": 1e-3, "max_lr": 3, "total_steps": 6000, "tau": 400, "tau_prime": 40,
                            "candidates": 6, "tau_max": 800})");
    bool resumed = false;
    for (auto a = tuner.next(); a.kind != pace::AutoLRS::Kind::done; a = tuner.next()) {
      if (a.kind == pace::AutoLRS::Kind::checkpoint) saved = w;
      if (a.kind == pace::AutoLRS::Kind::restore) w = saved;
      if (a.kind != pace::AutoLRS::Kind::train) continue;
      std::vector<double> losses;
      for (std::int64_t s = 1; s <= a.steps; s++) {
        double loss = step(a.lr);
        if (a.report == pace::AutoLRS::Report::train) losses.push_back(loss);
        if (a.report == pace::AutoLRS::Report::val && s % a.every == 0) losses.push_back(0.5 * (w - 3) * (w - 3) / 3 + 0.045);
      }
      if (a.report_count() > 0) tuner.report(losses);
      bool exploitation = a.report == pace::AutoLRS::Report::none || (a.report == pace::AutoLRS::Report::val && a.every == a.steps);
      if (exploitation && a.steps > 1)
        std::printf("stage: %lld steps at lr %.4g, w = %.4f\n", static_cast<long long>(a.steps), a.lr, w);
      if (!resumed && tuner.steps_used() > 3000) {  // save and resume the tuner
        tuner = pace::AutoLRS::load(tuner.save());
        resumed = true;
      }
    }
    std::printf("steps used %lld, w = %.4f (true 3), history %zu bytes\n", static_cast<long long>(tuner.steps_used()), w,
                tuner.history().size());
    try {
      tuner.report({1.0});
    } catch (const pace::Error& e) {
      std::printf("out of order, as expected: %s\n", e.status_name());
    }
    return std::fabs(w - 3) < 0.2 && tuner.steps_used() == 6000 ? 0 : 1;
  } catch (const pace::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
