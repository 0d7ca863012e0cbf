//! The monotonic clock: which implementation is in use (the vDSO's
//! `clock_gettime`, or the syscall where there is no vDSO, as under
//! qemu-user) and whether the two agree. The test (tests/time_clock.rs)
//! asserts the lines printed.
//!
//! - `have_vdso=`: what the runtime found in the auxiliary vector.
//! - `interleave`: N times `a = nanotime(); s = nanotime_syscall();
//!   b = nanotime()`; the two clocks agree only if always `a <= s <= b`.
//! - `monotonic`: each clock alone never goes back over N readings.
//! - `handoff`: a reading taken before a channel send is never later than
//!   one taken after the matching receive, whichever threads run the two
//!   goroutines (one clock for the whole machine).
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use chanutil::arg_u64;
use rt0::chan::Chan;
use rt0::export_test::{have_vdso_clock, nanotime_syscall};
use rt0::time::nanotime;

rt0::main!(main);

fn main() {
    let n = arg_u64(1, 100_000);
    rt0::println!("have_vdso={}", have_vdso_clock());

    let (mut bad, mut max_gap) = (0u64, 0i64);
    for _ in 0..n {
        let a = nanotime();
        let s = nanotime_syscall();
        let b = nanotime();
        if !(a <= s && s <= b) {
            bad += 1;
        }
        max_gap = max_gap.max(b - a);
    }
    rt0::println!(
        "interleave n={n} violations={bad} max_window_us={}",
        max_gap / 1000
    );

    let (mut back_vdso, mut back_sys) = (0u64, 0u64);
    let (mut last_v, mut last_s) = (nanotime(), nanotime_syscall());
    for _ in 0..n {
        let v = nanotime();
        let s = nanotime_syscall();
        back_vdso += u64::from(v < last_v);
        back_sys += u64::from(s < last_s);
        (last_v, last_s) = (v, s);
    }
    rt0::println!("monotonic n={n} back_nanotime={back_vdso} back_syscall={back_sys}");

    // Ping-pong between two goroutines (on two Ms at GOMAXPROCS >= 2),
    // each message stamped by its sender and checked by its receiver.
    let (ping, pong): (Chan<i64>, Chan<i64>) = (Chan::new(0), Chan::new(0));
    let rounds = n / 10;
    let (p2, q2) = (ping.clone(), pong.clone());
    let done: Chan<u64> = Chan::new(1);
    let d2 = done.clone();
    rt0::runtime::go(move || {
        let mut bad = 0u64;
        for _ in 0..rounds {
            let t = p2.recv().unwrap();
            bad += u64::from(nanotime_syscall() < t);
            q2.send(nanotime()).unwrap();
        }
        d2.send(bad).unwrap();
    });
    let mut bad = 0u64;
    for _ in 0..rounds {
        ping.send(nanotime()).unwrap();
        let t = pong.recv().unwrap();
        bad += u64::from(nanotime() < t);
    }
    bad += done.recv().unwrap();
    rt0::println!("handoff rounds={rounds} violations={bad}");

    // The wall clock (vDSO or syscall, as the monotonic one), for the
    // test to compare with the host's.
    let wall = rt0::time::SystemTime::now()
        .duration_since(rt0::time::UNIX_EPOCH)
        .unwrap();
    rt0::println!("wall unix_ms={}", wall.as_millis());
}
