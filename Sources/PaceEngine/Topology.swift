//===--- Topology.swift ---------------------------------------------------===//
// NUMA nodes and their CPUs, from libnuma, with a one-node fallback.
//===----------------------------------------------------------------------===//
import _CNUMA

/// The machine's NUMA nodes and the CPUs of each that this process may use.
public struct Topology: Sendable, Equatable {
  /// CPUs per node (node order); every node listed has at least one CPU.
  public var cpusPerNode: [[Int]]
  /// True when libnuma reported the topology (false: the one-node fallback).
  public var fromLibnuma: Bool

  public var nodeCount: Int { cpusPerNode.count }

  /// Detects the topology with libnuma (`numa_available`, nodes, CPUs per
  /// node, restricted to the process's affinity mask); one node holding the
  /// allowed CPUs when libnuma reports none.
  public static func detect() -> Topology {
    var allowed = cpu_set_t()
    let affinityKnown = sched_getaffinity(0, MemoryLayout<cpu_set_t>.size, &allowed) == 0
    let cpuCount = Int(numa_num_configured_cpus())
    func isAllowed(_ cpu: Int) -> Bool {
      guard affinityKnown else { return true }
      return withUnsafeBytes(of: &allowed) { raw in
        let word = cpu / 8
        return word < raw.count && raw[word] & (1 << UInt8(cpu % 8)) != 0
      }
    }
    let all = (0..<Swift.max(cpuCount, 1)).filter(isAllowed)
    guard numa_available() >= 0 else { return Topology(cpusPerNode: [all.isEmpty ? [0] : all], fromLibnuma: false) }
    var nodes: [[Int]] = []
    let maxNode = Int(numa_max_node())
    for node in 0...Swift.max(maxNode, 0) {
      guard let mask = numa_allocate_cpumask() else { continue }
      defer { numa_free_cpumask(mask) }
      guard numa_node_to_cpus(Int32(node), mask) == 0 else { continue }
      let cpus = (0..<cpuCount).filter { numa_bitmask_isbitset(mask, UInt32($0)) != 0 && isAllowed($0) }
      if !cpus.isEmpty { nodes.append(cpus) }
    }
    if nodes.isEmpty { return Topology(cpusPerNode: [all.isEmpty ? [0] : all], fromLibnuma: false) }
    return Topology(cpusPerNode: nodes, fromLibnuma: true)
  }
}
