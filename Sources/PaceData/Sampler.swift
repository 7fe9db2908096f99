//===--- Sampler.swift ----------------------------------------------------===//
// The data-pacing sampler: which sample indices make up each step's global
// batch, and each data-parallel rank's contiguous slice of it.
//===----------------------------------------------------------------------===//
import Pace
import PaceEngine
import Synchronization

/// A batch sampler (design: data-pacing.md). `batch(step:rank:worldSize:)`
/// is a pure function of the config, the per-sample arrays given at
/// creation and, for the `ability` policy, the abilities reported so far:
/// counter-based randomness keyed by (seed, epoch, step, ...), no generator
/// state. Rank r of W gets the r-th contiguous slice of B/W indices, so the
/// concatenated slices are the same global batch for every W.
///
/// Queries are safe from several threads at once; ``reportAbility(step:theta:)``
/// must not run concurrently with other calls.
///
/// ```swift
/// let s = try Sampler(configText: #"{"size": 1000000, "global_batch": 256, "seed": 7}"#)
/// let mine = try s.batch(step: 10, rank: 1, worldSize: 4)   // 64 indices
/// ```
public final class Sampler: @unchecked Sendable {
  let config: SamplerConfig
  let pool: SamplePool
  /// A hash of the arrays the policy reads (checked when state is loaded).
  let fingerprint: UInt64
  let history = Mutex(AbilityHistory())

  /// Pools at least this large are built on the batch engine's workers.
  public static let parallelMinimum = 1 << 20

  /// The engine large pools are built on when no engine is given (created
  /// on first use; nil when it cannot start, then the calling thread works).
  static let sharedEngine: BatchEngine? = try? BatchEngine()

  /// Creates a sampler.
  ///
  /// - Parameters:
  ///   - configText: the JSON config (keys `size`, `global_batch`, `seed`,
  ///     `policy`, `mixture`; docs/data.md).
  ///   - scores: one value per sample (difficulty, IRT difficulty, quality
  ///     rating or ordering score), finite; nil when the policy reads none
  ///     (ignored by `uniform`).
  ///   - domains: one domain id per sample, in `[0, D)` for a mixture of D
  ///     weights or `[0, 65535]` for per-domain budgets; nil otherwise.
  ///   - engine: the engine whose workers build large pools (>=
  ///     ``parallelMinimum`` samples); nil: a shared engine with one worker
  ///     per CPU. The result has the same bits whatever the engine.
  /// - Throws: ``DataError`` naming the config field or argument.
  /// - Complexity: O(1) for `uniform`; O(N) for a mixture or `weighted`
  ///   (radix selection), O(N) radix sort for `competence`, `ability` and
  ///   `ordered`.
  public convenience init(configText: String, scores: [Double]? = nil, domains: [Int32]? = nil,
                          engine: BatchEngine? = nil) throws(DataError) {
    let config = try SamplerConfig(text: configText)
    try self.init(config: config, scores: scores, domains: domains, engine: engine)
  }

  /// Creates a sampler from a parsed JSON config (see ``init(configText:scores:domains:engine:)``).
  package convenience init(config document: JSONValue, scores: [Double]? = nil, domains: [Int32]? = nil,
                          engine: BatchEngine? = nil) throws(DataError) {
    try self.init(config: try SamplerConfig(document), scores: scores, domains: domains, engine: engine)
  }

  convenience init(config: SamplerConfig, scores: [Double]?, domains: [Int32]?, engine: BatchEngine?) throws(DataError) {
    let count = Int64(max(scores?.count ?? 0, domains?.count ?? 0))
    let built: Result<(SamplePool, UInt64), DataError> = (scores ?? []).withUnsafeBufferPointer { s in
      (domains ?? []).withUnsafeBufferPointer { d in
        Result { () throws(DataError) in
          try Sampler.build(config: config, scores: scores == nil ? nil : s, domains: domains == nil ? nil : d,
                            count: count, engine: engine)
        }
      }
    }
    let (pool, fingerprint) = try built.get()
    self.init(config: config, pool: pool, fingerprint: fingerprint)
  }

  /// Creates a sampler over arrays the caller owns (the C API's entry): the
  /// arrays are read during the call only. `count` is their length (both
  /// arrays, where given) and must equal the config's size.
  public convenience init(configText: String, scores: UnsafeBufferPointer<Double>?, domains: UnsafeBufferPointer<Int32>?,
                          count: Int64, engine: BatchEngine? = nil) throws(DataError) {
    let config = try SamplerConfig(text: configText)
    let (pool, fingerprint) = try Sampler.build(config: config, scores: scores, domains: domains, count: count, engine: engine)
    self.init(config: config, pool: pool, fingerprint: fingerprint)
  }

  init(config: SamplerConfig, pool: SamplePool, fingerprint: UInt64) {
    self.config = config
    self.pool = pool
    self.fingerprint = fingerprint
  }

  /// N, the number of samples.
  public var size: Int64 { config.size }
  /// The config as compact JSON.
  public var configText: String { config.text }
  /// The policy's name (`uniform`, `competence`, `ability`, `weighted`, `ordered`).
  public var policyName: String { config.policy.name }

  /// Checks a step (>= 0).
  func check(step: Int64) throws(DataError) {
    guard step >= 0 else { throw .argument("step must be >= 0, got \(step)") }
  }

  /// The global batch size of `step`.
  ///
  /// - Complexity: O(log segments).
  public func globalBatchSize(at step: Int64) throws(DataError) -> Int64 {
    try check(step: step)
    return config.batches.size(at: step)
  }

  /// The sample offset of `step`'s first sample: the sum of the global batch
  /// sizes of steps `0 ..< step`, exact (an error past int64).
  ///
  /// - Complexity: O(log segments).
  public func firstOffset(at step: Int64) throws(DataError) -> Int64 {
    try check(step: step)
    return try config.batches.offset(of: step)
  }

  /// The size of the eligible pool at `step`: N for `uniform` and `ordered`
  /// (and mixtures), `ceil(c(t) N)` for `competence`, the PUDF pool for
  /// `ability`, the selected subset for `weighted`.
  ///
  /// - Complexity: O(log reports) (`ability`), O(phases) (`competence` with
  ///   a spec), otherwise O(1).
  public func eligible(at step: Int64) throws(DataError) -> Int64 {
    try check(step: step)
    return pool.eligible(at: step, history: history.withLock { $0 }, size: config.size)
  }

  /// The abilities reported so far, as (step, theta), in order.
  public var abilityReports: [(step: Int64, theta: Double)] { history.withLock { $0.reports } }

  /// Ability policy: records the ability `theta` the trainer estimated at
  /// `step` (``IRT/ability(difficulties:responses:)``) and applies PUDF's
  /// cap rule from `step` on. Steps must not decrease between reports.
  /// Other policies: an error.
  public func reportAbility(step: Int64, theta: Double) throws(DataError) {
    guard case .ability = config.policy else {
      throw .argument("report_ability: only the ability policy takes abilities (policy.kind is \(config.policy.name))")
    }
    try history.withLock { h throws(DataError) in try h.report(step: step, theta: theta) }
  }

  /// This rank's slice of `step`'s global batch: `B / worldSize` indices.
  ///
  /// - Complexity: O(B / worldSize) expected, independent of N and of the
  ///   step (mixtures whose weights still change: see ``MixturePlan``).
  public func batch(step: Int64, rank: Int64 = 0, worldSize: Int64 = 1) throws(DataError) -> [Int64] {
    let count = try sliceCount(step: step, rank: rank, worldSize: worldSize)
    var failure: DataError?
    let out = [Int64](unsafeUninitializedCapacity: Int(count)) { buffer, n in
      do throws(DataError) {
        try batch(step: step, rank: rank, worldSize: worldSize, into: buffer)
        n = Int(count)
      } catch {
        failure = error
        n = 0
      }
    }
    if let failure { throw failure }
    return out
  }

  /// The number of indices of one rank's slice; validates the arguments.
  public func sliceCount(step: Int64, rank: Int64, worldSize: Int64) throws(DataError) -> Int64 {
    try check(step: step)
    guard worldSize >= 1 else { throw .argument("world_size must be >= 1, got \(worldSize)") }
    guard rank >= 0, rank < worldSize else { throw .argument("rank must be in [0, world_size) = [0, \(worldSize)), got \(rank)") }
    let b = config.batches.size(at: step)
    guard b % worldSize == 0 else {
      throw .argument("the global batch \(b) of step \(step) is not divisible by world_size \(worldSize)")
    }
    return b / worldSize
  }

  /// Writes this rank's slice into `out` (at least ``sliceCount(step:rank:worldSize:)`` elements).
  public func batch(step: Int64, rank: Int64, worldSize: Int64, into out: UnsafeMutableBufferPointer<Int64>) throws(DataError) {
    let count = try sliceCount(step: step, rank: rank, worldSize: worldSize)
    guard out.count >= Int(count) else { throw .argument("out holds \(out.count) indices; \(count) are needed") }
    let first = try config.batches.offset(of: step)
    let (_, overflow) = first.addingReportingOverflow(config.batches.size(at: step))
    guard !overflow else { throw .argument("step \(step): its sample offset overflows int64") }
    let h: AbilityHistory? = if case .ability = config.policy { history.withLock { $0 } } else { nil }
    try draw(step: step, firstOffset: first, slots: (rank * count)..<((rank + 1) * count), history: h, into: out)
  }
}
