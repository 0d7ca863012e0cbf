//! Channel throughput under contention, checked value by value (Go's
//! chan_test.go `TestChan`, `TestMultiConsumer`, `TestNonblockRecvRace`
//! rewritten for rt0's API). Every mode prints `key=value` lines; the test
//! (tests/chan_stress.rs) asserts them.
//!
//! - `mpmc CAP SENDERS RECEIVERS PER`: SENDERS goroutines send the values
//!   `0..SENDERS*PER` (each its own slice; half with `send`, half with a
//!   one-case `select!` send), RECEIVERS goroutines receive until the
//!   channel is closed (by `for v in &c`, `recv()` and a one-case
//!   `select!` recv in turn). Count, sum and a per-value seen-bitmap show
//!   whether anything was lost or duplicated.
//! - `fifo`: one sender, one receiver, several capacities: values arrive
//!   in the order sent, `len` never exceeds `cap`; and in one goroutine the
//!   exact `len` after each send and receive of a fill-and-drain.
//! - `nonblock CAP PER`: `try_send` loops against blocking receivers,
//!   blocking senders against `try_recv` loops, and a channel with both
//!   kinds on both sides, all at once; each channel's count, sum and
//!   bitmap stay exact.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use chanutil::{Seen, arg, arg_u64, usage};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use rt0::chan::{Chan, TryRecvError, TrySendError};
use rt0::runtime::{go, gosched};
use rt0::sync::WaitGroup;

rt0::main!(main);

/// What the receivers of one channel saw, together.
struct Tally {
    count: AtomicU64,
    sum: AtomicU64,
    dups: AtomicU64,
    seen: Seen,
}

impl Tally {
    fn new(n: u64) -> Arc<Tally> {
        Arc::new(Tally {
            count: AtomicU64::new(0),
            sum: AtomicU64::new(0),
            dups: AtomicU64::new(0),
            seen: Seen::new(n),
        })
    }
    /// Adds a receiver's local totals; marks each value as it arrives.
    fn mark(&self, v: u64) {
        if !self.seen.mark(v) {
            self.dups.fetch_add(1, Relaxed);
        }
    }
    fn add(&self, count: u64, sum: u64) {
        self.count.fetch_add(count, Relaxed);
        self.sum.fetch_add(sum, Relaxed);
    }
    fn report(&self, label: &str, n: u64) {
        rt0::println!(
            "{label} count={} sum={} want_count={n} want_sum={} dups={} distinct={}",
            self.count.load(Relaxed),
            self.sum.load(Relaxed),
            n * n.saturating_sub(1) / 2,
            self.dups.load(Relaxed),
            self.seen.count()
        );
    }
}

fn mpmc(cap: usize, senders: u64, receivers: u64, per: u64) {
    let n = senders * per;
    let c: Chan<u64> = Chan::new(cap);
    let tally = Tally::new(n);
    let sent = Arc::new(WaitGroup::new());
    let recvd = Arc::new(WaitGroup::new());
    sent.add(senders as isize);
    recvd.add(receivers as isize);
    for s in 0..senders {
        let (c, sent) = (c.clone(), sent.clone());
        go(move || {
            for v in s * per..(s + 1) * per {
                if s % 2 == 0 {
                    c.send(v).unwrap();
                } else {
                    rt0::select! { send(c, v) -> r => r.unwrap() }
                }
            }
            sent.done();
        });
    }
    for r in 0..receivers {
        let (c, tally, recvd) = (c.clone(), tally.clone(), recvd.clone());
        go(move || {
            let (mut count, mut sum) = (0u64, 0u64);
            let mut take = |v: u64| {
                tally.mark(v);
                count += 1;
                sum += v;
            };
            match r % 3 {
                0 => {
                    for v in &c {
                        take(v);
                    }
                }
                1 => {
                    while let Ok(v) = c.recv() {
                        take(v);
                    }
                }
                _ => loop {
                    let more = rt0::select! {
                        recv(c) -> v => match v {
                            Ok(v) => { take(v); true }
                            Err(_) => false,
                        },
                    };
                    if !more {
                        break;
                    }
                },
            }
            tally.add(count, sum);
            recvd.done();
        });
    }
    sent.wait();
    c.close();
    recvd.wait();
    tally.report(&format!("mpmc cap={cap}"), n);
}

/// Lengths seen while filling a channel of capacity `cap` to the brim and
/// draining it again, in one goroutine: `fill=1,2,..,cap full=.. drain=..`.
fn fill_and_drain(cap: usize) -> String {
    let c: Chan<usize> = Chan::new(cap);
    let mut s = format!("cap={} len0={} fill=", c.cap(), c.len());
    for i in 0..cap {
        c.send(i).unwrap();
        s += &format!("{}{}", if i == 0 { "" } else { "," }, c.len());
    }
    // The value given back, explicitly: TrySendError's Debug, as std's,
    // does not show it.
    s += &match c.try_send(cap) {
        Err(TrySendError::Full(v)) => format!(" full=Full({v})"),
        other => format!(" full=unexpected {other:?}"),
    };
    s += " drain=";
    let mut order_ok = true;
    for i in 0..cap {
        order_ok &= c.recv() == Ok(i);
        s += &format!("{}{}", if i == 0 { "" } else { "," }, c.len());
    }
    s += &format!(" empty={:?} order_ok={order_ok}", c.try_recv());
    s
}

fn fifo() {
    for cap in [1usize, 2, 3, 7] {
        rt0::println!("lens {}", fill_and_drain(cap));
    }
    for cap in [1usize, 2, 3, 7, 64, 1000] {
        let n: u64 = 50_000;
        let c: Chan<u64> = Chan::new(cap);
        let tx = c.clone();
        go(move || {
            for v in 0..n {
                tx.send(v).unwrap();
            }
            tx.close();
        });
        let (mut next, mut out_of_order, mut max_len) = (0u64, 0u64, 0usize);
        for v in &c {
            max_len = max_len.max(c.len());
            if v != next {
                out_of_order += 1;
            }
            next = v + 1;
        }
        rt0::println!(
            "fifo cap={cap} received={next} out_of_order={out_of_order} max_len={max_len} cap_after={}",
            c.cap()
        );
    }
}

/// One channel of the nonblocking race: `ts` try-senders, `bs` blocking
/// senders, `tr` try-receivers, `br` blocking receivers, PER values per
/// sender. Prints the tally once everything is done.
fn race(label: &str, cap: usize, ts: u64, bs: u64, tr: u64, br: u64, per: u64) {
    let senders = ts + bs;
    let n = senders * per;
    let c: Chan<u64> = Chan::new(cap);
    let tally = Tally::new(n);
    let fulls = Arc::new(AtomicU64::new(0));
    let empties = Arc::new(AtomicU64::new(0));
    let sent = Arc::new(WaitGroup::new());
    let recvd = Arc::new(WaitGroup::new());
    sent.add(senders as isize);
    recvd.add((tr + br) as isize);
    for s in 0..senders {
        let (c, sent, fulls) = (c.clone(), sent.clone(), fulls.clone());
        let trying = s < ts;
        go(move || {
            for mut v in s * per..(s + 1) * per {
                if !trying {
                    c.send(v).unwrap();
                    continue;
                }
                loop {
                    match c.try_send(v) {
                        Ok(()) => break,
                        Err(TrySendError::Full(back)) => {
                            v = back;
                            fulls.fetch_add(1, Relaxed);
                            gosched();
                        }
                        Err(TrySendError::Closed(_)) => panic!("closed while sending"),
                    }
                }
            }
            sent.done();
        });
    }
    for r in 0..tr + br {
        let (c, tally, recvd, empties) = (c.clone(), tally.clone(), recvd.clone(), empties.clone());
        let trying = r < tr;
        go(move || {
            let (mut count, mut sum) = (0u64, 0u64);
            loop {
                let v = if trying {
                    match c.try_recv() {
                        Ok(v) => v,
                        Err(TryRecvError::Empty) => {
                            empties.fetch_add(1, Relaxed);
                            gosched();
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
                tally.mark(v);
                count += 1;
                sum += v;
            }
            tally.add(count, sum);
            recvd.done();
        });
    }
    sent.wait();
    c.close();
    recvd.wait();
    tally.report(&format!("{label} cap={cap}"), n);
    rt0::println!(
        "stats {label} cap={cap} fulls={} empties={}",
        fulls.load(Relaxed),
        empties.load(Relaxed)
    );
}

fn nonblock(cap: usize, per: u64) {
    // The three channels run at the same time, each in its own goroutine.
    let wg = Arc::new(WaitGroup::new());
    wg.add(3);
    type Shape = (&'static str, u64, u64, u64, u64);
    let shapes: Vec<Shape> = alloc::vec![
        ("trysend", 4, 0, 0, 4),
        ("tryrecv", 0, 4, 4, 0),
        ("mixed", 2, 2, 2, 2),
    ];
    for (label, ts, bs, tr, br) in shapes {
        let wg = wg.clone();
        go(move || {
            race(label, cap, ts, bs, tr, br, per);
            wg.done();
        });
    }
    wg.wait();
}

fn main() {
    match arg(1) {
        "mpmc" => mpmc(
            arg_u64(2, 0) as usize,
            arg_u64(3, 8),
            arg_u64(4, 8),
            arg_u64(5, 50_000),
        ),
        "fifo" => fifo(),
        "nonblock" => nonblock(arg_u64(2, 0) as usize, arg_u64(3, 20_000)),
        other => usage(other),
    }
}
