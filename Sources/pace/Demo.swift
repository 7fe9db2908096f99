//===--- Demo.swift -------------------------------------------------------===//
// `pace demo`: the law, search and schedule part of the demo story (make demo).
//===----------------------------------------------------------------------===//
import ArgumentParser
import Pace
import PacePlot

struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "The story on built-in data: a law fitted to the bundled curves predicts unseen ones and searches a schedule.",
    discussion: """
      Fits the multi-power law to three of the bundled 25M loss curves (data/loss-curves/25M), \
      scores its predictions of the six others, searches the schedule of least predicted final loss \
      for a budget and compares it with cosine and WSD, and plots the schedules people compare. \
      Writes SVG charts, law.json, searched.json, manifest.tsv, summary.txt and index.html to the \
      output folder. 'make demo' (scripts/run-demo) then trains a small numpy model under these \
      schedules (scripts/demo_train.py) and renders the page again with --page-only.
      """)

  @Option(name: .shortAndLong, help: "Folder for the charts and the page.")
  var output = "build/demo"

  @Option(help: "Run length of the schedule overview chart, in steps.")
  var steps: Int64 = 10_000

  @Option(help: "Folder of the bundled loss curves (NAME.json + NAME.csv).")
  var data = "data/loss-curves/25M"

  @Option(help: "Budget of the schedule search, in steps.")
  var budget = 24_000

  @Flag(help: "Only render index.html from the output folder's manifest.tsv.")
  var pageOnly = false

  @Flag(help: "Only the schedule overview (no law fit, no search).")
  var schedulesOnly = false

  /// (group, label, spec) of every demo schedule, for a run of `t` steps.
  static func catalogue(_ t: Int64) -> [(String, String, String)] {
    let w = t / 20
    let d = t / 5
    var out: [(String, String, String)] = [
      ("overview", "cosine", #"{"preset":"cosine","peak":3e-4,"warmup_steps":\#(w),"total_steps":\#(t),"min_ratio":0.1}"#),
    ]
    for shape in ["linear", "cosine", "sqrt", "square", "exponential"] {
      out.append(("wsd", "wsd-\(shape)", #"{"preset":"wsd","peak":3e-4,"warmup_steps":\#(w),"decay_steps":\#(d),"total_steps":\#(t),"decay_type":"\#(shape)","min_ratio":0.01}"#))
    }
    out.append(("overview", "rex", #"{"preset":"rex","peak":3e-4,"warmup_steps":\#(w),"total_steps":\#(t),"min_ratio":0.01}"#))
    for phi in ["0.5", "1", "2", "4"] {
      out.append(("uba", "uba-phi\(phi)", #"{"preset":"uba","peak":3e-4,"warmup_steps":\#(w),"total_steps":\#(t),"phi":\#(phi)}"#))
    }
    out.append(("overview", "power", #"{"preset":"power","peak":3e-4,"a":4,"b":-0.51,"tokens_per_step":4194304,"warmup_steps":\#(w),"decay_steps":\#(d),"total_steps":\#(t)}"#))
    out.append(("overview", "infinite", #"{"preset":"infinite","peak":3e-4,"warmup_steps":\#(w),"cooldown_steps":\#(t / 4),"constant_ratio":0.3,"anneal_steps":\#(t / 10),"min_ratio":0.01,"total_steps":\#(t)}"#))
    return out
  }

  func run() throws {
    try reporting { () throws(CommandError) in
      if pageOnly {
        print("wrote \(try DemoPage.render(output))")
        return
      }
      guard steps >= 100 && steps <= 100_000_000 else { throw CommandError("--steps must be in [100, 10^8]") }
      guard budget >= 1000 && budget <= 10_000_000 else { throw CommandError("--budget must be in [1000, 10^7]") }
      mkdirs(output)
      var entries: [DemoPage.Entry] = []
      var summary: [String] = []
      if !schedulesOnly {
        var laws = DemoLaws(data: data, output: output)
        let law = try laws.run()
        try laws.search(law, budget: budget, peak: 3e-4)
        entries += laws.entries
        summary += laws.summary
        print("")
      }
      entries += try overview()
      try writeAll(entries.map(DemoPage.line).joined(separator: "\n") + "\n", to: output + "/" + DemoPage.manifestName)
      try writeAll(summary.joined(separator: "\n") + "\n", to: output + "/summary.txt")
      print("\nCharts and page: \(try DemoPage.render(output))")
    }
  }

  /// The schedules people compare: a table of values and two charts.
  func overview() throws(CommandError) -> [DemoPage.Entry] {
    let catalogue = Self.catalogue(steps)
    var schedules: [(group: String, label: String, schedule: Schedule)] = []
    for (group, label, spec) in catalogue {
      do throws(SpecError) {
        schedules.append((group, label, try Schedule.parse(spec)))
      } catch {
        throw CommandError("built-in \(label): \(error)")
      }
    }
    print("3. The schedules people compare: \(schedules.count) schedules over \(steps) steps (peak 3e-4)\n")
    let probes: [Int64] = [0, steps / 20, steps / 4, steps / 2, steps * 3 / 4, steps * 9 / 10, steps - 1]
    var header = Format.pad("schedule", 14)
    for t in probes { header += Format.pad("t=\(t)", 12) }
    header += Format.pad("area (S1)", 12)
    print(header)
    for (_, label, schedule) in schedules {
      var line = Format.pad(label, 14)
      for t in probes { line += Format.pad(Format.sci(schedule.value(at: t), digits: 3), 12) }
      line += Format.pad(Format.sci(schedule.summary(steps: steps).area, digits: 4), 12)
      print(line)
    }
    let overview = schedules.filter { $0.group == "overview" || $0.label == "wsd-sqrt" }
    let wsd = schedules.filter { $0.group == "wsd" }
    try writeAll(LineChart(title: "Schedules people compare", yLabel: "learning rate",
                           series: overview.map { Series(label: $0.label, schedule: $0.schedule, steps: steps) }).svg(),
                 to: output + "/schedules.svg")
    try writeAll(LineChart(title: "WSD: cooldown shapes (last 20%)", yLabel: "learning rate",
                           series: wsd.map { Series(label: $0.label, schedule: $0.schedule, steps: steps) }).svg(),
                 to: output + "/wsd-cooldowns.svg")
    return [
      DemoPage.Entry(file: "schedules.svg", title: "Schedules people compare",
                     sentence: "Cosine, WSD, REX, Power and the infinite schedule, each one line of JSON (docs/schedule-spec.md)."),
      DemoPage.Entry(file: "wsd-cooldowns.svg", title: "WSD cooldown shapes",
                     sentence: "The same WSD run with five cooldown shapes: the shape is one field of the spec."),
    ]
  }
}
