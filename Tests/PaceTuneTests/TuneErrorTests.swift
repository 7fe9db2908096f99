import Testing
@testable import PaceTune

@Test func tuneErrorDescriptionIsItsMessage() {
  #expect(TuneError.config("min_lr: required").description == "min_lr: required")
}
