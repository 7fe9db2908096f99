//===--- OrderKey.swift ---------------------------------------------------===//
// Doubles as unsigned integers in the same order (for radix sorting).
//===----------------------------------------------------------------------===//

/// Order-preserving keys: `a < b` exactly when `key(a) < key(b)`, for finite
/// or infinite doubles (NaN is rejected before). `-0.0` and `+0.0` get one
/// key, as they compare equal; ties are then broken by index.
enum OrderKey {
  @inline(__always)
  static func ascending(_ x: Double) -> UInt64 {
    let bits = (x == 0 ? 0.0 : x).bitPattern
    return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
  }

  /// Keys whose ascending order is the descending order of `x`.
  @inline(__always)
  static func descending(_ x: Double) -> UInt64 { ~ascending(x) }
}
