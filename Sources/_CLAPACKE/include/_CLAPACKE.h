//===--- _CLAPACKE.h -------------------------------------------------------===//
// The LAPACKE functions Pace calls, loaded on first use (dlopen of
// liblapacke.so.3, see _CLazyLibrary.h) instead of linked: same names and
// C signatures as lapacke.h, so call sites read as plain LAPACKE calls.
// Implementation detail of PaceLaws, PaceData and PaceTune.
//===----------------------------------------------------------------------===//
//
// The first call of any of them opens LAPACKE (once, thread-safe) and
// resolves every function of the list below; later calls cost one atomic
// load and an indirect call. When LAPACKE cannot be loaded (or lacks one of
// the functions) every call returns PACE_LAPACKE_UNAVAILABLE without
// touching its arguments, and lapacke_load_error() says why: the C API
// checks it first and fails with PACE_E_UNSUPPORTED naming the library.
//
// PACE_LAPACKE (environment, read at the first call) names another LAPACKE
// library to load instead of liblapacke.so.3 (a soname or a path, e.g.
// libmkl_rt.so.2); it must use 32-bit integers (LP64), like the default.
//
// Adding a function: one line in PACE_LAPACKE_FUNCTIONS (its lapacke.h
// signature with pace_lapack_int for lapack_int). LazyLAPACKE.c includes
// lapacke.h when it is installed, so the compiler checks each line against
// the real declaration.

#ifndef PACE_CLAPACKE_H
#define PACE_CLAPACKE_H

#include <stdint.h>

/// LAPACKE's lapack_int of the LP64 interface (a macro in lapacke.h, so a
/// type name for Swift).
typedef int32_t pace_lapack_int;

/// Matrix layouts (lapacke.h's values).
#define LAPACK_ROW_MAJOR 101
#define LAPACK_COL_MAJOR 102

/// What a function returns when LAPACKE could not be loaded: outside
/// LAPACKE's own range (info >= -(arguments), -1010, -1011).
#define PACE_LAPACKE_UNAVAILABLE (-1100)

/// X(name, parameters, arguments) for every LAPACKE function Pace calls.
#define PACE_LAPACKE_FUNCTIONS(X)                                                                              \
  X(LAPACKE_dposv,                                                                                             \
    (int matrix_layout, char uplo, pace_lapack_int n, pace_lapack_int nrhs, double *a, pace_lapack_int lda,   \
     double *b, pace_lapack_int ldb),                                                                          \
    (matrix_layout, uplo, n, nrhs, a, lda, b, ldb))                                                            \
  X(LAPACKE_dpotrf, (int matrix_layout, char uplo, pace_lapack_int n, double *a, pace_lapack_int lda),       \
    (matrix_layout, uplo, n, a, lda))                                                                          \
  X(LAPACKE_dpotrs,                                                                                            \
    (int matrix_layout, char uplo, pace_lapack_int n, pace_lapack_int nrhs, const double *a,                  \
     pace_lapack_int lda, double *b, pace_lapack_int ldb),                                                     \
    (matrix_layout, uplo, n, nrhs, a, lda, b, ldb))                                                            \
  X(LAPACKE_dgels,                                                                                             \
    (int matrix_layout, char trans, pace_lapack_int m, pace_lapack_int n, pace_lapack_int nrhs, double *a,    \
     pace_lapack_int lda, double *b, pace_lapack_int ldb),                                                     \
    (matrix_layout, trans, m, n, nrhs, a, lda, b, ldb))

/// The declarations (hidden: never exported from libpace.so, and never
/// interposing on a LAPACKE that another library of the process links).
#define PACE_LAPACKE_DECLARE(name, parameters, arguments) \
  __attribute__((visibility("hidden"))) pace_lapack_int name parameters;
PACE_LAPACKE_FUNCTIONS(PACE_LAPACKE_DECLARE)
#undef PACE_LAPACKE_DECLARE

/// What to do when LAPACKE cannot be loaded: the end of every message that
/// reports it (the C API's PACE_E_UNSUPPORTED, LawError.unsupported).
#define PACE_LAPACKE_HINT "install it (Debian, Ubuntu: apt-get install liblapacke3) or set PACE_LAPACKE to a LAPACKE library"

/// NULL when LAPACKE is loaded (loading it on the first call); otherwise
/// why it is not, naming the library (a static string). Thread-safe.
__attribute__((visibility("hidden")))
const char *lapacke_load_error(void);

#endif
