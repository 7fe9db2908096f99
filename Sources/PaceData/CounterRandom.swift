//===--- CounterRandom.swift ----------------------------------------------===//
// Counter-based randomness: every random number is a pure hash of its keys
// (seed, epoch, step, index, ...), so no generator state exists to save,
// replay or get out of step after a resume.
//===----------------------------------------------------------------------===//

/// Keyed 64-bit hashing (the SplitMix64 finaliser, a bijection of UInt64 with
/// full avalanche) and the uniform and Gumbel variates derived from it.
enum CounterRandom {
  /// SplitMix64's output function: a bijective mix of the 64 bits.
  @inline(__always)
  static func mix(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A key from a parent key and one more word (order matters).
  @inline(__always)
  static func key(_ parent: UInt64, _ word: UInt64) -> UInt64 {
    mix(parent ^ mix(word &+ 0x632B_E59B_D9B4_E019))
  }

  /// A uniform double in the open interval (0, 1) from 53 hash bits.
  @inline(__always)
  static func uniform(_ bits: UInt64) -> Double {
    (Double(bits >> 11) + 0.5) * 0x1p-53
  }

  /// A standard Gumbel(0, 1) variate, `-log(-log(u))`, for index `i` under
  /// `key`. Finite for every input (u is never 0 or 1).
  @inline(__always)
  static func gumbel(key: UInt64, index: UInt64) -> Double {
    -log(-log(uniform(mix(key ^ mix(index)))))
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
