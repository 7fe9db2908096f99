//===--- Schedule+BlockFill.swift -----------------------------------------===//
// Fills of repeat blocks: one vector run per template phase per cycle.
//===----------------------------------------------------------------------===//

extension Schedule {
  /// Writes the values of steps `start + first ..< start + end`, all inside
  /// repeat block item `item`, through `sink`: each cycle is located once
  /// (``RepeatBlock/locate(_:)``, the lookup `value(at:)` makes) and cut
  /// where its template phase changes, and each piece runs the template
  /// phase's kernel wrapped in ``Kernel/InBlock`` on lanes, so every value
  /// equals `value(at:)` of its step bit for bit.
  ///
  /// - Complexity: O(count + cycles x (a `locate` and a few `cycleIndex`
  ///   calls) + pieces x number of template phases).
  @inlinable
  func fillBlock<Sink: FillSink>(_ block: RepeatBlock, item: Int, start: Int64, first: Int, end: Int, sink: Sink) {
    let origin = startBuffer[item]
    let steps = StepPositions(origin: origin, start: start)
    var k = first
    while k < end {
      // One cycle: located once, then cut at its template phases.
      var location = block.locate(steps[k])
      let cycleEnd = block.cycleEnd(of: location, steps: steps, first: k, end: end)
      while k < cycleEnd {
        let pieceEnd = block.phaseEnd(of: location, steps: steps, first: k, end: cycleEnd)
        let phase = block.template[location.phase]
        let run = FillRun(schedule: self, item: item, origin: origin, offset: 0, start: start, first: k,
                          end: pieceEnd, sink: sink)
        phase.withKernel(length: phase.length * location.scale, map: location.map,
                         InBlockFill(block: block, location: location, run: run))
        k = pieceEnd
        if k < cycleEnd { location.phase = block.phaseIndex(steps[k] - location.cycleStart, scale: location.scale) }
      }
    }
  }
}

extension RepeatBlock {
  /// The first index in `first + 1 ... end` whose position is past
  /// `location`'s cycle (by ``cycleIndex(_:)``, as `value(at:)` decides), or
  /// `end`.
  @inlinable
  func cycleEnd(of location: BlockLocation, steps: StepPositions, first: Int, end: Int) -> Int {
    let last = cycles.map { location.cycle >= Double($0 - 1) } ?? false
    return steps.boundaryIndex(last ? .infinity : cycleStart(location.cycle + 1), first: first, end: end) {
      cycleIndex($0) == location.cycle
    }
  }

  /// The first index in `first + 1 ... end` whose position is past
  /// `location`'s template phase within its cycle (by ``phaseIndex(_:scale:)``),
  /// or `end`.
  @inlinable
  func phaseEnd(of location: BlockLocation, steps: StepPositions, first: Int, end: Int) -> Int {
    let next = location.phase + 1
    let boundary = next < template.count ? location.cycleStart + templateStarts[next] * location.scale : .infinity
    return steps.boundaryIndex(boundary, first: first, end: end) {
      phaseIndex($0 - location.cycleStart, scale: location.scale) == location.phase
    }
  }
}

/// Runs one piece of a block fill with the template phase's kernel.
@usableFromInline
struct InBlockFill<Sink: FillSink>: PhaseKernelVisitor {
  @usableFromInline let block: RepeatBlock
  @usableFromInline let location: BlockLocation
  @usableFromInline let run: FillRun<Sink>

  @inlinable
  init(block: RepeatBlock, location: BlockLocation, run: FillRun<Sink>) {
    self.block = block
    self.location = location
    self.run = run
  }

  @inlinable
  func visit<K: PhaseKernel>(_ kernel: K) { run.visit(block.inBlock(kernel, at: location)) }

  @inlinable
  func visitScalar() {
    let peak = run.peak
    for k in run.first..<run.end {
      let x = Double(run.start + Int64(k))
      run.sink.store(peak * block.scalarValue(at: x - run.origin, globalStep: x, location: location), at: k)
    }
  }
}
