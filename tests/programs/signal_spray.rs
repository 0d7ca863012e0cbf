//! Signals sprayed at a busy program change nothing (tests/signals.rs
//! sends thousands of SIGUSR1, SIGWINCH and SIGCHLD while it runs).
//!
//! After `ready`, at once: a printer goroutine writes `LINES` numbered
//! lines; `PAIRS` pairs of goroutines hand a counter back and forth over
//! unbuffered channels `ROUNDS` times; `ADDERS` goroutines add to a
//! shared atomic counter, yielding often; one goroutine sleeps `SLEEPS` times 1 ms
//! (timer sleeps, with idle Ms parked on futexes meanwhile). Main joins
//! them through a channel and prints the totals, then `work done`, then
//! blocks reading stdin until the parent closes it (the parent sprays
//! until then) and prints `done`. Every interrupted futex wait, sleep,
//! read and write must be restarted or retried: the output is exact.
//! (Channels, not `sync::Mutex`/`WaitGroup`, so the test does not depend
//! on the semaphore, issue 7 part 1.)
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};
use core::time::Duration;
use rt0::chan::Chan;
use rt0::os as file;

rt0::main!(main);

const LINES: u64 = 2000;
const PAIRS: u64 = 4;
const ROUNDS: u64 = 2000;
const ADDERS: u64 = 4;
const ADDS: u64 = 5000;
const SLEEPS: u64 = 200;
/// Standard input: the parent's pipe.
const STDIN: i32 = 0;

fn main() {
    rt0::println!("ready");
    let done: Chan<()> = Chan::new(64);
    let mut workers = 0;
    {
        let done = done.clone();
        workers += 1;
        rt0::runtime::go(move || {
            for i in 0..LINES {
                rt0::println!("line {i:04} the quick brown fox jumps over the lazy dog");
            }
            done.send(()).unwrap();
        });
    }
    let pingpong = Arc::new(AtomicU64::new(0));
    for _ in 0..PAIRS {
        let (ping, pong): (Chan<u64>, Chan<u64>) = (Chan::new(0), Chan::new(0));
        let (ping2, pong2) = (ping.clone(), pong.clone());
        let (done1, done2, total) = (done.clone(), done.clone(), pingpong.clone());
        workers += 2;
        rt0::runtime::go(move || {
            let mut v = 0;
            for _ in 0..ROUNDS {
                ping.send(v + 1).unwrap();
                v = pong.recv().unwrap();
            }
            total.fetch_add(v, SeqCst);
            done1.send(()).unwrap();
        });
        rt0::runtime::go(move || {
            for _ in 0..ROUNDS {
                let v = ping2.recv().unwrap();
                pong2.send(v + 1).unwrap();
            }
            done2.send(()).unwrap();
        });
    }
    let counter = Arc::new(AtomicU64::new(0));
    for _ in 0..ADDERS {
        let (done, counter) = (done.clone(), counter.clone());
        workers += 1;
        rt0::runtime::go(move || {
            for i in 0..ADDS {
                counter.fetch_add(1, SeqCst);
                if i % 64 == 0 {
                    rt0::runtime::gosched();
                }
            }
            done.send(()).unwrap();
        });
    }
    let slept = Arc::new(AtomicU64::new(0));
    {
        let (done, slept) = (done.clone(), slept.clone());
        workers += 1;
        rt0::runtime::go(move || {
            for _ in 0..SLEEPS {
                rt0::time::sleep(Duration::from_millis(1));
                slept.fetch_add(1, SeqCst);
            }
            done.send(()).unwrap();
        });
    }
    for _ in 0..workers {
        done.recv().unwrap();
    }
    rt0::println!(
        "pingpong={} counter={} sleeps={}",
        pingpong.load(SeqCst),
        counter.load(SeqCst),
        slept.load(SeqCst)
    );
    rt0::println!("work done");
    let mut buf = [0u8; 16];
    loop {
        match rt0::runtime::blocking(|| file::read(STDIN, &mut buf)) {
            Ok(0) => break,
            Ok(_) => {}
            // qemu-user interrupts a guest read even for a signal the
            // guest ignores (SIG_IGN) and answers EINTR; Go's os.File
            // retries it (ignoringEINTRIO), and so does this program.
            Err(rt0::os::Errno::EINTR) => {}
            Err(e) => {
                rt0::println!("read: errno {}", e.0);
                break;
            }
        }
    }
    rt0::println!("done");
}
