//! Goroutines run in parallel (Go's TestGoroutineParallelism): two
//! goroutines pass a token back and forth through one atomic, each waiting
//! for its turn.
//!
//! `spin` mode waits with a bare spin loop and never yields: with a single
//! P the waiting goroutine holds the only P until sysmon preempts it (10
//! ms; forever with `GODEBUG=asyncpreemptoff=1`), so the round trips are
//! fast only if the two goroutines really run at the same time on two
//! threads. `yield` mode waits with
//! `gosched`, which makes progress on one P too. Every wait is bounded by
//! a limit (ms): past it the program prints a `FAIL:` line and exits 1
//! instead of hanging.
//!
//! Usage: `sched_parallel spin|yield [ROUNDS] [LIMIT_MS]`; prints
//! `mode=M rounds=N token=2N`.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};
use rt0::sync::WaitGroup;

rt0::main!(main);

/// Waits until `token` holds `want`, by spinning or by yielding; exits the
/// process with a failure line once `limit_ms` have passed.
fn wait_turn(token: &AtomicU64, want: u64, yielding: bool, limit_ms: i64, player: u64) {
    let deadline = rt0::time::nanotime() + limit_ms * 1_000_000;
    let mut tries: u64 = 0;
    while token.load(Ordering::Acquire) != want {
        if yielding {
            rt0::runtime::gosched();
        } else {
            core::hint::spin_loop();
        }
        tries += 1;
        // Reading the clock costs a syscall under qemu: not every time.
        if tries.is_multiple_of(256) && rt0::time::nanotime() > deadline {
            rt0::eprintln!(
                "FAIL: player {player} waited {limit_ms} ms for token {want} (token={}): \
                 its partner did not run",
                token.load(Ordering::Acquire)
            );
            rt0::process::exit(1);
        }
    }
}

fn main() {
    let mode = rt0::env::args().nth(1).unwrap_or(b"spin");
    let yielding = match mode {
        b"spin" => false,
        b"yield" => true,
        _ => {
            rt0::eprintln!("usage: sched_parallel spin|yield [ROUNDS] [LIMIT_MS]");
            rt0::process::exit(64);
        }
    };
    let rounds: u64 = rt0::env::arg(2).unwrap_or(1000);
    let limit_ms: i64 = rt0::env::arg(3).unwrap_or(20_000);
    let token = Arc::new(AtomicU64::new(0));
    let wg = Arc::new(WaitGroup::new());
    wg.add(2);
    // Player 0 waits for even values, player 1 for odd ones; each moves
    // the token on by one, so after ROUNDS round trips it is 2 * ROUNDS.
    for player in 0..2u64 {
        let (token, wg) = (token.clone(), wg.clone());
        rt0::runtime::go(move || {
            for round in 0..rounds {
                let want = 2 * round + player;
                wait_turn(&token, want, yielding, limit_ms, player);
                token.store(want + 1, Ordering::Release);
            }
            wg.done();
        });
    }
    wg.wait();
    rt0::println!(
        "mode={} rounds={rounds} token={}",
        if yielding { "yield" } else { "spin" },
        token.load(Ordering::Acquire)
    );
}
