//===--- ObservedCurve.swift ----------------------------------------------===//
// An observed loss CSV with the LR sequence it was trained under.
//===----------------------------------------------------------------------===//
import Pace
import PaceLaws
import PacePlot

/// A loss CSV and its LR sequence: from a schedule spec when one is given,
/// else from the CSV's `lr` column. Shared by `predict --observed` and
/// `plot --observed`.
struct ObservedCurve {
  var table: LossTable
  var sequence: LRSequence

  init(csv: String, spec: SpecArgument?) throws(CommandError) {
    table = try LossTable(path: csv)
    guard let spec else {
      sequence = try table.sequence(warmupSteps: nil)
      return
    }
    let total = spec.schedule.totalSteps
    let last = table.steps.last ?? 0
    let count = if let total, total > 0 { Int(Swift.min(total, 1 << 31)) } else { last + 1 }
    do throws(LawError) {
      sequence = try LRSequence(schedule: spec.schedule, count: count)
    } catch {
      throw CommandError("\(spec.label): \(error.description)")
    }
  }

  /// The law's predictions at the CSV's steps.
  func predictions(_ law: LossLaw) throws(CommandError) -> [Double] {
    if let bad = table.steps.first(where: { $0 < 1 || $0 >= sequence.count }) {
      throw CommandError("\(table.path): step \(bad) is outside the schedule's steps 1 ..< \(sequence.count)")
    }
    do throws(LawError) {
      return try law.predict(sequence, at: table.steps)
    } catch {
      throw CommandError("\(table.path): \(error.description)")
    }
  }

  /// Prediction metrics (R^2, MAE, RMSE, PredE = mean |relative error|,
  /// WorstE) of the law against the observed losses.
  func metrics(_ law: LossLaw) throws(CommandError) -> LawMetrics {
    LawMetrics(observed: table.losses, predicted: try predictions(law))
  }

  /// The observed losses as a chart line.
  var observedSeries: Series {
    Series(label: "\(table.name) observed", points: zip(table.steps, table.losses).map { (Double($0), $1) })
  }

  /// The law's curve from the first logged step to the last, at about 600
  /// evenly spaced steps.
  func predictedSeries(_ law: LossLaw) throws(CommandError) -> Series {
    let first = Swift.max(1, table.steps.first ?? 1)
    let last = Swift.min(sequence.count - 1, table.steps.last ?? first)
    var steps = Set<Int>()
    let n = 600
    if last - first <= n { steps.formUnion(first...last) } else {
      for i in 0..<n { steps.insert(first + i * (last - first) / (n - 1)) }
    }
    let chosen = steps.sorted()
    let values: [Double]
    do throws(LawError) {
      values = try law.predict(sequence, at: chosen)
    } catch {
      throw CommandError("\(table.path): \(error.description)")
    }
    return Series(label: "\(table.name) predicted", points: zip(chosen, values).map { (Double($0), $1) })
  }
}
