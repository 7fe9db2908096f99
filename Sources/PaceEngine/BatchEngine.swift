//===--- BatchEngine.swift ------------------------------------------------===//
// Many schedules x many steps on every core: batch fills into a row-major
// matrix, and streaming reductions (final value, S1, S2) per schedule.
//===----------------------------------------------------------------------===//
import Pace
#if canImport(Glibc)
import Glibc
#endif

/// A NUMA-aware batch evaluator: one group of worker threads per node, each
/// pinned to its node's CPUs, with scratch memory on its node.
///
/// Results never depend on the thread count or the topology: every element
/// of a fill is written by `Schedule.fill` (bit-identical to `value(at:)`),
/// and every reduction runs in step order on one thread (lane). Calls on one
/// engine from several threads are serialised.
public final class BatchEngine: @unchecked Sendable {
  /// The topology the engine was built on (after `PACE_NUMA` and
  /// `PACE_NUMA_SIMULATE`).
  public let topology: Topology
  /// Worker threads per topology node (0 for a node left without workers).
  public let threadsPerNode: [Int]
  public let mode: NUMAMode
  let pool: WorkerPool

  /// Threads when none are asked for: the CPUs of the affinity mask.
  public static var defaultThreadCount: Int {
    if let set = CPUSet.processAffinity(), set.count > 0 { return set.count }
    return Swift.max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1)
  }

  /// The most threads an engine may have.
  public static let maxThreads = 1024

  /// Elements per fill task (a node's workers take tasks in turn).
  static let fillPiece = 1 << 15

  /// Starts an engine.
  ///
  /// - Parameters:
  ///   - threads: worker threads (1 ... 1024); nil: ``defaultThreadCount``.
  ///   - numa: `.auto`, `.off` or `.require`.
  ///   - environment: the variables to read (`PACE_NUMA`,
  ///     `PACE_NUMA_SIMULATE`); nil: the process's environment.
  public init(threads: Int? = nil, numa: NUMAMode = .auto, environment: [String: String]? = nil) throws(EngineError) {
    let count = threads ?? BatchEngine.defaultThreadCount
    guard count >= 1 else { throw .argument("threads must be >= 1, got \(count)") }
    guard count <= BatchEngine.maxThreads else {
      throw .argument("threads must be <= \(BatchEngine.maxThreads), got \(count)")
    }
    let env = environment ?? BatchEngine.processEnvironment()
    let topology = try Topology.resolve(mode: numa, environment: env)
    let perNode = BatchPlan.threadsPerNode(threads: count, cpuCounts: topology.cpusPerNode.map(\.count))
    let pin = topology.fromLibnuma || topology.simulated
    var groups: [WorkerGroup] = []
    for (i, n) in perNode.enumerated() where n > 0 {
      groups.append(WorkerGroup(cpus: pin ? CPUSet(topology.cpusPerNode[i]) : nil,
                                memoryNode: i < topology.memoryNodes.count ? topology.memoryNodes[i] : nil,
                                threads: n))
    }
    self.topology = topology
    self.threadsPerNode = perNode
    self.mode = numa
    self.pool = try WorkerPool(groups: groups, scratchBytes: ReductionKernel.scratchBytes)
  }

  deinit { pool.stop() }

  static func processEnvironment() -> [String: String] {
    var env: [String: String] = [:]
    for name in [Topology.numaVariable, Topology.simulateVariable] {
      if let value = getenv(name) { env[name] = String(cString: value) }
    }
    return env
  }

  /// Worker threads.
  public var threadCount: Int { pool.slots.count }
  /// Node groups that have workers.
  public var nodeCount: Int { pool.groups.count }
  /// Workers pinned to their node's CPUs.
  public var pinnedThreads: Int { pool.slots.filter(\.pinned).count }
  /// Workers whose scratch libnuma placed on a node.
  public var workersWithNodeMemory: Int { pool.slots.filter { $0.scratch?.fromLibnuma == true }.count }

  // MARK: Validation

  /// An engine's workers live in the process that created it.
  func checkProcess() throws(EngineError) {
    guard pool.isUsable else {
      throw .unsupported("the engine was created in another process (before a fork): create a new engine here")
    }
  }

  /// Checks a batch's schedules and step range.
  static func checkRange(schedules: Int, start: Int64, count: Int64) throws(EngineError) {
    guard schedules >= 1 else { throw .argument("no schedules: n must be >= 1, got \(schedules)") }
    guard start >= 0 else { throw .argument("start must be >= 0, got \(start)") }
    guard count >= 0 else { throw .argument("count must be >= 0, got \(count)") }
    guard start <= Int64.max - count else {
      throw .argument("start + count overflows int64 (start \(start), count \(count))")
    }
  }

  /// Checks a fill's shape; returns the number of elements `n * count`.
  static func checkShape(schedules: Int, start: Int64, count: Int64, elementSize: Int) throws(EngineError) -> Int {
    try checkRange(schedules: schedules, start: start, count: count)
    let (elements, overflow) = schedules.multipliedReportingOverflow(by: Int(count))
    guard !overflow, elements <= Int.max / elementSize else {
      throw .argument("n x count = \(schedules) x \(count) elements of \(elementSize) bytes overflows size_t")
    }
    return elements
  }

  // MARK: Fills

  /// Writes the values of steps `start ..< start + count` of every schedule
  /// into the row-major `schedules.count x count` matrix `out` (row i:
  /// `schedules[i]`), each element bit-identical to `value(at:)`.
  ///
  /// Each node group writes (and so first touches) one contiguous part of
  /// `out`, split at page boundaries; its workers take pieces of it in turn.
  /// Everything is checked before any worker starts: on error `out` is
  /// untouched.
  public func fill(_ schedules: [Schedule], start: Int64, count: Int64,
                   into out: UnsafeMutableBufferPointer<Double>) throws(EngineError) {
    try fillMatrix(schedules, start: start, count: count, into: out)
  }

  /// As the float64 fill, each value rounded once to float.
  public func fill(_ schedules: [Schedule], start: Int64, count: Int64,
                   into out: UnsafeMutableBufferPointer<Float>) throws(EngineError) {
    try fillMatrix(schedules, start: start, count: count, into: out)
  }

  private func fillMatrix<E: BatchElement>(_ schedules: [Schedule], start: Int64, count: Int64,
                                           into out: UnsafeMutableBufferPointer<E>) throws(EngineError) {
    let elements = try BatchEngine.checkShape(schedules: schedules.count, start: start, count: count,
                                              elementSize: MemoryLayout<E>.stride)
    guard out.count >= elements else {
      throw .bufferTooSmall("the output holds \(out.count) elements; \(schedules.count) x \(count) = \(elements) are needed")
    }
    guard elements > 0 else { return }
    guard let base = out.baseAddress else { throw .argument("out is NULL") }
    try checkProcess()
    let weights = pool.groups.map(\.threads)
    let bounds = BatchPlan.pageAlignedSplit(total: elements, weights: weights, base: UInt(bitPattern: base),
                                            stride: MemoryLayout<E>.stride, page: BatchEngine.pageSize)
    let counters = weights.map { _ in TaskCounter() }
    let columns = Int(count)
    let piece = BatchEngine.fillPiece
    schedules.withUnsafeBufferPointer { list in
      // `list` stays valid for the call: run returns when every worker has.
      _ = pool.run { slot in  // checkProcess: the workers are here
        let lo = bounds[slot.group], hi = bounds[slot.group + 1]
        let counter = counters[slot.group]
        while true {
          let (task, overflow) = counter.next().multipliedReportingOverflow(by: piece)
          if overflow || task >= hi - lo { break }
          var e = lo + task
          let end = Swift.min(e + piece, hi)
          while e < end {
            let (row, column) = e.quotientAndRemainder(dividingBy: columns)
            let n = Swift.min(columns - column, end - e)
            E.fill(list[row], from: start + Int64(column), into: UnsafeMutableBufferPointer(start: base + e, count: n))
            e += n
          }
        }
      }
    }
  }

  static let pageSize: Int = {
    let p = Int(sysconf(Int32(_SC_PAGESIZE)))
    return p > 0 ? p : 4096
  }()

  // MARK: Reductions

  /// Per schedule over steps `start ..< start + count` (count >= 1): the
  /// final value, S1 and S2 with momentum `lambda` in [0, 1) (see
  /// ``Reduction``), written to `finalValues[i]`, `sums[i]`, `s2[i]` (each
  /// nil or holding `schedules.count` doubles). No matrix is materialised:
  /// each worker fills a 4 x 512 scratch chunk and reduces it. Bit-identical
  /// to ``Reduction/naive(_:lambda:)`` whatever the threads and topology.
  public func reduce(_ schedules: [Schedule], start: Int64, count: Int64, lambda: Double,
                     finalValues: UnsafeMutablePointer<Double>?, sums: UnsafeMutablePointer<Double>?,
                     s2: UnsafeMutablePointer<Double>?) throws(EngineError) {
    try BatchEngine.checkRange(schedules: schedules.count, start: start, count: count)
    guard count >= 1 else { throw .argument("count must be >= 1 for a reduction, got \(count)") }
    guard lambda.isFinite, lambda >= 0, lambda < 1 else {
      throw .argument("lambda must be in [0, 1), got \(lambda)")
    }
    if finalValues == nil && sums == nil && s2 == nil { return }
    try checkProcess()
    let n = schedules.count
    let lanes = ReductionKernel.lanes
    let tasks = (n + lanes - 1) / lanes
    let weights = pool.groups.map(\.threads)
    let bounds = BatchPlan.split(total: tasks, weights: weights)  // in tasks of four schedules
    let counters = weights.map { _ in TaskCounter() }
    let steps = Int(count)
    schedules.withUnsafeBufferPointer { list in
      _ = pool.run { slot in  // checkProcess: the workers are here
        let lo = bounds[slot.group], hi = bounds[slot.group + 1]
        let counter = counters[slot.group]
        while true {
          let task = lo + counter.next()
          if task >= hi { break }
          let first = task * lanes
          ReductionKernel.run(list, first: first, lanes: Swift.min(lanes, n - first), start: start, count: steps,
                              lambda: lambda, scratch: slot.scratchDoubles, finalValues: finalValues, sums: sums,
                              s2: s2)
        }
      }
    }
  }

  /// The reductions as arrays.
  public func reduce(_ schedules: [Schedule], start: Int64, count: Int64, lambda: Double) throws(EngineError)
    -> [Reduction]
  {
    let n = schedules.count
    var f = [Double](repeating: 0, count: n), s = f, a = f
    try f.withUnsafeMutableBufferPointer { (fp) throws(EngineError) in
      try s.withUnsafeMutableBufferPointer { (sp) throws(EngineError) in
        try a.withUnsafeMutableBufferPointer { (ap) throws(EngineError) in
          try reduce(schedules, start: start, count: count, lambda: lambda, finalValues: fp.baseAddress,
                     sums: sp.baseAddress, s2: ap.baseAddress)
        }
      }
    }
    return (0..<n).map { Reduction(finalValue: f[$0], sum: s[$0], s2: a[$0]) }
  }
}

/// The element types of a batch fill.
protocol BatchElement {
  static func fill(_ schedule: Schedule, from start: Int64, into out: UnsafeMutableBufferPointer<Self>)
}

extension Double: BatchElement {
  @inline(__always)
  static func fill(_ schedule: Schedule, from start: Int64, into out: UnsafeMutableBufferPointer<Double>) {
    schedule.fill(from: start, into: out)
  }
}

extension Float: BatchElement {
  @inline(__always)
  static func fill(_ schedule: Schedule, from start: Int64, into out: UnsafeMutableBufferPointer<Float>) {
    schedule.fill(from: start, into: out)
  }
}
