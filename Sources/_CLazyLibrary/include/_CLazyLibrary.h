//===--- _CLazyLibrary.h ---------------------------------------------------===//
// Shared libraries Pace loads on first use instead of linking them, so that
// loading libpace.so starts no thread and maps no BLAS: LAPACKE (law fits,
// IRT fits, AutoLRS) and libnuma (the batch engine's topology). Each module
// resolves its functions with dlsym from the handle opened here.
// Implementation detail of PaceLaws, PaceData, PaceTune and PaceEngine.
//===----------------------------------------------------------------------===//
//
// This header includes nothing that needs _GNU_SOURCE (PaceEngine imports it
// next to Glibc: see LibNUMA.swift).

#ifndef PACE_CLAZYLIBRARY_H
#define PACE_CLAZYLIBRARY_H

#include <stddef.h>

/// The libraries loaded on first use, by soname: the one place that names
/// them (scripts/build-wheel reads these lines to bundle them in a wheel).
#define PACE_LAPACKE_SONAME "liblapacke.so.3"
#define PACE_NUMA_SONAME "libnuma.so.1"

/// Opens the shared library `name` (a soname such as "liblapacke.so.3", or a
/// path when it contains a '/') with RTLD_NOW | RTLD_LOCAL: its symbols are
/// reached only through dlsym on the returned handle, never by the process's
/// other libraries.
///
/// A soname is looked for first in the `_libs` folder next to the file
/// holding this code (libpace.so; a wheel bundles the libraries there under
/// their sonames, with a `LOAD` file listing, per library, the bundled
/// libraries to open before it, in order), then by the dynamic linker's
/// usual search (LD_LIBRARY_PATH, the ldconfig cache, the default folders).
///
/// Returns the handle, kept open for the life of the process, or NULL with a
/// NUL-terminated reason naming the library in `message` (at most
/// `capacity` bytes; untouched on success). Never aborts. Thread-safe
/// (dlopen is); callers open each library once (pthread_once, Swift's lazy
/// statics). Cost: one dlopen, plus reading a file of at most 64 KiB when
/// the `_libs` folder exists.
__attribute__((visibility("hidden")))
void *lazy_library_open(const char *name, char *message, size_t capacity);

#endif
