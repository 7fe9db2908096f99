//===--- LossTable.swift --------------------------------------------------===//
// Loss-curve CSVs: columns step and loss, optionally lr (the schedule).
//===----------------------------------------------------------------------===//
import Pace
import PaceLaws

/// A loss-curve CSV read as a ``RunLog`` (its rules: header names in any
/// case, `lr` or `learning_rate`, other columns ignored, empty or NaN
/// values not logged, the LR linear between rows and from 0 before the
/// first; docs/laws.md).
struct LossTable {
  var path: String
  var log: RunLog
  /// Steps and losses of the rows with a loss after step 0 (where S1 = 0
  /// and the laws are undefined), in file order.
  var steps: [Int] = []
  var losses: [Double] = []
  /// Rows without a loss, or at step 0.
  var skipped = 0

  var hasLR: Bool { log.hasLR }

  /// Reads and checks a CSV file (`-`: standard input).
  ///
  /// - Complexity: O(file size).
  init(path: String) throws(CommandError) {
    self.path = path
    let text = String(decoding: try readAll(path: path), as: UTF8.self)
    do throws(LawError) {
      log = try RunLog(csv: text, name: path)
    } catch {
      throw CommandError(error.description)
    }
    for (s, l) in zip(log.steps, log.losses) {
      if l.isNaN || s == 0 { skipped += 1 } else {
        steps.append(s)
        losses.append(l)
      }
    }
    guard !steps.isEmpty else { throw CommandError("\(path): no row with a loss") }
  }

  /// The LR sequence of the `lr` column, through the last logged step.
  func sequence(warmupSteps: Int?) throws(CommandError) -> LRSequence {
    guard hasLR else {
      throw CommandError("\(path): no 'lr' column: give the schedule (SCHEDULE:CSV) or add the column")
    }
    do throws(LawError) {
      return try LRSequence(rates: try log.rates(through: log.steps.last ?? 0), warmupSteps: warmupSteps)
    } catch {
      throw CommandError("\(path): \(error.description)")
    }
  }

  /// A short name: the file name without its folder and `.csv`.
  var name: String {
    let file = path.split(separator: "/").last.map(String.init) ?? path
    return file.hasSuffix(".csv") ? String(file.dropLast(4)) : file
  }
}
