//! `memchr`: the first place of a byte in a slice, 16 bytes at a time
//! (Go's `internal/bytealg.IndexByte`, which `bytes.IndexByte` and
//! `bufio.Scanner`'s line splitting stand on; C's `memchr`). `core` has
//! no public one, and a byte-at-a-time loop is what made reading lines
//! from a file 0.73x Go's `bufio.Scanner` (scripts/bench_files.py).
//!
//! SSE2 is part of the x86-64 baseline, so the vector loop needs no CPU
//! check: compare 16 bytes with the byte (`pcmpeqb`), gather the result
//! bits (`pmovmskb`), and the lowest set bit is the first match. The loads
//! are unaligned and never go past the slice's end; the last few bytes
//! (fewer than 16) are looked at one by one.

use core::arch::x86_64::{
    __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
};

/// Bytes compared per step: one SSE2 register.
const LANES: usize = 16;

/// The index of the first `byte` in `hay`, if there is one.
#[inline]
pub fn memchr(byte: u8, hay: &[u8]) -> Option<usize> {
    let n = hay.len();
    let mut i = 0;
    if n >= LANES {
        let p = hay.as_ptr();
        // SAFETY: SSE2 is in every x86-64 CPU (the target's baseline); each
        // load reads hay[i..i + LANES], inside the slice since i + LANES <= n,
        // and `_mm_loadu_si128` needs no alignment.
        unsafe {
            let needle = _mm_set1_epi8(byte as i8);
            while i + LANES <= n {
                let chunk = _mm_loadu_si128(p.add(i) as *const __m128i);
                let hits = _mm_movemask_epi8(_mm_cmpeq_epi8(chunk, needle)) as u32;
                if hits != 0 {
                    return Some(i + hits.trailing_zeros() as usize);
                }
                i += LANES;
            }
        }
    }
    hay[i..].iter().position(|&b| b == byte).map(|j| i + j)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the plain loop: every length up to 80, the byte at every
    /// place, absent, and repeated.
    #[test]
    fn finds_what_position_finds() {
        for len in 0..80usize {
            let base: alloc::vec::Vec<u8> = (0..len).map(|i| (i % 7) as u8 + 1).collect();
            assert_eq!(memchr(0, &base), None, "len {len}");
            for at in 0..len {
                let mut v = base.clone();
                v[at] = 0;
                if at + 3 < len {
                    v[at + 3] = 0;
                }
                assert_eq!(memchr(0, &v), Some(at), "len {len} at {at}");
                assert_eq!(
                    memchr(v[len - 1], &v),
                    v.iter().position(|&b| b == v[len - 1])
                );
            }
        }
        assert_eq!(memchr(0xff, &[0xff; 40]), Some(0));
    }
}
