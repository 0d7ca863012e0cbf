//! SipHash (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
//! 2012), written from the paper's algorithm: a 128-bit key, four 64-bit
//! words of state, `C` rounds per 8-byte message word and `D` at the end.
//! rt0 hashes with SipHash-1-3 ([`SipHasher13`]), as std's `DefaultHasher`
//! does; the 2-4 instance exists for the paper's own test vector and
//! `core::hash::SipHasher` (2-4) as oracles of the host tests.
//!
//! The message is taken in any number of `write` calls: a partial word
//! waits in `tail` until it is complete, so the result depends only on the
//! concatenated bytes, never on how they were split (the paper's padding:
//! the last word holds the remaining bytes and, in its top byte, the
//! message length mod 256).

/// The paper's initialisation constants: "somepseudorandomlygeneratedbytes".
const INIT: [u64; 4] = [
    0x736f_6d65_7073_6575,
    0x646f_7261_6e64_6f6d,
    0x6c79_6765_6e65_7261,
    0x7465_6462_7974_6573,
];
/// XORed into v2 before the finalisation rounds.
const FINAL_XOR: u64 = 0xff;

/// SipHash-C-D, streaming.
#[derive(Clone, Copy)]
pub(crate) struct Sip<const C: usize, const D: usize> {
    v: [u64; 4],
    /// The bytes of the current partial word, little-endian.
    tail: u64,
    /// How many bytes `tail` holds (0..8).
    ntail: usize,
    /// The message length so far (only its low byte counts).
    length: usize,
}

/// SipHash-1-3: what std's `DefaultHasher` and `RandomState` hash with.
pub(crate) type SipHasher13 = Sip<1, 3>;

/// SipRound, the paper's ARX network on the four words.
#[inline(always)]
fn sip_round(v: &mut [u64; 4]) {
    v[0] = v[0].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(13);
    v[1] ^= v[0];
    v[0] = v[0].rotate_left(32);
    v[2] = v[2].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(16);
    v[3] ^= v[2];
    v[0] = v[0].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(21);
    v[3] ^= v[0];
    v[2] = v[2].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(17);
    v[1] ^= v[2];
    v[2] = v[2].rotate_left(32);
}

/// Up to 8 bytes as a little-endian word (missing high bytes zero).
#[inline(always)]
fn le_word(bytes: &[u8]) -> u64 {
    debug_assert!(bytes.len() <= 8);
    bytes
        .iter()
        .enumerate()
        .fold(0, |w, (i, &b)| w | (u64::from(b) << (8 * i)))
}

impl<const C: usize, const D: usize> Sip<C, D> {
    /// A hasher keyed with `(k0, k1)`, the key's two little-endian halves.
    pub(crate) const fn new_with_keys(k0: u64, k1: u64) -> Self {
        Sip {
            v: [INIT[0] ^ k0, INIT[1] ^ k1, INIT[2] ^ k0, INIT[3] ^ k1],
            tail: 0,
            ntail: 0,
            length: 0,
        }
    }

    /// One message word: `v3 ^= m`, C rounds, `v0 ^= m`.
    #[inline(always)]
    fn compress(&mut self, m: u64) {
        self.v[3] ^= m;
        for _ in 0..C {
            sip_round(&mut self.v);
        }
        self.v[0] ^= m;
    }

    /// Appends `msg` to the message.
    #[inline]
    pub(crate) fn write(&mut self, mut msg: &[u8]) {
        self.length = self.length.wrapping_add(msg.len());
        if self.ntail != 0 {
            let need = 8 - self.ntail;
            let take = need.min(msg.len());
            self.tail |= le_word(&msg[..take]) << (8 * self.ntail);
            if take < need {
                self.ntail += take;
                return;
            }
            self.compress(self.tail);
            msg = &msg[take..];
        }
        let mut words = msg.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.compress(u64::from_le_bytes(b));
        }
        let rest = words.remainder();
        self.tail = le_word(rest);
        self.ntail = rest.len();
    }

    /// The hash of the message so far (the state is not consumed: more
    /// may be written afterwards, as `Hasher::finish` allows).
    #[inline]
    pub(crate) fn finish(&self) -> u64 {
        let mut s = *self;
        let last = ((self.length as u64 & 0xff) << 56) | self.tail;
        s.compress(last);
        s.v[2] ^= FINAL_XOR;
        for _ in 0..D {
            sip_round(&mut s.v);
        }
        s.v[0] ^ s.v[1] ^ s.v[2] ^ s.v[3]
    }
}
