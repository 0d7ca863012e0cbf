//! The runtime's random numbers: Go's `fastrand` (stubs.go), seeded by
//! `fastrandinit` from the 16 bytes the kernel leaves at AT_RANDOM, which
//! `boot::schedinit` reads and hands down.
//!
//! wyrand: a 64-bit state advanced by a constant and mixed by one 128-bit
//! multiply, as Go 1.19 uses on 64-bit targets. Not cryptographic; used
//! for steal order, select fairness and timer jitter.

use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

const WYRAND_ADD: u64 = 0xa076_1d64_78bd_642f;
const WYRAND_XOR: u64 = 0xe703_7ed1_a0b4_28db;

static SEED: AtomicU64 = AtomicU64::new(0);

/// Seeds from the AT_RANDOM bytes the bootstrap hands down (Go's
/// `fastrandinit`). Without them (no auxv entry) the seed mixes the clock.
pub fn fastrandinit(at_random: Option<u64>) {
    let seed = at_random.unwrap_or_else(|| crate::sys::time::nanotime() as u64);
    SEED.store(seed, Relaxed);
}

/// One wyrand step on `state`.
#[inline]
pub fn wyrand(state: &mut u64) -> u64 {
    *state = state.wrapping_add(WYRAND_ADD);
    let hi_lo = u128::from(*state) * u128::from(*state ^ WYRAND_XOR);
    ((hi_lo >> 64) as u64) ^ (hi_lo as u64)
}

/// A random u64 from the shared seed (any thread).
pub fn fastrand64() -> u64 {
    let mut s = SEED.fetch_add(WYRAND_ADD, Relaxed);
    wyrand(&mut s)
}

/// A random u32 in `[0, n)` (Go's `fastrandn`), `n > 0`.
pub fn fastrandn(n: u32) -> u32 {
    (((fastrand64() as u32) as u64 * u64::from(n)) >> 32) as u32
}
