/*
 * fuzz_common.h - shared helpers of the fuzz targets (abi-tests/fuzz/README.md).
 *
 * Each target defines LLVMFuzzerTestOneInput: it feeds the bytes to one
 * entry point of libpace, and when the library accepts them checks the
 * promises that must then hold (the canonical text parses back, what the
 * library saved loads, save -> load -> save is byte-identical). A crash, a
 * sanitizer report or a failed promise (abort) is a finding.
 */
#ifndef PACE_FUZZ_COMMON_H
#define PACE_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pace.h>

/* A failed promise: print it and abort (libFuzzer saves the input). */
#define PROMISE(cond, ...)                                      \
  do {                                                          \
    if (!(cond)) {                                              \
      fprintf(stderr, "fuzz promise broken (%s:%d): ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                             \
      fprintf(stderr, " [last error: %s]\n", pace_last_error()); \
      abort();                                                  \
    }                                                           \
  } while (0)

/* The input as a NUL-terminated string (the caller frees it). */
static inline char *fuzz_text(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) abort();
  memcpy(s, data, size);
  s[size] = 0;
  return s;
}

/* Bytes written by a (buf, cap, *needed) save function; NULL when it fails. */
typedef pace_status (*fuzz_save_fn)(const void *handle, void *buf, size_t cap, size_t *needed);
static inline unsigned char *fuzz_saved(fuzz_save_fn save, const void *handle, size_t *size) {
  size_t need = 0;
  pace_status st = save(handle, NULL, 0, &need);
  PROMISE(st == PACE_E_BUFFER_TOO_SMALL && need > 0, "size query: status %d, needed %zu", st, need);
  unsigned char *buf = malloc(need);
  if (!buf) abort();
  st = save(handle, buf, need, size);
  PROMISE(st == PACE_OK && *size == need, "save: status %d", st);
  return buf;
}

#endif
