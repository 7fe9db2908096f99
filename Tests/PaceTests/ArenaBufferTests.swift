//===--- ArenaBufferTests.swift -------------------------------------------===//
// The handle every raw schedule buffer is read through.
//===----------------------------------------------------------------------===//
import Testing
@testable import Pace

@Suite struct ArenaBufferTests {
  @Test func aCopyReadsBackEveryElementInOrder() {
    let arena = Arena()
    let values = (0..<1000).map { Double($0) * 0.5 - 7 }
    let buffer = arena.copy(values)
    #expect(buffer.count == values.count && buffer.indices == values.indices)
    #expect(Array(buffer) == values)
    #expect(buffer.first == values.first && buffer.last == values.last)
    for i in [0, 1, 499, 999] {
      #expect(buffer[i] == values[i] && buffer.pointer(at: i).pointee == values[i])
    }
  }

  @Test func anEmptyCopyIsEmpty() {
    let buffer = Arena().copy([Double]())
    #expect(buffer.isEmpty && buffer.count == 0 && Array(buffer).isEmpty)
  }

  @Test func aScheduleReadsItsItemsThroughHandles() throws {
    let s = try Schedule.parse(#"{"phases": [{"shape": "linear", "steps": 10, "from": 0, "to": 1}, {"shape": "cosine", "steps": 90, "to": 0}]}"#)
    #expect(s.itemBuffer.count == 2 && Array(s.startBuffer) == [0, 10] && Array(s.endBuffer) == [10, 100])
    #expect(s.blockFlags.allSatisfy { $0 == 0 })
    #expect(s.totalSteps == 100)
  }
}
