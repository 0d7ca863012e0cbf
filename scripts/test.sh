#!/usr/bin/env bash
# `make test`: unit tests of the pure parts, then the real programs, natively
# and under qemu-user. Installs what it needs (qemu-user) and says so.
set -euo pipefail
cd "$(dirname "$0")/.."

# The lint gate first: formatting and clippy (every target: lib, tests,
# examples, test and benchmark programs; and the loom models' crate), so a
# style slip fails in seconds, not after the program tests.
echo "== lint: cargo fmt --check, cargo clippy --all-targets -D warnings =="
if ! cargo fmt --check; then
    echo "make test: cargo fmt --check failed: run \`cargo fmt\` (make fmt) and commit" >&2
    exit 1
fi
if ! cargo clippy --release --all-targets -- -D warnings; then
    echo "make test: cargo clippy --all-targets -D warnings failed: fix the lints above" >&2
    exit 1
fi
if ! (cd models && cargo fmt --check && cargo clippy --release --all-targets -- -D warnings); then
    echo "make test: fmt or clippy failed in models/: fix the lints above" >&2
    exit 1
fi

source scripts/ensure.sh
ensure_qemu
# tests/traceback.rs checks every printed frame against addr2line and gdb.
ensure_debug_tools
# The network tests (tests/net_*.rs) hold the Go twins of their programs
# (tests/net/go/) to the same assertions, and curl is their HTTP client.
ensure_go
command -v curl >/dev/null 2>&1 || apt_install curl

echo "== unit tests (host, std) =="
# The traceback readers (src/debug) check themselves against addr2line, nm
# and rustc-demangle over thousands of addresses and symbols: in release,
# the code programs run (and 20 times faster than the dev build).
cargo test --lib -- --skip debug::
cargo test --release --lib debug::

echo "== loom models of the protocols (models/, make models) =="
(cd models && cargo test --release -- --test-threads=1 --nocapture)

echo "== build example programs (release, freestanding) =="
cargo build --release --examples

echo "== program tests (native and qemu-x86_64) =="
cargo test --release --tests -- --test-threads="${TEST_THREADS:-2}"

echo "== stress, bounded (make stress runs the full loops) =="
STRESS_RUNS="${TEST_STRESS_RUNS:-5}" STRESS_NO_BUILD=1 python3 scripts/stress.py
