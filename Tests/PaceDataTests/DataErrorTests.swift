import Testing
@testable import PaceData

@Test func dataErrorDescriptionIsItsMessage() {
  #expect(DataError.config("policy.kind: unknown").description == "policy.kind: unknown")
}
