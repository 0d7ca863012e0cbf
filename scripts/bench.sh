#!/usr/bin/env bash
# `make bench`: each bench/programs/bench_<name>.rs against its Go twin
# bench/go/<name>/main.go, GOMAXPROCS 1 and 2, BENCH_RUNS runs each side,
# alternating; then the network benchmarks (rt0's echo_server and
# http_hello against their Go and tokio twins, scripts/bench_net.py); then
# files and stdin (cat, lines: scripts/bench_files.py) and child processes
# (procspawn: scripts/bench_spawn.py), and asynchronous preemption (preempt:
# scripts/bench_preempt.py, overhead on/off and timer lateness against Go).
# The harness is scripts/bench.py
# (knobs and output format in its header and in bench/README.md).
# BENCH_ONLY picks workloads across all three (`files` = cat and lines).
# Installs Go and wrk if missing.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/ensure.sh
ensure_go
ensure_wrk

only=" $(echo "${BENCH_ONLY:-}" | tr ',' ' ') "
picked() { # any of the names given is in BENCH_ONLY (or BENCH_ONLY is unset)
    [ -z "${BENCH_ONLY:-}" ] && return 0
    for w in "$@"; do [[ "$only" == *" $w "* ]] && return 0; done
    return 1
}
rest=$(for w in $only; do case $w in cat|lines|files|procspawn|preempt) ;; *) echo "$w" ;; esac; done)
rc=0
if [ -z "${BENCH_ONLY:-}" ] || [ -n "$rest" ]; then
    python3 scripts/bench.py "$@" || rc=$?
fi
if picked cat lines files; then
    files=$(for w in $only; do case $w in cat|lines) echo "$w" ;; esac; done | paste -sd, -)
    BENCH_ONLY="$files" python3 scripts/bench_files.py || rc=$?
fi
if picked procspawn; then
    python3 scripts/bench_spawn.py || rc=$?
fi
if picked preempt; then
    python3 scripts/bench_preempt.py || rc=$?
fi
exit $rc
