//===--- PhaseKernel.swift ------------------------------------------------===//
// Each shape's formula as a kernel over lanes, shared by value(at:) and fills.
//===----------------------------------------------------------------------===//

/// A phase's formula with its parameters resolved (endpoint values mapped,
/// constant logarithms taken): `value(at:)` evaluates it on one lane and the
/// fills on a vector of them (``FillLanes``), so both perform the same IEEE
/// operations and agree bit for bit. Building a kernel is cheap and done once per run of steps in a fill.
public protocol PhaseKernel {
  /// The multiplier at curve positions `u` (offset included) and global
  /// steps `t`.
  func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V
}

/// What to do with the kernel of a phase (generic over the kernel type, so
/// each shape's loop is specialised and inlined).
public protocol PhaseKernelVisitor {
  associatedtype Result
  /// Called with the phase's kernel.
  func visit<K: PhaseKernel>(_ kernel: K) -> Result
  /// Called for the shapes evaluated one step at a time (tables and step
  /// milestones, which look their position up).
  func visitScalar() -> Result
}

/// A decay curve `d(p)` given `p` and `q = 1 - p`.
public protocol DecayKernel {
  func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V
}

/// The decay curves of ``Curve``, one type each.
public enum Decay {
  @frozen public struct Linear: DecayKernel {
    @inlinable public init() {}
    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V { q }
  }

  /// `(1 - p)^2`.
  @frozen public struct QuadraticPolynomial: DecayKernel {
    @inlinable public init() {}
    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V { q * q }
  }

  /// Half a cosine period: `cos^2(pi p / 2)`, accurate near both ends.
  @frozen public struct HalfCosine: DecayKernel {
    @inlinable public init() {}
    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V { Trigonometry.halfCosSquared(p: p, q: q) }
  }

  /// `0.5 (1 + cos(2 pi c p))`.
  @frozen public struct Cosine: DecayKernel {
    public let cycles: Double
    /// `2 cycles`, formed once (scalar arithmetic inside a kernel is
    /// redone on every vector and can be mixed into the vector code).
    public let twoCycles: Double
    @inlinable public init(cycles: Double) {
      self.cycles = cycles
      self.twoCycles = cycles * 2.0
    }
    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V {
      V(broadcast: 0.5) * (V(broadcast: 1) + Trigonometry.cosPi(V(broadcast: twoCycles) * p))
    }
  }

  @frozen public struct Sqrt: DecayKernel {
    @inlinable public init() {}
    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V { V(broadcast: 1) - p.squareRootLanes }
  }

  @frozen public struct Square: DecayKernel {
    @inlinable public init() {}
    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V { V(broadcast: 1) - p * p }
  }

  @frozen public struct Rex: DecayKernel {
    @inlinable public init() {}
    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V { q / (V(broadcast: 1) - V(broadcast: 0.5) * p) }
  }

  @frozen public struct Uba: DecayKernel {
    public let phi: Double
    /// `2 phi` and `2 - phi`, formed once: computed inside the kernel they
    /// were redone on every vector, and the optimiser packed them with lanes
    /// of `s` into shuffles on the critical path.
    public let twoPhi: Double
    public let twoMinusPhi: Double
    @inlinable public init(phi: Double) {
      self.phi = phi
      self.twoPhi = 2.0 * phi
      self.twoMinusPhi = 2.0 - phi
    }
    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V {
      let s = V(broadcast: 2) * Trigonometry.halfCosSquared(p: p, q: q)
      return V(broadcast: 2) * s / (V(broadcast: twoPhi) + V(broadcast: twoMinusPhi) * s)
    }
  }

  /// `base(p)^exponent` (cosine exponents, polynomial powers).
  @frozen public struct Raised<Base: DecayKernel>: DecayKernel {
    public var base: Base
    public var exponent: Double
    @inlinable public init(base: Base, exponent: Double) {
      self.base = base
      self.exponent = exponent
    }
    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V {
      Elementary.pow(base(p: p, q: q), V(broadcast: exponent))
    }
  }
}

extension Curve {
  /// Calls `body` with the curve's ``DecayKernel``.
  @inlinable @inline(__always)
  public func withDecay<R>(_ body: some DecayKernelVisitor<R>) -> R {
    switch self {
    case .linear: return body.visit(Decay.Linear())
    case .cosine(let c, let e):
      if c == 0.5 {
        return e == 1 ? body.visit(Decay.HalfCosine()) : body.visit(Decay.Raised(base: Decay.HalfCosine(), exponent: e))
      }
      return e == 1 ? body.visit(Decay.Cosine(cycles: c))
        : body.visit(Decay.Raised(base: Decay.Cosine(cycles: c), exponent: e))
    case .sqrt: return body.visit(Decay.Sqrt())
    case .square: return body.visit(Decay.Square())
    case .polynomial(let k):
      if k == 1 { return body.visit(Decay.Linear()) }
      if k == 2 { return body.visit(Decay.QuadraticPolynomial()) }
      return body.visit(Decay.Raised(base: Decay.Linear(), exponent: k))
    case .rex: return body.visit(Decay.Rex())
    case .uba(let phi): return body.visit(Decay.Uba(phi: phi))
    }
  }
}

/// What to do with a curve's ``DecayKernel``.
public protocol DecayKernelVisitor<Result> {
  associatedtype Result
  func visit<D: DecayKernel>(_ decay: D) -> Result
}

/// The kernels of the shapes.
public enum Kernel {
  /// `(p, 1 - p)` clamped to [0, 1], each computed from `u` directly;
  /// `reciprocal` is `1 / length` when that is normal (the quotients are
  /// then formed by ``Elementary/divide(_:by:reciprocal:)``, the same bits
  /// as a division).
  @inlinable @inline(__always)
  static func progress<V: DoubleLanes>(_ u: V, length: Double, reciprocal: Double?, inclusive: Bool) -> (V, V) {
    let l = V(broadcast: length)
    let zero = V(broadcast: 0)
    let one = V(broadcast: 1)
    var a = u
    var b = l - u
    if inclusive {
      a = u + one
      b = b - one
    }
    var p: V
    var q: V
    if let reciprocal {
      let r = V(broadcast: reciprocal)
      p = Elementary.divide(a, by: l, reciprocal: r)
      q = Elementary.divide(b, by: l, reciprocal: r)
    } else {
      p = a / l
      q = b / l
    }
    // Clamped to [0, 1] each (written as max/min selects: one vmaxpd and
    // one vminpd). The same as clamping p and deriving q's bound from p:
    // for u >= 0 with exact step numbers, p <= 0 iff q >= 1 and p >= 1 iff
    // q <= 0.
    p = V.choose(zero, lessThan: p, p, zero)
    p = V.choose(p, lessThan: one, p, one)
    q = V.choose(zero, lessThan: q, q, zero)
    q = V.choose(q, lessThan: one, q, one)
    return (p, q)
  }

  /// `1 / length` when it is normal and `length` finite, else nil (divide).
  @inlinable
  static func reciprocal(of length: Double) -> Double? {
    let r = 1 / length
    return r.isNormal && length.isFinite ? r : nil
  }

  /// `to + (from - to) d(p)`, or `from + (to - from) d(1 - p)` for a
  /// mirrored warmup.
  @frozen public struct Interpolating<D: DecayKernel>: PhaseKernel {
    public var decay: D
    public var length: Double
    public var inclusive: Bool
    public var mirrored: Bool
    public let from: Double
    public let to: Double
    /// `from - to` and `to - from`, formed once (not on every vector).
    public let fromMinusTo: Double
    public let toMinusFrom: Double
    public var reciprocal: Double?
    @inlinable public init(decay: D, length: Double, inclusive: Bool, mirrored: Bool, from: Double, to: Double) {
      self.decay = decay
      self.length = length
      self.reciprocal = Kernel.reciprocal(of: length)
      self.inclusive = inclusive
      self.mirrored = mirrored
      self.from = from
      self.to = to
      self.fromMinusTo = from - to
      self.toMinusFrom = to - from
    }

    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V {
      let (p, q) = progress(u, length: length, reciprocal: reciprocal, inclusive: inclusive)
      // One fused multiply-add where the build has FMA (one rounding).
      if mirrored {
        return V(broadcast: from).addingProductLanes(V(broadcast: toMinusFrom), decay(p: q, q: p))
      }
      return V(broadcast: to).addingProductLanes(V(broadcast: fromMinusTo), decay(p: p, q: q))
    }
  }

  /// `from * base^v` for a positive finite `base`, `v` the position
  /// (floored to a multiple of the staircase) or its progress; `log2 base`
  /// taken once. Other bases use ``ExponentialOfAnyBase``.
  @frozen public struct Exponential: PhaseKernel {
    public var from: Double
    public var base: Double
    public var log2Base: (hi: Double, lo: Double)
    public var staircase: Double?
    /// Nil for `gamma` (the exponent is the position), else the length
    /// over which the exponent goes 0 to 1.
    public var length: Double?
    public var inclusive: Bool
    public var reciprocal: Double?
    @inlinable public init(from: Double, base: Double, log2Base: (hi: Double, lo: Double), staircase: Double?, length: Double?, inclusive: Bool) {
      self.from = from
      self.base = base
      self.reciprocal = length.flatMap { Kernel.reciprocal(of: $0) }
      self.log2Base = log2Base
      self.staircase = staircase
      self.length = length
      self.inclusive = inclusive
    }

    /// The exponent at positions `u`: `u` floored to the staircase, or the
    /// progress over `length`.
    @inlinable @inline(__always)
    public func exponent<V: DoubleLanes>(_ u: V) -> V {
      var v = u
      if let k = staircase {
        let kk = V(broadcast: k)
        v = Elementary.floor(v / kk) * kk
      }
      if let length { v = progress(v, length: length, reciprocal: reciprocal, inclusive: inclusive).0 }
      return v
    }

    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V {
      // The exponent is finite and the base ordinary: pow's special-value
      // selects would be no-ops.
      let g = Elementary.powOfPositive(exponent(u), log2OfX: Elementary.broadcast(log2Base))
      return from == 1 ? g : V(broadcast: from) * g  // the same bits
    }
  }

  /// ``Exponential`` for a base that is zero, negative, infinite or NaN
  /// (C's `pow` special values), a kernel of its own so that the ordinary
  /// kernel carries no branch for it.
  @frozen public struct ExponentialOfAnyBase: PhaseKernel {
    public var exponential: Exponential
    @inlinable public init(_ exponential: Exponential) {
      self.exponential = exponential
    }

    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V {
      let log: (hi: V, lo: V) = Elementary.broadcast(exponential.log2Base)
      return V(broadcast: exponential.from)
        * Elementary.pow(V(broadcast: exponential.base), exponential.exponent(u), log2OfMagnitude: log)
    }
  }

  /// `from * gamma^floor(u / stepSize)`.
  @frozen public struct Step: PhaseKernel {
    public var from: Double
    public var gamma: Double
    public var log2Gamma: (hi: Double, lo: Double)
    public var stepSize: Double
    @inlinable public init(from: Double, gamma: Double, log2Gamma: (hi: Double, lo: Double), stepSize: Double) {
      self.from = from
      self.gamma = gamma
      self.log2Gamma = log2Gamma
      self.stepSize = stepSize
    }

    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V {
      let zero = V(broadcast: 0)
      var k = Elementary.floor(u / V(broadcast: stepSize))
      k = V.choose(zero, lessOrEqual: k, k, zero)  // negative and NaN: 0
      let log: (hi: V, lo: V) = Elementary.broadcast(log2Gamma)
      let f = V(broadcast: from)
      let g = gamma > 0 && gamma.isFinite ? Elementary.powOfPositive(k, log2OfX: log)
        : Elementary.pow(V(broadcast: gamma), k, log2OfMagnitude: log)
      return V.choose(k, equal: zero, f, f * g)
    }
  }

  /// Where a repeat block plays a template phase in one cycle: block
  /// positions `u` map to `((u - cycleStart) - phaseStart) + offset` (the
  /// phase's start and offset scaled for the cycle), and a multiplier `m`
  /// decays per step to `floor + (m - floor) decayPerStep^u` when
  /// `decayPerStep != 1` (`decayPerStep > 0`: the spec requires it).
  @frozen public struct BlockPlacement {
    public var cycleStart: Double
    public var phaseStart: Double
    public var offset: Double
    public var decayPerStep: Double
    public var floor: Double
    /// `log2DoubleDouble(decayPerStep)`, taken once.
    public var log2DecayPerStep: (hi: Double, lo: Double)
    @inlinable public init(cycleStart: Double, phaseStart: Double, offset: Double, decayPerStep: Double,
                           floor: Double) {
      self.cycleStart = cycleStart
      self.phaseStart = phaseStart
      self.offset = offset
      self.decayPerStep = decayPerStep
      self.floor = floor
      self.log2DecayPerStep = decayPerStep == 1 ? (0, 0) : Elementary.log2DoubleDouble(decayPerStep)
    }

    /// The template phase's position at block positions `u`.
    @inlinable @inline(__always)
    public func position<V: DoubleLanes>(_ u: V) -> V {
      ((u - V(broadcast: cycleStart)) - V(broadcast: phaseStart)) + V(broadcast: offset)
    }

    /// The multiplier `m` at block positions `u` after the per-step decay.
    @inlinable @inline(__always)
    public func decayed<V: DoubleLanes>(_ m: V, at u: V) -> V {
      guard decayPerStep != 1 else { return m }
      let f = V(broadcast: floor)
      return f + (m - f) * Elementary.powOfPositive(u, log2OfX: Elementary.broadcast(log2DecayPerStep))
    }
  }

  /// A repeat block's template-phase kernel at block positions `u`, placed
  /// in its cycle by ``BlockPlacement``.
  @frozen public struct InBlock<Template: PhaseKernel>: PhaseKernel {
    public var template: Template
    public var placement: BlockPlacement
    @inlinable public init(template: Template, placement: BlockPlacement) {
      self.template = template
      self.placement = placement
    }

    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V {
      placement.decayed(template(u: placement.position(u), t: t), at: u)
    }
  }

  @frozen public struct Constant: PhaseKernel {
    public var from: Double
    @inlinable public init(from: Double) {
      self.from = from
    }
    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V { V(broadcast: from) }
  }

  /// `from / sqrt(1 + u / timescale)`.
  @frozen public struct InverseSqrt: PhaseKernel {
    public var from: Double
    public var timescale: Double
    @inlinable public init(from: Double, timescale: Double) {
      self.from = from
      self.timescale = timescale
    }
    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V {
      let s = V(broadcast: timescale)
      return V(broadcast: from) / ((u + s) / s).squareRootLanes
    }
  }

  /// `min(from, a (t tokensPerStep)^b / peak)`, `from` at `t <= 0`.
  @frozen public struct Power: PhaseKernel {
    public var from: Double
    public var a: Double
    public var b: Double
    public var tokensPerStep: Double
    public var peak: Double
    @inlinable public init(from: Double, a: Double, b: Double, tokensPerStep: Double, peak: Double) {
      self.from = from
      self.a = a
      self.b = b
      self.tokensPerStep = tokensPerStep
      self.peak = peak
    }
    @inlinable @inline(__always)
    public func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V {
      let f = V(broadcast: from)
      let v = V(broadcast: a) * Elementary.pow(t * V(broadcast: tokensPerStep), V(broadcast: b)) / V(broadcast: peak)
      let m = V.choose(v, lessThan: f, v, f)  // Swift.min(f, v)
      return V.choose(t, lessOrEqual: V(broadcast: 0), f, m)
    }
  }
}

extension Phase {
  /// Calls `visitor` with this phase's kernel for a curve of length
  /// `length` (scaled in repeat blocks) with endpoint values mapped by `map`.
  @inlinable @inline(__always)
  public func withKernel<Visitor: PhaseKernelVisitor>(length: Double, map: EndpointMap,
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
@usableFromInline
struct InterpolatingKernelBuilder<Visitor: PhaseKernelVisitor>: DecayKernelVisitor {
  @usableFromInline let phase: Phase
  @usableFromInline let length: Double
  @usableFromInline let map: EndpointMap
  @usableFromInline let visitor: Visitor

  @inlinable @inline(__always)
  init(phase: Phase, length: Double, map: EndpointMap, visitor: Visitor) {
    self.phase = phase
    self.length = length
    self.map = map
    self.visitor = visitor
  }

  @inlinable @inline(__always)
  func visit<D: DecayKernel>(_ decay: D) -> Visitor.Result {
    visitor.visit(Kernel.Interpolating(
      decay: decay, length: length, inclusive: phase.endpoint == .inclusive,
      mirrored: phase.from < phase.to && phase.mirror, from: map.apply(phase.from), to: map.apply(phase.to)))
  }
}
