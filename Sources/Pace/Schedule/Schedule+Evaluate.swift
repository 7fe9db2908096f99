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
  /// phase's run is evaluated a vector of steps (``FillLanes``) at a time by
  /// its kernel (the one `value(at:)` runs on one lane), so every value
  /// equals `value(at:)` of its step bit for bit.
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
      if blockFlags[i] == 0 {
        let phase = phaseBuffer.baseAddress.unsafelyUnwrapped + i
        let run = FillRun(schedule: self, item: i, origin: startBuffer[i], offset: phase.pointee.offset, start: start,
                          first: k, end: runEnd, sink: sink)
        phase.pointee.withKernel(length: phase.pointee.length, map: .identity, run)
      } else if case .block(let block) = itemBuffer[i] {
        fillBlock(block, item: i, start: start, first: k, end: runEnd, sink: sink)
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

/// The lanes a fill evaluates at once: one 256-bit vector of four float64
/// (AVX2, NEON pairs, SSE2 pairs), or one 512-bit vector of eight in
/// x86-64-v4 builds (the Makefile's `-DPACE_ISA_X86_64_V4`), where the same
/// instruction count covers twice the steps. Package access: the laws'
/// schedule search (PaceLaws) evaluates its candidates on the same lanes.
#if PACE_ISA_X86_64_V4
@usableFromInline package typealias FillLanes = SIMD8<Double>
@usableFromInline typealias FillFloatLanes = SIMD8<Float>
#else
@usableFromInline package typealias FillLanes = SIMD4<Double>
@usableFromInline typealias FillFloatLanes = SIMD4<Float>
#endif

extension FillLanes {
  /// `(0, 1, ..., scalarCount - 1)`: the offsets of a vector's steps.
  @inlinable @inline(__always)
  static var laneOffsets: FillLanes {
    var offsets = FillLanes()
    for i in offsets.indices { offsets[i] = Double(i) }
    return offsets
  }
}

/// Where a fill writes its values.
@usableFromInline
protocol FillSink {
  func store(_ v: FillLanes, at k: Int)
  func store(_ v: Double, at k: Int)
  /// How many single values to store from index `k` on before a vector
  /// store there would be aligned to its own size (0 when it is, or when
  /// no number of values can align it).
  func valuesToAlignment(at k: Int) -> Int
}

/// A fill's element type: float64, or float32 (each value rounded once).
@usableFromInline
protocol FillElement {
  init(_ value: Double)
  /// Stores the lanes of `v` at `p ..< p + FillLanes.scalarCount` (any
  /// alignment), converted to `Self`.
  static func store(_ v: FillLanes, to p: UnsafeMutablePointer<Self>)
}

extension Double: FillElement {
  @inlinable @inline(__always)
  static func store(_ v: FillLanes, to p: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: FillLanes.self)
  }
}

extension Float: FillElement {
  @inlinable @inline(__always)
  static func store(_ v: FillLanes, to p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v.roundedToFloat, as: FillFloatLanes.self)
  }
}

extension FillLanes {
  /// Each lane rounded to float32 (to nearest). Lane by lane in a loop that
  /// is always inlined (one vcvtpd2ps): the stdlib's generic conversion
  /// stays an out-of-line call in large kernels, and converting by halves
  /// scalarises some lanes.
  @inlinable @inline(__always)
  var roundedToFloat: FillFloatLanes {
    var lanes = FillFloatLanes()
    for i in lanes.indices { lanes[i] = Float(self[i]) }
    return lanes
  }
}

/// Writes a fill's values into a buffer of `Element`.
@usableFromInline
struct BufferSink<Element: FillElement>: FillSink {
  @usableFromInline let base: UnsafeMutablePointer<Element>

  @inlinable
  init(base: UnsafeMutablePointer<Element>) { self.base = base }

  @inlinable @inline(__always)
  func store(_ v: FillLanes, at k: Int) { Element.store(v, to: base + k) }

  @inlinable @inline(__always)
  func store(_ v: Double, at k: Int) { base[k] = Element(v) }

  @inlinable
  func valuesToAlignment(at k: Int) -> Int {
    let stride = MemoryLayout<Element>.stride
    let vectorBytes = stride * FillLanes.scalarCount
    let misalignment = Int(bitPattern: UnsafeRawPointer(base + k)) & (vectorBytes - 1)
    guard misalignment != 0 && misalignment % stride == 0 else { return 0 }
    return (vectorBytes - misalignment) / stride
  }
}

/// Fills the steps `start + first ..< start + end`, all inside item `item`
/// of `schedule` (and inside one template phase of one cycle for a repeat
/// block): with a kernel (a vector of steps at a time, then one lane for
/// the rest), or step by step through `multiplier(item:at:)` for the shapes
/// that look their position up (tables, step milestones).
@usableFromInline
struct FillRun<Sink: FillSink>: PhaseKernelVisitor {
  /// Unretained: a run lives inside a fill of this schedule, so copies of
  /// it (one per piece of a repeat block) need no reference counting; read
  /// through ``withSchedule(_:)``.
  @usableFromInline let scheduleReference: Unmanaged<Schedule>
  /// `schedule.peak`.
  @usableFromInline let peak: Double
  @usableFromInline let item: Int
  /// The item's start step: a kernel's position is `(step - origin) + offset`.
  @usableFromInline let origin: Double
  @usableFromInline let offset: Double
  @usableFromInline let start: Int64
  @usableFromInline let first: Int
  @usableFromInline let end: Int
  @usableFromInline let sink: Sink

  @inlinable
  init(schedule: Schedule, item: Int, origin: Double, offset: Double, start: Int64, first: Int, end: Int, sink: Sink) {
    self.scheduleReference = Unmanaged.passUnretained(schedule)
    self.peak = schedule.peak
    self.item = item
    self.origin = origin
    self.offset = offset
    self.start = start
    self.first = first
    self.end = end
    self.sink = sink
  }

  /// Calls `body` with the schedule, which the caller's fill keeps alive.
  @inlinable @inline(__always)
  func withSchedule<R>(_ body: (Schedule) -> R) -> R { scheduleReference._withUnsafeGuaranteedRef(body) }

  @inlinable
  func visit<K: PhaseKernel>(_ kernel: K) {
    let itemStart = origin
    var k = first
    /// Step `k` on one lane (the operations of each lane below).
    func storeOne(_ k: Int) {
      let x = Double(start + Int64(k))
      sink.store(peak * kernel(u: (x - itemStart) + offset, t: x), at: k)
    }
    // A vector of steps at a time while step numbers (those of a last,
    // partial vector included) are exact in float64, so the running sum
    // below equals Double(step).
    let width = FillLanes.scalarCount
    if Double(start + Int64(end)) <= 0x1p52 - Double(width) {
      // One lane up to the first index whose vector store is aligned: a
      // store across two cache lines (malloc's buffers sit 16 bytes past a
      // line) costs about a third more per vector.
      if end - k >= 2 * width {
        for _ in 0..<sink.valuesToAlignment(at: k) {
          storeOne(k)
          k += 1
        }
      }
      // float32 fills of long runs: interpolated where that is proven to
      // round to the same float32 (FillRun+InterpolatedFloats.swift).
      if K.hasFillSmoothness && Sink.self == BufferSink<Float>.self && end - k >= 4 * width * Self.shortestChunk {
        k = fillInterpolatedFloats(kernel, from: k, base: unsafeBitCast(sink, to: BufferSink<Float>.self).base)
      }
      var steps = FillLanes.laneOffsets + FillLanes(repeating: Double(start + Int64(k)))
      let startLanes = FillLanes(repeating: itemStart)
      let offsetLanes = FillLanes(repeating: offset)
      let peakLanes = FillLanes(repeating: peak)
      let stride = FillLanes(repeating: Double(width))
      while k + width <= end {
        let u = (steps - startLanes) + offsetLanes
        sink.store(peakLanes * kernel(u: u, t: steps), at: k)
        steps += stride
        k += width
      }
      // The rest as one vector whose first end - k lanes are stored: each
      // lane performs the operations of the one-lane path.
      if end - k >= 2 {
        let u = (steps - startLanes) + offsetLanes
        let values = peakLanes * kernel(u: u, t: steps)
        for lane in 0..<(end - k) { sink.store(values[lane], at: k + lane) }
        k = end
      }
    }
    while k < end {
      storeOne(k)
      k += 1
    }
  }

  /// A table or milestone phase: cut into pieces over which its lookup is
  /// one formula (``Phase/lookupPiece(_:)``), each run on lanes; a segment
  /// through its nested schedule's fill (``fillSegment(_:)``); per-step
  /// `values` tables (and segments the nested fill cannot serve) step by
  /// step through `multiplier(item:at:)`.
  @inlinable
  func visitScalar() {
    withSchedule { schedule in
      var k = first
      if schedule.blockFlags[item] == 0 {
        let phase = schedule.phaseBuffer[item]
        let steps = StepPositions(origin: origin, start: start)
        while k < end, let index = phase.lookupPieceIndex(at: steps[k] + offset),
              let (piece, pieceStart) = phase.lookupPiece(index) {
          // The piece ends where the next starts (as a position: minus the offset).
          let pieceEnd = steps.boundaryIndex(pieceStart - offset, first: k, end: end) {
            phase.lookupPieceIndex(at: $0 + offset) == index
          }
          let run = FillRun(schedule: schedule, item: item, origin: origin, offset: offset, start: start, first: k,
                            end: pieceEnd, sink: sink)
          switch piece {
          case .constant(let kernel): run.visit(kernel)
          case .line(let kernel): run.visit(kernel)
          }
          k = pieceEnd
        }
        if case .segment(let segment) = phase.shape { k = fillSegment(segment) }
      }
      while k < end {
        sink.store(peak * schedule.multiplier(item: item, at: Double(start + Int64(k))), at: k)
        k += 1
      }
    }
  }
}
