#!/usr/bin/env python3
"""Raw-socket HTTP/1.1 client of the http_hello tests (tests/net_http.rs).

Python 3.11 standard library only; curl covers the ordinary requests, this
covers what curl will not do on purpose. Prints `key=value` lines, exits 0
when every check passed, or prints `FAIL: ...` and exits 1. Every wait has
a deadline; nothing sleeps.

Scenarios (`http_client.py SCENARIO HOST:PORT`):

- `pipelined`: three GETs in one send; exactly three responses come back,
  in order, and nothing else; then a fourth with `Connection: close` is
  answered and followed by EOF.
- `pipelined_close`: three GETs in one send, the second with
  `Connection: close`: exactly two responses, then EOF (requests are
  answered in order, and nothing after the one that closes; the answers
  are identical, so this is what shows the order).
- `close`: one GET with `Connection: close`: the response, then EOF.
- `eof`: one GET, then shutdown(SHUT_WR): the response, then EOF; and a
  connection that closes without sending anything leaves the server
  serving the next one.
- `split`: one GET written a few bytes at a time (TCP_NODELAY), the blank
  line last: answered once, as a whole.
"""

import socket
import sys
import time
import zlib

RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
            b"\r\nhello, world\n")
TIMEOUT = 30.0


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def request(path, close=False):
    extra = b"Connection: close\r\n" if close else b""
    return (b"GET " + path.encode() + b" HTTP/1.1\r\nHost: test\r\nUser-Agent: rt0-test\r\n"
            + extra + b"\r\n")


def connect(addr):
    host, _, port = addr.rpartition(":")
    s = socket.create_connection((host.strip("[]"), int(port)), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_exactly(s, n, what):
    deadline = time.monotonic() + TIMEOUT
    got = b""
    while len(got) < n:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            b = s.recv(n - len(got))
        except socket.timeout:
            fail(f"{what}: {len(got)} of {n} bytes before the deadline: {got!r}")
        if not b:
            fail(f"{what}: EOF after {len(got)} of {n} bytes: {got!r}")
        got += b
    return got


def read_to_eof(s, what):
    deadline = time.monotonic() + TIMEOUT
    got = b""
    while True:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            b = s.recv(65536)
        except socket.timeout:
            fail(f"{what}: no EOF before the deadline after {got!r}")
        except ConnectionResetError:
            fail(f"{what}: reset instead of EOF after {got!r}")
        if not b:
            return got
        got += b


def expect(got, want, what):
    if got != want:
        fail(f"{what}: got {got!r}, want {want!r}")


def pipelined(addr):
    s = connect(addr)
    s.sendall(request("/1") + request("/2") + request("/3"))
    got = read_exactly(s, 3 * len(RESPONSE), "pipelined")
    expect(got, RESPONSE * 3, "three pipelined responses")
    print(f"pipelined responses=3 bytes={len(got)} crc={zlib.crc32(got):08x}")
    s.sendall(request("/4", close=True))
    rest = read_to_eof(s, "fourth request with Connection: close")
    expect(rest, RESPONSE, "the response to the fourth request, then EOF")
    print(f"pipelined_then_close bytes={len(rest)} eof=1")
    s.close()


def pipelined_close(addr):
    s = connect(addr)
    s.sendall(request("/1") + request("/2", close=True) + request("/3"))
    got = read_to_eof(s, "pipelined, the second with Connection: close")
    expect(got, RESPONSE * 2, "two responses, then EOF")
    print(f"pipelined_close responses=2 bytes={len(got)} eof=1")
    s.close()


def close(addr):
    s = connect(addr)
    s.sendall(request("/", close=True))
    got = read_to_eof(s, "Connection: close")
    expect(got, RESPONSE, "one response, then EOF")
    print(f"close bytes={len(got)} eof=1")
    s.close()


def eof(addr):
    s = connect(addr)
    s.close()
    s = connect(addr)
    s.sendall(request("/"))
    s.shutdown(socket.SHUT_WR)
    got = read_to_eof(s, "request then EOF")
    expect(got, RESPONSE, "one response, then EOF")
    print(f"eof bytes={len(got)} eof=1")
    s.close()


def split(addr):
    s = connect(addr)
    req = request("/split")
    for i in range(0, len(req), 7):
        s.sendall(req[i:i + 7])
    got = read_exactly(s, len(RESPONSE), "split request")
    expect(got, RESPONSE, "the response to a request sent in pieces")
    s.shutdown(socket.SHUT_WR)
    expect(read_to_eof(s, "split request, then EOF"), b"", "nothing after the response")
    print(f"split pieces={(len(req) + 6) // 7} bytes={len(got)} eof=1")
    s.close()


def main():
    if len(sys.argv) != 3:
        fail("usage: http_client.py pipelined|pipelined_close|close|eof|split HOST:PORT")
    scenarios = {"pipelined": pipelined, "pipelined_close": pipelined_close, "close": close,
                 "eof": eof, "split": split}
    if sys.argv[1] not in scenarios:
        fail(f"unknown scenario {sys.argv[1]!r}")
    scenarios[sys.argv[1]](sys.argv[2])
    print("ok", flush=True)


if __name__ == "__main__":
    main()
