//===--- Sampler+Build.swift ----------------------------------------------===//
// Creation: the arrays checked and fingerprinted, each policy's pool built.
//===----------------------------------------------------------------------===//
import PaceEngine

extension Sampler {
  /// The largest pool a scored policy or a mixture takes (indices are kept
  /// as 32 bits).
  public static let maximumScoredSize: Int64 = 1 << 32

  /// Checks the arrays against the config and builds the policy's pool.
  static func build(config: SamplerConfig, scores: UnsafeBufferPointer<Double>?, domains: UnsafeBufferPointer<Int32>?,
                    count: Int64, engine: BatchEngine?) throws(DataError) -> (SamplePool, UInt64) {
    let n = config.size
    let needsDomains: Bool
    if case .weighted(_, _, let perDomain) = config.policy { needsDomains = perDomain } else { needsDomains = config.mixture != nil }
    let usedScores = config.policy.needsScores ? scores : nil
    let usedDomains = needsDomains ? domains : nil
    if config.policy.needsScores, usedScores == nil {
      throw .argument("scores: policy.kind \(config.policy.name) needs one score per sample (got NULL)")
    }
    if needsDomains, usedDomains == nil {
      throw .argument("domains: \(config.mixture != nil ? "a mixture" : "policy.per_domain") needs one domain id per sample (got NULL)")
    }
    if config.policy.needsScores || needsDomains {
      guard count == n else { throw .argument("n (\(count)) differs from the config's size (\(n))") }
      guard n <= maximumScoredSize else {
        throw .config("size: \(n) exceeds \(maximumScoredSize), the largest pool of policy \(config.policy.name) or a mixture")
      }
    }
    if let s = usedScores, s.count != Int(n) { throw .argument("scores holds \(s.count) values; size is \(n)") }
    if let d = usedDomains, d.count != Int(n) { throw .argument("domains holds \(d.count) values; size is \(n)") }
    let workers = Workers(engine: n >= Int64(parallelMinimum) ? (engine ?? sharedEngine) : nil)
    let domainLimit = Int32(config.mixture.map { $0.count - 1 } ?? 65535)
    let fingerprint = try Fingerprint.of(size: n, scores: usedScores, domains: usedDomains, domainLimit: domainLimit,
                                         workers: workers)
    let largest = config.batches.largest
    func requireBatch(atMost limit: Int64, _ what: String) throws(DataError) {
      guard largest <= limit else {
        throw .config("global_batch: the largest batch (\(largest)) exceeds \(what) (\(limit)); a batch draws distinct samples")
      }
    }
    switch config.policy {
    case .uniform:
      try requireBatch(atMost: n, "size")
      guard let weights = config.mixture, let domains = usedDomains else { return (.uniform, fingerprint) }
      let (members, starts) = groupByDomain(domains, domainCount: weights.count)
      for (d, w) in weights.enumerated() where starts[d + 1] == starts[d] {
        if case .constant(let x) = w, x == 0 { continue }
        throw .argument("domains: domain \(d) has no samples, but mixture.weights[\(d)] can be positive")
      }
      return (.mixture(MixturePlan(weights: weights, batches: config.batches), members: members, starts: starts), fingerprint)
    case .ordered(let descending):
      try requireBatch(atMost: n, "size")
      return (.ordered(order: sortedOrder(usedScores!, descending: descending, workers: workers)), fingerprint)
    case .competence(let pacing, let c0):
      try requireBatch(atMost: Int64(SamplePool.prefix(c0, of: Int(n))), "the smallest eligible pool ceil(policy.c0 * size)")
      return (.competence(order: sortedOrder(usedScores!, descending: false, workers: workers), pacing: pacing, c0: c0), fingerprint)
    case .ability(let minPool):
      try requireBatch(atMost: min(minPool, n), "policy.min_pool, the smallest eligible pool")
      let order = sortedOrder(usedScores!, descending: false, workers: workers)
      let s = usedScores!
      let sorted = [Double](unsafeUninitializedCapacity: order.count) { out, k in
        let chunks = Chunks(count: order.count)
        workers.run(chunks.parts) { p in for i in chunks.range(p) { out[i] = s[Int(order[i])] } }
        k = order.count
      }
      return (.ability(order: order, sorted: sorted, minPool: minPool), fingerprint)
    case .weighted(let temperature, let budget, let perDomain):
      let k: Int64
      switch budget {
      case .count(let c): k = c
      case .fraction(let f): k = max(1, Int64((f * Double(n)).rounded(.down)))
      }
      guard k <= n else { throw .config("policy.budget: \(k) exceeds size (\(n))") }
      try requireBatch(atMost: k, "the selected subset (policy.budget)")
      let subset = QualitySelection.select(ratings: usedScores!, budget: Int(k), temperature: temperature,
                                           domains: perDomain ? usedDomains : nil, seed: config.seed, workers: workers)
      return (.weighted(subset: subset), fingerprint)
    }
  }

  /// Sample indices by (score, index), ascending or descending score.
  static func sortedOrder(_ scores: UnsafeBufferPointer<Double>, descending: Bool, workers: Workers) -> [UInt32] {
    let keys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: scores.count)
    defer { keys.deallocate() }
    let chunks = Chunks(count: scores.count)
    workers.run(chunks.parts) { p in
      for i in chunks.range(p) { keys[i] = descending ? OrderKey.descending(scores[i]) : OrderKey.ascending(scores[i]) }
    }
    return RadixSort.order(keys, workers: workers)
  }

  /// Indices grouped by domain (ascending within each) and each domain's start.
  static func groupByDomain(_ domains: UnsafeBufferPointer<Int32>, domainCount: Int) -> ([UInt32], [Int]) {
    var starts = [Int](repeating: 0, count: domainCount + 1)
    for d in domains { starts[Int(d) + 1] += 1 }
    for d in 0..<domainCount { starts[d + 1] += starts[d] }
    var next = Array(starts[0..<domainCount])
    let members = [UInt32](unsafeUninitializedCapacity: domains.count) { out, k in
      for (i, d) in domains.enumerated() {
        out[next[Int(d)]] = UInt32(truncatingIfNeeded: i)
        next[Int(d)] += 1
      }
      k = domains.count
    }
    return (members, starts)
  }
}
