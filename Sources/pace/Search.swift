//===--- Search.swift -----------------------------------------------------===//
// `pace search LAW.json`: the schedule with the lowest predicted final loss.
//===----------------------------------------------------------------------===//
import ArgumentParser
import Pace
import PaceLaws
import PaceEngine
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on standard error, drawn only when it is a terminal.
struct ProgressBar {
  let label: String
  let enabled: Bool = isatty(2) != 0
  var lastPercent = -1

  init(_ label: String) { self.label = label }

  mutating func update(_ done: Int, _ total: Int) {
    guard enabled, total > 0 else { return }
    let percent = done * 100 / total
    guard percent != lastPercent else { return }
    lastPercent = percent
    let width = 30
    let filled = percent * width / 100
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
    var stderr = StandardError()
    print("\r\(label) [\(bar)] \(percent)% (\(done)/\(total))", terminator: "", to: &stderr)
    if done >= total { print("", to: &stderr) }
  }
}

struct Search: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Find the schedule with the lowest predicted final loss under a fitted law.",
    discussion: """
      Evaluates every member of the chosen families on a grid (wsd: decay fraction x cooldown shape \
      x final ratio; cosine, rex, linear: final ratio; uba: phi x final ratio) after a linear warmup, \
      and prints the best as a schedule spec. The candidates run on every CPU (--threads to choose), \
      with the same winner, bit for bit, on any number of threads. --free-form also optimises a non-increasing per-step \
      schedule by projected gradient on the law and compares both winners with cosine and WSD.
      """)

  @Argument(help: "The law, as written by 'pace fit --json' or '--out'.")
  var lawFile: String

  @Option(help: "Total steps T.")
  var budget: Int

  @Option(help: "Peak learning rate.")
  var peak: Double

  @Option(help: "Warmup steps (linear from 0 to the peak; default 9% of the budget, as the study's 2160 of 24000).")
  var warmup: Int?

  @Option(help: "Comma-separated families: wsd, cosine, rex, uba, linear.")
  var family: String = "wsd,cosine,rex,uba,linear"

  @Option(help: "Worker threads of the search (default: one per CPU).")
  var threads: Int?

  @Flag(help: "Also optimise a free-form non-increasing schedule.")
  var freeForm = false

  @Option(help: "Free-form: projected-gradient iterations.")
  var iterations: Int = 2000

  @Option(help: "Write the best spec to this file.")
  var out: String?

  @Flag(help: "Print a JSON report instead of text.")
  var json = false

  func run() throws {
    try reporting { () throws(CommandError) in
      let law = try loadLaw(lawFile)
      var families: [ScheduleFamily] = []
      for name in family.split(separator: ",") {
        guard let f = ScheduleFamily(rawValue: name.trimmingSpaces.lowercased()) else {
          throw CommandError("--family: unknown family '\(name)' (wsd, cosine, rex, uba, linear)")
        }
        families.append(f)
      }
      guard budget >= 2 else { throw CommandError("--budget must be >= 2, got \(budget)") }
      var options = SearchOptions(budget: budget, peak: peak, warmupSteps: warmup ?? SearchOptions.defaultWarmupSteps(budget: budget))
      options.families = families
      var engine: BatchEngine?
      if let threads {
        guard threads >= 1, threads <= BatchEngine.maxThreads else {
          throw CommandError("--threads must be in [1, \(BatchEngine.maxThreads)], got \(threads)")
        }
        do throws(EngineError) {
          engine = try BatchEngine(threads: threads)
        } catch {
          throw CommandError("--threads: \(error)")
        }
      }
      var bar = ProgressBar("search")
      let result: SearchResult
      var free: FreeFormResult?
      var references: [(String, Double)] = []
      do throws(LawError) {
        result = try ScheduleSearch.search(law, options: options, engine: engine) { bar.update($0, $1) }
        if freeForm {
          var freeBar = ProgressBar("free-form")
          free = try ScheduleSearch.freeForm(law, options: options, iterations: iterations) { freeBar.update($0, $1) }
        }
        // References: cosine to 0.1 peak, WSD with a 20% linear cooldown to 0.
        let cosine = ScheduleSearch.candidates(onlyFamily(options, .cosine, ratios: [0.1]))[0]
        references.append(("cosine (to 0.1 peak)", try ScheduleSearch.finalLoss(law, spec: cosine.spec, options: options)))
        var wsdOptions = onlyFamily(options, .wsd, ratios: [0])
        wsdOptions.decayFractions = [0.2]
        wsdOptions.cooldownShapes = ["linear"]
        let wsd = ScheduleSearch.candidates(wsdOptions)[0]
        references.append(("wsd (20% linear to 0)", try ScheduleSearch.finalLoss(law, spec: wsd.spec, options: options)))
      } catch {
        throw CommandError(error.description)
      }
      let bestSpec = free.map { $0.finalLoss < result.best.finalLoss ? $0.spec : result.best.spec } ?? result.best.spec
      if let out { try writeAll(bestSpec + "\n", to: out) }
      if json {
        var parts = ["\"best\":{\"summary\":\(JSONWriter.quoted(result.best.summary)),\"final_loss\":\(JSONWriter.number(result.best.finalLoss)),\"spec\":\(result.best.spec)}"]
        parts.append("\"families\":[" + result.bestPerFamily.map {
          "{\"summary\":\(JSONWriter.quoted($0.summary)),\"final_loss\":\(JSONWriter.number($0.finalLoss))}" }.joined(separator: ",") + "]")
        parts.append("\"evaluated\":\(result.evaluated),\"seconds\":\(JSONWriter.number(result.seconds)),\"candidates_per_second\":\(JSONWriter.number(result.candidatesPerSecond))")
        parts.append("\"references\":{" + references.map { "\(JSONWriter.quoted($0.0)):\(JSONWriter.number($0.1))" }.joined(separator: ",") + "}")
        if let free { parts.append("\"free_form\":{\"final_loss\":\(JSONWriter.number(free.finalLoss)),\"iterations\":\(free.iterations)}") }
        print("{" + parts.joined(separator: ",") + "}")
        return
      }
      print("searched \(result.evaluated) schedules of \(budget) steps in \(Format.sci(result.seconds, digits: 3)) s (\(Int(result.candidatesPerSecond)) candidates/s)")
      print(Format.pad("predicted final loss", 22) + "  schedule")
      for c in result.bestPerFamily { print(Format.pad(short(c.finalLoss), 22) + "  best " + c.summary) }
      for (name, loss) in references { print(Format.pad(short(loss), 22) + "  " + name) }
      if let free { print(Format.pad(short(free.finalLoss), 22) + "  free-form (\(free.iterations) iterations)") }
      print("best: \(free.map { $0.finalLoss < result.best.finalLoss ? "free-form" : result.best.summary } ?? result.best.summary)")
      if free == nil || bestSpec.count < 4000 { print(bestSpec) } else if let out { print("spec written to \(out)") } else {
        print("(the free-form spec is a \(budget)-step table: use --out FILE to save it)")
      }
    }
  }

  func onlyFamily(_ options: SearchOptions, _ f: ScheduleFamily, ratios: [Double]) -> SearchOptions {
    var o = options
    o.families = [f]
    o.fineRatios = ratios
    o.finalRatios = ratios
    return o
  }
}
