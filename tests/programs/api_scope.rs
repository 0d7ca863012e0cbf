//! Scoped goroutines, `rt0::runtime::scope` (tests/api.rs): goroutines
//! that borrow the caller's locals, and `scope` returning only when every
//! one of them (nested spawns too) has finished. Nothing here uses an
//! `Arc` or a `static` to share with the scope's goroutines.
//!
//! - `sum N PARTS`: 1..=N summed in parallel, each goroutine borrowing
//!   one chunk of the slice and writing its partial sum through a
//!   `&mut` to its own slot of a borrowed array.
//! - `borrowed`: 64 goroutines share a borrowed `Mutex` and a borrowed
//!   `WaitGroup` (the closure waits on it mid-scope), and increment a
//!   borrowed counter 1000 times each.
//! - `nested DEPTH FANOUT`: each goroutine below DEPTH starts FANOUT more
//!   through the same scope, and sleeps a little before it finishes, so
//!   the last ones end long after the closure returned.
//! - `early`: the closure returns early out of a loop while its
//!   goroutines sleep; they have all finished when `scope` returns.
//! - `goexit_inside`: a goroutine's scope closure calls `goexit` while
//!   its goroutines wait: it parks in the scope's wait (seen parked with
//!   `sync.WaitGroup.Wait`), and ends only after they have.
//! - `goexit_child`: goroutines of a scope call `goexit`; the scope still
//!   returns, with the count exact.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::vec::Vec;
use chanutil::{arg, arg_u64, usage, wait_parked};
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed, Ordering::SeqCst};
use core::time::Duration;
use rt0::chan::Chan;
use rt0::runtime::{Scope, go, goexit, gosched, num_goroutine, scope};
use rt0::sync::{Mutex, WaitGroup};
use rt0::time::sleep;

rt0::main!(main);

fn sum(n: u64, parts: usize) {
    let data: Vec<u64> = (1..=n).collect();
    let mut partial: Vec<u64> = alloc::vec![0; parts];
    let chunk = data.len().div_ceil(parts);
    let mut goroutines = 0;
    scope(|s| {
        for (piece, out) in data.chunks(chunk).zip(partial.iter_mut()) {
            goroutines += 1;
            s.go(move || {
                // Late: a scope that did not wait would read 0 here.
                sleep(Duration::from_millis(2));
                *out = piece.iter().sum();
            });
        }
    });
    let total: u64 = partial.iter().sum();
    rt0::println!(
        "sum n={n} goroutines={goroutines} total={total} want={}",
        n * (n + 1) / 2
    );
}

fn borrowed() {
    const GOROUTINES: u64 = 64;
    const ROUNDS: u64 = 1000;
    let m = Mutex::new(Vec::new());
    let started = WaitGroup::new();
    let counter = AtomicU64::new(0);
    let waited_saw = scope(|s| {
        started.add(GOROUTINES as isize);
        for i in 0..GOROUTINES {
            let (m, started, counter) = (&m, &started, &counter);
            s.go(move || {
                for _ in 0..ROUNDS {
                    counter.fetch_add(1, Relaxed);
                }
                m.lock().push(i);
                started.done();
                gosched();
                for _ in 0..ROUNDS {
                    counter.fetch_add(1, Relaxed);
                }
            });
        }
        // The borrowed WaitGroup, mid-scope: all 64 have pushed.
        started.wait();
        m.lock().len()
    });
    let mut v = m.into_inner();
    v.sort_unstable();
    let distinct = v.windows(2).all(|w| w[0] < w[1]);
    rt0::println!(
        "borrowed pushed_at_wait={waited_saw} pushed={} distinct={distinct} counter={} want={}",
        v.len(),
        counter.load(Relaxed),
        GOROUTINES * ROUNDS * 2
    );
}

/// Starts FANOUT goroutines below `depth`, each doing the same one level
/// deeper; every goroutine counts its start and, last thing, its end.
fn spawn_tree<'scope>(
    s: &'scope Scope<'scope, '_>,
    depth: u64,
    max: u64,
    fanout: u64,
    started: &'scope AtomicU64,
    finished: &'scope AtomicU64,
) {
    if depth == max {
        return;
    }
    for i in 0..fanout {
        s.go(move || {
            started.fetch_add(1, SeqCst);
            spawn_tree(s, depth + 1, max, fanout, started, finished);
            // The leaves end last and late: a scope that did not wait for
            // nested goroutines would return before these.
            sleep(Duration::from_micros(200 * (i + depth)));
            finished.fetch_add(1, SeqCst);
        });
    }
}

fn nested(depth: u64, fanout: u64) {
    let started = AtomicU64::new(0);
    let finished = AtomicU64::new(0);
    let want: u64 = (1..=depth).map(|k| fanout.pow(k as u32)).sum();
    let at_return = scope(|s| {
        spawn_tree(s, 0, depth, fanout, &started, &finished);
        finished.load(SeqCst)
    });
    rt0::println!(
        "nested started={} finished={} want={want} finished_when_closure_returned_lt_want={}",
        started.load(SeqCst),
        finished.load(SeqCst),
        at_return < want,
    );
}

fn early() {
    const N: usize = 10;
    let done: [AtomicUsize; N] = core::array::from_fn(|_| AtomicUsize::new(0));
    let mut spawned = 0;
    scope(|s| {
        for (i, d) in done.iter().enumerate() {
            if i == N / 2 {
                return;
            }
            spawned += 1;
            s.go(move || {
                sleep(Duration::from_millis(20));
                d.store(1, SeqCst);
            });
        }
        unreachable!("the loop returns early");
    });
    let finished: usize = done.iter().map(|d| d.load(SeqCst)).sum();
    rt0::println!("early spawned={spawned} finished={finished}");
}

fn goexit_inside() {
    const CHILDREN: usize = 4;
    let release: Chan<()> = Chan::new(0);
    let report: Chan<usize> = Chan::new(CHILDREN);
    {
        let (release, report) = (release.clone(), report.clone());
        go(move || {
            // Lives in this goroutine's frame, which goexit must not free
            // while the children still use it.
            let in_frame = AtomicUsize::new(0);
            scope(|s| {
                for _ in 0..CHILDREN {
                    let (release, report, in_frame) = (&release, &report, &in_frame);
                    s.go(move || {
                        release.recv().unwrap();
                        let n = in_frame.fetch_add(1, SeqCst) + 1;
                        report.send(n).unwrap();
                    });
                }
                goexit();
            });
            unreachable!("goexit returned");
        });
    }
    wait_parked("chan receive", CHILDREN);
    // The goroutine that called goexit is parked in the scope's wait.
    wait_parked("sync.WaitGroup.Wait", 1);
    let alive = num_goroutine();
    for _ in 0..CHILDREN {
        release.send(()).unwrap();
    }
    let mut seen: Vec<usize> = (0..CHILDREN).map(|_| report.recv().unwrap()).collect();
    seen.sort_unstable();
    // Everyone but main ends.
    while num_goroutine() > 1 {
        sleep(Duration::from_micros(200));
    }
    rt0::println!(
        "goexit_inside alive_while_waiting={alive} counts={seen:?} goroutines_after={}",
        num_goroutine()
    );
}

fn goexit_child() {
    const N: u64 = 32;
    let before = AtomicU64::new(0);
    let after = AtomicU64::new(0);
    scope(|s| {
        for i in 0..N {
            let (before, after) = (&before, &after);
            s.go(move || {
                before.fetch_add(1, SeqCst);
                if i % 2 == 0 {
                    goexit();
                }
                after.fetch_add(1, SeqCst);
            });
        }
    });
    rt0::println!(
        "goexit_child before={} after={}",
        before.load(SeqCst),
        after.load(SeqCst),
    );
}

fn main() {
    match arg(1) {
        "sum" => sum(arg_u64(2, 1_000_000), arg_u64(3, 8) as usize),
        "borrowed" => borrowed(),
        "nested" => nested(arg_u64(2, 3), arg_u64(3, 4)),
        "early" => early(),
        "goexit_inside" => goexit_inside(),
        "goexit_child" => goexit_child(),
        other => usage(other),
    }
}
