//! Work stealing: Go's `stealWork` and `randomOrder` (proc.go).
//!
//! A spinning M with an empty P visits the other Ps in a random order
//! (a random start and a random step coprime to the number of Ps, so each
//! P is visited exactly once per round), taking half of the first non-empty
//! local queue it finds. Four rounds; only the last may take a victim's
//! `runnext`, which its owner is probably about to run.

use core::sync::atomic::Ordering::Relaxed;

use super::g::G;
use super::newm::m_fastrand;
use super::p::{P, PDEAD, PIDLE};
use super::runq::runqsteal;
use super::sched::sched;

/// Rounds over all Ps before giving up (Go's `stealTries`).
const STEAL_TRIES: usize = 4;

/// A random permutation walk over `count` slots (Go's `randomOrder`).
/// Go keeps the coprimes of `count` in a table that `procresize` resets;
/// here the step is found on the spot (the first coprime at or after a
/// random start: a few `gcd`s), so the walk follows GOMAXPROCS changes
/// with no shared state to reset.
pub struct RandomOrder {
    count: u32,
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl RandomOrder {
    pub fn new(count: u32) -> RandomOrder {
        RandomOrder {
            count: count.max(1),
        }
    }

    /// Visits every position once, starting from a position and step
    /// derived from `rand`.
    pub fn walk(&self, rand: u32) -> impl Iterator<Item = u32> + '_ {
        let count = self.count;
        // Terminates: count - 1 and count + 1 are coprime with count.
        let mut step = 1 + (rand / count) % count;
        while gcd(step, count) != 1 {
            step += 1;
        }
        let mut pos = rand % count;
        (0..count).map(move |_| {
            let p = pos;
            pos = (pos + step) % count;
            p
        })
    }
}

/// Tries to steal a runnable goroutine from another P into `pp` (Go's
/// `stealWork`). Null when every queue was empty.
pub fn steal_work(pp: &P) -> *mut G {
    let s = sched();
    // One snapshot of allp for the whole steal: it changes only with the
    // world stopped, which waits for this M (it holds a P) to stop first.
    let allp = s.allp();
    let order = RandomOrder::new(allp.len() as u32);
    for round in 0..STEAL_TRIES {
        let steal_runnext = round == STEAL_TRIES - 1;
        for pos in order.walk(m_fastrand()) {
            // SAFETY: Ps are never freed.
            let p2 = unsafe { &*allp[pos as usize] };
            let st = p2.status.load(Relaxed);
            if core::ptr::eq(p2, pp) || st == PIDLE || st == PDEAD {
                continue; // an idle or dead P has nothing to steal
            }
            let gp = runqsteal(pp, p2, steal_runnext);
            if !gp.is_null() {
                return gp;
            }
        }
    }
    core::ptr::null_mut()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn random_order_visits_each_once() {
        for count in 1..=17 {
            let o = RandomOrder::new(count);
            for rand in [0u32, 1, 7, 12345, u32::MAX] {
                let mut seen: Vec<u32> = o.walk(rand).collect();
                seen.sort();
                assert_eq!(
                    seen,
                    (0..count).collect::<Vec<_>>(),
                    "count {count} rand {rand}"
                );
            }
        }
    }
}
