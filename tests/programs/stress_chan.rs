//! Stress programs for channels and `select!` with exact counters (run by
//! `make stress`, scripts/stress.py, which compares every stdout line
//! exactly; lines starting with `info ` are printed for people and not
//! compared).
//!
//! - `pingpong CAP N`: A sends 0..N on `ping`, B sends each value back on
//!   `pong`, A checks it got the same value in order. Prints
//!   `pingpong cap=CAP rounds=N bad=0`.
//! - `mpmc CAP P C PER`: P producers send their own PER values each
//!   (`0..P*PER`, every other one through a one-case `select!`), C
//!   consumers receive until the channel is closed (closed by the last
//!   producer, through a WaitGroup). Every value is received exactly once:
//!   prints `mpmc count=P*PER sum=S dups=0 distinct=P*PER` with S the sum
//!   of `0..P*PER`.
//! - `pipeline N`: a producer sends `0..N` to 16 workers, each sends
//!   `2v+1` on to one collector; a WaitGroup over the workers closes the
//!   results channel. Prints `pipeline n=N workers=16 count=N sum=N*N dups=0`.
//! - `select_close CAP S R M`: S senders each make M attempts, every one a
//!   `select!` offering the same value on three channels of capacity CAP;
//!   R receivers `select!` over the three until they have seen each one
//!   closed (then offering a never-ready channel in its place); a closer closes the three, one by one, while traffic flows.
//!   Every attempt ends in exactly one outcome (sent on channel i, or
//!   refused on channel i as closed) and every sent value is received
//!   exactly once: prints `select_close attempts=S*M outcomes=S*M lost=0
//!   dups=0 refused_received=0 receivers_done=R`, then an `info` line with
//!   the outcome counts.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::sync::Arc;
use alloc::vec::Vec;
use chanutil::{Seen, arg, arg_u64, usage};
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};
use rt0::chan::Chan;
use rt0::runtime::{go, gosched};
use rt0::sync::WaitGroup;

rt0::main!(main);

/// Workers of the pipeline (the 16-worker pipeline).
const PIPELINE_WORKERS: u64 = 16;
/// Channels a `select_close` case offers on.
const SELECT_CHANS: usize = 3;

fn pingpong(cap: usize, n: u64) {
    let (ping, pong): (Chan<u64>, Chan<u64>) = (Chan::new(cap), Chan::new(cap));
    let (p2, q2) = (ping.clone(), pong.clone());
    go(move || {
        for v in &p2 {
            q2.send(v).unwrap();
        }
        q2.close();
    });
    let mut bad = 0u64;
    for i in 0..n {
        ping.send(i).unwrap();
        if pong.recv() != Ok(i) {
            bad += 1;
        }
    }
    ping.close();
    if pong.recv().is_ok() {
        bad += 1;
    }
    rt0::println!("pingpong cap={cap} rounds={n} bad={bad}");
}

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
    fn take(&self, v: u64) {
        if !self.seen.mark(v) {
            self.dups.fetch_add(1, SeqCst);
        }
        self.count.fetch_add(1, SeqCst);
        self.sum.fetch_add(v, SeqCst);
    }
}

fn mpmc(cap: usize, p: u64, c: u64, per: u64) {
    let n = p * per;
    let ch: Chan<u64> = Chan::new(cap);
    let tally = Tally::new(n);
    let producers = Arc::new(WaitGroup::new());
    let consumers = Arc::new(WaitGroup::new());
    producers.add(p as isize);
    consumers.add(c as isize);
    for k in 0..p {
        let (ch, producers) = (ch.clone(), producers.clone());
        go(move || {
            for v in k * per..(k + 1) * per {
                if v % 2 == 0 {
                    ch.send(v).unwrap();
                } else {
                    rt0::select! { send(ch, v) -> r => r.unwrap() }
                }
            }
            producers.done();
        });
    }
    for _ in 0..c {
        let (ch, tally, consumers) = (ch.clone(), tally.clone(), consumers.clone());
        go(move || {
            for v in &ch {
                tally.take(v);
            }
            consumers.done();
        });
    }
    producers.wait();
    ch.close();
    consumers.wait();
    rt0::println!(
        "mpmc count={} sum={} dups={} distinct={}",
        tally.count.load(SeqCst),
        tally.sum.load(SeqCst),
        tally.dups.load(SeqCst),
        tally.seen.count()
    );
}

fn pipeline(n: u64) {
    let (jobs, results): (Chan<u64>, Chan<u64>) = (Chan::new(0), Chan::new(0));
    let workers = Arc::new(WaitGroup::new());
    workers.add(PIPELINE_WORKERS as isize);
    for _ in 0..PIPELINE_WORKERS {
        let (jobs, results, workers) = (jobs.clone(), results.clone(), workers.clone());
        go(move || {
            for v in &jobs {
                results.send(2 * v + 1).unwrap();
            }
            workers.done();
        });
    }
    let j = jobs.clone();
    go(move || {
        for v in 0..n {
            j.send(v).unwrap();
        }
        j.close();
    });
    let (r, w) = (results.clone(), workers.clone());
    go(move || {
        w.wait();
        r.close();
    });
    // The collector: 2v+1 is odd and below 2N, so (x-1)/2 is the job.
    let tally = Tally::new(n);
    let mut sum = 0u64;
    for x in &results {
        tally.take((x - 1) / 2);
        sum += x;
    }
    rt0::println!(
        "pipeline n={n} workers={PIPELINE_WORKERS} count={} sum={sum} dups={}",
        tally.count.load(SeqCst),
        tally.dups.load(SeqCst)
    );
}

fn select_close(cap: usize, s: u64, r: u64, m: u64) {
    let n = s * m;
    let chans: Arc<Vec<Chan<u64>>> = Arc::new((0..SELECT_CHANS).map(|_| Chan::new(cap)).collect());
    // Outcomes: sent[i] / refused[i] per channel, counted by the senders.
    let sent: Arc<Vec<AtomicU64>> =
        Arc::new((0..SELECT_CHANS).map(|_| AtomicU64::new(0)).collect());
    let refused: Arc<Vec<AtomicU64>> =
        Arc::new((0..SELECT_CHANS).map(|_| AtomicU64::new(0)).collect());
    let sent_ok = Arc::new(Seen::new(n));
    let received = Tally::new(n);
    let attempts = Arc::new(AtomicU64::new(0));
    let wg = Arc::new(WaitGroup::new());
    wg.add((s + r) as isize);
    for k in 0..s {
        let (chans, sent, refused, sent_ok, attempts, wg) = (
            chans.clone(),
            sent.clone(),
            refused.clone(),
            sent_ok.clone(),
            attempts.clone(),
            wg.clone(),
        );
        go(move || {
            let [a, b, c] = [&chans[0], &chans[1], &chans[2]];
            for v in k * m..(k + 1) * m {
                let (i, ok) = rt0::select! {
                    send(a, v) -> x => (0, x.is_ok()),
                    send(b, v) -> x => (1, x.is_ok()),
                    send(c, v) -> x => (2, x.is_ok()),
                };
                if ok {
                    sent_ok.mark(v);
                    sent[i].fetch_add(1, SeqCst);
                } else {
                    refused[i].fetch_add(1, SeqCst);
                }
                attempts.fetch_add(1, SeqCst);
            }
            wg.done();
        });
    }
    let closed_seen = Arc::new(AtomicU64::new(0));
    for _ in 0..r {
        let (chans, received, closed_seen, wg) = (
            chans.clone(),
            received.clone(),
            closed_seen.clone(),
            wg.clone(),
        );
        go(move || {
            // A channel seen closed is replaced by one nobody sends on
            // (Go's nil-channel idiom): a closed case is always ready, and
            // rt0 has no preemption, so selecting on it again would spin
            // and could keep the closer off both Ps.
            let never: Chan<u64> = Chan::new(0);
            let mut cs = [chans[0].clone(), chans[1].clone(), chans[2].clone()];
            let mut closed = [false; SELECT_CHANS];
            while closed.iter().any(|&x| !x) {
                let [a, b, c] = &cs;
                let (i, v) = rt0::select! {
                    recv(a) -> x => (0, x),
                    recv(b) -> x => (1, x),
                    recv(c) -> x => (2, x),
                };
                match v {
                    Ok(v) => received.take(v),
                    Err(_) => {
                        closed[i] = true;
                        cs[i] = never.clone();
                    }
                }
            }
            closed_seen.fetch_add(1, SeqCst);
            wg.done();
        });
    }
    // The closer: each channel closes once a further quarter of the
    // attempts has been made, so closes land while senders and receivers
    // are parked on it and on the others.
    for (i, ch) in chans.iter().enumerate() {
        let at = n * (i as u64 + 1) / (SELECT_CHANS as u64 + 1);
        while attempts.load(SeqCst) < at {
            gosched();
        }
        ch.close();
    }
    wg.wait();
    let outcomes: u64 = sent
        .iter()
        .chain(refused.iter())
        .map(|x| x.load(SeqCst))
        .sum();
    let sent_total: u64 = sent.iter().map(|x| x.load(SeqCst)).sum();
    // Values sent but never received, and received though refused.
    let (mut lost, mut refused_received) = (0u64, 0u64);
    for v in 0..n {
        match (sent_ok.is_marked(v), received.seen.is_marked(v)) {
            (true, false) => lost += 1,
            (false, true) => refused_received += 1,
            _ => {}
        }
    }
    if received.count.load(SeqCst) != sent_total {
        lost += 1; // counted twice or missed: reported as a loss
    }
    rt0::println!(
        "select_close attempts={} outcomes={outcomes} lost={lost} dups={} refused_received={refused_received} receivers_done={}",
        attempts.load(SeqCst),
        received.dups.load(SeqCst),
        closed_seen.load(SeqCst)
    );
    let l = |v: &Vec<AtomicU64>| {
        let x: Vec<u64> = v.iter().map(|a| a.load(SeqCst)).collect();
        x
    };
    rt0::println!("info sent={:?} refused={:?}", l(&sent), l(&refused));
}

fn main() {
    match arg(1) {
        "pingpong" => pingpong(arg_u64(2, 0) as usize, arg_u64(3, 100_000)),
        "mpmc" => mpmc(
            arg_u64(2, 8) as usize,
            arg_u64(3, 4),
            arg_u64(4, 4),
            arg_u64(5, 10_000),
        ),
        "pipeline" => pipeline(arg_u64(2, 20_000)),
        "select_close" => select_close(
            arg_u64(2, 0) as usize,
            arg_u64(3, 4),
            arg_u64(4, 4),
            arg_u64(5, 5_000),
        ),
        other => usage(other),
    }
}
