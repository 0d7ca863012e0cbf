#!/usr/bin/env python3
"""`make size`: what a stripped hello world is made of.

Builds examples/hello twice (the default features, and
`--no-default-features`, without the symbolize feature's readers of names
and lines), strips both, and prints for each: the file size, its sections
(`size -A`), and the code by module, from the unstripped binary's symbol
sizes (`nm -S -C`; code inlined into a function counts where it landed).

Usage: scripts/size.py [--top N]   (N modules per build, default 25)
"""
import collections
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The module of a symbol: its first two path segments (`rt0::sched`,
# `core::fmt`), or the name itself for the asm's and the C ABI's symbols.
MODULE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*(?:::[a-z_][a-z0-9_]*)?)")


def build(extra, target_dir):
    cmd = ["cargo", "build", "--release", "--example", "hello", *extra]
    if target_dir:
        cmd += ["--target-dir", str(target_dir)]
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return (target_dir or ROOT / "target") / "release/examples/hello"


def sections(binary):
    out = subprocess.run(["size", "-A", str(binary)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit() and int(parts[1]) > 0:
            rows.append((parts[0], int(parts[1])))
    return rows


def code_by_module(binary):
    out = subprocess.run(["nm", "-S", "-C", "--defined-only", str(binary)],
                         capture_output=True, text=True, check=True).stdout
    agg = collections.Counter()
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 4 or parts[2] not in ("t", "T", "w", "W"):
            continue
        name = parts[3].lstrip("<&")
        m = MODULE.match(name)
        # rt0's modules one level deeper (rt0::debug::frames), the rest by crate::module.
        if name.startswith("rt0::"):
            m2 = re.match(r"rt0::[a-z_0-9]+(?:::[a-z_0-9]+)?", name)
            key = m2.group(0) if m2 else "rt0"
        else:
            key = m.group(1) if m else name[:40]
        agg[key] += int(parts[1], 16)
    return agg


def report(label, binary, top):
    stripped = binary.with_name(binary.name + ".stripped")
    subprocess.run(["strip", "-o", str(stripped), str(binary)], check=True)
    print(f"== {label}: stripped {stripped.stat().st_size} bytes ==")
    for name, n in sorted(sections(stripped), key=lambda r: -r[1]):
        note = "  (address space, not in the file)" if name == ".bss" else ""
        print(f"  {name:20} {n:9}{note}")
    agg = code_by_module(binary)
    total = sum(agg.values())
    print(f"  code by module (sized symbols: {total} bytes):")
    for k, v in agg.most_common(top):
        print(f"    {v:8} {100 * v / total:5.1f}%  {k}")
    print(f"figure hello_size label={label.replace(' ', '_')} stripped_bytes={stripped.stat().st_size}")
    print()


def main():
    top = 25
    if len(sys.argv) == 3 and sys.argv[1] == "--top":
        top = int(sys.argv[2])
    elif len(sys.argv) != 1:
        sys.exit(__doc__)
    report("default features", build([], None), top)
    report("no-default-features", build(["--no-default-features"], ROOT / "target/nosym"), top)


if __name__ == "__main__":
    main()
