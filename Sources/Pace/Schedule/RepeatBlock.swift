//===--- RepeatBlock.swift ------------------------------------------------===//
// A template of phases played in cycles (warm restarts, cyclic schedules).
//===----------------------------------------------------------------------===//

/// How the endpoint values of cycle k are mapped.
@usableFromInline package enum DecayMode: String, Sendable {
  /// `v -> floor + (v - floor) * decay^k`.
  case amplitude
  /// Endpoints equal to `floor` stay; others `v -> v * decay^k`.
  case peak
}

/// A resolved repeat block: its template phases and cycle parameters.
///
/// Cycle k starts at `P * (r^k - 1) / (r - 1)` (or `k * P` when `r = 1`)
/// after the block start, where `P` is the template's duration and `r` the
/// `period_mult`; it plays the template with lengths and offsets scaled by
/// `r^k`. Locating the cycle of a step is O(1) (a logarithm and at most one
/// correction either side), so evaluation cost never grows with the step.
@usableFromInline package struct RepeatBlock {
  /// The template phases (in the schedule's ``Arena``).
  @usableFromInline package var template: ArenaBuffer<Phase>
  /// Start of each template phase inside an unscaled cycle (running sums).
  @usableFromInline package var templateStarts: ArenaBuffer<Double>
  /// Duration of one unscaled cycle, `P`.
  @usableFromInline package var period: Double
  /// Number of cycles, or nil for forever.
  @usableFromInline package var cycles: Int64?
  @usableFromInline package var periodMult: Double
  @usableFromInline package var decay: Double
  @usableFromInline package var decayMode: DecayMode
  @usableFromInline package var floor: Double
  @usableFromInline package var decayPerStep: Double

  /// Total duration in steps (`.infinity` when the block runs forever).
  @usableFromInline package var duration: Double {
    guard let cycles else { return .infinity }
    return cycleStart(Double(cycles))
  }

  /// Start of cycle `k` relative to the block start.
  @inlinable
  package func cycleStart(_ k: Double) -> Double {
    if periodMult == 1 { return k * period }
    return period * (Elementary.pow(periodMult, k) - 1) / (periodMult - 1)
  }

  /// The cycle index containing block position `u >= 0`.
  @inlinable
  package func cycleIndex(_ u: Double) -> Double {
    var k: Double
    if periodMult == 1 {
      k = (u / period).rounded(.down)
    } else {
      k = (Elementary.log(1 + u * (periodMult - 1) / period) / Elementary.log(periodMult)).rounded(.down)
      if !k.isFinite { k = cycles.map { Double($0 - 1) } ?? 0 }
      if k < 0 { k = 0 }
      if k > 0 && cycleStart(k) > u { k -= 1 }
      else if cycleStart(k + 1) <= u { k += 1 }
    }
    if k < 0 { k = 0 }
    if let cycles, k > Double(cycles - 1) { k = Double(cycles - 1) }
    return k
  }

  /// Where block position `u` falls: its cycle, that cycle's scale, start
  /// and endpoint map, and the template phase playing.
  ///
  /// - Complexity: O(number of template phases).
  @inlinable
  package func locate(_ u: Double) -> BlockLocation {
    let k = cycleIndex(u)
    let scale = periodMult == 1 ? 1 : Elementary.pow(periodMult, k)
    let start = cycleStart(k)
    let v = u - start
    let map = EndpointMap(decayMode: decayMode, floor: floor, factor: decay == 1 ? 1 : Elementary.pow(decay, k))
    return BlockLocation(cycle: k, scale: scale, cycleStart: start, map: map, phase: phaseIndex(v, scale: scale))
  }

  /// The template phase playing at position `v` inside a cycle whose
  /// lengths are scaled by `scale`.
  @inlinable
  func phaseIndex(_ v: Double, scale: Double) -> Int {
    for i in 1..<template.count where v < templateStarts[i] * scale { return i - 1 }
    return template.count - 1
  }

  /// The multiplier at block position `u` (steps since the block started),
  /// at global step `t`: the template phase's kernel through
  /// ``Kernel/InBlock`` (the fills run the same kernel on lanes).
  ///
  /// - Complexity: O(number of template phases).
  @inlinable
  package func value(at u: Double, globalStep t: Double) -> Double {
    let here = locate(u)
    let phase = template[here.phase]
    return phase.withKernel(length: phase.length * here.scale, map: here.map,
                            InBlockAt(block: self, location: here, u: u, t: t))
  }

  /// Where template phase `location.phase` plays in `location`'s cycle.
  @inlinable @inline(__always)
  func placement(at location: BlockLocation) -> Kernel.BlockPlacement {
    Kernel.BlockPlacement(cycleStart: location.cycleStart, phaseStart: templateStarts[location.phase] * location.scale,
                          offset: template[location.phase].offset * location.scale, decayPerStep: decayPerStep,
                          floor: floor)
  }

  /// ``Kernel/InBlock`` around template phase `location.phase`'s kernel.
  @inlinable @inline(__always)
  func inBlock<K: PhaseKernel>(_ kernel: K, at location: BlockLocation) -> Kernel.InBlock<K> {
    Kernel.InBlock(template: kernel, placement: placement(at: location))
  }

  /// The multiplier for the shapes evaluated one step at a time (tables,
  /// step milestones): their lookup placed like ``Kernel/InBlock`` on one
  /// lane.
  @inlinable
  func scalarValue(at u: Double, globalStep t: Double, location here: BlockLocation) -> Double {
    let placement = placement(at: here)
    return placement.decayed(template[here.phase].lookupValue(at: placement.position(u), map: here.map), at: u)
  }

  /// The value at the block's end (last template phase's end value in the
  /// last cycle), given the block's global start.
  @usableFromInline package func endValue(blockStart: Double) -> Double {
    guard let cycles else { return floor }
    let k = Double(cycles - 1)
    let scale = periodMult == 1 ? 1 : Elementary.pow(periodMult, k)
    let map = EndpointMap(decayMode: decayMode, floor: floor, factor: decay == 1 ? 1 : Elementary.pow(decay, k))
    let last = template[template.count - 1]
    let total = duration
    var m = last.endValue(length: last.length * scale, endStep: blockStart + total, map: map)
    if decayPerStep != 1 { m = floor + (m - floor) * Elementary.pow(decayPerStep, total) }
    return m
  }
}

/// The cycle and template phase a block position falls in
/// (``RepeatBlock/locate(_:)``).
@frozen @usableFromInline package struct BlockLocation {
  /// Cycle index `k` (integer-valued).
  @usableFromInline package var cycle: Double
  /// `period_mult^k`: the factor on the template's lengths and offsets.
  @usableFromInline package var scale: Double
  /// Start of cycle `k` relative to the block start.
  @usableFromInline package var cycleStart: Double
  /// Endpoint map of cycle `k` (`decay^k`).
  @usableFromInline package var map: EndpointMap
  /// Index of the template phase playing.
  @usableFromInline package var phase: Int

  @inlinable
  package init(cycle: Double, scale: Double, cycleStart: Double, map: EndpointMap, phase: Int) {
    self.cycle = cycle
    self.scale = scale
    self.cycleStart = cycleStart
    self.map = map
    self.phase = phase
  }
}

/// Evaluates a block's template kernel at one position.
@usableFromInline
struct InBlockAt: PhaseKernelVisitor {
  @usableFromInline let block: RepeatBlock
  @usableFromInline let location: BlockLocation
  @usableFromInline let u: Double
  @usableFromInline let t: Double

  @inlinable @inline(__always)
  init(block: RepeatBlock, location: BlockLocation, u: Double, t: Double) {
    self.block = block
    self.location = location
    self.u = u
    self.t = t
  }

  @inlinable @inline(__always)
  func visit<K: PhaseKernel>(_ kernel: K) -> Double { block.inBlock(kernel, at: location)(u: u, t: t) }

  @inlinable
  func visitScalar() -> Double { block.scalarValue(at: u, globalStep: t, location: location) }
}
