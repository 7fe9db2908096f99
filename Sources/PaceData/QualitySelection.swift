//===--- QualitySelection.swift -------------------------------------------===//
// QuRating's selection: z-scored ratings / temperature + Gumbel noise, top
// budget (sampling without replacement with p ∝ exp(s / τ)).
//===----------------------------------------------------------------------===//

/// Wettig et al. (algorithms.md §10): `s = (r - mean) / std / τ + G_i`, with
/// `G_i ~ Gumbel(0, 1)` a pure function of (seed, i), and the `budget`
/// largest `s` kept (ties by index); `τ = 0` keeps the top ratings with no
/// noise. With domains, each domain's budget is its share of the budget in
/// proportion to its size (largest remainder), and each is selected within
/// its domain.
///
/// The mean and the standard deviation (population, ddof 0) are sums over a
/// fixed split combined in order: the same bits on any thread count.
///
/// - Complexity: O(N) (one pass for the moments, one for the keys, five for
///   the selection per domain budget); memory 8 bytes per rating for the
///   keys plus 4 per selected sample.
enum QualitySelection {
  static func select(ratings: UnsafeBufferPointer<Double>, budget: Int, temperature: Double,
                     domains: UnsafeBufferPointer<Int32>?, seed: UInt64, workers: Workers) -> [UInt32] {
    let n = ratings.count
    let chunks = Chunks(count: n)
    let mean = sum(chunks, workers) { ratings[$0] } / Double(n)
    let variance = sum(chunks, workers) { let d = ratings[$0] - mean; return d * d } / Double(n)
    let std = variance.squareRoot()
    let scale = std > 0 ? 1 / std : 0
    let noiseKey = CounterRandom.key(seed, Stream.gumbel.rawValue)
    let keys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
    defer { keys.deallocate() }
    workers.run(chunks.parts) { p in
      for i in chunks.range(p) {
        let z = (ratings[i] - mean) * scale
        let s = temperature > 0 ? z / temperature + CounterRandom.gumbel(key: noiseKey, index: UInt64(i)) : z
        keys[i] = OrderKey.descending(s)
      }
    }
    let frozen = UnsafeBufferPointer(keys)
    guard let domains else { return TopK.smallest(budget, of: frozen, workers: workers) }
    // Per-domain budgets in proportion to domain sizes (largest remainder).
    var sizes = [Int](repeating: 0, count: 65536)
    for d in domains { sizes[Int(d)] += 1 }
    let present = sizes.indices.filter { sizes[$0] > 0 }
    var budgets = [Int](repeating: 0, count: 65536)
    var remainders: [(Double, Int)] = []
    var assigned = 0
    for d in present {
      let exact = Double(budget) * Double(sizes[d]) / Double(n)
      budgets[d] = Int(exact.rounded(.down))
      assigned += budgets[d]
      remainders.append((exact - Double(budgets[d]), d))
    }
    remainders.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
    for (_, d) in remainders.prefix(budget - assigned) { budgets[d] += 1 }
    var subset: [UInt32] = []
    subset.reserveCapacity(budget)
    for d in present where budgets[d] > 0 {
      let domain = Int32(d)
      subset += TopK.smallest(min(budgets[d], sizes[d]), of: frozen, admit: { domains[$0] == domain }, workers: workers)
    }
    subset.sort()
    return subset
  }

  /// The sum of `term(i)` over all elements: per part in index order, the
  /// parts' sums added in part order.
  static func sum(_ chunks: Chunks, _ workers: Workers, _ term: (Int) -> Double) -> Double {
    var parts = [Double](repeating: 0, count: chunks.parts)
    parts.withUnsafeMutableBufferPointer { out in
      workers.run(chunks.parts) { p in
        var s = 0.0
        for i in chunks.range(p) { s += term(i) }
        out[p] = s
      }
    }
    return parts.reduce(0, +)
  }
}
