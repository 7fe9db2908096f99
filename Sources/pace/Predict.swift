//===--- Predict.swift ----------------------------------------------------===//
// `pace predict LAW.json SCHEDULE`: the loss a law predicts for a schedule.
//===----------------------------------------------------------------------===//
import ArgumentParser
import Pace
import PaceLaws

/// Reads a law saved by `pace fit --json` / `--out` (or `pace.laws.Law.save`).
func loadLaw(_ path: String) throws(CommandError) -> LossLaw {
  try loadLawWithInterval(path, level: nil).law
}

/// Reads a saved law and, when `level` is given, its prediction interval
/// (an error when the law has none, or the level is outside (0, 1)).
func loadLawWithInterval(_ path: String, level: Double?) throws(CommandError)
  -> (law: LossLaw, interval: PredictionInterval?) {
  let bytes = try readAll(path: path)
  let saved: (law: LossLaw, report: FitReport?, interval: PredictionInterval?)
  do throws(LawError) {
    saved = try LossLaw.loadSaved(savedLawText(bytes))
  } catch {
    throw CommandError("\(path): \(error.description)")
  }
  guard let level else { return (saved.law, nil) }
  guard level.isFinite, PredictionInterval.isValidLevel(level) else {
    throw CommandError("--interval must be a level in (0, 1), e.g. 0.9; got \(level)")
  }
  guard let interval = saved.interval else {
    throw CommandError("\(path) has no prediction interval: fit the law with one (pace.laws.Law.fit(..., "
                       + "interval=True) or pace_law_fit_interval; docs/laws.md)")
  }
  return (saved.law, interval)
}

/// A saved law's text without the trailing whitespace a file ends with
/// (`pace fit --out` and `pace.laws.Law.save(path)` end it with a newline,
/// which the library's loader, bounded by the declared length, refuses).
func savedLawText(_ bytes: [UInt8]) -> String {
  var end = bytes.count
  while end > 0, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[end - 1]) { end -= 1 }
  return String(decoding: bytes[..<end], as: UTF8.self)
}

/// A fraction in [0, 1] as a percentage with at most one decimal ("90", "97.5").
func percent(_ fraction: Double) -> String {
  let tenths = (Swift.max(0, Swift.min(1, fraction)) * 1000).rounded()
  return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
}

/// Comma-separated steps.
func parseSteps(_ text: String, option: String) throws(CommandError) -> [Int] {
  var out: [Int] = []
  for part in text.split(separator: ",") {
    guard let t = Int(part.trimmingSpaces), t >= 0 else {
      throw CommandError("\(option): '\(part)' is not a step (an integer >= 0)")
    }
    out.append(t)
  }
  guard !out.isEmpty else { throw CommandError("\(option): no steps") }
  return out
}

struct Predict: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Predict the training loss of a schedule with a fitted law; score it against an observed curve.",
    discussion: """
      With --observed CSV (columns step and loss, optionally lr), the law predicts the loss at every \
      logged step of the CSV and the prediction is scored: PredE (mean |relative error|), WorstE, \
      R^2, MAE and RMSE. The schedule is SPEC when given, else the CSV's lr column. \
      With --interval LEVEL (e.g. 0.9) the prediction interval saved with the law is printed too \
      (lower and upper columns), and with --observed its coverage of the observed losses.
      """)

  @Argument(help: "The law, as written by 'pace fit --json' or '--out'.")
  var lawFile: String

  @Argument(help: "The schedule: a file, JSON text, or '-' (optional with an --observed CSV that has an lr column).")
  var spec: String?

  @Option(help: "An observed loss CSV to score the prediction against.")
  var observed: String?

  @Option(help: "Comma-separated steps (default: 10 evenly spaced steps and the last).")
  var steps: String?

  @Option(help: "Steps of an open-ended schedule to consider.")
  var count: Int?

  @Option(help: "Prediction interval level in (0, 1), e.g. 0.9 (the law must carry a calibrated interval).")
  var interval: Double?

  @Flag(help: "Print JSON: {\"law\", \"steps\", \"lr\", \"loss\"} (and \"level\", \"lower\", \"upper\" with --interval).")
  var json = false

  func run() throws {
    try reporting { () throws(CommandError) in
      let (law, band) = try loadLawWithInterval(lawFile, level: interval)
      if let observed {
        try score(law, band, observed: observed)
        return
      }
      guard let spec else { throw CommandError("give a SPEC (or --observed CSV)") }
      let schedule = try SpecArgument(spec).schedule
      let total = schedule.totalSteps
      var chosen: [Int]
      if let steps { chosen = try parseSteps(steps, option: "--steps") } else { chosen = [] }
      guard let n = count ?? (total.flatMap { $0 > 0 ? Int(Swift.min($0, 1 << 31)) : nil } ?? chosen.max().map { $0 + 1 }) else {
        throw CommandError("the schedule is open-ended: give --count N or --steps")
      }
      if chosen.isEmpty {
        chosen = Array(Set((1...10).map { Swift.max(1, $0 * (n - 1) / 10) })).sorted()
      }
      if let bad = chosen.first(where: { $0 >= n }) {
        throw CommandError("--steps: step \(bad) is beyond the schedule (its last step is \(n - 1))")
      }
      let values: [Double]
      let sequence: LRSequence
      do throws(LawError) {
        sequence = try LRSequence(schedule: schedule, count: n)
        values = try law.predict(sequence, at: chosen)
      } catch {
        throw CommandError(error.description)
      }
      let bounds = band.map { $0.bounds(values, level: interval ?? 0.9) }
      if json {
        let lr = chosen.map { sequence.rates[$0] }
        var text = "{\"law\":\"\(law.kind.rawValue)\",\"steps\":[\(chosen.map(String.init).joined(separator: ","))],"
          + "\"lr\":[\(lr.map { JSONWriter.number($0) }.joined(separator: ","))],\"loss\":[\(jsonList(values))]"
        if let bounds, let interval {
          text += ",\"level\":\(JSONWriter.number(interval)),\"lower\":[\(jsonList(bounds.lower))],"
            + "\"upper\":[\(jsonList(bounds.upper))]"
        }
        print(text + "}")
        return
      }
      print(Format.pad("step", 12) + Format.pad("lr", 16) + Format.pad("loss", 16)
            + (bounds == nil ? "" : Format.pad("lower", 16) + Format.pad("upper", 16)))
      for (i, (t, v)) in zip(chosen, values).enumerated() {
        print(Format.pad(String(t), 12) + Format.pad(short(sequence.rates[t]), 16) + Format.pad(short(v), 16)
              + (bounds.map { Format.pad(short($0.lower[i]), 16) + Format.pad(short($0.upper[i]), 16) } ?? ""))
      }
      if let band, let interval {
        print("\(percent(interval))% prediction interval: leave-one-curve-out residuals of "
              + "\(band.curves) curves (\(band.points) points)")
      }
    }
  }

  /// Numbers as a JSON list (non-finite values as null).
  func jsonList(_ xs: [Double]) -> String {
    xs.map { $0.isFinite ? JSONWriter.number($0) : "null" }.joined(separator: ",")
  }

  /// Scores the law's prediction of an observed CSV (and, with a band, the
  /// interval's coverage: the fraction of observed losses inside it).
  func score(_ law: LossLaw, _ band: PredictionInterval?, observed: String) throws(CommandError) {
    let curve = try ObservedCurve(csv: observed, spec: try spec.map { (s: String) throws(CommandError) in try SpecArgument(s) })
    let predicted = try curve.predictions(law)
    let m = LawMetrics(observed: curve.table.losses, predicted: predicted)
    let level = interval ?? 0.9
    let bounds = band.map { $0.bounds(predicted, level: level) }
    let coverage = bounds.map { b in
      Double(zip(curve.table.losses.indices, curve.table.losses).filter { i, o in b.lower[i] <= o && o <= b.upper[i] }.count)
        / Double(Swift.max(1, m.points))
    }
    if json {
      var text = "{\"law\":\"\(law.kind.rawValue)\",\"steps\":[\(curve.table.steps.map(String.init).joined(separator: ","))],"
        + "\"observed\":[\(jsonList(curve.table.losses))],\"loss\":[\(jsonList(predicted))],"
        + "\"pred_e\":\(JSONWriter.number(m.predE)),\"worst_e\":\(JSONWriter.number(m.worstE)),"
        + "\"r2\":\(m.r2.isFinite ? JSONWriter.number(m.r2) : "null"),\"mae\":\(JSONWriter.number(m.mae)),"
        + "\"rmse\":\(JSONWriter.number(m.rmse)),\"points\":\(m.points)"
      if let bounds, let coverage {
        text += ",\"level\":\(JSONWriter.number(level)),\"lower\":[\(jsonList(bounds.lower))],"
          + "\"upper\":[\(jsonList(bounds.upper))],\"coverage\":\(JSONWriter.number(coverage))"
      }
      print(text + "}")
      return
    }
    print("observed: \(observed) (\(m.points) points\(curve.table.skipped > 0 ? ", \(curve.table.skipped) rows without a loss skipped" : ""))")
    print(Format.pad("PredE", 14) + Format.pad("WorstE", 14) + Format.pad("R2", 14) + Format.pad("MAE", 14) + "RMSE")
    print(Format.pad(short(m.predE), 14) + Format.pad(short(m.worstE), 14) + Format.pad(Format.sci(m.r2, digits: 6), 14)
          + Format.pad(short(m.mae), 14) + short(m.rmse))
    if let coverage {
      print("\(percent(level))% prediction interval: covers \(percent(coverage))% "
            + "of the observed losses")
    }
  }
}
