//! Allocates and frees memory in one of four shapes, then goes idle, for
//! `tests/scavenge.rs`, which watches the process's RSS from outside
//! (`/proc/PID/status`) while it idles. `scav_shapes SHAPE ROUNDS`:
//!
//! - `a`: `vec![0u8; 100 MiB]`, one byte per page written and read back
//!   (and one other checked to be zero), dropped; ROUNDS times;
//! - `b`: 25,600 Vecs of 4 KiB kept in a Vec, then all dropped;
//! - `c`: 1,638,400 Boxes of 64 bytes kept in a Vec, then dropped;
//! - `d`: ROUNDS waves of 5,000 goroutines, each writing 48 KiB of its own
//!   stack, all alive at once (they wait on a gate main closes once the
//!   wave has started), then exiting.
//!
//! Prints `checksum=N` (the test recomputes it from the same formulas),
//! then `idle`, then blocks reading stdin; at end of input it prints
//! `bye` and exits 0. `GODEBUG=scavtrace=1` shows the scavenger at work.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

use rt0::chan::Chan;
use rt0::sync::WaitGroup;

rt0::main!(main);

const MIB: usize = 1 << 20;
const PAGE: usize = 4096;
/// Shape (a): bytes per round.
const BIG: usize = 100 * MIB;
/// Shape (b): Vecs per round and their size.
const VECS: usize = 25_600;
const VEC_BYTES: usize = 4096;
/// Shape (c): Boxes per round (100 MiB of 64-byte objects).
const BOXES: usize = 100 * MIB / 64;
/// Shape (d): goroutines alive at once, and the stack each writes.
const WAVE: usize = 5_000;
const STACK_TOUCH: usize = 48 * 1024;
/// Shape (d): the stride of the writes (several per page).
const TOUCH_STRIDE: usize = 256;

fn shape_a(rounds: usize) -> u64 {
    let mut sum = 0u64;
    for r in 0..rounds {
        let mut v = alloc::vec![0u8; BIG];
        for p in 0..BIG / PAGE {
            assert_eq!(v[p * PAGE + 100], 0, "vec![0; n] not zeroed");
            v[p * PAGE + 7] = (r * 31 + p) as u8;
        }
        let v = core::hint::black_box(v);
        for p in 0..BIG / PAGE {
            sum += u64::from(v[p * PAGE + 7]);
        }
    }
    sum
}

fn shape_b(rounds: usize) -> u64 {
    let mut sum = 0u64;
    for r in 0..rounds {
        let vs: Vec<Vec<u8>> = (0..VECS)
            .map(|i| alloc::vec![(r + i) as u8; VEC_BYTES])
            .collect();
        let vs = core::hint::black_box(vs);
        for (i, v) in vs.iter().enumerate() {
            sum += u64::from(v[i % VEC_BYTES]);
        }
    }
    sum
}

fn shape_c(rounds: usize) -> u64 {
    let mut sum = 0u64;
    for r in 0..rounds {
        let bs: Vec<Box<[u64; 8]>> = (0..BOXES)
            .map(|i| Box::new([(i as u64) ^ ((r as u64) << 32); 8]))
            .collect();
        let bs = core::hint::black_box(bs);
        for (i, b) in bs.iter().enumerate() {
            sum = sum.wrapping_add(b[i % 8]);
        }
    }
    sum
}

/// One goroutine of shape (d): writes its stack, says so, waits at the
/// gate.
fn stack_toucher(id: usize, started: &WaitGroup, gate: &Chan<()>, sum: &AtomicU64) {
    let mut buf = [0u8; STACK_TOUCH];
    for k in (0..STACK_TOUCH).step_by(TOUCH_STRIDE) {
        buf[k] = (id + k) as u8;
    }
    let buf = core::hint::black_box(&buf);
    let mut s = 0u64;
    for k in (0..STACK_TOUCH).step_by(TOUCH_STRIDE) {
        s += u64::from(buf[k]);
    }
    started.done();
    let _ = gate.recv();
    sum.fetch_add(s, Relaxed);
}

fn shape_d(rounds: usize) -> u64 {
    let sum = Arc::new(AtomicU64::new(0));
    for w in 0..rounds {
        let gate = Arc::new(Chan::<()>::new(0));
        let started = Arc::new(WaitGroup::new());
        let wg = Arc::new(WaitGroup::new());
        started.add(WAVE as isize);
        wg.add(WAVE as isize);
        for i in 0..WAVE {
            let (gate, sum) = (gate.clone(), sum.clone());
            let (started, wg) = (started.clone(), wg.clone());
            rt0::runtime::go(move || {
                stack_toucher(w * WAVE + i, &started, &gate, &sum);
                wg.done();
            });
        }
        started.wait();
        gate.close();
        wg.wait();
    }
    sum.load(Relaxed)
}

fn main() {
    let mut args = rt0::env::args().skip(1);
    let shape = args.next().unwrap_or(b"");
    let rounds: usize = args
        .next()
        .and_then(|a| core::str::from_utf8(a).ok()?.parse().ok())
        .unwrap_or(1);
    let sum = match shape {
        b"a" => shape_a(rounds),
        b"b" => shape_b(rounds),
        b"c" => shape_c(rounds),
        b"d" => shape_d(rounds),
        _ => {
            rt0::eprintln!("usage: scav_shapes a|b|c|d ROUNDS");
            rt0::process::exit(2);
        }
    };
    rt0::println!("checksum={sum}");
    rt0::println!("idle");
    let mut line = alloc::string::String::new();
    while rt0::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {
        line.clear();
    }
    rt0::println!("bye");
}
