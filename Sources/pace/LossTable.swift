//===--- LossTable.swift --------------------------------------------------===//
// Loss-curve CSVs: columns step and loss, optionally lr (the schedule).
//===----------------------------------------------------------------------===//
import Pace
import PaceLaws

/// A loss-curve CSV: a header naming `step` and `loss` (and optionally `lr`),
/// one row per logged step. Rows whose loss is empty, `nan` or not finite
/// are kept for their `lr` but not as losses (a run logs the LR every step
/// and the loss now and then). Other columns are ignored.
struct LossTable {
  var path: String
  /// Steps and losses of the rows with a finite loss, in file order.
  var steps: [Int] = []
  var losses: [Double] = []
  /// (step, lr) of every row with an `lr` value; empty without the column.
  var lrRows: [(step: Int, lr: Double)] = []
  /// Rows whose loss was missing or not finite.
  var skipped = 0

  var hasLR: Bool { !lrRows.isEmpty }

  /// Reads and checks a CSV file (`-`: standard input).
  ///
  /// - Complexity: O(file size).
  init(path: String) throws(CommandError) {
    self.path = path
    let text = String(decoding: try readAll(path: path), as: UTF8.self)
    var lines = text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }[...]
    guard let header = lines.popFirst() else { throw CommandError("\(path): empty file") }
    let names = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces.lowercased() }
    guard let si = names.firstIndex(of: "step"), let li = names.firstIndex(of: "loss") else {
      throw CommandError("\(path): the header must name the columns 'step' and 'loss' (and optionally 'lr'), got '\(header)'")
    }
    let ri = names.firstIndex(of: "lr")
    var lastStep = -1
    for (n, line) in lines.enumerated() {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
      if fields.allSatisfy({ $0.isEmpty }) { continue }
      guard fields.count > Swift.max(si, li, ri ?? 0) else {
        throw CommandError("\(path): line \(n + 2) has \(fields.count) fields, the header \(names.count)")
      }
      guard let s = Double(fields[si]), s == s.rounded(), s >= 0, s < 9e15 else {
        throw CommandError("\(path): line \(n + 2): step '\(fields[si].prefix(40))' is not an integer >= 0")
      }
      let step = Int(s)
      guard step > lastStep else {
        throw CommandError("\(path): line \(n + 2): step \(step) does not increase (the previous row has \(lastStep))")
      }
      lastStep = step
      if let ri, !fields[ri].isEmpty {
        guard let r = Double(fields[ri]), r.isFinite, r >= 0 else {
          throw CommandError("\(path): line \(n + 2): lr '\(fields[ri].prefix(40))' is not a finite number >= 0")
        }
        lrRows.append((step, r))
      }
      let field = fields[li]
      if let l = Double(field), l.isFinite {
        steps.append(step)
        losses.append(l)
      } else if field.isEmpty || field.lowercased() == "nan" || Double(field) != nil {
        skipped += 1  // missing, NaN or infinite: not a loss
      } else {
        throw CommandError("\(path): line \(n + 2): loss '\(field.prefix(40))' is not a number")
      }
    }
    guard !steps.isEmpty else { throw CommandError("\(path): no row with a finite loss") }
  }

  /// The per-step LRs of steps 0 ... `last` given by the `lr` column: linear
  /// between logged rows, the first logged LR before the first row, the
  /// last one after the last row. Exact when every step is logged.
  ///
  /// - Complexity: O(last + rows).
  func rates(through last: Int) throws(CommandError) -> [Double] {
    guard let first = lrRows.first else {
      throw CommandError("\(path): no 'lr' column: give the schedule (SCHEDULE:CSV) or add the column")
    }
    guard last >= 0, last < 1 << 31 else { throw CommandError("\(path): step \(last) is too large for a per-step sequence") }
    var out = [Double](repeating: first.lr, count: last + 1)
    var k = 0
    for t in 0...last {
      while k + 1 < lrRows.count && lrRows[k + 1].step <= t { k += 1 }
      let a = lrRows[k]
      if t <= a.step { out[t] = a.lr; continue }
      if k + 1 < lrRows.count {
        let b = lrRows[k + 1]
        out[t] = a.lr + (b.lr - a.lr) * Double(t - a.step) / Double(b.step - a.step)
      } else {
        out[t] = a.lr
      }
    }
    return out
  }

  /// The LR sequence of the `lr` column, through the last logged step.
  func sequence(warmupSteps: Int?) throws(CommandError) -> LRSequence {
    let last = Swift.max(steps.last ?? 0, lrRows.last?.step ?? 0)
    let perStep = try rates(through: last)
    do throws(LawError) {
      return try LRSequence(rates: perStep, warmupSteps: warmupSteps)
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
