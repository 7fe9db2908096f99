//===--- LawNamesTests.swift ----------------------------------------------===//
// The law kinds' spellings (what pace_names_json gives the bindings) are what
// LawKind(name:) accepts, and the search's default warmup is one definition.
//===----------------------------------------------------------------------===//
import Testing
@testable import PaceLaws

@Suite struct LawNamesTests {
  @Test func everySpellingNamesItsKindInAnyCase() {
    for kind in LawKind.allCases {
      #expect(kind.spellings.first == kind.rawValue)
      for spelling in kind.spellings {
        #expect(spelling == spelling.lowercased())
        #expect(LawKind(name: spelling) == kind)
        #expect(LawKind(name: spelling.uppercased()) == kind)
      }
    }
    #expect(LawKind(name: "tissue") == .annealing)
    #expect(LawKind(name: "momentum") == .annealing)
    #expect(LawKind(name: "cosine") == nil)
    #expect(LawKind(name: "") == nil)
  }

  @Test func spellingsAreUniqueAcrossKinds() {
    let all = LawKind.allCases.flatMap(\.spellings)
    #expect(Set(all).count == all.count)
  }

  @Test func defaultSearchWarmupIsTheStudysFraction() {
    #expect(SearchOptions.defaultWarmupFraction == 0.09)
    #expect(SearchOptions.defaultWarmupSteps(budget: 24000) == 2160)  // the multi-power study's run
    #expect(SearchOptions.defaultWarmupSteps(budget: 0) == 0)
    #expect(SearchOptions.defaultWarmupSteps(budget: 50) == 5)  // 4.5 rounds away from zero
  }
}
