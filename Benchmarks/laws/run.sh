#!/usr/bin/env bash
# Loss-curve laws benchmark: the 25M protocol (metrics next to the study's published numbers),
# fit time against our re-implementation of the study's recipe, search throughput.
#   Benchmarks/laws/run.sh [--skip-reference] [--repeat N]
set -euo pipefail
cd "$(dirname "$0")/../.."
# Benchmarks/laws/run.sh cv [cv.py options]: the cross-validation study of the fit settings and
# the prediction intervals' coverage (through the Python binding and build/lib/libpace.so).
if [[ "${1:-}" == cv ]]; then shift; exec python3 Benchmarks/laws/cv.py "$@"; fi
[[ -x build/bin/pace ]] || make cli
exec python3 Benchmarks/laws/compare.py --pace build/bin/pace "$@"
