#!/usr/bin/env bash
# check_symbols.sh - the library exports exactly the functions of the header.
#
# Compares the global text symbols named pace_* that libpace.so exports
# (nm -D --defined-only, type T) with the functions declared in the
# hand-written header (macros, typedefs, enum constants and comments are
# ignored). Prints both lists' differences; exits 1 on any mismatch.
#
#   abi-tests/c/check_symbols.sh [path/to/libpace.so [path/to/pace.h]]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lib="${1:-$root/build/lib/libpace.so}"
header="${2:-$root/include/pace.h}"

for f in "$lib" "$header"; do
  if [[ ! -f "$f" ]]; then
    echo "check_symbols: $f not found (run 'make lib' first)" >&2
    exit 1
  fi
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Functions declared in the header: drop comments, preprocessor lines (with
# their continuations) and the extern "C" braces, split into statements at
# ';', skip typedefs, and take the identifier right before the first '(' of
# each remaining statement (a declaration like `T *pace_x(args)`).
perl -0777 -ne '
  s{/\*.*?\*/}{ }gs;                     # block comments
  s{//[^\n]*}{}g;                        # line comments
  s{^[ \t]*#(?:[^\n]*\\\n)*[^\n]*}{}mg;  # preprocessor lines, continued ones too
  s{extern\s*"C"\s*\{}{ }g;
  for my $stmt (split /;/) {
    $stmt =~ s/\s+/ /g;
    $stmt =~ s/^[\s}]+//;
    next if $stmt eq "" or $stmt =~ /^typedef\b/;
    next unless $stmt =~ /^([^(]*?)\b([A-Za-z_]\w*)\s*\(/;
    my ($before, $name) = ($1, $2);
    next if $before =~ /[{=]/;           # not a declaration at file scope
    print "$name\n" if $name =~ /^pace_/;
  }
' "$header" | sort -u >"$tmp/header"

# Global text symbols the library exports (strip any @VERSION suffix).
nm -D --defined-only "$lib" |
  awk '$2 == "T" && $3 ~ /^pace_/ { sub(/@.*/, "", $3); print $3 }' |
  sort -u >"$tmp/lib"

# Other global pace_* symbols (data, weak, indirect): not functions of the
# header; reported so that ABI leaks are seen.
nm -D --defined-only "$lib" |
  awk '$2 != "T" && $2 ~ /^[A-Z]$/ && $3 ~ /^pace_/ { print $2, $3 }' >"$tmp/other"

n_header=$(wc -l <"$tmp/header")
n_lib=$(wc -l <"$tmp/lib")
echo "check_symbols: $n_header functions in $(basename "$header"), $n_lib pace_* text symbols in $(basename "$lib")"

if [[ "$n_header" -eq 0 ]]; then
  echo "check_symbols: no functions found in $header (header parse failed)" >&2
  exit 1
fi

status=0
missing="$(comm -23 "$tmp/header" "$tmp/lib")"
extra="$(comm -13 "$tmp/header" "$tmp/lib")"
if [[ -n "$missing" ]]; then
  echo "check_symbols: declared in the header but not exported by the library:"
  sed 's/^/  - /' <<<"$missing"
  status=1
fi
if [[ -n "$extra" ]]; then
  echo "check_symbols: exported by the library but not declared in the header:"
  sed 's/^/  + /' <<<"$extra"
  status=1
fi
if [[ -s "$tmp/other" ]]; then
  echo "check_symbols: note: other global pace_* symbols (not functions):"
  sed 's/^/    /' "$tmp/other"
fi
if [[ "$status" -ne 0 ]]; then
  echo "check_symbols: diff (header vs library):"
  diff -u --label "$(basename "$header")" --label "$(basename "$lib")" "$tmp/header" "$tmp/lib" || true
  echo "check_symbols: FAIL"
else
  echo "check_symbols: ok (none missing, none extra)"
fi
exit "$status"
