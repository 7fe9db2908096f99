//===--- BatchSizes.swift -------------------------------------------------===//
// The global batch size of every step and the exact step <-> sample-offset
// map of a batch-size schedule (a ramp-up).
//===----------------------------------------------------------------------===//

/// Global batch sizes as segments: from `firstStep[k]` on (up to the next
/// segment), every step has `size[k]` samples. The first segment starts at
/// step 0; the last one runs forever.
///
/// The offset of a step (its first sample's position in the run's stream of
/// samples) is the sum of the sizes of all earlier steps, computed from the
/// offsets at segment starts (prefix sums kept at creation), overflow-checked
/// against int64.
///
/// - Complexity: O(log segments) per query; O(segments) memory.
struct BatchSizes: Sendable, Equatable {
  /// Segment starts (step), strictly increasing, the first 0.
  let firstSteps: [Int64]
  /// Segment sizes (samples per step), each >= 1.
  let sizes: [Int64]
  /// The offset of each segment's first step; nil from the first segment
  /// whose start offset overflows int64 on.
  let startOffsets: [Int64?]

  /// Segments from `[(firstStep, size)]`; throws naming `global_batch`.
  init(segments: [(Int64, Int64)]) throws(DataError) {
    guard let first = segments.first else { throw .config("global_batch: the list of [first_step, size] segments is empty") }
    guard first.0 == 0 else { throw .config("global_batch[0]: the first segment must start at step 0, got \(first.0)") }
    var offsets: [Int64?] = [0]
    for k in 0..<segments.count {
      guard segments[k].1 >= 1 else { throw .config("global_batch[\(k)]: size must be >= 1, got \(segments[k].1)") }
      guard k == 0 || segments[k].0 > segments[k - 1].0 else {
        throw .config("global_batch[\(k)]: first_step \(segments[k].0) must be greater than the previous segment's \(segments[k - 1].0)")
      }
      if k > 0 {
        let span = segments[k].0 - segments[k - 1].0
        if let previous = offsets[k - 1] {
          let (length, o1) = span.multipliedReportingOverflow(by: segments[k - 1].1)
          let (sum, o2) = previous.addingReportingOverflow(length)
          offsets.append(o1 || o2 ? nil : sum)
        } else {
          offsets.append(nil)
        }
      }
    }
    firstSteps = segments.map(\.0)
    sizes = segments.map(\.1)
    startOffsets = offsets
  }

  /// The largest global batch of any step.
  var largest: Int64 { sizes.max() ?? 1 }

  /// The index of the segment holding `step` (>= 0).
  func segment(of step: Int64) -> Int {
    var lo = 0, hi = firstSteps.count  // firstSteps[lo] <= step < firstSteps[hi]
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if firstSteps[mid] <= step { lo = mid } else { hi = mid }
    }
    return lo
  }

  /// The global batch size of `step` (>= 0).
  func size(at step: Int64) -> Int64 { sizes[segment(of: step)] }

  /// The offset of `step`'s first sample: the sum of the sizes of steps
  /// `0 ..< step`. Throws when it exceeds int64.
  func offset(of step: Int64) throws(DataError) -> Int64 {
    let k = segment(of: step)
    guard let start = startOffsets[k] else { throw .argument("step \(step): its sample offset overflows int64") }
    let (length, o1) = (step - firstSteps[k]).multipliedReportingOverflow(by: sizes[k])
    let (sum, o2) = start.addingReportingOverflow(length)
    guard !o1, !o2 else { throw .argument("step \(step): its sample offset overflows int64") }
    return sum
  }

  /// The step whose batch holds sample offset `offset` (>= 0), the inverse
  /// of ``offset(of:)``.
  func step(containing offset: Int64) -> Int64 {
    var k = 0
    for j in 1..<max(1, startOffsets.count) {
      guard let s = startOffsets[j], s <= offset else { break }
      k = j
    }
    return firstSteps[k] + (offset - (startOffsets[k] ?? 0)) / sizes[k]
  }
}
