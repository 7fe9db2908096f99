#!/usr/bin/env bash
# abi-tests/c/run.sh - the C ABI tests against the built library.
#
#   make lib && abi-tests/c/run.sh        (from any directory)
#
# 1. compiles abi-tests/c/abi_test.c (C11, -Wall -Wextra -Werror) and runs it
#    (PACE_EXPECT_ISA: the ISA pace_build_info must name)
# 2. abi-tests/c/check_symbols.sh: the defined dynamic symbols == the header's
#    functions, for build/lib/libpace.so and build/lib/baseline/libpace.so;
#    abi-tests/c/load_light_test.c: dlopen and a schedule start no thread and
#    map no BLAS, LAPACKE or libnuma (both libraries)
# 3. runs the ABI test under valgrind (skipped, visibly, without valgrind),
#    then natively against the portable baseline build/lib/baseline/libpace.so
# 4. compiles and runs the quick start examples/c/trainer.c (and print_table.c)
# 5. compiles abi-tests/c/cxx_include_test.cpp as C++17 and runs it
# 6. compiles the runtime tests abi-tests/c/runtime_*_test.c (C11, -Wall
#    -Wextra -Werror; shared helpers in runtime_common.h) and runs them: the
#    API (arguments, configs, layout, threads), refinement (offline and
#    online), events, checkpoints (resumed in fresh processes, damaged state,
#    SIGKILLed writers of atomic files: it re-executes itself for those) and
#    reliability at real scale (issue 15)
# 7. runs each runtime test under valgrind (child processes run natively)
# 7b. abi-tests/c/introspection_test.c (also under valgrind) and the C++
#    runtime introspection example
# 7c. the laws: law_interval_test.c and law_runs_test.c (pace_law_fit_runs),
#    each also under valgrind; the C++ law wrappers (cxx_laws_test.cpp) and
#    the C++ example bindings/cpp/examples/laws_from_runs.cpp
# 9. runs each fuzz target of abi-tests/fuzz for 3 s (abi-tests/fuzz/run.sh quick)
# 8. the batch engine's and the data sampler's tests (batch_test.c,
#    sampler_test.c), each also under valgrind; the C++ Sampler example
# 10. the AutoLRS tests (autolrs_test.c, also under valgrind), the C example
#    trainer examples/c/autolrs_trainer.c and the C++ pace::AutoLRS example
# Valgrind cannot decode AVX-512, so where the host library is x86-64-v4 the
# valgrind runs use build/lib/baseline/libpace.so (same sources).
# Every step runs even when an earlier one fails; exits 1 if any failed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

out="build/tests"
export PKG_CONFIG_PATH="$root/build/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
CC="${CC:-cc}"
CXX="${CXX:-g++}"

if [[ ! -f build/lib/libpace.so || ! -f build/lib/pkgconfig/pace.pc || ! -f build/include/pace.h ]]; then
  echo "abi-tests/c/run.sh: build/lib/libpace.so, build/include/pace.h or pace.pc missing: run 'make lib' first" >&2
  exit 1
fi
mkdir -p "$out"

failed=()
passed=()
run_step() {  # run_step NAME COMMAND...: runs COMMAND, records the result, never exits
  local name="$1"
  shift
  echo
  echo "== $name"
  local rc=0
  "$@" || rc=$?
  if [[ "$rc" -eq 0 ]]; then
    passed+=("$name")
  else
    echo "-- $name: FAILED (exit $rc)"
    failed+=("$name")
  fi
}

# shellcheck disable=SC2046  # pkg-config output is meant to be word-split
pace_flags() { pkg-config --cflags --libs pace; }

header_is_current() {
  if ! cmp -s include/pace.h build/include/pace.h; then
    echo "build/include/pace.h differs from include/pace.h: the build is stale, run 'make lib'"
    return 1
  fi
  echo "build/include/pace.h matches include/pace.h"
}

# build_test NAME: compiles abi-tests/c/NAME.c (C11, -Wall -Wextra -Werror) into $out/NAME.
build_test() {
  rm -f "$out/$1" # never run a stale binary
  # shellcheck disable=SC2046
  "$CC" -std=c11 -Wall -Wextra -Werror -pthread "abi-tests/c/$1.c" -o "$out/$1" $(pace_flags) -lm
  echo "built $out/$1"
}

# run_test NAME: runs $out/NAME, keeping its output in $out/NAME.out.
run_test() {
  local rc=0
  "$out/$1" >"$out/$1.out" 2>&1 || rc=$?
  cat "$out/$1.out"
  return "$rc"
}

# The ISA each library must report in pace_build_info (the Makefile builds
# build/lib/libpace.so for x86-64-v4 where the CPU has AVX-512 F/DQ/BW/VL,
# else x86-64-v3 where it has AVX2 and FMA; PACE_ISA overrides, as in make).
PACE_ISA="$(scripts/host-isa)"
case "$PACE_ISA" in
  v4) host_isa=x86-64-v4 ;;
  v3) host_isa=x86-64-v3 ;;
  *) host_isa="" ;;  # the host build is the baseline: whatever the architecture's is
esac
baseline_isa=""
[[ "$(uname -m)" == x86_64 ]] && baseline_isa=x86-64

run_abi_test() { PACE_EXPECT_ISA="$host_isa" run_test abi_test; }

# The same test against the portable baseline (same soname; LD_LIBRARY_PATH
# wins over the test's DT_RUNPATH). PACE_EXPECT_ISA proves which one loaded.
run_abi_test_baseline() {
  if [[ ! -f build/lib/baseline/libpace.so ]]; then
    echo "build/lib/baseline/libpace.so missing: run 'make baseline' (make test does)"
    return 1
  fi
  local rc=0
  LD_LIBRARY_PATH="$root/build/lib/baseline${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" PACE_EXPECT_ISA="$baseline_isa" \
    "$out/abi_test" >"$out/abi_test.baseline.out" 2>&1 || rc=$?
  head -n 1 "$out/abi_test.baseline.out"
  grep -E '^  FAILED|FAIL  \(' "$out/abi_test.baseline.out" || true
  tail -n 1 "$out/abi_test.baseline.out"
  return "$rc"
}

# run_valgrind [TEST]: runs $out/TEST (default abi_test) under valgrind.
# Passes when valgrind reports no memory errors and no definite or indirect
# leaks, and the test gives the same result line as the plain run (a failing
# test is reported by the plain run, not counted twice here).
run_valgrind() {
  local name="${1:-abi_test}"
  if ! command -v valgrind >/dev/null 2>&1; then
    echo "SKIPPED: valgrind is not installed (apt-get install valgrind to run this step)"
    return 0
  fi
  local log="$out/$name.valgrind.log"
  local rc=0
  # Valgrind cannot decode AVX-512 (EVEX) instructions: with an x86-64-v4
  # host library the memory check runs the same test on the baseline build
  # (same sources, four-lane instead of eight-lane fills).
  local source="$root/build/lib/libpace.so"
  if [[ "$host_isa" == x86-64-v4 ]]; then
    source="$root/build/lib/baseline/libpace.so"
    echo "valgrind cannot run AVX-512 code: checking build/lib/baseline/libpace.so"
  fi
  # Valgrind 3.19's DWARF reader gives up on the line tables lld writes
  # ("Possibly corrupted debuginfo file"): it checks a copy without debug
  # sections (same code, symbols kept, so its reports still name functions).
  local libdir="$out/valgrind-lib"
  mkdir -p "$libdir"
  if [[ ! "$libdir/libpace.so" -nt "$source" ]]; then
    objcopy --strip-debug "$source" "$libdir/libpace.so.tmp" && mv -f "$libdir/libpace.so.tmp" "$libdir/libpace.so"
  fi
  LD_LIBRARY_PATH="${libdir}${libdir:+${LD_LIBRARY_PATH:+:}}${LD_LIBRARY_PATH:-}" \
    valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1 \
    --suppressions="$root/abi-tests/c/valgrind.supp" \
    --child-silent-after-fork=yes --log-file="$log" "$out/$name" >"$out/$name.valgrind.out" 2>&1 || rc=$?
  echo "under valgrind: $(tail -n 1 "$out/$name.valgrind.out") (exit $rc)"
  grep -E 'ERROR SUMMARY|definitely lost|indirectly lost' "$log" | sed 's/^==[0-9]*== */  valgrind: /' || true
  if ! grep -q 'ERROR SUMMARY: 0 errors' "$log"; then
    echo "valgrind reported memory errors or leaks: see $log"
    return 1
  fi
  if [[ "$rc" -ne 0 ]]; then
    local plain
    plain="$(tail -n 1 "$out/$name.out" 2>/dev/null || true)"
    if [[ "$(tail -n 1 "$out/$name.valgrind.out")" == "$plain" && "$plain" =~ ^[0-9]+\ passed ]]; then
      echo "no memory errors; the failed checks are the plain run's (counted there)"
      return 0
    fi
    echo "the result under valgrind differs from the plain run ('$plain'): see $out/$name.valgrind.out"
    return 1
  fi
  echo "no memory errors, no definite or indirect leaks"
}

build_and_run_trainer() {
  # The quick start's documented build line, verbatim.
  # shellcheck disable=SC2046
  "$CC" examples/c/trainer.c $(pkg-config --cflags --libs pace) -o "$out/trainer"
  "$out/trainer"
}

build_and_run_print_table() {
  # shellcheck disable=SC2046
  "$CC" -std=c11 -Wall -Wextra -Werror examples/c/print_table.c $(pace_flags) -o "$out/print_table"
  "$out/print_table"
}

build_and_run_cxx_trainer() {
  # shellcheck disable=SC2046
  "$CXX" -std=c++17 -Wall -Wextra -Werror -pedantic -Ibindings/cpp bindings/cpp/examples/trainer.cpp $(pace_flags) \
    -o "$out/cxx_trainer"
  "$out/cxx_trainer"
}

# The C++ examples of the other handles (Runtime, Law, Engine), same flags.
build_and_run_cxx_handles() {
  # shellcheck disable=SC2046
  "$CXX" -std=c++17 -Wall -Wextra -Werror -pedantic -Ibindings/cpp bindings/cpp/examples/runtime_law_engine.cpp \
    $(pace_flags) -o "$out/cxx_runtime_law_engine"
  "$out/cxx_runtime_law_engine"
}

build_and_run_cxx() {
  # shellcheck disable=SC2046
  "$CXX" -std=c++17 -Wall -Werror abi-tests/c/cxx_include_test.cpp $(pace_flags) -o "$out/cxx_include_test"
  "$out/cxx_include_test"
}

run_step "header is current" header_is_current
run_step "build abi_test (C11, -Wall -Wextra -Werror)" build_test abi_test
if [[ -x "$out/abi_test" ]]; then
  run_step "abi_test" run_abi_test
  run_step "abi_test under valgrind" run_valgrind
  run_step "abi_test against build/lib/baseline/libpace.so" run_abi_test_baseline
fi
run_step "exported symbols vs header" abi-tests/c/check_symbols.sh
run_step "exported symbols vs header (baseline library)" abi-tests/c/check_symbols.sh build/lib/baseline/libpace.so

# abi-tests/c/load_light_test.c: the library opened with dlopen (not linked)
# and a schedule's use start no thread and map no OpenBLAS, LAPACKE or
# libnuma; a missing LAPACKE (PACE_LAPACKE) is PACE_E_UNSUPPORTED; a law fit
# then loads LAPACKE and works. Host and baseline libraries.
build_load_light_test() {
  rm -f "$out/load_light_test"
  # shellcheck disable=SC2046
  "$CC" -std=c11 -Wall -Wextra -Werror -pthread abi-tests/c/load_light_test.c $(pkg-config --cflags pace) \
    -o "$out/load_light_test" -ldl -lm
  echo "built $out/load_light_test"
}
run_step "build load_light_test (C11, -Wall -Wextra -Werror)" build_load_light_test
if [[ -x "$out/load_light_test" ]]; then
  run_step "load_light_test" "$out/load_light_test" "$root/build/lib/libpace.so"
  run_step "load_light_test (baseline library)" "$out/load_light_test" "$root/build/lib/baseline/libpace.so"
fi
run_step "quick start examples/c/trainer.c" build_and_run_trainer
run_step "demo examples/c/print_table.c" build_and_run_print_table
run_step "C++17 include test" build_and_run_cxx
run_step "C++ RAII wrapper example bindings/cpp/examples/trainer.cpp" build_and_run_cxx_trainer
run_step "C++ Runtime, Law and Engine example bindings/cpp/examples/runtime_law_engine.cpp" build_and_run_cxx_handles
for t in runtime_api_test runtime_refine_test runtime_events_test runtime_checkpoint_test runtime_reliability_test; do
  run_step "build $t (C11, -Wall -Wextra -Werror)" build_test "$t"
  if [[ -x "$out/$t" ]]; then
    run_step "$t" run_test "$t"
    run_step "$t under valgrind" run_valgrind "$t"
  fi
done

# abi-tests/c/introspection_test.c: the runtime's event log, cooldown state and
# played values (bit-identical to the run, across save/load), then under
# valgrind; the C++ example bindings/cpp/examples/runtime_introspection.cpp.
run_step "build introspection_test (C11, -Wall -Wextra -Werror)" build_test introspection_test
if [[ -x "$out/introspection_test" ]]; then
  run_step "introspection_test" run_test introspection_test
  run_step "introspection_test under valgrind" run_valgrind introspection_test
fi
build_and_run_cxx_introspection() {
  # shellcheck disable=SC2046
  "$CXX" -std=c++17 -Wall -Wextra -Werror -pedantic -Ibindings/cpp bindings/cpp/examples/runtime_introspection.cpp \
    $(pace_flags) -o "$out/cxx_runtime_introspection"
  "$out/cxx_runtime_introspection"
}
run_step "C++ runtime introspection example bindings/cpp/examples/runtime_introspection.cpp" build_and_run_cxx_introspection

# abi-tests/c/law_interval_test.c: the laws' prediction intervals
# (pace_law_fit_interval, pace_law_predict_interval, saved format 3), then under valgrind.
run_step "build law_interval_test (C11, -Wall -Wextra -Werror)" build_test law_interval_test
if [[ -x "$out/law_interval_test" ]]; then
  run_step "law_interval_test" run_test law_interval_test
  run_step "law_interval_test under valgrind" run_valgrind law_interval_test
fi

# abi-tests/c/law_runs_test.c: laws fitted from logged runs (pace_law_fit_runs:
# NaN losses, irregular rows with gaps, CSV, LRs from rows, a spec or per-step
# LRs) against pace_law_fit of the same points, every bad argument; then under valgrind.
run_step "build law_runs_test (C11, -Wall -Wextra -Werror)" build_test law_runs_test
if [[ -x "$out/law_runs_test" ]]; then
  run_step "law_runs_test" run_test law_runs_test
  run_step "law_runs_test under valgrind" run_valgrind law_runs_test
fi

# abi-tests/c/cxx_laws_test.cpp: the C++ wrappers of refinement, functionals,
# fit_runs (RunLog), fit_interval and predict_interval against the C calls,
# and their errors; the C++ example bindings/cpp/examples/laws_from_runs.cpp.
build_cxx_laws_test() {
  rm -f "$out/cxx_laws_test"
  # shellcheck disable=SC2046
  "$CXX" -std=c++17 -Wall -Wextra -Werror -pedantic -Ibindings/cpp abi-tests/c/cxx_laws_test.cpp $(pace_flags) \
    -o "$out/cxx_laws_test"
  echo "built $out/cxx_laws_test"
}
run_step "build cxx_laws_test (C++17, -Wall -Wextra -Werror -pedantic)" build_cxx_laws_test
if [[ -x "$out/cxx_laws_test" ]]; then
  run_step "cxx_laws_test" run_test cxx_laws_test
fi
build_and_run_cxx_laws_from_runs() {
  # shellcheck disable=SC2046
  "$CXX" -std=c++17 -Wall -Wextra -Werror -pedantic -Ibindings/cpp bindings/cpp/examples/laws_from_runs.cpp \
    $(pace_flags) -o "$out/cxx_laws_from_runs"
  "$out/cxx_laws_from_runs"
}
run_step "C++ laws example bindings/cpp/examples/laws_from_runs.cpp" build_and_run_cxx_laws_from_runs

# abi-tests/c/law_fit_defaults_test.c: the fit's defaults (opt NULL, PACE_FIT_AUTO, a
# zeroed pace_fit_options still PACE_FIT_LM, the report's method and warmup), then under valgrind.
run_step "build law_fit_defaults_test (C11, -Wall -Wextra -Werror)" build_test law_fit_defaults_test
if [[ -x "$out/law_fit_defaults_test" ]]; then
  run_step "law_fit_defaults_test" run_test law_fit_defaults_test
  run_step "law_fit_defaults_test under valgrind" run_valgrind law_fit_defaults_test
fi

# abi-tests/fuzz: each libFuzzer target (spec, config, checkpoint, law, sampler,
# autolrs) for 3 s from its seed corpus (skipped without a libFuzzer clang);
# the long campaign is abi-tests/fuzz/run.sh runs 1000000 (abi-tests/fuzz/README.md).
run_step "fuzz targets (3 s each)" env PATH="$PATH:/opt/swift/usr/bin" abi-tests/fuzz/run.sh quick

# abi-tests/c/batch_test.c: the batch engine (fills and reductions bit for bit for
# every thread count, bad input without writes, PACE_NUMA / PACE_NUMA_SIMULATE
# and fork in child processes), then under valgrind.
run_step "build batch_test (C11, -Wall -Wextra -Werror)" build_test batch_test
if [[ -x "$out/batch_test" ]]; then
  run_step "batch_test" run_test batch_test
  run_step "batch_test under valgrind" run_valgrind batch_test
fi

# abi-tests/c/sampler_test.c: data pacing (pace_sampler_*, pace_irt_*): every
# function, every error path, save/load/damage, then under valgrind; and the
# C++ pace::Sampler example.
run_step "build sampler_test (C11, -Wall -Wextra -Werror)" build_test sampler_test
if [[ -x "$out/sampler_test" ]]; then
  run_step "sampler_test" run_test sampler_test
  run_step "sampler_test under valgrind" run_valgrind sampler_test
fi
build_and_run_cxx_sampler() {
  # shellcheck disable=SC2046
  "$CXX" -std=c++17 -Wall -Wextra -Werror -pedantic -Ibindings/cpp bindings/cpp/examples/sampler.cpp $(pace_flags) \
    -o "$out/cxx_sampler"
  "$out/cxx_sampler"
}
run_step "C++ Sampler example bindings/cpp/examples/sampler.cpp" build_and_run_cxx_sampler

# abi-tests/c/autolrs_test.c: the AutoLRS tuner (pace_autolrs_*): every function,
# error paths, save/load/damage, full protocol loops on a synthetic loss; then
# under valgrind; the C example trainer and the C++ pace::AutoLRS example.
run_step "build autolrs_test (C11, -Wall -Wextra -Werror)" build_test autolrs_test
if [[ -x "$out/autolrs_test" ]]; then
  run_step "autolrs_test" run_test autolrs_test
  run_step "autolrs_test under valgrind" run_valgrind autolrs_test
fi
build_and_run_autolrs_trainer() {
  # shellcheck disable=SC2046
  "$CC" -std=c11 -Wall -Wextra -Werror examples/c/autolrs_trainer.c $(pace_flags) -lm -o "$out/autolrs_trainer"
  "$out/autolrs_trainer"
}
run_step "AutoLRS example examples/c/autolrs_trainer.c" build_and_run_autolrs_trainer
build_and_run_cxx_autolrs() {
  # shellcheck disable=SC2046
  "$CXX" -std=c++17 -Wall -Wextra -Werror -pedantic -Ibindings/cpp bindings/cpp/examples/autolrs.cpp $(pace_flags) \
    -o "$out/cxx_autolrs"
  "$out/cxx_autolrs"
}
run_step "C++ AutoLRS example bindings/cpp/examples/autolrs.cpp" build_and_run_cxx_autolrs

echo
echo "== C ABI summary: ${#passed[@]} steps passed, ${#failed[@]} failed"
for f in "${failed[@]+"${failed[@]}"}"; do echo "   FAILED: $f"; done
[[ ${#failed[@]} -eq 0 ]]
