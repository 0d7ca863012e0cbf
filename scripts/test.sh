#!/usr/bin/env bash
# `make test`: unit tests of the pure parts, then the real programs, natively
# and under qemu-user. Installs what it needs (qemu-user) and says so.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/ensure.sh
ensure_qemu

echo "== unit tests (host, std) =="
cargo test --lib

echo "== loom models of the protocols (models/, make models) =="
(cd models && cargo test --release -- --test-threads=1 --nocapture)

echo "== build example programs (release, freestanding) =="
cargo build --release --examples

echo "== program tests (native and qemu-x86_64) =="
cargo test --release --tests -- --test-threads="${TEST_THREADS:-2}"

echo "== stress, bounded (make stress runs the full loops) =="
STRESS_RUNS="${TEST_STRESS_RUNS:-5}" STRESS_NO_BUILD=1 python3 scripts/stress.py
