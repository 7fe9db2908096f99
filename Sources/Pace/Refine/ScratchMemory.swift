//===--- ScratchMemory.swift ----------------------------------------------===//
// One uninitialised scratch region per call, backed by transparent huge
// pages when it is large.
//===----------------------------------------------------------------------===//
import Glibc

/// Scratch regions at least this large (bytes) are mapped on their own,
/// 2 MiB-aligned and advised for transparent huge pages.
let hugeScratchMinimum = 2 << 20

/// Runs `body` with `bytes` bytes of uninitialised scratch memory, aligned
/// to 64 bytes (a cache line), released when `body` returns.
///
/// Regions of `hugeScratchMinimum` bytes or more are anonymous mappings
/// aligned to 2 MiB and advised `MADV_HUGEPAGE`: where the kernel grants
/// huge pages (`/sys/kernel/mm/transparent_hugepage/enabled` set to
/// `madvise` or `always`), a 10^6-element radix scatter's output streams
/// stay within a few TLB entries and a fresh region faults once per 2 MiB
/// instead of once per 4 KiB. When the mapping fails, or for small regions,
/// the memory comes from the allocator. The contents are the same either
/// way: only where the pages come from differs.
///
/// - Complexity: O(1) besides the page faults of the memory `body` touches.
func withScratchMemory<Result>(bytes: Int, _ body: (UnsafeMutableRawPointer) -> Result) -> Result {
  let size = Swift.max(bytes, 64)
  if size >= hugeScratchMinimum, let (mapping, length, aligned) = hugePageMapping(size) {
    defer { munmap(mapping, length) }
    return body(aligned)
  }
  let memory = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
  defer { memory.deallocate() }
  return body(memory)
}

/// An anonymous private mapping of at least `size` bytes whose 2 MiB-aligned
/// part, advised `MADV_HUGEPAGE`, holds `size` bytes: (the mapping, its
/// length, the aligned start), or nil when `mmap` fails.
private func hugePageMapping(_ size: Int) -> (UnsafeMutableRawPointer, Int, UnsafeMutableRawPointer)? {
  let huge = 2 << 20
  let advised = (size + huge - 1) / huge * huge  // whole huge pages
  let length = advised + huge  // room to align the start up to 2 MiB
  guard let mapping = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
    mapping != MAP_FAILED
  else { return nil }
  let misalignment = Int(UInt(bitPattern: mapping) % UInt(huge))
  let aligned = mapping + (misalignment == 0 ? 0 : huge - misalignment)  // aligned + advised <= mapping + length
  _ = madvise(aligned, advised, MADV_HUGEPAGE)  // advice only: ignored where unsupported
  return (mapping, length, aligned)
}
