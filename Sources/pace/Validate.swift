//===--- Validate.swift ---------------------------------------------------===//
// `pace validate SPEC`: exit 0, or the error with its JSON path.
//===----------------------------------------------------------------------===//
import ArgumentParser
import Pace

struct Validate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check a spec: exit status 0 when valid, else 1 with the error and its JSON path.")

  @Argument(help: "The schedules: files, JSON texts, or '-'.")
  var specs: [String]

  func run() throws {
    var failed = false
    for spec in specs {
      do throws(CommandError) {
        let argument = try SpecArgument(spec)
        let total = argument.schedule.totalSteps
        print("ok: \(argument.label): \(argument.schedule.items.count) item(s), total steps \(total < 0 ? "open-ended" : String(total))")
      } catch {
        printError("invalid: \(error.description)")
        failed = true
      }
    }
    if failed { throw ExitCode(1) }
  }
}
