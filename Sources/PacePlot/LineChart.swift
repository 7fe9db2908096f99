//===--- LineChart.swift --------------------------------------------------===//
// Several series on one chart, as standalone SVG.
//===----------------------------------------------------------------------===//
import RealModule

/// A line chart: axes with ticks, a legend, one `<path>` per series, and an
/// optional logarithmic y axis. Written by hand, with no dependency.
public struct LineChart: Sendable {
  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var logY: Bool
  public var series: [Series]
  /// Shaded bands drawn under the series (e.g. prediction intervals).
  public var bands: [Band] = []
  public var width = 860.0
  public var height = 500.0
  /// Whether a linear value axis starts at 0 (true: schedules). Loss
  /// curves set it to false: the axis spans the data (plus 4% each side).
  public var yFromZero = true

  public init(title: String, xLabel: String = "step", yLabel: String = "value", logY: Bool = false,
              series: [Series]) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.logY = logY
    self.series = series
  }

  /// Line colours, cycled (colour-blind friendly).
  static let palette = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000",
                        "#f0e442", "#882255", "#44aa99"]

  /// The chart as an SVG document.
  ///
  /// - Complexity: O(total number of points).
  public func svg() -> String {
    let left = 78.0, right = 200.0, top = 40.0, bottom = 56.0
    let plotW = width - left - right
    let plotH = height - top - bottom
    var xs: [Double] = []
    var ys: [Double] = []
    for s in series {
      for p in s.points where p.x.isFinite && p.y.isFinite && (!logY || p.y > 0) {
        xs.append(p.x)
        ys.append(p.y)
      }
    }
    for b in bands {
      for p in b.points where p.x.isFinite && p.lower.isFinite && p.upper.isFinite && (!logY || p.lower > 0) {
        xs.append(p.x)
        ys += [p.lower, p.upper]
      }
    }
    var xMin = xs.min() ?? 0, xMax = xs.max() ?? 1
    var yMin = ys.min() ?? 0, yMax = ys.max() ?? 1
    if !logY && yFromZero { yMin = Swift.min(yMin, 0) }
    if xMax <= xMin { xMax = xMin + 1 }
    if yMax <= yMin { yMax = yMin == 0 ? 1 : yMin * (logY ? 10 : 2); if yMax <= yMin { yMin -= 1 } }
    if logY { yMin = Double.pow(10, Double.log10(yMin).rounded(.down)); yMax = Double.pow(10, Double.log10(yMax).rounded(.up)) }
    else {
      let pad = (yMax - yMin) * 0.04
      yMax += pad
      if !yFromZero { yMin -= pad }
    }
    if xMin > 0 && xMin < xMax * 0.2 { xMin = 0 }
    func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotW }
    func py(_ y: Double) -> Double {
      if logY { return top + plotH - (Double.log10(y) - Double.log10(yMin)) / (Double.log10(yMax) - Double.log10(yMin)) * plotH }
      return top + plotH - (y - yMin) / (yMax - yMin) * plotH
    }
    var out = """
    <?xml version="1.0" encoding="UTF-8"?>
    <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" font-family="sans-serif" font-size="12">
    <rect x="0" y="0" width="\(f(width))" height="\(f(height))" fill="white"/>
    <text x="\(f(left + plotW / 2))" y="24" text-anchor="middle" font-size="15">\(escape(title))</text>

    """
    // Grid and ticks.
    out += "<g class=\"axes\" stroke=\"#cccccc\" stroke-width=\"1\">\n"
    let xTicks = Ticks.linear(xMin, xMax)
    let yTicks = logY ? Ticks.logarithmic(yMin, yMax) : Ticks.linear(yMin, yMax)
    for x in xTicks { out += "<line x1=\"\(f(px(x)))\" y1=\"\(f(top))\" x2=\"\(f(px(x)))\" y2=\"\(f(top + plotH))\"/>\n" }
    for y in yTicks { out += "<line x1=\"\(f(left))\" y1=\"\(f(py(y)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(y)))\"/>\n" }
    out += "</g>\n<g class=\"ticks\" fill=\"#333333\">\n"
    for x in xTicks { out += "<text x=\"\(f(px(x)))\" y=\"\(f(top + plotH + 18))\" text-anchor=\"middle\">\(Ticks.label(x))</text>\n" }
    for y in yTicks { out += "<text x=\"\(f(left - 8))\" y=\"\(f(py(y) + 4))\" text-anchor=\"end\">\(Ticks.label(y))</text>\n" }
    out += """
    </g>
    <rect x="\(f(left))" y="\(f(top))" width="\(f(plotW))" height="\(f(plotH))" fill="none" stroke="#333333"/>
    <text x="\(f(left + plotW / 2))" y="\(f(height - 14))" text-anchor="middle">\(escape(xLabel))</text>
    <text x="18" y="\(f(top + plotH / 2))" text-anchor="middle" transform="rotate(-90 18 \(f(top + plotH / 2)))">\(escape(yLabel))\(logY ? " (log)" : "")</text>

    """
    // Bands, then series over them.
    for b in bands {
      let colour = b.seriesIndex.map { Self.palette[$0 % Self.palette.count] } ?? "#888888"
      let d = b.pathData(logY: logY, px, py, f)
      out += "<path class=\"band\" data-label=\"\(escape(b.label))\" d=\"\(d)\" fill=\"\(colour)\" fill-opacity=\"0.18\" stroke=\"none\"/>\n"
    }
    // Series.
    for (i, s) in series.enumerated() {
      let colour = Self.palette[i % Self.palette.count]
      var d = ""
      var pen = "M"
      for p in s.points {
        guard p.x.isFinite, p.y.isFinite, !logY || p.y > 0 else { pen = "M"; continue }
        d += "\(pen)\(f(px(p.x))) \(f(py(p.y)))"
        pen = "L"
      }
      out += "<path class=\"series\" data-label=\"\(escape(s.label))\" d=\"\(d)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.8\"/>\n"
    }
    // Legend.
    out += "<g class=\"legend\">\n"
    for (i, s) in series.enumerated() {
      let colour = Self.palette[i % Self.palette.count]
      let y = top + 10 + Double(i) * 20
      let x = left + plotW + 14
      out += "<line x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x + 22))\" y2=\"\(f(y))\" stroke=\"\(colour)\" stroke-width=\"3\"/>"
      out += "<text x=\"\(f(x + 28))\" y=\"\(f(y + 4))\">\(escape(s.label))</text>\n"
    }
    for (j, b) in bands.enumerated() {
      let colour = b.seriesIndex.map { Self.palette[$0 % Self.palette.count] } ?? "#888888"
      let y = top + 10 + Double(series.count + j) * 20
      let x = left + plotW + 14
      out += "<rect x=\"\(f(x))\" y=\"\(f(y - 6))\" width=\"22\" height=\"12\" fill=\"\(colour)\" fill-opacity=\"0.18\"/>"
      out += "<text x=\"\(f(x + 28))\" y=\"\(f(y + 4))\">\(escape(b.label))</text>\n"
    }
    out += "</g>\n</svg>\n"
    return out
  }

  /// A coordinate with two decimals.
  func f(_ v: Double) -> String {
    let scaled = Int64((v * 100).rounded())
    let whole = scaled / 100
    let cents = abs(scaled % 100)
    if cents == 0 { return String(whole) }
    let sign = scaled < 0 && whole == 0 ? "-" : ""
    return sign + String(whole) + "." + (cents < 10 ? "0" : "") + String(cents)
  }

  /// XML text escape.
  func escape(_ s: String) -> String {
    var out = ""
    for c in s.unicodeScalars {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default: if c.value >= 0x20 || c == "\t" { out.unicodeScalars.append(c) }
      }
    }
    return out
  }
}
