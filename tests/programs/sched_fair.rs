//! The global run queue is not starved (Go's "check the global runnable
//! queue once in a while", every 61 schedticks, in `findRunnable`).
//!
//! K chains of goroutines keep the local run queue busy forever: each
//! link spawns its successor and then an empty goroutine, which pushes the
//! successor out of `runnext` to the tail of the local queue, so the local
//! queue never empties and each link is a fresh scheduling tick (the empty
//! goroutine runs from `runnext` and inherits the tick, as in Go). The
//! main goroutine calls `gosched` ROUNDS times, which puts it on the
//! *global* queue; only the periodic fairness check can bring it back. If
//! the global queue were starved the chains would run forever: a link that
//! sees LIMIT_MS pass prints a `FAIL:` line and exits 1.
//!
//! What Go guarantees, and so what is measured: each P takes the head of
//! the global queue at the latest when its own `schedtick` reaches the
//! next multiple of 61 (runs from `runnext` do not tick). So when main
//! comes back on the P it left from, that P's `schedtick` has advanced by
//! at most 61 (the ticks before the check, plus main's own). Nothing bounds
//! what *another* P runs meanwhile in wall-clock terms: while main's thread
//! is descheduled by the OS (a loaded machine, qemu) between reading the
//! link count and being queued, or between being taken off the queue and
//! running again, the other P goes on running links. So the links counted
//! while main was away (`max_links_away`) are bounded only with one P;
//! with more, the tick count of main's own P is the exact measure. Seen
//! with GOMAXPROCS=2 and the process pinned to one CPU (`taskset -c 0`,
//! 2000 rounds): 18,955 links in one round, 60 of them on main's P; Go
//! 1.19 runs the same program (a twin with `runtime.Gosched`) past 2 x 61
//! too, 608 and 1,633 links in 2 of 40 pinned runs.
//!
//! Reads the current P's `schedtick` through the runtime's public
//! scheduler structures (only the P's own M writes it, and main reads it
//! while running on that P).
//!
//! Usage: `sched_fair [K] [ROUNDS] [LIMIT_MS]`; prints
//! `rounds=R max_links_away=M total_links=T same_p_rounds=S
//! max_ticks_same_p=X max_links_same_p=Y` (S: rounds in which main came
//! back on the P it left from; X: the most that P's schedtick advanced in
//! one of them; Y: the most links that P ran in one of them), then
//! `info worst_round_links=M of_them_on_main_p=W`: how the round with the
//! most links away splits between main's P and the others.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering::SeqCst};
use rt0::sync::WaitGroup;

rt0::main!(main);

static LINKS: AtomicU64 = AtomicU64::new(0);
static STOP: AtomicBool = AtomicBool::new(false);
static DEADLINE: AtomicI64 = AtomicI64::new(0);
/// Links run on each P (by P id; the tests use GOMAXPROCS <= 8).
const MAX_PS: usize = 8;
static LINKS_ON: [AtomicU64; MAX_PS] = [const { AtomicU64::new(0) }; MAX_PS];

/// One link of a chain: spawn the next link, then an empty goroutine.
fn link(wg: Arc<WaitGroup>) {
    if STOP.load(SeqCst) {
        wg.done();
        return;
    }
    let n = LINKS.fetch_add(1, SeqCst);
    LINKS_ON[my_p().0 as usize % MAX_PS].fetch_add(1, SeqCst);
    if n.is_multiple_of(1024) && rt0::time::nanotime() > DEADLINE.load(SeqCst) {
        rt0::eprintln!(
            "FAIL: {n} chain links ran and the main goroutine on the global run queue never did"
        );
        rt0::process::exit(1);
    }
    rt0::runtime::go(move || link(wg));
    rt0::runtime::go(|| {});
}

fn main() {
    let k: usize = rt0::env::arg(1).unwrap_or(2);
    let rounds: u32 = rt0::env::arg(2).unwrap_or(100);
    let limit_ms: i64 = rt0::env::arg(3).unwrap_or(20_000);
    DEADLINE.store(rt0::time::nanotime() + limit_ms * 1_000_000, SeqCst);
    let wg = Arc::new(WaitGroup::new());
    wg.add(k as isize);
    for _ in 0..k {
        let wg = wg.clone();
        rt0::runtime::go(move || link(wg));
    }
    let mut max_away = 0;
    let (mut same_p_rounds, mut max_ticks_same_p, mut max_links_same_p) = (0u32, 0u32, 0u64);
    // In the round with the most links away: how many ran on main's P.
    let mut worst_on_main_p = 0;
    for _ in 0..rounds {
        let (p0, tick0) = my_p();
        let on_p0 = &LINKS_ON[p0 as usize % MAX_PS];
        let (before, before_p0) = (LINKS.load(SeqCst), on_p0.load(SeqCst));
        rt0::runtime::gosched(); // onto the global run queue
        let (away, away_p0) = (LINKS.load(SeqCst) - before, on_p0.load(SeqCst) - before_p0);
        if away > max_away {
            (max_away, worst_on_main_p) = (away, away_p0);
        }
        let (p1, tick1) = my_p();
        if p1 == p0 {
            same_p_rounds += 1;
            max_ticks_same_p = max_ticks_same_p.max(tick1.wrapping_sub(tick0));
            max_links_same_p = max_links_same_p.max(away_p0);
        }
    }
    STOP.store(true, SeqCst);
    wg.wait();
    rt0::println!(
        "rounds={rounds} max_links_away={max_away} total_links={} same_p_rounds={same_p_rounds} max_ticks_same_p={max_ticks_same_p} max_links_same_p={max_links_same_p}",
        LINKS.load(SeqCst)
    );
    rt0::println!("info worst_round_links={max_away} of_them_on_main_p={worst_on_main_p}");
}

/// The id and `schedtick` of the P running the calling goroutine.
fn my_p() -> (i32, u32) {
    rt0::export_test::current_p()
}
