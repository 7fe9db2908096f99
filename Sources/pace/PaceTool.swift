//===--- PaceTool.swift ---------------------------------------------------===//
// `pace`: the command-line face of Pace.
//===----------------------------------------------------------------------===//
import ArgumentParser
import CPace
import Pace

@main
struct PaceTool: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pace",
    abstract: "Schedules for training loops: specs, runtimes, loss-curve laws, the schedule search and data pacing.",
    discussion: """
      Schedules: 'show' and 'plot' evaluate a spec, 'validate' checks specs, runtime configs, \
      checkpoints and saved laws. Laws: 'fit' fits a loss-curve law to observed curves, 'predict' \
      predicts a schedule's loss, 'search' finds the schedule a law predicts best, 'demo' runs the \
      three on the bundled curves. Data: 'data' shows a sampler's batches and pacing. 'kernels' \
      measures the vectorised kernels' error in ulp.

      SPEC is a file holding a schedule spec (JSON, docs/schedule-spec.md), the JSON text itself \
      (starting with '{'), or '-' for standard input. 'pace validate' and 'pace show' also recognise \
      runtime configs, runtime checkpoints and saved laws. Every error, a bad argument included, \
      exits with status 1.
      """,
    version: "\(PACE_VERSION_MAJOR).\(PACE_VERSION_MINOR).\(PACE_VERSION_PATCH) (\(BuildInfo.fields))",
    subcommands: [Show.self, Plot.self, Validate.self, Demo.self, Kernels.self, Fit.self, Predict.self, Search.self, DataCommand.self]
  )
}

extension PaceTool {
  /// Parses and runs the command. A bad argument exits 1 like every other
  /// error (ArgumentParser's default is 64), after the usual message and usage.
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      let code = exitCode(for: error)
      if code == .validationFailure {
        printError(fullMessage(for: error))
        exit(withError: ExitCode(1))
      }
      exit(withError: error)
    }
  }
}

/// Runs a command body, printing a `CommandError` and exiting 1.
func reporting(_ body: () throws(CommandError) -> Void) throws {
  do {
    try body()
  } catch {
    printError("pace: \(error.description)")
    throw ExitCode(1)
  }
}

func printError(_ message: String) {
  var stderr = StandardError()
  print(message, to: &stderr)
}

struct StandardError: TextOutputStream {
  mutating func write(_ string: String) {
    var bytes = Array(string.utf8)
    bytes.withUnsafeMutableBytes { _ = fwriteStderr($0.baseAddress, $0.count) }
  }
}
