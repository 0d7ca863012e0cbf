//! `close` and the goroutines it finds (Go's chan_test.go `TestChanClose`
//! style cases, rewritten for rt0's `Result` answers instead of panics).
//! Each mode prints lines the test (tests/chan_close.rs) asserts.
//!
//! - `senders CAP`: a channel of capacity CAP is filled, then 8 senders
//!   and 2 `select!` senders are *seen parked* (wait reasons read from the
//!   runtime) before `close`: each must get its own value back in
//!   `SendError`; the CAP buffered values are still received, in order,
//!   then `Err(RecvError)`.
//! - `receivers CAP`: 8 receivers and 2 `select!` receivers parked on an
//!   empty channel all get `Err(RecvError)` from `close`.
//! - `buffered`: values sent before `close` come out first and in order,
//!   `len` counting down; then every operation reports closed.
//! - `race CAP`: 8 senders send until refused while receivers drain, and
//!   `close` lands in the middle (after the first 1000 values were
//!   accepted, long before the 8M to send): every accepted value is received once,
//!   no refused value is received, each refusal returns the sender's value.
//! - `twice`: closing a closed channel panics as Go's does.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use chanutil::{Seen, arg, arg_u64, usage, wait_parked};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use core::time::Duration;
use rt0::chan::{Chan, RecvError, SendError, TryRecvError, TrySendError};
use rt0::runtime::go;
use rt0::sync::WaitGroup;

rt0::main!(main);

fn senders(cap: usize) {
    let c: Chan<u64> = Chan::new(cap);
    for i in 0..cap as u64 {
        c.send(1000 + i).unwrap();
    }
    // Each sender reports (its value, what send returned).
    let res: Chan<(u64, Result<(), SendError<u64>>)> = Chan::new(10);
    for i in 0..8u64 {
        let (c, res) = (c.clone(), res.clone());
        go(move || res.send((i, c.send(i))).unwrap());
    }
    for i in 8..10u64 {
        let (c, res) = (c.clone(), res.clone());
        go(move || {
            let r = rt0::select! { send(c, i) -> r => r };
            res.send((i, r)).unwrap();
        });
    }
    wait_parked("chan send", 8);
    wait_parked("select", 2);
    rt0::println!(
        "parked chan_send={} select={}",
        chanutil::parked("chan send"),
        chanutil::parked("select")
    );
    c.close();
    let (mut own, mut other) = (0, 0);
    for _ in 0..10 {
        match res.recv().unwrap() {
            (i, Err(SendError(v))) if v == i => own += 1,
            _ => other += 1,
        }
    }
    let buffered: Vec<String> = (&c).into_iter().map(|v| format!("{v}")).collect();
    rt0::println!(
        "senders cap={cap} own_value_back={own} other={other} buffered=[{}] then={:?}",
        buffered.join(","),
        c.recv()
    );
}

fn receivers(cap: usize) {
    let c: Chan<u64> = Chan::new(cap);
    let res: Chan<Result<u64, RecvError>> = Chan::new(10);
    for _ in 0..8 {
        let (c, res) = (c.clone(), res.clone());
        go(move || res.send(c.recv()).unwrap());
    }
    for _ in 0..2 {
        let (c, res) = (c.clone(), res.clone());
        go(move || {
            let r = rt0::select! { recv(c) -> r => r };
            res.send(r).unwrap();
        });
    }
    wait_parked("chan receive", 8);
    wait_parked("select", 2);
    c.close();
    let errs = (0..10)
        .filter(|_| res.recv().unwrap() == Err(RecvError))
        .count();
    rt0::println!("receivers cap={cap} recv_err={errs} of=10");
}

fn buffered() {
    let c: Chan<u32> = Chan::new(5);
    for v in 1..=5 {
        c.send(v).unwrap();
    }
    c.close();
    let mut s = format!("closed={} len={}", c.is_closed(), c.len());
    for _ in 0..5 {
        let v = c.recv();
        s += &format!(" {v:?}/{}", c.len());
    }
    rt0::println!("buffered {s}");
    rt0::println!(
        "after recv={:?} try_recv={:?} send={:?} try_send={:?} range={}",
        c.recv(),
        c.try_recv(),
        c.send(7).map_err(|SendError(v)| v),
        c.try_send(8).map_err(|e| match e {
            TrySendError::Closed(v) => ("closed", v),
            TrySendError::Full(v) => ("full", v),
        }),
        (&c).into_iter().count()
    );
    assert_eq!(c.try_recv(), Err(TryRecvError::Closed));
    assert_eq!(c.try_send(9), Err(TrySendError::Closed(9)));
    // A ranging receiver that started before close gets the values sent
    // before close, then its loop ends.
    let c: Chan<u32> = Chan::new(3);
    let out: Chan<Vec<u32>> = Chan::new(1);
    let (rc, ro) = (c.clone(), out.clone());
    go(move || ro.send((&rc).into_iter().collect()).unwrap());
    for v in 10..20 {
        c.send(v).unwrap();
    }
    c.close();
    rt0::println!("ranged {:?}", out.recv().unwrap());
}

fn race(cap: usize) {
    const SENDERS: u64 = 8;
    const PER: u64 = 1 << 20; // far more than can be sent before close
    const UNDER_WAY: u64 = 1000; // values accepted before main closes
    let c: Chan<u64> = Chan::new(cap);
    let seen = Arc::new(Seen::new(SENDERS * PER));
    let (ok_count, ok_sum) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let (rx_count, rx_sum) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let (bad_back, dups) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let refused: Chan<u64> = Chan::new(SENDERS as usize);
    let wg = Arc::new(WaitGroup::new());
    wg.add((SENDERS + 4) as isize);
    for s in 0..SENDERS {
        let (c, ok_count, ok_sum, bad_back, refused, wg) = (
            c.clone(),
            ok_count.clone(),
            ok_sum.clone(),
            bad_back.clone(),
            refused.clone(),
            wg.clone(),
        );
        go(move || {
            for v in s * PER..(s + 1) * PER {
                match c.send(v) {
                    Ok(()) => {
                        ok_count.fetch_add(1, Relaxed);
                        ok_sum.fetch_add(v, Relaxed);
                    }
                    Err(SendError(back)) => {
                        if back != v {
                            bad_back.fetch_add(1, Relaxed);
                        }
                        refused.send(back).unwrap();
                        break;
                    }
                }
            }
            wg.done();
        });
    }
    for _ in 0..4 {
        let (c, seen, rx_count, rx_sum, dups, wg) = (
            c.clone(),
            seen.clone(),
            rx_count.clone(),
            rx_sum.clone(),
            dups.clone(),
            wg.clone(),
        );
        go(move || {
            for v in &c {
                if !seen.mark(v) {
                    dups.fetch_add(1, Relaxed);
                }
                rx_count.fetch_add(1, Relaxed);
                rx_sum.fetch_add(v, Relaxed);
            }
            wg.done();
        });
    }
    // Close in the middle of the sending: only once the senders are under
    // way (a fixed sleep is not enough on a loaded machine, where the
    // expired timer can wake main before any sender has run), and with
    // far more values left to send than can be sent before `close`.
    while ok_count.load(Relaxed) < UNDER_WAY {
        rt0::time::sleep(Duration::from_millis(1));
    }
    c.close();
    wg.wait();
    let refused_seen = (0..SENDERS)
        .filter(|_| seen.is_marked(refused.recv().unwrap()))
        .count();
    rt0::println!(
        "race cap={cap} accepted={} received={} accepted_sum={} received_sum={} distinct={} \
         dups={} bad_back={} refused_but_received={refused_seen}",
        ok_count.load(Relaxed),
        rx_count.load(Relaxed),
        ok_sum.load(Relaxed),
        rx_sum.load(Relaxed),
        seen.count(),
        dups.load(Relaxed),
        bad_back.load(Relaxed),
    );
}

fn main() {
    match arg(1) {
        "senders" => senders(arg_u64(2, 0) as usize),
        "receivers" => receivers(arg_u64(2, 0) as usize),
        "buffered" => buffered(),
        "race" => race(arg_u64(2, 0) as usize),
        "twice" => {
            let c: Chan<u8> = Chan::new(1);
            c.close();
            rt0::println!("closed once");
            c.close();
            rt0::println!("closed twice");
        }
        other => usage(other),
    }
}
