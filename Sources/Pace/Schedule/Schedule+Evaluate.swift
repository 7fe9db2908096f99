//===--- Schedule+Evaluate.swift ------------------------------------------===//
// value(t) and fills over step ranges.
//===----------------------------------------------------------------------===//

extension Schedule {
  /// The multiplier `m(t)` at step `t >= 0` (a value is `peak * m(t)`).
  ///
  /// - Complexity: O(number of phases); independent of `t`.
  @inlinable
  public func multiplier(at t: Int64) -> Double {
    let x = Double(t)
    if !(x < end) { return afterMultiplier }
    var i = 0
    while i < ends.count - 1 && !(x < ends[i]) { i += 1 }
    let u = x - starts[i]
    switch items[i] {
    case .phase(let phase):
      return phase.value(at: u + phase.offset, length: phase.length, globalStep: x, map: .identity)
    case .block(let block):
      return block.value(at: u, globalStep: x)
    }
  }

  /// The value `peak * m(t)` at step `t >= 0`, in float64.
  ///
  /// - Complexity: O(number of phases); independent of `t`.
  @inlinable
  public func value(at t: Int64) -> Double {
    peak * multiplier(at: t)
  }

  /// Writes the values of steps `start ..< start + out.count` into `out`.
  /// Each element equals `value(at:)` of its step bit for bit.
  ///
  /// - Complexity: O(count * number of phases).
  public func fill(from start: Int64, into out: UnsafeMutableBufferPointer<Double>) {
    for i in 0..<out.count {
      out[i] = value(at: start + Int64(i))
    }
  }

  /// float32 fill: the float64 values rounded once.
  public func fill(from start: Int64, into out: UnsafeMutableBufferPointer<Float>) {
    for i in 0..<out.count {
      out[i] = Float(value(at: start + Int64(i)))
    }
  }

  /// Values of steps `start ..< start + count` as an array.
  public func values(from start: Int64, count: Int) -> [Double] {
    [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
      fill(from: start, into: buffer)
      initialized = count
    }
  }
}
