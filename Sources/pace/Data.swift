//===--- Data.swift -------------------------------------------------------===//
// `pace data CONFIG`: a data sampler's first batches, its eligible pool over
// the run, and an SVG of the pacing.
//===----------------------------------------------------------------------===//
import ArgumentParser
import Pace
import PaceData
import PacePlot

struct DataCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "data",
    abstract: "Show a data sampler's first batches and its eligible pool over the run; plot the pacing (SVG).",
    discussion: """
      CONFIG is a sampler config (docs/data.md): a file, the JSON text itself (starting with '{'), or '-' \
      for standard input. Policies that read a per-sample array take it from --scores (and mixtures or \
      per-domain budgets from --domains): text files of numbers separated by spaces, commas or newlines, \
      one per sample.
      """)

  @Argument(help: "The sampler config: a file, JSON text, or '-'.")
  var config: String

  @Option(help: "Per-sample scores (difficulty, IRT difficulty, rating or ordering score): a text file of numbers.")
  var scores: String?

  @Option(help: "Per-sample domain ids: a text file of integers.")
  var domains: String?

  @Option(help: "How many first steps to print the batches of.")
  var batches: Int64 = 3

  @Option(help: "Indices printed per batch (the rest is elided).")
  var show: Int = 16

  @Option(name: .customLong("world-size"), help: "Also print each of this many ranks' slices of the first batches.")
  var worldSize: Int64 = 1

  @Option(help: "Length of the run for the eligible-pool table and the plot, in steps.")
  var steps: Int64 = 1000

  @Option(help: "Rows of the eligible-pool table.")
  var rows: Int64 = 11

  @Option(name: .shortAndLong, help: "Write an SVG of the eligible pool against the step to this file.")
  var output: String?

  func run() throws {
    try reporting { () throws(CommandError) in
      guard batches >= 0 && batches <= 10_000 else { throw CommandError("--batches must be in [0, 10000], got \(batches)") }
      guard show >= 0 && show <= 1 << 20 else { throw CommandError("--show must be in [0, 2^20], got \(show)") }
      guard steps >= 2 && steps <= 1 << 53 else { throw CommandError("--steps must be in [2, 2^53], got \(steps)") }
      guard rows >= 2 && rows <= 10_000 else { throw CommandError("--rows must be in [2, 10000], got \(rows)") }
      guard worldSize >= 1 && worldSize <= 1 << 20 else {
        throw CommandError("--world-size must be in [1, 2^20], got \(worldSize)")
      }
      let sampler = try makeSampler()
      print("sampler: policy \(sampler.policyName), N = \(sampler.size)")
      print("config:  \(sampler.configText)")
      try printBatches(sampler)
      try printPool(sampler)
      if let output {
        let chart = LineChart(title: "Eligible pool (\(sampler.policyName), N = \(sampler.size))", xLabel: "step",
                              yLabel: "eligible samples", series: [try poolSeries(sampler)])
        try writeAll(chart.svg(), to: output)
        print("wrote \(output) (eligible pool over \(steps) steps)")
      }
    }
  }

  /// The sampler of the command line's config and arrays.
  func makeSampler() throws(CommandError) -> Sampler {
    let trimmed = config.drop { $0 == " " || $0 == "\n" || $0 == "\t" }
    let text = trimmed.hasPrefix("{") ? config : String(decoding: try readAll(path: config), as: UTF8.self)
    let scoreValues = try scores.map { path throws(CommandError) in try numbers(in: path, "--scores") { Double($0) } }
    let domainValues = try domains.map { path throws(CommandError) in try numbers(in: path, "--domains") { Int32($0) } }
    // n: the arrays' length, or the config's size when the policy reads none.
    let count = Int64(scoreValues?.count ?? domainValues?.count ?? Int(configSize(text)))
    let made: Result<Sampler, DataError> = (scoreValues ?? []).withUnsafeBufferPointer { s in
      (domainValues ?? []).withUnsafeBufferPointer { d in
        Result { () throws(DataError) in
          try Sampler(configText: text, scores: scoreValues == nil ? nil : s, domains: domainValues == nil ? nil : d,
                      count: count)
        }
      }
    }
    do throws(DataError) {
      return try made.get()
    } catch {
      throw CommandError("\(trimmed.hasPrefix("{") ? "config" : config): \(error.description)")
    }
  }

  /// The config's `size` when it is an integer (else 0: the sampler then names the field).
  func configSize(_ text: String) -> Int64 {
    guard case .object(let members)? = try? JSONReader.parse(text),
      case .number(let x, _)? = members.first(where: { $0.key == "size" })?.value,
      let n = Int64(exactly: x), n >= 0, n <= Int64(Int32.max) * 4
    else { return 0 }
    return n
  }

  /// Prints the first `batches` global batches (and each rank's slice with --world-size).
  func printBatches(_ sampler: Sampler) throws(CommandError) {
    guard batches > 0 else { return }
    print("")
    print("first batches (global order; rank r of W gets the r-th contiguous slice):")
    for step in 0..<batches {
      let b = try data { () throws(DataError) in try sampler.globalBatchSize(at: step) }
      let first = try data { () throws(DataError) in try sampler.firstOffset(at: step) }
      let pool = try data { () throws(DataError) in try sampler.eligible(at: step) }
      let global = try data { () throws(DataError) in try sampler.batch(step: step) }
      print("  step \(step): offset \(first), batch \(b), eligible \(pool): \(listed(global))")
      guard worldSize > 1 else { continue }
      for rank in 0..<worldSize {
        let slice = try data { () throws(DataError) in try sampler.batch(step: step, rank: rank, worldSize: worldSize) }
        print("    rank \(rank)/\(worldSize): \(listed(slice))")
      }
    }
  }

  /// Prints the eligible pool at `rows` evenly spaced steps of the run.
  func printPool(_ sampler: Sampler) throws(CommandError) {
    print("")
    print("eligible pool over \(steps) steps:")
    print(Format.pad("step", 14) + Format.pad("eligible", 14) + Format.pad("fraction", 12) + Format.pad("offset", 20))
    var previous: Int64 = -1
    for i in 0..<rows {
      let step = i * (steps - 1) / (rows - 1)
      guard step != previous else { continue }
      previous = step
      let pool = try data { () throws(DataError) in try sampler.eligible(at: step) }
      let offset = try data { () throws(DataError) in try sampler.firstOffset(at: step) }
      print(Format.pad(String(step), 14) + Format.pad(String(pool), 14)
            + Format.pad(Format.sci(Double(pool) / Double(sampler.size), digits: 4), 12) + Format.pad(String(offset), 20))
    }
  }

  /// The eligible pool at about 800 evenly spaced steps (O(1) to O(log) each).
  func poolSeries(_ sampler: Sampler) throws(CommandError) -> Series {
    let n = min(steps, 800)
    var points: [(x: Double, y: Double)] = []
    points.reserveCapacity(Int(n))
    for i in 0..<n {
      let step = i * (steps - 1) / (n - 1)
      let pool = try data { () throws(DataError) in try sampler.eligible(at: step) }
      points.append((x: Double(step), y: Double(pool)))
    }
    return Series(label: "eligible samples", points: points)
  }

  /// The first `show` indices, then how many more.
  func listed(_ indices: [Int64]) -> String {
    let head = indices.prefix(show).map(String.init).joined(separator: " ")
    return indices.count > show ? head + " ... (\(indices.count - show) more)" : head
  }
}

/// Runs a sampler query, turning its error into the CLI's.
private func data<T>(_ body: () throws(DataError) -> T) throws(CommandError) -> T {
  do throws(DataError) {
    return try body()
  } catch {
    throw CommandError(error.description)
  }
}

/// The numbers of a text file (separated by spaces, commas or newlines),
/// each parsed by `parse`; errors name the option and the item.
private func numbers<T>(in path: String, _ option: String, _ parse: (String) -> T?) throws(CommandError) -> [T] {
  let text = String(decoding: try readAll(path: path), as: UTF8.self)
  var values: [T] = []
  let separators: Set<Character> = [" ", ",", "\n", "\t", "\r"]
  for (i, item) in text.split(whereSeparator: { separators.contains($0) }).enumerated() {
    guard let value = parse(String(item)) else {
      throw CommandError("\(option) \(path): item \(i) ('\(item.prefix(40))') is not a valid number")
    }
    values.append(value)
  }
  return values
}
