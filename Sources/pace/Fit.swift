//===--- Fit.swift --------------------------------------------------------===//
// `pace fit`: fit a loss-curve law to observed curves.
//===----------------------------------------------------------------------===//
import ArgumentParser
import Pace
import PaceLaws

/// One curve to fit: `SCHEDULE:CSV` (a spec file and a CSV of step, loss)
/// or a CSV alone whose `lr` column gives the schedule (step, lr, loss).
struct CurveArgument {
  var curve: LossCurve
  var dropped: Int
  var skipped: Int

  init(_ argument: String, warmupSteps: Int?, dropPastEnd: Bool) throws(CommandError) {
    guard let colon = argument.lastIndex(of: ":") else {
      let table = try LossTable(path: argument)
      guard table.hasLR else {
        throw CommandError("--curve '\(argument)': this CSV has no 'lr' column: give SCHEDULE:CSV (a spec file, a colon, a CSV file)")
      }
      do throws(LawError) {
        (curve, skipped) = try table.log.curve(warmupSteps: warmupSteps)
      } catch {
        throw CommandError(error.description)
      }
      dropped = 0
      return
    }
    let specPath = String(argument[..<colon])
    let csvPath = String(argument[argument.index(after: colon)...])
    guard !specPath.isEmpty, !csvPath.isEmpty else {
      throw CommandError("--curve '\(argument)': expected SCHEDULE:CSV or a CSV with an 'lr' column")
    }
    let spec = try SpecArgument(specPath)
    let table = try LossTable(path: csvPath)
    let (steps, losses) = (table.steps, table.losses)
    let total = spec.schedule.totalSteps
    var keepSteps = steps, keepLosses = losses
    var dropped = 0
    if dropPastEnd, let total, total > 0 {
      let keep = steps.indices.filter { Int64(steps[$0]) < total }
      dropped = steps.count - keep.count
      keepSteps = keep.map { steps[$0] }
      keepLosses = keep.map { losses[$0] }
    }
    guard let last = keepSteps.max() else { throw CommandError("\(csvPath): no data rows") }
    let count = if let total, total > 0 { Int(Swift.min(total, 1 << 31)) } else { last + 1 }
    do throws(LawError) {
      let sequence = try LRSequence(schedule: spec.schedule, count: count, warmupSteps: warmupSteps)
      let log = try RunLog(name: csvPath, steps: keepSteps, lrs: nil, losses: keepLosses)
      let skippedHere: Int
      (curve, skippedHere) = try log.curve(sequence: sequence)
      skipped = table.skipped + skippedHere
    } catch {
      var message = error.description
      if case .argument = error, message.contains("beyond the schedule") { message += " (--drop-past-end ignores such rows)" }
      throw CommandError(message)
    }
    self.dropped = dropped
  }
}

/// A float for tables: 6 significant digits.
func short(_ x: Double) -> String { Format.sci(x, digits: 6) }

struct Fit: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Fit a loss-curve law (multi_power or annealing) to observed loss curves.",
    discussion: """
      Each --curve is SCHEDULE:CSV (a schedule spec file and a CSV whose header names the columns \
      'step' and 'loss') or a CSV alone whose 'lr' column gives the schedule (columns step, lr, loss; \
      the LR is linear between logged rows and from 0 at step 0 up to the first: docs/laws.md). Header \
      names are case-insensitive ('learning_rate' for 'lr'); other columns are ignored. Rows with an \
      empty or NaN loss, and step 0, are skipped. The fit minimises the Huber loss of the log \
      residuals over every curve from the references' multi-start grid (docs/laws.md); the \
      defaults are each law's cross-validated default fit: multi_power adam (lm when the recipe \
      leaves the law's domain), annealing lm with lambda fitted; warmup sum, Huber delta 1e-2. --json prints the law as JSON \
      ({"law", "params", "fit"}), which 'pace predict' and 'pace search' read. With --interval \
      LEVEL (at least 2 curves) the law also gets a prediction interval calibrated by \
      leave-one-curve-out fits (one more fit per curve): printed, and saved with the law for \
      'pace predict --interval' and 'pace plot --interval'.
      """)

  @Option(help: "The law: multi_power or annealing.")
  var law: String = "multi_power"

  @Option(name: .customLong("curve"), help: "SCHEDULE:CSV, or a CSV with an lr column (repeat for several curves).")
  var curves: [String] = []

  @Flag(help: "Show the fit's progress on stderr (default: when stderr is a terminal).")
  var progress = false

  @Flag(help: "Print the fitted law as JSON.")
  var json = false

  @Option(help: "Also write the fitted law (JSON) to this file.")
  var out: String?

  @Option(help: "auto (the law's cross-validated default: adam for multi_power, lm for annealing), lm (Levenberg-Marquardt to convergence) or adam (the multi-power study's early-stopped AdamW recipe).")
  var method: String = Fit.autoMethod

  @Option(help: "Warmup convention: raw, peak or sum (default: the law's cross-validated default, sum).")
  var warmup: String?

  @Option(help: "Huber threshold on log residuals, > 0 (default: the law's cross-validated default, 1e-2).")
  var huberDelta: Double?

  @Option(help: "Warmup length in steps (default: up to the first step at the peak LR).")
  var warmupSteps: Int?

  @Flag(inversion: .prefixedNo, help: "annealing: fit lambda too (default), or keep it fixed.")
  var fitLambda = FitOptions().fitLambda

  @Option(help: "annealing: lambda (fixed, or the start with --fit-lambda).")
  var lambda: Double = 0.999

  @Flag(help: "Ignore CSV rows at or past the schedule's total steps.")
  var dropPastEnd = false

  @Option(help: "Also calibrate a prediction interval (leave-one-curve-out fits, >= 2 curves) and print it at this level in (0, 1), e.g. 0.9; --out and --json keep it with the law.")
  var interval: Double?

  /// The --method value for the law's cross-validated default.
  static let autoMethod = "auto"

  func run() throws {
    try reporting { () throws(CommandError) in
      guard let kind = LawKind(name: law) else { throw CommandError("--law must be multi_power or annealing, got '\(law)'") }
      guard !curves.isEmpty else { throw CommandError("give at least one --curve SCHEDULE:CSV (or --curve CSV with an lr column)") }
      var options = FitOptions()
      if method != Fit.autoMethod {
        guard let m = FitMethod(rawValue: method) else {
          throw CommandError("--method must be \(Fit.autoMethod), lm or adam, got '\(method)'")
        }
        options.method = m
      }
      if let interval {
        guard interval.isFinite, PredictionInterval.isValidLevel(interval) else {
          throw CommandError("--interval must be a level in (0, 1), e.g. 0.9; got \(interval)")
        }
        guard curves.count >= 2 else {
          throw CommandError("--interval needs at least 2 curves (each is predicted by a fit on the others)")
        }
      }
      if let warmup {
        guard let w = WarmupMode(rawValue: warmup) else { throw CommandError("--warmup must be raw, peak or sum, got '\(warmup)'") }
        options.warmup = w
      }
      if let huberDelta {
        guard huberDelta > 0, huberDelta.isFinite else { throw CommandError("--huber-delta must be finite and > 0, got \(huberDelta)") }
        options.huberDelta = huberDelta
      }
      options.fitLambda = fitLambda
      options.lambda = lambda
      var loaded: [LossCurve] = []
      for c in curves {
        let arg = try CurveArgument(c, warmupSteps: warmupSteps, dropPastEnd: dropPastEnd)
        if arg.dropped > 0 { printError("pace fit: \(arg.curve.name): ignored \(arg.dropped) row(s) past the schedule's end") }
        if arg.skipped > 0 { printError("pace fit: \(arg.curve.name): skipped \(arg.skipped) row(s) without a finite loss or at step 0 (S1 = 0)") }
        loaded.append(arg.curve)
      }
      let clock = ContinuousClock()
      let start = clock.now
      let fitted: FittedLaw
      let points = loaded.reduce(0) { $0 + $1.steps.count }
      let ticker = ProgressTicker(enabled: progress || ProgressTicker.stderrIsTerminal,
                                  what: "fitting \(kind.rawValue) to \(loaded.count) curve(s), \(points) points"
                                    + (interval == nil ? "" : ", and \(loaded.count) leave-one-curve-out fits for the interval"))
      var band: PredictionInterval?
      do throws(LawError) {
        fitted = try LawFitter.fit(kind, curves: loaded, options: options)
      } catch {
        ticker.finish("failed")
        throw CommandError("fit failed: \(error.description)")
      }
      if interval != nil {
        do throws(LawError) {
          band = try PredictionInterval.leaveOneCurveOut(kind, curves: loaded, options: options)
        } catch {
          ticker.finish("failed")
          throw CommandError("the prediction interval's leave-one-curve-out fits failed: \(error.description)")
        }
      }
      ticker.finish("done")
      let seconds = (clock.now - start).seconds
      let text = fitted.law.jsonText(report: fitted.report, interval: band)
      if let out { try writeAll(text + "\n", to: out) }
      if json {
        print(text)
        return
      }
      let used = fitted.report.method ?? options.resolvedMethod(for: kind)
      print("law: \(kind.rawValue) (warmup \(fitted.law.warmup.rawValue), method \(used.rawValue)"
            + "\(options.method == nil ? ", the law's default" : ""), "
            + "huber delta \(Format.sci(options.resolvedHuberDelta(for: kind), digits: 3)))")
      for (name, value) in fitted.law.namedParameters { print(Format.pad(name, 8) + "  " + short(value)) }
      let r = fitted.report
      print("fit: \(r.points) points, \(r.curves) curve(s), objective \(short(r.objective)), \(r.starts) starts, \(r.iterations) iterations, \(Format.sci(seconds, digits: 3)) s")
      print(Format.pad("curve", 28) + Format.pad("R2", 12) + Format.pad("MAE", 12) + Format.pad("RMSE", 12)
            + Format.pad("PredE", 12) + Format.pad("WorstE", 12))
      for (c, mt) in zip(loaded, r.perCurve) {
        let name = c.name.split(separator: "/").last.map(String.init) ?? c.name
        print(Format.pad(name, 28) + Format.pad(Format.sci(mt.r2, digits: 5), 12) + Format.pad(short(mt.mae), 12)
              + Format.pad(short(mt.rmse), 12) + Format.pad(short(mt.predE), 12) + Format.pad(short(mt.worstE), 12))
      }
      if let band, let interval {
        let factors = band.bounds([1], level: interval)
        print("\(percent(interval))% prediction interval: the prediction x [\(Format.sci(factors.lower[0], digits: 5)), "
              + "\(Format.sci(factors.upper[0], digits: 5))] (leave-one-curve-out residuals of \(band.curves) curves, "
              + "\(band.points) points)")
      }
      if let out { print("saved: \(out)\(band == nil ? "" : " (with the prediction interval)")") }
    }
  }
}

extension Duration {
  var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
