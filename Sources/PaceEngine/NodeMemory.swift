//===--- NodeMemory.swift -------------------------------------------------===//
// Scratch memory placed on a NUMA node (numa_alloc_onnode), or ordinary
// page-aligned memory where there is no node to ask for.
//===----------------------------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#endif

/// A block of memory owned by one worker, released with ``release()``.
struct NodeMemory {
  let base: UnsafeMutableRawPointer
  let bytes: Int
  /// True when libnuma allocated it (released with numa_free).
  let fromLibnuma: Bool

  /// `bytes` bytes on libnuma node `node` (page-aligned; the kernel places
  /// the pages on that node), or, when `node` is nil or libnuma fails,
  /// page-aligned ordinary memory (placed where it is first touched: the
  /// calling worker touches it at once). Nil when there is no memory.
  static func allocate(bytes: Int, node: Int?) -> NodeMemory? {
    let size = Swift.max(bytes, 1)
    if let node, let numa = LibNUMA.available, let p = numa.allocOnNode(size, Int32(node)) {
      p.initializeMemory(as: UInt8.self, repeating: 0, count: size)
      return NodeMemory(base: p, bytes: size, fromLibnuma: true)
    }
    var p: UnsafeMutableRawPointer?
    guard posix_memalign(&p, 4096, size) == 0, let p else { return nil }
    p.initializeMemory(as: UInt8.self, repeating: 0, count: size)
    return NodeMemory(base: p, bytes: size, fromLibnuma: false)
  }

  func release() {
    if fromLibnuma, let numa = LibNUMA.available { numa.free(base, bytes) } else { free(base) }
  }
}
