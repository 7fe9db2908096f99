//===--- PhaseKernel.swift ------------------------------------------------===//
// Each shape's formula as a kernel over lanes, shared by value(at:) and fills.
//===----------------------------------------------------------------------===//

/// A phase's formula with its parameters resolved (endpoint values mapped,
/// constant logarithms taken): `value(at:)` evaluates it on one lane and the
/// fills on a vector of them (``FillLanes``), so both perform the same IEEE
/// operations and agree bit for bit. Building a kernel is cheap and done
/// once per run of steps in a fill.
///
/// The kernels are the library's internals: no other module specialises a
/// fill (they call ``Schedule``'s public fills and `value(at:)`), so they
/// carry no public ABI. `@usableFromInline` marks what the module's
/// inlinable code (repeat blocks, table pieces) reaches.
@usableFromInline
protocol PhaseKernel {
  /// The multiplier at curve positions `u` (offset included) and global
  /// steps `t`.
  func callAsFunction<V: DoubleLanes>(u: V, t: V) -> V
  /// Bounds of the formula's third derivative and of the evaluation's error over
  /// `positions` (see ``FillSmoothness``); nil (the default) when the kernel
  /// gives none, and then float32 fills evaluate every step.
  ///
  /// - Complexity: O(1), called once per few hundred steps of a fill.
  func fillSmoothness(positions: ClosedRange<Double>) -> FillSmoothness?
  /// Whether ``fillSmoothness(positions:)`` can give bounds at all (false,
  /// the default: float32 fills then take the exact loop directly).
  static var hasFillSmoothness: Bool { get }
}

extension PhaseKernel {
  @usableFromInline
  func fillSmoothness(positions: ClosedRange<Double>) -> FillSmoothness? { nil }
  @usableFromInline
  static var hasFillSmoothness: Bool { false }
}

/// What to do with the kernel of a phase (generic over the kernel type, so
/// each shape's loop is specialised and inlined).
@usableFromInline
protocol PhaseKernelVisitor {
  associatedtype Result
  /// Called with the phase's kernel.
  func visit<K: PhaseKernel>(_ kernel: K) -> Result
  /// Called for the shapes evaluated one step at a time (tables and step
  /// milestones, which look their position up).
  func visitScalar() -> Result
}

/// The kernels of the shapes (a namespace: one file per family,
/// `Kernel+Family.swift`).
@usableFromInline
enum Kernel {}
