//===--- Schedule+Evaluate.swift ------------------------------------------===//
// value(t) and fills over step ranges.
//===----------------------------------------------------------------------===//

extension Schedule {
  /// Index of the item whose interval contains position `x` (< `end`).
  @inlinable
  func itemIndex(containing x: Double) -> Int {
    var i = 0
    let last = endBuffer.count - 1
    while i < last && !(x < endBuffer[i]) { i += 1 }
    return i
  }

  /// The multiplier of item `i` at position `x` (inside the item).
  @inlinable @inline(__always)
  func multiplier(item i: Int, at x: Double) -> Double {
    let u = x - startBuffer[i]
    if blockFlags[i] == 0 {
      let phase = phaseBuffer.baseAddress.unsafelyUnwrapped + i
      return phase.pointee.value(at: u + phase.pointee.offset, length: phase.pointee.length, globalStep: x,
                                 map: .identity)
    }
    guard case .block(let block) = itemBuffer[i] else { return .nan }
    return block.value(at: u, globalStep: x)
  }

  /// The multiplier `m(t)` at step `t >= 0` (a value is `peak * m(t)`).
  ///
  /// - Complexity: O(number of phases); independent of `t`.
  @inlinable
  public func multiplier(at t: Int64) -> Double {
    let x = Double(t)
    if !(x < end) { return afterMultiplier }
    return multiplier(item: itemIndex(containing: x), at: x)
  }

  /// The value `peak * m(t)` at step `t >= 0`, in float64.
  ///
  /// - Complexity: O(number of phases); independent of `t`.
  @inlinable
  public func value(at t: Int64) -> Double {
    peak * multiplier(at: t)
  }

  /// Calls `one(offset, value)` or `four(offset, values)` for the steps
  /// `start ..< start + count`, in order, finding each item once per run of
  /// steps inside it; interpolating phases with vectorisable curves are
  /// evaluated four steps at a time with the same kernel as `value(at:)`, so
  /// every value equals `value(at:)` of its step bit for bit.
  ///
  /// - Complexity: O(count + number of phases).
  @inlinable
  func forEachValue(from start: Int64, count: Int, one: (Int, Double) -> Void,
                    four: (Int, SIMD4<Double>) -> Void) {
    var k = 0
    while k < count {
      let x = Double(start + Int64(k))
      if !(x < end) {
        let v = peak * afterMultiplier
        while k < count { one(k, v); k += 1 }
        return
      }
      let i = itemIndex(containing: x)
      let itemEnd = endBuffer[i]
      if case .phase(let phase) = itemBuffer[i], case .constant = phase.shape {
        // The same value for the whole run of steps (bit-identical to value(at:)).
        let v = peak * phase.from
        let splat = SIMD4<Double>(repeating: v)
        while k + 4 <= count && Double(start + Int64(k + 3)) < itemEnd {
          four(k, splat)
          k += 4
        }
        while k < count && Double(start + Int64(k)) < itemEnd {
          one(k, v)
          k += 1
        }
        continue
      }
      if case .phase(let phase) = itemBuffer[i], case .interpolating(let curve) = phase.shape,
        curve.isVectorisable
      {
        let itemStart = SIMD4<Double>(repeating: startBuffer[i])
        let offset = SIMD4<Double>(repeating: phase.offset)
        let scale = SIMD4<Double>(repeating: peak)
        while k + 4 <= count && Double(start + Int64(k + 3)) < itemEnd {
          let t = start + Int64(k)
          let steps = SIMD4<Double>(Double(t), Double(t + 1), Double(t + 2), Double(t + 3))
          let u = (steps - itemStart) + offset
          four(k, scale * phase.interpolatingLanes(curve, u: u, length: phase.length, map: .identity))
          k += 4
        }
        if k >= count { return }
        if !(Double(start + Int64(k)) < itemEnd) { continue }
      }
      repeat {
        one(k, peak * multiplier(item: i, at: Double(start + Int64(k))))
        k += 1
      } while k < count && Double(start + Int64(k)) < itemEnd
    }
  }

  /// Writes the values of steps `start ..< start + out.count` into `out`.
  /// Each element equals `value(at:)` of its step bit for bit.
  ///
  /// - Complexity: O(count + number of phases).
  public func fill(from start: Int64, into out: UnsafeMutableBufferPointer<Double>) {
    guard let base = out.baseAddress else { return }
    forEachValue(from: start, count: out.count, one: { base[$0] = $1 }, four: { k, v in
      UnsafeMutableRawPointer(base + k).storeBytes(of: v, as: SIMD4<Double>.self)
    })
  }

  /// float32 fill: the float64 values rounded once.
  public func fill(from start: Int64, into out: UnsafeMutableBufferPointer<Float>) {
    guard let base = out.baseAddress else { return }
    forEachValue(from: start, count: out.count, one: { base[$0] = Float($1) }, four: { k, v in
      UnsafeMutableRawPointer(base + k).storeBytes(of: SIMD4<Float>(v), as: SIMD4<Float>.self)
    })
  }

  /// Values of steps `start ..< start + count` as an array.
  public func values(from start: Int64, count: Int) -> [Double] {
    [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
      fill(from: start, into: buffer)
      initialized = count
    }
  }
}
