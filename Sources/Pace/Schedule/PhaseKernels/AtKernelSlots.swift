//===--- AtKernelSlots.swift ----------------------------------------------===//
// The kernel value(at:) runs for each item, resolved when a schedule is built.
//===----------------------------------------------------------------------===//

/// The items' kernels for `value(at:)`, one fixed-size slot per item in the
/// schedule's ``Arena``: the ``AtKernel`` tag, the phase's `offset`, and
/// the kernel itself, built once (endpoint values mapped, `1 / length` and
/// constant logarithms taken). It is the very kernel a fill builds for the
/// item (same type, same parameter values), run on one lane in place (no
/// copy), so `value(at:)` and the fills agree bit for bit.
struct AtKernelSlots {
  /// Bytes per slot: the tag at 0, the phase's offset at 8, the kernel
  /// from 16 (up to 112 bytes).
  static var stride: Int { 128 }
  static var offsetOffset: Int { 8 }
  static var kernelOffset: Int { 16 }

  let base: UnsafeRawPointer

  /// The slots of `items`, in `arena`.
  ///
  /// - Complexity: O(items) (a kernel build and a dictionary look-up each).
  init(_ items: [ScheduleItem], arena: Arena) {
    let memory = arena.allocate(byteCount: Swift.max(1, items.count) * Self.stride, alignment: 16)
    for (i, item) in items.enumerated() {
      let slot = memory + i * Self.stride
      var kind = AtKernel.general
      if case .phase(let phase) = item {
        kind = phase.withKernel(length: phase.length, map: .identity, SlotWriter(slot: slot))
        slot.storeBytes(of: phase.offset, toByteOffset: Self.offsetOffset, as: Double.self)
      }
      slot.storeBytes(of: kind, as: AtKernel.self)
    }
    base = UnsafeRawPointer(memory)
  }

  /// Item `i`'s slot.
  @inline(__always)
  subscript(i: Int) -> UnsafeRawPointer { base + i &* Self.stride }

  /// Item `i`'s kernel type.
  func kind(item i: Int) -> AtKernel { self[i].load(as: AtKernel.self) }
}

/// Writes a phase's kernel into its slot and returns its tag (`general`,
/// nothing written, for the shapes without a lane kernel and for a kernel
/// type without a case or too large for a slot).
private struct SlotWriter: PhaseKernelVisitor {
  let slot: UnsafeMutableRawPointer

  func visit<K: PhaseKernel>(_ kernel: K) -> AtKernel {
    let kind = AtKernel.of(K.self)
    guard kind != .general, MemoryLayout<K>.size <= AtKernelSlots.stride - AtKernelSlots.kernelOffset,
          MemoryLayout<K>.alignment <= 16 else { return .general }
    (slot + AtKernelSlots.kernelOffset).initializeMemory(as: K.self, to: kernel)
    return kind
  }

  func visitScalar() -> AtKernel { .general }
}
