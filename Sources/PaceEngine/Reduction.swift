//===--- Reduction.swift --------------------------------------------------===//
// Streaming per-schedule reductions: final value, S1 and S2, four schedules
// at a time (one per SIMD lane), from scratch chunks filled by the schedule.
//===----------------------------------------------------------------------===//
import Pace

/// Per schedule, over its values `eta_1 ... eta_T` (steps `start ..< start + T`):
/// the final value `eta_T`, `S1 = sum eta_k` (Kahan-compensated, in step
/// order) and the annealing area `S2 = sum_{k=2}^{T} m_k` (plain, in step
/// order), `m_1 = 0`, `m_k = lambda m_{k-1} + (eta_{k-1} - eta_k)`.
///
/// These are the operations of the loss-curve laws' functionals
/// (`ScheduleFunctionals.forwardArea` / `annealingArea`): S1 of steps
/// `1 ..< T` is their `S1(T-1)`, and S2 of steps `0 ..< T` their `S2(T-1)`.
public struct Reduction: Equatable, Sendable {
  public var finalValue: Double
  public var sum: Double
  public var s2: Double

  public init(finalValue: Double, sum: Double, s2: Double) {
    self.finalValue = finalValue
    self.sum = sum
    self.s2 = s2
  }

  /// The definition, as a plain loop over the values in step order; the
  /// engine's results equal it bit for bit (the same operations in the same
  /// order, one SIMD lane per schedule).
  public static func naive<C: Collection>(_ values: C, lambda: Double) -> Reduction where C.Element == Double {
    var it = values.makeIterator()
    guard let first = it.next() else { return Reduction(finalValue: .nan, sum: 0, s2: 0) }
    var sum = 0.0
    var compensation = 0.0
    func add(_ v: Double) {
      let y = v - compensation
      let t = sum + y
      compensation = (t - sum) - y
      sum = t
    }
    add(first)
    var previous = first
    var m = 0.0
    var s2 = 0.0
    while let v = it.next() {
      m = lambda * m + (previous - v)
      s2 += m
      add(v)
      previous = v
    }
    return Reduction(finalValue: previous, sum: sum, s2: s2)
  }
}

/// The running state of up to four schedules' reductions, one per lane.
struct LaneAccumulator {
  var sum = SIMD4<Double>(repeating: 0)
  var compensation = SIMD4<Double>(repeating: 0)
  var s2 = SIMD4<Double>(repeating: 0)
  var m = SIMD4<Double>(repeating: 0)
  var previous = SIMD4<Double>(repeating: 0)
  let lambda: SIMD4<Double>

  init(lambda: Double) { self.lambda = SIMD4(repeating: lambda) }

  /// The first value of each lane: no step before it, so no `m` term.
  @inline(__always)
  mutating func first(_ v: SIMD4<Double>) {
    add(v)
    previous = v
  }

  @inline(__always)
  mutating func next(_ v: SIMD4<Double>) {
    m = lambda * m + (previous - v)
    s2 += m
    add(v)
    previous = v
  }

  /// Kahan's compensated step, lane by lane.
  @inline(__always)
  mutating func add(_ v: SIMD4<Double>) {
    let y = v - compensation
    let t = sum + y
    compensation = (t - sum) - y
    sum = t
  }
}

enum ReductionKernel {
  /// Lanes (schedules per task).
  static let lanes = 4
  /// Steps per scratch row: four rows of 512 doubles = 16 KiB, in L1.
  static let chunk = 512
  /// Scratch bytes a worker needs.
  static var scratchBytes: Int { lanes * chunk * MemoryLayout<Double>.stride }

  /// Reduces schedules `first ..< first + lanes` (`lanes` <= 4) over steps
  /// `start ..< start + count` (count >= 1), filling `scratch` (4 x chunk
  /// doubles) one chunk at a time, and stores the results at their indices
  /// (NULL outputs skipped).
  static func run(_ schedules: UnsafeBufferPointer<Schedule>, first: Int, lanes: Int, start: Int64, count: Int,
                  lambda: Double, scratch: UnsafeMutablePointer<Double>, finalValues: UnsafeMutablePointer<Double>?,
                  sums: UnsafeMutablePointer<Double>?, s2: UnsafeMutablePointer<Double>?) {
    let c = chunk
    let r0 = scratch, r1 = scratch + c, r2 = scratch + 2 * c, r3 = scratch + 3 * c
    // Unused lanes read zeros (their results are dropped).
    for j in lanes..<4 { (scratch + j * c).initialize(repeating: 0, count: c) }
    var acc = LaneAccumulator(lambda: lambda)
    var offset = 0
    while offset < count {
      let n = Swift.min(c, count - offset)
      for j in 0..<lanes {
        schedules[first + j].fill(from: start + Int64(offset), into: UnsafeMutableBufferPointer(start: scratch + j * c, count: n))
      }
      var k = 0
      if offset == 0 {
        acc.first(SIMD4(r0[0], r1[0], r2[0], r3[0]))
        k = 1
      }
      // Four steps at a time: four row loads transposed into four vectors
      // of one step each (lane j = schedule j), reduced in step order.
      while k + 4 <= n {
        let a = UnsafeRawPointer(r0 + k).loadUnaligned(as: SIMD4<Double>.self)
        let b = UnsafeRawPointer(r1 + k).loadUnaligned(as: SIMD4<Double>.self)
        let cc = UnsafeRawPointer(r2 + k).loadUnaligned(as: SIMD4<Double>.self)
        let d = UnsafeRawPointer(r3 + k).loadUnaligned(as: SIMD4<Double>.self)
        acc.next(SIMD4(a[0], b[0], cc[0], d[0]))
        acc.next(SIMD4(a[1], b[1], cc[1], d[1]))
        acc.next(SIMD4(a[2], b[2], cc[2], d[2]))
        acc.next(SIMD4(a[3], b[3], cc[3], d[3]))
        k += 4
      }
      while k < n {
        acc.next(SIMD4(r0[k], r1[k], r2[k], r3[k]))
        k += 1
      }
      offset += n
    }
    for j in 0..<lanes {
      finalValues?[first + j] = acc.previous[j]
      sums?[first + j] = acc.sum[j]
      s2?[first + j] = acc.s2[j]
    }
  }
}
