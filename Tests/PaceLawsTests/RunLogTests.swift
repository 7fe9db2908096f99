//===--- RunLogTests.swift ------------------------------------------------===//
// Laws from real runs: logged rows with gaps, missing values and CSV text;
// the fit on a sparse log against the fit on the full curve.
//===----------------------------------------------------------------------===//
import Foundation
import Testing
import Pace
@testable import PaceLaws

@Suite struct RunLogTests {
  @Test func theLRBetweenRowsIsLinearFromZeroBeforeTheFirstAndHeldAfterTheLast() throws {
    let log = try RunLog(steps: [4, 6, 10, 12], lrs: [2, .nan, 4, 1], losses: [3, 3, 3, .nan])
    let r = try log.rates(through: 14)
    // Step 6 has no LR: 4 ... 10 is one interval.
    let between: [Double] = (5...9).map { (t: Int) -> Double in 2 + 2 * Double(t - 4) / 6 }
    let expected: [Double] = [0, 0.5, 1, 1.5, 2] + between + [4, 2.5, 1, 1, 1]
    #expect(r == expected)
    // Exact for a linear warmup and a linear decay logged every k steps.
    let schedule = try Schedule.parse(#"{"version":1,"peak":1,"phases":[{"shape":"linear","steps":100,"from":0,"to":1},{"shape":"linear","steps":300,"from":1,"to":0.1}]}"#)
    let truth = schedule.values(from: 0, count: 400)
    let rows = Array(stride(from: 0, to: 400, by: 25))
    let sparse = try RunLog(steps: rows, lrs: rows.map { truth[$0] }, losses: rows.map { _ in 1 })
    let rebuilt = try sparse.rates(through: 399)
    for t in 0..<376 { #expect(abs(rebuilt[t] - truth[t]) <= 1e-12, "step \(t)") }
  }

  @Test func csvHeadersAnyCaseExtraColumnsMissingValuesAndMergedRows() throws {
    let text = """
      Epoch,"STEP",Loss,Learning_Rate
      0,0,5.0,0
      0,10,4.0,
      0,10,,0.5
      1,20,nan,1.0
      1,30,NaN,1.0

      1,40,3.0,1.0
      """
    let log = try RunLog(csv: text, name: "t")
    #expect(log.steps == [0, 10, 20, 30, 40])
    #expect(log.lrs.map { $0.isNaN ? -1 : $0 } == [0, 0.5, 1, 1, 1])
    #expect(log.losses.map { $0.isNaN ? -1 : $0 } == [5, 4, -1, -1, 3])
    let (curve, skipped) = try log.curve()
    #expect(curve.steps == [10, 40])  // step 0 has S1 = 0; 20 and 30 have no loss
    #expect(skipped == 3)
    #expect(curve.sequence.count == 41 && curve.sequence.warmupSteps == 20)
    for bad in ["step,loss\n5,1\n4,1\n", "step,lr\n1,1\n", "step,loss\n1,inf\n", "step,loss\n1,-2\n",
                "step,loss\n1.5,2\n", "step,loss,lr\n1,2,1\n1,3,1\n", "step,loss\n1,abc\n", "step,loss,lr\n1,2,-1\n"] {
      #expect(throws: LawError.self, "\(bad)") { _ = try RunLog(csv: bad, name: "bad") }
    }
    #expect(throws: LawError.self) { _ = try RunLog(csv: "step,loss\n1,2\n", name: "nolr").curve() }
  }

  /// A 25M curve's losses every `every`-th row of its CSV (every 128
  /// steps), without the rows of steps in `gap`, with NaN now and then; the
  /// LR at every step from its spec, or only at the kept rows.
  static func sparse(_ name: String, every: Int, gap: Range<Int>, lrAtRows: Bool) throws -> LossCurve {
    let csv = try readCSV(name)
    let rows = csv.steps.indices.filter { $0 % every == 0 && !gap.contains(csv.steps[$0]) }
    let log = try RunLog(name: name, steps: rows.map { csv.steps[$0] }, lrs: lrAtRows ? rows.map { csv.lrs[$0] } : nil,
                         losses: rows.map { $0 % 17 == 5 ? .nan : csv.losses[$0] })
    return try lrAtRows ? log.curve().curve : log.curve(sequence: try LRSequence(spec: try readSpec(name))).curve
  }

  /// Mean and worst relative difference of two laws' predictions of the held-out curves.
  static func difference(_ a: LossLaw, _ b: LossLaw) throws -> (mean: Double, worst: Double) {
    var worst = 0.0, sum = 0.0, n = 0
    for name in testNames {
      let curve = try loadCurve(name)
      let x = try a.predict(curve.sequence, at: curve.steps)
      let y = try b.predict(curve.sequence, at: curve.steps)
      for (u, v) in zip(x, y) {
        worst = Swift.max(worst, abs(u - v) / u)
        sum += abs(u - v) / u
        n += 1
      }
    }
    return (sum / Double(n), worst)
  }

  /// The multi-power law by the study's recipe (the LM fit of the default
  /// stops short of convergence on 2/3 of the points); the annealing law by
  /// default. Both: the relative difference of the predictions of the six
  /// held-out curves (mean, worst), the fit on the sparse logs against the
  /// fit on the full curves with their specs.
  @Test(arguments: [LawKind.annealing, .multiPower])
  func aFitOnCurvesLoggedEveryKStepsWithGapsMatchesTheFitOnTheFullCurves(kind: LawKind) throws {
    var options = FitOptions()
    if kind == .multiPower { options.method = .adam }
    let full = try LawFitter.fit(kind, curves: try trainNames.map(loadCurve), options: options).law
    for lrAtRows in [false, true] {
      // Losses (and with lrAtRows the LR) every 384 steps, 4,000 steps missing, NaN now and then.
      let gap = lrAtRows ? 14000..<18000 : 8000..<12000
      let sparse = try LawFitter.fit(kind, curves: try trainNames.map {
        try Self.sparse($0, every: 3, gap: gap, lrAtRows: lrAtRows) }, options: options).law
      let (mean, worst) = try Self.difference(full, sparse)
      print("\(kind) LR at rows \(lrAtRows): mean \(mean), worst \(worst); \(sparse.parameterSummary)")
      #expect(mean < 3e-3)
      #expect(worst < (kind == .multiPower ? 3e-3 : 3e-2))
      if kind == .multiPower {
        for name in ["L0", "A", "B", "C"] { #expect(abs(sparse[name]! - full[name]!) < 0.05 * full[name]!, "\(name)") }
      }
    }
  }
}
