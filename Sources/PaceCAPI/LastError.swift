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

/// Longest message kept, in bytes: quoted input is already cut to 200
/// characters (`quotedExcerpt`); this bounds what is left (a spec error
/// naming a JSON path of huge keys, a list of names).
let lastErrorLimit = 2000

/// Stores `message` as the calling thread's last error, cut to
/// `lastErrorLimit` bytes (at a character boundary, with "...").
func setLastError(_ message: String) {
  var bytes = Array(message.utf8)
  if bytes.count > lastErrorLimit {
    var end = lastErrorLimit
    while end > 0 && bytes[end] & 0xC0 == 0x80 { end -= 1 }  // not inside a UTF-8 sequence
    bytes = Array(bytes[0..<end]) + Array("... (\(bytes.count) bytes in all)".utf8)
  }
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
