//! `select!` (Go's chan_test.go `TestSelectFairness`, `TestSelfSelect`,
//! `TestSelectDuplicateChannel`, `TestNonblockSelectRace` and friends,
//! rewritten for rt0's API). Each mode prints lines that the test
//! (tests/chan_select.rs) asserts.
//!
//! - `fair N`: three always-ready receive cases, N selects: the counts.
//!   `fair_mixed N`: two ready receives and one ready send.
//! - `same_recv N`: two receive cases on the same channel, one value ready.
//! - `same_sendrecv N`: a send and a receive case on the same buffered
//!   channel, both ready; the values received must be in send order.
//! - `same_block N`: two receive cases on the same unbuffered channel with a
//!   partner that sends 0..N: parked on one channel twice, woken once.
//! - `self N`: a send and a receive case on the same unbuffered channel
//!   against a partner that alternately sends and receives: the select
//!   must never pair with itself, so each round's case is forced.
//! - `send_cases N`: send cases to four channels, each drained by its own
//!   receiver: every value arrives, once (count and sum).
//! - `never N`: cases that can never run (no peer, full buffer) with a
//!   `default`: always `default`; a closed channel among never-ready
//!   ones: always its case, with `Err(RecvError)`.
//! - `wake_send N`: a select parked on three channels is woken by a send on
//!   one; the case must be that channel's with the value sent.
//! - `wake_close`: parked selects woken by `close`: a receive case gets
//!   `Err(RecvError)`, a send case its value back.
//! - `close_race N`: a parked-or-polling select on two channels raced by a
//!   send on one and a `close` of the other: one case wins, and a value
//!   the select did not take is still there, once.
//! - `nocases`: `select! {}` after another goroutine finishes: the
//!   deadlock report names `[select (no cases)]`.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::sync::Arc;
use chanutil::{Rng, Seen, arg, arg_u64, usage, wait_parked};
use core::time::Duration;
use rt0::chan::{Chan, RecvError, SendError};
use rt0::runtime::go;

rt0::main!(main);

fn fair(n: u64) {
    let chans: [Chan<u8>; 3] = core::array::from_fn(|_| Chan::new(1));
    for c in &chans {
        c.send(0).unwrap();
    }
    let mut counts = [0u64; 3];
    for _ in 0..n {
        let [a, b, c] = &chans;
        let i = rt0::select! {
            recv(a) -> _v => 0,
            recv(b) -> _v => 1,
            recv(c) -> _v => 2,
        };
        counts[i] += 1;
        chans[i].send(0).unwrap(); // ready again
    }
    rt0::println!("fair a={} b={} c={}", counts[0], counts[1], counts[2]);
}

fn fair_mixed(n: u64) {
    let (a, b, c): (Chan<u8>, Chan<u8>, Chan<u8>) = (Chan::new(1), Chan::new(1), Chan::new(1));
    a.send(0).unwrap();
    c.send(0).unwrap();
    let mut counts = [0u64; 3];
    for _ in 0..n {
        let i = rt0::select! {
            recv(a) -> _v => { a.send(0).unwrap(); 0 },
            send(b, 1) -> r => { r.unwrap(); b.recv().unwrap(); 1 },
            recv(c) -> _v => { c.send(0).unwrap(); 2 },
        };
        counts[i] += 1;
    }
    rt0::println!(
        "fair_mixed recv_a={} send_b={} recv_c={} lens={},{},{}",
        counts[0],
        counts[1],
        counts[2],
        a.len(),
        b.len(),
        c.len()
    );
}

fn same_recv(n: u64) {
    let c: Chan<u64> = Chan::new(1);
    let (mut first, mut second, mut wrong) = (0u64, 0u64, 0u64);
    for i in 0..n {
        c.send(i).unwrap();
        rt0::select! {
            recv(c) -> v => { first += 1; wrong += u64::from(v != Ok(i)) },
            recv(c) -> v => { second += 1; wrong += u64::from(v != Ok(i)) },
        }
    }
    rt0::println!(
        "same_recv first={first} second={second} wrong={wrong} len={}",
        c.len()
    );
}

fn same_sendrecv(n: u64) {
    let c: Chan<u64> = Chan::new(2);
    let (mut next_send, mut next_recv) = (0u64, 0u64);
    c.send(next_send).unwrap();
    next_send += 1;
    let (mut sends, mut recvs, mut out_of_order) = (0u64, 0u64, 0u64);
    for _ in 0..n {
        // len is 1: one slot free and one value waiting, so both are ready.
        rt0::select! {
            send(c, next_send) -> r => { r.unwrap(); next_send += 1; sends += 1 },
            recv(c) -> v => { out_of_order += u64::from(v != Ok(next_recv)); next_recv += 1; recvs += 1 },
        }
        // Back to len 1.
        if c.len() == 2 {
            out_of_order += u64::from(c.recv() != Ok(next_recv));
            next_recv += 1;
        } else {
            c.send(next_send).unwrap();
            next_send += 1;
        }
    }
    rt0::println!(
        "same_sendrecv send={sends} recv={recvs} out_of_order={out_of_order} len={}",
        c.len()
    );
}

fn same_block(n: u64) {
    let c: Chan<u64> = Chan::new(0);
    let tx = c.clone();
    go(move || {
        for i in 0..n {
            tx.send(i).unwrap();
        }
    });
    let (mut first, mut second, mut wrong) = (0u64, 0u64, 0u64);
    for i in 0..n {
        rt0::select! {
            recv(c) -> v => { first += 1; wrong += u64::from(v != Ok(i)) },
            recv(c) -> v => { second += 1; wrong += u64::from(v != Ok(i)) },
        }
    }
    // Nothing of the losing cases stayed queued: the channel still works
    // both ways.
    let tx = c.clone();
    go(move || tx.send(7).unwrap());
    let after = c.recv();
    rt0::println!(
        "same_block total={} wrong={wrong} after={after:?}",
        first + second
    );
}

fn self_select(n: u64) {
    let c: Chan<u64> = Chan::new(0);
    let peer = c.clone();
    let report: Chan<u64> = Chan::new(1);
    let rep = report.clone();
    go(move || {
        let mut wrong = 0u64;
        for i in 0..n {
            if i % 2 == 0 {
                peer.send(i).unwrap();
            } else {
                wrong += u64::from(peer.recv() != Ok(i));
            }
        }
        rep.send(wrong).unwrap();
    });
    let (mut wrong, mut sends, mut recvs) = (0u64, 0u64, 0u64);
    for i in 0..n {
        rt0::select! {
            send(c, i) -> r => { sends += 1; wrong += u64::from(r.is_err() || i % 2 == 0) },
            recv(c) -> v => { recvs += 1; wrong += u64::from(v != Ok(i) || i % 2 == 1) },
        }
    }
    rt0::println!(
        "self sends={sends} recvs={recvs} wrong={wrong} peer_wrong={}",
        report.recv().unwrap()
    );
}

fn send_cases(n: u64) {
    let chans: [Chan<u64>; 4] = core::array::from_fn(|_| Chan::new(0));
    let totals: Chan<(usize, u64, u64)> = Chan::new(4);
    let seen = Arc::new(Seen::new(n));
    for (k, c) in chans.iter().enumerate() {
        let (c, totals, seen) = (c.clone(), totals.clone(), seen.clone());
        go(move || {
            let (mut count, mut sum) = (0u64, 0u64);
            for v in &c {
                seen.mark(v);
                count += 1;
                sum += v;
            }
            totals.send((k, count, sum)).unwrap();
        });
    }
    let [a, b, c, d] = &chans;
    for v in 0..n {
        rt0::select! {
            send(a, v) -> r => r.unwrap(),
            send(b, v) -> r => r.unwrap(),
            send(c, v) -> r => r.unwrap(),
            send(d, v) -> r => r.unwrap(),
        }
    }
    for c in &chans {
        c.close();
    }
    // Which channels carry the values is up to the scheduler (at
    // GOMAXPROCS 1 one receiver may take them all): only the totals count.
    let (mut count, mut sum) = (0u64, 0u64);
    for _ in 0..4 {
        let (_k, n, s) = totals.recv().unwrap();
        count += n;
        sum += s;
    }
    rt0::println!(
        "send_cases count={count} sum={sum} distinct={}",
        seen.count()
    );
}

fn never(n: u64) {
    let nobody: Chan<u8> = Chan::new(0); // no sender, no receiver, ever
    let full: Chan<u8> = Chan::new(1);
    full.send(1).unwrap();
    let mut defaults = 0;
    for _ in 0..n {
        rt0::select! {
            recv(nobody) -> _v => {},
            send(nobody, 2) -> _r => {},
            send(full, 3) -> _r => {},
            default => defaults += 1,
        }
    }
    let closed: Chan<u8> = Chan::new(0);
    closed.close();
    let mut closed_case = 0;
    for _ in 0..n {
        rt0::select! {
            recv(nobody) -> _v => {},
            recv(closed) -> v => closed_case += u64::from(v == Err(RecvError)),
            send(full, 3) -> _r => {},
        }
    }
    rt0::println!(
        "never defaults={defaults} closed_case={closed_case} full_len={}",
        full.len()
    );
}

fn wake_send(n: u64) {
    let chans: [Chan<u64>; 3] = core::array::from_fn(|_| Chan::new(0));
    // First round: the sender waits 10 ms, so the select has surely parked.
    // t0 is read before the sender exists: its sleep (never early) starts
    // after t0, whichever M runs it and whenever.
    let t0 = rt0::time::nanotime();
    let tx = chans[1].clone();
    go(move || {
        rt0::time::sleep(Duration::from_millis(10));
        tx.send(42).unwrap();
    });
    let [a, b, c] = &chans;
    let (case, v) = rt0::select! {
        recv(a) -> v => (0, v),
        recv(b) -> v => (1, v),
        recv(c) -> v => (2, v),
    };
    let waited = rt0::time::nanotime() - t0;
    rt0::println!(
        "wake_send case={case} v={v:?} waited_10ms={}",
        waited >= 10_000_000
    );
    // Then N rounds against a partner sending round*3+k on channel k.
    let txs = chans.clone();
    go(move || {
        let mut rng = Rng::new(7);
        for round in 0..n {
            let k = rng.range(0, 2);
            txs[k as usize].send(round * 3 + k).unwrap();
        }
    });
    let mut wrong = 0;
    for round in 0..n {
        let (k, v) = rt0::select! {
            recv(a) -> v => (0, v),
            recv(b) -> v => (1, v),
            recv(c) -> v => (2, v),
        };
        wrong += u64::from(v != Ok(round * 3 + k));
    }
    rt0::println!("wake_send rounds={n} wrong={wrong}");
}

fn wake_close() {
    let (a, b): (Chan<u8>, Chan<u8>) = (Chan::new(0), Chan::new(0));
    let closer = b.clone();
    go(move || {
        wait_parked("select", 1);
        closer.close();
    });
    let r = rt0::select! {
        recv(a) -> v => ("a", v),
        recv(b) -> v => ("b", v),
    };
    rt0::println!("wake_close recv case={} v={:?}", r.0, r.1);

    let full: Chan<u8> = Chan::new(1);
    full.send(1).unwrap();
    let nobody: Chan<u8> = Chan::new(0);
    let closer = full.clone();
    go(move || {
        wait_parked("select", 1);
        closer.close();
    });
    let r: (&str, Result<(), SendError<u8>>) = rt0::select! {
        send(full, 7) -> r => ("full", r),
        recv(nobody) -> _v => ("nobody", Ok(())),
    };
    rt0::println!(
        "wake_close send case={} r={:?} then={:?},{:?}",
        r.0,
        r.1.map_err(|SendError(v)| v),
        full.recv(),
        full.recv()
    );
}

fn close_race(n: u64) {
    let (mut via_send, mut via_close, mut wrong) = (0u64, 0u64, 0u64);
    for round in 0..n {
        let (a, b): (Chan<u64>, Chan<u64>) = (Chan::new(0), Chan::new(0));
        let sent: Chan<bool> = Chan::new(1);
        let (sa, ss) = (a.clone(), sent.clone());
        go(move || ss.send(sa.send(round).is_ok()).unwrap());
        let cb = b.clone();
        go(move || cb.close());
        let got_close = rt0::select! {
            recv(a) -> v => { wrong += u64::from(v != Ok(round)); false },
            recv(b) -> v => { wrong += u64::from(v != Err(RecvError)); true },
        };
        if got_close {
            via_close += 1;
            // The sender's value was not taken by the select: it is still
            // there to receive, exactly once.
            wrong += u64::from(a.recv() != Ok(round));
        } else {
            via_send += 1;
        }
        wrong += u64::from(sent.recv() != Ok(true));
        wrong += u64::from(a.try_recv().is_ok());
    }
    rt0::println!(
        "close_race rounds={n} wrong={wrong} both_seen={}",
        via_send > 0 && via_close > 0
    );
}

fn main() {
    let n = arg_u64(2, 10_000);
    match arg(1) {
        "fair" => fair(n),
        "fair_mixed" => fair_mixed(n),
        "same_recv" => same_recv(n),
        "same_sendrecv" => same_sendrecv(n),
        "same_block" => same_block(n),
        "self" => self_select(n),
        "send_cases" => send_cases(n),
        "never" => never(n),
        "wake_send" => wake_send(n),
        "wake_close" => wake_close(),
        "close_race" => close_race(n),
        "nocases" => {
            let done: Chan<()> = Chan::new(1);
            let d = done.clone();
            go(move || {
                rt0::time::sleep(Duration::from_millis(20));
                rt0::println!("worker done");
                d.send(()).unwrap();
            });
            rt0::select! {}
        }
        other => usage(other),
    }
}
