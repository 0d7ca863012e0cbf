//! Per-goroutine stack sizes: the same recursion (DEPTH frames of about
//! 1 KiB each, 512 by default: about 540 KiB) runs in a goroutine started
//! with `go_with_stack(1 << 20, ..)` (`big`: completes), in one with the
//! default 256 KiB stack (`default`: overflows at 512, reported by the
//! guard page; completes at 200, about 210 KiB) or on the main goroutine
//! and its 8 MiB stack (`main`: 6144 frames, about 6.3 MiB, complete).
//! `big_overflow` recurses without end in a 1 MiB goroutine (the limit in
//! the report is that goroutine's), `main_overflow` on the main goroutine
//! (its 8 MiB limit), and `bigframes` recurses with 16 KiB frames in a
//! default goroutine: stack probes must touch the guard page on the way
//! down rather than jump over it.
//!
//! Usage: `sched_stack big|default|main|big_overflow|main_overflow|bigframes
//! [DEPTH]`; `big`, `default` and `main` print `depth=D sum=S want=S`.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use rt0::sync::WaitGroup;

rt0::main!(main);

const FRAME: usize = 1024;

/// Recurses `left` more times with a FRAME-byte buffer live in each frame;
/// the result depends on every frame, so none can be elided.
#[inline(never)]
fn recurse(depth: u64, left: u64) -> u64 {
    let mut buf = [0u8; FRAME];
    buf[depth as usize % FRAME] = depth as u8;
    core::hint::black_box(&mut buf);
    let below = if left == 0 {
        0
    } else {
        recurse(depth + 1, left - 1)
    };
    below + u64::from(buf[depth as usize % FRAME])
}

/// Recurses with 16 KiB frames until the guard page stops it.
#[inline(never)]
#[allow(unconditional_recursion)]
fn recurse_big_frames(depth: u64) -> u64 {
    let mut buf = [0u8; 16 * 1024];
    buf[depth as usize % buf.len()] = 1;
    core::hint::black_box(&mut buf);
    recurse_big_frames(depth + 1) + u64::from(buf[0])
}

/// The expected sum of `recurse(0, depth - 1)`.
fn expected(depth: u64) -> u64 {
    (0..depth).map(|d| d % 256).sum()
}

fn run_in(stack: Option<usize>, f: impl FnOnce() + Send + 'static) {
    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    let wg2 = wg.clone();
    let body = move || {
        f();
        wg2.done();
    };
    match stack {
        Some(bytes) => rt0::runtime::go_with_stack(bytes, body),
        None => rt0::runtime::go(body),
    }
    wg.wait();
}

fn main() {
    let depth: u64 = rt0::env::args()
        .nth(2)
        .and_then(|a| core::str::from_utf8(a).ok()?.parse().ok())
        .unwrap_or(512);
    let report = move || {
        let sum = recurse(0, depth - 1);
        rt0::println!("depth={depth} sum={sum} want={}", expected(depth));
    };
    match rt0::env::args().nth(1).unwrap_or(b"") {
        b"big" => run_in(Some(1 << 20), report),
        b"default" => run_in(None, report),
        b"main" => report(),
        b"big_overflow" => run_in(Some(1 << 20), || {
            rt0::println!("{}", recurse(0, u64::MAX));
        }),
        b"main_overflow" => rt0::println!("{}", recurse(0, u64::MAX)),
        b"bigframes" => run_in(None, || {
            rt0::println!("{}", recurse_big_frames(0));
        }),
        _ => {
            rt0::eprintln!(
                "usage: sched_stack big|default|main|big_overflow|main_overflow|bigframes [DEPTH]"
            );
            rt0::process::exit(64);
        }
    }
}
