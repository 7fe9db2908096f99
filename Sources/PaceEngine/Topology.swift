//===--- Topology.swift ---------------------------------------------------===//
// NUMA nodes and their CPUs, from libnuma, with a one-node fallback, the
// PACE_NUMA=off switch and the PACE_NUMA_SIMULATE testing aid.
//===----------------------------------------------------------------------===//
// libnuma is bound at run time: see LibNUMA.swift.

/// How an engine uses NUMA.
public enum NUMAMode: UInt32, Sendable {
  /// libnuma's nodes; one node when libnuma reports none or `PACE_NUMA=off`.
  case auto = 0
  /// One node: no libnuma call, no pinning, ordinary memory.
  case off = 1
  /// As `auto`, but an error when libnuma reports no NUMA support (or
  /// `PACE_NUMA=off` says to act as if it did not).
  case require = 2
}

/// The machine's NUMA nodes and the CPUs of each that this process may use.
public struct Topology: Sendable, Equatable {
  /// CPUs per node (node order); every node listed has at least one CPU.
  public var cpusPerNode: [[Int]]
  /// True when libnuma reported the topology (false: the one-node fallback,
  /// `PACE_NUMA=off`, or a simulation).
  public var fromLibnuma: Bool
  /// True when the nodes come from `PACE_NUMA_SIMULATE`.
  public var simulated: Bool = false
  /// Per node, the libnuma node whose memory holds the node's scratch
  /// (`numa_alloc_onnode`); nil: ordinary memory (first touch decides).
  /// A simulated node uses the real node of its first CPU, when known.
  public var memoryNodes: [Int?] = []

  public var nodeCount: Int { cpusPerNode.count }

  /// The environment variable that turns NUMA off (`off`) or leaves it on
  /// (`auto`, `on`, unset).
  public static let numaVariable = "PACE_NUMA"
  /// The environment variable of a simulated topology: `"0-0,1-1"` gives
  /// node 0 CPU 0 and node 1 CPU 1 (`a-b` ranges or single CPUs, one item
  /// per node). A testing aid: it runs the multi-node code on one node.
  public static let simulateVariable = "PACE_NUMA_SIMULATE"

  /// One node holding the CPUs this process may use (no libnuma call).
  public static func singleNode() -> Topology {
    let allowed = CPUSet.processAffinity()?.cpus ?? []
    return Topology(cpusPerNode: [allowed.isEmpty ? [0] : allowed], fromLibnuma: false, simulated: false,
                    memoryNodes: [nil])
  }

  /// Detects the topology with libnuma (`numa_available`, nodes, CPUs per
  /// node, restricted to the process's affinity mask); one node holding the
  /// allowed CPUs when libnuma is missing or reports no NUMA.
  public static func detect() -> Topology {
    guard let numa = LibNUMA.available else { return singleNode() }
    let affinity = CPUSet.processAffinity()
    let cpuCount = Int(numa.numConfiguredCPUs())
    func isAllowed(_ cpu: Int) -> Bool { affinity.map { $0.cpus.contains(cpu) } ?? true }
    var nodes: [[Int]] = []
    var ids: [Int?] = []
    let maxNode = Int(numa.maxNode())
    for node in 0...Swift.max(maxNode, 0) {
      // Node numbers may be sparse: a number without a sysfs node has no
      // size (asking for its CPUs would give every CPU).
      guard numa.nodeSize64(Int32(node), nil) >= 0 else { continue }
      guard let mask = numa.allocateCPUMask() else { continue }
      defer { numa.bitmaskFree(mask) }
      guard numa.nodeToCPUs(Int32(node), mask) == 0 else { continue }
      let cpus = (0..<Swift.max(cpuCount, 0)).filter { numa.bitmaskIsBitSet(mask, UInt32($0)) != 0 && isAllowed($0) }
      if !cpus.isEmpty {
        nodes.append(cpus)
        ids.append(node)
      }
    }
    if nodes.isEmpty { return singleNode() }
    return Topology(cpusPerNode: nodes, fromLibnuma: true, simulated: false, memoryNodes: ids)
  }

  /// The topology an engine uses: `mode`, then the environment
  /// (`PACE_NUMA=off`; `PACE_NUMA_SIMULATE`), then libnuma.
  ///
  /// - Throws: `.argument` for a malformed variable, `.unsupported` for
  ///   `.require` without NUMA support.
  public static func resolve(mode: NUMAMode, environment: [String: String]) throws(EngineError) -> Topology {
    if mode == .off { return singleNode() }
    let switchValue = (environment[numaVariable] ?? "").lowercased()
    switch switchValue {
    case "", "auto", "on", "1", "yes", "true":
      break
    case "off", "0", "no", "false":
      if mode == .require {
        throw .unsupported("NUMA was required but \(numaVariable)=\(environment[numaVariable] ?? "") turns it off")
      }
      return singleNode()
    default:
      throw .argument("\(numaVariable) must be 'off' or 'auto', got '\(environment[numaVariable] ?? "")'")
    }
    if let text = environment[simulateVariable], !text.isEmpty {
      return try simulated(text)
    }
    let detected = detect()
    if mode == .require && !detected.fromLibnuma {
      throw .unsupported("NUMA was required but libnuma reports no NUMA support on this machine")
    }
    return detected
  }

  /// The topology of a `PACE_NUMA_SIMULATE` text: node i gets the CPUs of
  /// item i. Each node's memory is the real node of its first CPU when
  /// libnuma knows it.
  public static func simulated(_ text: String) throws(EngineError) -> Topology {
    let ranges = try parseSimulation(text)
    let numa = LibNUMA.available
    let cpuCount = numa.map { Int($0.numConfiguredCPUs()) } ?? 0
    let memory: [Int?] = ranges.map { cpus in
      guard let numa, let first = cpus.first, first < cpuCount else { return nil }
      let node = Int(numa.nodeOfCPU(Int32(first)))
      return node >= 0 ? node : nil
    }
    return Topology(cpusPerNode: ranges, fromLibnuma: false, simulated: true, memoryNodes: memory)
  }

  /// Parses `"a-b,c-d,..."` (or single CPUs `"a"`): CPU lists per node.
  public static func parseSimulation(_ text: String) throws(EngineError) -> [[Int]] {
    func bad(_ why: String) -> EngineError {
      .argument("\(simulateVariable)='\(text)': \(why) (expected CPU ranges per node, e.g. \"0-0,1-1\")")
    }
    var nodes: [[Int]] = []
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
      let bounds = item.trimmingSpaces.split(separator: "-", omittingEmptySubsequences: false)
      guard bounds.count == 1 || bounds.count == 2 else { throw bad("item '\(item)' is not a range a-b") }
      var numbers: [Int] = []
      for b in bounds {
        guard !b.isEmpty, b.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(b) else {
          throw bad("item '\(item)' is not a range a-b of CPU numbers")
        }
        guard n < CPUSet.capacity else { throw bad("CPU \(n) is beyond \(CPUSet.capacity - 1)") }
        numbers.append(n)
      }
      let lo = numbers[0], hi = numbers.last!
      guard lo <= hi else { throw bad("item '\(item)' has its first CPU after its last") }
      nodes.append(Array(lo...hi))
    }
    guard nodes.count <= 1024 else { throw bad("more than 1024 nodes") }
    return nodes
  }
}

extension Substring {
  fileprivate var trimmingSpaces: Substring {
    var s = self
    while s.first == " " { s = s.dropFirst() }
    while s.last == " " { s = s.dropLast() }
    return s
  }
}
