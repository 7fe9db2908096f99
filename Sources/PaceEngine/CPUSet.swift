//===--- CPUSet.swift -----------------------------------------------------===//
// A set of CPU numbers as the kernel's cpu_set_t: the process's affinity
// mask, and pinning the calling thread.
//===----------------------------------------------------------------------===//

/// A set of CPUs (0 ..< 1024, the size of `cpu_set_t`).
public struct CPUSet: Sendable, Equatable {
  /// The CPU numbers, ascending.
  public private(set) var cpus: [Int]

  /// CPUs a `cpu_set_t` can name.
  public static let capacity = Affinity.maskBytes * 8

  public init<S: Sequence>(_ cpus: S) where S.Element == Int {
    self.cpus = Array(Set(cpus.filter { $0 >= 0 && $0 < CPUSet.capacity })).sorted()
  }

  public var count: Int { cpus.count }

  /// The CPUs this process may run on (`sched_getaffinity`), or nil when the
  /// kernel does not say.
  public static func processAffinity() -> CPUSet? {
    guard let affinity = Affinity.shared else { return nil }
    var words = [UInt](repeating: 0, count: Affinity.maskBytes / MemoryLayout<UInt>.size)
    let rc = words.withUnsafeMutableBytes { affinity.get(0, $0.count, $0.baseAddress) }
    guard rc == 0 else { return nil }
    let bits = UInt.bitWidth
    var cpus: [Int] = []
    for (w, word) in words.enumerated() where word != 0 {
      for b in 0..<bits where word & (1 << UInt(b)) != 0 { cpus.append(w * bits + b) }
    }
    return CPUSet(cpus)
  }

  /// Restricts the calling thread to these CPUs (`sched_setaffinity` on
  /// thread id 0, which is `pthread_setaffinity_np(pthread_self(), ...)`).
  /// False, leaving the thread as it was, when the set is empty or the
  /// kernel refuses (a CPU that does not exist or is outside the cpuset).
  public func pinCallingThread() -> Bool {
    guard !cpus.isEmpty, let affinity = Affinity.shared else { return false }
    let bits = UInt.bitWidth
    var words = [UInt](repeating: 0, count: Affinity.maskBytes / MemoryLayout<UInt>.size)
    for cpu in cpus { words[cpu / bits] |= 1 << UInt(cpu % bits) }
    return words.withUnsafeBytes { affinity.set(0, $0.count, $0.baseAddress) } == 0
  }
}
