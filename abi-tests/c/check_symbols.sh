#!/usr/bin/env bash
# check_symbols.sh - the library exports exactly the functions of the header.
#
# Compares EVERY defined symbol of libpace.so's dynamic symbol table (nm -D
# --defined-only: functions, data, TLS, weak, and local entries too, which
# gold leaves there for symbols a version script hid) with the functions
# declared in the hand-written header (macros, typedefs, enum constants and
# comments are ignored). Fails when a header function is missing, is not a
# global function (type T), or when any other symbol is defined there (Swift
# type descriptors, witness tables, a C helper, the static runtime's
# __dispatch_tsd...), listing each one. Exits 1 on any mismatch.
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

# Every defined symbol of the dynamic symbol table: "TYPE NAME" (any @VERSION
# suffix stripped); nm's lowercase types are local entries.
nm -D --defined-only "$lib" |
  awk 'NF >= 2 { name = $NF; sub(/@.*/, "", name); print $(NF - 1), name }' |
  sort -k2 -u >"$tmp/all"
awk '$1 == "T" { print $2 }' "$tmp/all" | sort -u >"$tmp/lib"

n_header=$(wc -l <"$tmp/header")
n_all=$(wc -l <"$tmp/all")
echo "check_symbols: $n_header functions in $(basename "$header"), $n_all defined dynamic symbols in $(basename "$lib")"

if [[ "$n_header" -eq 0 ]]; then
  echo "check_symbols: no functions found in $header (header parse failed)" >&2
  exit 1
fi

status=0
missing="$(comm -23 "$tmp/header" "$tmp/lib")"
# Anything but a header function exported as a global function.
extra="$(awk 'NR == FNR { declared[$1] = 1; next } !($1 == "T" && ($2 in declared)) { print "  + " $2 " (nm type " $1 ")" }' \
  "$tmp/header" "$tmp/all")"
if [[ -n "$missing" ]]; then
  echo "check_symbols: declared in the header but not exported as a function by the library:"
  sed 's/^/  - /' <<<"$missing"
  status=1
fi
if [[ -n "$extra" ]]; then
  echo "check_symbols: $(wc -l <<<"$extra") defined dynamic symbols that are not functions of the header:"
  echo "$extra"
  status=1
fi
if [[ "$status" -ne 0 ]]; then
  echo "check_symbols: FAIL"
else
  echo "check_symbols: ok (exactly the $n_header header functions, nothing else)"
fi
exit "$status"
