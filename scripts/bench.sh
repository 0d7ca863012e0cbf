#!/usr/bin/env bash
# `make bench`: each bench/programs/bench_<name>.rs against its Go twin
# bench/go/<name>/main.go, GOMAXPROCS 1 and 2, BENCH_RUNS runs each side,
# alternating; then the network benchmarks (rt0's echo_server and
# http_hello against their Go and tokio twins, scripts/bench_net.py). The
# harness is scripts/bench.py (knobs and output format in its header and in
# bench/README.md). Installs Go and wrk if missing.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/ensure.sh
ensure_go
ensure_wrk

exec python3 scripts/bench.py "$@"
