//===--- MixtureSplit.swift -----------------------------------------------===//
// Constant mixture proportions in closed form: how many of the first n
// samples of a stream belong to each domain, monotone in n for every domain.
//===----------------------------------------------------------------------===//

/// A binary tree over the domains `[0, D)`: each inner node splits the items
/// reaching it between its halves in proportion `q` (the left half's share
/// of the node's weight) by the rounding `left(n) = floor(n q + 1/2)`, exact
/// in 128-bit fixed point. `left(n)` and `n - left(n)` both grow by 0 or 1
/// per item, so every domain's count is monotone in `n` (no sample is ever
/// taken back) and within `depth = ceil(log2 D)` items of `n p_d`.
///
/// - Complexity: O(D) per ``counts(_:)``; O(D) memory.
struct MixtureSplit: Sendable {
  /// Per inner node (heap order over domain ranges), the left share as a
  /// 64-bit fraction; `nil` for a share of exactly 1.
  private let leftShare: [UInt64?]
  let domains: Int

  /// Splits for proportions `weights` (>= 0, not all 0).
  init(weights: [Double]) {
    domains = weights.count
    var shares: [UInt64?] = []
    func build(_ lo: Int, _ hi: Int, _ node: Int) {
      guard hi - lo > 1 else { return }
      let mid = (lo + hi) / 2
      let left = weights[lo..<mid].reduce(0, +), total = weights[lo..<hi].reduce(0, +)
      while shares.count <= node { shares.append(0) }
      if total <= 0 {
        shares[node] = UInt64(Double(mid - lo) / Double(hi - lo) * 0x1p64)
      } else if left >= total {
        shares[node] = nil
      } else {
        let q = left / total * 0x1p64
        shares[node] = q >= 0x1p64 ? nil : UInt64(q)
      }
      build(lo, mid, 2 * node + 1)
      build(mid, hi, 2 * node + 2)
    }
    build(0, weights.count, 0)
    leftShare = shares
  }

  /// The number of the first `n` items (n >= 0) that go to each domain.
  func counts(_ n: Int64) -> [Int64] {
    var out = [Int64](repeating: 0, count: domains)
    func descend(_ lo: Int, _ hi: Int, _ node: Int, _ n: Int64) {
      guard hi - lo > 1 else { out[lo] = n; return }
      let mid = (lo + hi) / 2
      let left: Int64
      if let share = leftShare[node] {
        // floor(n * share / 2^64 + 1/2)
        let (high, low) = UInt64(n).multipliedFullWidth(by: share)
        let (_, carry) = low.addingReportingOverflow(1 << 63)
        left = Int64(high + (carry ? 1 : 0))
      } else {
        left = n
      }
      descend(lo, mid, 2 * node + 1, left)
      descend(mid, hi, 2 * node + 2, n - left)
    }
    descend(0, domains, 0, n)
    return out
  }
}
