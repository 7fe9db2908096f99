//===--- Plot.swift -------------------------------------------------------===//
// `pace plot`: schedules on one chart, or observed and predicted loss curves.
//===----------------------------------------------------------------------===//
import ArgumentParser
import Pace
import PaceLaws
import PacePlot

struct Plot: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Draw schedules, or observed and predicted loss curves, on one SVG chart.",
    discussion: """
      Schedules: pace plot SPEC... -o lr.svg. Loss curves: pace plot --observed CSV [--observed CSV ...] \\
      [--law LAW.json] -o loss.svg draws each CSV's losses (columns step and loss) and, with --law, \\
      the law's predicted curve for each; the schedule of curve i is SPEC i when SPECs are given, \\
      else the CSV's lr column. With --interval LEVEL (e.g. 0.9) the prediction interval saved \
      with the law is drawn as a shaded band around each predicted curve.
      """)

  @Argument(help: "The schedules: files, JSON texts, or '-'.")
  var specs: [String] = []

  @Option(name: .shortAndLong, help: "The SVG file to write.")
  var output: String

  @Option(help: "Steps to draw (default: the longest total among the schedules).")
  var count: Int64?

  @Option(help: "Chart title.")
  var title: String?

  @Option(help: "Labels of the schedules, comma-separated (default: file or preset names).")
  var labels: String?

  @Flag(help: "Logarithmic value axis.")
  var log = false

  @Option(help: "An observed loss CSV (repeat for several): draws loss curves instead of schedules.")
  var observed: [String] = []

  @Option(help: "A law (from 'pace fit --out') whose predictions of the observed curves are drawn too.")
  var law: String?

  @Option(help: "With --law: draw its prediction interval at this level in (0, 1), e.g. 0.9, as a band.")
  var interval: Double?

  func run() throws {
    try reporting { () throws(CommandError) in
      if !observed.isEmpty {
        try plotLosses()
        return
      }
      if law != nil { throw CommandError("--law needs at least one --observed CSV") }
      if interval != nil { throw CommandError("--interval needs --law and at least one --observed CSV") }
      let arguments = try specs.map { (s: String) throws(CommandError) -> SpecArgument in try SpecArgument(s) }
      guard !arguments.isEmpty else { throw CommandError("give at least one SPEC (or --observed CSV)") }
      let names = labels.map { $0.split(separator: ",").map(String.init) } ?? []
      let longest = arguments.compactMap { $0.schedule.totalSteps }.max()
      guard let n = count ?? longest.flatMap({ $0 > 0 ? $0 : nil }) else {
        throw CommandError("every schedule is open-ended: give --count N")
      }
      guard n >= 2 && n <= 1 << 40 else { throw CommandError("--count must be in [2, 2^40], got \(n)") }
      let series = arguments.enumerated().map { i, a in
        Series(label: i < names.count ? names[i] : a.label, schedule: a.schedule, steps: n)
      }
      let chart = LineChart(title: title ?? "Schedules", yLabel: "learning rate", logY: log, series: series)
      try writeAll(chart.svg(), to: output)
      print("wrote \(output) (\(series.count) schedule(s), \(n) steps)")
    }
  }

  /// Observed losses and, with --law, the predicted curves.
  func plotLosses() throws(CommandError) {
    guard specs.isEmpty || specs.count == observed.count else {
      throw CommandError("give one SPEC per --observed CSV (\(observed.count)), or none to use the CSVs' lr columns")
    }
    if interval != nil && law == nil { throw CommandError("--interval needs --law") }
    let saved = try law.map { (path: String) throws(CommandError) in try loadLawWithInterval(path, level: interval) }
    let loaded = saved?.law
    var series: [Series] = []
    var bands: [Band] = []
    var scores: [String] = []
    for (i, csv) in observed.enumerated() {
      let spec = specs.isEmpty ? nil : try SpecArgument(specs[i])
      if let loaded {
        let curve = try ObservedCurve(csv: csv, spec: spec)
        series.append(curve.observedSeries)
        let predicted = try curve.predictedSeries(loaded)
        series.append(predicted)
        if let band = saved?.interval, let level = interval {
          let (lower, upper) = band.bounds(predicted.points.map(\.y), level: level)
          bands.append(Band(label: "\(curve.table.name) \(percent(level))% interval",
                            points: predicted.points.indices.map { (predicted.points[$0].x, lower[$0], upper[$0]) },
                            seriesIndex: series.count - 1))
        }
        let m = try curve.metrics(loaded)
        scores.append("\(curve.table.name): PredE \(short(m.predE)), R2 \(Format.sci(m.r2, digits: 5))")
      } else {
        let table = try LossTable(path: csv)
        series.append(Series(label: "\(table.name) observed", points: zip(table.steps, table.losses).map { (Double($0), $1) }))
      }
    }
    var chart = LineChart(title: title ?? (loaded == nil ? "Loss curves" : "Observed and predicted loss"),
                          yLabel: "loss", logY: log, series: series)
    chart.yFromZero = false
    chart.bands = bands
    try writeAll(chart.svg(), to: output)
    print("wrote \(output) (\(observed.count) observed curve(s)\(loaded == nil ? "" : " and their predictions"))")
    for line in scores { print("  " + line) }
  }
}
