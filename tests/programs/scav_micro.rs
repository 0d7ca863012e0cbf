//! Allocation micro-costs, for before/after comparisons of the allocator
//! (not run by the tests): prints ns per operation for
//! - `small`: one 64-byte Box allocated and dropped (the P cache's fast path);
//! - `batch`: 100,000 Boxes of 64 B allocated, then all dropped (the central lists);
//! - `vec4k`: 25,600 Vecs of 4 KiB kept, then dropped (4 KiB class spans);
//! - `large`: one 256 KiB Vec allocated and dropped (the heap);
//! - `big`: `vec![0u8; 100 MiB]` allocated, one byte per page written, dropped.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::boxed::Box;
use alloc::vec::Vec;

rt0::main!(main);

fn report(name: &str, t0: i64, n: usize) {
    let ns = rt0::time::nanotime() - t0;
    rt0::println!("{name} {:.1} ns/op", ns as f64 / n as f64);
}

fn main() {
    let n = 2_000_000;
    let t0 = rt0::time::nanotime();
    let mut acc = 0u64;
    for i in 0..n {
        let b = core::hint::black_box(Box::new([i as u64; 8]));
        acc = acc.wrapping_add(b[3]);
    }
    report("small", t0, n);
    let rounds = 10;
    let t0 = rt0::time::nanotime();
    for r in 0..rounds {
        let v: Vec<Box<[u64; 8]>> = (0..100_000)
            .map(|i| Box::new([(i + r) as u64; 8]))
            .collect();
        acc = acc.wrapping_add(v[77][0]);
    }
    report("batch", t0, rounds * 100_000);
    let t0 = rt0::time::nanotime();
    for r in 0..rounds {
        let v: Vec<Vec<u8>> = (0..25_600)
            .map(|i| alloc::vec![(i + r) as u8; 4096])
            .collect();
        acc = acc.wrapping_add(v[77][0] as u64);
    }
    report("vec4k", t0, rounds * 25_600);
    let t0 = rt0::time::nanotime();
    for i in 0..100_000 {
        let v: Vec<u8> = core::hint::black_box(Vec::with_capacity(256 << 10 | i & 1));
        acc = acc.wrapping_add(v.capacity() as u64);
    }
    report("large", t0, 100_000);
    let t0 = rt0::time::nanotime();
    for _ in 0..rounds {
        let mut v = alloc::vec![0u8; 100 << 20];
        for p in (0..v.len()).step_by(4096) {
            v[p] = 1;
        }
        acc = acc.wrapping_add(core::hint::black_box(&v)[4096] as u64);
    }
    report("big", t0, rounds);
    rt0::println!("acc {acc}");
}
