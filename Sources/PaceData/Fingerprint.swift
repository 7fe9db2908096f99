//===--- Fingerprint.swift ------------------------------------------------===//
// Checking the per-sample arrays and hashing them (saved state records the
// hash, so loading with other arrays is rejected).
//===----------------------------------------------------------------------===//

/// A 64-bit hash of the arrays a policy reads, computed while checking them.
/// Parts of a fixed split (``Chunks``) are hashed on the workers and their
/// hashes combined in part order: the same value on every machine.
///
/// - Complexity: O(N), one read of each array.
enum Fingerprint {
  static func of(size: Int64, scores: UnsafeBufferPointer<Double>?, domains: UnsafeBufferPointer<Int32>?,
                 domainLimit: Int32, workers: Workers) throws(DataError) -> UInt64 {
    var hash = CounterRandom.mix(UInt64(size))
    if let scores {
      let (h, bad) = hashParts(count: scores.count, workers: workers) { i in
        let x = scores[i]
        return x.isFinite ? (x == 0 ? 0 : x.bitPattern) : nil
      }
      if let i = bad { throw .argument("scores[\(i)] is \(scores[i].isNaN ? "NaN" : "not finite") (\(scores[i]))") }
      hash = CounterRandom.key(hash ^ 0x5343_4F52_4553, h)
    }
    if let domains {
      let (h, bad) = hashParts(count: domains.count, workers: workers) { i in
        let d = domains[i]
        return d >= 0 && d <= domainLimit ? UInt64(UInt32(bitPattern: d)) : nil
      }
      if let i = bad { throw .argument("domains[\(i)] = \(domains[i]) is outside [0, \(domainLimit)]") }
      hash = CounterRandom.key(hash ^ 0x444F_4D41_494E, h)
    }
    return hash
  }

  /// The combined hash of `word(i)` over `0 ..< count`, or the first index
  /// whose word is nil (invalid).
  private static func hashParts(count: Int, workers: Workers, _ word: (Int) -> UInt64?) -> (UInt64, Int?) {
    let chunks = Chunks(count: count)
    var hashes = [UInt64](repeating: 0, count: chunks.parts)
    var bad = [Int](repeating: Int.max, count: chunks.parts)
    hashes.withUnsafeMutableBufferPointer { h in
      bad.withUnsafeMutableBufferPointer { b in
        workers.run(chunks.parts) { p in
          // Four independent lanes keep the multiplies in flight.
          var lanes: (UInt64, UInt64, UInt64, UInt64) = (1, 2, 3, 4)
          let range = chunks.range(p)
          var i = range.lowerBound
          while i < range.upperBound {
            guard let w = word(i) else { b[p] = i; return }
            switch i & 3 {
            case 0: lanes.0 = (lanes.0 ^ w) &* 0x9E37_79B9_7F4A_7C15
            case 1: lanes.1 = (lanes.1 ^ w) &* 0xC2B2_AE3D_27D4_EB4F
            case 2: lanes.2 = (lanes.2 ^ w) &* 0x1656_67B1_9E37_79F9
            default: lanes.3 = (lanes.3 ^ w) &* 0x27D4_EB2F_1656_67C5
            }
            lanes.0 = lanes.0 ^ (lanes.0 >> 29)
            i += 1
          }
          h[p] = CounterRandom.key(CounterRandom.key(CounterRandom.mix(lanes.0), lanes.1), lanes.2 ^ CounterRandom.mix(lanes.3))
        }
      }
    }
    if let first = bad.min(), first != Int.max { return (0, first) }
    return (hashes.reduce(CounterRandom.mix(UInt64(count))) { CounterRandom.key($0, $1) }, nil)
  }
}
