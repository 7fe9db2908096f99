//===--- Runtime+Refine.swift ---------------------------------------------===//
// Online refinement: re-plan the rest of the run from the observed norms.
//===----------------------------------------------------------------------===//
import RealModule

/// Online refinement is Pace's extension of Defazio et al. (2023), whose
/// closed form needs the gradient norms of a whole previous run. Every
/// `every` steps the runtime:
/// 1. repairs the observed norms (NaN or non-positive: filled from
///    neighbours) and median-filters them (width `smoothing` x steps seen);
/// 2. forecasts the norms of the remaining steps with a log-linear trend
///    fitted to the last fifth of the smoothed history (at least
///    `min_history / 2` points), its slope limited so the forecast stays
///    within [1/4, 4] x the last smoothed norm. A constant forecast would
///    make the closed form degenerate to linear decay; the trend keeps the
///    curvature the norms show (e.g. rising norms late in training give a
///    sharper final decay);
/// 3. computes the closed form over observed + forecast norms, takes its
///    values from the current step on, scales them so the value at the
///    current step is unchanged (continuity), and caps them at the peak;
/// 4. plays them as a table segment from the current step to the end of the
///    channel's current schedule.
extension Runtime {
  /// Forecast of `count` future norms from the smoothed history.
  static func forecast(_ smoothed: [Double], count: Int, minimumWindow: Int) -> [Double] {
    let n = smoothed.count
    let window = Swift.min(n, Swift.max(minimumWindow, n / 5, 2))
    let xs = (n - window)..<n
    var sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
    for i in xs {
      let x = Double(i), y = Double.log(smoothed[i])
      sx += x; sy += y; sxx += x * x; sxy += x * y
    }
    let m = Double(window)
    let denominator = m * sxx - sx * sx
    var slope = denominator > 0 ? (m * sxy - sx * sy) / denominator : 0
    let last = smoothed[n - 1]
    // Keep the forecast within [1/4, 4] x the last norm over the horizon.
    let bound = Double.log(4) / Double(Swift.max(count, 1))
    slope = Swift.max(-bound, Swift.min(bound, slope))
    if !slope.isFinite { slope = 0 }
    var out = [Double](repeating: last, count: count)
    for k in 0..<count { out[k] = last * Double.exp(slope * Double(k + 1)) }
    return out
  }

  /// Re-plans the refined channel from the current step (see above).
  func replan(_ settings: RefineSettings) {
    guard let c = channels.firstIndex(where: { $0.name == settings.channel }) else { return }
    // Never re-plan during a warmup (while the planned value still rises):
    // the closed form would turn it into a decay from a fraction of the peak.
    if hotValue(c, at: step + 1) > hotValue(c, at: step) { return }
    lastReplan = step
    let segment = channels[c].segment(at: step)
    guard let endStep = segment.endStep else { return }
    let total = Int64(endStep.rounded(.up))
    let remaining = total - step
    guard remaining >= 2, step >= 2 else { return }
    guard let (smoothed, _) = try? Refinement.smoothed(norms, smoothing: settings.smoothing) else { return }
    let future = Self.forecast(smoothed, count: Int(remaining), minimumWindow: Int(settings.minHistory / 2))
    guard let refined = try? Refinement(norms: smoothed + future, kind: settings.norm, smoothing: 0) else { return }
    let plan = Array(refined.multipliers[Int(step)...])
    let peak = channels[c].currentPeak
    let current = value(channel: c) / peak
    guard plan[0] > 0, current.isFinite, current > 0 else { return }
    let k = current / plan[0]
    var multipliers = plan.map { Swift.min(1, $0 * k) }
    multipliers[0] = current  // exactly continuous at the re-plan step
    channels[c].append(Segment(start: step, schedule: .table(multipliers, peak: peak), origin: 0, rate: 1))
  }
}
