//===--- LazyLAPACKE.c -----------------------------------------------------===//
// The LAPACKE functions of _CLAPACKE.h through pointers resolved on first use.
//===----------------------------------------------------------------------===//
#include "_CLAPACKE.h"

#include <_CLazyLibrary.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

// The real declarations, when the headers are installed: each line of
// PACE_LAPACKE_FUNCTIONS must then be a compatible redeclaration.
#if __has_include(<lapacke.h>)
#include <lapacke.h>
#endif

/// The resolved functions (all or none).
static struct {
#define PACE_LAPACKE_POINTER(name, parameters, arguments) pace_lapack_int(*name) parameters;
  PACE_LAPACKE_FUNCTIONS(PACE_LAPACKE_POINTER)
#undef PACE_LAPACKE_POINTER
} lapacke;

/// NULL once loaded; the reason otherwise. Written only inside `load`.
static const char *load_error = "LAPACKE was not loaded";
static char load_error_text[768];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/// Opens LAPACKE (PACE_LAPACKE or liblapacke.so.3) and resolves the list.
static void load(void) {
  const char *chosen = getenv("PACE_LAPACKE");
  const char *name = chosen != NULL && *chosen != '\0' ? chosen : PACE_LAPACKE_SONAME;
  char reason[640];
  void *handle = lazy_library_open(name, reason, sizeof reason);
  if (handle == NULL) {
    snprintf(load_error_text, sizeof load_error_text, "%s", reason);
    load_error = load_error_text;
    return;
  }
#define PACE_LAPACKE_RESOLVE(name_, parameters, arguments)                                                   \
  *(void **)&lapacke.name_ = dlsym(handle, #name_);                                                          \
  if (lapacke.name_ == NULL) {                                                                               \
    snprintf(load_error_text, sizeof load_error_text, "%s has no function %s", name, #name_);                \
    load_error = load_error_text;                                                                            \
    return;                                                                                                  \
  }
  PACE_LAPACKE_FUNCTIONS(PACE_LAPACKE_RESOLVE)
#undef PACE_LAPACKE_RESOLVE
  load_error = NULL;
}

const char *lapacke_load_error(void) {
  pthread_once(&load_once, load);
  return load_error;
}

#define PACE_LAPACKE_DEFINE(name, parameters, arguments)                                                     \
  pace_lapack_int name parameters {                                                                           \
    if (lapacke_load_error() != NULL) return PACE_LAPACKE_UNAVAILABLE;                                       \
    return lapacke.name arguments;                                                                            \
  }
PACE_LAPACKE_FUNCTIONS(PACE_LAPACKE_DEFINE)
#undef PACE_LAPACKE_DEFINE
