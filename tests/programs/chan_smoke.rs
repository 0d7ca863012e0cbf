//! Channel, select and timer smoke test: MPMC sum-and-count over an
//! unbuffered and a buffered channel, close semantics, select with a
//! timeout, sleep never waking early, a ticker.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use core::time::Duration;
use rt0::chan::{Chan, RecvError, SendError, TryRecvError};
use rt0::sync::WaitGroup;

rt0::main!(main);

fn mpmc(cap: usize, senders: u64, receivers: u64, per: u64) {
    let c: Chan<u64> = Chan::new(cap);
    let done: Chan<(u64, u64)> = Chan::new(receivers as usize);
    let wg = Arc::new(WaitGroup::new());
    wg.add(senders as isize);
    for s in 0..senders {
        let (c, wg) = (c.clone(), wg.clone());
        rt0::runtime::go(move || {
            for i in 0..per {
                c.send(s * per + i + 1).unwrap();
            }
            wg.done();
        });
    }
    for _ in 0..receivers {
        let (c, done) = (c.clone(), done.clone());
        rt0::runtime::go(move || {
            let (mut sum, mut n) = (0, 0);
            for v in &c {
                sum += v;
                n += 1;
            }
            done.send((sum, n)).unwrap();
        });
    }
    wg.wait();
    c.close();
    let (mut sum, mut n) = (0, 0);
    for _ in 0..receivers {
        let (s, k) = done.recv().unwrap();
        sum += s;
        n += k;
    }
    let total = senders * per;
    rt0::println!(
        "mpmc cap={cap} n={n} sum_ok={}",
        sum == total * (total + 1) / 2 && n == total
    );
}

fn main() {
    mpmc(0, 4, 4, 20_000);
    mpmc(10, 4, 4, 20_000);
    // Close semantics.
    let c: Chan<u32> = Chan::new(2);
    c.send(1).unwrap();
    c.close();
    let r = c.send(9);
    rt0::println!(
        "send after close: {r:?} value back {:?}",
        r.map_err(|e| e.0)
    );
    rt0::println!(
        "recv buffered after close: {:?}, then {:?}, try: {:?}",
        c.recv(),
        c.recv(),
        c.try_recv()
    );
    assert_eq!(c.send(3), Err(SendError(3)));
    assert_eq!(c.recv(), Err(RecvError));
    assert_eq!(c.try_recv(), Err(TryRecvError::Closed));
    // Parked senders learn of close.
    let c: Chan<u32> = Chan::new(0);
    let res: Chan<bool> = Chan::new(3);
    for i in 0..3 {
        let (c, res) = (c.clone(), res.clone());
        rt0::runtime::go(move || res.send(c.send(i) == Err(SendError(i))).unwrap());
    }
    rt0::time::sleep(Duration::from_millis(20));
    c.close();
    let ok = (0..3).all(|_| res.recv().unwrap());
    rt0::println!("parked senders told of close: {ok}");
    // Select with a timeout.
    let never: Chan<u32> = Chan::new(0);
    let t0 = rt0::time::nanotime();
    rt0::select! {
        recv(never) -> v => rt0::println!("unexpected {:?}", v),
        recv(rt0::time::after(Duration::from_millis(30))) -> _t => rt0::println!("timeout after >=30ms: {}", rt0::time::nanotime() - t0 >= 30_000_000),
    }
    // Select fairness over two ready channels.
    let a: Chan<u32> = Chan::new(1000);
    let b: Chan<u32> = Chan::new(1000);
    let (mut na, mut nb) = (0, 0);
    for _ in 0..1000 {
        a.send(1).unwrap();
        b.send(2).unwrap();
        rt0::select! {
            recv(a) -> _v => na += 1,
            recv(b) -> _v => nb += 1,
        }
        while a.try_recv().is_ok() {}
        while b.try_recv().is_ok() {}
    }
    rt0::println!("select fairness a={na} b={nb}");
    // Default case.
    rt0::select! {
        recv(never) -> _v => rt0::println!("unexpected"),
        default => rt0::println!("default taken"),
    }
    // Sleep never early.
    let mut early = 0;
    for i in 0..20 {
        let d = 1_000_000 * (i % 5 + 1);
        let t = rt0::time::nanotime();
        rt0::time::sleep(Duration::from_nanos(d));
        if rt0::time::nanotime() - t < d as i64 {
            early += 1;
        }
    }
    rt0::println!("early wakeups: {early}");
    let tk = rt0::time::Ticker::new(Duration::from_millis(10));
    let t = rt0::time::nanotime();
    for _ in 0..5 {
        tk.chan().recv().unwrap();
    }
    tk.stop();
    rt0::println!(
        "5 ticks of 10ms took >=50ms: {}",
        rt0::time::nanotime() - t >= 50_000_000
    );
}
