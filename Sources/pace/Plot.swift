//===--- Plot.swift -------------------------------------------------------===//
// `pace plot SPEC... -o FILE.svg`: several schedules on one chart.
//===----------------------------------------------------------------------===//
import ArgumentParser
import Pace
import PacePlot

struct Plot: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Draw schedules on one SVG chart (axes with ticks, legend, optional log scale).")

  @Argument(help: "The schedules: files, JSON texts, or '-'.")
  var specs: [String]

  @Option(name: .shortAndLong, help: "The SVG file to write.")
  var output: String

  @Option(help: "Steps to draw (default: the longest total among the schedules).")
  var count: Int64?

  @Option(help: "Chart title.")
  var title = "Schedules"

  @Option(help: "Labels of the schedules, comma-separated (default: file or preset names).")
  var labels: String?

  @Flag(help: "Logarithmic value axis.")
  var log = false

  func run() throws {
    try reporting { () throws(CommandError) in
      let arguments = try specs.map { (s: String) throws(CommandError) -> SpecArgument in try SpecArgument(s) }
      guard !arguments.isEmpty else { throw CommandError("give at least one SPEC") }
      let names = labels.map { $0.split(separator: ",").map(String.init) } ?? []
      let longest = arguments.map { $0.schedule.totalSteps }.max() ?? -1
      guard let n = count ?? (longest > 0 ? longest : nil) else {
        throw CommandError("every schedule is open-ended: give --count N")
      }
      guard n >= 2 && n <= 1 << 40 else { throw CommandError("--count must be in [2, 2^40], got \(n)") }
      let series = arguments.enumerated().map { i, a in
        Series(label: i < names.count ? names[i] : a.label, schedule: a.schedule, steps: n)
      }
      let chart = LineChart(title: title, yLabel: "learning rate", logY: log, series: series)
      try writeAll(chart.svg(), to: output)
      print("wrote \(output) (\(series.count) schedule(s), \(n) steps)")
    }
  }
}
