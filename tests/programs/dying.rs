//! Deaths that must each print one complete report and exit 2, picked by
//! the first argument; `tests/dying.rs` checks every one.
//!
//! - `many N`: N goroutines and main panic at the same moment (one
//!   report).
//! - `lowstack MARGIN`: a goroutine panics with about MARGIN bytes of
//!   stack left (the report is printed from g0's stack).
//! - `badvalue`: the panic value's `Display` panics.
//! - `nilvalue`: the panic value's `Display` dereferences null.
//! - `longnilvalue`: the value's `Display` writes 20,000 bytes, then
//!   dereferences null (what reached stderr stays).
//! - `faultother`: main panics with a slow value while another goroutine
//!   faults (the fault waits for main's report).
//! - `mainexit`: a goroutine panics with a slow value while main returns
//!   (the exit waits for the report).
//! - `bigstack BYTES`: `go_with_stack(BYTES)`.
//! - `hugevec [BYTES]`: `Vec::with_capacity(BYTES)` (default `1 << 40`),
//!   more than the machine has.
#![no_std]
#![no_main]

extern crate alloc;

use core::fmt;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};

use rt0::time::nanotime;

rt0::main!(main);

/// Numbers in each panic value of `many`.
const LIST_LEN: usize = 1000;
/// Panickers of `many` waiting for each other.
static READY: AtomicUsize = AtomicUsize::new(0);
/// The slow value's Display has started.
static STARTED: AtomicBool = AtomicBool::new(false);
/// The other party (the faulting goroutine, or main) is about to act.
static ACTING: AtomicBool = AtomicBool::new(false);
/// Frames of `eat_stack` so far (keeps the recursion honest).
static DEPTH: AtomicUsize = AtomicUsize::new(0);

const NANOS_PER_MS: i64 = 1_000_000;
/// Longest the slow value waits for the other party to act.
const ACT_TIMEOUT_MS: i64 = 3000;
/// How long it lets the other party's death run before finishing.
const GRACE_MS: i64 = 100;

fn spin_ms(ms: i64) {
    let end = nanotime() + ms * NANOS_PER_MS;
    while nanotime() < end {
        core::hint::spin_loop();
    }
}

/// A panic value that panics while it is formatted.
struct Bad;

impl fmt::Display for Bad {
    fn fmt(&self, _: &mut fmt::Formatter) -> fmt::Result {
        panic!("inner boom")
    }
}

/// A panic value that writes `len` bytes, then reads through null.
struct Nil {
    len: usize,
}

impl fmt::Display for Nil {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for _ in 0..self.len {
            f.write_str("x")?;
        }
        let p = core::hint::black_box(core::ptr::null::<u8>());
        // SAFETY: none: this deliberately faults inside the report.
        let b = unsafe { core::ptr::read_volatile(p) };
        write!(f, "{b}")
    }
}

/// A panic value that takes its time: it lets the other party act
/// (ACTING) and die meanwhile, then finishes.
struct Slow;

impl fmt::Display for Slow {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("slow value [")?;
        STARTED.store(true, SeqCst);
        let deadline = nanotime() + ACT_TIMEOUT_MS * NANOS_PER_MS;
        while !ACTING.load(SeqCst) && nanotime() < deadline {
            core::hint::spin_loop();
        }
        spin_ms(GRACE_MS);
        f.write_str("done]")
    }
}

/// Recurses until fewer than `margin` bytes separate the frame from the
/// bottom of a default stack whose top is near `top`, then panics.
#[inline(never)]
fn eat_stack(top: usize, margin: usize) {
    let local = [0u8; 64];
    core::hint::black_box(&local);
    let sp = local.as_ptr() as usize;
    DEPTH.fetch_add(1, SeqCst);
    if top - sp + margin >= rt0::runtime::default_stack_size() {
        panic!("stack nearly exhausted");
    }
    eat_stack(top, margin);
    core::hint::black_box(&local);
}

fn arg_usize(i: usize) -> usize {
    rt0::env::arg::<usize>(i).unwrap_or_else(|| {
        rt0::eprintln!("argument {i}: a number expected");
        rt0::process::exit(64)
    })
}

fn main() {
    let what = rt0::env::args().nth(1).unwrap_or(b"");
    match what {
        b"many" => {
            // N goroutines and main panic together: each waits until
            // every P runs one of them (or for a while, if Ms are slow to
            // come), so the panics start within a few cycles of each other.
            let n = arg_usize(2);
            let procs = rt0::runtime::gomaxprocs();
            let together = (n + 1).min(procs);
            let deadline = nanotime() + ACT_TIMEOUT_MS * NANOS_PER_MS;
            let wait_and_panic = move |who: &dyn fmt::Display| -> ! {
                READY.fetch_add(1, SeqCst);
                while READY.load(SeqCst) < together && nanotime() < deadline {
                    core::hint::spin_loop();
                }
                // A value that takes a few microseconds to format, as a
                // struct printed with {:?} does.
                let values: [u16; LIST_LEN] = core::array::from_fn(|k| k as u16);
                panic!("boom {who}: {values:?}");
            };
            for i in 0..n {
                rt0::runtime::go(move || wait_and_panic(&i));
            }
            wait_and_panic(&"main");
        }
        b"lowstack" => {
            let margin = arg_usize(2);
            rt0::runtime::go(move || {
                let top = [0u8; 8];
                core::hint::black_box(&top);
                eat_stack(top.as_ptr() as usize, margin);
            });
            rt0::time::sleep(core::time::Duration::from_secs(10));
        }
        b"badvalue" => panic!("{}", Bad),
        b"nilvalue" => panic!("{}", Nil { len: 0 }),
        b"longnilvalue" => panic!("{}", Nil { len: 20_000 }),
        b"faultother" => {
            rt0::runtime::go(|| {
                while !STARTED.load(SeqCst) {
                    rt0::runtime::gosched();
                }
                ACTING.store(true, SeqCst);
                let p = core::hint::black_box(core::ptr::null::<u64>());
                // SAFETY: none: this deliberately faults during main's report.
                rt0::println!("{}", unsafe { core::ptr::read_volatile(p) });
            });
            panic!("{}", Slow);
        }
        b"mainexit" => {
            rt0::runtime::go(|| panic!("{}", Slow));
            while !STARTED.load(SeqCst) {
                rt0::runtime::gosched();
            }
            ACTING.store(true, SeqCst);
            // main returns: the process must wait for the report.
        }
        b"bigstack" => {
            let bytes = arg_usize(2);
            let done = alloc::sync::Arc::new(rt0::sync::WaitGroup::new());
            done.add(1);
            let d = done.clone();
            rt0::runtime::go_with_stack(bytes, move || {
                rt0::println!("ran on a {bytes}-byte stack");
                d.done();
            });
            done.wait();
        }
        b"hugevec" => {
            let bytes = rt0::env::arg::<usize>(2).unwrap_or(1 << 40);
            let mut v: alloc::vec::Vec<u8> = alloc::vec::Vec::with_capacity(bytes);
            v.push(1);
            core::hint::black_box(&mut v);
            rt0::println!("allocated {} bytes", v.capacity());
        }
        _ => {
            rt0::eprintln!(
                "usage: dying many N|lowstack MARGIN|badvalue|nilvalue|longnilvalue|faultother|mainexit|bigstack BYTES|hugevec [BYTES]"
            );
            rt0::process::exit(64);
        }
    }
}
