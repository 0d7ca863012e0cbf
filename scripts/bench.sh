#!/usr/bin/env bash
# `make bench`: placeholder until the benchmark harness lands.
set -euo pipefail
echo "no benchmarks yet" >&2
exit 1
