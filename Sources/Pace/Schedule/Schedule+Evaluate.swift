//===--- Schedule+Evaluate.swift ------------------------------------------===//
// Item lookup and fills over step ranges (value(t): Schedule+At.swift).
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

  /// Writes the values of steps `start ..< start + count` through `sink`,
  /// in order, finding each item once per run of steps inside it; a plain
  /// phase's run is evaluated four steps at a time by its kernel (the one
  /// `value(at:)` runs on one lane), so every value equals `value(at:)` of
  /// its step bit for bit.
  ///
  /// - Complexity: O(count + number of phases).
  @inlinable
  func fill<Sink: FillSink>(from start: Int64, count: Int, into sink: Sink) {
    var k = 0
    while k < count {
      let x = Double(start + Int64(k))
      if !(x < end) {
        let v = peak * afterMultiplier
        while k < count { sink.store(v, at: k); k += 1 }
        return
      }
      let i = itemIndex(containing: x)
      // The run of steps inside item i: k ..< runEnd.
      let itemEnd = endBuffer[i]
      var runEnd = count
      if itemEnd < Double(start) + Double(count) {
        runEnd = Swift.max(k + 1, Swift.min(count, Int(Int64(itemEnd.rounded(.up)) - start)))
        while runEnd > k + 1 && !(Double(start + Int64(runEnd - 1)) < itemEnd) { runEnd -= 1 }
        while runEnd < count && Double(start + Int64(runEnd)) < itemEnd { runEnd += 1 }
      }
      let run = FillRun(schedule: self, item: i, start: start, first: k, end: runEnd, sink: sink)
      if blockFlags[i] == 0 {
        let phase = phaseBuffer.baseAddress.unsafelyUnwrapped + i
        phase.pointee.withKernel(length: phase.pointee.length, map: .identity, run)
      } else {
        run.visitScalar()
      }
      k = runEnd
    }
  }

  /// Writes the values of steps `start ..< start + out.count` into `out`.
  /// Each element equals `value(at:)` of its step bit for bit.
  ///
  /// - Complexity: O(count + number of phases).
  public func fill(from start: Int64, into out: UnsafeMutableBufferPointer<Double>) {
    guard let base = out.baseAddress else { return }
    fill(from: start, count: out.count, into: BufferSink(base: base))
  }

  /// float32 fill: the float64 values rounded once.
  public func fill(from start: Int64, into out: UnsafeMutableBufferPointer<Float>) {
    guard let base = out.baseAddress else { return }
    fill(from: start, count: out.count, into: BufferSink(base: base))
  }

  /// Values of steps `start ..< start + count` as an array.
  public func values(from start: Int64, count: Int) -> [Double] {
    [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
      fill(from: start, into: buffer)
      initialized = count
    }
  }
}

/// Where a fill writes its values.
@usableFromInline
protocol FillSink {
  func store(_ v: SIMD4<Double>, at k: Int)
  func store(_ v: Double, at k: Int)
}

/// A fill's element type: float64, or float32 (each value rounded once).
@usableFromInline
protocol FillElement: SIMDScalar {
  init(_ value: Double)
  static func lanes(_ v: SIMD4<Double>) -> SIMD4<Self>
}

extension Double: FillElement {
  @inlinable @inline(__always)
  static func lanes(_ v: SIMD4<Double>) -> SIMD4<Double> { v }
}

extension Float: FillElement {
  @inlinable @inline(__always)
  static func lanes(_ v: SIMD4<Double>) -> SIMD4<Float> { SIMD4<Float>(v) }
}

/// Writes a fill's values into a buffer of `Element`.
@usableFromInline
struct BufferSink<Element: FillElement>: FillSink {
  @usableFromInline let base: UnsafeMutablePointer<Element>

  @inlinable
  init(base: UnsafeMutablePointer<Element>) { self.base = base }

  @inlinable @inline(__always)
  func store(_ v: SIMD4<Double>, at k: Int) {
    UnsafeMutableRawPointer(base + k).storeBytes(of: Element.lanes(v), as: SIMD4<Element>.self)
  }

  @inlinable @inline(__always)
  func store(_ v: Double, at k: Int) { base[k] = Element(v) }
}

/// Fills the steps `start + first ..< start + end`, all inside item `item`
/// of `schedule`: with the kernel of a plain phase (four steps at a time,
/// then one lane for the rest), or step by step through `multiplier(item:at:)`.
@usableFromInline
struct FillRun<Sink: FillSink>: PhaseKernelVisitor {
  @usableFromInline let schedule: Schedule
  @usableFromInline let item: Int
  @usableFromInline let start: Int64
  @usableFromInline let first: Int
  @usableFromInline let end: Int
  @usableFromInline let sink: Sink

  @inlinable
  init(schedule: Schedule, item: Int, start: Int64, first: Int, end: Int, sink: Sink) {
    self.schedule = schedule
    self.item = item
    self.start = start
    self.first = first
    self.end = end
    self.sink = sink
  }

  @inlinable
  func visit<K: PhaseKernel>(_ kernel: K) {
    let itemStart = schedule.startBuffer[item]
    let offset = schedule.phaseBuffer[item].offset
    let peak = schedule.peak
    var k = first
    // Four steps at a time while step numbers are exact in float64 (so the
    // running sum below equals Double(step)).
    if Double(start + Int64(end)) <= 0x1p52 {
      var steps = SIMD4<Double>(0, 1, 2, 3) + SIMD4(repeating: Double(start + Int64(k)))
      let startLanes = SIMD4(repeating: itemStart)
      let offsetLanes = SIMD4(repeating: offset)
      let peakLanes = SIMD4(repeating: peak)
      while k + 4 <= end {
        let u = (steps - startLanes) + offsetLanes
        sink.store(peakLanes * kernel(u: u, t: steps), at: k)
        steps += SIMD4(repeating: 4)
        k += 4
      }
    }
    while k < end {
      let x = Double(start + Int64(k))
      sink.store(peak * kernel(u: (x - itemStart) + offset, t: x), at: k)
      k += 1
    }
  }

  @inlinable
  func visitScalar() {
    for k in first..<end {
      sink.store(schedule.peak * schedule.multiplier(item: item, at: Double(start + Int64(k))), at: k)
    }
  }
}
