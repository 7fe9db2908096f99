//===--- Runtime+Refine.swift ---------------------------------------------===//
// Online refinement: re-plan the rest of the run from the observed norms.
//===----------------------------------------------------------------------===//
import RealModule

/// Online refinement is Pace's extension of Defazio et al. (2023), whose
/// closed form needs the gradient norms of a whole previous run. Every
/// `every` steps the runtime:
/// 1. repairs the norm history (NaN or non-positive: filled from
///    neighbours; see `NormHistory` for how long runs are decimated) and
///    median-filters it (width `smoothing` x samples);
/// 2. forecasts the norms of the remaining `R` steps with a log-linear
///    trend `g(k) = g_last * exp(s * (k + 1))` fitted to the last fifth of
///    the smoothed history (at least `min_history / 2` steps), its slope
///    limited so the forecast stays within [1/4, 4] x the last smoothed norm
///    (`|s| R <= ln 4`). A constant forecast would make the closed form
///    degenerate to linear decay; the trend keeps the curvature the norms
///    show (e.g. rising norms late in training give a sharper final decay);
/// 3. evaluates the closed form `eta_k = w_k * sum_{j>k} w_j` over the
///    forecast, which for `w = g^-p` (p = 2 for L2, 1 for L1) is in closed
///    form: with `a = p s`,
///    `eta_k / eta_0 = e^(-2ak) * expm1(-a(R-1-k)) / expm1(-a(R-1))`
///    (`(R-1-k) / (R-1)` when `a = 0`). Only the norms' trend matters: the
///    observed norms enter the future's closed form through it alone, and
///    every constant factor cancels in the continuity scaling below;
/// 4. scales the plan so the value at the current step is unchanged
///    (continuity), caps it at the peak, and plays it as a table segment
///    from the current step to the end of the channel's current schedule:
///    one value per step when `R <= refinedKnots`, otherwise `refinedKnots`
///    points joined linearly (the curve is smooth: its relative change
///    over the run is bounded by the slope limit).
///
/// A re-plan costs O(`NormHistory.capacity`) time and O(`refinedKnots`)
/// memory, and a checkpoint O(capacity + refinedKnots) bytes, whatever the
/// run's length.
extension Runtime {
  /// Most knots of a refined segment's table.
  static let refinedKnots = 2049

  /// The slope per sample of the log-linear trend of the last
  /// `max(minimumWindow, n / 5, 2)` smoothed samples (0 when undefined).
  static func trendSlope(_ smoothed: [Double], minimumWindow: Int) -> Double {
    let n = smoothed.count
    let window = Swift.min(n, Swift.max(minimumWindow, n / 5, 2))
    var sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
    for i in (n - window)..<n {
      let x = Double(i), y = Double.log(smoothed[i])
      sx += x; sy += y; sxx += x * x; sxy += x * y
    }
    let m = Double(window)
    let denominator = m * sxx - sx * sx
    let slope = denominator > 0 ? (m * sxy - sx * sy) / denominator : 0
    return slope.isFinite ? slope : 0
  }

  /// The closed form over a forecast whose weights fall by `e^-a` per step,
  /// relative to its first value: `e^(-2ak) expm1(-a(R-1-k)) / expm1(-a(R-1))`.
  ///
  /// - Precondition: `remaining >= 2`, `0 <= k < remaining`.
  static func plannedRatio(_ k: Int64, remaining: Int64, decayRate a: Double) -> Double {
    let rest = Double(remaining - 1 - k), span = Double(remaining - 1)
    if a == 0 { return rest / span }
    return Double.exp(-2 * a * Double(k)) * (Double.expMinusOne(-a * rest) / Double.expMinusOne(-a * span))
  }

  /// Re-plans the refined channel from the current step (see above).
  func replan(_ settings: RefineSettings) {
    guard let c = channels.firstIndex(where: { $0.name == settings.channel }) else { return }
    // Never re-plan during a warmup (while the planned value still rises):
    // the closed form would turn it into a decay from a fraction of the peak.
    if hotValue(c, at: step + 1) > hotValue(c, at: step) { return }
    lastReplan = step
    let segment = channels[c].segment(at: step)
    // A schedule ending beyond 2^53 steps (a rewarm or a forged state) is
    // left as it is: no run is that long.
    guard let endStep = segment.endStep, endStep <= Double(SpecObject.maximumStepCount) else { return }
    let remaining = Int64(endStep.rounded(.up)) - step
    guard remaining >= 2, step >= 2, history.samples.count >= 2 else { return }
    guard let (smoothed, _) = try? Refinement.smoothed(history.samples, smoothing: settings.smoothing) else { return }
    let stride = Double(history.stride)
    let minimumWindow = Int(Swift.min(Double(settings.minHistory / 2) / stride, Double(NormHistory.capacity)))
    var slope = Self.trendSlope(smoothed, minimumWindow: minimumWindow) / stride  // per step
    let bound = Double.log(4) / Double(remaining)
    slope = Swift.max(-bound, Swift.min(bound, slope))
    let a = (settings.norm == .l2 ? 2 : 1) * slope
    let peak = channels[c].currentPeak
    let current = value(channel: c) / peak
    guard current.isFinite, current > 0 else { return }
    guard let schedule = Self.refinedSchedule(current: current, remaining: remaining, decayRate: a, peak: peak) else { return }
    channels[c].append(Segment(start: step, schedule: schedule, origin: 0, rate: 1))
  }


  /// The refined plan as a schedule of `remaining` steps: `current` at its
  /// step 0, then `min(1, current x plannedRatio(k))`, one value per step
  /// up to `refinedKnots` steps, else `refinedKnots` points joined linearly
  /// (knot i at `round(i (R-1) / (knots-1))`, exact in doubles for R <= 2^53).
  ///
  /// - Complexity: O(min(remaining, refinedKnots)).
  static func refinedSchedule(current: Double, remaining: Int64, decayRate a: Double, peak: Double) -> Schedule? {
    func planned(_ k: Int64) -> Double {
      k == 0 ? current : Swift.min(1, current * plannedRatio(k, remaining: remaining, decayRate: a))
    }
    if remaining <= Int64(refinedKnots) { return .table((0..<remaining).map(planned), peak: peak) }
    let knots = Int64(refinedKnots)
    let points: [JSONValue] = (0..<knots).map { i in
      let u = Int64((Double(i) * Double(remaining - 1) / Double(knots - 1)).rounded())
      return .array([json(Double(u)), json(planned(u))])
    }
    let spec: JSONValue = .object([
      ("peak", json(peak)), ("after", .string("hold")),
      ("phases", .array([phaseJSON("table", [("steps", json(Double(remaining))), ("points", .array(points))])])),
    ])
    return try? Schedule.parse(spec)
  }
}
