//===--- BatchEngineTests.swift -------------------------------------------===//
// Batch fills and reductions: equal to the schedule's own values, and
// bit-identical whatever the thread count and the (simulated) topology.
//===----------------------------------------------------------------------===//
import Glibc
import Pace
import Testing
@testable import PaceEngine

/// Thread counts and topologies every result must be independent of.
let engineVariants: [(String, Int, [String: String])] = [
  ("1 thread", 1, [:]),
  ("2 threads", 2, [:]),
  ("3 threads", 3, [:]),
  ("7 threads", 7, [:]),
  ("PACE_NUMA=off, 3 threads", 3, ["PACE_NUMA": "off"]),
  ("simulated 2 nodes, 2 threads", 2, ["PACE_NUMA_SIMULATE": "0-0,1-1"]),
  ("simulated 2 nodes, 7 threads", 7, ["PACE_NUMA_SIMULATE": "0-0,1-1"]),
  ("simulated 3 uneven nodes, 5 threads", 5, ["PACE_NUMA_SIMULATE": "0-0,1-1,0-1"]),
]

@Suite struct BatchFillTests {
  @Test func fillEqualsValueAtForEveryElement() throws {
    let schedules = mixedSchedules(29)
    guard let engine = makeEngine(threads: 3) else { return }
    for (start, count) in [(Int64(0), Int64(1200)), (777, 1), (5, 4099), (1 << 40, 9)] {
      let f64 = try fillMatrix(engine, schedules, start: start, count: count, as: Double.self)
      let f32 = try fillMatrix(engine, schedules, start: start, count: count, as: Float.self)
      for (i, s) in schedules.enumerated() {
        for j in 0..<Int(count) {
          let v = s.value(at: start + Int64(j))
          #expect(f64[i * Int(count) + j].bitPattern == v.bitPattern, "schedule \(i) step \(start + Int64(j))")
          #expect(f32[i * Int(count) + j].bitPattern == Float(v).bitPattern, "f32 schedule \(i) step \(start + Int64(j))")
        }
      }
    }
  }

  @Test func fillsAreBitIdenticalForEveryThreadCountAndTopology() throws {
    // Rows of 10007 steps: node boundaries fall inside rows, and pieces
    // (2^15 elements) cross rows.
    let schedules = mixedSchedules(41)
    var reference64: [UInt64]?
    var reference32: [UInt32]?
    for (name, threads, env) in engineVariants {
      guard let engine = makeEngine(threads: threads, env) else { continue }
      #expect(engine.threadCount == threads, "\(name)")
      let f64 = bits(try fillMatrix(engine, schedules, start: 3, count: 10007, as: Double.self))
      let f32 = bits(try fillMatrix(engine, schedules, start: 3, count: 10007, as: Float.self))
      if let reference64, let reference32 {
        #expect(f64 == reference64, "\(name): f64 differs from 1 thread")
        #expect(f32 == reference32, "\(name): f32 differs from 1 thread")
      } else {
        reference64 = f64
        reference32 = f32
      }
    }
  }

  @Test func simulatedTwoNodesSplitsTheWorkAndEqualsOneNode() throws {
    guard let two = makeEngine(threads: 2, ["PACE_NUMA_SIMULATE": "0-0,1-1"]),
      let one = makeEngine(threads: 2, ["PACE_NUMA": "off"])
    else { return }
    #expect(two.topology.simulated)
    #expect(two.nodeCount == 2)
    #expect(two.threadsPerNode == [1, 1])
    #expect(one.nodeCount == 1)
    let schedules = mixedSchedules(64)
    let a = try fillMatrix(two, schedules, start: 0, count: 20000, as: Double.self)
    let b = try fillMatrix(one, schedules, start: 0, count: 20000, as: Double.self)
    #expect(bits(a) == bits(b))
  }

  @Test func countZeroWritesNothing() throws {
    guard let engine = makeEngine(threads: 2) else { return }
    try engine.fill(mixedSchedules(3), start: 0, count: 0, into: UnsafeMutableBufferPointer<Double>(start: nil, count: 0))
  }

  @Test func concurrentCallersAreSerialisedAndCorrect() throws {
    guard let engine = makeEngine(threads: 2) else { return }
    let schedules = mixedSchedules(9)
    let expected = bits(try fillMatrix(engine, schedules, start: 0, count: 3000, as: Double.self))
    let results = UnsafeMutablePointer<Bool>.allocate(capacity: 4)
    defer { results.deallocate() }
    results.initialize(repeating: false, count: 4)
    DispatchlessThreads.run(4) { i in
      let got = try? fillMatrix(engine, schedules, start: 0, count: 3000, as: Double.self)
      results[i] = got.map(bits) == expected
    }
    #expect((0..<4).allSatisfy { results[$0] })
  }
}

@Suite struct BatchReduceTests {
  @Test func algorithmsTestVector() throws {
    // algorithms.md §6.1: eta = [1, 1, 0.5, 0.5], lambda = 0.5 -> S1 = 3, S2 = 0.75.
    let r = Reduction.naive([1, 1, 0.5, 0.5], lambda: 0.5)
    #expect(r == Reduction(finalValue: 0.5, sum: 3, s2: 0.75))
    let spec = #"{"peak":1,"phases":[{"shape":"constant","steps":2,"from":1},{"shape":"constant","steps":2,"from":0.5}]}"#
    let s = try Schedule.parse(spec)
    guard let engine = makeEngine(threads: 2) else { return }
    let out = try engine.reduce([s, s, s, s, s], start: 0, count: 4, lambda: 0.5)
    #expect(out.allSatisfy { $0 == Reduction(finalValue: 0.5, sum: 3, s2: 0.75) })
    // Prefixes: S1 = [1, 2, 2.5, 3], S2 = [0, 0, 0.5, 0.75].
    for (t, (s1, s2)) in [(1.0, 0.0), (2, 0), (2.5, 0.5), (3, 0.75)].enumerated() {
      let p = try engine.reduce([s], start: 0, count: Int64(t + 1), lambda: 0.5)[0]
      #expect(p.sum == s1 && p.s2 == s2, "prefix \(t + 1)")
    }
  }

  @Test func reductionsEqualTheNaiveLoopBitForBit() throws {
    let schedules = mixedSchedules(23)
    guard let engine = makeEngine(threads: 3) else { return }
    // Chunk edges: 1, 511, 512, 513 steps, and several chunks with a tail.
    for (start, count) in [(Int64(0), Int64(1)), (0, 511), (0, 512), (4, 513), (17, 5000), (1 << 33, 1030)] {
      for lambda in [0.0, 0.5, 0.999] {
        let got = try engine.reduce(schedules, start: start, count: count, lambda: lambda)
        for (i, s) in schedules.enumerated() {
          let expected = Reduction.naive(s.values(from: start, count: Int(count)), lambda: lambda)
          #expect(bits([got[i]]) == bits([expected]), "schedule \(i), start \(start), count \(count), lambda \(lambda)")
        }
      }
    }
  }

  @Test func reductionsAreBitIdenticalForEveryThreadCountAndTopology() throws {
    let schedules = mixedSchedules(37)  // not a multiple of four: a partial last task
    var reference: [[UInt64]]?
    for (name, threads, env) in engineVariants {
      guard let engine = makeEngine(threads: threads, env) else { continue }
      let r = bits(try engine.reduce(schedules, start: 1, count: 6001, lambda: 0.999))
      if let reference { #expect(r == reference, "\(name)") } else { reference = r }
    }
  }

  @Test func nullOutputsAreSkipped() throws {
    guard let engine = makeEngine(threads: 2) else { return }
    let schedules = mixedSchedules(6)
    var sums = [Double](repeating: -1, count: 6)
    try sums.withUnsafeMutableBufferPointer { (p) throws(EngineError) in
      try engine.reduce(schedules, start: 0, count: 100, lambda: 0.9, finalValues: nil, sums: p.baseAddress, s2: nil)
    }
    for (i, s) in schedules.enumerated() {
      #expect(sums[i] == Reduction.naive(s.values(from: 0, count: 100), lambda: 0.9).sum)
    }
    try engine.reduce(schedules, start: 0, count: 100, lambda: 0.9, finalValues: nil, sums: nil, s2: nil)
  }
}

@Suite struct BatchErrorTests {
  @Test func badShapesAreRejectedBeforeAnyWrite() throws {
    guard let engine = makeEngine(threads: 2) else { return }
    let schedules = mixedSchedules(3)
    var out = [Double](repeating: 42, count: 30)
    func attempt(_ s: [Schedule], _ start: Int64, _ count: Int64, capacity: Int = 30) -> EngineError? {
      out.withUnsafeMutableBufferPointer { buffer in
        do throws(EngineError) {
          try engine.fill(s, start: start, count: count, into: UnsafeMutableBufferPointer(rebasing: buffer[0..<capacity]))
          return nil
        } catch { return error }
      }
    }
    guard case .argument(let m)? = attempt([], 0, 10) else { Issue.record("zero schedules accepted"); return }
    #expect(m.contains("no schedules"))
    #expect({ if case .argument? = attempt(schedules, -1, 10) { true } else { false } }())
    #expect({ if case .argument? = attempt(schedules, 0, -1) { true } else { false } }())
    #expect({ if case .argument? = attempt(schedules, Int64.max - 5, 10) { true } else { false } }())
    #expect({ if case .argument? = attempt(schedules, 0, Int64.max / 2) { true } else { false } }())  // n x count overflows
    guard case .bufferTooSmall(let b)? = attempt(schedules, 0, 10, capacity: 29) else {
      Issue.record("a short buffer was accepted"); return
    }
    #expect(b.contains("30"))
    #expect(out.allSatisfy { $0 == 42 }, "an error wrote into the output")
  }

  @Test func badReductionsAreRejected() throws {
    guard let engine = makeEngine(threads: 2) else { return }
    let s = mixedSchedules(2)
    var sums = [Double](repeating: 42, count: 2)
    for (count, lambda) in [(Int64(0), 0.5), (10, -0.1), (10, 1.0), (10, .nan), (10, .infinity), (-3, 0.5)] {
      sums.withUnsafeMutableBufferPointer { p in
        _ = #expect(throws: EngineError.self, "count \(count) lambda \(lambda)") {
          try engine.reduce(s, start: 0, count: count, lambda: lambda, finalValues: nil, sums: p.baseAddress, s2: nil)
        }
      }
    }
    #expect(throws: EngineError.self) { try engine.reduce([], start: 0, count: 5, lambda: 0.5) }
    #expect(sums == [42, 42])
  }

  @Test func badThreadCountsAreRejected() {
    for threads in [0, -1, BatchEngine.maxThreads + 1] {
      #expect(throws: EngineError.self, "threads \(threads)") { try BatchEngine(threads: threads, environment: [:]) }
    }
  }

  @Test func badEnvironmentIsRejected() {
    for env in [["PACE_NUMA": "maybe"], ["PACE_NUMA_SIMULATE": "1-0"], ["PACE_NUMA_SIMULATE": "0-0,,1-1"],
                ["PACE_NUMA_SIMULATE": "x"], ["PACE_NUMA_SIMULATE": "0-1-2"], ["PACE_NUMA_SIMULATE": "0-99999"]] {
      #expect(throws: EngineError.self, "\(env)") { try BatchEngine(threads: 1, environment: env) }
    }
  }
}

@Suite struct EngineTopologyTests {
  @Test func numaOffFallsBackToOneUnpinnedNode() throws {
    for engine in [makeEngine(threads: 3, ["PACE_NUMA": "off"]), makeEngine(threads: 3, [:], numa: .off)] {
      guard let engine else { continue }
      #expect(engine.nodeCount == 1)
      #expect(!engine.topology.fromLibnuma && !engine.topology.simulated)
      #expect(engine.pinnedThreads == 0)
      #expect(engine.workersWithNodeMemory == 0)
    }
    // PACE_NUMA=off wins over a simulation; `require` refuses it.
    let off = makeEngine(threads: 2, ["PACE_NUMA": "off", "PACE_NUMA_SIMULATE": "0-0,1-1"])
    #expect(off?.nodeCount == 1)
    #expect(throws: EngineError.unsupported("NUMA was required but PACE_NUMA=off turns it off")) {
      try BatchEngine(threads: 1, numa: .require, environment: ["PACE_NUMA": "off"])
    }
  }

  @Test func realLibnumaPinsWorkersAndPlacesScratchOnTheNode() throws {
    let detected = Topology.detect()
    guard let engine = makeEngine(threads: 2) else { return }
    #expect(engine.topology == detected)
    if detected.fromLibnuma {
      // This machine: libnuma reports its node(s); workers pin to them and
      // their scratch comes from numa_alloc_onnode.
      #expect(engine.pinnedThreads == 2)
      #expect(engine.workersWithNodeMemory == 2)
      #expect(detected.memoryNodes.allSatisfy { $0 != nil })
      _ = try BatchEngine(threads: 1, numa: .require, environment: [:])
    } else {
      #expect(throws: EngineError.self) { try BatchEngine(threads: 1, numa: .require, environment: [:]) }
    }
  }

  @Test func simulatedNodesPinWhereTheyCan() throws {
    let cpus = CPUSet.processAffinity()?.cpus ?? []
    guard let engine = makeEngine(threads: 4, ["PACE_NUMA_SIMULATE": "0-0,1-1"]) else { return }
    #expect(engine.threadsPerNode == [2, 2])
    #expect(engine.topology.cpusPerNode == [[0], [1]])
    // Pinning succeeds for a node whose CPU is ours and is skipped otherwise.
    let expected = (cpus.contains(0) ? 2 : 0) + (cpus.contains(1) ? 2 : 0)
    #expect(engine.pinnedThreads == expected)
    // A CPU that does not exist: pinning fails gracefully, the batch still runs.
    guard let ghost = makeEngine(threads: 2, ["PACE_NUMA_SIMULATE": "0-0,1000-1000"]) else { return }
    let r = try ghost.reduce(mixedSchedules(5), start: 0, count: 100, lambda: 0.5)
    #expect(r.count == 5)
  }

  @Test func simulationText() throws {
    #expect(try Topology.parseSimulation("0-0,1-1") == [[0], [1]])
    #expect(try Topology.parseSimulation("0-3, 4-7") == [[0, 1, 2, 3], [4, 5, 6, 7]])
    #expect(try Topology.parseSimulation("5") == [[5]])
    for bad in ["", "1-0", "a-b", "0-1-2", "-1", "0,", "2000"] {
      #expect(throws: EngineError.self, "'\(bad)'") { try Topology.parseSimulation(bad) }
    }
  }

  @Test func defaultThreadsAreTheAffinityMask() throws {
    guard let engine = makeEngine(threads: nil) else { return }
    #expect(engine.threadCount == (CPUSet.processAffinity()?.count ?? engine.threadCount))
    #expect(engine.threadCount >= 1)
  }
}

@Suite struct BatchPlanTests {
  @Test func threadsAreSpreadOverNodes() {
    #expect(BatchPlan.threadsPerNode(threads: 1, cpuCounts: [4, 4]) == [1, 0])
    #expect(BatchPlan.threadsPerNode(threads: 2, cpuCounts: [4, 4]) == [1, 1])
    #expect(BatchPlan.threadsPerNode(threads: 7, cpuCounts: [1, 1]) == [4, 3])
    #expect(BatchPlan.threadsPerNode(threads: 10, cpuCounts: [6, 2]) == [7, 3])
    for t in 1...40 {
      #expect(BatchPlan.threadsPerNode(threads: t, cpuCounts: [3, 1, 2]).reduce(0, +) == t)
    }
  }

  @Test func splitsArePageAligned() {
    let base: UInt = 0x10000 + 8 * 37  // element-aligned, not page-aligned
    for total in [0, 1, 511, 100_000, 4096 * 100_000] {
      let bounds = BatchPlan.pageAlignedSplit(total: total, weights: [1, 2, 1], base: base, stride: 8, page: 4096)
      #expect(bounds.first == 0 && bounds.last == total)
      #expect(zip(bounds, bounds.dropFirst()).allSatisfy { $0 <= $1 })
      for b in bounds.dropFirst().dropLast() where b > 0 && b < total {
        #expect((base + UInt(b) * 8) % 4096 == 0, "boundary \(b) of \(total)")
      }
    }
  }
}

/// Runs `body(i)` on `n` plain threads and joins them.
enum DispatchlessThreads {
  final class Box: @unchecked Sendable {
    let body: (Int) -> Void
    let index: Int
    init(_ body: @escaping (Int) -> Void, _ index: Int) {
      self.body = body
      self.index = index
    }
  }

  static func run(_ n: Int, _ body: @escaping (Int) -> Void) {
    var threads: [pthread_t] = []
    for i in 0..<n {
      var t = pthread_t()
      let box = Unmanaged.passRetained(Box(body, i)).toOpaque()
      pthread_create(&t, nil, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        box.body(box.index)
        return nil
      }, box)
      threads.append(t)
    }
    for t in threads { pthread_join(t, nil) }
  }
}
