//===--- CounterRandom.swift ----------------------------------------------===//
// A counter-based random number: a pure function of (seed, counter).
//===----------------------------------------------------------------------===//

/// Uniform numbers as a pure function of a seed and a counter (SplitMix64's
/// finaliser applied twice to seed + golden-ratio multiples of the counter),
/// so the tuner keeps no generator state: stage s draws counter s.
enum CounterRandom {
  /// The 64-bit mix of (seed, counter).
  static func bits(seed: UInt64, counter: UInt64) -> UInt64 {
    var z = seed &+ (counter &+ 1) &* 0x9E37_79B9_7F4A_7C15
    for _ in 0..<2 {
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      z ^= z >> 31
      z = z &+ 0x9E37_79B9_7F4A_7C15
    }
    return z
  }

  /// A uniform number in [0, 1) with 53 random bits.
  static func uniform(seed: UInt64, counter: UInt64) -> Double {
    Double(bits(seed: seed, counter: counter) >> 11) * 0x1p-53
  }
}
