//===--- Show.swift -------------------------------------------------------===//
// `pace show SPEC`: values at chosen steps and a summary.
//===----------------------------------------------------------------------===//
import ArgumentParser
import Pace

struct Show: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print a schedule's values at chosen steps and a summary; summarise a runtime config, checkpoint or saved law.",
    discussion: """
      The file is recognised by its content (as 'pace validate' does). For a schedule spec: values at \
      chosen steps, peak, final value, total steps and area. For a runtime config or checkpoint: its \
      channels (value now, peak, end, the segment in force), groups and, for a checkpoint, the step \
      and gradient norms, and each channel's played schedule (one segment per piece of its \
      timeline: the base schedule, then one per event), whose spec --played prints: 'pace plot' \
      and 'pace predict' take it as a spec, and it gives the values played bit for bit. For a saved \
      law: its parameters.
      """)

  @Argument(help: "A spec, runtime config, runtime checkpoint or saved law: a file, JSON text, or '-'.")
  var spec: String

  @Option(help: "Comma-separated steps to print (default: 0, every phase boundary, and 10 evenly spaced steps).")
  var steps: String?

  @Option(help: "Steps to summarise, for open-ended schedules (default: the schedule's total steps).")
  var count: Int64?

  @Flag(help: "Print the canonical expansion of the spec too.")
  var canonical = false

  @Flag(help: "For a checkpoint: print each channel's played schedule as spec JSON.")
  var played = false

  func run() throws {
    try reporting { () throws(CommandError) in
      let file = try PaceFile(spec)
      guard case .spec(let argument) = file else {
        print("\(PaceFile.label(spec)): \(file.kindLine)")
        for line in file.summary() { print("  " + line) }
        if case .checkpoint(let rt, _) = file { printPlayed(rt) }
        return
      }
      let schedule = argument.schedule
      let total = schedule.totalSteps
      guard let n = count ?? total.flatMap({ $0 > 0 ? $0 : nil }) else {
        throw CommandError("the schedule is open-ended: give --count N to choose how many steps to summarise")
      }
      guard n >= 1 && n <= 1 << 40 else { throw CommandError("--count must be in [1, 2^40], got \(n)") }
      var chosen: [Int64]
      if let steps {
        chosen = []
        for part in steps.split(separator: ",") {
          guard let t = Int64(part.trimmingSpaces), t >= 0 else {
            throw CommandError("--steps: '\(part)' is not a step (an integer >= 0)")
          }
          chosen.append(t)
        }
      } else {
        var set = Set(schedule.boundarySteps(below: n).filter { t in
          schedule.startBuffer.contains(Double(t)) || schedule.endBuffer.contains(Double(t)) })
        for i in 0...10 { set.insert(Int64(i) * (n - 1) / 10) }
        set.insert(0)
        chosen = set.sorted()
      }
      print("schedule: \(argument.label)")
      if canonical { print("canonical: \(schedule.canonicalText)") }
      print(Format.pad("step", 14) + Format.pad("value", 16) + Format.pad("multiplier", 14))
      for t in chosen {
        print(Format.pad(String(t), 14) + Format.pad(Format.sci(schedule.value(at: t)), 16)
              + Format.pad(Format.sci(schedule.multiplier(at: t), digits: 4), 14))
      }
      let summary = schedule.summary(steps: n)
      print("")
      print("total steps   \(total.map { String($0) } ?? "open-ended (summary over \(n))")")
      print("peak          \(Format.sci(summary.peak)) at step \(summary.peakStep)")
      print("final value   \(Format.sci(summary.final)) at step \(n - 1)")
      print("area (S1)     \(Format.sci(summary.area)) (sum of the values of steps 0..<\(n))")
    }
  }
}

extension Show {
  /// Each channel's played schedule: its segments' starts, or its spec
  /// with `--played`; a channel without one (re-planned online) says why.
  func printPlayed(_ rt: Runtime) {
    print("  events applied: \(rt.events.count)")
    for channel in rt.channels {
      do throws(RuntimeError) {
        let schedule = try rt.playedSchedule(channel: channel.name)
        let text = schedule.canonicalText
        if played {
          print("  played spec of \(channel.name): \(text)")
        } else {
          let starts = schedule.startBuffer.map { String(Int64($0)) }.joined(separator: ", ")
          print("  played schedule of \(channel.name): \(schedule.itemBuffer.count) segment(s) from steps \(starts); "
                + "spec of \(text.utf8.count) bytes (--played prints it)")
        }
      } catch {
        print("  played schedule of \(channel.name): no spec: \(error.description)")
      }
    }
  }
}

extension Substring {
  var trimmingSpaces: String {
    String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
  }
}
