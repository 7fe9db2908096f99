//===--- DoubleLanes.swift ------------------------------------------------===//
// One float64 or a SIMD vector of them, for kernels written once.
//===----------------------------------------------------------------------===//

/// Arithmetic shared by `Double` and `SIMD4<Double>`, so that a kernel is
/// written once and its scalar and vector instances perform the same IEEE
/// operations in the same order: `pace_schedule_at` (one lane) and the fills
/// (four lanes at a time) then agree bit for bit.
public protocol DoubleLanes {
  /// Every lane set to `value`.
  init(broadcast value: Double)
  static func + (a: Self, b: Self) -> Self
  static func - (a: Self, b: Self) -> Self
  static func * (a: Self, b: Self) -> Self
  static func / (a: Self, b: Self) -> Self
  /// Per lane: `ifTrue` where `a <= b`, else `ifFalse`.
  static func choose(_ a: Self, lessOrEqual b: Self, _ ifTrue: Self, _ ifFalse: Self) -> Self
  /// Per-lane square root (correctly rounded).
  var squareRootLanes: Self { get }
  /// True when `a <= b` in every lane.
  static func all(_ a: Self, lessOrEqual b: Self) -> Bool
  /// True when `a < b` in every lane.
  static func all(_ a: Self, lessThan b: Self) -> Bool
}

extension Double: DoubleLanes {
  @inlinable @inline(__always)
  public init(broadcast value: Double) { self = value }

  @inlinable @inline(__always)
  public static func choose(_ a: Double, lessOrEqual b: Double, _ ifTrue: Double, _ ifFalse: Double) -> Double {
    a <= b ? ifTrue : ifFalse
  }

  @inlinable @inline(__always)
  public var squareRootLanes: Double { squareRoot() }

  @inlinable @inline(__always)
  public static func all(_ a: Double, lessOrEqual b: Double) -> Bool { a <= b }

  @inlinable @inline(__always)
  public static func all(_ a: Double, lessThan b: Double) -> Bool { a < b }
}

extension SIMD4: DoubleLanes where Scalar == Double {
  @inlinable @inline(__always)
  public init(broadcast value: Double) { self.init(repeating: value) }

  @inlinable @inline(__always)
  public static func choose(_ a: SIMD4<Double>, lessOrEqual b: SIMD4<Double>, _ ifTrue: SIMD4<Double>,
                            _ ifFalse: SIMD4<Double>) -> SIMD4<Double> {
    ifFalse.replacing(with: ifTrue, where: a .<= b)
  }

  @inlinable @inline(__always)
  public var squareRootLanes: SIMD4<Double> { self.squareRoot() }

  @inlinable @inline(__always)
  public static func all(_ a: SIMD4<Double>, lessOrEqual b: SIMD4<Double>) -> Bool { Swift.all(a .<= b) }

  @inlinable @inline(__always)
  public static func all(_ a: SIMD4<Double>, lessThan b: SIMD4<Double>) -> Bool { Swift.all(a .< b) }
}
