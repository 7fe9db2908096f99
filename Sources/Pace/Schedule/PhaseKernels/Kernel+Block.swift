//===--- Kernel+Block.swift -----------------------------------------------===//
// A repeat block's template phase placed in its cycle.
//===----------------------------------------------------------------------===//

extension Kernel {
  /// Where a repeat block plays a template phase in one cycle: block
  /// positions `u` map to `((u - cycleStart) - phaseStart) + offset` (the
  /// phase's start and offset scaled for the cycle), and a multiplier `m`
  /// decays per step to `floor + (m - floor) decayPerStep^u` when
  /// `decayPerStep != 1` (`decayPerStep > 0`: the spec requires it).
  @usableFromInline
  struct BlockPlacement {
    var cycleStart: Double
    var phaseStart: Double
    var offset: Double
    var decayPerStep: Double
    var floor: Double
    /// `log2DoubleDouble(decayPerStep)`, taken once.
    var log2DecayPerStep: (hi: Double, lo: Double)

    @usableFromInline
    init(cycleStart: Double, phaseStart: Double, offset: Double, decayPerStep: Double, floor: Double) {
      self.cycleStart = cycleStart
      self.phaseStart = phaseStart
      self.offset = offset
      self.decayPerStep = decayPerStep
      self.floor = floor
      self.log2DecayPerStep = decayPerStep == 1 ? (0, 0) : Elementary.log2DoubleDouble(decayPerStep)
    }

    /// The template phase's position at block positions `u`.
    @usableFromInline @inline(__always)
    func position<V: DoubleLanes>(_ u: V) -> V {
      ((u - V(broadcast: cycleStart)) - V(broadcast: phaseStart)) + V(broadcast: offset)
    }

    /// The multiplier `m` at block positions `u` after the per-step decay.
    @usableFromInline @inline(__always)
    func decayed<V: DoubleLanes>(_ m: V, at u: V) -> V {
      guard decayPerStep != 1 else { return m }
      let f = V(broadcast: floor)
      return f + (m - f) * Elementary.powOfPositive(u, log2OfX: Elementary.broadcast(log2DecayPerStep))
    }
  }

  /// A repeat block's template-phase kernel at block positions `u`, placed
  /// in its cycle by ``BlockPlacement``.
  @usableFromInline
  struct InBlock<Template: PhaseKernel>: PhaseKernel {
    var template: Template
    var placement: BlockPlacement

    @usableFromInline
    init(template: Template, placement: BlockPlacement) {
      self.template = template
      self.placement = placement
    }

    @usableFromInline @inline(__always)
    func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V {
      placement.decayed(template(u: placement.position(u), t: t), at: u)
    }
  }
}
