import Testing
@testable import PaceEngine

@Suite struct TopologyTests {
  @Test func detectsAtLeastOneNodeWithCPUs() {
    let t = Topology.detect()
    #expect(t.nodeCount >= 1)
    #expect(t.cpusPerNode.allSatisfy { !$0.isEmpty })
  }
}
