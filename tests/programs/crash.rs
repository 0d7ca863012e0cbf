//! Failure modes, picked by the first argument, each ending the way Go's
//! runtime ends: `deadlock`, `panic` (in a non-main goroutine),
//! `overflow` (deep recursion in a goroutine), `nil` (nil dereference),
//! `goexit` (main calls Goexit, others finish), `wgneg` (negative
//! WaitGroup counter).
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use rt0::sync::{Mutex, WaitGroup};

rt0::main!(main);

/// Recurses until the stack's guard page stops it.
#[inline(never)]
#[allow(unconditional_recursion)]
fn recurse(depth: u64, buf: &mut [u8; 256]) -> u64 {
    let mut local = [0u8; 256];
    local[(depth % 256) as usize] = buf[0].wrapping_add(1);
    core::hint::black_box(&mut local);
    recurse(depth + 1, &mut local) + u64::from(local[0])
}

fn main() {
    let what = rt0::env::args().nth(1).unwrap_or(b"");
    match what {
        b"deadlock" => {
            let wg = Arc::new(WaitGroup::new());
            wg.add(1);
            let m = Arc::new(Mutex::new(()));
            let guard = m.lock();
            let m2 = m.clone();
            rt0::runtime::go(move || {
                let _g = m2.lock(); // blocks forever: main holds it
            });
            wg.wait(); // nobody will call done
            drop(guard);
        }
        b"panic" => {
            let wg = Arc::new(WaitGroup::new());
            wg.add(1);
            rt0::runtime::go(move || {
                let v: [u32; 0] = [];
                let i = core::hint::black_box(3usize);
                rt0::println!("{}", v[i]);
            });
            wg.wait();
        }
        b"overflow" => {
            let wg = Arc::new(WaitGroup::new());
            wg.add(1);
            rt0::runtime::go(move || {
                let mut b = [0u8; 256];
                rt0::println!("{}", recurse(0, &mut b));
            });
            wg.wait();
        }
        b"nil" => {
            let p = core::hint::black_box(core::ptr::null::<u64>());
            // SAFETY: none: this deliberately faults to test the report.
            rt0::println!("{}", unsafe { core::ptr::read_volatile(p) });
        }
        b"goexit" => {
            rt0::runtime::go(|| rt0::println!("other goroutine ran"));
            rt0::runtime::goexit();
        }
        b"wgneg" => {
            let wg = WaitGroup::new();
            wg.done();
        }
        _ => {
            rt0::eprintln!("usage: crash deadlock|panic|overflow|nil|goexit|wgneg");
            rt0::process::exit(64);
        }
    }
}
