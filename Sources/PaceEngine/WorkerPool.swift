//===--- WorkerPool.swift -------------------------------------------------===//
// Worker threads in groups, one group per NUMA node: each pinned to its
// node's CPUs, each with scratch memory on its node; jobs run on every
// worker at once while the caller waits.
//===----------------------------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Pools whose engines were freed in a forked child (see `WorkerPool.stop`).
let abandonedPools = Mutex<[WorkerPool]>([])

/// One worker thread's fixed facts and its scratch.
final class WorkerSlot: @unchecked Sendable {
  /// Index among all workers.
  let index: Int
  /// The node group the worker belongs to (index into the pool's groups).
  let group: Int
  /// Index among its group's workers.
  let rank: Int
  let cpus: CPUSet?
  let memoryNode: Int?
  /// Set by the worker itself before the pool reports ready.
  var scratch: NodeMemory?
  var pinned = false

  init(index: Int, group: Int, rank: Int, cpus: CPUSet?, memoryNode: Int?) {
    self.index = index
    self.group = group
    self.rank = rank
    self.cpus = cpus
    self.memoryNode = memoryNode
  }

  /// The scratch as doubles (only valid in a job).
  var scratchDoubles: UnsafeMutablePointer<Double> {
    scratch!.base.assumingMemoryBound(to: Double.self)
  }
}

/// What a pool's group of workers is: its CPUs (nil: no pinning), the
/// libnuma node of its memory (nil: ordinary memory), its thread count.
struct WorkerGroup: Equatable {
  var cpus: CPUSet?
  var memoryNode: Int?
  var threads: Int
}

/// A mutex and two condition variables at fixed addresses.
private final class PoolSync {
  let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  let done = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  /// Held by `run` for a whole job: calls on one pool are serialised.
  let call = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

  init() {
    pthread_mutex_init(mutex, nil)
    pthread_mutex_init(call, nil)
    pthread_cond_init(wake, nil)
    pthread_cond_init(done, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    pthread_mutex_destroy(call)
    pthread_cond_destroy(wake)
    pthread_cond_destroy(done)
    mutex.deallocate()
    call.deallocate()
    wake.deallocate()
    done.deallocate()
  }
}

/// The argument of a worker thread's entry point. It does not keep the pool
/// alive: the pool's owner joins the threads (`stop`) before releasing it.
private final class WorkerStart {
  unowned(unsafe) let pool: WorkerPool
  let slot: WorkerSlot
  init(pool: WorkerPool, slot: WorkerSlot) {
    self.pool = pool
    self.slot = slot
  }
}

/// Persistent worker threads. `run` hands one job to every worker and
/// returns when all have finished it. `stop` joins the threads: the owner
/// calls it before releasing the pool.
final class WorkerPool: @unchecked Sendable {
  let slots: [WorkerSlot]
  let groups: [WorkerGroup]
  /// Scratch bytes per worker.
  let scratchBytes: Int
  /// The process that started the workers: after a fork the child has none
  /// of them (and its copies of the locks may be held forever).
  let ownerProcess = getpid()
  private let sync = PoolSync()
  // Guarded by sync.mutex:
  private var generation: UInt64 = 0
  private var remaining = 0
  private var started = 0
  private var shutdown = false
  private var job: ((WorkerSlot) -> Void)?
  private var threads: [pthread_t] = []
  /// The workers' start arguments (also kept here, so that a pool abandoned
  /// in a forked child still reaches them).
  private var starts: [WorkerStart] = []
  private var stopped = false

  /// Starts the workers and waits until each has pinned itself (where it
  /// can) and allocated `scratchBytes` bytes of scratch on its node.
  init(groups: [WorkerGroup], scratchBytes: Int) throws(EngineError) {
    self.groups = groups
    self.scratchBytes = scratchBytes
    var slots: [WorkerSlot] = []
    for (g, group) in groups.enumerated() {
      for r in 0..<group.threads {
        slots.append(WorkerSlot(index: slots.count, group: g, rank: r, cpus: group.cpus, memoryNode: group.memoryNode))
      }
    }
    self.slots = slots
    var failure: EngineError?
    for slot in slots {
      let box = WorkerStart(pool: self, slot: slot)
      starts.append(box)
      let start = Unmanaged.passRetained(box)
      var attributes = pthread_attr_t()
      pthread_attr_init(&attributes)
      pthread_attr_setstacksize(&attributes, 1 << 20)
      var thread = pthread_t()
      let rc = pthread_create(&thread, &attributes, { raw in
        let start = Unmanaged<WorkerStart>.fromOpaque(raw!).takeRetainedValue()
        start.pool.workerMain(start.slot)
        return nil
      }, start.toOpaque())
      pthread_attr_destroy(&attributes)
      if rc != 0 {
        start.release()
        failure = .noMemory("could not start worker thread \(slot.index + 1) of \(slots.count) (pthread_create: error \(rc))")
        break
      }
      threads.append(thread)
    }
    // Wait for every started worker to be set up.
    pthread_mutex_lock(sync.mutex)
    while started < threads.count { pthread_cond_wait(sync.done, sync.mutex) }
    pthread_mutex_unlock(sync.mutex)
    if failure == nil, slots.contains(where: { $0.scratch == nil }) {
      failure = .noMemory("could not allocate \(scratchBytes) bytes of scratch per worker")
    }
    if let failure {
      stop()
      throw failure
    }
  }

  /// Pins the worker, allocates its scratch, then serves jobs until stopped.
  private func workerMain(_ slot: WorkerSlot) {
    if let cpus = slot.cpus { slot.pinned = cpus.pinCallingThread() }
    slot.scratch = NodeMemory.allocate(bytes: scratchBytes, node: slot.memoryNode)
    pthread_mutex_lock(sync.mutex)
    started += 1
    pthread_cond_broadcast(sync.done)
    var seen: UInt64 = 0
    while true {
      while generation == seen && !shutdown { pthread_cond_wait(sync.wake, sync.mutex) }
      if shutdown { break }
      seen = generation
      let work = job
      pthread_mutex_unlock(sync.mutex)
      if let work { work(slot) }
      pthread_mutex_lock(sync.mutex)
      remaining -= 1
      if remaining == 0 { pthread_cond_broadcast(sync.done) }
    }
    pthread_mutex_unlock(sync.mutex)
    slot.scratch?.release()
    slot.scratch = nil
  }

  /// True in the process that started the workers (false in a forked child).
  var isUsable: Bool { getpid() == ownerProcess }

  /// Runs `job` once on every worker (concurrently) and returns when all
  /// have returned; false, running nothing, in a forked child. Calls from
  /// several threads are serialised.
  @discardableResult
  func run(_ job: @escaping (WorkerSlot) -> Void) -> Bool {
    guard isUsable else { return false }
    pthread_mutex_lock(sync.call)
    pthread_mutex_lock(sync.mutex)
    self.job = job
    remaining = threads.count
    generation &+= 1
    pthread_cond_broadcast(sync.wake)
    while remaining > 0 { pthread_cond_wait(sync.done, sync.mutex) }
    self.job = nil
    pthread_mutex_unlock(sync.mutex)
    pthread_mutex_unlock(sync.call)
    return true
  }

  /// Stops and joins the workers (idempotent); each frees its scratch. In a
  /// forked child there is nothing to stop or join: the pool is kept for
  /// good (its threads' references are in the parent), reachable from
  /// ``abandonedPools`` rather than lost.
  func stop() {
    guard isUsable else {
      abandonedPools.withLock { $0.append(self) }
      return
    }
    pthread_mutex_lock(sync.call)
    pthread_mutex_lock(sync.mutex)
    let joinable = stopped ? [] : threads
    stopped = true
    shutdown = true
    pthread_cond_broadcast(sync.wake)
    pthread_mutex_unlock(sync.mutex)
    for t in joinable { pthread_join(t, nil) }
    pthread_mutex_unlock(sync.call)
  }
}
