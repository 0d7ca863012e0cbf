//! The netpoller on pipes, with exact counters (tests/netpoll.rs and
//! scripts/stress.py run it). Modes:
//!
//! - `pingpong PAIRS ROUNDS`: PAIRS pairs of goroutines bounce one byte
//!   over two pipes ROUNDS times each; every read parks in the poller.
//!   Prints `rounds=R want=W bad=B waiters=N` (B: a byte that was not the
//!   one sent; N: goroutines still parked in the poller at the end, 0).
//! - `close`: a goroutine parks reading an empty pipe; main waits until it
//!   is parked, closes the read end, and the reader wakes. Prints
//!   `reader: closed` and `woke_ms=T`.
//! - `deadline MS`: a read with a deadline MS ms ahead. Prints
//!   `read: timeout` and `elapsed_ms=T`.
//! - `idle`: every goroutine waits on a pipe nobody writes, and no timer
//!   is pending: not a deadlock (Go just waits). Prints `waiting` and
//!   waits until killed.
//! - `reuse ROUNDS`: each round a goroutine parks on a pipe, the pipe gets
//!   a byte and is closed at once (an event may be in flight), and a new
//!   pipe (likely the same fd numbers) gets a reader of its own. Prints
//!   `rounds=R first_ok=A second_ok=B wrong=W`: every first reader saw
//!   its byte or `closed`, every second reader its own byte, never the
//!   other's (W = 0).
//! - `stream ROUNDS`: each round a writer goroutine writes a few small
//!   pieces (1..=60 bytes, some right after another, some after a yield)
//!   into a pipe and closes it, while the reader reads with a 64-byte
//!   buffer until EOF: reads are short, so the reader waits for the next
//!   event instead of reading again, and must still see every byte and
//!   the end of file that comes right behind the last piece. Prints
//!   `rounds=R bytes=B want=W eofs=E` (B = W, E = R).
//! - `sleep N US`: with a goroutine parked in the poller for good (so the
//!   M that idles blocks in `epoll_wait`, not on the core's futex), main
//!   sleeps N times for US microseconds. Prints `sleeps=N early=E
//!   late_max_us=L`: no sleep ends early (E = 0), and the timers reach
//!   the M in `epoll_wait` on time.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};
use rt0::export_test::{PollPipe, netpoll_waiters, poll_pipe};
use rt0::sync::WaitGroup;
use rt0::time::nanotime;

rt0::main!(main);

const NANOS_PER_MILLI: i64 = 1_000_000;

fn arg(i: usize, default: u64) -> u64 {
    rt0::env::args()
        .nth(i)
        .and_then(|s| core::str::from_utf8(s).ok()?.parse().ok())
        .unwrap_or(default)
}

fn pipe() -> (PollPipe, PollPipe) {
    match poll_pipe() {
        Ok(p) => p,
        Err(e) => {
            rt0::eprintln!("pipe: {:?}", e);
            rt0::process::exit(1)
        }
    }
}

fn read_byte(p: &PollPipe) -> Result<u8, &'static str> {
    let mut b = [0u8; 1];
    match p.read(&mut b)? {
        0 => Err("eof"),
        _ => Ok(b[0]),
    }
}

fn pingpong(pairs: u64, rounds: u64) {
    let done = Arc::new(AtomicU64::new(0));
    let bad = Arc::new(AtomicU64::new(0));
    let wg = Arc::new(WaitGroup::new());
    wg.add(2 * pairs as isize);
    for _ in 0..pairs {
        let (ar, aw) = pipe();
        let (br, bw) = pipe();
        let (done, bad2, wg2) = (done.clone(), bad.clone(), wg.clone());
        rt0::runtime::go(move || {
            for i in 0..rounds {
                let v = (i % 251) as u8;
                if aw.write_all(&[v]).is_err() || read_byte(&br) != Ok(v) {
                    bad2.fetch_add(1, SeqCst);
                }
                done.fetch_add(1, SeqCst);
            }
            wg2.done();
        });
        let (bad, wg) = (bad.clone(), wg.clone());
        rt0::runtime::go(move || {
            for _ in 0..rounds {
                match read_byte(&ar) {
                    Ok(v) => {
                        if bw.write_all(&[v]).is_err() {
                            bad.fetch_add(1, SeqCst);
                        }
                    }
                    Err(_) => {
                        bad.fetch_add(1, SeqCst);
                    }
                }
            }
            wg.done();
        });
    }
    wg.wait();
    rt0::println!(
        "rounds={} want={} bad={} waiters={}",
        done.load(SeqCst),
        pairs * rounds,
        bad.load(SeqCst),
        netpoll_waiters()
    );
}

/// Waits until `n` goroutines are parked in the poller.
fn wait_parked(n: usize) {
    while netpoll_waiters() < n {
        rt0::time::sleep(core::time::Duration::from_millis(1));
    }
}

fn close() {
    let (r, _w) = pipe();
    let r = Arc::new(r);
    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    let woke = Arc::new(AtomicU64::new(0));
    {
        let (r, wg, woke) = (r.clone(), wg.clone(), woke.clone());
        rt0::runtime::go(move || {
            let mut b = [0u8; 8];
            match r.read(&mut b) {
                Err(e) => rt0::println!("reader: {}", e),
                Ok(n) => rt0::println!("reader: read {} bytes", n),
            }
            woke.store(nanotime() as u64, SeqCst);
            wg.done();
        });
    }
    wait_parked(1);
    let t0 = nanotime();
    if let Err(e) = r.close() {
        rt0::println!("close: {}", e);
    }
    wg.wait();
    rt0::println!(
        "woke_ms={}",
        (woke.load(SeqCst) as i64 - t0) / NANOS_PER_MILLI
    );
    rt0::println!("second close: {:?}", r.close());
}

fn deadline(ms: u64) {
    let (r, _w) = pipe();
    let t0 = nanotime();
    r.set_deadline(t0 + ms as i64 * NANOS_PER_MILLI);
    let mut b = [0u8; 8];
    match r.read(&mut b) {
        Err(e) => rt0::println!("read: {}", e),
        Ok(n) => rt0::println!("read: {} bytes", n),
    }
    rt0::println!("elapsed_ms={}", (nanotime() - t0) / NANOS_PER_MILLI);
    // Moved into the future again: the pipe works as before.
    r.set_deadline(0);
    let (r2, w2) = pipe();
    let _ = w2.write_all(b"x");
    rt0::println!("after reset: {:?}", read_byte(&r2).map(|b| b as char));
}

fn idle() {
    let (r1, _w1) = pipe();
    let (r2, _w2) = pipe();
    rt0::runtime::go(move || {
        let _ = read_byte(&r1);
        rt0::println!("unexpected: first reader woke");
    });
    rt0::println!("waiting");
    let _ = read_byte(&r2);
    rt0::println!("unexpected: main woke");
}

fn reuse(rounds: u64) {
    let first_ok = Arc::new(AtomicU64::new(0));
    let second_ok = Arc::new(AtomicU64::new(0));
    let wrong = Arc::new(AtomicU64::new(0));
    for i in 0..rounds {
        let wg = Arc::new(WaitGroup::new());
        wg.add(2);
        let (r1, w1) = pipe();
        let r1 = Arc::new(r1);
        {
            let (r1, wg, ok, wrong) = (r1.clone(), wg.clone(), first_ok.clone(), wrong.clone());
            rt0::runtime::go(move || {
                match read_byte(&r1) {
                    Ok(1) | Err("closed") => ok.fetch_add(1, SeqCst),
                    _ => wrong.fetch_add(1, SeqCst),
                };
                wg.done();
            });
        }
        if i % 2 == 0 {
            wait_parked(1);
        }
        let _ = w1.write_all(&[1]);
        let _ = r1.close();
        drop(w1);
        let (r2, w2) = pipe();
        {
            let (wg, ok, wrong) = (wg.clone(), second_ok.clone(), wrong.clone());
            rt0::runtime::go(move || {
                match read_byte(&r2) {
                    Ok(2) => ok.fetch_add(1, SeqCst),
                    _ => wrong.fetch_add(1, SeqCst),
                };
                wg.done();
            });
        }
        let _ = w2.write_all(&[2]);
        wg.wait();
    }
    rt0::println!(
        "rounds={} first_ok={} second_ok={} wrong={}",
        rounds,
        first_ok.load(SeqCst),
        second_ok.load(SeqCst),
        wrong.load(SeqCst)
    );
}

fn stream(rounds: u64) {
    let mut got = 0u64;
    let mut want = 0u64;
    let mut eofs = 0u64;
    for i in 0..rounds {
        let (r, w) = pipe();
        let pieces = 1 + i % 4;
        let sizes: Vec<u64> = (0..pieces).map(|k| 1 + (i * 7 + k * 13) % 60).collect();
        want += sizes.iter().sum::<u64>();
        rt0::runtime::go(move || {
            for (k, &n) in sizes.iter().enumerate() {
                let piece = alloc::vec![b'x'; n as usize];
                let _ = w.write_all(&piece);
                if (i + k as u64).is_multiple_of(3) {
                    rt0::runtime::gosched();
                }
            }
            drop(w);
        });
        let mut buf = [0u8; 64];
        loop {
            match r.read(&mut buf) {
                Ok(0) => {
                    eofs += 1;
                    break;
                }
                Ok(n) => got += n as u64,
                Err(e) => {
                    rt0::println!("read error: {}", e);
                    break;
                }
            }
        }
    }
    rt0::println!(
        "rounds={} bytes={} want={} eofs={}",
        rounds,
        got,
        want,
        eofs
    );
}

fn sleep(n: u64, us: u64) {
    let (r, w) = pipe();
    rt0::runtime::go(move || {
        let _ = read_byte(&r);
    });
    wait_parked(1);
    let d = core::time::Duration::from_micros(us);
    let (mut early, mut late_max) = (0, 0);
    for _ in 0..n {
        let t0 = nanotime();
        rt0::time::sleep(d);
        let took = nanotime() - t0;
        let want = us as i64 * 1000;
        if took < want {
            early += 1;
        }
        late_max = late_max.max(took - want);
    }
    rt0::println!(
        "sleeps={} early={} late_max_us={}",
        n,
        early,
        late_max / 1000
    );
    drop(w);
}

fn main() {
    let mode = rt0::env::args().nth(1).unwrap_or(b"");
    match mode {
        b"pingpong" => pingpong(arg(2, 8), arg(3, 10_000)),
        b"close" => close(),
        b"deadline" => deadline(arg(2, 50)),
        b"idle" => idle(),
        b"reuse" => reuse(arg(2, 1000)),
        b"sleep" => sleep(arg(2, 20), arg(3, 5000)),
        b"stream" => stream(arg(2, 2000)),
        _ => {
            rt0::eprintln!(
                "usage: netpoll_pipes pingpong|close|deadline|idle|reuse|sleep|stream [N..]"
            );
            rt0::process::exit(2);
        }
    }
}
