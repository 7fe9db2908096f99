#!/usr/bin/env bash
# abi-tests/fuzz/run.sh - libFuzzer targets against a built libpace.so.
#
#   abi-tests/fuzz/run.sh quick          each target 3 s, or FUZZ_SECONDS (abi-tests/c/run.sh runs this)
#   abi-tests/fuzz/run.sh runs N         each target N executions (the 10^6 campaign; see README.md)
#   abi-tests/fuzz/run.sh one TARGET N   one target
#
# Targets (abi-tests/fuzz/fuzz_*.c): spec, config, checkpoint, law, sampler,
# autolrs; a target whose entry points the library does not export yet is
# skipped, visibly. The seed corpus is abi-tests/fuzz/corpus/TARGET (read only:
# new inputs go to a scratch folder). Library: build/lib/libpace.so, or
# PACE_FUZZ_LIB=DIR (e.g. the address-sanitized build of `make sanitize`,
# then PACE_FUZZ_ASAN=1 links the fuzzers with -fsanitize=address too).
# Compiler: clang with libFuzzer (the Swift toolchain's clang has it).
# Exit status 1 when any target finds a crash or a broken promise.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
lib="${PACE_FUZZ_LIB:-$root/build/lib}"
out="$root/build/fuzz"
mkdir -p "$out"
CLANG="${CLANG:-$(command -v clang || true)}"
if [[ -z "$CLANG" ]] || ! echo 'int LLVMFuzzerTestOneInput(const char*d,unsigned long n){(void)d;(void)n;return 0;}' |
  "$CLANG" -x c -fsanitize=fuzzer - -o "$out/.probe" 2>/dev/null; then
  echo "abi-tests/fuzz/run.sh: no clang with libFuzzer (-fsanitize=fuzzer); skipped"
  exit 0
fi
sanitize="fuzzer"
[[ "${PACE_FUZZ_ASAN:-0}" == 1 ]] && sanitize="fuzzer,address"

declare -A needs=(
  [spec]=pace_schedule_parse [config]=pace_runtime_create [checkpoint]=pace_runtime_load [law]=pace_law_load
  [sampler]=pace_sampler_load [autolrs]=pace_autolrs_load
)
targets=(spec config checkpoint law sampler autolrs)

build() {  # build TARGET: compiles abi-tests/fuzz/fuzz_TARGET.c into $out/fuzz_TARGET
  "$CLANG" -std=c11 -g -O1 -fsanitize="$sanitize" -I"$root/include" "abi-tests/fuzz/fuzz_$1.c" \
    -L"$lib" -Wl,-rpath,"$lib" -lpace -lm -o "$out/fuzz_$1"
}

nm -D "$lib/libpace.so" >"$out/.symbols"
failed=()
run() {  # run TARGET ARGS...: one libFuzzer run; prints the executions done
  local t="$1"
  shift
  if ! grep -q " T ${needs[$t]}\$" "$out/.symbols"; then
    echo "fuzz $t: skipped ($lib/libpace.so has no ${needs[$t]} yet)"
    return 0
  fi
  build "$t"
  local work="$out/corpus-$t" log="$out/fuzz_$t.log" rc=0
  mkdir -p "$work"
  local dict=()
  [[ -f "abi-tests/fuzz/$t.dict" ]] && dict=(-dict="abi-tests/fuzz/$t.dict")
  "$out/fuzz_$t" "$work" "abi-tests/fuzz/corpus/$t" -max_len=65536 -rss_limit_mb=4096 -timeout=20 \
    -artifact_prefix="$out/crash-$t-" -print_final_stats=1 "${dict[@]}" "$@" >"$log" 2>&1 || rc=$?
  local execs
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
  if [[ "$rc" -ne 0 ]]; then
    echo "fuzz $t: FINDING after $execs executions (exit $rc); log $log, input $out/crash-$t-*"
    grep -m3 'fuzz promise\|ERROR\|deadly signal' "$log" || true
    failed+=("$t")
  else
    echo "fuzz $t: $execs executions, no finding"
  fi
}

case "${1:-quick}" in
  # quick (make test): a fixed seed, so the inputs tried are the same on every run
  # (the time limit only cuts the sequence); the campaign uses fresh seeds.
  quick) for t in "${targets[@]}"; do run "$t" -seed="${FUZZ_SEED:-1}" -max_total_time="${FUZZ_SECONDS:-3}"; done ;;
  runs) for t in "${targets[@]}"; do run "$t" -runs="${2:?runs N}"; done ;;
  one) run "${2:?one TARGET N}" -runs="${3:?one TARGET N}" ;;
  *) echo "usage: $0 [quick | runs N | one TARGET N]" >&2; exit 2 ;;
esac
[[ ${#failed[@]} -eq 0 ]] || { echo "fuzz findings: ${failed[*]}"; exit 1; }
