//===--- Kernel+Progress.swift --------------------------------------------===//
// A phase's progress p and its complement q, shared by the kernels.
//===----------------------------------------------------------------------===//

extension Kernel {
  /// `(p, 1 - p)` clamped to [0, 1], each computed from `u` directly;
  /// `reciprocal` is `1 / length` when that is normal (the quotients are
  /// then formed by ``Elementary/divide(_:by:reciprocal:)``, the same bits
  /// as a division).
  @inline(__always)
  static func progress<V: DoubleLanes>(_ u: V, length: Double, reciprocal: Double?, inclusive: Bool) -> (V, V) {
    let l = V(broadcast: length)
    let zero = V(broadcast: 0)
    let one = V(broadcast: 1)
    var a = u
    var b = l - u
    if inclusive {
      a = u + one
      b = b - one
    }
    var p: V
    var q: V
    if let reciprocal {
      let r = V(broadcast: reciprocal)
      p = Elementary.divide(a, by: l, reciprocal: r)
      q = Elementary.divide(b, by: l, reciprocal: r)
    } else {
      p = a / l
      q = b / l
    }
    // Clamped to [0, 1] each (written as max/min selects: one vmaxpd and
    // one vminpd). The same as clamping p and deriving q's bound from p:
    // for u >= 0 with exact step numbers, p <= 0 iff q >= 1 and p >= 1 iff
    // q <= 0.
    p = V.choose(zero, lessThan: p, p, zero)
    p = V.choose(p, lessThan: one, p, one)
    q = V.choose(zero, lessThan: q, q, zero)
    q = V.choose(q, lessThan: one, q, one)
    return (p, q)
  }

  /// `1 / length` when it is normal and `length` finite, else nil (divide).
  static func reciprocal(of length: Double) -> Double? {
    let r = 1 / length
    return r.isNormal && length.isFinite ? r : nil
  }
}
