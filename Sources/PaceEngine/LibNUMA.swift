//===--- LibNUMA.swift ----------------------------------------------------===//
// libnuma and the GNU affinity calls, bound at run time (dlopen / dlsym).
//
// Why not `import _CNUMA`: its shim defines _GNU_SOURCE, so its clang module
// and SwiftGlibc carry two different definitions of `fd_set` and no module
// that imports both (directly or through PaceEngine) builds from clean. The
// engine needs Glibc (pthreads), so it binds the handful of C functions it
// uses itself, with their C signatures (numa(3), sched_setaffinity(2)).
// libnuma is opened on first use by _CLazyLibrary (a wheel's bundled copy
// first, then the system's), never linked: loading libpace.so maps no
// libnuma. A machine without libnuma.so.1 gets the one-node fallback.
//===----------------------------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#endif
import _CLazyLibrary

/// The libnuma functions the engine calls (numa(3)); `struct bitmask *` is
/// an opaque pointer.
struct LibNUMA: @unchecked Sendable {
  let maxNode: @convention(c) () -> Int32
  let numConfiguredCPUs: @convention(c) () -> Int32
  let nodeSize64: @convention(c) (Int32, UnsafeMutablePointer<Int64>?) -> Int64
  let allocateCPUMask: @convention(c) () -> OpaquePointer?
  let bitmaskFree: @convention(c) (OpaquePointer?) -> Void
  let nodeToCPUs: @convention(c) (Int32, OpaquePointer?) -> Int32
  let bitmaskIsBitSet: @convention(c) (OpaquePointer?, UInt32) -> Int32
  let nodeOfCPU: @convention(c) (Int32) -> Int32
  let allocOnNode: @convention(c) (Int, Int32) -> UnsafeMutableRawPointer?
  let free: @convention(c) (UnsafeMutableRawPointer?, Int) -> Void

  /// libnuma when it is installed and `numa_available()` says the kernel
  /// supports NUMA (numa(3): called before anything else); nil otherwise.
  /// Loaded on first use: with `PACE_NUMA=off` it is never loaded.
  static let available: LibNUMA? = load()

  private static func load() -> LibNUMA? {
    var reason = [CChar](repeating: 0, count: 256)
    guard let handle = lazy_library_open(PACE_NUMA_SONAME, &reason, reason.count) else { return nil }
    func symbol<F>(_ name: String, _: F.Type) -> F? {
      guard let p = dlsym(handle, name) else { return nil }
      return unsafeBitCast(p, to: F.self)
    }
    guard let available = symbol("numa_available", (@convention(c) () -> Int32).self), available() >= 0,
      let maxNode = symbol("numa_max_node", (@convention(c) () -> Int32).self),
      let numConfiguredCPUs = symbol("numa_num_configured_cpus", (@convention(c) () -> Int32).self),
      let nodeSize64 = symbol("numa_node_size64", (@convention(c) (Int32, UnsafeMutablePointer<Int64>?) -> Int64).self),
      let allocateCPUMask = symbol("numa_allocate_cpumask", (@convention(c) () -> OpaquePointer?).self),
      let bitmaskFree = symbol("numa_bitmask_free", (@convention(c) (OpaquePointer?) -> Void).self),
      let nodeToCPUs = symbol("numa_node_to_cpus", (@convention(c) (Int32, OpaquePointer?) -> Int32).self),
      let bitmaskIsBitSet = symbol("numa_bitmask_isbitset", (@convention(c) (OpaquePointer?, UInt32) -> Int32).self),
      let nodeOfCPU = symbol("numa_node_of_cpu", (@convention(c) (Int32) -> Int32).self),
      let allocOnNode = symbol("numa_alloc_onnode", (@convention(c) (Int, Int32) -> UnsafeMutableRawPointer?).self),
      let free = symbol("numa_free", (@convention(c) (UnsafeMutableRawPointer?, Int) -> Void).self)
    else {
      dlclose(handle)
      return nil
    }
    return LibNUMA(maxNode: maxNode, numConfiguredCPUs: numConfiguredCPUs, nodeSize64: nodeSize64,
                   allocateCPUMask: allocateCPUMask, bitmaskFree: bitmaskFree, nodeToCPUs: nodeToCPUs,
                   bitmaskIsBitSet: bitmaskIsBitSet, nodeOfCPU: nodeOfCPU, allocOnNode: allocOnNode, free: free)
  }
}

/// `sched_getaffinity` / `sched_setaffinity` of the C library (GNU
/// extensions, not in the Glibc module); thread id 0 is the calling thread.
struct Affinity: @unchecked Sendable {
  let get: @convention(c) (Int32, Int, UnsafeMutableRawPointer?) -> Int32
  let set: @convention(c) (Int32, Int, UnsafeRawPointer?) -> Int32

  /// Bytes of a `cpu_set_t` (1024 CPUs).
  static let maskBytes = 128

  static let shared: Affinity? = {
    guard let me = dlopen(nil, RTLD_NOW),
      let g = dlsym(me, "sched_getaffinity"), let s = dlsym(me, "sched_setaffinity")
    else { return nil }
    return Affinity(get: unsafeBitCast(g, to: (@convention(c) (Int32, Int, UnsafeMutableRawPointer?) -> Int32).self),
                    set: unsafeBitCast(s, to: (@convention(c) (Int32, Int, UnsafeRawPointer?) -> Int32).self))
  }()
}
