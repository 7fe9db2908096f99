//===--- LAPACKE+Availability.swift ---------------------------------------===//
// The laws' check that LAPACKE, loaded on first use (_CLAPACKE), is there.
//===----------------------------------------------------------------------===//
import _CLAPACKE

/// LAPACKE as the fits see it: opened on the first use (dlopen of
/// liblapacke.so.3, or of the library PACE_LAPACKE names), once per process.
enum LAPACKE {
  /// Returns when LAPACKE is loaded (loading it on the first call); else
  /// throws `.unsupported` naming `function`, the library, why it could not
  /// be loaded and how to install it. Without this check a missing LAPACKE
  /// would show as solves that never succeed: a fit that "does not converge".
  ///
  /// - Complexity: O(1) after the first call (one atomic load).
  static func require(_ function: String) throws(LawError) {
    guard let reason = lapacke_load_error() else { return }
    throw .unsupported("\(function) needs LAPACKE, which could not be loaded: \(String(cString: reason)); \(PACE_LAPACKE_HINT)")
  }
}
