//===--- Decay.swift ------------------------------------------------------===//
// The decay curves of the interpolating shapes, one kernel type each.
//===----------------------------------------------------------------------===//

/// A decay curve `d(p)` given `p` and `q = 1 - p` (both in [0, 1]), on lanes,
/// with its smoothness bounds (Decay+Smoothness.swift).
@usableFromInline
protocol DecayKernel: DecaySmoothness {
  func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V
}

/// What to do with a curve's ``DecayKernel``.
@usableFromInline
protocol DecayKernelVisitor<Result> {
  associatedtype Result
  func visit<D: DecayKernel>(_ decay: D) -> Result
}

/// The decay curves of ``Curve``, one type each (built by
/// ``Curve/withDecay(_:)``).
enum Decay {
  /// `1 - p`.
  struct Linear: DecayKernel {
    @inline(__always)
    func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V { q }
  }

  /// `(1 - p)^2`.
  struct QuadraticPolynomial: DecayKernel {
    @inline(__always)
    func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V { q * q }
  }

  /// Half a cosine period: `cos^2(pi p / 2)`, accurate near both ends.
  struct HalfCosine: DecayKernel {
    @inline(__always)
    func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V { Trigonometry.halfCosSquared(p: p, q: q) }
  }

  /// `0.5 (1 + cos(2 pi c p))`, `c` the cycles (> 0).
  struct Cosine: DecayKernel {
    let cycles: Double
    /// `2 cycles`, formed once (scalar arithmetic inside a kernel is
    /// redone on every vector and can be mixed into the vector code).
    let twoCycles: Double

    init(cycles: Double) {
      self.cycles = cycles
      self.twoCycles = cycles * 2.0
    }

    @inline(__always)
    func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V {
      V(broadcast: 0.5) * (V(broadcast: 1) + Trigonometry.cosPi(V(broadcast: twoCycles) * p))
    }
  }

  /// `1 - sqrt(p)`.
  struct Sqrt: DecayKernel {
    @inline(__always)
    func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V { V(broadcast: 1) - p.squareRootLanes }
  }

  /// `1 - p^2`.
  struct Square: DecayKernel {
    @inline(__always)
    func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V { V(broadcast: 1) - p * p }
  }

  /// REX: `(1 - p) / (1 - p / 2)`.
  struct Rex: DecayKernel {
    @inline(__always)
    func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V { q / (V(broadcast: 1) - V(broadcast: 0.5) * p) }
  }

  /// UBA: `2 s / (2 phi + (2 - phi) s)` with `s = 2 cos^2(pi p / 2)`, `phi > 0`.
  struct Uba: DecayKernel {
    let phi: Double
    /// `2 phi` and `2 - phi`, formed once: computed inside the kernel they
    /// were redone on every vector, and the optimiser packed them with lanes
    /// of `s` into shuffles on the critical path.
    let twoPhi: Double
    let twoMinusPhi: Double

    init(phi: Double) {
      self.phi = phi
      self.twoPhi = 2.0 * phi
      self.twoMinusPhi = 2.0 - phi
    }

    @inline(__always)
    func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V {
      let s = V(broadcast: 2) * Trigonometry.halfCosSquared(p: p, q: q)
      return V(broadcast: 2) * s / (V(broadcast: twoPhi) + V(broadcast: twoMinusPhi) * s)
    }
  }

  /// `base(p)^exponent` (cosine exponents, polynomial powers).
  struct Raised<Base: DecayKernel>: DecayKernel {
    var base: Base
    var exponent: Double

    @inline(__always)
    func callAsFunction<V: DoubleLanes>(p: V, q: V) -> V {
      Elementary.pow(base(p: p, q: q), V(broadcast: exponent))
    }
  }
}
