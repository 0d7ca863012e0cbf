#!/usr/bin/env python3
"""The independent client of the echo server tests (tests/net_echo.rs).

Python 3.11 standard library only. Talks to any TCP echo server (rt0's
examples/echo_server.rs, its Go twin tests/net/go/echo_server) at ADDR and
checks what comes back byte for byte. Each scenario prints `key=value`
lines the harness asserts on and exits 0 only when every check passed; a
failure prints `FAIL: ...` with what was seen and exits 1. Nothing here
sleeps to synchronise: every wait is a select/poll on the sockets with a
deadline, and a deadline that passes is a failure that says what it was
waiting for.

Scenarios (`echo_client.py SCENARIO HOST:PORT [options]`):

- `concurrent`: N connections, all connected before any sends (so all N
  are open at once), each sending a payload of a random size up to
  --max-size (a slice of one random buffer at a random offset) while
  reading its echo; every received chunk is compared with what was sent at
  that offset, and a CRC-32 is kept of each side per connection.
- `halfclose`: for a few sizes, send the payload from a thread, then
  shutdown(SHUT_WR); the main thread reads the whole echo and then must
  see EOF (the server closes after its copy ends).
- `idle`: K connections that connect and never send stay open while a
  `concurrent` round is served normally; then each idle connection is
  still open (no EOF, no reset) and echoes when it finally speaks.
- `rst`: clients that send part of a large payload, read a little, then
  vanish with a reset (SO_LINGER 0, close), interleaved with normal
  clients; afterwards a fresh round is served normally.
- `many`: --conns connections at once (10,000 by default), raising this
  process's RLIMIT_NOFILE soft limit to the hard limit first; each sends a
  64-byte message naming itself as soon as it is connected, and none is
  closed before all have echoed (so the server held all of them at once).
- `emfile`: for a server started with a low RLIMIT_NOFILE: more
  connections than its limit; phase 1 sees some served and the rest not
  (accept fails with EMFILE and the server backs off); phase 2 closes the
  served ones one by one and every other connection is served in turn.
"""

import argparse
import errno
import os
import random
import resource
import selectors
import socket
import struct
import sys
import threading
import time
import zlib


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def parse_addr(s):
    host, _, port = s.rpartition(":")
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return family, (host, int(port))


class Conn:
    """One echo connection: what it must send, what came back so far."""

    __slots__ = ("idx", "sock", "payload", "sent", "recvd", "crc_sent",
                 "crc_recv", "connected", "done", "events")

    def __init__(self, idx, sock, payload):
        self.idx = idx
        self.sock = sock
        self.payload = payload
        self.sent = 0
        self.recvd = 0
        self.crc_sent = 0
        self.crc_recv = 0
        self.connected = False
        self.done = False
        self.events = 0


def open_nonblocking(family, addr):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setblocking(False)
    err = s.connect_ex(addr)
    if err not in (0, errno.EINPROGRESS):
        s.close()
        raise OSError(err, os.strerror(err))
    return s


class EchoRound:
    """Many echo connections driven by one selector.

    Connects at most `inflight` at a time; with `barrier`, nobody sends
    before every connection is established, so all are open at once. With
    `pace`, at most `inflight` connections are opened and not yet echoed:
    a connect completes when the kernel has it queued, not when the
    server accepted it, and an echo is the only sign of the latter, so
    pacing keeps the server's accept queue short however slow it is. A
    connection is finished when its whole payload came back; it is then
    closed (unless `keep_open`, for callers that close later).
    """

    CHUNK = 256 * 1024

    def __init__(self, family, addr, payloads, barrier=True, inflight=256,
                 keep_open=False, pace=False):
        self.family = family
        self.addr = addr
        self.payloads = payloads
        self.barrier = barrier
        self.inflight = inflight
        self.keep_open = keep_open
        self.pace = pace
        self.sel = selectors.DefaultSelector()
        self.rbuf = bytearray(self.CHUNK)
        self.conns = []
        self.next_to_open = 0
        self.connecting = 0
        self.established = 0
        self.open_now = 0
        self.max_open = 0
        self.finished = 0
        self.sending_started = False

    def _set(self, c, ev):
        if ev == c.events:
            return
        if c.events == 0:
            self.sel.register(c.sock, ev, c)
        elif ev == 0:
            self.sel.unregister(c.sock)
        else:
            self.sel.modify(c.sock, ev, c)
        c.events = ev

    def _open_more(self):
        while self.next_to_open < len(self.payloads):
            busy = (self.next_to_open - self.finished) if self.pace else self.connecting
            if busy >= self.inflight:
                break
            i = self.next_to_open
            self.next_to_open += 1
            try:
                s = open_nonblocking(self.family, self.addr)
            except OSError as e:
                fail(f"connect #{i}: {e}")
            c = Conn(i, s, self.payloads[i])
            self.conns.append(c)
            self.connecting += 1
            self.open_now += 1
            self.max_open = max(self.max_open, self.open_now)
            self._set(c, selectors.EVENT_WRITE)

    def _start_sending(self, c):
        ev = selectors.EVENT_READ
        if c.sent < len(c.payload):
            ev |= selectors.EVENT_WRITE
        self._set(c, ev)
        if len(c.payload) == 0:
            self._finish(c)

    def _finish(self, c):
        c.done = True
        self.finished += 1
        self._set(c, 0)
        if not self.keep_open:
            c.sock.close()
            self.open_now -= 1

    def _on_connected(self, c):
        err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            fail(f"connect #{c.idx}: {os.strerror(err)}")
        c.connected = True
        self.connecting -= 1
        self.established += 1
        if self.barrier and not self.sending_started:
            self._set(c, 0)
            if self.established == len(self.payloads):
                self.sending_started = True
                for d in self.conns:
                    self._start_sending(d)
        else:
            self._start_sending(c)

    def _on_writable(self, c):
        end = min(len(c.payload), c.sent + self.CHUNK)
        try:
            n = c.sock.send(c.payload[c.sent:end])
        except BlockingIOError:
            return
        except OSError as e:
            fail(f"send on #{c.idx} after {c.sent} of {len(c.payload)} bytes: {e}")
        c.crc_sent = zlib.crc32(c.payload[c.sent:c.sent + n], c.crc_sent)
        c.sent += n
        if c.sent == len(c.payload):
            self._set(c, selectors.EVENT_READ)

    def _on_readable(self, c):
        try:
            n = c.sock.recv_into(self.rbuf)
        except BlockingIOError:
            return
        except OSError as e:
            fail(f"recv on #{c.idx} after {c.recvd} of {len(c.payload)} bytes: {e}")
        if n == 0:
            fail(f"EOF on #{c.idx} after {c.recvd} of {len(c.payload)} bytes echoed")
        got = memoryview(self.rbuf)[:n]
        if c.recvd + n > c.sent:
            fail(f"#{c.idx}: {c.recvd + n} bytes echoed but only {c.sent} sent")
        want = c.payload[c.recvd:c.recvd + n]
        if got != want:
            off = next(k for k in range(n) if got[k] != want[k])
            fail(f"#{c.idx}: byte {c.recvd + off} of the echo is "
                 f"{got[off]:#04x}, sent {want[off]:#04x}")
        c.crc_recv = zlib.crc32(got, c.crc_recv)
        c.recvd += n
        if c.recvd == len(c.payload):
            if c.crc_recv != c.crc_sent:
                fail(f"#{c.idx}: CRC of the echo {c.crc_recv:08x} != sent {c.crc_sent:08x}")
            self._finish(c)

    def run(self, deadline):
        self._open_more()
        while self.finished < len(self.payloads):
            left = deadline - time.monotonic()
            if left <= 0:
                stalled = [c for c in self.conns if not c.done][:5]
                fail(f"deadline: {self.finished} of {len(self.payloads)} connections "
                     f"echoed, {self.established} established, {self.connecting} "
                     "connecting; first unfinished: "
                     + ", ".join(f"#{c.idx} sent={c.sent} recvd={c.recvd} "
                                 f"of {len(c.payload)}" for c in stalled))
            for key, mask in self.sel.select(timeout=min(left, 1.0)):
                c = key.data
                if not c.connected:
                    self._on_connected(c)
                    continue
                if mask & selectors.EVENT_READ:
                    self._on_readable(c)
                if not c.done and mask & selectors.EVENT_WRITE:
                    self._on_writable(c)
            self._open_more()
        return self


def random_payloads(seed, n, max_size):
    """n slices of one random buffer, random offsets, sizes 1..max_size."""
    rng = random.Random(seed)
    pool = memoryview(rng.randbytes(2 * max_size))
    out = []
    for _ in range(n):
        size = rng.randint(1, max_size)
        off = rng.randint(0, len(pool) - size)
        out.append(pool[off:off + size])
    return out


def report_round(label, r):
    total = sum(len(p) for p in r.payloads)
    crc = 0
    for c in r.conns:
        crc = zlib.crc32(struct.pack("<IQI", c.idx, c.recvd, c.crc_recv), crc)
    want = 0
    for i, p in enumerate(r.payloads):
        want = zlib.crc32(struct.pack("<IQI", i, len(p), zlib.crc32(p)), want)
    print(f"{label} conns={len(r.conns)} finished={r.finished} max_open={r.max_open} "
          f"bytes={total} echoed={sum(c.recvd for c in r.conns)} "
          f"crc_ok={int(crc == want)}", flush=True)
    if crc != want:
        fail(f"{label}: the per-connection CRCs differ from the payloads'")


def scenario_concurrent(a, family, addr):
    payloads = random_payloads(a.seed, a.conns, a.max_size)
    r = EchoRound(family, addr, payloads).run(time.monotonic() + a.timeout)
    report_round("concurrent", r)


def recv_all_until_eof(sock, deadline, what):
    """Reads until EOF; fails on a reset or when the deadline passes."""
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            fail(f"{what}: no EOF before the deadline "
                 f"({sum(map(len, chunks))} bytes read)")
        sock.settimeout(left)
        try:
            b = sock.recv(256 * 1024)
        except socket.timeout:
            continue
        except OSError as e:
            fail(f"{what}: recv: {e}")
        if not b:
            return b"".join(chunks)
        chunks.append(b)


def scenario_halfclose(a, family, addr):
    rng = random.Random(a.seed)
    deadline = time.monotonic() + a.timeout
    for size in (0, 1, 100_000, 4 * 1024 * 1024):
        payload = rng.randbytes(size)
        s = socket.create_connection(addr, timeout=a.timeout)
        err = []

        def send():
            try:
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
            except OSError as e:
                err.append(e)

        t = threading.Thread(target=send)
        t.start()
        got = recv_all_until_eof(s, deadline, f"half-close size {size}")
        t.join()
        s.close()
        if err:
            fail(f"half-close size {size}: send: {err[0]}")
        if got != payload:
            fail(f"half-close size {size}: echoed {len(got)} bytes, "
                 f"crc {zlib.crc32(got):08x}, sent crc {zlib.crc32(payload):08x}")
        print(f"halfclose size={size} echoed={len(got)} eof=1 "
              f"crc={zlib.crc32(got):08x}", flush=True)


def still_open(sock):
    """True if the peer has neither closed nor reset `sock` (no data, no EOF)."""
    sock.setblocking(False)
    try:
        b = sock.recv(1)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)
    return False if not b else "data"


def scenario_idle(a, family, addr):
    idle = [socket.create_connection(addr, timeout=a.timeout) for _ in range(a.idle)]
    payloads = random_payloads(a.seed, a.conns, a.max_size)
    r = EchoRound(family, addr, payloads).run(time.monotonic() + a.timeout)
    report_round("served_while_idle", r)
    states = [still_open(s) for s in idle]
    if not all(st is True for st in states):
        fail(f"idle connections changed while idle: {states}")
    for i, s in enumerate(idle):
        msg = f"idle {i} speaks at last\n".encode()
        s.sendall(msg)
        s.shutdown(socket.SHUT_WR)
        got = recv_all_until_eof(s, time.monotonic() + a.timeout, f"idle #{i}")
        if got != msg:
            fail(f"idle #{i}: echoed {got!r}, sent {msg!r}")
        s.close()
    print(f"idle conns={len(idle)} open_after={len(idle)} echoed_after=1", flush=True)


def vanish(family, addr, size, rng, deadline):
    """Sends part of a `size`-byte payload, reads a little, resets."""
    s = socket.create_connection(addr, timeout=max(0.1, deadline - time.monotonic()))
    payload = rng.randbytes(size)
    cut = rng.randint(1, size - 1)
    s.sendall(payload[:cut])
    want = min(cut, 4096)
    got = b""
    while len(got) < want:
        b = s.recv(want - len(got))
        if not b:
            fail(f"vanishing client: EOF after {len(got)} echoed bytes")
        got += b
    if got != payload[:want]:
        fail("vanishing client: wrong echo before it vanished")
    # SO_LINGER {on, 0}: close sends RST and drops what is unread.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def scenario_rst(a, family, addr):
    rng = random.Random(a.seed)
    deadline = time.monotonic() + a.timeout
    served = 0
    for i in range(a.rounds):
        # A vanishing client and a normal round side by side: the normal
        # connections are open while the other one resets.
        payloads = random_payloads(a.seed + i, a.conns, a.max_size)
        r = EchoRound(family, addr, payloads, barrier=True)
        r._open_more()
        vanish(family, addr, rng.randint(2, 2 * 1024 * 1024), rng, deadline)
        r.run(deadline)
        served += r.finished
    after = EchoRound(family, addr, random_payloads(a.seed + 999, a.conns, a.max_size))
    after.run(deadline)
    report_round("after_resets", after)
    print(f"rst vanished={a.rounds} served_between={served}", flush=True)


def raise_nofile(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < need:
        print(f"skip: RLIMIT_NOFILE hard limit {hard} < {need} needed", flush=True)
        sys.exit(0)
    if soft != resource.RLIM_INFINITY and soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def scenario_many(a, family, addr):
    soft = raise_nofile(a.conns + 64)
    payloads = [memoryview(f"{i:08d} ".encode().ljust(63, b"m") + b"\n")
                for i in range(a.conns)]
    r = EchoRound(family, addr, payloads, barrier=False, inflight=256, keep_open=True,
                  pace=True)
    r.run(time.monotonic() + a.timeout)
    # Every connection echoed while all were open: the server held all at once.
    closed = [c.idx for c in r.conns if still_open(c.sock) is not True]
    if closed:
        fail(f"{len(closed)} connections closed by the server before the client "
             f"closed them, first {closed[:5]}")
    for c in r.conns:
        c.sock.close()
    report_round("many", r)
    print(f"many_limits nofile={soft}", flush=True)


def scenario_emfile(a, family, addr):
    """See the module note; `--conns` must exceed the server's fd limit."""
    deadline = time.monotonic() + a.timeout
    sel = selectors.DefaultSelector()
    socks = []
    for i in range(a.conns):
        s = socket.create_connection(addr, timeout=a.timeout)
        msg = f"emfile {i:05d}\n".encode()
        s.sendall(msg)
        s.setblocking(False)
        socks.append(s)
        sel.register(s, selectors.EVENT_READ, (i, msg))
    got = {}
    served = set()

    def poll(timeout):
        new = 0
        for key, _ in sel.select(timeout=timeout):
            i, msg = key.data
            try:
                b = key.fileobj.recv(64)
            except OSError as e:
                fail(f"emfile #{i}: recv: {e}")
            if not b:
                fail(f"emfile #{i}: EOF before its echo (the server closed it)")
            got[i] = got.get(i, b"") + b
            if len(got[i]) >= len(msg):
                if got[i] != msg:
                    fail(f"emfile #{i}: echoed {got[i]!r}, sent {msg!r}")
                sel.unregister(key.fileobj)
                served.add(i)
                new += 1
        return new

    # Phase 1: wait for a first echo, then until no new one arrives for
    # `quiet` seconds. Whatever the machine's speed, the server cannot
    # have served more connections than its limit allows; the quiet wait
    # only decides when phase 2 starts, never whether the test passes.
    while not served:
        if time.monotonic() > deadline:
            fail("emfile: no connection served at all")
        poll(1.0)
    while poll(a.quiet):
        if time.monotonic() > deadline:
            fail("emfile: phase 1 never went quiet")
    phase1 = len(served)
    print(f"emfile_phase1 served={phase1} of={a.conns} "
          f"blocked={int(phase1 < a.conns)}", flush=True)
    if phase1 >= a.conns:
        fail(f"all {a.conns} connections served at once: the fd limit never bit")
    # Phase 2: close served connections one at a time; each close frees a
    # descriptor in the server, whose accept loop then takes the next.
    closed = set()
    while len(served) < a.conns:
        if time.monotonic() > deadline:
            fail(f"emfile: {len(served)} of {a.conns} served before the deadline")
        for i in sorted(served - closed):
            socks[i].close()
            closed.add(i)
            break
        poll(0.05 if len(closed) < len(served) else 1.0)
    for i in set(range(a.conns)) - closed:
        socks[i].close()
    print(f"emfile served={len(served)} of={a.conns}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("scenario", choices=["concurrent", "halfclose", "idle", "rst",
                                        "many", "emfile"])
    p.add_argument("addr")
    p.add_argument("--conns", type=int, default=1000)
    p.add_argument("--max-size", type=int, default=1024 * 1024)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--idle", type=int, default=5)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--quiet", type=float, default=1.0)
    p.add_argument("--timeout", type=float, default=120.0)
    a = p.parse_args()
    if a.scenario == "many" and "--conns" not in sys.argv:
        a.conns = 10_000
    family, addr = parse_addr(a.addr)
    {"concurrent": scenario_concurrent, "halfclose": scenario_halfclose,
     "idle": scenario_idle, "rst": scenario_rst, "many": scenario_many,
     "emfile": scenario_emfile}[a.scenario](a, family, addr)
    print("ok", flush=True)


if __name__ == "__main__":
    main()
