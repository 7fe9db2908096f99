import Testing
@testable import Pace
@testable import PacePlot

@Suite struct ChartTests {
  @Test func oneSeriesPathPerScheduleAndEscapedLabels() throws {
    let a = try Schedule.parse(#"{"preset":"cosine","warmup_steps":10,"total_steps":100}"#)
    let b = try Schedule.parse(#"{"preset":"rex","total_steps":100}"#)
    let svg = LineChart(title: "a < b & c", series: [Series(label: "cos", schedule: a, steps: 100),
                                                     Series(label: "r\"ex", schedule: b, steps: 100)]).svg()
    #expect(svg.split(separator: "<path class=\"series\"", omittingEmptySubsequences: false).count == 3)
    #expect(svg.contains("a &lt; b &amp; c") && svg.contains("r&quot;ex"))
    #expect(!svg.contains("nan") && !svg.contains("inf"))
  }

  @Test func ticksAreNice() {
    #expect(Ticks.linear(0, 1).count == 6 && Ticks.linear(0, 1).first == 0 && Ticks.linear(0, 1).last == 1)
    #expect(Ticks.logarithmic(1e-5, 1e-3) == [1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3])
    #expect(Ticks.label(3e-4) == "3e-04" && Ticks.label(25000) == "25k" && Ticks.label(0.25) == "0.25")
    #expect(Ticks.label(0.0012) == "0.0012" && Ticks.label(0.0014) == "0.0014" && Ticks.label(1.5e-3) == "0.0015")
  }
}
