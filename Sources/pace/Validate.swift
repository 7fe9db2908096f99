//===--- Validate.swift ---------------------------------------------------===//
// `pace validate FILE...`: what each file is, and whether it is valid.
//===----------------------------------------------------------------------===//
import ArgumentParser
import Pace

struct Validate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check specs, runtime configs, runtime checkpoints and saved laws: exit 0 when all are valid, else 1.",
    discussion: """
      Each FILE is recognised by its content: a runtime checkpoint by its magic (its header, length \
      and checksum are verified and the state is loaded), JSON with "channels" as a runtime config, \
      a saved law by its "format", anything else as a schedule spec. Errors name the JSON path (or \
      the line and column of a JSON syntax error) and suggest the nearest valid name for an unknown one.
      """)

  @Argument(help: "Files, JSON texts, or '-'.")
  var specs: [String]

  func run() throws {
    var failed = false
    for spec in specs {
      do throws(CommandError) {
        let file = try PaceFile(spec)
        let name: String
        if case .spec(let argument) = file { name = argument.label } else { name = PaceFile.label(spec) }
        print("ok: \(name): \(file.kindLine)")
      } catch {
        printError("invalid: \(error.description)")
        failed = true
      }
    }
    if failed { throw ExitCode(1) }
  }
}
