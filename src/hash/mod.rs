//! Hashing for maps: std's `std::hash::RandomState` and `DefaultHasher`
//! (std/src/hash/random.rs) for `no_std` programs, so that a
//! `hashbrown::HashMap<K, V, rt0::hash::RandomState>` resists the
//! collision attacks (HashDoS) that std's `HashMap` resists.
//!
//! The hasher is keyed SipHash-1-3 (`sip`, written from the paper), as
//! std's. The keys come from the 16 random bytes the kernel leaves at
//! `AT_RANDOM` in the auxiliary vector (std asks the OS with
//! `getrandom`; these bytes are the same kernel randomness, already in
//! memory, so start-up makes no system call for them): `boot::schedinit`
//! hands them down with [`seed`] (data flows down at init), and the first
//! [`RandomState::new`] derives the keys from them through SipHash under
//! two fixed keys, so that knowing the runtime's `fastrand` seed (the
//! first 8 of those bytes) tells nothing about them. As std's, each
//! `RandomState::new()` then gets the base keys with `k0` plus a counter
//! (std increments `k0` per `new` in a thread-local; here one atomic
//! counter serves every thread): two maps never share keys, and a map's
//! iteration order differs from run to run.
//!
//! Without `AT_RANDOM` (no auxv entry: never seen on Linux) the seed
//! mixes the clock and `fastrand`, which is not secret.
//!
//! Invariants: [`seed`] runs once, before any other thread exists, and
//! fixes the 16 seed bytes; the base keys are a pure function of them, so
//! the first callers of `RandomState::new` may derive them concurrently:
//! each stores the same two words before it raises `READY` (no lock, no
//! waiting), and the keys never change afterwards.

mod sip;
#[cfg(test)]
mod tests;

use core::fmt;
use core::hash::{BuildHasher, Hasher};
use core::sync::atomic::{
    AtomicBool, AtomicU64,
    Ordering::{Acquire, Relaxed, Release},
};

use crate::racy::RacyCell;
use sip::SipHasher13;

/// The seed bytes, from [`seed`].
static SEED: RacyCell<[u8; 16]> = RacyCell::new([0; 16]);
/// The base keys `(k0, k1)`, valid once `READY` is set.
static KEYS: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
static READY: AtomicBool = AtomicBool::new(false);
/// Added to `k0` by each `RandomState::new` (std's per-thread increment).
static NEXT: AtomicU64 = AtomicU64::new(0);

/// The fixed keys the base keys are derived under (the first hex digits
/// of pi: nothing up the sleeve).
const DERIVE_K0: (u64, u64) = (0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344);
const DERIVE_K1: (u64, u64) = (0xa409_3822_299f_31d0, 0x082e_fa98_ec4e_6c89);

/// Hands down the 16 bytes the kernel left at AT_RANDOM (None without
/// the auxv entry). Called by schedinit, before any other thread.
pub(crate) fn seed(at_random: Option<[u8; 16]>) {
    let s = at_random.unwrap_or_else(|| {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&crate::sys::time::nanotime().to_le_bytes());
        b[8..].copy_from_slice(&crate::rand::fastrand64().to_le_bytes());
        b
    });
    // SAFETY: written once during start-up, while m0 is the only thread;
    // only read afterwards (`base_keys`).
    unsafe { *SEED.get() = s };
}

/// The base keys: SipHash-1-3 of the seed bytes under two fixed keys.
fn base_keys() -> (u64, u64) {
    if !READY.load(Acquire) {
        // SAFETY: written by `seed` before any other thread existed.
        let seed = unsafe { *SEED.get() };
        let prf = |k: (u64, u64)| {
            let mut h = SipHasher13::new_with_keys(k.0, k.1);
            h.write(&seed);
            h.finish()
        };
        // Concurrent first callers store the same words (invariants).
        KEYS[0].store(prf(DERIVE_K0), Relaxed);
        KEYS[1].store(prf(DERIVE_K1), Relaxed);
        READY.store(true, Release);
    }
    (KEYS[0].load(Relaxed), KEYS[1].load(Relaxed))
}

/// The default state of a hash map: a [`BuildHasher`] of keyed
/// SipHash-1-3 ([`DefaultHasher`]s), with keys from the kernel's random
/// bytes (std's `std::hash::RandomState`, which asks the OS; Go's maps
/// seed each map from the runtime's random source likewise).
///
/// Each `new()` gets other keys (as std's: the first key plus one per
/// call), so two maps never collide alike and the order a map iterates
/// in differs between runs. Use it as a map's third parameter:
///
/// ```rust
/// use core::hash::BuildHasher;
/// use rt0::hash::RandomState;
/// let s = RandomState::new();
/// assert_eq!(s.hash_one("key"), s.clone().hash_one("key"));
/// // Another state, other keys (equal only with probability 2^-64).
/// assert_ne!(s.hash_one("key"), RandomState::new().hash_one("key"));
/// ```
#[derive(Clone)]
pub struct RandomState {
    k0: u64,
    k1: u64,
}

impl RandomState {
    /// A state with keys of its own (std's `RandomState::new`).
    pub fn new() -> RandomState {
        let (k0, k1) = base_keys();
        RandomState {
            k0: k0.wrapping_add(NEXT.fetch_add(1, Relaxed)),
            k1,
        }
    }
}

impl Default for RandomState {
    fn default() -> RandomState {
        RandomState::new()
    }
}

impl BuildHasher for RandomState {
    type Hasher = DefaultHasher;

    fn build_hasher(&self) -> DefaultHasher {
        DefaultHasher(SipHasher13::new_with_keys(self.k0, self.k1))
    }
}

/// Shows no keys, as std's.
impl fmt::Debug for RandomState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RandomState").finish_non_exhaustive()
    }
}

/// SipHash-1-3, the hasher of [`RandomState`] (std's
/// `std::hash::DefaultHasher`). `DefaultHasher::new()` is keyed with
/// zeros, as std's: the same input hashes the same in every run (use
/// [`RandomState`] where inputs may be chosen by an attacker).
#[derive(Clone)]
pub struct DefaultHasher(SipHasher13);

impl DefaultHasher {
    /// A hasher with the all-zero key (std's `DefaultHasher::new`).
    pub const fn new() -> DefaultHasher {
        DefaultHasher(SipHasher13::new_with_keys(0, 0))
    }
}

impl Default for DefaultHasher {
    fn default() -> DefaultHasher {
        DefaultHasher::new()
    }
}

impl Hasher for DefaultHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0.finish()
    }
}

/// Shows no state, as std's.
impl fmt::Debug for DefaultHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultHasher").finish_non_exhaustive()
    }
}
