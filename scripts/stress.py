#!/usr/bin/env python3
"""`make stress`: concurrency programs with exact counters, in loops.

Every case of the stress programs (tests/programs/stress_sync.rs, stress_chan.rs,
stress_timers.rs, preempt_regs.rs, preempt_counts.rs) runs STRESS_RUNS times at each GOMAXPROCS of
STRESS_PROCS, natively and under `qemu-x86_64 -cpu MODEL` for each model
of STRESS_QEMU_CPUS, each run under `timeout`. A run passes when it exits
0, its stderr is empty (qemu's own `qemu-x86_64: warning:` lines aside)
and its stdout, without the `info ` lines, is exactly the expected text.
Every failure is printed with the exact command that reproduces it and
its output; the last line is `N passed, N failed`, and the exit status is
1 when anything failed.

Variables (environment):
  STRESS_RUNS       runs of each case per GOMAXPROCS and runner (100)
  STRESS_PROCS      GOMAXPROCS values ("1 2 4 8")
  STRESS_QEMU_CPUS  qemu CPU models ("Haswell qemu64"; empty: native only)
  STRESS_HOGS       CPU hogs (busy loops) to run meanwhile (0)
  STRESS_JOBS       runs at the same time (2)
  STRESS_TIMEOUT    seconds before `timeout` kills one run (60)
  STRESS_CASES      only cases whose name contains one of these words ("")
  STRESS_NO_BUILD   set to skip `cargo build --release --examples`
  STRESS_EXAMPLES   directory of the programs (target/release/examples), e.g.
                    to loop another build of them (then set STRESS_NO_BUILD)
"""

import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.environ.get("STRESS_EXAMPLES") or os.path.join("target", "release", "examples")
QEMU_WARNING = "qemu-x86_64: warning: "
# Failures printed in full; later ones get one line each.
FULL_REPORTS = 20
# Characters of each stream shown for a failure.
OUTPUT_TAIL = 2000
# Fewest runs between two progress lines.
PROGRESS_MIN = 50
# Exit status of `timeout` when it killed the program.
TIMEOUT_STATUS = 124


def env_str(name, default):
    v = os.environ.get(name)
    return default if v is None else v


def env_int(name, default):
    v = os.environ.get(name, "").strip()
    return int(v) if v else default


def tri(n):
    """Sum of 0..n-1."""
    return n * (n - 1) // 2


# Cases that run natively only (the qemu-user limitation they would hit is
# a qemu bug, not rt0's: see each case's comment).
NATIVE_ONLY = {"process_many"}


def cases():
    """(name, program, args, expected stdout lines)."""
    c = []
    n = 100_000
    c.append(("wg_handoff", "stress_sync", ["wg_handoff", n],
              [f"wg_handoff rounds={n} count={n} bad=0"]))
    g, per = 4, 20_000
    c.append(("mutex_counter", "stress_sync", ["mutex_counter", g, per],
              [f"mutex_counter goroutines={g} per={per} count={g * per}"]))
    # No yield while holding the lock: unlocks race lockers entering the
    # semaphore's slow path.
    g = 8
    c.append(("mutex_counter_noyield", "stress_sync", ["mutex_counter", g, per, 0],
              [f"mutex_counter goroutines={g} per={per} count={g * per}"]))
    n = 20_000
    c.append(("mutex_handoff", "stress_sync", ["mutex_handoff", n],
              [f"mutex_handoff rounds={n} count={n} bad=0"]))
    n = 100_000
    for cap in (0, 8):
        c.append((f"pingpong_cap{cap}", "stress_chan", ["pingpong", cap, n],
                  [f"pingpong cap={cap} rounds={n} bad=0"]))
    p, k, per = 4, 4, 10_000
    for cap in (0, 8):
        c.append((f"mpmc_cap{cap}", "stress_chan", ["mpmc", cap, p, k, per],
                  [f"mpmc count={p * per} sum={tri(p * per)} dups=0 distinct={p * per}"]))
    n = 20_000
    c.append(("pipeline", "stress_chan", ["pipeline", n],
              [f"pipeline n={n} workers=16 count={n} sum={n * n} dups=0"]))
    s, r, m = 4, 4, 5_000
    for cap in (0, 2):
        c.append((f"select_close_cap{cap}", "stress_chan", ["select_close", cap, s, r, m],
                  [f"select_close attempts={s * m} outcomes={s * m} lost=0 dups=0 "
                   f"refused_received=0 receivers_done={r}"]))
    g, k, us = 200, 10, 2_000
    c.append(("sleepers", "stress_timers", ["sleepers", g, k, us],
              [f"sleepers goroutines={g} sleeps={g * k} early=0"]))
    c.append(("after", "stress_timers", ["after", g, k, us],
              [f"after goroutines={g} fired={g * k} early=0 other=0"]))
    t, k, us = 20, 20, 1_000
    c.append(("tickers", "stress_timers", ["tickers", t, k, us],
              [f"tickers tickers={t} ticks={t * k} early=0 other=0"]))
    # The netpoller: every read parks in the poller (pingpong), and
    # descriptors are closed with events in flight and reused at once
    # (reuse: a stale event must wake nobody).
    pairs, n = 8, 5_000
    c.append(("netpoll_pingpong", "netpoll_pipes", ["pingpong", pairs, n],
              [f"rounds={pairs * n} want={pairs * n} bad=0 waiters=0"]))
    # Short reads followed by EOF: the reader waits for the next event
    # instead of reading again, and the EOF right behind the last piece
    # (reported by the same event) must not be lost.
    n = 2_000
    want = sum(1 + (i * 7 + k * 13) % 60 for i in range(n) for k in range(1 + i % 4))
    c.append(("netpoll_stream", "netpoll_pipes", ["stream", n],
              [f"rounds={n} bytes={want} want={want} eofs={n}"]))
    n = 1_000
    c.append(("netpoll_reuse", "netpoll_pipes", ["reuse", n],
              [f"rounds={n} first_ok={n} second_ok={n} wrong=0"]))
    # os/signal: four goroutines each raise their own signal and wait for
    # it on their channel (handler -> pending mask -> receiver -> channel),
    # so every signal must arrive exactly once.
    n = 500
    c.append(("os_signal_raise", "os_signal", ["stress", n],
              ["ready", f"stress rounds={4 * n} received={4 * n} other=0"]))
    # Processes: children spawned and waited for from 8 goroutines at once
    # (clone(CLONE_VM|CLONE_VFORK) from many threads, exec errors through
    # the CLOEXEC pipe, pidfds in the poller); every child must succeed.
    # Natively only (NATIVE_ONLY): under qemu-user the vfork clone is a fork
    # of qemu, and a fork while another guest thread translates code can
    # deadlock the child inside qemu (glib's slice lock; README "Processes").
    n = 200
    c.append(("process_many", "process_spawn", ["many", n, 8],
              [f"ok={n} fail=0"]))
    # Asynchronous preemption (tests/programs/preempt_regs.rs,
    # preempt_counts.rs): every register and the red zone survive being
    # preempted (and SIGURG sent from outside every 200 us); allocator and
    # channel loops that never yield on their own, preempted inside the
    # runtime, keep exact counts. Without preemption these hang at low
    # GOMAXPROCS (timed out).
    c.append(("preempt_regs", "preempt_regs", [300, 3, 200], ["regs bad=0"]))
    g, per = 4, 50_000
    c.append(("preempt_malloc", "preempt_counts", ["malloc", g, per],
              [f"malloc goroutines={g} per={per} count={g * per} bad=0"]))
    p, k, per = 4, 4, 5_000
    c.append(("preempt_chan", "preempt_counts", ["chan", p, k, per, p * per],
              [f"chan count={p * per} sum={tri(p * per)} dups=0 distinct={p * per}"]))
    # set_gomaxprocs: the world stopped and resized 1 -> 8 -> 2 -> 1 -> 4 ...
    # while a channel pipeline and sleepers run; every value arrives once
    # and each call returns the previous count (the last size is 2).
    r, n = 100, 20_000
    c.append(("gomaxprocs_resize", "gomaxprocs_resize", ["pipeline", r, n],
              [f"resizes={r}", "bad_prev=0", f"items={n}", f"sum={3 * tri(n)}",
               f"want_sum={3 * tri(n)}", "slept=true", "final=2"]))
    # lock_os_thread: two locked goroutines never leave their threads and
    # no other goroutine runs there.
    n = 2_000
    c.append(("lockos_stay", "lockos_basic", ["stay", n],
              [f"rounds={n}", "moved=0", "intruders=0"]))
    return [(name, prog, [str(a) for a in args], lines) for name, prog, args, lines in c]


def run_group(argv, limit):
    """Runs argv in a session of its own and collects its output. `timeout`
    kills only its child; a grandchild (a forked child that hung) would keep
    the pipes open and the collection waiting for ever, so the whole process
    group is killed once the run is over or past its time."""
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    def kill_group():
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        out, err = p.communicate(timeout=limit + GROUP_GRACE)
    except subprocess.TimeoutExpired:
        kill_group()
        out, err = p.communicate()  # what was written before the kill
    kill_group()  # a stray grandchild of a run that passed
    return subprocess.CompletedProcess(argv, p.returncode, out, err)


# Seconds past the run's own limit before its process group is killed.
GROUP_GRACE = 15


def command(runner, procs, prog, args, limit):
    """The full argv of one run: timeout, a clean environment, the runner."""
    argv = ["timeout", "-k", "5", str(limit), "env", "-i", f"GOMAXPROCS={procs}"]
    if runner != "native":
        argv += ["qemu-x86_64", "-cpu", runner]
    return argv + [os.path.join(EXAMPLES, prog)] + args


def check(expected, rc, out, err):
    """Why the run failed, or None."""
    if rc == TIMEOUT_STATUS:
        return "timed out (killed by timeout)"
    if rc != 0:
        return f"exit status {rc}" if rc > 0 else f"killed by signal {-rc}"
    if err:
        return "stderr is not empty"
    got = [l for l in out.splitlines() if not l.startswith("info ")]
    if got != expected:
        return "stdout differs from the expected lines"
    return None


def tail(s):
    return s if len(s) <= OUTPUT_TAIL else "...\n" + s[-OUTPUT_TAIL:]


def start_hogs(n):
    """n busy-looping processes, each its own process group."""
    return [subprocess.Popen(["sh", "-c", "while :; do :; done"], start_new_session=True)
            for _ in range(n)]


def stop_hogs(hogs):
    for h in hogs:
        h.kill()
        h.wait()


def main():
    os.chdir(ROOT)
    runs = env_int("STRESS_RUNS", 100)
    procs_list = env_str("STRESS_PROCS", "1 2 4 8").split()
    qemu_cpus = env_str("STRESS_QEMU_CPUS", "Haswell qemu64").split()
    hogs_n = env_int("STRESS_HOGS", 0)
    jobs = max(1, env_int("STRESS_JOBS", 2))
    limit = env_int("STRESS_TIMEOUT", 60)
    only = env_str("STRESS_CASES", "").split()
    runners = ["native"] + qemu_cpus  # a qemu runner is its CPU model

    if not os.environ.get("STRESS_NO_BUILD"):
        subprocess.run(["cargo", "build", "--release", "--examples"], check=True)

    selected = [c for c in cases() if not only or any(w in c[0] for w in only)]
    if not selected:
        sys.exit(f"stress: no case matches STRESS_CASES={' '.join(only)!r}")
    work = [(case, runner, procs, i)
            for case in selected for runner in runners for procs in procs_list
            for i in range(runs)
            if runner == "native" or case[0] not in NATIVE_ONLY]
    print(f"== stress: {len(selected)} cases x {runs} runs x GOMAXPROCS {{{','.join(procs_list)}}}"
          f" x runners {{{', '.join(runners)}}} = {len(work)} runs, {jobs} at a time,"
          f" {hogs_n} CPU hogs, timeout {limit} s ==", flush=True)

    lock = threading.Lock()
    # (case name, runner) -> [passed, failed]
    tally = {}
    failures = []
    done = [0]
    # A progress line each time another tenth of the runs is done.
    step = max(PROGRESS_MIN, len(work) // 10)

    def one(item):
        (name, prog, args, expected), runner, procs, i = item
        argv = command(runner, procs, prog, args, limit)
        t0 = time.monotonic()
        p = run_group(argv, limit)
        took = time.monotonic() - t0
        out = p.stdout.decode(errors="replace")
        err = "".join(l for l in p.stderr.decode(errors="replace").splitlines(True)
                      if not l.startswith(QEMU_WARNING))
        why = check(expected, p.returncode, out, err)
        with lock:
            t = tally.setdefault((name, runner), [0, 0])
            t[0 if why is None else 1] += 1
            done[0] += 1
            if why is not None:
                failures.append(item)
            if done[0] % step == 0:
                print(f"-- {done[0]}/{len(work)} runs, {len(failures)} failed", flush=True)
            if why is None:
                return
            repro = " ".join(shlex.quote(a) for a in argv)
            where = runner if runner == "native" else f"qemu -cpu {runner}"
            if len(failures) <= FULL_REPORTS:
                print(f"FAIL {name} [{where}] GOMAXPROCS={procs} run {i + 1}/{runs}: {why}"
                      f" ({took:.1f} s)\n  reproduce: {repro}\n"
                      f"  expected stdout: {expected!r}\n"
                      f"--- stdout ---\n{tail(out)}--- stderr ---\n{tail(err)}--- end ---",
                      flush=True)
            else:
                print(f"FAIL {name} [{where}] GOMAXPROCS={procs}: {why}; reproduce: {repro}",
                      flush=True)

    hogs = start_hogs(hogs_n)
    t0 = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(one, work))
    finally:
        stop_hogs(hogs)

    print(f"== stress summary ({time.monotonic() - t0:.0f} s; each cell: failed/runs,"
          f" {runs} runs x {len(procs_list)} GOMAXPROCS) ==")
    width = max(len(c[0]) for c in selected)
    labels = ["native"] + [f"qemu:{m}" for m in qemu_cpus]
    print("  " + "case".ljust(width) + "".join(f"  {r:>14}" for r in labels))
    for name, *_ in selected:
        cells = []
        for r in runners:
            ok, bad = tally.get((name, r), [0, 0])
            cells.append(f"  {f'{bad}/{ok + bad}':>14}")
        print("  " + name.ljust(width) + "".join(cells))
    passed = sum(t[0] for t in tally.values())
    failed = sum(t[1] for t in tally.values())
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
