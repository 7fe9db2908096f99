//===--- KeyedPermutation.swift -------------------------------------------===//
// A keyed bijection of [0, n) in O(1) memory: a balanced Feistel network on
// the smallest even number of bits covering n, with cycle-walking.
//===----------------------------------------------------------------------===//

/// A pseudo-random permutation of `[0, n)` chosen by a 64-bit key, evaluated
/// one index at a time; nothing of size n is ever stored.
///
/// The Feistel network permutes `[0, 2^(2h))`, where `2^(2h)` is the
/// smallest power of 4 that is `>= n` (so `< 4n`); an image `>= n` is fed
/// through the network again (cycle-walking) until it lands in `[0, n)`,
/// which restricts the bijection of `[0, 2^(2h))` to a bijection of
/// `[0, n)`. Six rounds of a keyed SplitMix64 round function.
///
/// - Complexity: O(1) memory; O(1) expected time per index (fewer than 4
///   network passes on average, as more than 1/4 of the domain is `< n`).
@frozen
public struct KeyedPermutation: Sendable {
  /// The size of the permuted range, `n >= 1`.
  public let count: UInt64
  @usableFromInline let halfBits: UInt64
  @usableFromInline let mask: UInt64
  @usableFromInline let roundKeys: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

  /// The permutation of `[0, count)` for `key` (`count >= 1`, at most 2^62).
  public init(count: UInt64, key: UInt64) {
    self.count = Swift.max(count, 1)
    var bits: UInt64 = 2
    while bits < 62, (UInt64(1) << bits) < self.count { bits += 2 }
    halfBits = bits / 2
    mask = (UInt64(1) << halfBits) - 1
    let k = CounterRandom.mix(key)
    roundKeys = (CounterRandom.key(k, 1), CounterRandom.key(k, 2), CounterRandom.key(k, 3),
                 CounterRandom.key(k, 4), CounterRandom.key(k, 5), CounterRandom.key(k, 6))
  }

  @inline(__always) @usableFromInline
  func round(_ x: UInt64, _ key: UInt64) -> UInt64 {
    CounterRandom.mix(x ^ key) & mask
  }

  /// One pass of the network over `[0, 2^(2h))`.
  @inline(__always) @usableFromInline
  func network(_ x: UInt64) -> UInt64 {
    var left = x >> halfBits, right = x & mask
    (left, right) = (right, left ^ round(right, roundKeys.0))
    (left, right) = (right, left ^ round(right, roundKeys.1))
    (left, right) = (right, left ^ round(right, roundKeys.2))
    (left, right) = (right, left ^ round(right, roundKeys.3))
    (left, right) = (right, left ^ round(right, roundKeys.4))
    (left, right) = (right, left ^ round(right, roundKeys.5))
    return (left << halfBits) | right
  }

  /// The image of `index` (`0 <= index < count`), in `[0, count)`.
  @inlinable
  public func callAsFunction(_ index: UInt64) -> UInt64 {
    var x = network(index)
    while x >= count { x = network(x) }
    return x
  }
}
