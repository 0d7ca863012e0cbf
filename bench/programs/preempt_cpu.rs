//! CPU-bound work for the preemption-overhead benchmark
//! (scripts/bench_preempt.py): the same program runs with asynchronous
//! preemption on and with `GODEBUG=asyncpreemptoff=1`, and the two times
//! are compared (goal: within 1%). Each goroutine runs long stretches with
//! no runtime call, so sysmon preempts it every 10 ms when goroutines
//! outnumber the Ps; what the benchmark measures is what that costs.
//!
//! - `hash MIB ROUNDS G`: a MIB-MiB buffer split into G chunks, each
//!   hashed ROUNDS times (FNV-1a over 8-byte words) by its own goroutine;
//!   `check=` the xor of the chunk hashes.
//! - `spectral N G`: the spectral norm of the N x N matrix of the
//!   Benchmarks Game (10 power iterations of A^T A), rows split among G
//!   goroutines per step; `check=` the norm to 9 decimals.
//!
//! Both end with `<ns> ns` (the whole computation's wall time).
#![no_std]
#![no_main]
extern crate alloc;

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use rt0::sync::WaitGroup;
use rt0::time::nanotime;

rt0::main!(main);

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
const MIB: usize = 1 << 20;
/// Power iterations of the spectral norm (the Benchmarks Game's).
const SPECTRAL_STEPS: usize = 10;

fn arg(n: usize, default: u64) -> u64 {
    rt0::env::args()
        .nth(n)
        .and_then(|a| core::str::from_utf8(a).ok())
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn fnv(words: &[u64], mut h: u64) -> u64 {
    for &w in words {
        h ^= w;
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

fn hash(mib: usize, rounds: u64, g: usize) -> u64 {
    let words = mib * MIB / 8;
    let buf: Arc<Vec<u64>> = Arc::new(
        (0..words as u64)
            .map(|i| i.wrapping_mul(FNV_PRIME))
            .collect(),
    );
    let acc = Arc::new(AtomicU64::new(0));
    let wg = Arc::new(WaitGroup::new());
    wg.add(g as isize);
    let chunk = words.div_ceil(g);
    for i in 0..g {
        let (buf, acc, wg) = (buf.clone(), acc.clone(), wg.clone());
        rt0::runtime::go(move || {
            let part = &buf[(i * chunk).min(words)..((i + 1) * chunk).min(words)];
            let mut h = FNV_OFFSET;
            for _ in 0..rounds {
                h = fnv(part, h);
            }
            acc.fetch_xor(h, Relaxed);
            wg.done();
        });
    }
    wg.wait();
    acc.load(Relaxed)
}

/// Entry (i, j) of the Benchmarks Game's matrix.
fn a(i: usize, j: usize) -> f64 {
    1.0 / (((i + j) * (i + j + 1) / 2 + i + 1) as f64)
}

/// out = A v (transposed: A^T v), rows split among g goroutines.
fn mul(v: &Arc<Vec<f64>>, transpose: bool, g: usize) -> Arc<Vec<f64>> {
    let n = v.len();
    let out: Arc<Vec<AtomicU64>> = Arc::new((0..n).map(|_| AtomicU64::new(0)).collect());
    let wg = Arc::new(WaitGroup::new());
    wg.add(g as isize);
    let rows = n.div_ceil(g);
    for k in 0..g {
        let (v, out, wg) = (v.clone(), out.clone(), wg.clone());
        rt0::runtime::go(move || {
            for i in (k * rows).min(n)..((k + 1) * rows).min(n) {
                let mut s = 0.0;
                for (j, &x) in v.iter().enumerate() {
                    s += if transpose { a(j, i) } else { a(i, j) } * x;
                }
                out[i].store(s.to_bits(), Relaxed);
            }
            wg.done();
        });
    }
    wg.wait();
    Arc::new(
        out.iter()
            .map(|x| f64::from_bits(x.load(Relaxed)))
            .collect(),
    )
}

fn spectral(n: usize, g: usize) -> f64 {
    let mut u = Arc::new(vec![1.0; n]);
    let mut v = u.clone();
    for _ in 0..SPECTRAL_STEPS {
        v = mul(&mul(&u, false, g), true, g);
        u = mul(&mul(&v, false, g), true, g);
    }
    let (mut vbv, mut vv) = (0.0, 0.0);
    for i in 0..n {
        vbv += u[i] * v[i];
        vv += v[i] * v[i];
    }
    sqrt(vbv / vv)
}

/// Square root by Newton's method (no libm here).
fn sqrt(x: f64) -> f64 {
    let mut r = if x > 1.0 { x } else { 1.0 };
    for _ in 0..100 {
        r = 0.5 * (r + x / r);
    }
    r
}

fn main() {
    let mode = rt0::env::args().nth(1).unwrap_or(b"");
    let t0 = nanotime();
    match mode {
        b"hash" => {
            let h = hash(arg(2, 64) as usize, arg(3, 20), arg(4, 8) as usize);
            rt0::println!("check={h:#x}");
        }
        b"spectral" => {
            let s = spectral(arg(2, 2000) as usize, arg(3, 8) as usize);
            rt0::println!("check={:.9}", s);
        }
        _ => {
            rt0::eprintln!("usage: preempt_cpu hash MIB ROUNDS G | spectral N G");
            rt0::process::exit(2);
        }
    }
    rt0::println!("{} ns", nanotime() - t0);
}
