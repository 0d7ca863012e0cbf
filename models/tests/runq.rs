//! The per-P run-queue ring (src/sched/proto/runq.rs) with a 4-slot ring:
//! the owner puts and gets while one or two thieves steal (`runnext`
//! included), and a full ring spills half to the global queue. Every
//! element is delivered exactly once (no loss, no duplicate), and whoever
//! takes one sees what the owner wrote into it before putting it (the
//! goroutine's fields: a loom `UnsafeCell`, so loom reports a race if the
//! hand-over does not order it); `runqempty` never reports a queue that
//! always holds an element as empty.

mod common;

use common::model;
use common::sched_proto::runq::{LocalRunQ, runqempty, runqget, runqput, runqsteal};
use loom::cell::UnsafeCell;
use loom::sync::Mutex;
use loom::thread;
use std::sync::Arc;

/// Ring capacity in the models: small enough for loom, big enough for a
/// half (2) and the wrap-around of the slot index.
const N: usize = 4;

/// A goroutine stand-in: its id, and a field the owner writes before it
/// puts the token and every taker reads.
struct Tok {
    id: usize,
    payload: UnsafeCell<usize>,
}

/// What the payload holds once the owner has prepared token `id`.
fn payload_of(id: usize) -> usize {
    id + 100
}

type Q = LocalRunQ<Tok, N>;

/// One execution's state: the tokens, the Ps' queues, the global queue.
struct World {
    toks: Vec<Tok>,
    owner: Q,
    thieves: Vec<Q>,
    /// The global run queue under `sched.lock` (ids, in queue order).
    global: Mutex<Vec<usize>>,
}

// SAFETY: the tokens' payloads are written by the owner before it puts
// them and read by takers after they took them; loom's UnsafeCell checks
// that the queue orders those accesses. The queues are atomics.
unsafe impl Sync for World {}
// SAFETY: as for Sync.
unsafe impl Send for World {}

impl World {
    fn new(tokens: usize, thieves: usize) -> Arc<World> {
        Arc::new(World {
            toks: (0..tokens)
                .map(|id| Tok {
                    id,
                    payload: UnsafeCell::new(0),
                })
                .collect(),
            owner: Q::new(),
            thieves: (0..thieves).map(|_| Q::new()).collect(),
            global: Mutex::new(Vec::new()),
        })
    }

    /// The owner prepares token `id` and puts it on its queue.
    fn put(&self, id: usize, next: bool) {
        let t = &self.toks[id];
        // SAFETY: not yet published: only the owner touches it.
        t.payload.with_mut(|p| unsafe { *p = payload_of(id) });
        let e = t as *const Tok as *mut Tok;
        runqput(&self.owner, e, next, |batch| {
            let n = batch.total() as usize;
            let ids: Vec<usize> = batch.map(|e| self.take(e)).collect();
            assert_eq!(ids.len(), n, "runqputslow: batch size");
            assert_eq!(n, N / 2 + 1, "runqputslow: half a ring and the new one");
            self.global.lock().unwrap().extend(ids);
        });
    }

    /// A taker's side of a hand-over: checks the token and its payload.
    fn take(&self, e: *mut Tok) -> usize {
        assert!(!e.is_null(), "took a null element");
        // SAFETY: e points into self.toks (the only pointers put).
        let t = unsafe { &*e };
        // SAFETY: loom reports a race if the put does not happen before.
        let v = t.payload.with(|p| unsafe { *p });
        assert_eq!(
            v,
            payload_of(t.id),
            "token {} taken before it was put",
            t.id
        );
        t.id
    }

    /// The owner takes one from its queue, if any.
    fn get(&self, got: &mut Vec<usize>) {
        let (e, _) = runqget(&self.owner);
        if !e.is_null() {
            got.push(self.take(e));
        }
    }

    /// Everything left on `q`, taken by its owner.
    fn drain(&self, q: &Q, got: &mut Vec<usize>) {
        loop {
            let (e, _) = runqget(q);
            if e.is_null() {
                break;
            }
            got.push(self.take(e));
        }
        assert!(runqempty(q), "runqget found nothing but runqempty is false");
    }

    /// Thief `i` steals from the owner `rounds` times, each time running
    /// what it got.
    fn steal(&self, i: usize, rounds: usize, steal_next: bool) -> Vec<usize> {
        let mine = &self.thieves[i];
        let mut got = Vec::new();
        for _ in 0..rounds {
            let e = runqsteal(mine, &self.owner, steal_next);
            if !e.is_null() {
                got.push(self.take(e));
            }
            self.drain(mine, &mut got);
        }
        got
    }

    /// After every thread: every token delivered exactly once.
    fn check(&self, mut got: Vec<usize>) {
        self.drain(&self.owner, &mut got);
        got.extend(self.global.lock().unwrap().iter().copied());
        got.sort_unstable();
        let all: Vec<usize> = (0..self.toks.len()).collect();
        assert_eq!(got, all, "each token exactly once");
    }
}

/// The owner kicks `runnext` into the ring and gets twice while a thief
/// steals, `runnext` included.
#[test]
fn runq_put_get_one_thief() {
    model("runq_put_get_one_thief", || {
        let w = World::new(5, 1);
        w.put(0, false);
        w.put(1, true);
        let w2 = w.clone();
        let thief = thread::spawn(move || w2.steal(0, 2, true));
        let mut got = Vec::new();
        w.put(2, true);
        w.get(&mut got);
        w.put(3, false);
        w.put(4, true);
        w.get(&mut got);
        w.get(&mut got);
        got.extend(thief.join().unwrap());
        w.check(got);
    });
}

/// The owner kicks `runnext` into the ring while two thieves steal, one
/// of them allowed to take `runnext`.
#[test]
fn runq_put_get_two_thieves() {
    model("runq_put_get_two_thieves", || {
        let w = World::new(4, 2);
        w.put(0, false);
        w.put(1, true);
        let ts: Vec<_> = (0..2)
            .map(|i| {
                let w = w.clone();
                thread::spawn(move || w.steal(i, 1, i == 1))
            })
            .collect();
        let mut got = Vec::new();
        w.put(2, true);
        w.get(&mut got);
        w.put(3, false);
        w.get(&mut got);
        for t in ts {
            got.extend(t.join().unwrap());
        }
        w.check(got);
    });
}

/// A full ring: the owner's next put moves half of it and the new token
/// to the global queue, racing a thief for the head (a lost CAS makes the
/// owner find room and retry the ring); the owner keeps putting and
/// getting, so the slot index wraps.
#[test]
fn runq_overflow_to_global() {
    model("runq_overflow_to_global", || overflow(1, 2, true));
}

/// Two thieves; the owner spills and gets one (two more puts take loom
/// a minute).
#[test]
fn runq_overflow_to_global_two_thieves() {
    model("runq_overflow_to_global_two_thieves", || {
        overflow(2, 1, false)
    });
}

/// The owner fills its ring and puts one more while `thieves` thieves
/// steal `rounds` times each, and gets one; with `more`, it then puts two
/// more (the slot index wraps).
fn overflow(thieves: usize, rounds: usize, more: bool) {
    let w = World::new(if more { N + 3 } else { N + 1 }, thieves);
    for id in 0..N {
        w.put(id, false);
    }
    let ts: Vec<_> = (0..thieves)
        .map(|i| {
            let w = w.clone();
            thread::spawn(move || w.steal(i, rounds, false))
        })
        .collect();
    let mut got = Vec::new();
    w.put(N, false);
    w.get(&mut got);
    if more {
        w.put(N + 1, false);
        w.put(N + 2, false);
    }
    for t in ts {
        got.extend(t.join().unwrap());
    }
    w.check(got);
}

/// Go's `runqempty` race: `runnext` holds A with the ring empty; the owner
/// puts B into `runnext` (kicking A into the ring) and takes B. The queue
/// always holds an element, so an observer must never see it empty.
#[test]
fn runq_empty_while_runnext_kicked() {
    model("runq_empty_while_runnext_kicked", || {
        let w = World::new(2, 0);
        w.put(0, true);
        let w2 = w.clone();
        let observer = thread::spawn(move || {
            assert!(!runqempty(&w2.owner), "runqempty: false empty");
        });
        w.put(1, true);
        let (e, from_next) = runqget(&w.owner);
        assert!(from_next);
        let mut got = vec![w.take(e)];
        observer.join().unwrap();
        w.drain(&w.owner, &mut got);
        w.check(got);
    });
}
