//===--- SamplePool.swift -------------------------------------------------===//
// What a policy keeps after creation, its eligible pool, and how it draws
// the sample at each slot of a step's global batch.
//===----------------------------------------------------------------------===//
import Pace

/// Streams of counter-based randomness, one per use (part of every key).
enum Stream: UInt64 {
  case uniformEpoch = 1, competenceStep, abilityPass, weightedEpoch, mixtureSlots, mixtureDomainEpoch, gumbel
}

/// A policy's state after creation. Scored policies keep at most one sorted
/// copy: 4 bytes per sample of order (0.5x a float64 score array), plus the
/// sorted difficulties for `ability` (1.5x in all).
enum SamplePool: Sendable {
  case uniform
  /// Members sorted by (domain, index); domain d's are `members[starts[d] ..< starts[d+1]]`.
  case mixture(MixturePlan, members: [UInt32], starts: [Int])
  /// Sample indices by ascending difficulty (ties by index).
  case competence(order: [UInt32], pacing: Pacing, c0: Double)
  /// Sample indices by ascending difficulty and the difficulties in that order.
  case ability(order: [UInt32], sorted: [Double], minPool: Int64)
  /// The selected subset, ascending.
  case weighted(subset: [UInt32])
  /// Sample indices in the policy's order.
  case ordered(order: [UInt32])

  /// Platanios et al.'s competence at `step`, clipped to [c0, 1].
  static func competence(_ pacing: Pacing, c0: Double, step: Int64) -> Double {
    let t = Double(step)
    let c: Double
    switch pacing {
    case .linear(let total): c = t * (1 - c0) / total + c0
    case .sqrt(let total): c = (t * (1 - c0 * c0) / total + c0 * c0).squareRoot()
    case .schedule(let s): c = s.value(at: step)
    }
    guard c.isFinite else { return c == .infinity ? 1 : c0 }
    return min(1, max(c0, c))
  }

  /// `ceil(c N)` in [1, N].
  static func prefix(_ c: Double, of n: Int) -> Int {
    max(1, min(n, Int((c * Double(n)).rounded(.up))))
  }

  /// The `ability` pool of a phase's cap: the items with b <= cap, at least
  /// the `minPool` easiest (all when N is smaller).
  static func abilityPool(sorted: [Double], cap: Double, minPool: Int64) -> Int {
    var lo = 0, hi = sorted.count  // count of sorted[i] <= cap
    while lo < hi {
      let mid = (lo + hi) / 2
      if sorted[mid] <= cap { lo = mid + 1 } else { hi = mid }
    }
    return max(lo, Int(min(minPool, Int64(sorted.count))))
  }

  func eligible(at step: Int64, history: AbilityHistory, size: Int64) -> Int64 {
    switch self {
    case .uniform: return size
    case .mixture(_, let members, _): return Int64(members.count)
    case .competence(let order, let pacing, let c0):
      return Int64(SamplePool.prefix(SamplePool.competence(pacing, c0: c0, step: step), of: order.count))
    case .ability(_, let sorted, let minPool):
      return Int64(SamplePool.abilityPool(sorted: sorted, cap: history.cap(ofPhase: history.phase(of: step)), minPool: minPool))
    case .weighted(let subset): return Int64(subset.count)
    case .ordered(let order): return Int64(order.count)
    }
  }
}
