//! The symbolizer's tables: built once, by whoever needs one first,
//! without a lock ([`BuildOnce`]), and sorted in place ([`sort_by_key`]).
//! Go's runtime needs neither: its linker writes the function table
//! (`pclntab`) sorted into the binary; rt0 sorts what it reads from the
//! ELF file at the first report.
//!
//! Invariants: nothing here allocates, waits or panics; a table is
//! written only by the caller [`BuildOnce::begin`] told to build, and read
//! only after [`BuildOnce::finish`] published it.

use core::sync::atomic::AtomicU32;

/// A one-time set-up that nobody waits for: Go's `sync.Once` without the
/// waiting, for code that may run in a signal handler that interrupted the
/// set-up itself. The first caller of [`begin`](BuildOnce::begin) builds
/// and says [`finish`](BuildOnce::finish); a caller meanwhile is told
/// [`Begin::Busy`] and does without.
pub(crate) struct BuildOnce(AtomicU32);

pub(crate) use super::proto::build_once::Begin;
use super::proto::build_once::{self as protocol, UNTRIED};

impl BuildOnce {
    pub(crate) const fn new() -> BuildOnce {
        BuildOnce(AtomicU32::new(UNTRIED))
    }

    /// Claims the build if nobody has tried it, else says how it stands.
    /// `Ready` is an acquire: what the builder wrote before `finish(true)`
    /// is visible.
    pub(crate) fn begin(&self) -> Begin {
        protocol::begin(&self.0)
    }

    /// Whether it is built, without claiming it (an acquire, as `begin`).
    pub(crate) fn is_ready(&self) -> bool {
        protocol::is_ready(&self.0)
    }

    /// Publishes the build (a release) or records that it failed; called
    /// once, by the caller `begin` told to build.
    pub(crate) fn finish(&self, ok: bool) {
        protocol::finish(&self.0, ok)
    }
}

/// Sorts `v` by `key`, in place, in O(n log n) with no allocation: a
/// heapsort (not stable), chosen over core's `sort_unstable_by_key`,
/// which is faster but costs some 4 KiB of code per element type in
/// every binary, for tables sorted once per process.
pub(crate) fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    // Build a max-heap (each parent's key >= its children's), then move
    // the largest to the end, one at a time, and repair the heap.
    for root in (0..v.len() / 2).rev() {
        sift_down(v, root, &key);
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        if let Some(heap) = v.get_mut(..end) {
            sift_down(heap, 0, &key);
        }
    }
}

/// Moves `heap[root]` down until both its children's keys are no larger.
fn sift_down<T, K: Ord>(heap: &mut [T], mut root: usize, key: &impl Fn(&T) -> K) {
    loop {
        let Some(left) = root.checked_mul(2).and_then(|r| r.checked_add(1)) else {
            return;
        };
        let (Some(l), r) = (heap.get(left), heap.get(left + 1)) else {
            return;
        };
        let child = match r {
            Some(r) if key(r) > key(l) => left + 1,
            _ => left,
        };
        match (heap.get(root), heap.get(child)) {
            (Some(p), Some(c)) if key(c) > key(p) => heap.swap(root, child),
            _ => return,
        }
        root = child;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[test]
    fn build_once_states() {
        let once = BuildOnce::new();
        assert_eq!(once.begin(), Begin::Build);
        assert_eq!(once.begin(), Begin::Busy);
        assert!(!once.is_ready());
        once.finish(true);
        assert_eq!(once.begin(), Begin::Ready);
        let failed = BuildOnce::new();
        assert_eq!(failed.begin(), Begin::Build);
        failed.finish(false);
        assert_eq!(failed.begin(), Begin::Failed);
    }

    #[test]
    fn sorts() {
        let mut x: u32 = 1;
        for n in [0usize, 1, 2, 3, 7, 64, 1000, 4097] {
            let mut v: Vec<u32> = (0..n)
                .map(|_| {
                    x = x.wrapping_mul(1103515245).wrapping_add(12345);
                    (x >> 16) % 500
                })
                .collect();
            let mut want = v.clone();
            want.sort();
            sort_by_key(&mut v, |&e| e);
            assert_eq!(v, want);
            let mut pairs: Vec<(u32, u32)> = v.iter().rev().map(|&e| (e % 7, e)).collect();
            sort_by_key(&mut pairs, |p| (p.0, p.1));
            assert!(pairs.windows(2).all(|w| w[0] <= w[1]));
        }
    }
}
