//===--- Phase+Kernel.swift -----------------------------------------------===//
// The one place that builds a phase's kernel: fills and value(at:) use it.
//===----------------------------------------------------------------------===//

extension Phase {
  /// Calls `visitor` with this phase's kernel for a curve of length
  /// `length` (scaled in repeat blocks) with endpoint values mapped by `map`,
  /// or `visitScalar()` for the shapes that look their position up
  /// (tables, steps at milestones, segments).
  ///
  /// This is the list of kernels: every kernel type a fill runs is built
  /// here, and `value(at:)` resolves the same ones when a schedule is built
  /// (``AtKernel``); `KernelListTests` checks that each shape the spec
  /// parser accepts takes both paths.
  @usableFromInline @inline(__always)
  func withKernel<Visitor: PhaseKernelVisitor>(length: Double, map: EndpointMap,
                                               _ visitor: Visitor) -> Visitor.Result {
    switch shape {
    case .interpolating(let curve):
      return curve.withDecay(InterpolatingKernelBuilder(phase: self, length: length, map: map, visitor: visitor))

    case .exponential(let gamma, let staircase):
      let f = map.apply(from)
      let base = gamma ?? map.apply(to) / f
      let kernel = Kernel.Exponential(
        from: f, base: base, log2Base: Elementary.log2DoubleDouble(Elementary.magnitude(base)),
        staircase: staircase, length: gamma == nil ? length : nil, inclusive: endpoint == .inclusive)
      if base > 0 && base.isFinite { return visitor.visit(kernel) }
      return visitor.visit(Kernel.ExponentialOfAnyBase(kernel))

    case .constant:
      return visitor.visit(Kernel.Constant(from: map.apply(from)))

    case .step(let gamma, let stepSize, _):
      guard let stepSize else { return visitor.visitScalar() }
      return visitor.visit(Kernel.Step(from: map.apply(from), gamma: gamma,
                                       log2Gamma: Elementary.log2DoubleDouble(Elementary.magnitude(gamma)),
                                       stepSize: stepSize))

    case .inverseSqrt(let timescale):
      return visitor.visit(Kernel.InverseSqrt(from: map.apply(from), timescale: timescale))

    case .power(let a, let b, let tokensPerStep):
      return visitor.visit(Kernel.Power(from: map.apply(from), a: a, b: b, tokensPerStep: tokensPerStep, peak: peak))

    case .table, .segment:
      return visitor.visitScalar()
    }
  }
}

/// Builds the interpolating kernel of a phase for its curve's decay kernel.
struct InterpolatingKernelBuilder<Visitor: PhaseKernelVisitor>: DecayKernelVisitor {
  let phase: Phase
  let length: Double
  let map: EndpointMap
  let visitor: Visitor

  @inline(__always)
  func visit<D: DecayKernel>(_ decay: D) -> Visitor.Result {
    visitor.visit(Kernel.Interpolating(
      decay: decay, length: length, inclusive: phase.endpoint == .inclusive,
      mirrored: phase.from < phase.to && phase.mirror, from: map.apply(phase.from), to: map.apply(phase.to)))
  }
}
