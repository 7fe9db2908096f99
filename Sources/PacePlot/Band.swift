//===--- Band.swift -------------------------------------------------------===//
// A shaded range between a lower and an upper line (e.g. a prediction interval).
//===----------------------------------------------------------------------===//

/// A filled band of a chart: at each x, the range `lower ... upper`.
public struct Band: Sendable {
  public var label: String
  /// Points in increasing x, with lower <= upper.
  public var points: [(x: Double, lower: Double, upper: Double)]
  /// Index of the series whose colour the band takes (nil: grey).
  public var seriesIndex: Int?

  public init(label: String, points: [(x: Double, lower: Double, upper: Double)], seriesIndex: Int? = nil) {
    self.label = label
    self.points = points
    self.seriesIndex = seriesIndex
  }

  /// The band's outline as SVG path data (along the upper line, back along
  /// the lower one), with `px` and `py` mapping data to pixels; points that
  /// cannot be drawn (non-finite, or <= 0 on a log axis) are left out.
  ///
  /// - Complexity: O(points.count).
  func pathData(logY: Bool, _ px: (Double) -> Double, _ py: (Double) -> Double, _ f: (Double) -> String) -> String {
    let drawable = points.filter {
      $0.x.isFinite && $0.lower.isFinite && $0.upper.isFinite && (!logY || $0.lower > 0)
    }
    guard drawable.count >= 2 else { return "" }
    var d = ""
    for (i, p) in drawable.enumerated() { d += "\(i == 0 ? "M" : "L")\(f(px(p.x))) \(f(py(p.upper)))" }
    for p in drawable.reversed() { d += "L\(f(px(p.x))) \(f(py(p.lower)))" }
    return d + "Z"
  }
}
