#!/usr/bin/env python3
"""Asynchronous preemption: what it costs CPU-bound programs, and what it
buys a timer beside CPU hogs, rt0 against Go 1.19 in one run.

1. Overhead (bench/programs/preempt_cpu.rs and its Go twin
   bench/go/preempt_cpu): FNV-1a over a 64 MiB buffer split among the
   goroutines, each chunk hashed 40 times, and the spectral norm, each with
   preemption on and with GODEBUG=asyncpreemptoff=1, rt0 and Go
   alternating run by run. Three shapes: `hash_per_p` (one goroutine per P:
   sysmon still preempts each every 10 ms, and it resumes at once: the cost
   of the mechanism itself), `hash` and `spectral` with 8 goroutines (more
   than the Ps: preemption time-slices them). Per workload and GOMAXPROCS:

    bench preempt work=<w> gomaxprocs=<P> goroutines=<G> on_ns= off_ns= overhead_pct= go_on_ns= go_off_ns= go_overhead_pct= ratio_on=

   Goal: overhead_pct within +-1 where the shape allows it (noise included:
   run it alone). Time-slicing 8 hashers over 8 MiB chunks mixes their
   working sets in the caches: Go pays that too (its go_overhead_pct is
   read beside ours). Every run must print the same check= value.

2. Timer lateness (tests/programs/preempt_spin.rs `ticker`, and its Go twin
   bench/go/preempt_timer built with CGO_ENABLED=0): a 1 ms sleep repeated
   beside a hog on every P, alternating rt0 and Go; medians of the runs'
   p50/p99 per side:

    bench preempt_timer gomaxprocs=<P> rt0_p50_us= rt0_p99_us= go_p50_us= go_p99_us=

   Goal: rt0's figures no worse than Go's.

A run that fails or prints no figure is reported, and the exit status is
then 1. Run it alone on the machine: a benchmark beside a build is noise.

Knobs (environment):
  BENCH_SCALE=1        multiplies the sizes (0.01: a smoke run)
  BENCH_RUNS=5         runs per side and setting (median reported)
  BENCH_PROCS=1,2      GOMAXPROCS values
  BENCH_PREEMPT=hash_per_p,hash,spectral,timer   which parts to run
"""

import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GO_DIR = ROOT / "bench" / "go"
OUT = ROOT / "target" / "bench"
EXAMPLES = ROOT / "target" / "release" / "examples"
CPU_BIN = EXAMPLES / "preempt_cpu"
TICKER_BIN = EXAMPLES / "preempt_spin"
GO_TIMER_BIN = OUT / "go" / "preempt_timer"
GO_CPU_BIN = OUT / "go" / "preempt_cpu"
# Seconds before one run is given up.
RUN_TIMEOUT = 120
# Goroutines of the CPU workloads (more than the Ps: preemption happens).
CPU_GOROUTINES = 8
# Full-size workloads: hash MIB and rounds, spectral N; ticker ticks.
HASH_MIB, HASH_ROUNDS = 64, 40
SPECTRAL_N = 3000
TICKS = 500
NS_RE = re.compile(r"^([0-9]+) ns$", re.M)
CHECK_RE = re.compile(r"^check=(\S+)$", re.M)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def build():
    r = subprocess.run(["cargo", "build", "--release", "--example", "preempt_cpu",
                        "--example", "preempt_spin"], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"cargo build failed\n{r.stderr[-2000:]}")
    GO_TIMER_BIN.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GOFLAGS="-mod=mod", GOPROXY="off", GOTOOLCHAIN="local", CGO_ENABLED="0")
    for binary, pkg in ((GO_TIMER_BIN, "./preempt_timer"), (GO_CPU_BIN, "./preempt_cpu")):
        r = subprocess.run(["go", "build", "-trimpath", "-o", str(binary), pkg],
                           cwd=GO_DIR, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"go build failed\n{r.stderr[-2000:]}")


def run(argv, env):
    """stdout of a successful run, or an error string."""
    try:
        r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, f"{argv[0]}: timed out after {RUN_TIMEOUT} s"
    if r.returncode != 0 or r.stderr:
        return None, f"{' '.join(argv)}: status {r.returncode}\n{r.stdout[-500:]}\n{r.stderr[-500:]}"
    return r.stdout, None


def overhead(work, scale, runs, procs, failures):
    """rt0 and its Go twin, each with preemption on and off, alternating."""
    for p in procs:
        if work == "hash":
            args = ["hash", str(max(1, int(HASH_MIB * scale))), str(max(1, int(HASH_ROUNDS * scale))),
                    str(CPU_GOROUTINES)]
        elif work == "hash_per_p":
            args = ["hash", str(max(1, int(HASH_MIB * scale))), str(max(1, int(HASH_ROUNDS * scale))),
                    str(p)]
        else:
            args = ["spectral", str(max(16, int(SPECTRAL_N * scale))), str(CPU_GOROUTINES)]
        got = {k: [] for k in ("rt0_on", "rt0_off", "go_on", "go_off")}
        checks = set()
        for _ in range(runs):
            for side in got:
                env = {"GOMAXPROCS": str(p)}
                if side.endswith("off"):
                    env["GODEBUG"] = "asyncpreemptoff=1"
                binary = CPU_BIN if side.startswith("rt0") else GO_CPU_BIN
                out, err = run([str(binary)] + args, env)
                m = out and NS_RE.search(out)
                c = out and CHECK_RE.search(out)
                if err or not m or not c:
                    err = err or f"{work} {side}: no figure\n{out[-500:]}"
                    failures.append(err)
                    log(f"FAILED: gomaxprocs={p} {err}")
                    continue
                got[side].append(int(m.group(1)))
                checks.add(c.group(1))
        if len(checks) > 1:
            failures.append(f"{work} gomaxprocs={p}: check values differ: {sorted(checks)}")
            log(f"FAILED: {failures[-1]}")
        if not all(got.values()):
            continue
        med = {k: statistics.median(v) for k, v in got.items()}
        pct = lambda on, off: (on - off) / off * 100
        print(f"bench preempt work={work} gomaxprocs={p} goroutines={args[-1]} "
              f"on_ns={med['rt0_on']:.0f} off_ns={med['rt0_off']:.0f} "
              f"overhead_pct={pct(med['rt0_on'], med['rt0_off']):+.2f} "
              f"go_on_ns={med['go_on']:.0f} go_off_ns={med['go_off']:.0f} "
              f"go_overhead_pct={pct(med['go_on'], med['go_off']):+.2f} "
              f"ratio_on={med['rt0_on'] / med['go_on']:.2f}", flush=True)


def fields(out):
    return dict(t.split("=", 1) for t in out.split() if "=" in t)


def timer(scale, runs, procs, failures):
    ticks = str(max(10, int(TICKS * scale)))
    for p in procs:
        got = {"rt0": [], "go": []}
        for _ in range(runs):
            for side in ("rt0", "go"):
                if side == "rt0":
                    argv = [str(TICKER_BIN), "ticker", str(p), ticks, "1000"]
                else:
                    argv = [str(GO_TIMER_BIN), "ticker", str(p), ticks, "1000"]
                out, err = run(argv, {"GOMAXPROCS": str(p)})
                f = fields(out or "")
                if err or "p99_us" not in f or f.get("early") != "0":
                    err = err or f"{side}: bad output\n{(out or '')[-500:]}"
                    failures.append(err)
                    log(f"FAILED: timer gomaxprocs={p} {err}")
                    continue
                got[side].append((int(f["p50_us"]), int(f["p99_us"])))
        if not got["rt0"] or not got["go"]:
            continue
        med = {s: (statistics.median(v[0] for v in got[s]), statistics.median(v[1] for v in got[s]))
               for s in got}
        print(f"bench preempt_timer gomaxprocs={p} ticks={ticks} "
              f"rt0_p50_us={med['rt0'][0]:.0f} rt0_p99_us={med['rt0'][1]:.0f} "
              f"go_p50_us={med['go'][0]:.0f} go_p99_us={med['go'][1]:.0f}", flush=True)


def main():
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    runs = max(1, int(os.environ.get("BENCH_RUNS", "5")))
    procs = [int(p) for p in os.environ.get("BENCH_PROCS", "1,2").replace(",", " ").split()]
    parts = os.environ.get("BENCH_PREEMPT", "hash_per_p,hash,spectral,timer").replace(",", " ").split()
    build()
    failures = []
    for work in ("hash_per_p", "hash", "spectral"):
        if work in parts:
            overhead(work, scale, runs, procs, failures)
    if "timer" in parts:
        timer(scale, runs, procs, failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
