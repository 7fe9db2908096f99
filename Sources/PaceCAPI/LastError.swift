//===--- LastError.swift --------------------------------------------------===//
// pace_last_error: a per-thread message buffer.
//===----------------------------------------------------------------------===//
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The pthread key of the calling thread's message (a malloc'ed C string,
/// freed on replacement and at thread exit).
private let lastErrorKey: pthread_key_t = {
  var key = pthread_key_t()
  pthread_key_create(&key) { free($0) }
  return key
}()

/// Stores `message` as the calling thread's last error.
func setLastError(_ message: String) {
  let bytes = Array(message.utf8)
  guard let copy = malloc(bytes.count + 1) else { return }
  let text = copy.assumingMemoryBound(to: UInt8.self)
  bytes.withUnsafeBufferPointer { source in
    if let base = source.baseAddress { text.update(from: base, count: bytes.count) }
  }
  text[bytes.count] = 0
  let previous = pthread_getspecific(lastErrorKey)
  pthread_setspecific(lastErrorKey, copy)
  free(previous)
}

/// The calling thread's last error ("" when none).
func lastError() -> UnsafePointer<CChar> {
  if let message = pthread_getspecific(lastErrorKey) {
    return UnsafePointer(message.assumingMemoryBound(to: CChar.self))
  }
  return staticCString("")
}

/// A pointer to a static, NUL-terminated string.
func staticCString(_ s: StaticString) -> UnsafePointer<CChar> {
  UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
}
