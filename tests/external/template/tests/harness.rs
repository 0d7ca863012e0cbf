//! A freestanding test program: `cargo test` runs it (natively, or under
//! qemu-user through CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER).
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use rt0::chan::Chan;

rt0::test_main!(
    sums,
    chans::ping_pong,
    chans::fan_in,
    on_its_own_goroutine,
    fails_on_request
);

fn sums() {
    let squares: Vec<u64> = (1..=10).map(|n| n * n).collect();
    assert_eq!(squares.iter().sum::<u64>(), 385);
}

mod chans {
    use super::*;

    /// A thousand round trips between the test and one goroutine.
    pub fn ping_pong() {
        let (ping, pong) = (Chan::<u32>::new(0), Chan::<u32>::new(0));
        let (rx, tx) = (ping.clone(), pong.clone());
        rt0::runtime::go(move || {
            while let Ok(n) = rx.recv() {
                tx.send(n + 1).unwrap();
            }
        });
        let mut n = 0;
        for _ in 0..1000 {
            ping.send(n).unwrap();
            n = pong.recv().unwrap();
        }
        ping.close();
        assert_eq!(n, 1000);
    }

    /// Eight goroutines each send 1..=100; the test receives them all.
    pub fn fan_in() {
        let c = Chan::<u64>::new(16);
        for _ in 0..8 {
            let tx = c.clone();
            rt0::runtime::go(move || {
                for i in 1..=100 {
                    tx.send(i).unwrap();
                }
            });
        }
        let total: u64 = (0..800).map(|_| c.recv().unwrap()).sum();
        assert_eq!(total, 8 * 5050);
    }
}

/// The test runs on a goroutine of its own while main waits for it.
fn on_its_own_goroutine() {
    assert!(rt0::runtime::num_goroutine() >= 2);
    assert!(rt0::runtime::gomaxprocs() >= 1);
}

/// Passes, unless MYPROG_FAIL is set (the failing runs of the
/// external-crate test): `deadlock` blocks forever on a channel nobody
/// sends on, `fault` reads address 0, anything else panics.
fn fails_on_request() {
    match rt0::env::getenv("MYPROG_FAIL") {
        None => {}
        Some("deadlock") => {
            let _ = Chan::<u32>::new(0).recv();
        }
        Some("fault") => {
            // SAFETY: none: the fault is the point (the runtime reports it).
            let v = unsafe { core::ptr::read_volatile(core::ptr::null::<u8>()) };
            core::hint::black_box(v);
        }
        Some(why) => panic!("asked to fail: {why}"),
    }
}
