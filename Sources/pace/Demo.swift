//===--- Demo.swift -------------------------------------------------------===//
// `pace demo`: the schedules a user is likely to compare, shown and plotted.
//===----------------------------------------------------------------------===//
import ArgumentParser
import Pace
import PacePlot

struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show and plot the schedules people compare (cosine, WSD cooldowns, REX, UBA, Power, infinite).")

  @Option(name: .shortAndLong, help: "Folder for the SVG charts.")
  var output = "build/demo"

  @Option(help: "Run length in steps.")
  var steps: Int64 = 10_000

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
      guard steps >= 100 && steps <= 100_000_000 else { throw CommandError("--steps must be in [100, 10^8]") }
      let catalogue = Self.catalogue(steps)
      var schedules: [(group: String, label: String, schedule: Schedule)] = []
      for (group, label, spec) in catalogue {
        do throws(SpecError) {
          schedules.append((group, label, try Schedule.parse(spec)))
        } catch {
          throw CommandError("built-in \(label): \(error)")
        }
      }
      print("Pace demo: \(schedules.count) schedules over \(steps) steps (peak 3e-4)\n")
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
      mkdirs(output)
      var written: [String] = []
      let groups: [(String, String, [String])] = [
        ("schedules.svg", "Schedules people compare", ["overview", "wsd"]),
        ("wsd-cooldowns.svg", "WSD: cooldown shapes (last 20%)", ["wsd"]),
        ("uba.svg", "UBA for several phi (phi = 2 is cosine)", ["uba", "overview"]),
      ]
      for (file, title, include) in groups {
        let chosen = schedules.filter { s in
          include.contains(s.group) && (include.count == 1 || s.group != "overview" || file == "schedules.svg" || s.label == "cosine")
        }.filter { file != "schedules.svg" || $0.group != "wsd" || $0.label == "wsd-sqrt" }
        let series = chosen.map { Series(label: $0.label, schedule: $0.schedule, steps: steps) }
        let path = output + "/" + file
        try writeAll(LineChart(title: title, yLabel: "learning rate", series: series).svg(), to: path)
        written.append(path)
      }
      let logPath = output + "/schedules-log.svg"
      let all = schedules.map { Series(label: $0.label, schedule: $0.schedule, steps: steps) }
      try writeAll(LineChart(title: "Every demo schedule (log scale)", yLabel: "learning rate", logY: true,
                             series: all).svg(), to: logPath)
      written.append(logPath)
      print("\nCharts written:")
      for path in written { print("  \(path)") }
    }
  }
}
