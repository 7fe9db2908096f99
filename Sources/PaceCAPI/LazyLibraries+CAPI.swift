//===--- LazyLibraries+CAPI.swift -----------------------------------------===//
// The C API's check of the libraries loaded on first use (_CLazyLibrary).
//===----------------------------------------------------------------------===//
import CPace
import _CLAPACKE

/// Nil when LAPACKE is loaded (loading it on the first call: dlopen of
/// liblapacke.so.3, or of PACE_LAPACKE); otherwise PACE_E_UNSUPPORTED with a
/// message naming `function` and the library that could not be loaded.
/// Functions that factor or solve with LAPACKE call it before any work, so
/// a missing library is one clear error rather than a failed factorisation.
///
/// - Complexity: O(1) after the first call (one atomic load).
func unavailableLAPACKE(_ function: String) -> pace_status? {
  guard let reason = lapacke_load_error() else { return nil }
  return fail(PACE_E_UNSUPPORTED,
              "\(function) needs LAPACKE, which could not be loaded: \(String(cString: reason)); \(PACE_LAPACKE_HINT)")
}
