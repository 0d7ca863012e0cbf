#!/usr/bin/env python3
"""The file and stdin benchmarks of issue 10: rt0 beside Go and coreutils.

Run alone: `python3 scripts/bench_files.py` (the machine should be quiet).
Workloads:

- cat: `cat FILE > /dev/null` of a BENCH_FILES_MB file of random bytes
  (real data, generated once into target/bench/files/, never sparse), by
  rt0's examples/cat.rs, coreutils `cat` and a Go twin that does
  `io.Copy(os.Stdout, f)` (bench/go/cat, CGO_ENABLED=0). Figure: MB/s.
- lines: stdin read line by line, counting lines and bytes, by rt0's
  tests/programs/stdio_count.rs (`stdin().lock()`, `read_until`), a Go
  twin with `bufio.Scanner` (bench/go/lines) and `wc -l`; the input is a
  BENCH_LINES_MB text file of lines of 0..120 bytes, fed through a pipe
  by coreutils cat (BENCH_LINES_STDIN=pipe, the netpoller's path) or
  redirected from the file (=file, plain reads). Figure: MB/s.

Sides alternate within each round (the first side rotates), each side runs
BENCH_RUNS times, and the medians are compared: ratio = rt0 / other, above
1 means rt0 is faster. Every run's output is checked (cat: byte count on
/dev/null is not visible, so the first run of each side is also checked
into a pipe for the right size; lines: the counts must agree with wc).

    bench <name> mb=<MB> <side>_mbps=<median> ... rt0_over_<side>=<ratio>

Knobs (environment):
  BENCH_ONLY=cat,lines      workloads by name
  BENCH_RUNS=5              runs per side (median reported)
  BENCH_FILES_MB=1024       size of the cat file in MB (1 MB = 2^20 bytes)
  BENCH_LINES_MB=256        size of the lines input in MB
  BENCH_LINES_STDIN=pipe    pipe or file
Exit status: 0, or 1 when a side failed to build, failed or miscounted.
"""

import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GO_DIR = ROOT / "bench" / "go"
OUT = ROOT / "target" / "bench" / "files"

# The Go programs of these benchmarks: scripts/bench.py must not take
# them for scheduler workloads.
GO_PROGRAMS = {"cat", "lines"}

MB = 1 << 20
CHUNK = 4 * MB              # bytes generated and written at a time
LINE_MAX = 120              # longest generated line, newline excluded
LINE_BLOCK = 8 * MB         # distinct text generated, then repeated


def env_int(name, default):
    v = os.environ.get(name, "").strip()
    return int(v) if v else default


RUNS = max(1, env_int("BENCH_RUNS", 5))
FILES_MB = max(1, env_int("BENCH_FILES_MB", 1024))
LINES_MB = max(1, env_int("BENCH_LINES_MB", 256))
LINES_STDIN = os.environ.get("BENCH_LINES_STDIN", "pipe").strip() or "pipe"
ONLY = {w for w in os.environ.get("BENCH_ONLY", "").replace(",", " ").split() if w}
WORKLOADS = ["cat", "lines"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Failures:
    def __init__(self):
        self.items = []

    def add(self, what):
        log(f"FAILED: {what}")
        self.items.append(what)


def data_file(mb):
    """target/bench/files/random-<mb>M: random bytes, generated once."""
    path = OUT / f"random-{mb}M"
    if path.is_file() and path.stat().st_size == mb * MB:
        return path
    log(f"generating {path} ({mb} MB of random bytes)")
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        left = mb * MB
        while left:
            n = min(CHUNK, left)
            f.write(os.urandom(n))
            left -= n
    tmp.rename(path)
    return path


def lines_file(mb):
    """target/bench/files/lines-<mb>M: text lines of 0..LINE_MAX bytes,
    an 8 MB block of them repeated; returns (path, lines)."""
    path = OUT / f"lines-{mb}M"
    rng = random.Random(10)
    block = bytearray()
    while len(block) < min(LINE_BLOCK, mb * MB):
        n = rng.randrange(LINE_MAX + 1)
        block += bytes(rng.randrange(0x21, 0x7f) for _ in range(n)) + b"\n"
    total = mb * MB
    reps, rest = divmod(total, len(block))
    tail = block[:rest]
    tail = tail[:tail.rfind(b"\n") + 1]
    want_lines = reps * block.count(b"\n") + tail.count(b"\n")
    if not (path.is_file() and path.stat().st_size == reps * len(block) + len(tail)):
        log(f"generating {path} ({mb} MB of text lines)")
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            for _ in range(reps):
                f.write(block)
            f.write(tail)
        tmp.rename(path)
    return path, want_lines


def build(failures):
    """Builds rt0's programs and the Go twins; returns {name: path}."""
    bins = {}
    (OUT / "go").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GOFLAGS="-mod=mod", GOPROXY="off", GOTOOLCHAIN="local", CGO_ENABLED="0")
    for prog in sorted(GO_PROGRAMS):
        out = OUT / "go" / prog
        r = subprocess.run(["go", "build", "-trimpath", "-o", str(out), f"./{prog}"],
                           cwd=GO_DIR, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            failures.add(f"bench/go/{prog}: go build failed\n{r.stderr[-2000:]}")
        else:
            bins[f"go_{prog}"] = out
    for example in ["cat", "stdio_count"]:
        r = subprocess.run(["cargo", "build", "--release", "--example", example],
                           cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 0:
            failures.add(f"rt0 {example}: cargo build failed\n{r.stderr[-2000:]}")
        else:
            bins[f"rt0_{example}"] = ROOT / "target" / "release" / "examples" / example
    return bins


def timed(argv, stdin=None, stdout=subprocess.DEVNULL, feeder=None):
    """Runs argv; returns (seconds, stdout bytes or None, exit status).
    With feeder (an argv), its stdout is argv's stdin, through a pipe."""
    t0 = time.perf_counter()
    feed = subprocess.Popen(feeder, stdout=subprocess.PIPE) if feeder else None
    p = subprocess.Popen(argv, stdin=feed.stdout if feed else stdin, stdout=stdout,
                         stderr=subprocess.PIPE)
    if feed:
        feed.stdout.close()
    out, err = p.communicate()
    if feed:
        feed.wait()
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        log(f"  {argv[0]} exited {p.returncode}: {err[-500:]!r}")
    return dt, out, p.returncode


def median(xs):
    return statistics.median(xs) if xs else None


def fmt(x, digits=1):
    return "NA" if x is None else f"{x:.{digits}f}"


def measure(name, sides, run_one, mb, failures):
    """Alternates the sides RUNS times; returns {side: [MB/s]}."""
    speeds = {s: [] for s in sides}
    for i in range(RUNS):
        order = sides[i % len(sides):] + sides[:i % len(sides)]
        for side in order:
            dt, ok = run_one(side)
            if not ok:
                failures.add(f"{name} {side} run {i + 1}")
                continue
            speeds[side].append(mb / dt)
            log(f"  {name} {side} run {i + 1}/{RUNS}: {mb / dt:.0f} MB/s ({dt:.2f} s)")
    return speeds


def bench_cat(bins, failures):
    path = data_file(FILES_MB)
    size = path.stat().st_size
    argv = {"rt0": [str(bins["rt0_cat"]), str(path)] if "rt0_cat" in bins else None,
            "coreutils": ["cat", str(path)],
            "go": [str(bins["go_cat"]), str(path)] if "go_cat" in bins else None}
    sides = [s for s in ["rt0", "coreutils", "go"] if argv[s]]
    # Checked once into a pipe: the whole file arrives.
    for s in sides:
        p = subprocess.Popen(argv[s], stdout=subprocess.PIPE)
        n = 0
        while chunk := p.stdout.read(CHUNK):
            n += len(chunk)
        if p.wait() != 0 or n != size:
            failures.add(f"cat {s}: {n} bytes of {size} into a pipe, status {p.returncode}")
            sides.remove(s)

    def run_one(side):
        dt, _, st = timed(argv[side])
        return dt, st == 0
    return "cat", FILES_MB, sides, measure("cat", sides, run_one, FILES_MB, failures)


def bench_lines(bins, failures):
    path, want = lines_file(LINES_MB)
    size = path.stat().st_size
    argv = {"rt0": [str(bins["rt0_stdio_count"])] if "rt0_stdio_count" in bins else None,
            "go": [str(bins["go_lines"])] if "go_lines" in bins else None,
            "wc": ["wc", "-l"]}
    sides = [s for s in ["rt0", "go", "wc"] if argv[s]]

    def run_one(side):
        if LINES_STDIN == "file":
            with open(path, "rb") as f:
                dt, out, st = timed(argv[side], stdin=f, stdout=subprocess.PIPE)
        else:
            dt, out, st = timed(argv[side], stdout=subprocess.PIPE, feeder=["cat", str(path)])
        text = out.decode(errors="replace").strip()
        expect = str(want) if side == "wc" else f"lines={want} bytes={size}"
        if st != 0 or text != expect:
            log(f"  lines {side}: printed {text!r}, want {expect!r}")
            return dt, False
        return dt, True
    return f"lines({LINES_STDIN})", size / MB, sides, measure("lines", sides, run_one, size / MB, failures)


def report(rows):
    for name, mb, sides, speeds in rows:
        med = {s: median(speeds[s]) for s in sides}
        line = f"bench {name} mb={mb:.0f}" + "".join(f" {s}_mbps={fmt(med[s])}" for s in sides)
        if "rt0" in sides:
            line += "".join(f" rt0_over_{s}={fmt(med['rt0'] / med[s] if med['rt0'] and med[s] else None, 3)}"
                            for s in sides if s != "rt0")
        print(line, flush=True)
    head = f"{'workload':<12} {'side':<10} {'MB/s':>9} {'+-%':>5} {'runs':>5}  rt0/side"
    print()
    print(head)
    print("-" * len(head))
    for name, mb, sides, speeds in rows:
        med = {s: median(speeds[s]) for s in sides}
        for s in sides:
            xs = speeds[s]
            spread = (max(xs) - min(xs)) / med[s] * 100 if xs and med[s] else None
            rel = med["rt0"] / med[s] if "rt0" in med and s != "rt0" and med["rt0"] and med[s] else None
            print(f"{name:<12} {s:<10} {fmt(med[s], 0):>9} {fmt(spread, 0):>5} {len(xs):>5}"
                  f"  {fmt(rel, 2) if rel is not None else ''}")
    print("MB/s: median over the runs (1 MB = 2^20 bytes); +-%: (max - min) / median.")


def main():
    failures = Failures()
    for tool in ["go", "cargo", "cat", "wc"]:
        if shutil.which(tool) is None:
            failures.add(f"{tool} not found")
            return 1
    if LINES_STDIN not in ("pipe", "file"):
        failures.add(f"BENCH_LINES_STDIN={LINES_STDIN!r}: pipe or file")
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    names = [w for w in WORKLOADS if not ONLY or w in ONLY]
    log(f"file workloads: {', '.join(names)}; {RUNS} runs per side; cat {FILES_MB} MB, lines {LINES_MB} MB "
        f"from a {LINES_STDIN}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    bins = build(failures)
    rows = []
    if "cat" in names:
        rows.append(bench_cat(bins, failures))
    if "lines" in names:
        rows.append(bench_lines(bins, failures))
    report(rows)
    log(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if failures.items else 0


if __name__ == "__main__":
    sys.exit(main())
