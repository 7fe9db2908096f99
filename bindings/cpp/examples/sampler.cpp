// sampler.cpp - data pacing from C++ (pace::Sampler, pace::irt_fit,
// pace::irt_ability): a competence curriculum over 10000 samples, its
// batches on 4 ranks, a PUDF ability pool, and a resume from saved state.
//
//   g++ -std=c++17 -Wall -Wextra -Werror -Ibindings/cpp
//       bindings/cpp/examples/sampler.cpp $(pkg-config --cflags --libs pace)
#include <pace.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
  try {
    // Difficulty per sample (here: a length-like score).
    std::vector<double> difficulty(10000);
    for (std::size_t i = 0; i < difficulty.size(); i++) difficulty[i] = static_cast<double>((i * 7919) % 10000);

    // Competence curriculum: c_sqrt over 1000 steps from c0 = 0.05.
    pace::Sampler curriculum(R"({"size": 10000, "global_batch": 64, "seed": 1,
        "policy": {"kind": "competence", "pacing": "sqrt", "total_steps": 1000, "c0": 0.05}})",
                             difficulty);
    for (std::int64_t step : {0, 100, 500, 1000}) {
      std::printf("step %4lld: %5lld eligible samples\n", static_cast<long long>(step),
                  static_cast<long long>(curriculum.eligible(step)));
    }
    // Four ranks: contiguous slices of one global batch.
    std::vector<std::int64_t> global = curriculum.batch(10);
    for (std::int64_t rank = 0; rank < 4; rank++) {
      std::vector<std::int64_t> mine = curriculum.batch(10, rank, 4);
      std::printf("rank %lld: %zu indices, first %lld (global[%lld] = %lld)\n", static_cast<long long>(rank),
                  mine.size(), static_cast<long long>(mine[0]), static_cast<long long>(rank * 16),
                  static_cast<long long>(global[static_cast<std::size_t>(rank * 16)]));
    }

    // PUDF: difficulties from an artificial crowd's answers, then the
    // ability policy paced by the abilities the trainer reports.
    const std::int64_t models = 8, items = 500;
    std::vector<std::uint8_t> answers(static_cast<std::size_t>(models * items));
    for (std::int64_t m = 0; m < models; m++)
      for (std::int64_t i = 0; i < items; i++)
        answers[static_cast<std::size_t>(m * items + i)] = ((i * 31 + m * 17) % 100) < 20 + 8 * m + (items - i) / 10;
    pace::IrtFit fit = pace::irt_fit(answers, models, items);
    pace::Sampler pudf(R"({"size": 500, "global_batch": 32, "policy": {"kind": "ability", "min_pool": 64}})",
                       fit.difficulties);
    std::vector<std::int8_t> dev(static_cast<std::size_t>(items));
    for (std::size_t i = 0; i < dev.size(); i++) dev[i] = i % 3 == 0 ? -1 : 1;
    double theta = pace::irt_ability(fit.difficulties, dev);
    pudf.report_ability(0, theta);
    std::printf("PUDF: theta %.3f, %lld of %lld items eligible\n", theta, static_cast<long long>(pudf.eligible(0)),
                static_cast<long long>(items));

    // Resume: the saved state and the same arrays give the same batches.
    std::vector<std::uint8_t> state = pudf.save();
    pace::Sampler resumed = pace::Sampler::load(state, fit.difficulties);
    std::printf("resumed: %s\n", resumed.batch(7) == pudf.batch(7) ? "same batches" : "DIFFERENT");

    try {
      curriculum.batch(0, 0, 5);  // 64 is not divisible by 5
    } catch (const pace::Error& e) {
      std::printf("as expected: %s\n", e.what());
    }
    return resumed.batch(7) == pudf.batch(7) ? 0 : 1;
  } catch (const pace::Error& e) {
    std::fprintf(stderr, "pace error: %s\n", e.what());
    return 1;
  }
}
