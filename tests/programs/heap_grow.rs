//! Allocates 64 MiB in 1,024 blocks of 64 KiB (each above the small-object
//! limit, so each goes straight to the heap's arenas), fills every word
//! with a value derived from its position, checks them all, frees them,
//! and prints the checksum and the heap's statistics before, at the peak
//! and after:
//!
//! ```text
//! checksum=0x...
//! before mapped=N in_use=N arenas=N grows=N
//! peak mapped=N in_use=N arenas=N grows=N
//! after mapped=N in_use=N arenas=N grows=N
//! ```
//!
//! `tests/memory.rs` recomputes the checksum and checks that the heap grew
//! past its 1 MiB first arena and gave every byte back.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

rt0::main!(main);

const BLOCKS: usize = 1024;
const BLOCK_WORDS: usize = 64 * 1024 / 8;

/// The word stored at `word` of block `block` (also in tests/memory.rs).
fn pattern(block: usize, word: usize) -> u64 {
    (block as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ (word as u64).wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
}

fn show(label: &str) {
    let rt0::runtime::MemStats {
        heap_sys: mapped,
        heap_alloc: in_use,
        arenas,
        grows,
    } = rt0::runtime::read_mem_stats();
    rt0::println!("{label} mapped={mapped} in_use={in_use} arenas={arenas} grows={grows}");
}

fn main() {
    // The outer table (2,048 pointers: 48 KiB) is a large object too, so
    // in_use returns exactly to its starting value once all is freed.
    let before = rt0::runtime::read_mem_stats();
    let mut blocks: Vec<Vec<u64>> = Vec::with_capacity(2 * BLOCKS);
    for b in 0..BLOCKS {
        let mut v = Vec::with_capacity(BLOCK_WORDS);
        for w in 0..BLOCK_WORDS {
            v.push(pattern(b, w));
        }
        blocks.push(v);
    }
    let peak = rt0::runtime::read_mem_stats();
    let mut sum = 0u64;
    for (b, v) in blocks.iter().enumerate() {
        assert_eq!(v.len(), BLOCK_WORDS);
        for (w, &x) in v.iter().enumerate() {
            if x != pattern(b, w) {
                panic!("block {b} word {w}: {x:#x} != {:#x}", pattern(b, w));
            }
            sum = sum.wrapping_add(x).rotate_left(1);
        }
    }
    drop(blocks);
    rt0::println!("checksum={sum:#018x}");
    let p = |l: &str, s: rt0::runtime::MemStats| {
        rt0::println!(
            "{l} mapped={} in_use={} arenas={} grows={}",
            s.heap_sys,
            s.heap_alloc,
            s.arenas,
            s.grows
        )
    };
    p("before", before);
    p("peak", peak);
    show("after");
}
