#!/usr/bin/env python3
"""Benchmarks/python/fill_bits.py - one SHA-256 over the values a libpace.so
gives, to check that a speed-up of the fill loops changed no bit.

    python3 Benchmarks/python/fill_bits.py LIB [LIB ...]

For each library (loaded with ctypes from its path, one process per
library so that two copies of the static Swift runtime never meet) it hashes
pace_schedule_fill_f64, pace_schedule_fill_f32 and pace_schedule_at over 31
specs: every preset example and kernel-shape example of the Swift tests, the
every-shape spec, exponentials into the subnormals and towards overflow, and
the five schedules of bench_fill.py at 10^7 steps. Fills of 70,001 steps
(long enough for vector runs, odd so that a partial vector ends each) start
at 0, 3, mid-run, and near 2^40 (beyond the decay: the after-value), plus
unaligned starts of short fills across the phase boundaries; `at` is taken
on 4,001 steps spread over each run. Prints the hash per library and exits 1
when they differ. Takes a few seconds per library.
"""
from __future__ import annotations

import ctypes
import hashlib
import subprocess
import sys

COUNT = 70_001
N = 10_000_000

SPECS = [
    # The five schedules of Benchmarks/python/bench_fill.py (10^7 steps).
    '{"preset":"cosine","peak":3e-4,"warmup_steps":%d,"total_steps":%d}' % (N // 20, N),
    '{"preset":"wsd","peak":3e-4,"warmup_steps":%d,"decay_steps":%d,"total_steps":%d,"decay_type":"sqrt"}'
    % (N // 20, N // 5, N),
    '{"preset":"rex","peak":3e-4,"total_steps":%d}' % N,
    '{"preset":"uba","peak":3e-4,"total_steps":%d,"phi":1}' % N,
    '{"preset":"exponential","peak":3e-4,"gamma":0.9999995}',
    # Tests/PaceTests/PresetTests.swift: allPresetExamples.
    '{"preset":"constant_with_warmup","warmup_steps":7}',
    '{"preset":"linear","warmup_steps":10,"total_steps":100}',
    '{"preset":"cosine","warmup_steps":10,"total_steps":100,"cycles":1.5,"min_ratio":0.1}',
    '{"preset":"cosine_with_restarts","warmup_steps":3,"total_steps":100,"cycles":3}',
    '{"preset":"polynomial","warmup_steps":3,"total_steps":100,"power":2,"peak":1e-3}',
    '{"preset":"inverse_sqrt","warmup_steps":30}',
    '{"preset":"wsd","warmup_steps":10,"decay_steps":20,"total_steps":100,"decay_type":"exponential","min_ratio":0.01}',
    '{"preset":"onecycle","total_steps":1000,"pct_start":0.333,"three_phase":true}',
    '{"preset":"sgdr","t0":10,"t_mult":2}',
    '{"preset":"cyclic","base_ratio":0.1,"step_size_up":5,"mode":"exp_range","gamma":0.99}',
    '{"preset":"multistep","milestones":[10,30]}',
    '{"preset":"timm_cosine","t_initial":40,"warmup_t":5,"cycle_limit":3,"cycle_mul":1.5,"cycle_decay":0.7}',
    '{"preset":"uba","warmup_steps":10,"total_steps":100,"phi":0.8}',
    '{"preset":"power","a":4,"b":-0.51,"tokens_per_step":4096,"warmup_steps":10,"decay_steps":20,"total_steps":100,'
    '"peak":0.02,"decay_type":"sqrt"}',
    '{"preset":"infinite","warmup_steps":10,"cooldown_steps":20,"constant_ratio":0.3}',
    # Tests/PaceTests/ElementaryTests.swift: kernelShapeExamples.
    '{"phases":[{"shape":"exponential","steps":1000,"from":1,"to":0.001}]}',
    '{"phases":[{"shape":"exponential","steps":100,"from":0.5,"to":2,"endpoint":"inclusive"},'
    '{"shape":"exponential","gamma":0.9999995}]}',
    '{"phases":[{"shape":"exponential","gamma":0.5,"staircase":10,"steps":100},{"shape":"exponential","gamma":0.99}]}',
    '{"peak":0.02,"phases":[{"shape":"power","a":4,"b":-0.51,"tokens_per_step":1000}]}',
    '{"phases":[{"shape":"polynomial","power":0.5,"steps":77,"from":0,"to":1},'
    '{"shape":"polynomial","power":3,"steps":90,"to":0.01}]}',
    '{"phases":[{"shape":"cosine","exponent":2,"steps":60,"to":0},'
    '{"shape":"cosine","cycles":1.5,"exponent":2,"steps":60,"from":1,"to":0.1}]}',
    '{"phases":[{"repeat":[{"shape":"exponential","steps":10,"to":0.1},{"shape":"cosine","exponent":3,"steps":7,"to":0}],'
    '"cycles":5,"period_mult":1.5,"decay":0.7,"decay_per_step":0.9999}]}',
    # Long phases of the vector kernels (each a vector run of ~10^5 steps).
    '{"phases":[{"shape":"cosine","steps":90000,"from":1,"to":0.05},{"shape":"cosine","cycles":1.5,"steps":64000,'
    '"from":0.9,"to":0.1},{"shape":"uba","phi":0.8,"steps":52000,"from":0.4,"to":0.02},'
    '{"shape":"rex","steps":45000,"from":1,"to":0},{"shape":"sqrt","steps":29000,"from":0.8,"to":0.01},'
    '{"shape":"polynomial","power":3,"steps":41000,"from":0.02,"to":0.6,"endpoint":"inclusive"}]}',
    # Exponentials into the subnormals and towards overflow.
    '{"phases":[{"shape":"exponential","gamma":0.99}]}',
    '{"peak":1e300,"phases":[{"shape":"exponential","steps":100000,"from":1e-300,"to":1e8}]}',
    '{"phases":[{"shape":"exponential","steps":100000,"from":1,"to":1e-320}]}',
]


def hash_library(path: str) -> str:
    lib = ctypes.CDLL(path, mode=ctypes.RTLD_LOCAL)
    handle = ctypes.c_void_p
    lib.pace_schedule_parse.argtypes = [ctypes.c_char_p, ctypes.POINTER(handle)]
    lib.pace_schedule_free.argtypes = [handle]
    lib.pace_schedule_at.argtypes = [handle, ctypes.c_int64, ctypes.POINTER(ctypes.c_double)]
    lib.pace_schedule_fill_f64.argtypes = [handle, ctypes.c_int64, ctypes.c_int64, ctypes.POINTER(ctypes.c_double)]
    lib.pace_schedule_fill_f32.argtypes = [handle, ctypes.c_int64, ctypes.c_int64, ctypes.POINTER(ctypes.c_float)]
    digest = hashlib.sha256()
    f64 = (ctypes.c_double * (COUNT + 8))()
    f32 = (ctypes.c_float * (COUNT + 8))()
    value = ctypes.c_double()
    for spec in SPECS:
        s = handle()
        if lib.pace_schedule_parse(spec.encode(), ctypes.byref(s)) != 0:
            raise SystemExit("fill_bits: %s rejects %s" % (path, spec))
        length = N if "10000000" in spec or "%d" % (N // 20) in spec else 500_000
        starts = [0, 3, length // 2 + 1, length - COUNT // 2, (1 << 40) + 5]
        for start in starts:
            for shift in (0, 1):  # aligned and unaligned buffers
                p64 = ctypes.cast(ctypes.byref(f64, 8 * shift), ctypes.POINTER(ctypes.c_double))
                p32 = ctypes.cast(ctypes.byref(f32, 4 * shift), ctypes.POINTER(ctypes.c_float))
                assert lib.pace_schedule_fill_f64(s, start, COUNT, p64) == 0
                assert lib.pace_schedule_fill_f32(s, start, COUNT, p32) == 0
                digest.update(ctypes.string_at(p64, 8 * COUNT))
                digest.update(ctypes.string_at(p32, 4 * COUNT))
        for start in range(0, 200, 7):  # short fills across the first phases' boundaries
            for count in (1, 3, 5, 9, 13):
                assert lib.pace_schedule_fill_f64(s, start, count, f64) == 0
                digest.update(ctypes.string_at(f64, 8 * count))
        for i in range(4001):
            step = i * (length // 4000) + (i % 3)
            assert lib.pace_schedule_at(s, step, ctypes.byref(value)) == 0
            digest.update(ctypes.string_at(ctypes.byref(value), 8))
        lib.pace_schedule_free(s)
    return digest.hexdigest()


def main(argv):
    if len(argv) == 3 and argv[1] == "--one":
        print(hash_library(argv[2]))
        return 0
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    hashes = []
    for path in argv[1:]:
        out = subprocess.run([sys.executable, argv[0], "--one", path], capture_output=True, text=True, check=True)
        hashes.append(out.stdout.strip())
        print("%s  %s" % (hashes[-1], path))
    same = len(set(hashes)) == 1
    print("same bits" if same else "DIFFERENT BITS")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
