#!/usr/bin/env python3
"""The network benchmarks of `make bench`: rt0's servers beside Go's (and tokio's).

Called by scripts/bench.py after the scheduler workloads (same knobs), or
alone: `python3 scripts/bench_net.py`. bench/README.md, "Network", has the
whole description. In short:

- echo1, echo100, echo1000: TCP echo, 64-byte messages, 1/100/1000
  connections, driven by one load client written once in Go
  (bench/go/netload) against rt0's examples/echo_server, its Go twin
  (bench/go/echo_server) and a tokio twin (bench/tokio_echo).
- http50, http400: `wrk -t1 -c50` / `-c400 --latency` against rt0's
  examples/http_hello, its Go twin on raw net (bench/go/http_hello) and Go's
  net/http (bench/go/http_nethttp), after a check that the first two answer
  the same bytes to a pipelined request batch.

Each run starts a fresh server on a free loopback port with GOMAXPROCS=P,
waits until it accepts, runs the client (GOMAXPROCS=1) for BENCH_NET_SECS,
then kills the server. Sides rotate between rounds. Per workload and P:

    bench <name> gomaxprocs=<P> conns=<N> secs=<S> <side>_rps=<median> ... ratio=<rt0/go> rt0_over_<third>=<...> <side>_p50_us=... <side>_p99_us=... <side>_srv_cpu=... <side>_cli_cpu=...

ratio is in requests/s: above 1, rt0 serves more than Go. A server that does
not start, dies, or stalls a connection, a client error, a wrk socket error
or a non-2xx answer is reported by name and the exit status is then 1.

Knobs (environment), shared with scripts/bench.py:
  BENCH_ONLY=echo100,http   workloads by name, or the groups echo, http, net
  BENCH_PROCS=1,2           the servers' GOMAXPROCS (tokio: its worker count)
  BENCH_RUNS=5              runs per side and setting (median reported)
  BENCH_SCALE=1             multiplies BENCH_NET_SECS (0.01: 1 s smoke runs)
  BENCH_GO_ONLY=1           run every side but rt0's
and its own:
  BENCH_NET_SECS=5          measured seconds per run (at least 1 after scaling)
  BENCH_NET_CLIENT_CPU=     pin the client (netload, wrk) to these CPUs with taskset (e.g. 1)
  BENCH_NET_SERVER_CPU=     pin every server to these CPUs (e.g. 0, or 0,1 at GOMAXPROCS=2)
  BENCH_NET_RT0_DIR=        take rt0's echo_server and http_hello from this
                            directory instead of building them (another
                            checkout's target/release/examples: before/after)
"""

import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GO_DIR = ROOT / "bench" / "go"
OUT = ROOT / "target" / "bench" / "net"
TOKIO_DIR = ROOT / "bench" / "tokio_echo"

# The Go programs of the network benchmarks: bench.py must not take them
# for scheduler workloads (those are every other bench/go/<name>/main.go).
GO_PROGRAMS = {"netload", "echo_server", "http_hello", "http_nethttp"}

# name -> (kind, connections)
WORKLOADS = {
    "echo1": ("echo", 1),
    "echo100": ("echo", 100),
    "echo1000": ("echo", 1000),
    "http50": ("http", 50),
    "http400": ("http", 400),
}
# The sides of each kind, rt0 first; the ratio is rt0 over the second.
SIDES = {"echo": ["rt0", "go", "tokio"], "http": ["rt0", "go", "nethttp"]}
# rt0's example for each kind (examples/<name>.rs, argv[1] = listen address).
RT0_EXAMPLE = {"echo": "echo_server", "http": "http_hello"}
GO_SERVER = {("echo", "go"): "echo_server", ("http", "go"): "http_hello", ("http", "nethttp"): "http_nethttp"}

ECHO_SIZE = 64           # bytes per message, as the issue asks
WARMUP_FRACTION = 0.1    # netload's uncounted warm-up, as a share of the measured time
START_TIMEOUT = 10.0     # seconds for a server to accept its first connection
CONNECT_RETRY = 0.01     # seconds between the connect attempts meanwhile
CLIENT_SLACK = 60        # seconds a client may run past its duration before it is killed
KILL_WAIT = 5.0          # seconds for a SIGKILLed server to be reaped
# wrk prints HTTP response bytes in its own units; these are its latency units.
WRK_UNITS_US = {"us": 1.0, "ms": 1e3, "s": 1e6, "m": 60e6, "h": 3600e6}
HTTP_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nhello, world\n"
HTTP_BODY = b"hello, world\n"
# The check batch: two keep-alive GETs and a closing one, sent in one write.
HTTP_CHECK = (b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n" * 2
              + b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
HTTP_CHECK_ANSWERS = 3


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v.strip() else default


def env_list(name, default=""):
    return [w for w in re.split(r"[ ,]+", os.environ.get(name, default).strip()) if w]


RUNS = env_int("BENCH_RUNS", 5)
SCALE = float(os.environ.get("BENCH_SCALE", "") or 1)
PROCS = [int(p) for p in env_list("BENCH_PROCS", "1,2")]
ONLY = set(env_list("BENCH_ONLY"))
GO_ONLY = os.environ.get("BENCH_GO_ONLY", "") not in ("", "0")
SECS = max(1, round(float(os.environ.get("BENCH_NET_SECS", "") or 5) * SCALE))
CLIENT_CPU = os.environ.get("BENCH_NET_CLIENT_CPU", "").strip()
SERVER_CPU = os.environ.get("BENCH_NET_SERVER_CPU", "").strip()
RT0_DIR = os.environ.get("BENCH_NET_RT0_DIR", "").strip()


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Failures:
    """Every failure, by name (bench.py passes its own, with the same add)."""

    def __init__(self):
        self.items = []

    def add(self, what):
        log(f"FAILED: {what}")
        self.items.append(what)


def selected(only=None):
    """The network workloads BENCH_ONLY asks for (all when it is empty)."""
    only = ONLY if only is None else only
    if not only:
        return list(WORKLOADS)
    return [n for n, (kind, _) in WORKLOADS.items() if n in only or kind in only or "net" in only]


def raise_fd_limit():
    """Soft RLIMIT_NOFILE up to the hard one, for the children: 1000
    connections are 1000 descriptors on each side."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    need = 2 * max(c for _, c in WORKLOADS.values()) + 64
    if hard != resource.RLIM_INFINITY and hard < need:
        log(f"warning: the hard fd limit is {hard}; echo1000 needs about {need}")
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# ---------------------------------------------------------------- building

def build(kinds, sides_of, failures):
    """Builds the client and every server asked for; returns
    {"netload": path, (kind, side): argv prefix}."""
    bins = {}
    (OUT / "go").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GOFLAGS="-mod=mod", GOPROXY="off", GOTOOLCHAIN="local", CGO_ENABLED="0")
    go_progs = {"netload"} if "echo" in kinds else set()
    go_progs |= {GO_SERVER[(k, s)] for k in kinds for s in sides_of[k] if (k, s) in GO_SERVER}
    for prog in sorted(go_progs):
        out = OUT / "go" / prog
        r = subprocess.run(["go", "build", "-trimpath", "-o", str(out), f"./{prog}"],
                           cwd=GO_DIR, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            failures.add(f"bench/go/{prog}: go build failed\n{r.stderr[-2000:]}")
            continue
        if prog == "netload":
            bins["netload"] = out
        for key, name in GO_SERVER.items():
            if name == prog:
                bins[key] = [str(out)]
    for kind in kinds:
        if "rt0" not in sides_of[kind]:
            continue
        example = RT0_EXAMPLE[kind]
        if RT0_DIR:
            path = Path(RT0_DIR) / example
            if path.is_file():
                bins[(kind, "rt0")] = [str(path)]
            else:
                failures.add(f"rt0 {example}: BENCH_NET_RT0_DIR has no {path}")
            continue
        r = subprocess.run(["cargo", "build", "--release", "--example", example],
                           cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 0:
            failures.add(f"rt0 {example}: cargo build failed\n{r.stderr[-2000:]}")
        else:
            bins[(kind, "rt0")] = [str(ROOT / "target" / "release" / "examples" / example)]
    if "echo" in kinds and "tokio" in sides_of["echo"]:
        target = ROOT / "target" / "bench" / "tokio_echo"
        r = subprocess.run(["cargo", "build", "--release", "--manifest-path", str(TOKIO_DIR / "Cargo.toml"),
                            "--target-dir", str(target)], cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 0:
            failures.add(f"tokio_echo: cargo build failed\n{r.stderr[-2000:]}")
        else:
            bins[("echo", "tokio")] = [str(target / "release" / "tokio_echo")]
    return bins


# ---------------------------------------------------------------- one run

class Run:
    """One run of one side: the client's figures, or an error."""

    def __init__(self, rps=None, p50=None, p99=None, srv_cpu=None, cli_cpu=None, connect_ms=None, error=None):
        self.rps, self.p50, self.p99 = rps, p50, p99
        self.srv_cpu, self.cli_cpu, self.connect_ms, self.error = srv_cpu, cli_cpu, connect_ms, error


def free_port():
    """A loopback port nobody listens on now (the kernel's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ticks(pid):
    """utime + stime of a process, all its threads, in clock ticks."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
    return int(fields[11]) + int(fields[12])      # fields 14 and 15 of proc(5)


def tail(path, n=500):
    try:
        return path.read_text(errors="replace").strip()[-n:]
    except OSError:
        return ""


class Server:
    """A server process on a free port, in its own session."""

    def __init__(self, argv, procs, label):
        self.label = label
        self.port = free_port()
        self.addr = f"127.0.0.1:{self.port}"
        self.stderr_path = OUT / "server.stderr"
        env = dict(os.environ, GOMAXPROCS=str(procs))
        env.pop("GODEBUG", None)
        with open(OUT / "server.stdout", "wb") as so, open(self.stderr_path, "wb") as se:
            pin = ["taskset", "-c", SERVER_CPU] if SERVER_CPU else []
            self.proc = subprocess.Popen(pin + argv + [self.addr], stdin=subprocess.DEVNULL, stdout=so, stderr=se,
                                         env=env, start_new_session=True)

    def status(self):
        """None while it runs, else how it ended."""
        code = self.proc.poll()
        if code is None:
            return None
        how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
        return f"{how}; stderr: {tail(self.stderr_path)!r}"

    def wait_listening(self):
        """Connects until the server accepts; an error string if it does not."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            st = self.status()
            if st is not None:
                return f"{self.label} ended before listening: {st}"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return None
            except OSError:
                time.sleep(CONNECT_RETRY)
        return f"{self.label} not listening on {self.addr} after {START_TIMEOUT:.0f} s"

    def kill(self):
        """SIGKILL to its session (the examples run until killed)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=KILL_WAIT)
        except subprocess.TimeoutExpired:
            log(f"warning: {self.label} (pid {self.proc.pid}) not reaped {KILL_WAIT:.0f} s after SIGKILL")


def client_prefix():
    return ["taskset", "-c", CLIENT_CPU] if CLIENT_CPU else []


def run_client(argv):
    """Runs the client with GOMAXPROCS=1; (returncode, stdout, stderr,
    wall seconds, CPU seconds) or an error string if it had to be killed."""
    env = dict(os.environ, GOMAXPROCS="1")
    env.pop("GODEBUG", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    try:
        r = subprocess.run(client_prefix() + argv, env=env, capture_output=True, text=True,
                           timeout=SECS + CLIENT_SLACK)
    except subprocess.TimeoutExpired:
        return f"client {Path(argv[0]).name} still running {SECS + CLIENT_SLACK} s in: killed"
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return r.returncode, r.stdout, r.stderr, wall, cpu


KEY_VALUE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(\S+)")


def echo_client(bins, addr, conns):
    """netload against addr: a Run without the server's CPU."""
    warmup = SECS * WARMUP_FRACTION
    out = run_client([str(bins["netload"]), "-addr", addr, "-conns", str(conns), "-secs", str(SECS),
                      "-warmup", f"{warmup:.3f}", "-size", str(ECHO_SIZE)])
    if isinstance(out, str):
        return Run(error=out), None
    code, stdout, stderr, wall, cpu = out
    line = next((l for l in stdout.splitlines() if l.startswith("netload echo ")), None)
    v = dict(KEY_VALUE.findall(line)) if line else {}
    if code != 0 or "rps" not in v:
        what = f"netload exit status {code}"
        if v.get("stalled", "0") != "0":
            what = f"{v['stalled']} connection(s) stalled (an echo still missing netload's grace after the end: the server hung)"
        elif v.get("errors", "0") != "0":
            what = f"{v['errors']} connection(s) failed"
        first = stderr.strip().splitlines()[0] if stderr.strip() else ""
        return Run(error=f"{what}; netload: {first[:300]!r}"), wall
    # The figures' time base: the client's run without its connection set-up.
    busy = max(wall - float(v.get("connect_ms", 0)) / 1e3, 1e-3)
    return Run(rps=float(v["rps"]), p50=float(v["p50_us"]), p99=float(v["p99_us"]), cli_cpu=cpu / busy,
               connect_ms=float(v.get("connect_ms", 0))), busy


WRK_LATENCY_LINE = re.compile(r"^\s*(50|75|90|99)%\s+([0-9.]+)(us|ms|s|m|h)\s*$")
WRK_RPS = re.compile(r"^Requests/sec:\s+([0-9.]+)", re.M)
WRK_REQUESTS = re.compile(r"^\s*(\d+) requests in ", re.M)
WRK_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def parse_wrk(text):
    """wrk --latency's Requests/sec and its 50/75/90/99 % latencies (µs),
    plus its socket errors and non-2xx count; None if it is not wrk's."""
    m = WRK_RPS.search(text)
    if not m:
        return None
    lat = {}
    for line in text.splitlines():
        lm = WRK_LATENCY_LINE.match(line)
        if lm:
            lat[int(lm.group(1))] = float(lm.group(2)) * WRK_UNITS_US[lm.group(3)]
    e = WRK_ERRORS.search(text)
    errors = dict(zip(("connect", "read", "write", "timeout"), map(int, e.groups()))) if e else {}
    n = WRK_NON2XX.search(text)
    done = WRK_REQUESTS.search(text)
    return dict(rps=float(m.group(1)), requests=int(done.group(1)) if done else 0, latency=lat, errors=errors,
                non2xx=int(n.group(1)) if n else 0)


def http_client(addr, conns):
    """wrk -t1 -cN --latency against addr."""
    out = run_client(["wrk", "-t1", f"-c{conns}", f"-d{SECS}s", "--latency", f"http://{addr}/"])
    if isinstance(out, str):
        return Run(error=out), None
    code, stdout, stderr, wall, cpu = out
    w = parse_wrk(stdout)
    if code != 0 or w is None or 50 not in w["latency"] or 99 not in w["latency"]:
        return Run(error=f"wrk exit status {code}, output not understood: {(stdout + stderr).strip()[-400:]!r}"), wall
    if w["requests"] == 0:
        return Run(error=f"no answer to wrk in {SECS} s: the server hung"), wall
    bad = {k: v for k, v in w["errors"].items() if v}
    if bad or w["non2xx"]:
        return Run(error=f"wrk saw socket errors {bad or '{}'} and {w['non2xx']} non-2xx answers"), wall
    return Run(rps=w["rps"], p50=w["latency"][50], p99=w["latency"][99], cli_cpu=cpu / wall), wall


def run_once(kind, conns, side, argv, procs, bins):
    label = f"{side} {Path(argv[0]).name}"
    srv = Server(argv, procs, label)
    try:
        err = srv.wait_listening()
        if err:
            return Run(error=err)
        t0 = cpu_ticks(srv.proc.pid)
        if kind == "echo":
            run, wall = echo_client(bins, srv.addr, conns)
        else:
            run, wall = http_client(srv.addr, conns)
        t1 = cpu_ticks(srv.proc.pid)
        st = srv.status()
        if st is not None:
            return Run(error=f"{label} died during the run: {st}" + (f" (client: {run.error})" if run.error else ""))
        if run.error:
            run.error = f"{label}: {run.error}"
        elif t0 is not None and t1 is not None and wall:
            run.srv_cpu = (t1 - t0) / os.sysconf("SC_CLK_TCK") / wall
        return run
    finally:
        srv.kill()


def check_http(side, argv, failures):
    """Sends HTTP_CHECK in one write and reads to EOF: rt0's example and
    the Go twin must answer exactly HTTP_ANSWER three times and close;
    net/http must answer 200 with the body three times and close."""
    srv = Server(argv, 1, f"{side} {Path(argv[0]).name}")
    try:
        err = srv.wait_listening()
        if err:
            failures.add(f"http check: {err}")
            return
        data = b""
        try:
            with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
                s.sendall(HTTP_CHECK)
                while chunk := s.recv(65536):
                    data += chunk
        except OSError as e:
            failures.add(f"http check: {srv.label}: {e!r} after {data[:300]!r}")
            return
        if side == "nethttp":
            ok = data.count(b"HTTP/1.1 200 OK\r\n") == HTTP_CHECK_ANSWERS and data.count(HTTP_BODY) == HTTP_CHECK_ANSWERS
        else:
            ok = data == HTTP_ANSWER * HTTP_CHECK_ANSWERS
        if not ok:
            failures.add(f"http check: {srv.label} answered two keep-alive GETs and a Connection: close one "
                         f"(one write) with {data[:400]!r}, not {HTTP_CHECK_ANSWERS} x {HTTP_ANSWER!r} then EOF")
        else:
            log(f"  http check: {srv.label}: {HTTP_CHECK_ANSWERS} answers as expected, then EOF")
    finally:
        srv.kill()


# ---------------------------------------------------------------- reporting

def median(xs):
    return statistics.median(xs) if xs else None


def fmt(x, digits=1):
    return "NA" if x is None else f"{x:.{digits}f}"


def summarize(runs):
    ok = [r for r in runs if r.error is None]
    s = dict(rps=median([r.rps for r in ok]), p50=median([r.p50 for r in ok]), p99=median([r.p99 for r in ok]),
             srv_cpu=median([r.srv_cpu for r in ok if r.srv_cpu is not None]),
             cli_cpu=median([r.cli_cpu for r in ok if r.cli_cpu is not None]),
             ok=f"{len(ok)}/{len(runs)}")
    s["spread"] = (max(r.rps for r in ok) - min(r.rps for r in ok)) / s["rps"] * 100 if ok and s["rps"] else None
    return s


def ratio(a, b):
    return a / b if a and b else None


def report_line(name, procs, conns, sides, summ):
    line = f"bench {name} gomaxprocs={procs} conns={conns} secs={SECS}"
    for s in sides:
        line += f" {s}_rps={fmt(summ[s]['rps'])}"
    if "rt0" in sides:
        for other in sides[1:]:
            key = "ratio" if other == "go" else f"rt0_over_{other}"
            line += f" {key}={fmt(ratio(summ['rt0']['rps'], summ[other]['rps']), 3)}"
    for s in sides:
        line += (f" {s}_p50_us={fmt(summ[s]['p50'])} {s}_p99_us={fmt(summ[s]['p99'])}"
                 f" {s}_srv_cpu={fmt(summ[s]['srv_cpu'], 2)} {s}_cli_cpu={fmt(summ[s]['cli_cpu'], 2)}")
    print(line, flush=True)


def table(rows):
    head = (f"{'workload':<9} {'P':>2} {'side':<8} {'req/s':>10} {'+-%':>4} {'p50 us':>9} {'p99 us':>9}"
            f" {'srv cpu':>7} {'cli cpu':>7} {'ok':>5}  rt0/side")
    print()
    print(head)
    print("-" * len(head))
    for name, procs, sides, summ in rows:
        for s in sides:
            m = summ[s]
            rel = ratio(summ["rt0"]["rps"], m["rps"]) if "rt0" in summ and s != "rt0" else None
            print(f"{name:<9} {procs:>2} {s:<8} {fmt(m['rps'], 0):>10} {fmt(m['spread'], 0):>4} {fmt(m['p50']):>9}"
                  f" {fmt(m['p99']):>9} {fmt(m['srv_cpu'], 2):>7} {fmt(m['cli_cpu'], 2):>7} {m['ok']:>5}"
                  f"  {fmt(rel, 2) if rel is not None else ''}")
    print("req/s, p50, p99: medians over the runs; +-%: spread of req/s, (max - min) / median; cpu: cores busy "
          "(CPU time over the client's wall time) of the server and of the client.")


# ---------------------------------------------------------------- driver

def run(failures, names=None):
    """Runs the network workloads (names, default: BENCH_ONLY's); prints
    the lines and the table. Returns the number of workloads measured."""
    names = selected() if names is None else names
    if not names:
        return 0
    kinds = sorted({WORKLOADS[n][0] for n in names})
    sides_of = {}
    for kind in kinds:
        rt0_there = bool(RT0_DIR) or (ROOT / "examples" / f"{RT0_EXAMPLE[kind]}.rs").is_file()
        if GO_ONLY:
            sides_of[kind] = SIDES[kind][1:]
        elif not rt0_there:
            log(f"note: examples/{RT0_EXAMPLE[kind]}.rs does not exist yet: the {kind} workloads wait for it "
                f"(BENCH_GO_ONLY=1 runs the other sides alone)")
        else:
            sides_of[kind] = SIDES[kind]
    names = [n for n in names if WORKLOADS[n][0] in sides_of]
    kinds = [k for k in kinds if k in sides_of]
    if not names:
        return 0
    tools = ["go"] + (["wrk"] if "http" in kinds else [])
    tools += ["cargo"] if "echo" in kinds or any("rt0" in sides_of[k] for k in kinds) else []
    tools += ["taskset"] if CLIENT_CPU or SERVER_CPU else []
    for tool in tools:
        if shutil.which(tool) is None:
            failures.add(f"network benchmarks: {tool} not found (scripts/bench.sh installs go and wrk)")
            return 0
    OUT.mkdir(parents=True, exist_ok=True)
    nofile = raise_fd_limit()
    log(f"network workloads: {', '.join(names)}; GOMAXPROCS {PROCS}; {RUNS} runs per side of {SECS} s; "
        f"client GOMAXPROCS=1 on CPUs {CLIENT_CPU or 'any'}, servers on CPUs {SERVER_CPU or 'any'}; fd limit {nofile}; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    bins = build(kinds, sides_of, failures)
    if "http" in kinds:
        for side in sides_of["http"]:
            if ("http", side) in bins:
                check_http(side, bins[("http", side)], failures)
    rows = []
    for name in names:
        kind, conns = WORKLOADS[name]
        sides = [s for s in sides_of[kind] if (kind, s) in bins]
        if kind == "echo" and "netload" not in bins:
            continue
        if not sides:
            continue
        for procs in PROCS:
            runs = {s: [] for s in sides}
            for i in range(RUNS):
                # Rotate who goes first each round, so drift hits every side alike.
                order = sides[i % len(sides):] + sides[:i % len(sides)]
                for side in order:
                    t0 = time.monotonic()
                    r = run_once(kind, conns, side, bins[(kind, side)], procs, bins)
                    runs[side].append(r)
                    status = r.error or (f"{r.rps:.0f} req/s, p50 {r.p50:.1f} us, p99 {r.p99:.1f} us, "
                                         f"server {fmt(r.srv_cpu, 2)} cores, client {fmt(r.cli_cpu, 2)}"
                                         + (f", connecting took {r.connect_ms:.0f} ms" if r.connect_ms else ""))
                    log(f"  {name} P={procs} {side} run {i + 1}/{RUNS}: {status} ({time.monotonic() - t0:.1f} s)")
                    if r.error:
                        failures.add(f"{name} gomaxprocs={procs} {side} run {i + 1}: {r.error}")
            summ = {s: summarize(runs[s]) for s in sides}
            report_line(name, procs, conns, sides, summ)
            rows.append((name, procs, sides, summ))
    table(rows)
    log(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return len(rows)


def main():
    failures = Failures()
    if not run(failures):
        log("nothing measured: no network workload selected or ready (BENCH_GO_ONLY=1 runs the Go/tokio sides)")
        return 1 if failures.items else 2
    if failures.items:
        print(f"\n{len(failures.items)} failure(s):")
        for f in failures.items:
            print(f"  {f.splitlines()[0]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
