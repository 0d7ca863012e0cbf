# rt0: the two commands a newcomer needs are `make run` and `make test`.
# `make help` lists every target and the variables in effect.

CARGO      ?= cargo
# CPU models the qemu-user tests run under (qemu-x86_64 -cpu MODEL).
QEMU_CPUS  ?= qemu64 Nehalem SandyBridge Haswell max
# Benchmark repetitions per side (rt0 and Go alternate).
BENCH_RUNS ?= 5
# The demo `make run` builds and runs.
DEMO       ?= demo
# `make stress`: runs of each case per GOMAXPROCS and runner, the qemu CPU
# models, and CPU hogs (busy loops) kept running meanwhile.
STRESS_RUNS      ?= 100
STRESS_QEMU_CPUS ?= Haswell qemu64
STRESS_HOGS      ?= 0

export QEMU_CPUS BENCH_RUNS STRESS_RUNS STRESS_QEMU_CPUS STRESS_HOGS

.PHONY: help run test unit models build stress bench size figures fmt clippy clean

help: ## this list
	@echo "rt0 make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-8s %s\n", $$1, $$2}'
	@echo "variables (override with make VAR=value):"
	@echo "  CARGO=$(CARGO)"
	@echo "  QEMU_CPUS=$(QEMU_CPUS)"
	@echo "  BENCH_RUNS=$(BENCH_RUNS)"
	@echo "  DEMO=$(DEMO)"
	@echo "  STRESS_RUNS=$(STRESS_RUNS) STRESS_QEMU_CPUS=$(STRESS_QEMU_CPUS) STRESS_HOGS=$(STRESS_HOGS)"

run: ## build the demo in release and run it with GODEBUG=inittrace=1
	$(CARGO) build --release --example $(DEMO)
	GODEBUG=inittrace=1 ./target/release/examples/$(DEMO) hello from make run

build: ## build the runtime and every program: examples, tests/programs, bench/programs (release)
	$(CARGO) build --release --examples

test: ## everything: fmt/clippy gate, unit tests, then programs natively and under qemu-user (installs qemu-user, binutils and gdb if missing)
	bash scripts/test.sh

unit: ## host unit tests of the pure parts only (parsers, decoders)
	$(CARGO) test --lib

models: ## loom model checks of the lock-free protocols (host crate models/, LOOM_MAX_PREEMPTIONS to widen)
	cd models && $(CARGO) test --release -- --test-threads=1 --nocapture

stress: ## concurrency programs with exact counters, STRESS_RUNS x GOMAXPROCS 1,2,4,8, native and qemu (scripts/stress.py)
	python3 scripts/stress.py

bench: ## benchmarks side by side with Go 1.19: scheduler, channels, network (echo, HTTP), files (cat, lines), processes (spawn); installs Go and wrk if missing
	bash scripts/bench.sh

size: ## what the stripped hello is made of: sections and code by module, with and without the symbolize feature
	python3 scripts/size.py

figures: ## start-up figures: binary size, start-up time, instructions vs bare _start and Go
	bash scripts/figures.sh

fmt: ## cargo fmt
	$(CARGO) fmt

clippy: ## cargo clippy on every target (lib, tests, programs) and models/, as make test's lint gate
	$(CARGO) clippy --release --all-targets -- -D warnings
	cd models && $(CARGO) clippy --release --all-targets -- -D warnings

clean: ## remove build outputs
	$(CARGO) clean
