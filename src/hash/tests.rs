//! SipHash against three oracles, on the host: the paper's SipHash-2-4
//! test vectors, `core::hash::SipHasher` (2-4, deprecated but stable) and
//! std's `DefaultHasher` (1-3 with the zero key) for the streaming
//! implementation under every split of the message, and a second,
//! independent one-shot implementation written here (the padded message
//! as one array of words) for SipHash-1-3 under random keys, which no std
//! API exposes. Then `RandomState`: keys derived from the seed, `k0` one
//! more per `new`.
#![allow(deprecated)] // core::hash::SipHasher, the 2-4 oracle

use super::sip::{Sip, SipHasher13};
use super::*;
use alloc::vec::Vec;
use core::hash::Hash;

/// xorshift64*: reproducible test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// SipHash-C-D of `msg` in one go, straight from the paper's description
/// (pad to a multiple of 8 bytes, length mod 256 in the last byte; then
/// the words, then finalisation), sharing no code with `sip`.
fn oneshot(c: usize, d: usize, k0: u64, k1: u64, msg: &[u8]) -> u64 {
    let mut v0 = k0 ^ 0x736f6d6570736575;
    let mut v1 = k1 ^ 0x646f72616e646f6d;
    let mut v2 = k0 ^ 0x6c7967656e657261;
    let mut v3 = k1 ^ 0x7465646279746573;
    let round = |v0: &mut u64, v1: &mut u64, v2: &mut u64, v3: &mut u64| {
        *v0 = v0.wrapping_add(*v1);
        *v2 = v2.wrapping_add(*v3);
        *v1 = v1.rotate_left(13) ^ *v0;
        *v3 = v3.rotate_left(16) ^ *v2;
        *v0 = v0.rotate_left(32);
        *v2 = v2.wrapping_add(*v1);
        *v0 = v0.wrapping_add(*v3);
        *v1 = v1.rotate_left(17) ^ *v2;
        *v3 = v3.rotate_left(21) ^ *v0;
        *v2 = v2.rotate_left(32);
    };
    let mut padded = msg.to_vec();
    while padded.len() % 8 != 7 {
        padded.push(0);
    }
    padded.push(msg.len() as u8);
    for w in padded.chunks(8) {
        let m = u64::from_le_bytes(w.try_into().unwrap());
        v3 ^= m;
        for _ in 0..c {
            round(&mut v0, &mut v1, &mut v2, &mut v3);
        }
        v0 ^= m;
    }
    v2 ^= 0xff;
    for _ in 0..d {
        round(&mut v0, &mut v1, &mut v2, &mut v3);
    }
    v0 ^ v1 ^ v2 ^ v3
}

/// The streaming hash of `msg` written in pieces at the `cuts`.
fn streamed<const C: usize, const D: usize>(k0: u64, k1: u64, msg: &[u8], cuts: &[usize]) -> u64 {
    let mut h = Sip::<C, D>::new_with_keys(k0, k1);
    let mut at = 0;
    for &c in cuts {
        h.write(&msg[at..c]);
        at = c;
    }
    h.write(&msg[at..]);
    h.finish()
}

/// The paper's key: bytes 00..0f.
const PAPER_K0: u64 = 0x0706_0504_0302_0100;
const PAPER_K1: u64 = 0x0f0e_0d0c_0b0a_0908;

#[test]
fn paper_vectors_siphash_2_4() {
    let msg: Vec<u8> = (0..15).collect();
    // The paper's appendix A: key 00..0f, message 00..0e.
    assert_eq!(
        streamed::<2, 4>(PAPER_K0, PAPER_K1, &msg, &[]),
        0xa129_ca61_49be_45e5
    );
    assert_eq!(
        oneshot(2, 4, PAPER_K0, PAPER_K1, &msg),
        0xa129_ca61_49be_45e5
    );
    // The reference implementation's first vector: the empty message.
    assert_eq!(
        streamed::<2, 4>(PAPER_K0, PAPER_K1, &[], &[]),
        0x726f_db47_dd0e_0e31
    );
}

#[test]
fn siphash_2_4_matches_core_siphasher() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    for len in 0..100 {
        let (k0, k1) = (r.next(), r.next());
        let msg = r.bytes(len);
        let mut core_h = core::hash::SipHasher::new_with_keys(k0, k1);
        core_h.write(&msg);
        let want = core_h.finish();
        assert_eq!(oneshot(2, 4, k0, k1, &msg), want, "oneshot len {len}");
        for cut in 0..=len {
            assert_eq!(
                streamed::<2, 4>(k0, k1, &msg, &[cut]),
                want,
                "len {len} cut {cut}"
            );
        }
    }
}

#[test]
fn siphash_1_3_zero_key_matches_std_default_hasher() {
    let mut r = Rng(42);
    for len in 0..100 {
        let msg = r.bytes(len);
        let mut std_h = std::hash::DefaultHasher::new();
        std_h.write(&msg);
        let want = std_h.finish();
        assert_eq!(oneshot(1, 3, 0, 0, &msg), want, "oneshot len {len}");
        for a in 0..=len {
            for b in a..=len.min(a + 9) {
                assert_eq!(
                    streamed::<1, 3>(0, 0, &msg, &[a, b]),
                    want,
                    "len {len} cuts {a},{b}"
                );
            }
        }
    }
}

#[test]
fn siphash_1_3_random_keys_match_the_oneshot_implementation() {
    let mut r = Rng(7);
    for len in 0..200 {
        let (k0, k1) = (r.next(), r.next());
        let msg = r.bytes(len);
        let want = oneshot(1, 3, k0, k1, &msg);
        // Byte by byte, and in random pieces.
        let each: Vec<usize> = (1..len).collect();
        assert_eq!(
            streamed::<1, 3>(k0, k1, &msg, &each),
            want,
            "len {len} bytewise"
        );
        let mut cuts: Vec<usize> = (0..4).map(|_| r.next() as usize % (len + 1)).collect();
        cuts.sort_unstable();
        assert_eq!(
            streamed::<1, 3>(k0, k1, &msg, &cuts),
            want,
            "len {len} cuts {cuts:?}"
        );
    }
    // A 257-byte message: the length byte wraps (mod 256).
    let msg = r.bytes(257);
    assert_eq!(
        streamed::<1, 3>(1, 2, &msg, &[100]),
        oneshot(1, 3, 1, 2, &msg)
    );
}

#[test]
fn default_hasher_hashes_values_as_std_does() {
    fn both<T: Hash>(v: &T) -> (u64, u64) {
        let mut ours = DefaultHasher::new();
        v.hash(&mut ours);
        let mut std_h = std::hash::DefaultHasher::new();
        v.hash(&mut std_h);
        (ours.finish(), std_h.finish())
    }
    let (a, b) = both(&0x0123_4567_89ab_cdef_u64);
    assert_eq!(a, b);
    let (a, b) = both(&"a str: write_str adds 0xff");
    assert_eq!(a, b);
    let (a, b) = both(&(7u8, -3i32, alloc::string::String::from("x"), [1u16, 2, 3]));
    assert_eq!(a, b);
    let (a, b) = both(&alloc::vec![0u8; 33]);
    assert_eq!(a, b);
    // finish does not consume: more writes continue the same message.
    let mut h = DefaultHasher::new();
    h.write(b"abc");
    let _ = h.finish();
    h.write(b"def");
    let mut whole = DefaultHasher::new();
    whole.write(b"abcdef");
    assert_eq!(h.finish(), whole.finish());
}

#[test]
fn random_state_keys_come_from_the_seed_and_differ_per_new() {
    let bytes: [u8; 16] = core::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0x5a);
    seed(Some(bytes));
    let prf = |k: (u64, u64)| oneshot(1, 3, k.0, k.1, &bytes);
    let (k0, k1) = (prf(DERIVE_K0), prf(DERIVE_K1));
    let a = RandomState::new();
    let b = RandomState::new();
    assert_eq!(a.k1, k1);
    assert_eq!(b.k1, k1);
    assert_eq!(b.k0.wrapping_sub(a.k0), 1, "k0 goes up by one per new");
    // Each state hashes with its own keys: SipHash-1-3 keyed (k0 + n, k1).
    let n = a.k0.wrapping_sub(k0);
    assert!(n < 1 << 20, "a's k0 is the base key plus a small count");
    assert_eq!(a.hash_one(b"key"), {
        let mut h = SipHasher13::new_with_keys(k0.wrapping_add(n), k1);
        h.write(&3usize.to_ne_bytes()); // a slice's length prefix
        h.write(b"key");
        h.finish()
    });
    assert_ne!(a.hash_one(b"key"), b.hash_one(b"key"));
    assert_eq!(a.hash_one(b"key"), a.clone().hash_one(b"key"));
    assert_eq!(alloc::format!("{a:?}"), "RandomState { .. }");
}
