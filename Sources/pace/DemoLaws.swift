//===--- DemoLaws.swift ---------------------------------------------------===//
// The demo's law part: fit on three bundled 25M curves, predict the six it
// never saw, search the best schedule for a budget, compare cosine and WSD.
//===----------------------------------------------------------------------===//
import Pace
import PaceLaws
import PacePlot

/// The multi-power study's 25M protocol on the bundled curves
/// (data/loss-curves/25M): fit on cosine_24000, constant_24000 and
/// wsdcon_9; predict the other six.
struct DemoLaws {
  static let fitted = ["cosine_24000", "constant_24000", "wsdcon_9"]
  static let heldOut = ["wsd_20000_24000", "wsdld_20000_24000", "wsdcon_3", "wsdcon_18", "cosine_72000", "constant_72000"]

  let data: String
  let output: String
  var entries: [DemoPage.Entry] = []
  var summary: [String] = []

  init(data: String, output: String) {
    self.data = data
    self.output = output
  }

  func curve(_ name: String) throws(CommandError) -> (ObservedCurve, LossCurve) {
    let spec = try SpecArgument("\(data)/\(name).json")
    let observed = try ObservedCurve(csv: "\(data)/\(name).csv", spec: spec)
    do throws(LawError) {
      return (observed, try LossCurve(sequence: observed.sequence, steps: observed.table.steps,
                                      losses: observed.table.losses, name: name))
    } catch {
      throw CommandError("\(name): \(error.description)")
    }
  }

  /// Fits, predicts, searches; writes law.json, searched.json and four charts.
  mutating func run() throws(CommandError) -> LossLaw {
    let training = try Self.fitted.map { (n: String) throws(CommandError) in try curve(n) }
    let points = training.reduce(0) { $0 + $1.1.steps.count }
    let ticker = ProgressTicker(enabled: ProgressTicker.stderrIsTerminal,
                                what: "fitting the multi-power law to \(training.count) curves")
    let fit: FittedLaw
    do throws(LawError) {
      fit = try LawFitter.fit(.multiPower, curves: training.map(\.1))
      ticker.finish("done")
    } catch {
      ticker.finish("failed")
      throw CommandError("fit: \(error.description)")
    }
    let law = fit.law
    try writeAll(law.jsonText(report: fit.report) + "\n", to: output + "/law.json")
    print("1. The multi-power law fitted to \(Self.fitted.joined(separator: ", ")) (\(points) points):")
    print("   " + law.namedParameters.map { "\($0.name) \(Format.sci($0.value, digits: 4))" }.joined(separator: ", "))
    print("   Its predictions of the six curves it never saw:")
    print("   " + Format.pad("curve", 20) + Format.pad("PredE", 12) + Format.pad("WorstE", 12) + Format.pad("R2", 12))
    summary.append("Law fitted to \(Self.fitted.joined(separator: ", ")); predictions of unseen curves:")
    var series24: [Series] = [], series72: [Series] = []
    for name in Self.heldOut {
      let (observed, _) = try curve(name)
      let m = try observed.metrics(law)
      let row = Format.pad(name, 20) + Format.pad(short(m.predE), 12) + Format.pad(short(m.worstE), 12)
        + Format.pad(Format.sci(m.r2, digits: 5), 12)
      print("   " + row)
      summary.append("  " + row)
      let pair = [observed.observedSeries, try observed.predictedSeries(law)]
      if name.hasSuffix("72000") { series72 += pair } else if name.hasPrefix("wsd_") || name.hasPrefix("wsdld") { series24 += pair }
    }
    try chart("laws-heldout-24000.svg", "Unseen 24000-step WSD runs: observed vs predicted",
              "The law, fitted on three other runs, predicts the loss of two WSD cooldowns it never saw.",
              lossChart("Unseen WSD runs (24000 steps): observed vs predicted", series24))
    try chart("laws-heldout-72000.svg", "Unseen 72000-step runs: observed vs predicted",
              "Runs three times longer than any fitted one: the law extrapolates cosine and constant schedules to 72000 steps.",
              lossChart("Unseen 72000-step runs: observed vs predicted", series72))
    return law
  }

  /// Searches the best schedule for `budget` steps and compares it with cosine
  /// and WSD under the law; writes searched.json.
  mutating func search(_ law: LossLaw, budget: Int, peak: Double) throws(CommandError) {
    var options = SearchOptions(budget: budget, peak: peak, warmupSteps: budget * 9 / 100)
    options.families = [.wsd, .cosine, .rex, .uba]
    let warm = options.warmupSteps
    let cosine = #"{"peak":\#(peak),"total_steps":\#(budget),"phases":[{"shape":"linear","steps":\#(warm),"from":0,"to":1},{"shape":"cosine","from":1,"to":0.1}]}"#
    let wsd = #"{"peak":\#(peak),"total_steps":\#(budget),"phases":[{"shape":"linear","steps":\#(warm),"from":0,"to":1},{"shape":"constant","steps":\#(budget * 71 / 100),"from":1},{"shape":"linear","from":1,"to":0}]}"#
    let result: SearchResult
    var bar = ProgressBar("search")
    var named: [(String, String, Double)] = []
    do throws(LawError) {
      result = try ScheduleSearch.search(law, options: options) { bar.update($0, $1) }
      named = [("searched: " + result.best.summary, result.best.spec, result.best.finalLoss),
               ("cosine to 0.1", cosine, try ScheduleSearch.finalLoss(law, spec: cosine, options: options)),
               ("WSD, 20% linear cooldown", wsd, try ScheduleSearch.finalLoss(law, spec: wsd, options: options))]
    } catch {
      throw CommandError("search: \(error.description)")
    }
    try writeAll(result.best.spec + "\n", to: output + "/searched.json")
    print("\n2. The best of \(result.evaluated) schedules for \(budget) steps at peak \(peak), by predicted final loss:")
    summary.append("")
    summary.append("Search over \(result.evaluated) schedules of \(budget) steps (predicted final loss):")
    for (label, _, loss) in named {
      print("   " + Format.pad(short(loss), 14) + "  " + label)
      summary.append("  " + Format.pad(short(loss), 14) + "  " + label)
    }
    var lrSeries: [Series] = [], lossSeries: [Series] = []
    for (label, spec, _) in named {
      let schedule: Schedule
      do throws(SpecError) { schedule = try Schedule.parse(spec) } catch { throw CommandError("\(label): \(error)") }
      lrSeries.append(Series(label: label, schedule: schedule, steps: Int64(budget)))
      do throws(LawError) {
        let sequence = try LRSequence(schedule: schedule, count: budget)
        let steps = stride(from: budget / 10, to: budget, by: budget / 400).map { $0 } + [budget - 1]
        let losses = try law.predict(sequence, at: steps)
        lossSeries.append(Series(label: label, points: zip(steps, losses).map { (Double($0), $1) }))
      } catch {
        throw CommandError("\(label): \(error.description)")
      }
    }
    try chart("search-schedules.svg", "The searched schedule vs cosine and WSD",
              "The schedule the law predicts best for this budget, beside the two schedules people usually pick.",
              LineChart(title: "Searched schedule vs cosine and WSD (\(budget) steps)", yLabel: "learning rate", series: lrSeries))
    try chart("search-loss.svg", "Their predicted loss curves",
              "The law's predicted loss under each: the cooldown buys the final drop, and the searched one ends lowest.",
              lossChart("Predicted loss under each schedule", lossSeries))
  }

  /// A loss chart: the value axis spans the losses, not 0 ... max.
  func lossChart(_ title: String, _ series: [Series]) -> LineChart {
    var chart = LineChart(title: title, yLabel: "loss", series: series)
    chart.yFromZero = false
    return chart
  }

  mutating func chart(_ file: String, _ title: String, _ sentence: String, _ chart: LineChart) throws(CommandError) {
    try writeAll(chart.svg(), to: output + "/" + file)
    entries.append(DemoPage.Entry(file: file, title: title, sentence: sentence))
  }
}
