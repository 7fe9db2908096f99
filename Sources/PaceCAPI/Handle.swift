//===--- Handle.swift -----------------------------------------------------===//
// Tagged, poisoned-on-free handles (c-api.md rule 9; sqlite's API-misuse
// checks are the model).
//
// A handle is a pointer to a small malloc'ed header that holds a tag of its
// kind and one retain of the Swift object behind it:
//
//   offset  0..15  unused (malloc's free lists overwrite the first 16 bytes
//                  of a freed block, so nothing is kept there)
//   offset 16      tag: `HandleKind.tag` while live, `poisonTag` once freed
//   offset 24      the object (an Unmanaged retain)
//
// Every entry point checks the tag before it touches the object: a handle of
// another kind, or one freed recently, gives PACE_E_ARGUMENT. Freed headers
// stay poisoned in a quarantine of the last `quarantineCapacity` frees before
// their memory goes back to malloc, so a double free or a use after free is
// recognised unless that many handles were freed since.
//
// What cannot be detected: a pointer that was never a handle and points at
// unmapped memory (reading its tag faults), a handle freed so long ago that
// its memory now holds a new handle of the same kind, and two threads using
// one stateful handle at once.
//===----------------------------------------------------------------------===//
import CPace
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The kinds of handle of the C API; the raw value is part of the tag.
enum HandleKind: UInt64 {
  case schedule = 1, runtime, law, engine, sampler, autolrs

  /// The name used in error messages ("a pace_runtime").
  var typeName: String {
    switch self {
    case .schedule: "pace_schedule"
    case .runtime: "pace_runtime"
    case .law: "pace_law"
    case .engine: "pace_engine"
    case .sampler: "pace_sampler"
    case .autolrs: "pace_autolrs"
    }
  }

  /// The live tag: a magic number with the kind in its low byte.
  @usableFromInline var tag: UInt64 { 0x5041_4345_4841_4E00 | rawValue }  // "PACEHAN" + kind

  init?(tag: UInt64) {
    guard tag & ~0xFF == 0x5041_4345_4841_4E00 else { return nil }
    self.init(rawValue: tag & 0xFF)
  }
}

/// The tag a freed header carries while it sits in the quarantine.
private let poisonTag: UInt64 = 0xDEAD_F7EE_DEAD_F7EE

/// The header's layout (32 bytes, 16-byte aligned by malloc).
private enum HeaderLayout {
  static let size = 32
  static let tagOffset = 16
  static let objectOffset = 24
}

/// Recently freed headers, poisoned, not yet returned to malloc.
private let quarantineCapacity = 4096
nonisolated(unsafe) private var quarantine = [UnsafeMutableRawPointer?](repeating: nil, count: quarantineCapacity)
nonisolated(unsafe) private var quarantineNext = 0
nonisolated(unsafe) private var quarantineLock = pthread_mutex_t()
private let quarantineLockReady: Bool = {
  pthread_mutex_init(&quarantineLock, nil)
  return true
}()

/// A new handle holding one retain of `object`; nil when malloc fails.
func makeHandle(_ object: AnyObject, _ kind: HandleKind) -> OpaquePointer? {
  guard let header = malloc(HeaderLayout.size) else { return nil }
  header.storeBytes(of: 0, toByteOffset: 0, as: UInt64.self)
  header.storeBytes(of: 0, toByteOffset: 8, as: UInt64.self)
  header.storeBytes(of: kind.tag, toByteOffset: HeaderLayout.tagOffset, as: UInt64.self)
  let retained = Unmanaged<AnyObject>.passRetained(object).toOpaque()
  header.storeBytes(of: retained, toByteOffset: HeaderLayout.objectOffset, as: UnsafeMutableRawPointer.self)
  return OpaquePointer(header)
}

/// Stores a new handle of `kind` holding `object` in `out`: PACE_OK, or
/// PACE_E_NO_MEMORY with `out` untouched.
func storeHandle(_ object: AnyObject, _ kind: HandleKind, _ out: UnsafeMutablePointer<OpaquePointer?>) -> pace_status {
  guard let handle = makeHandle(object, kind) else { return fail(PACE_E_NO_MEMORY, "no memory for a handle") }
  out.pointee = handle
  return PACE_OK
}

/// Why `handle` is not a live handle of `kind`, or nil when it is.
/// `argument` names the parameter in the message ("rt", "schedule").
@inline(never)
func handleProblem(_ handle: OpaquePointer?, _ kind: HandleKind, _ argument: String) -> String? {
  guard let handle else { return "\(argument) is NULL" }
  let address = UInt(bitPattern: UnsafeRawPointer(handle))
  guard address % 16 == 0, address >= 4096 else {
    return "\(argument) is not a \(kind.typeName) handle (misaligned or small address)"
  }
  let tag = UnsafeRawPointer(handle).load(fromByteOffset: HeaderLayout.tagOffset, as: UInt64.self)
  if tag == kind.tag { return nil }
  if tag == poisonTag { return "\(argument) is a \(kind.typeName) handle that was already freed" }
  if let other = HandleKind(tag: tag) { return "\(argument) is a \(other.typeName) handle, not a \(kind.typeName)" }
  return "\(argument) is not a \(kind.typeName) handle"
}

/// True when `handle` is a live handle of `kind` (the hot-path check: one
/// load and one compare).
@inline(__always)
func isLive(_ handle: OpaquePointer, _ kind: HandleKind) -> Bool {
  let address = UInt(bitPattern: UnsafeRawPointer(handle))
  guard address & 15 == 0, address >= 4096 else { return false }
  return UnsafeRawPointer(handle).load(fromByteOffset: HeaderLayout.tagOffset, as: UInt64.self) == kind.tag
}

/// The object behind a live handle, unretained (the handle's retain keeps it
/// alive for the call). Check `isLive` or `handleProblem` first.
@inline(__always)
func handleObject<T: AnyObject>(_ handle: OpaquePointer, as type: T.Type) -> Unmanaged<T> {
  let raw = UnsafeRawPointer(handle).load(fromByteOffset: HeaderLayout.objectOffset, as: UnsafeMutableRawPointer.self)
  return Unmanaged<T>.fromOpaque(raw)
}

/// Runs `body` on the object behind `handle` when it is a live handle of
/// `kind`; otherwise records the problem and returns PACE_E_ARGUMENT.
@inline(__always)
func withHandle<T: AnyObject>(_ handle: OpaquePointer?, _ kind: HandleKind, _ argument: String, as type: T.Type,
                              _ body: (T) -> pace_status) -> pace_status {
  guard let handle, isLive(handle, kind) else {
    return fail(PACE_E_ARGUMENT, handleProblem(handle, kind, argument) ?? "\(argument) is not a \(kind.typeName)")
  }
  return handleObject(handle, as: type)._withUnsafeGuaranteedRef(body)
}

/// Frees a handle of `kind`: NULL is accepted; a handle of another kind or
/// an already freed one is left alone (the problem is recorded as the
/// thread's last error, since `*_free` returns nothing).
func freeHandle(_ handle: OpaquePointer?, _ kind: HandleKind, _ argument: String) {
  guard let handle else { return }
  if let problem = handleProblem(handle, kind, argument) {
    _ = fail(PACE_E_ARGUMENT, problem)
    return
  }
  let header = UnsafeMutableRawPointer(handle)
  let object = handleObject(handle, as: AnyObject.self)
  header.storeBytes(of: poisonTag, toByteOffset: HeaderLayout.tagOffset, as: UInt64.self)
  header.storeBytes(of: nil, toByteOffset: HeaderLayout.objectOffset, as: UnsafeMutableRawPointer?.self)
  object.release()
  _ = quarantineLockReady
  pthread_mutex_lock(&quarantineLock)
  let evicted = quarantine[quarantineNext]
  quarantine[quarantineNext] = header
  quarantineNext = (quarantineNext + 1) % quarantineCapacity
  pthread_mutex_unlock(&quarantineLock)
  free(evicted)
}
