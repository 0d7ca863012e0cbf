//! Math and maps in `no_std` (tests/api.rs; README, "Math and maps in
//! no_std"): a `hashbrown::HashMap` keyed by `rt0::hash::RandomState`,
//! and `libm`'s functions, in a freestanding program.
//!
//! Prints the map's exact counts, a few `libm` results (their `Display`
//! is exact: the shortest decimal that round-trips), and `probe=` the
//! hash of one fixed key under a fresh `RandomState`: the test runs the
//! program twice and the probes differ, because the keys come from the
//! kernel's AT_RANDOM bytes, new for every process.
#![no_std]
#![no_main]
extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::hash::BuildHasher;
use hashbrown::{HashMap, HashSet};
use rt0::hash::RandomState;

rt0::main!(main);

const TEXT: &str = "the quick brown fox jumps over the lazy dog the fox";

fn main() {
    // A large map: every key once, then every even key updated.
    const N: u64 = 100_000;
    let mut m: HashMap<u64, u64, RandomState> = HashMap::with_hasher(RandomState::new());
    for k in 0..N {
        m.insert(k.wrapping_mul(0x9e37_79b9_7f4a_7c15), k);
    }
    for k in (0..N).step_by(2) {
        *m.get_mut(&k.wrapping_mul(0x9e37_79b9_7f4a_7c15)).unwrap() += 1;
    }
    let sum: u64 = m.values().sum();
    rt0::println!(
        "map len={} sum={sum} want={}",
        m.len(),
        N * (N - 1) / 2 + N / 2
    );

    // Word counts, as a user's first map does.
    let mut words: HashMap<String, usize, RandomState> = HashMap::default();
    for w in TEXT.split(' ') {
        *words.entry(String::from(w)).or_insert(0) += 1;
    }
    let mut counts: Vec<(&str, usize)> = words.iter().map(|(w, &n)| (w.as_str(), n)).collect();
    counts.sort_unstable();
    rt0::println!("words {counts:?}");
    let set: HashSet<&str, RandomState> = TEXT.split(' ').collect();
    rt0::println!("distinct={}", set.len());

    // Keys: a clone hashes alike, another state differently.
    let s = RandomState::new();
    let probe = s.hash_one("probe");
    rt0::println!(
        "clone_same={} new_differs={} probe={probe:016x}",
        s.clone().hash_one("probe") == probe,
        RandomState::new().hash_one("probe") != probe
    );

    // libm: what core's f64 lacks (results that are exact, or correctly
    // rounded as IEEE 754 requires of sqrt, whatever libm's version).
    rt0::println!(
        "sqrt2={} cbrt27={} pow2_10={} hypot34={} sqrt_neg_nan={}",
        libm::sqrt(2.0),
        libm::cbrt(27.0),
        libm::pow(2.0, 10.0),
        libm::hypot(3.0, 4.0),
        libm::sqrt(-1.0).is_nan()
    );
}
