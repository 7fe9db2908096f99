//===--- ScratchMemory.swift ----------------------------------------------===//
// One uninitialised scratch region per call, backed by transparent huge
// pages when it is large, and kept (lazily freeable) for the next call.
//===----------------------------------------------------------------------===//
import Glibc
import Synchronization

/// Scratch regions at least this large (bytes) are mapped on their own,
/// 2 MiB-aligned and advised for transparent huge pages.
let hugeScratchMinimum = 2 << 20

/// Mapped regions at most this large (bytes) are kept for the next call:
/// refinement of up to ~3 x 10^6 norms at any smoothing.
let keptScratchMaximum = 128 << 20

/// Runs `body` with `bytes` bytes of uninitialised scratch memory, aligned
/// to 64 bytes (a cache line), released or kept when `body` returns.
///
/// Regions of `hugeScratchMinimum` bytes or more are anonymous mappings
/// aligned to 2 MiB and advised `MADV_HUGEPAGE`: where the kernel grants
/// huge pages (`/sys/kernel/mm/transparent_hugepage/enabled` set to
/// `madvise` or `always`), a 10^6-element radix scatter's output streams
/// stay within a few TLB entries and a fresh region faults once per 2 MiB
/// instead of once per 4 KiB. One such region (up to `keptScratchMaximum`
/// bytes) is kept between calls, advised `MADV_FREE`: the kernel may take
/// its pages back under memory pressure, and until it does the next call
/// reuses them without faulting and zeroing them again (measured: the
/// zeroing of a fresh 22 MB region was 15% of pace_refine of 10^6 norms).
/// When the mapping fails, or for small regions, the memory comes from the
/// allocator. What `body` computes does not depend on where the memory
/// comes from.
///
/// - Complexity: O(1) besides the page faults of the memory `body` touches.
func withScratchMemory<Result>(bytes: Int, _ body: (UnsafeMutableRawPointer) -> Result) -> Result {
  let size = Swift.max(bytes, 64)
  if size >= hugeScratchMinimum, let region = ScratchRegion.take(size) ?? ScratchRegion.map(size) {
    defer { region.keepOrUnmap() }
    return body(region.start)
  }
  let memory = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
  defer { memory.deallocate() }
  return body(memory)
}

/// An anonymous private mapping whose 2 MiB-aligned part of `capacity`
/// bytes (whole huge pages) is advised `MADV_HUGEPAGE`. Addresses are kept
/// as integers: the region moves between threads only through `kept`.
private struct ScratchRegion: Sendable {
  private let mapping: UInt
  private let length: Int
  private let aligned: UInt
  /// Usable bytes from `start`.
  let capacity: Int

  /// The 2 MiB-aligned start.
  var start: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: aligned)! }

  /// The region kept by the last call (at most one).
  private static let kept = Mutex<ScratchRegion?>(nil)

  private static let huge = 2 << 20

  /// The kept region when it holds `size` bytes (taken: no other call can
  /// use it meanwhile), else nil.
  static func take(_ size: Int) -> ScratchRegion? {
    kept.withLock { region in
      guard let r = region, r.capacity >= size else { return nil }
      region = nil
      return r
    }
  }

  /// A new region of at least `size` bytes, or nil when `mmap` fails.
  static func map(_ size: Int) -> ScratchRegion? {
    guard size <= Int.max / 2 else { return nil }
    let capacity = (size + huge - 1) / huge * huge  // whole huge pages
    let length = capacity + huge  // room to align the start up to 2 MiB
    guard let mapping = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
      mapping != MAP_FAILED
    else { return nil }
    let address = UInt(bitPattern: mapping)
    let misalignment = address % UInt(huge)
    let aligned = address + (misalignment == 0 ? 0 : UInt(huge) - misalignment)  // aligned + capacity <= end
    _ = madvise(UnsafeMutableRawPointer(bitPattern: aligned), capacity, MADV_HUGEPAGE)  // advice only
    return ScratchRegion(mapping: address, length: length, aligned: aligned, capacity: capacity)
  }

  /// Keeps this region for the next call (lazily freeable) when it is small
  /// enough and at least as large as the one kept; unmaps the other.
  func keepOrUnmap() {
    guard capacity <= Self.keptScratchMaximum else { return unmap() }
    _ = madvise(start, capacity, MADV_FREE)
    let other: ScratchRegion? = Self.kept.withLock { region in
      if let r = region, r.capacity > capacity { return self }
      let previous = region
      region = self
      return previous
    }
    other?.unmap()
  }

  private static var keptScratchMaximum: Int { Pace.keptScratchMaximum }

  private func unmap() { munmap(UnsafeMutableRawPointer(bitPattern: mapping), length) }
}
