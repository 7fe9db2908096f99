//===--- BatchPlan.swift --------------------------------------------------===//
// How threads are spread over nodes and work over node groups: pure
// functions, the same for every run of the same shape.
//===----------------------------------------------------------------------===//
import Synchronization

enum BatchPlan {
  /// Threads per node: every node gets one (the first `threads` nodes when
  /// there are fewer threads than nodes), the rest in proportion to the
  /// nodes' CPU counts (largest remainder; ties to the lower node).
  static func threadsPerNode(threads: Int, cpuCounts: [Int]) -> [Int] {
    let k = cpuCounts.count
    guard k > 0, threads > 0 else { return Array(repeating: 0, count: k) }
    if threads <= k { return (0..<k).map { $0 < threads ? 1 : 0 } }
    var out = Array(repeating: 1, count: k)
    let extra = threads - k
    let weights = cpuCounts.map { Swift.max($0, 1) }
    let total = weights.reduce(0, +)
    var remainders: [(Int, Int)] = []  // (remainder, node)
    var given = 0
    for (i, w) in weights.enumerated() {
      let (q, r) = (extra * w).quotientAndRemainder(dividingBy: total)
      out[i] += q
      given += q
      remainders.append((r, i))
    }
    remainders.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
    for j in 0..<(extra - given) { out[remainders[j].1] += 1 }
    return out
  }

  /// Boundaries `b[0] = 0 <= b[1] <= ... <= b[k] = total` splitting `total`
  /// items in proportion to `weights` (all > 0).
  static func split(total: Int, weights: [Int]) -> [Int] {
    let sum = weights.reduce(0, +)
    var bounds = [0]
    var cumulative = 0
    for w in weights {
      cumulative += w
      // total * cumulative / sum without overflow (total < 2^62, sum <= 2^20).
      let product = total.multipliedFullWidth(by: cumulative)
      bounds.append(sum.dividingFullWidth(product).quotient)
    }
    bounds[bounds.count - 1] = total
    return bounds
  }

  /// `split`, with each inner boundary moved to the nearest element index
  /// whose address (`base + index * stride`) starts a page, so that no page
  /// of the output is written by two node groups. Unchanged when the base
  /// is not aligned to the element size.
  static func pageAlignedSplit(total: Int, weights: [Int], base: UInt, stride: Int, page: Int) -> [Int] {
    var bounds = split(total: total, weights: weights)
    guard stride > 0, page % stride == 0, base % UInt(stride) == 0, bounds.count > 2 else { return bounds }
    let perPage = page / stride
    let first = Int((UInt(page) - base % UInt(page)) % UInt(page)) / stride  // first page-start index
    for i in 1..<(bounds.count - 1) {
      let b = bounds[i]
      var aligned = b
      if b > first {
        let down = first + (b - first) / perPage * perPage
        aligned = (b - down) * 2 < perPage ? down : down + perPage
      } else {
        aligned = first
      }
      bounds[i] = Swift.min(Swift.max(aligned, bounds[i - 1]), total)
    }
    return bounds
  }
}

/// A shared counter handing out task numbers 0, 1, 2, ... to the workers
/// of one node group.
final class TaskCounter: Sendable {
  private let value = Atomic<Int>(0)
  func next() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
}
