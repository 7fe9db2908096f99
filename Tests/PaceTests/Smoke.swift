import Testing
@testable import Pace
@Test func smoke() throws { let s = try Schedule.parse(#"{"preset":"cosine","warmup_steps":10,"total_steps":100}"#); #expect(s.value(at: 5) == 0.5) }
