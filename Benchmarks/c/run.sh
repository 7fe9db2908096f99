#!/usr/bin/env bash
# Benchmarks/c/run.sh - builds (-O2) and runs the C API benchmarks:
# bench_at (schedule evaluation), bench_runtime (the training-loop runtime,
# refinement, checkpoints), bench_scaling (fill time against count) and
# bench_batch (the batch engine, about ten minutes on 2 cores).
#
#   make lib && Benchmarks/c/run.sh            (from any directory)
#   Benchmarks/c/run.sh --build-only           only build them into build/bench/
#
# Numbers are only comparable on an otherwise idle machine. The one-table
# summary of every benchmark is `make bench` (Benchmarks/run).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

if [[ ! -f build/lib/libpace.so || ! -f build/lib/pkgconfig/pace.pc ]]; then
  echo "Benchmarks/c/run.sh: build/lib/libpace.so or pace.pc missing: run 'make lib' first" >&2
  exit 1
fi
export PKG_CONFIG_PATH="$root/build/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
mkdir -p build/bench

for bench in bench_at bench_runtime bench_scaling bench_batch; do
  # shellcheck disable=SC2046  # pkg-config output is meant to be word-split
  "${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror "Benchmarks/c/$bench.c" $(pkg-config --cflags --libs pace) -lm \
    -o "build/bench/$bench"
done
# Two builds of the library compared on one thread (dlopen; no pace.h needed):
# build/bench/bench_fill_ab OLD/libpace.so NEW/libpace.so (not run below).
"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror Benchmarks/c/bench_fill_ab.c -ldl -o build/bench/bench_fill_ab
# build/bench/bench_at_ab OLD/libpace.so NEW/libpace.so: pace_schedule_at per call, and
# hashes of at and both fills over a schedule of every shape (not run below).
"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror Benchmarks/c/bench_at_ab.c -ldl -o build/bench/bench_at_ab
[[ "${1:-}" == "--build-only" ]] && exit 0

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1 || true)"
echo "host: ${cpu:-unknown CPU}, $(nproc 2>/dev/null || echo '?') CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "compiler: $("${CC:-cc}" --version | head -n 1), -O2"
echo
build/bench/bench_at
echo
build/bench/bench_runtime
echo
build/bench/bench_scaling
echo
# The batch engine: 4096 schedules x 100000 steps, every row in a child process
# (about ten minutes on 2 cores; BENCH_BATCH_ARGS="schedules steps rounds" to change).
# shellcheck disable=SC2086  # the arguments are meant to be word-split
build/bench/bench_batch ${BENCH_BATCH_ARGS:-}
