//===--- AtKernel.swift ---------------------------------------------------===//
// The list of kernel types value(at:) runs, from which its dispatch derives.
//===----------------------------------------------------------------------===//

/// The type of the ``PhaseKernel`` that `value(at:)` runs for one item: one
/// case per concrete kernel type that ``Phase/withKernel(length:map:_:)``
/// builds for a plain phase, and `general` for the items evaluated through
/// their phase or block (repeat blocks, tables, steps at milestones,
/// segments).
///
/// ``withType(_:)`` is the one list of these types: the tag of a kernel
/// type (``of(_:)``) and `value(at:)`'s dispatch (``Schedule/multiplier(item:at:)``)
/// both derive from it. A new kernel is one case and one line there (the
/// switch is exhaustive, so a case without a type does not compile);
/// `KernelListTests` fails for a kernel that `withKernel` builds without
/// a case here, and for a case that no parsed phase builds.
enum AtKernel: CaseIterable {
  case linear, quadratic, halfCosine, cosine, sqrt, square, rex, uba
  case raisedLinear, raisedHalfCosine, raisedCosine
  case exponential, exponentialOfAnyBase, step, constant, inverseSqrt, power
  case general

  /// Calls `body` with this case's kernel type; nil for `general`.
  ///
  /// - Complexity: O(1) (one switch, a jump table).
  @inline(__always)
  func withType<Body: KernelTypeVisitor>(_ body: Body) -> Body.Result? {
    typealias Interpolating = Kernel.Interpolating
    switch self {
    case .linear: return body.visit(Interpolating<Decay.Linear>.self)
    case .quadratic: return body.visit(Interpolating<Decay.QuadraticPolynomial>.self)
    case .halfCosine: return body.visit(Interpolating<Decay.HalfCosine>.self)
    case .cosine: return body.visit(Interpolating<Decay.Cosine>.self)
    case .sqrt: return body.visit(Interpolating<Decay.Sqrt>.self)
    case .square: return body.visit(Interpolating<Decay.Square>.self)
    case .rex: return body.visit(Interpolating<Decay.Rex>.self)
    case .uba: return body.visit(Interpolating<Decay.Uba>.self)
    case .raisedLinear: return body.visit(Interpolating<Decay.Raised<Decay.Linear>>.self)
    case .raisedHalfCosine: return body.visit(Interpolating<Decay.Raised<Decay.HalfCosine>>.self)
    case .raisedCosine: return body.visit(Interpolating<Decay.Raised<Decay.Cosine>>.self)
    case .exponential: return body.visit(Kernel.Exponential.self)
    case .exponentialOfAnyBase: return body.visit(Kernel.ExponentialOfAnyBase.self)
    case .step: return body.visit(Kernel.Step.self)
    case .constant: return body.visit(Kernel.Constant.self)
    case .inverseSqrt: return body.visit(Kernel.InverseSqrt.self)
    case .power: return body.visit(Kernel.Power.self)
    case .general: return nil
    }
  }

  /// The case of kernel type `K` (`general` for a type without one).
  ///
  /// - Complexity: O(1) (a dictionary look-up).
  static func of<K: PhaseKernel>(_: K.Type) -> AtKernel {
    byType[ObjectIdentifier(K.self)] ?? .general
  }

  /// The case of each kernel type, from ``withType(_:)``.
  private static let byType: [ObjectIdentifier: AtKernel] = Dictionary(
    uniqueKeysWithValues: allCases.compactMap { kind in kind.withType(TypeIdentifier()).map { ($0, kind) } })
}

/// What to do with a kernel type (``AtKernel/withType(_:)``).
protocol KernelTypeVisitor {
  associatedtype Result
  func visit<K: PhaseKernel>(_ type: K.Type) -> Result
}

/// A kernel type's identifier (the key of ``AtKernel``'s table).
private struct TypeIdentifier: KernelTypeVisitor {
  func visit<K: PhaseKernel>(_ type: K.Type) -> ObjectIdentifier { ObjectIdentifier(type) }
}
