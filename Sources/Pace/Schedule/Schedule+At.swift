//===--- Schedule+At.swift ------------------------------------------------===//
// value(t): one step, through the item's kernel resolved at build time.
//===----------------------------------------------------------------------===//

extension Schedule {
  /// The multiplier of item `i` at position `x` (inside the item): the
  /// item's kernel (see ``AtKernelSlots``) on one lane at curve position
  /// `(x - start) + offset` (the operations a fill performs on each of its
  /// lanes), or the phase or block itself for a `general` item.
  ///
  /// Compiled once here: callers in other modules call it.
  ///
  /// - Complexity: O(1) for a plain phase with a kernel; see
  ///   ``generalMultiplier(item:at:)`` otherwise.
  @usableFromInline @inline(__always)
  func multiplier(item i: Int, at x: Double) -> Double {
    let slot = atKernels[i]
    let u = (x - startBuffer[i]) + slot.load(fromByteOffset: AtKernelSlots.offsetOffset, as: Double.self)
    let kernel = RunInSlot(kernel: slot + AtKernelSlots.kernelOffset, u: u, t: x)
    return slot.load(as: AtKernel.self).withType(kernel) ?? generalMultiplier(item: i, at: x)
  }

  /// The kernel of type `K` stored at `kernel`, at curve position `u` and
  /// global step `t`, read in place (one small function per kernel type).
  @inline(never)
  static func run<K: PhaseKernel>(_ kernel: UnsafeRawPointer, _: K.Type, u: Double, t: Double) -> Double {
    kernel.assumingMemoryBound(to: K.self).pointee(u: u, t: t)
  }

  /// The multiplier of a repeat block, a table or a step phase at
  /// milestones (item `i`) at position `x` inside it.
  ///
  /// - Complexity: O(template phases) for a block, O(log n) for tables of
  ///   points and milestones, O(1) otherwise.
  func generalMultiplier(item i: Int, at x: Double) -> Double {
    let u = x - startBuffer[i]
    if blockFlags[i] == 0 {
      let phase = phaseBuffer.baseAddress.unsafelyUnwrapped + i
      return phase.pointee.value(at: u + phase.pointee.offset, length: phase.pointee.length, globalStep: x,
                                 map: .identity)
    }
    guard case .block(let block) = itemBuffer[i] else { return .nan }
    return block.value(at: u, globalStep: x)
  }

  /// The multiplier `m(t)` at step `t >= 0` (a value is `peak * m(t)`).
  ///
  /// Compiled once here (not inlined into callers): the item look-up and
  /// one switch on the item's kernel type, then a tail call of the kernel
  /// (`run`).
  ///
  /// - Complexity: O(number of phases); independent of `t`.
  public func multiplier(at t: Int64) -> Double {
    let x = Double(t)
    if !(x < end) { return afterMultiplier }
    return multiplier(item: itemIndex(containing: x), at: x)
  }

  /// The value `peak * m(t)` at step `t >= 0`, in float64.
  ///
  /// - Complexity: O(number of phases); independent of `t`.
  @inlinable
  public func value(at t: Int64) -> Double {
    peak * multiplier(at: t)
  }
}

/// Runs the kernel stored in an item's slot, given its type, on one lane.
struct RunInSlot: KernelTypeVisitor {
  let kernel: UnsafeRawPointer
  let u: Double
  let t: Double

  @inline(__always)
  func visit<K: PhaseKernel>(_ type: K.Type) -> Double { Schedule.run(kernel, type, u: u, t: t) }
}
