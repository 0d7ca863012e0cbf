//! Host unit tests of the timer heap as it is: `push` (sift up),
//! `remove_at` (sift up or down), the index each timer keeps of its slot,
//! and the shrink after a burst; checked against a sorted `Vec`.

use super::*;
use alloc::vec::Vec;

fn noop(_: &RuntimeTimer, _: i64) {}

/// `n` timers that are never run (their addresses stay put: the Vec is
/// not grown after this).
fn timers(n: usize) -> Vec<RuntimeTimer> {
    (0..n).map(|i| RuntimeTimer::uncounted(noop, i)).collect()
}

fn entry(t: &RuntimeTimer, when: i64) -> Entry {
    Entry { when, t }
}

/// The slot `remove_at` needs for `t`, as `del_timer` reads it.
fn index_of(t: &RuntimeTimer) -> usize {
    t.idx.load(Relaxed)
}

/// The heap order, and every timer's index naming its own slot.
fn check(h: &[Entry]) {
    for i in 1..h.len() {
        assert!(h[(i - 1) / 2].when <= h[i].when, "heap order broken at {i}");
    }
    for (i, e) in h.iter().enumerate() {
        // SAFETY: every entry points at a timer of the test's Vec.
        assert_eq!(unsafe { (*e.t).idx.load(Relaxed) }, i, "stale index");
    }
}

/// Pops the earliest until empty: the `when`s in the order they come out.
fn drain(h: &mut Vec<Entry>) -> Vec<i64> {
    let mut out = Vec::new();
    while !h.is_empty() {
        out.push(remove_at(h, 0).when);
        check(h);
    }
    out
}

#[test]
fn push_keeps_the_earliest_first_and_pops_in_order() {
    let ts = timers(7);
    let mut h = Vec::new();
    for (t, when) in ts.iter().zip([50, 30, 80, 10, 30, 90, 20]) {
        push(&mut h, entry(t, when));
        check(&h);
    }
    assert_eq!(h[0].when, 10);
    assert!(core::ptr::eq(h[0].t, &ts[3]));
    assert_eq!(drain(&mut h), [10, 20, 30, 30, 50, 80, 90]);
}

#[test]
fn remove_from_the_middle_sifts_up_or_down() {
    let ts = timers(7);
    let mut h = Vec::new();
    for (t, when) in ts.iter().zip([10, 100, 20, 110, 120, 30, 40]) {
        push(&mut h, entry(t, when));
    }
    // [10, 100, 20, 110, 120, 30, 40]: the last entry (40) moves into
    // 100's slot under the root and, below both its children (110, 120),
    // stays there (sift down).
    let e = remove_at(&mut h, index_of(&ts[1]));
    assert_eq!(e.when, 100);
    check(&h);
    assert!(core::ptr::eq(h[1].t, &ts[6]));
    // [10, 40, 20, 110, 120, 30]: removing 110 (a leaf under 40) moves the
    // last entry, 30, into its slot, then up above 40 (sift up).
    let e = remove_at(&mut h, index_of(&ts[3]));
    assert_eq!(e.when, 110);
    check(&h);
    assert!(core::ptr::eq(h[1].t, &ts[5]) && core::ptr::eq(h[3].t, &ts[6]));
    assert_eq!(drain(&mut h), [10, 20, 30, 40, 120]);
}

#[test]
fn randomized_against_a_sorted_vec() {
    const N: usize = 400;
    const OPS: usize = 20_000;
    let ts = timers(N);
    let mut state = 0x5eed_u64;
    let mut rnd = |n: u64| crate::rand::wyrand(&mut state) % n;
    let mut h: Vec<Entry> = Vec::new();
    // The model: (when, timer) for each timer in the heap.
    let mut model: Vec<(i64, usize)> = Vec::new();
    let mut in_heap = [false; N];
    for _ in 0..OPS {
        match rnd(3) {
            // Add a timer not in the heap (whens collide on purpose).
            0 | 1 => {
                let i = rnd(N as u64) as usize;
                if !in_heap[i] {
                    let when = 1 + rnd(500) as i64;
                    push(&mut h, entry(&ts[i], when));
                    model.push((when, i));
                    in_heap[i] = true;
                }
            }
            // Remove a random timer by its index (del_timer), or the
            // earliest (check_timers).
            _ => {
                if model.is_empty() {
                    continue;
                }
                if rnd(2) == 0 {
                    let k = rnd(model.len() as u64) as usize;
                    let (when, i) = model.swap_remove(k);
                    let e = remove_at(&mut h, index_of(&ts[i]));
                    assert!(core::ptr::eq(e.t, &ts[i]));
                    assert_eq!(e.when, when);
                    in_heap[i] = false;
                } else {
                    let e = remove_at(&mut h, 0);
                    let min = model.iter().map(|&(w, _)| w).min().unwrap();
                    assert_eq!(e.when, min, "not the earliest");
                    let k = model
                        .iter()
                        .position(|&(w, i)| w == e.when && core::ptr::eq(&ts[i], e.t))
                        .expect("popped a timer the model does not have");
                    in_heap[model.swap_remove(k).1] = false;
                }
            }
        }
        check(&h);
        assert_eq!(h.len(), model.len());
    }
    let mut want: Vec<i64> = model.iter().map(|&(w, _)| w).collect();
    want.sort();
    assert_eq!(drain(&mut h), want);
}

#[test]
fn a_burst_gives_its_memory_back() {
    const BURST: usize = 1000;
    let ts = timers(BURST);
    let mut h = Vec::new();
    for (i, t) in ts.iter().enumerate() {
        push(&mut h, entry(t, i as i64 + 1));
    }
    let full = h.capacity();
    assert!(full >= BURST);
    while h.len() > 10 {
        remove_at(&mut h, 0);
    }
    check(&h);
    assert!(h.capacity() < full / 2, "capacity {} kept", h.capacity());
    assert!(h.capacity() >= HEAP_MIN_CAPACITY);
    assert_eq!(
        drain(&mut h),
        (BURST as i64 - 9..=BURST as i64).collect::<Vec<_>>()
    );
}
