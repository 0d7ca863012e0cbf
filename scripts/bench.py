#!/usr/bin/env python3
"""`make bench`: rt0's scheduler and channels side by side with Go 1.19.

A workload is a pair: `bench/programs/bench_<name>.rs` (rt0) and its Go twin
`bench/go/<name>/main.go`. Both take the count of work units as argv[1] and
print `<ns> ns/op` as their last stdout line (bench/README.md has the
contract). For GOMAXPROCS 1 and 2, the harness runs the two sides
alternately, BENCH_RUNS times each, and prints per workload and setting:

    bench <name> gomaxprocs=<P> rt0_ns=<median> go_ns=<median> ratio=<rt0/go> rt0_rss_kb=<median> go_rss_kb=<median>

then a readable table. `bench_parallel` adds `speedup rt0=<ns@1/ns@2> go=<...>`;
`timers` adds its lateness percentiles to its line. A run that fails, hangs
(BENCH_TIMEOUT), prints no ns/op or a `check=` different from the other
side's is reported by name, and the exit status is then 1.

Then the network workloads (echo1, echo100, echo1000, http50, http400:
rt0's servers against Go's and tokio's, under one load client), run by
scripts/bench_net.py with the same knobs and BENCH_NET_SECS (its header).

Environment knobs:
  BENCH_RUNS=5        runs per side and setting
  BENCH_TIMEOUT=120   seconds before a run is killed and reported as hung
  BENCH_ONLY=a,b      run only these workloads (network ones also by group: echo, http, net)
  BENCH_PROCS=1,2     GOMAXPROCS settings
  BENCH_SCALE=1       multiply every default count (0.01 for a smoke run)
  BENCH_GO_ONLY=1     run the Go twins alone (before their rt0 sides exist)
  BENCH_NET_SECS=5    seconds per network run (times BENCH_SCALE, at least 1)
"""

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import bench_files  # the file/stdin workloads (scripts/bench_files.py): only their Go twins' names here
import bench_net  # the network workloads (scripts/bench_net.py), run after these

ROOT = Path(__file__).resolve().parent.parent
GO_DIR = ROOT / "bench" / "go"
OUT = ROOT / "target" / "bench"
RUNRSS = OUT / "runrss"

# Units of work per run: each Go twin takes 0.1-1 s with these on a 2-core
# machine, long enough that process start-up is noise.
DEFAULT_COUNTS = {
    "spawn": 1_000_000,       # goroutines
    "yield": 2_000_000,       # Gosched calls per goroutine (two goroutines)
    "park": 1_000_000,        # goroutines parked at once (the issue asks for a million)
    "parallel": 200_000_000,  # elements hashed, over 64 goroutines
    "pingpong": 1_000_000,    # round trips
    "buffered": 5_000_000,    # values through a capacity-128 channel
    "prodcons0": 2_000_000,   # values, P producers -> P consumers
    "prodcons10": 2_000_000,
    "prodcons100": 2_000_000,
    "select": 2_000_000,      # selects over 4 ready channels
    "timers": 100_000,        # sleeping goroutines
}
# A workload without an entry here runs with this count.
FALLBACK_COUNT = 1_000_000

NS_OP = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s+ns/op\s*$")
KEY_VALUE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(\S+)")
# Extra figures a workload prints that the harness reports next to ns/op.
EXTRA_KEYS = {"timers": ["lateness_p50_ns", "lateness_p99_ns"]}


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v.strip() else default


RUNS = env_int("BENCH_RUNS", 5)
TIMEOUT = env_int("BENCH_TIMEOUT", 120)
SCALE = float(os.environ.get("BENCH_SCALE", "") or 1)
PROCS = [int(p) for p in re.split(r"[ ,]+", os.environ.get("BENCH_PROCS", "1,2").strip()) if p]
ONLY = {w for w in re.split(r"[ ,]+", os.environ.get("BENCH_ONLY", "").strip()) if w}
GO_ONLY = os.environ.get("BENCH_GO_ONLY", "") not in ("", "0")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Failures:
    """Every failure, by name; the exit status is 1 when there is any."""

    def __init__(self):
        self.items = []

    def add(self, what):
        log(f"FAILED: {what}")
        self.items.append(what)


def discover():
    """Workloads with both sides, Go twins still waiting for their rt0 side,
    and rt0 benches with no Go twin."""
    rt0 = {p.stem[len("bench_"):] for p in (ROOT / "bench" / "programs").glob("bench_*.rs")}
    not_workloads = {"hello", "procspawn"} | bench_net.GO_PROGRAMS | bench_files.GO_PROGRAMS
    go = {p.parent.name for p in GO_DIR.glob("*/main.go") if p.parent.name not in not_workloads}
    if ONLY:
        rt0, go = rt0 & ONLY, go & ONLY
    return sorted(rt0 & go), sorted(go - rt0), sorted(rt0 - go)


def build(names, sides, failures):
    """Builds each side of each workload; returns {(name, side): binary}."""
    bins = {}
    (OUT / "go").mkdir(parents=True, exist_ok=True)
    if "rt0" in sides:
        for name in names:
            # One example at a time, so one that does not build fails alone.
            r = subprocess.run(["cargo", "build", "--release", "--example", f"bench_{name}"],
                               cwd=ROOT, capture_output=True, text=True)
            if r.returncode != 0:
                failures.add(f"{name}: cargo build failed\n{r.stderr[-2000:]}")
            else:
                bins[(name, "rt0")] = ROOT / "target" / "release" / "examples" / f"bench_{name}"
    if "go" in sides:
        # Offline and self-contained: the twins use only the standard library.
        env = dict(os.environ, GOFLAGS="-mod=mod", GOPROXY="off", GOTOOLCHAIN="local", CGO_ENABLED="0")
        for name in names:
            out = OUT / "go" / name
            r = subprocess.run(["go", "build", "-trimpath", "-o", str(out), f"./{name}"],
                               cwd=GO_DIR, env=env, capture_output=True, text=True)
            if r.returncode != 0:
                failures.add(f"{name}: go build failed\n{r.stderr[-2000:]}")
            else:
                bins[(name, "go")] = out
    return bins


class Run:
    """One run of one binary: ns/op, peak RSS, extra key=values, or an error."""

    def __init__(self, ns=None, rss_kb=None, values=None, error=None):
        self.ns, self.rss_kb, self.values, self.error = ns, rss_kb, values or {}, error


def run_once(binary, count, procs):
    env = dict(os.environ, GOMAXPROCS=str(procs))
    env.pop("GODEBUG", None)  # traces would distort the timing
    stdout_path, stderr_path, rss_path = OUT / "last.stdout", OUT / "last.stderr", OUT / "last.rss"
    rss_path.unlink(missing_ok=True)
    with open(stdout_path, "wb") as so, open(stderr_path, "wb") as se:
        # Through runrss (bench/runrss/runrss.c), not wait4 from here: a child
        # of Python inherits Python's RSS high-water mark. Files, not pipes:
        # nothing to drain. Own session: a timeout kills runrss and the child.
        proc = subprocess.Popen([str(RUNRSS), str(rss_path), str(binary), str(count)],
                                stdout=so, stderr=se, env=env, start_new_session=True)
        try:
            proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return Run(error=f"hung: killed after {TIMEOUT} s")
    out = stdout_path.read_text(errors="replace")
    err = stderr_path.read_text(errors="replace")
    report = dict(KEY_VALUE.findall(rss_path.read_text())) if rss_path.exists() else {}
    if proc.returncode != 0 or "status" not in report:
        return Run(error=f"launcher runrss failed (status {proc.returncode}): {err.strip()[-500:]!r}")
    code = os.waitstatus_to_exitcode(int(report["status"]))
    if code != 0:
        how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
        return Run(error=f"{how}; stderr: {err.strip()[-500:]!r}")
    lines = [l for l in out.splitlines() if l.strip()]
    m = NS_OP.match(lines[-1]) if lines else None
    if not m:
        return Run(error=f"last stdout line is not '<ns> ns/op': {lines[-1] if lines else '(no output)'!r}")
    values = {}
    for line in lines[:-1]:
        values.update(KEY_VALUE.findall(line))
    return Run(ns=float(m.group(1)), rss_kb=int(report["maxrss_kb"]), values=values)


def build_tools():
    """The launcher that measures peak RSS, and a bare binary to measure the
    floor the launcher leaves in every RSS figure. Returns the floor in KiB."""
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(["gcc", "-O2", "-static", "-o", str(RUNRSS), str(ROOT / "bench/runrss/runrss.c")], check=True)
    subprocess.run(["gcc", "-nostdlib", "-static", "-o", str(OUT / "bare"), str(ROOT / "bench/bare/bare.S")],
                   check=True)
    rss_path = OUT / "floor.rss"
    subprocess.run([str(RUNRSS), str(rss_path), str(OUT / "bare")], check=True)
    return int(dict(KEY_VALUE.findall(rss_path.read_text()))["maxrss_kb"])


def median(xs):
    return statistics.median(xs) if xs else None


def fmt_num(x, digits=1):
    return "NA" if x is None else f"{x:.{digits}f}"


def measure(name, bins, sides, failures):
    """All runs of one workload; returns {procs: {side: [Run]}}."""
    count = max(1, int(DEFAULT_COUNTS.get(name, FALLBACK_COUNT) * SCALE))
    results = {}
    for procs in PROCS:
        runs = {side: [] for side in sides}
        for i in range(RUNS):
            # Alternate, and swap who goes first, so drift hits both alike.
            order = sides if i % 2 == 0 else sides[::-1]
            for side in order:
                if (name, side) not in bins:
                    continue
                t0 = time.monotonic()
                r = run_once(bins[(name, side)], count, procs)
                runs[side].append(r)
                status = r.error or f"{r.ns} ns/op, {r.rss_kb} KiB"
                log(f"  {name} P={procs} {side} run {i + 1}/{RUNS}: {status} ({time.monotonic() - t0:.2f} s)")
                if r.error:
                    failures.add(f"{name} gomaxprocs={procs} {side} run {i + 1}: {r.error}")
        # check= depends only on the count: every run of both sides agrees.
        checks = {(side, r.values["check"]) for side in runs for r in runs[side]
                  if r.error is None and "check" in r.values}
        if len({c for _, c in checks}) > 1:
            failures.add(f"{name} gomaxprocs={procs}: check values differ: {sorted(checks)}")
        results[procs] = runs
    return count, results


def report(name, count, results, sides, rows):
    for procs, runs in results.items():
        ok = {s: [r for r in runs[s] if r.error is None] for s in sides}
        ns = {s: median([r.ns for r in ok[s]]) for s in sides}
        rss = {s: median([r.rss_kb for r in ok[s]]) for s in sides}
        line = f"bench {name} gomaxprocs={procs}"
        for s in sides:
            line += f" {s}_ns={fmt_num(ns[s])}"
        if len(sides) == 2:
            ratio = ns["rt0"] / ns["go"] if ns["rt0"] and ns["go"] else None
            line += f" ratio={fmt_num(ratio, 3)}"
        else:
            ratio = None
        for s in sides:
            line += f" {s}_rss_kb={fmt_num(rss[s], 0)}"
        extras = {}
        for key in EXTRA_KEYS.get(name, []):
            for s in sides:
                v = median([float(r.values[key]) for r in ok[s] if key in r.values])
                extras[(s, key)] = v
                line += f" {s}_{key}={fmt_num(v, 0)}"
        print(line, flush=True)
        spread = {s: (max(r.ns for r in ok[s]) - min(r.ns for r in ok[s])) / ns[s] * 100 if ok[s] and ns[s] else None
                  for s in sides}
        rows.append(dict(name=name, procs=procs, count=count, ns=ns, rss=rss, ratio=ratio, spread=spread,
                         ok={s: f"{len(ok[s])}/{len(runs[s])}" for s in sides}, extras=extras))
    if name == "parallel" and 1 in results and 2 in results:
        line = "speedup"
        for s in sides:
            at = {p: median([r.ns for r in results[p][s] if r.error is None]) for p in (1, 2)}
            line += f" {s}={fmt_num(at[1] / at[2] if at[1] and at[2] else None, 2)}"
        print(line, flush=True)


def table(rows, sides):
    """The same figures for people: one row per workload and GOMAXPROCS."""
    head = f"{'workload':<12} {'P':>2} {'count':>11}"
    for s in sides:
        head += f" {s + ' ns/op':>12} {'+-%':>5}"
    if len(sides) == 2:
        head += f" {'rt0/go':>7}"
    for s in sides:
        head += f" {s + ' RSS MiB':>12}"
    for s in sides:
        head += f" {s + ' ok':>7}"
    print()
    print(head)
    print("-" * len(head))
    for r in rows:
        line = f"{r['name']:<12} {r['procs']:>2} {r['count']:>11,}"
        for s in sides:
            line += f" {fmt_num(r['ns'][s]):>12} {fmt_num(r['spread'][s], 0):>5}"
        if len(sides) == 2:
            line += f" {fmt_num(r['ratio'], 2):>7}"
        for s in sides:
            mib = r["rss"][s] / 1024 if r["rss"][s] is not None else None
            line += f" {fmt_num(mib):>12}"
        for s in sides:
            line += f" {r['ok'][s]:>7}"
        print(line)
        for (s, key), v in r["extras"].items():
            print(f"{'':<16}{s} {key} = {fmt_num(v, 0)}")
    print("+-% is the spread of the runs, (max - min) / median. RSS is the median peak resident set.")


def main():
    failures = Failures()
    pairs, waiting, no_twin = discover()
    for name in waiting:
        log(f"note: {name} has a Go twin but no bench/programs/bench_{name}.rs yet")
    for name in no_twin:
        log(f"note: bench/programs/bench_{name}.rs has no Go twin bench/go/{name}/main.go")
    if GO_ONLY:
        names, sides = sorted(set(pairs) | set(waiting)), ["go"]
    else:
        names, sides = pairs, ["rt0", "go"]
    net = bench_net.selected()
    if not names and not net:
        log("nothing to compare: no workload has both sides (BENCH_GO_ONLY=1 runs the Go twins alone)")
        return 2
    for tool in ["go"] + (["cargo"] if "rt0" in sides else []):
        if shutil.which(tool) is None:
            log(f"{tool} not found (scripts/bench.sh installs Go)")
            return 2
    if names:
        log(f"workloads: {', '.join(names)}; GOMAXPROCS {PROCS}; {RUNS} runs per side; timeout {TIMEOUT} s")
        floor = build_tools()
        log(f"RSS floor: {floor} KiB (a bare _start binary run through bench/runrss)")
        bins = build(names, sides, failures)
        rows = []
        for name in names:
            count, results = measure(name, bins, sides, failures)
            report(name, count, results, sides, rows)
        table(rows, sides)
        print(f"RSS floor: {floor} KiB, the peak RSS reported for a bare _start: exit_group(0) binary.")
    measured_net = bench_net.run(failures, net) if net else 0
    if not names and not measured_net and not failures.items:
        log("nothing to compare: the network workloads wait for rt0's examples (BENCH_GO_ONLY=1 runs the others)")
        return 2
    if failures.items:
        print(f"\n{len(failures.items)} failure(s):")
        for f in failures.items:
            print(f"  {f.splitlines()[0]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
