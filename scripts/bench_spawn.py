#!/usr/bin/env python3
"""Spawning children: rt0::process beside Go's os/exec, side by side.

Each run starts BENCH_SPAWN_COUNT `/bin/true` children and waits for each
(rt0: `process_spawn bench N G`, tests/programs/process_spawn.rs, with
`Command::status`; Go: bench/go/procspawn, `exec.Command(..).Run()`, built
with CGO_ENABLED=0), either one after another (seq, G=1) or from 8
goroutines at once (par8, G=8), at each GOMAXPROCS of BENCH_PROCS. The two
sides alternate run by run (rt0, go, rt0, go, ...) so that a drift of the
machine hits both alike; the figure of each side is the median ns per
child. Per mode and GOMAXPROCS one line:

    bench spawn mode=<seq|par8> gomaxprocs=<P> children=<N> rt0_ns=<median> go_ns=<median> ratio=<go/rt0>

ratio above 1: rt0 spawns faster than Go. A run that fails, reports a
failed child, or prints no `ns/op` line is reported and the exit status is
then 1. Run it alone on the machine: a benchmark beside a build is noise.

Knobs (environment):
  BENCH_SPAWN_COUNT=1000   children per run
  BENCH_SCALE=1            multiplies the count (0.01: a smoke run)
  BENCH_RUNS=5             runs per side and setting (median reported)
  BENCH_PROCS=1,4          GOMAXPROCS values
  BENCH_SPAWN_MODES=seq,par8
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
RT0_BIN = ROOT / "target" / "release" / "examples" / "process_spawn"
GO_BIN = OUT / "go" / "procspawn"
# Goroutines per mode.
MODES = {"seq": 1, "par8": 8}
# Seconds before one run is given up.
RUN_TIMEOUT = 600
NS_RE = re.compile(r"^([0-9.]+) ns/op$", re.M)
FAILED_RE = re.compile(r"failed=([0-9]+)")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def build():
    r = subprocess.run(["cargo", "build", "--release", "--example", "process_spawn"],
                       cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"cargo build failed\n{r.stderr[-2000:]}")
    GO_BIN.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GOFLAGS="-mod=mod", GOPROXY="off", GOTOOLCHAIN="local", CGO_ENABLED="0")
    r = subprocess.run(["go", "build", "-trimpath", "-o", str(GO_BIN), "./procspawn"],
                       cwd=GO_DIR, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"go build failed\n{r.stderr[-2000:]}")


def one(side, count, goroutines, procs):
    """ns per child of one run, or an error string."""
    if side == "rt0":
        argv = [str(RT0_BIN), "bench", str(count), str(goroutines)]
    else:
        argv = [str(GO_BIN), str(count), str(goroutines)]
    env = {"GOMAXPROCS": str(procs), "PATH": "/usr/bin:/bin"}
    try:
        r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"{side}: timed out after {RUN_TIMEOUT} s"
    m = NS_RE.search(r.stdout)
    f = FAILED_RE.search(r.stdout)
    if r.returncode != 0 or not m or not f or f.group(1) != "0":
        return f"{side}: status {r.returncode}\n{r.stdout[-500:]}\n{r.stderr[-500:]}"
    return float(m.group(1))


def main():
    count = max(1, int(int(os.environ.get("BENCH_SPAWN_COUNT", "1000"))
                       * float(os.environ.get("BENCH_SCALE", "1"))))
    runs = max(1, int(os.environ.get("BENCH_RUNS", "5")))
    procs = [int(p) for p in os.environ.get("BENCH_PROCS", "1,4").replace(",", " ").split()]
    modes = os.environ.get("BENCH_SPAWN_MODES", "seq,par8").replace(",", " ").split()
    build()
    failures = []
    for mode in modes:
        g = MODES[mode]
        for p in procs:
            got = {"rt0": [], "go": []}
            for _ in range(runs):
                for side in ("rt0", "go"):
                    v = one(side, count, g, p)
                    if isinstance(v, str):
                        failures.append(f"mode={mode} gomaxprocs={p} {v}")
                        log(f"FAILED: mode={mode} gomaxprocs={p} {v}")
                    else:
                        got[side].append(v)
            if not got["rt0"] or not got["go"]:
                continue
            r, gns = statistics.median(got["rt0"]), statistics.median(got["go"])
            print(f"bench spawn mode={mode} gomaxprocs={p} children={count} "
                  f"rt0_ns={r:.0f} go_ns={gns:.0f} ratio={gns / r:.2f}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
