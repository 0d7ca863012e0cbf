//! Runtime code interrupted by preemption keeps its books: loops that
//! hammer the allocator and the channels without ever yielding on their
//! own come out with exact counts when sysmon preempts them in the middle
//! of malloc, free, a channel's critical section or the scheduler's own
//! paths (which must be covered by the no-preemption count: a goroutine
//! preempted there would resume on another M holding the first M's state).
//!
//! - `malloc G N`: G goroutines each make N allocations (mostly 8..512
//!   bytes, one in 16 of 4..64 KiB), each filled with a pattern naming
//!   its goroutine, round and word, kept in a ring of 8 live ones and
//!   checked word by word when freed. No call yields: at GOMAXPROCS=1 the
//!   goroutines take turns only by preemption.
//!   `malloc goroutines=G per=N count=G*N bad=0`.
//! - `chan P C N CAP`: P producers send N values each into one channel of
//!   capacity CAP, C consumers take them; half of each side polls with
//!   `try_send`/`try_recv` in a loop that never parks (so only
//!   preemption lets the other side run when the channel is full or
//!   empty), half blocks in `send`/`recv`. Every value is seen once.
//!   `chan count=P*N sum=S dups=0 distinct=P*N`.
//!
//! Both print `info switches=W` (times a goroutine was found descheduled
//! between two steps of its loop; see `preempt_util::Switches`).
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;
#[path = "preempt_util/mod.rs"]
mod preempt_util;

use alloc::sync::Arc;
use alloc::vec::Vec;
use chanutil::{Rng, Seen, arg, arg_u64, usage};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use preempt_util::Switches;
use rt0::chan::{Chan, TryRecvError, TrySendError};
use rt0::runtime::go;
use rt0::sync::WaitGroup;

rt0::main!(main);

/// Allocations each malloc goroutine keeps alive at once.
const RING: usize = 8;
/// One allocation in this many is large.
const LARGE_ONE_IN: u64 = 16;
/// Sizes in 8-byte words.
const SMALL_WORDS: (u64, u64) = (1, 64);
const LARGE_WORDS: (u64, u64) = (512, 8192);

static BAD: AtomicU64 = AtomicU64::new(0);
static COUNT: AtomicU64 = AtomicU64::new(0);
static SWITCHES: AtomicU64 = AtomicU64::new(0);

/// The word `w` of allocation `round` of goroutine `g`.
fn pattern(g: u64, round: u64, w: u64) -> u64 {
    (g << 48) ^ (round << 16) ^ w ^ 0xa5a5_0000_0000_5a5a
}

fn check(v: &[u64], g: u64, round: u64) {
    if v.iter()
        .enumerate()
        .any(|(w, &x)| x != pattern(g, round, w as u64))
    {
        BAD.fetch_add(1, Relaxed);
    }
}

fn malloc_loop(g: u64, n: u64) {
    let mut rng = Rng::new(g + 1);
    let mut ring: Vec<(u64, Vec<u64>)> = Vec::with_capacity(RING);
    let mut sw = Switches::new();
    for round in 0..n {
        let (lo, hi) = if rng.next().is_multiple_of(LARGE_ONE_IN) {
            LARGE_WORDS
        } else {
            SMALL_WORDS
        };
        let words = rng.range(lo, hi);
        let v: Vec<u64> = (0..words).map(|w| pattern(g, round, w)).collect();
        if ring.len() < RING {
            ring.push((round, v));
        } else {
            let slot = (round % RING as u64) as usize;
            let (old_round, old) = core::mem::replace(&mut ring[slot], (round, v));
            check(&old, g, old_round);
        }
        sw.check();
    }
    for (round, v) in &ring {
        check(v, g, *round);
    }
    COUNT.fetch_add(n, Relaxed);
    SWITCHES.fetch_add(sw.count, Relaxed);
}

fn producer(c: Chan<u64>, first: u64, n: u64, poll: bool) {
    let mut sw = Switches::new();
    for v in first..first + n {
        if poll {
            let mut v = v;
            loop {
                match c.try_send(v) {
                    Ok(()) => break,
                    Err(TrySendError::Full(back)) => v = back,
                    Err(TrySendError::Closed(_)) => {
                        BAD.fetch_add(1, Relaxed);
                        return;
                    }
                }
                sw.check();
            }
        } else {
            c.send(v).unwrap();
        }
    }
    SWITCHES.fetch_add(sw.count, Relaxed);
}

fn consumer(c: Chan<u64>, seen: &Seen, sum: &AtomicU64, poll: bool) {
    let mut sw = Switches::new();
    loop {
        let v = if poll {
            match c.try_recv() {
                Ok(v) => v,
                Err(TryRecvError::Empty) => {
                    sw.check();
                    continue;
                }
                Err(TryRecvError::Closed) => break,
            }
        } else {
            match c.recv() {
                Ok(v) => v,
                Err(_) => break,
            }
        };
        if !seen.mark(v) {
            BAD.fetch_add(1, Relaxed);
        }
        sum.fetch_add(v, Relaxed);
        COUNT.fetch_add(1, Relaxed);
    }
    SWITCHES.fetch_add(sw.count, Relaxed);
}

fn main() {
    match arg(1) {
        "malloc" => {
            let (g, n) = (arg_u64(2, 4), arg_u64(3, 20_000));
            let wg = Arc::new(WaitGroup::new());
            wg.add(g as isize);
            for id in 0..g {
                let wg = wg.clone();
                go(move || {
                    malloc_loop(id, n);
                    wg.done();
                });
            }
            wg.wait();
            rt0::println!(
                "malloc goroutines={g} per={n} count={} bad={}",
                COUNT.load(Relaxed),
                BAD.load(Relaxed)
            );
        }
        "chan" => {
            let (p, cons, n, cap) = (
                arg_u64(2, 4),
                arg_u64(3, 4),
                arg_u64(4, 20_000),
                arg_u64(5, 16),
            );
            let c: Chan<u64> = Chan::new(cap as usize);
            let seen = Arc::new(Seen::new(p * n));
            let sum = Arc::new(AtomicU64::new(0));
            let producers = Arc::new(WaitGroup::new());
            let consumers = Arc::new(WaitGroup::new());
            producers.add(p as isize);
            consumers.add(cons as isize);
            for i in 0..cons {
                let (c, seen, sum, wg) = (c.clone(), seen.clone(), sum.clone(), consumers.clone());
                go(move || {
                    consumer(c, &seen, &sum, i % 2 == 0);
                    wg.done();
                });
            }
            for i in 0..p {
                let (c, wg) = (c.clone(), producers.clone());
                go(move || {
                    producer(c, i * n, n, i % 2 == 0);
                    wg.done();
                });
            }
            producers.wait();
            c.close();
            consumers.wait();
            rt0::println!(
                "chan count={} sum={} dups={} distinct={}",
                COUNT.load(Relaxed),
                sum.load(Relaxed),
                BAD.load(Relaxed),
                seen.count()
            );
        }
        other => usage(other),
    }
    rt0::println!("info switches={}", SWITCHES.load(Relaxed));
}
