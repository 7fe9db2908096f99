import Testing
@testable import PaceLaws

@Suite struct FunctionalsTests {
  /// algorithms.md §6.1: eta = [1, 1, 0.5, 0.5], lambda = 0.5.
  @Test func tissueTestVector() {
    #expect(ScheduleFunctionals.annealingArea([1, 1, 0.5, 0.5], lambda: 0.5) == [0, 0, 0.5, 0.75])
    #expect(ScheduleFunctionals.forwardArea([1, 1, 0.5, 0.5]) == [0, 1, 1.5, 2])
  }
}
