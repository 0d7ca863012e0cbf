#!/usr/bin/env python3
"""Python clients of the rt0 test programs' `serve` modes (tests/net_programs.rs).

Python 3.11 standard library only. Prints `key=value` lines, exits 0 when
every check passed, or prints `FAIL: ...` and exits 1. Every wait has a
deadline; nothing sleeps.

- `udp HOST:PORT`: four threads, each with its own socket, send 200
  datagrams one at a time (an empty one, the rest random up to 8 KiB,
  and from thread 0 one of the family's largest size) to a UDP echo
  server, each reply compared byte for byte and checked to come from
  HOST:PORT.
- `unix PATH`: 50 AF_UNIX connections at once to a stream echo server;
  each sends a random payload up to 512 KiB from a thread, then
  shutdown(SHUT_WR), and reads the echo to EOF.
"""

import random
import socket
import sys
import threading
import zlib

TIMEOUT = 30.0
MAX_V4 = 65507
MAX_V6 = 65527


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def udp(addr):
    host, _, port = addr.rpartition(":")
    host = host.strip("[]")
    v6 = ":" in host
    family = socket.AF_INET6 if v6 else socket.AF_INET
    server = (host, int(port))
    errors, totals = [], []

    def one(tid):
        rng = random.Random(tid)
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.settimeout(TIMEOUT)
        s.bind((host, 0))
        n = size_sum = 0
        for i in range(200):
            # Only thread 0 sends the largest datagram: four at once could
            # overrun the server socket's receive buffer (a real drop).
            if i == 0:
                size = 0
            elif i == 1 and tid == 0:
                size = MAX_V6 if v6 else MAX_V4
            else:
                size = rng.randint(1, 8192)
            msg = rng.randbytes(size)
            s.sendto(msg, server)
            try:
                got, frm = s.recvfrom(65536)
            except socket.timeout:
                errors.append(f"thread {tid}: datagram {i} ({size} bytes) not echoed "
                              f"in {TIMEOUT} s")
                return
            if frm[:2] != server:
                errors.append(f"thread {tid}: reply from {frm}, not {server}")
            if got != msg:
                errors.append(f"thread {tid}: datagram {i}: {len(got)} bytes back, "
                              f"{size} sent")
            n += 1
            size_sum += len(got)
        s.close()
        totals.append((n, size_sum))

    threads = [threading.Thread(target=one, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        fail("; ".join(errors[:5]))
    print(f"udp datagrams={sum(t[0] for t in totals)} bytes={sum(t[1] for t in totals)} "
          f"bad=0", flush=True)


def unix(path):
    errors, totals = [], []
    conns = []
    for i in range(50):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        s.connect(path)
        conns.append(s)

    def one(i, s):
        rng = random.Random(100 + i)
        payload = rng.randbytes(rng.randint(1, 512 * 1024))

        def send():
            try:
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
            except OSError as e:
                errors.append(f"conn {i}: send: {e}")

        t = threading.Thread(target=send)
        t.start()
        got = bytearray()
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                got += b
        except OSError as e:
            errors.append(f"conn {i}: recv after {len(got)} bytes: {e}")
        t.join()
        s.close()
        if got != payload:
            errors.append(f"conn {i}: {len(got)} bytes echoed (crc {zlib.crc32(got):08x}), "
                          f"{len(payload)} sent (crc {zlib.crc32(payload):08x})")
        totals.append(len(got))

    threads = [threading.Thread(target=one, args=(i, s)) for i, s in enumerate(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        fail("; ".join(errors[:5]))
    print(f"unix conns={len(totals)} bytes={sum(totals)} bad=0", flush=True)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("udp", "unix"):
        fail("usage: peer_client.py udp HOST:PORT | unix PATH")
    {"udp": udp, "unix": unix}[sys.argv[1]](sys.argv[2])
    print("ok", flush=True)


if __name__ == "__main__":
    main()
