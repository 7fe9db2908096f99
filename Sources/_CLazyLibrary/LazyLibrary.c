//===--- LazyLibrary.c -----------------------------------------------------===//
// lazy_library_open: a wheel's bundled copy first, then the system's.
//===----------------------------------------------------------------------===//
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* dladdr */
#endif
#include "_CLazyLibrary.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
  /// Bytes of `_libs/LOAD` read at most (a line per bundled library).
  load_file_limit = 64 * 1024,
};

/// Copies `text` into `message` (truncated, always NUL-terminated).
static void set_message(char *message, size_t capacity, const char *text) {
  if (message == NULL || capacity == 0) return;
  snprintf(message, capacity, "%s", text);
}

/// The `_libs` folder next to the file holding this code, with a trailing
/// '/', in `folder`; 0 when that file has no folder part or the path does
/// not fit.
static int bundled_folder(char *folder, size_t capacity) {
  Dl_info info;
  if (dladdr((void *)&lazy_library_open, &info) == 0 || info.dli_fname == NULL) return 0;
  const char *slash = strrchr(info.dli_fname, '/');
  if (slash == NULL) return 0;
  int length = (int)(slash - info.dli_fname);
  int written = snprintf(folder, capacity, "%.*s/_libs/", length, info.dli_fname);
  return written > 0 && (size_t)written < capacity;
}

/// Opens `folder` + `name` when that file exists; NULL otherwise, with
/// dlerror's reason in `message` when the file exists but does not load.
static void *open_in(const char *folder, const char *name, size_t name_length, char *message, size_t capacity) {
  char path[PATH_MAX];
  int written = snprintf(path, sizeof path, "%s%.*s", folder, (int)name_length, name);
  if (written <= 0 || (size_t)written >= sizeof path || access(path, F_OK) != 0) return NULL;
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    const char *reason = dlerror();
    set_message(message, capacity, reason != NULL ? reason : path);
  }
  return handle;
}

/// Opens the bundled libraries that `LOAD` lists before `name` (its line
/// `name: first second ...`), in order, so that the dynamic linker finds
/// them by soname when it maps `name`'s own dependencies. A missing or
/// malformed file opens nothing (the bundled library then loads with the
/// system's copies of its dependencies, or fails with a reason).
static void open_bundled_dependencies(const char *folder, const char *name) {
  char path[PATH_MAX];
  int written = snprintf(path, sizeof path, "%sLOAD", folder);
  if (written <= 0 || (size_t)written >= sizeof path) return;
  FILE *file = fopen(path, "r");
  if (file == NULL) return;
  char *buffer = malloc(load_file_limit + 1);
  if (buffer == NULL) {
    fclose(file);
    return;
  }
  size_t size = fread(buffer, 1, load_file_limit, file);
  fclose(file);
  buffer[size] = '\0';
  size_t name_length = strlen(name);
  for (char *line = buffer; line != NULL && *line != '\0';) {
    char *end = strchr(line, '\n');
    if (end != NULL) *end = '\0';
    if (strncmp(line, name, name_length) == 0 && line[name_length] == ':') {
      const char *cursor = line + name_length + 1;
      while (*cursor != '\0') {
        cursor += strspn(cursor, " \t\r");
        size_t length = strcspn(cursor, " \t\r");
        if (length == 0) break;
        char ignored[8];
        (void)open_in(folder, cursor, length, ignored, sizeof ignored);
        cursor += length;
      }
      break;
    }
    line = end != NULL ? end + 1 : NULL;
  }
  free(buffer);
}

void *lazy_library_open(const char *name, char *message, size_t capacity) {
  if (name == NULL || *name == '\0') {
    set_message(message, capacity, "no library name");
    return NULL;
  }
  char bundled_reason[256] = "";
  if (strchr(name, '/') == NULL) {
    char folder[PATH_MAX];
    if (bundled_folder(folder, sizeof folder)) {
      char library[PATH_MAX];
      int written = snprintf(library, sizeof library, "%s%s", folder, name);
      if (written > 0 && (size_t)written < sizeof library && access(library, F_OK) == 0) {
        open_bundled_dependencies(folder, name);
        void *handle = open_in(folder, name, strlen(name), bundled_reason, sizeof bundled_reason);
        if (handle != NULL) return handle;
      }
    }
  }
  void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (handle != NULL) return handle;
  const char *reason = dlerror();
  char text[768];
  snprintf(text, sizeof text, "%s%s%s", reason != NULL ? reason : name,
           bundled_reason[0] != '\0' ? "; the bundled copy failed too: " : "", bundled_reason);
  set_message(message, capacity, text);
  return NULL;
}
