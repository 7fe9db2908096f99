//===--- CandidateEvaluation.swift ----------------------------------------===//
// The final losses of many schedule specs on the batch engine's workers, in
// a split that never depends on the thread count.
//===----------------------------------------------------------------------===//
import Pace
import PaceEngine
import Synchronization

/// Evaluates the predicted final loss of every spec (each played over the
/// kernel's budget) with a ``SearchKernel``.
///
/// The specs are cut into vectors of ``SearchKernel/lanes`` consecutive specs and the
/// vectors into at most ``maximumParts`` contiguous parts, from the spec
/// count alone; each part writes only its own losses. Each lane's arithmetic
/// is independent of the others, so every loss has the same bits on 1 or
/// 1,024 threads.
struct CandidateEvaluation {
  /// Parts of the work: enough for the engine's workers to even out a
  /// worker slowed by another process, few enough that each part's scratch
  /// ((lanes + 1) x budget doubles, allocated once per part) is reused.
  static let maximumParts = 64

  let kernel: SearchKernel
  let specs: [String]

  /// Vectors of ``SearchKernel/lanes`` specs (the last one may be partial).
  var vectors: Int { (specs.count + SearchKernel.lanes - 1) / SearchKernel.lanes }

  /// The parts: part `p` evaluates vectors `range(p)`.
  var parts: Int { Swift.min(vectors, Self.maximumParts) }

  func range(_ p: Int) -> Range<Int> {
    let lo = p * vectors / parts
    let hi = (p + 1) * vectors / parts
    return lo..<hi
  }

  /// The losses of every spec, in spec order. A spec that does not parse
  /// throws (the first such spec in order, whatever the threads).
  ///
  /// - Complexity: O(specs x budget) work over the engine's workers.
  func run(on engine: BatchEngine?, progress: ((Int, Int) -> Void)?) throws(LawError) -> [Double] {
    let n = specs.count
    var losses = [Double](repeating: .nan, count: n)
    var errors = [SpecError?](repeating: nil, count: n)
    let done = ProgressCount()
    losses.withUnsafeMutableBufferPointer { lossBuffer in
      errors.withUnsafeMutableBufferPointer { errorBuffer in
        let (lossOut, errorOut) = (lossBuffer, errorBuffer)
        let body: (Int) -> Void = { part in
          let count = evaluate(part, lossOut, errorOut)
          if let progress {
            done.count.withLock { total in
              total += count
              progress(total, n)
            }
          }
        }
        if let engine, parts > 1 {
          do throws(EngineError) {
            try engine.forEachPart(parts, body)
            return
          } catch {}  // a forked child: the parts run here
        }
        for p in 0..<parts { body(p) }
      }
    }
    if let first = errors.first(where: { $0 != nil }), let error = first { throw .spec(error) }
    return losses
  }

  /// Evaluates part `p`'s specs; returns how many.
  private func evaluate(_ p: Int, _ lossOut: UnsafeMutableBufferPointer<Double>,
                        _ errorOut: UnsafeMutableBufferPointer<SpecError?>) -> Int {
    let L = SearchKernel.lanes
    let steps = kernel.count
    let row = UnsafeMutableBufferPointer<Double>.allocate(capacity: steps)
    let lanes = UnsafeMutableBufferPointer<Double>.allocate(capacity: steps * L)
    defer {
      row.deallocate()
      lanes.deallocate()
    }
    var evaluated = 0
    for v in range(p) {
      let first = v * L
      let count = Swift.min(L, specs.count - first)
      for l in 0..<L {
        let i = first + Swift.min(l, count - 1)  // lanes past the specs repeat the last one
        if l < count {
          do throws(SpecError) {
            try Schedule.parse(specs[i]).fill(from: 0, into: row)
          } catch {
            errorOut[i] = error
            row.update(repeating: 0)
          }
        }
        for t in 0..<steps { lanes[t * L + l] = row[t] }
      }
      kernel.finalLosses(lanes, lanes: count,
                         into: UnsafeMutableBufferPointer(rebasing: lossOut[first..<(first + count)]))
      for l in 0..<count where errorOut[first + l] != nil { lossOut[first + l] = .nan }
      evaluated += count
    }
    return evaluated
  }
}

/// Candidates evaluated so far, shared by the parts (the lock also keeps
/// the caller's progress callback on one thread at a time).
private final class ProgressCount: Sendable {
  let count = Mutex(0)
}
