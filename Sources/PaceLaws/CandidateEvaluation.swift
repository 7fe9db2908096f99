//===--- CandidateEvaluation.swift ----------------------------------------===//
// The final losses of many candidate schedules on the batch engine's
// workers, in a split that never depends on the thread count.
//===----------------------------------------------------------------------===//
import Pace
import PaceEngine
import Synchronization

/// Evaluates the predicted final loss of every candidate schedule (each
/// played over the frame's budget, all sharing its warmup) with a
/// ``SearchKernel``.
///
/// The candidates are cut into vectors of ``SearchKernel/lanes``
/// consecutive candidates and the vectors into at most ``maximumParts``
/// contiguous parts, from the candidate count alone; each part writes only
/// its own losses. Each lane's arithmetic is independent of the others, so
/// every loss has the same bits on 1 or 1,024 threads.
///
/// Per candidate: its spec document is parsed (no text) and the schedule
/// filled from the end of the warmup (the warmup's LRs are the kernel's,
/// written once per part) by Pace's fills, straight into its lane.
struct CandidateEvaluation {
  /// Parts of the work: enough for the engine's workers to even out a
  /// worker slowed by another process, few enough that each part's scratch
  /// ((lanes + 1) x budget doubles, allocated once per part) is reused.
  static let maximumParts = 64

  let kernel: SearchKernel
  let frame: SearchFrame
  let schedules: [CandidateSchedule]

  /// Vectors of ``SearchKernel/lanes`` candidates (the last one may be partial).
  var vectors: Int { (schedules.count + SearchKernel.lanes - 1) / SearchKernel.lanes }

  /// The parts: part `p` evaluates vectors `range(p)`.
  var parts: Int { Swift.min(vectors, Self.maximumParts) }

  func range(_ p: Int) -> Range<Int> {
    let lo = p * vectors / parts
    let hi = (p + 1) * vectors / parts
    return lo..<hi
  }

  /// The losses of every candidate, in order. A candidate whose spec does
  /// not parse throws (the first such in order, whatever the threads).
  ///
  /// Workers take the parts last first: the families searched last (full
  /// decays) cost the most per candidate, so the cheap parts even out the
  /// end (the order changes no result).
  ///
  /// - Complexity: O(candidates x budget) work over the engine's workers;
  ///   memory (lanes + 1) x budget doubles per busy worker (a part's
  ///   scratch, allocated once per part).
  func run(on engine: BatchEngine?, progress: ((Int, Int) -> Void)?) throws(LawError) -> [Double] {
    let n = schedules.count
    var losses = [Double](repeating: .nan, count: n)
    var errors = [SpecError?](repeating: nil, count: n)
    let done = ProgressCount()
    let parts = self.parts
    losses.withUnsafeMutableBufferPointer { lossBuffer in
      errors.withUnsafeMutableBufferPointer { errorBuffer in
        let (lossOut, errorOut) = (lossBuffer, errorBuffer)
        let body: (Int) -> Void = { turn in
          let count = evaluate(parts - 1 - turn, lossOut, errorOut)
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

  /// Evaluates part `p`'s candidates; returns how many.
  private func evaluate(_ p: Int, _ lossOut: UnsafeMutableBufferPointer<Double>,
                        _ errorOut: UnsafeMutableBufferPointer<SpecError?>) -> Int {
    let L = SearchKernel.lanes
    let steps = kernel.count
    let W = kernel.warmupSteps
    let row = UnsafeMutableBufferPointer<Double>.allocate(capacity: steps - W)
    let lanes = UnsafeMutableBufferPointer<Double>.allocate(capacity: steps * L)
    let scratch = DropTerms.Scratch.allocate()
    defer {
      row.deallocate()
      lanes.deallocate()
      scratch.deallocate()
    }
    kernel.warmupRates.withUnsafeBufferPointer { warmup in
      for t in 0..<W { for l in 0..<L { lanes[t * L + l] = warmup[t] } }
    }
    var evaluated = 0
    for v in range(p) {
      let first = v * L
      let count = Swift.min(L, schedules.count - first)
      var maxima = CandidateLanes()
      for l in 0..<L {
        let i = first + Swift.min(l, count - 1)  // lanes past the candidates repeat the last one
        if l < count {
          do throws(SpecError) {
            try Schedule.parse(schedules[i].document(frame)).fill(from: Int64(W), into: row)
          } catch {
            errorOut[i] = error
            row.update(repeating: 0)
          }
        }
        var top = 0.0
        for t in 0..<(steps - W) {
          let v = row[t]
          lanes[(W + t) * L + l] = v
          top = Swift.max(top, v)
        }
        maxima[l] = top
      }
      kernel.finalLosses(UnsafeBufferPointer(lanes), restMaxima: maxima, lanes: count, scratch: scratch,
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
