//! Work stealing: Go's `stealWork` and `randomOrder` (proc.go).
//!
//! A spinning M with an empty P visits the other Ps in a random order
//! (a random start and a random step coprime to the number of Ps, so each
//! P is visited exactly once per round), taking half of the first non-empty
//! local queue it finds. Four rounds; only the last may take a victim's
//! `runnext`, which its owner is probably about to run.

use alloc::vec::Vec;
use core::sync::atomic::Ordering::Relaxed;

use super::g::G;
use super::newm::m_fastrand;
use super::p::{P, PIDLE};
use super::runq::runqsteal;
use super::sched::sched;

/// Rounds over all Ps before giving up (Go's `stealTries`).
const STEAL_TRIES: usize = 4;

/// A random permutation walk over `count` slots (Go's `randomOrder`).
pub struct RandomOrder {
    count: u32,
    coprimes: Vec<u32>,
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl RandomOrder {
    pub fn new(count: u32) -> RandomOrder {
        let coprimes = (1..=count).filter(|&i| gcd(i, count) == 1).collect();
        RandomOrder { count, coprimes }
    }

    /// Visits every position once, starting from a position and step
    /// derived from `rand`.
    pub fn walk(&self, rand: u32) -> impl Iterator<Item = u32> + '_ {
        let count = self.count;
        let step = self.coprimes[(rand / count) as usize % self.coprimes.len()];
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
    let allp = s.allp();
    let order = s
        .steal_order
        .call_once(|| RandomOrder::new(allp.len() as u32));
    for round in 0..STEAL_TRIES {
        let steal_runnext = round == STEAL_TRIES - 1;
        for pos in order.walk(m_fastrand()) {
            // SAFETY: Ps are never freed.
            let p2 = unsafe { &*allp[pos as usize] };
            if core::ptr::eq(p2, pp) || p2.status.load(Relaxed) == PIDLE {
                continue; // an idle P has nothing to steal
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
