// cxx_laws_test.cpp - the C++ wrappers of bindings/cpp/pace.hpp for the
// refinement and law functions of pace.h: refine (pace_refine_ex), refine_spec,
// functional_s1/_s2/_ld, Law::fit_interval, Law::predict_interval,
// Law::fit_runs with RunLog (CSV, rows, per-step arrays, LRs from a spec),
// fit_options. Each result is compared with the C function called directly
// (the same bits), and each error path throws pace::Error with the C call's
// status and a message.
#include <pace.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

int passed = 0;
int failed = 0;

void check(bool ok, int line, const std::string& what) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    std::printf("  FAILED cxx_laws_test.cpp:%d: %s\n", line, what.c_str());
  }
}
#define CHECK(cond, what) check((cond), __LINE__, (what))

// Runs `body`, which must throw pace::Error with `want` and a non-empty message.
template <class Body>
void expect_error(int line, const std::string& what, pace_status want, Body body) {
  try {
    body();
    check(false, line, what + ": no exception");
  } catch (const pace::Error& e) {
    check(e.status() == want, line,
          what + ": status " + e.status_name() + ", want " + pace_status_name(want) + " (" + e.what() + ")");
    check(!e.message().empty(), line, what + ": empty message");
  }
}
#define EXPECT_ERROR(what, want, ...) expect_error(__LINE__, what, want, [&] { __VA_ARGS__; })

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

constexpr int kSteps = 1200;
constexpr int kWarmup = 40;

// Per-step LRs of run c: linear warmup from 0, constant, linear cooldown of 200 + 250 c steps to 0.1 x 1e-3.
std::vector<double> rates(int c) {
  std::vector<double> lr(kSteps);
  const int start = kSteps - 1 - (200 + 250 * c);
  for (int t = 0; t < kSteps; ++t) {
    lr[t] = t < kWarmup ? 1e-3 * t / kWarmup : 1e-3;
    if (t >= start) lr[t] = 1e-3 * (1 - 0.9 * (t - start) / static_cast<double>(kSteps - 1 - start));
  }
  return lr;
}

// The annealing law (L0 2.9, A 1.1, alpha 0.45, C 0.4, lambda 0.999) on those LRs, +-0.3% wobble.
double loss_at(const std::vector<double>& lr, int t, int c) {
  double s1 = 0, m = 0, s2 = 0;
  for (int k = 1; k <= t; ++k) {
    s1 += lr[k];
    m = 0.999 * m + (lr[k - 1] - lr[k]);
    s2 += m;
  }
  return (2.9 + 1.1 * std::pow(s1, -0.45) - 0.4 * s2) * (1 + 0.003 * std::sin(0.011 * t + c));
}

void test_refine() {
  std::vector<double> norms(4000);
  for (std::size_t i = 0; i < norms.size(); ++i) norms[i] = 1 + 0.5 * std::sin(0.01 * i) + 1e-3 * (i % 7);
  norms[17] = std::nan("");
  norms[99] = -1;
  pace::Refinement r = pace::refine(norms);
  std::vector<double> c_out(norms.size());
  std::int64_t c_skipped = 0;
  CHECK(pace_refine_ex(norms.data(), static_cast<std::int64_t>(norms.size()), nullptr, c_out.data(), &c_skipped) ==
            PACE_OK,
        "pace_refine_ex");
  CHECK(same_bits(r.multipliers, c_out), "refine(norms) differs from pace_refine_ex(NULL options)");
  CHECK(r.skipped == 2 && c_skipped == 2, "refine: skipped " + std::to_string(r.skipped) + ", want 2");
  std::vector<double> plain(norms.size());
  CHECK(pace_refine(norms.data(), static_cast<std::int64_t>(norms.size()), nullptr, plain.data()) == PACE_OK,
        "pace_refine");
  CHECK(same_bits(plain, r.multipliers), "pace_refine differs from pace_refine_ex");

  pace::Refinement l1 = pace::refine(norms, PACE_NORM_L1, 0.05);
  pace_refine_options opt{};
  opt.struct_size = sizeof opt;
  opt.norm = PACE_NORM_L1;
  opt.smoothing = 0.05;
  CHECK(pace_refine_ex(norms.data(), static_cast<std::int64_t>(norms.size()), &opt, c_out.data(), &c_skipped) ==
            PACE_OK,
        "pace_refine_ex (L1)");
  CHECK(same_bits(l1.multipliers, c_out), "refine(norms, L1, 0.05) differs from pace_refine_ex");
  CHECK(!same_bits(l1.multipliers, r.multipliers), "L1 and L2 refinements are equal");

  std::string spec = pace::refine_spec(r.multipliers, 3e-4, 100);
  pace::Schedule s(spec);
  CHECK(s.total_steps().value_or(0) == static_cast<std::int64_t>(norms.size()), "refine_spec: wrong length");
  CHECK(std::fabs(s.at(2000) - 3e-4 * r.multipliers[2000]) <= 1e-15, "refine_spec: value at 2000");

  EXPECT_ERROR("refine of no norms", PACE_E_ARGUMENT, pace::refine({}));
  EXPECT_ERROR("refine with an unknown norm", PACE_E_ARGUMENT, pace::refine(norms, 7u, 0.1));
  EXPECT_ERROR("refine with smoothing -1", PACE_E_ARGUMENT, pace::refine(norms, PACE_NORM_L2, -1));
  EXPECT_ERROR("refine_spec with peak 0", PACE_E_ARGUMENT, pace::refine_spec(r.multipliers, 0, 10));
  EXPECT_ERROR("refine_spec with warmup past the end", PACE_E_ARGUMENT,
               pace::refine_spec(r.multipliers, 1e-3, static_cast<std::int64_t>(norms.size())));
  EXPECT_ERROR("refine_spec of nothing", PACE_E_ARGUMENT, pace::refine_spec({}, 1e-3, 0));
}

void test_functionals() {
  const std::string spec = R"({"preset":"cosine","peak":1e-3,"warmup_steps":50,"total_steps":800})";
  pace::LRs by_spec = pace::LRs::spec(spec);
  CHECK(by_spec.count() == 800, "LRs::count of a spec with count 0: its total steps");
  CHECK(pace::LRs::spec(spec, 300).count() == 300, "LRs::count of a spec with a count");
  std::vector<double> lr = rates(1);
  pace::LRs by_rates = pace::LRs::rates(lr);
  CHECK(by_rates.count() == kSteps, "LRs::count of rates");

  for (const pace::LRs* in : {&by_spec, &by_rates}) {
    const pace_lr_input c = in->c();
    std::vector<double> want(static_cast<std::size_t>(in->count()));
    const std::int64_t n = static_cast<std::int64_t>(want.size());
    std::vector<double> s1 = pace::functional_s1(*in);
    CHECK(pace_functional_s1(&c, PACE_WARMUP_DEFAULT, want.data(), n) == PACE_OK, "pace_functional_s1");
    CHECK(same_bits(s1, want), "functional_s1 differs from pace_functional_s1");
    std::vector<double> s1_sum = pace::functional_s1(*in, PACE_WARMUP_SUM);
    CHECK(pace_functional_s1(&c, PACE_WARMUP_SUM, want.data(), n) == PACE_OK, "pace_functional_s1 (sum)");
    CHECK(same_bits(s1_sum, want), "functional_s1 (sum) differs");
    std::vector<double> s2 = pace::functional_s2(*in, 0.99, PACE_WARMUP_PEAK);
    CHECK(pace_functional_s2(&c, PACE_WARMUP_PEAK, 0.99, want.data(), n) == PACE_OK, "pace_functional_s2");
    CHECK(same_bits(s2, want), "functional_s2 differs from pace_functional_s2");
    std::vector<double> ld = pace::functional_ld(*in, 2.0, 0.5, 0.6);
    CHECK(pace_functional_ld(&c, PACE_WARMUP_DEFAULT, 2.0, 0.5, 0.6, want.data(), n) == PACE_OK, "pace_functional_ld");
    CHECK(same_bits(ld, want), "functional_ld differs from pace_functional_ld");
  }
  // S1 is the running sum of the LRs (the plain loop, to rounding).
  std::vector<double> s1 = pace::functional_s1(by_rates);
  double sum = 0, worst = 0;
  for (int t = 1; t < kSteps; ++t) {
    sum += lr[t];
    worst = std::fmax(worst, std::fabs(s1[t] - sum) / sum);
  }
  CHECK(worst < 1e-12, "functional_s1 is not the running sum of the LRs");

  EXPECT_ERROR("functional_s2 with lambda 1", PACE_E_ARGUMENT, pace::functional_s2(by_rates, 1.0));
  EXPECT_ERROR("functional_ld with C 0", PACE_E_ARGUMENT, pace::functional_ld(by_rates, 0, 0.5, 0.5));
  EXPECT_ERROR("functional_s1 with an unknown warmup", PACE_E_ARGUMENT, pace::functional_s1(by_rates, 99u));
  EXPECT_ERROR("functional_s1 of an open-ended spec", PACE_E_ARGUMENT,
               pace::functional_s1(pace::LRs::spec(R"({"version":1,"peak":1,"phases":[{"shape":"constant"}]})")));
  EXPECT_ERROR("functional_s1 of a bad spec", PACE_E_SPEC,
               pace::functional_s1(pace::LRs::spec(R"({"preset":"cosine","peak":-1,"total_steps":10})")));
  EXPECT_ERROR("functional_s1 of a negative LR", PACE_E_ARGUMENT,
               pace::functional_s1(pace::LRs::rates({1e-3, -1e-3, 1e-3})));
}

// Three runs logged every 15 steps (every 5 in the cooldown), the warmup's end logged, a NaN loss at every 8th row.
struct Logged {
  std::vector<std::vector<double>> lrs;  // per step
  std::vector<std::vector<std::int64_t>> steps;
  std::vector<std::vector<double>> row_lrs, losses;
  std::vector<pace::Curve> curves;  // the rows with a loss, as plain curves
  std::int64_t without_loss = 0;
};

Logged make_logged() {
  Logged g;
  for (int c = 0; c < 3; ++c) {
    std::vector<double> lr = rates(c);
    const int start = kSteps - 1 - (200 + 250 * c);
    std::vector<std::int64_t> steps, kept_steps;
    std::vector<double> row_lrs, losses, kept_losses;
    for (int t = 0; t < kSteps; ++t) {
      const bool logged = t == 0 || t == kWarmup || t == start || t == kSteps - 1 ||
                          (t < start ? t % 15 == 0 : (t - start) % 5 == 0);
      if (!logged) continue;
      const bool missing = t == 0 || steps.size() % 8 == 3;
      steps.push_back(t);
      row_lrs.push_back(lr[t]);
      losses.push_back(missing ? std::nan("") : loss_at(lr, t, c));
      if (missing) {
        ++g.without_loss;
      } else {
        kept_steps.push_back(t);
        kept_losses.push_back(losses.back());
      }
    }
    g.curves.push_back(pace::Curve{pace::LRs::rates(lr), kept_steps, kept_losses});
    g.lrs.push_back(std::move(lr));
    g.steps.push_back(std::move(steps));
    g.row_lrs.push_back(std::move(row_lrs));
    g.losses.push_back(std::move(losses));
  }
  return g;
}

std::string csv_of(const Logged& g, int c) {
  std::string text = "step,LR,loss,grad_norm\n";
  char line[160];
  for (std::size_t i = 0; i < g.steps[c].size(); ++i) {
    std::snprintf(line, sizeof line, "%lld,%.17g,%.17g,1.0\n", static_cast<long long>(g.steps[c][i]), g.row_lrs[c][i],
                  g.losses[c][i]);
    text += line;
  }
  return text;
}

void test_fit_runs(const Logged& g) {
  const pace::Law reference = pace::Law::fit(PACE_LAW_ANNEALING, g.curves);
  const std::vector<double> want = reference.params();

  // Rows with their LRs: the same law as the C call on the same pace_run_log.
  std::vector<pace::RunLog> rows;
  for (int c = 0; c < 3; ++c) rows.push_back(pace::RunLog::rows(g.steps[c], g.row_lrs[c], g.losses[c]));
  std::int64_t skipped = -1;
  const pace::Law from_rows = pace::Law::fit_runs(PACE_LAW_ANNEALING, rows, nullptr, &skipped);
  CHECK(skipped == g.without_loss,
        "fit_runs: skipped " + std::to_string(skipped) + ", want " + std::to_string(g.without_loss));
  std::vector<pace_run_log> c_runs;
  for (const pace::RunLog& r : rows) c_runs.push_back(r.c());
  pace_law* c_law = nullptr;
  std::int64_t c_skipped = 0;
  CHECK(pace_law_fit_runs(PACE_LAW_ANNEALING, c_runs.data(), 3, nullptr, &c_skipped, &c_law) == PACE_OK,
        "pace_law_fit_runs");
  std::vector<double> c_params(8);
  std::int64_t c_count = 0;
  CHECK(pace_law_params(c_law, c_params.data(), 8, &c_count) == PACE_OK, "pace_law_params");
  c_params.resize(static_cast<std::size_t>(c_count));
  pace_law_free(c_law);
  CHECK(same_bits(from_rows.params(), c_params), "Law::fit_runs differs from pace_law_fit_runs");
  // ... and close to the fit of the same points as plain curves (the LRs between rows are exact here).
  const std::vector<double> got = from_rows.params();
  bool close = got.size() == want.size();
  for (std::size_t i = 0; close && i < got.size(); ++i) close = std::fabs(got[i] - want[i]) <= 1e-6 * std::fabs(want[i]);
  CHECK(close, "fit_runs of rows differs from Law::fit of the same points");
  CHECK(pace::Law::fit_runs(PACE_LAW_ANNEALING, rows).params() == got, "fit_runs without skipped differs");

  // CSV of the same rows (LR column spelled LR, an extra column): the same law bit for bit.
  std::vector<pace::RunLog> csv;
  for (int c = 0; c < 3; ++c) csv.push_back(pace::RunLog::csv(csv_of(g, c)));
  CHECK(same_bits(pace::Law::fit_runs(PACE_LAW_ANNEALING, csv).params(), got), "fit_runs of CSV differs from rows");

  // Per-step arrays without LRs, the per-step LRs as with_lrs: the plain curves' law bit for bit.
  std::vector<pace::RunLog> per_step;
  for (int c = 0; c < 3; ++c) {
    std::vector<double> losses(kSteps, std::nan(""));
    for (std::size_t i = 0; i < g.steps[c].size(); ++i) losses[static_cast<std::size_t>(g.steps[c][i])] = g.losses[c][i];
    per_step.push_back(pace::RunLog::per_step({}, losses).with_lrs(pace::LRs::rates(g.lrs[c])));
  }
  std::int64_t per_step_skipped = 0;
  const pace::Law from_arrays = pace::Law::fit_runs(PACE_LAW_ANNEALING, per_step, nullptr, &per_step_skipped);
  CHECK(same_bits(from_arrays.params(), want), "fit_runs of per-step arrays with_lrs differs from Law::fit");
  std::int64_t kept = 0;
  for (const pace::Curve& c : g.curves) kept += static_cast<std::int64_t>(c.steps.size());
  CHECK(per_step_skipped == 3 * kSteps - kept, "per-step arrays: skipped " + std::to_string(per_step_skipped));

  // with_warmup_steps and fit_options: the same options through both calls.
  pace_fit_options options = pace::fit_options();
  pace_fit_options zero;
  std::memset(&zero, 0, sizeof zero);
  zero.struct_size = sizeof(pace_fit_options);
  zero.method = PACE_FIT_AUTO;
  zero.fit_lambda = 1;
  CHECK(std::memcmp(&options, &zero, sizeof zero) == 0,
        "fit_options: struct_size set, method PACE_FIT_AUTO, lambda fitted, every other field 0");
  // fit_options() means what no options mean: the law's default fit, bit for bit.
  CHECK(same_bits(pace::Law::fit(PACE_LAW_ANNEALING, g.curves, &options).params(),
                  pace::Law::fit(PACE_LAW_ANNEALING, g.curves).params()),
        "Law::fit with fit_options() differs from Law::fit with no options");
  options.warmup = PACE_WARMUP_PEAK;
  std::vector<pace::RunLog> warm;
  for (int c = 0; c < 3; ++c)
    warm.push_back(pace::RunLog::rows(g.steps[c], g.row_lrs[c], g.losses[c]).with_warmup_steps(kWarmup));
  const std::vector<double> warm_params = pace::Law::fit_runs(PACE_LAW_ANNEALING, warm, &options).params();
  std::vector<pace::Curve> warm_curves;
  for (std::size_t c = 0; c < g.curves.size(); ++c)
    warm_curves.push_back(pace::Curve{pace::LRs::rates(g.lrs[c], kWarmup), g.curves[c].steps, g.curves[c].losses});
  const std::vector<double> warm_want = pace::Law::fit(PACE_LAW_ANNEALING, warm_curves, &options).params();
  close = warm_params.size() == warm_want.size();
  for (std::size_t i = 0; close && i < warm_want.size(); ++i)
    close = std::fabs(warm_params[i] - warm_want[i]) <= 1e-6 * std::fabs(warm_want[i]);
  CHECK(close, "fit_runs with_warmup_steps and PACE_WARMUP_PEAK differs from Law::fit of the same points");

  // Errors: each throws pace::Error with the C status.
  EXPECT_ERROR("RunLog::rows of different lengths", PACE_E_ARGUMENT, pace::RunLog::rows({1, 2, 3}, {}, {2.0, 1.9}));
  EXPECT_ERROR("RunLog::per_step of different lengths", PACE_E_ARGUMENT, pace::RunLog::per_step({1e-3}, {2.0, 1.9}));
  EXPECT_ERROR("fit_runs of no runs", PACE_E_ARGUMENT, pace::Law::fit_runs(PACE_LAW_ANNEALING, {}));
  EXPECT_ERROR("fit_runs of an unknown kind", PACE_E_ARGUMENT, pace::Law::fit_runs(42u, rows));
  std::vector<double> nan_losses(g.losses[0].size(), std::nan(""));
  EXPECT_ERROR("fit_runs of all-NaN losses", PACE_E_ARGUMENT,
               pace::Law::fit_runs(PACE_LAW_ANNEALING, {pace::RunLog::rows(g.steps[0], g.row_lrs[0], nan_losses)}));
  std::vector<double> negative = g.row_lrs[0];
  negative[5] = -1e-3;
  EXPECT_ERROR("fit_runs with a negative LR", PACE_E_ARGUMENT,
               pace::Law::fit_runs(PACE_LAW_ANNEALING, {pace::RunLog::rows(g.steps[0], negative, g.losses[0])}));
  EXPECT_ERROR("fit_runs of CSV without a loss column", PACE_E_ARGUMENT,
               pace::Law::fit_runs(PACE_LAW_ANNEALING, {pace::RunLog::csv("step,lr\n1,0.1\n")}));
  EXPECT_ERROR("fit_runs of rows past the given LRs", PACE_E_ARGUMENT,
               pace::Law::fit_runs(PACE_LAW_ANNEALING, {pace::RunLog::rows(g.steps[0], {}, g.losses[0])
                                                            .with_lrs(pace::LRs::rates(std::vector<double>(100, 1e-3)))}));
  pace_fit_options bad = pace::fit_options();
  bad.struct_size = 4;
  EXPECT_ERROR("fit_runs with options.struct_size 4", PACE_E_ARGUMENT,
               pace::Law::fit_runs(PACE_LAW_ANNEALING, rows, &bad));
}

void test_intervals(const Logged& g) {
  const pace::Law law = pace::Law::fit_interval(PACE_LAW_ANNEALING, g.curves);
  std::vector<pace_law_curve> c_curves;
  for (const pace::Curve& c : g.curves)
    c_curves.push_back(pace_law_curve{c.lrs.c(), c.steps.data(), c.losses.data(), static_cast<std::int64_t>(c.steps.size())});
  pace_law* c_law = nullptr;
  CHECK(pace_law_fit_interval(PACE_LAW_ANNEALING, c_curves.data(), 3, nullptr, &c_law) == PACE_OK,
        "pace_law_fit_interval");
  const pace::LRs held_out = pace::LRs::spec(R"({"preset":"wsd","peak":1e-3,"warmup_steps":40,"stable_steps":700,"decay_steps":460})");
  const std::vector<std::int64_t> at = {100, 600, 900, 1199};
  const pace::Prediction p90 = law.predict_interval(held_out, at, 0.9);
  const pace::Prediction p50 = law.predict_interval(held_out, at, 0.5);
  std::vector<double> out(at.size()), lower(at.size()), upper(at.size());
  const pace_lr_input in = held_out.c();
  CHECK(pace_law_predict_interval(c_law, &in, at.data(), 4, 0.9, out.data(), lower.data(), upper.data()) == PACE_OK,
        "pace_law_predict_interval");
  pace_law_free(c_law);
  CHECK(same_bits(p90.values, out) && same_bits(p90.lower, lower) && same_bits(p90.upper, upper),
        "Law::predict_interval differs from pace_law_predict_interval");
  CHECK(same_bits(p90.values, law.predict(held_out, at)), "predict_interval's values differ from predict");
  for (std::size_t i = 0; i < at.size(); ++i) {
    CHECK(p90.lower[i] <= p90.values[i] && p90.values[i] <= p90.upper[i], "lower <= value <= upper");
    CHECK(p90.lower[i] <= p50.lower[i] && p90.upper[i] >= p50.upper[i], "the 90% interval is not wider than the 50%");
  }
  const pace::Law loaded = pace::Law::load(law.save());
  CHECK(same_bits(loaded.predict_interval(held_out, at, 0.9).upper, p90.upper), "the loaded law's interval differs");

  EXPECT_ERROR("predict_interval at level 1", PACE_E_ARGUMENT, law.predict_interval(held_out, at, 1.0));
  EXPECT_ERROR("predict_interval at level 0", PACE_E_ARGUMENT, law.predict_interval(held_out, at, 0.0));
  EXPECT_ERROR("predict_interval at level NaN", PACE_E_ARGUMENT, law.predict_interval(held_out, at, std::nan("")));
  const pace::Law plain = pace::Law::fit(PACE_LAW_ANNEALING, g.curves);
  EXPECT_ERROR("predict_interval of a law without interval", PACE_E_ARGUMENT, plain.predict_interval(held_out, at, 0.9));
  EXPECT_ERROR("fit_interval of one curve", PACE_E_ARGUMENT,
               pace::Law::fit_interval(PACE_LAW_ANNEALING, {g.curves[0]}));
  std::vector<pace::Curve> uneven = g.curves;
  uneven[1].losses.pop_back();
  EXPECT_ERROR("fit_interval of a curve with more steps than losses", PACE_E_ARGUMENT,
               pace::Law::fit_interval(PACE_LAW_ANNEALING, uneven));
}

}  // namespace

int main() {
  test_refine();
  std::printf("refine, refine_spec: %d passed, %d failed\n", passed, failed);
  test_functionals();
  std::printf("+ functionals: %d passed, %d failed\n", passed, failed);
  const Logged g = make_logged();
  test_fit_runs(g);
  std::printf("+ fit_runs, RunLog, fit_options: %d passed, %d failed\n", passed, failed);
  test_intervals(g);
  std::printf("+ fit_interval, predict_interval: %d passed, %d failed\n", passed, failed);
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
