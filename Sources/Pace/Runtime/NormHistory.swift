//===--- NormHistory.swift ------------------------------------------------===//
// The gradient norms a runtime keeps: bounded, decimated by halving.
//===----------------------------------------------------------------------===//

/// The gradient-norm history online refinement plans from, in bounded
/// memory: one sample per `stride` steps, at most ``capacity`` samples.
///
/// While the run is shorter than ``capacity`` steps every norm is kept as
/// given (`stride` 1, NaN and non-positive values included; refinement
/// repairs them). When the samples fill ``capacity``, neighbouring pairs
/// are merged and `stride` doubles, so a run of any length keeps between
/// `capacity / 2` and `capacity` samples (512 KiB at most in a checkpoint).
/// A sample of `stride > 1` steps is the mean of its steps' finite positive
/// norms (a merged pair: the mean of its two halves, or the valid half
/// alone), NaN when none was valid.
///
/// Appending is O(1) amortised (a merge, O(capacity), every
/// `capacity / 2 x stride` steps).
package struct NormHistory: Sendable, Equatable {
  /// Most samples kept (a power of two).
  package static let capacity = 1 << 16
  /// Steps per sample: a power of two, 1 until the run outgrows ``capacity``.
  package internal(set) var stride: Int64 = 1
  /// One value per `stride` steps, oldest first.
  package internal(set) var samples: [Double] = []
  /// The sample being gathered (stride > 1): sum and count of its valid
  /// norms, and how many steps it has seen (< `stride`).
  var pendingSum = 0.0
  var pendingValid: Int64 = 0
  var pendingSteps: Int64 = 0

  package init() {}

  /// Steps recorded.
  package var stepCount: Int64 { Int64(samples.count) &* stride &+ pendingSteps }

  @inline(__always)
  static func isValid(_ x: Double) -> Bool { x.isFinite && x > 0 }

  /// Records one step's norm.
  package mutating func append(_ norm: Double) {
    if stride == 1 {
      samples.append(norm)
    } else {
      pendingSteps &+= 1
      if Self.isValid(norm) {
        pendingSum += norm
        pendingValid &+= 1
      }
      guard pendingSteps == stride else { return }
      samples.append(pendingValid > 0 ? pendingSum / Double(pendingValid) : .nan)
      pendingSum = 0
      pendingValid = 0
      pendingSteps = 0
    }
    if samples.count == Self.capacity { halve() }
  }

  /// Merges neighbouring samples pairwise and doubles `stride`.
  mutating func halve() {
    let merged = (0..<(samples.count / 2)).map { i -> Double in
      let a = samples[2 * i], b = samples[2 * i + 1]
      switch (Self.isValid(a), Self.isValid(b)) {
      case (true, true): return a * 0.5 + b * 0.5
      case (true, false): return a
      case (false, true): return b
      case (false, false): return .nan
      }
    }
    samples = merged
    stride &*= 2
  }
}

// MARK: - Saved form

extension NormHistory {
  /// Writes stride (i64), the pending sample (sum as f64 bits, valid count
  /// and steps as i64), the sample count (u64) and the samples (f64 bits).
  func write(to out: inout ByteWriter) {
    out.int64(stride)
    out.uint64(pendingSum.bitPattern)
    out.int64(pendingValid)
    out.int64(pendingSteps)
    out.uint64(UInt64(samples.count))
    for x in samples { out.uint64(x.bitPattern) }
  }

  /// Reads what `write(to:)` wrote, for a runtime at `step`; every field is
  /// checked (a forged state with a valid checksum is still refused).
  static func read(from reader: inout ByteReader, step: Int64) throws(RuntimeError) -> NormHistory {
    var h = NormHistory()
    h.stride = try reader.int64()
    h.pendingSum = Double(bitPattern: try reader.uint64())
    h.pendingValid = try reader.int64()
    h.pendingSteps = try reader.int64()
    let count = try reader.uint64()
    guard h.stride >= 1, h.stride <= SpecObject.maximumStepCount, h.stride & (h.stride - 1) == 0,
      count < UInt64(capacity), count <= UInt64(reader.remaining / 8),
      h.pendingSteps >= 0, h.pendingSteps < h.stride, h.pendingValid >= 0, h.pendingValid <= h.pendingSteps,
      h.pendingSum.isFinite, h.pendingSum >= 0, h.stride > 1 || (h.pendingSteps == 0 && h.pendingSum == 0)
    else { throw .state("saved state has an invalid norm history") }
    let (product, overflow) = Int64(count).multipliedReportingOverflow(by: h.stride)
    guard !overflow, product <= step, step - product == h.pendingSteps else {
      throw .state("saved state's norm history covers a different number of steps than \(step)")
    }
    h.samples.reserveCapacity(Int(count))
    for _ in 0..<Int(count) { h.samples.append(Double(bitPattern: try reader.uint64())) }
    return h
  }
}
