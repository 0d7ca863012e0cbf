//! sync.Once (src/sync/proto/once.rs over the model Mutex): f runs exactly
//! once, and every caller, the losers of the race included, returns only
//! after f has returned and sees what it wrote (a plain UnsafeCell write,
//! so loom reports a read that is not ordered after it).

mod common;

use common::sync_proto::mutex::{RawLock, lock, unlock};
use common::sync_proto::once::call_once;
use common::{Order, Sema, model};
use loom::cell::UnsafeCell;
use loom::sync::atomic::{AtomicU32, AtomicUsize, Ordering::Relaxed};
use loom::thread;
use std::sync::Arc;

struct Lock {
    state: AtomicU32,
    sema: Sema,
}

impl RawLock for Lock {
    fn lock(&self) {
        lock(&self.state, &self.sema);
    }
    fn unlock(&self) {
        unlock(&self.state, &self.sema);
    }
}

struct OnceCell {
    done: AtomicU32,
    m: Lock,
    value: UnsafeCell<u32>,
    calls: AtomicUsize,
}

// SAFETY: `value` is written once inside f and read after call_once
// returns: the ordering under test, which loom checks.
unsafe impl Sync for OnceCell {}

impl OnceCell {
    fn get(&self) -> u32 {
        call_once(&self.done, &self.m, || {
            self.calls.fetch_add(1, Relaxed);
            // SAFETY: only f writes, once (what the model checks).
            self.value.with_mut(|v| unsafe { *v = 42 });
        });
        // SAFETY: f has returned (the property checked).
        self.value.with(|v| unsafe { *v })
    }
}

#[test]
fn once_three_callers() {
    model("once_three_callers", || {
        let o = Arc::new(OnceCell {
            done: AtomicU32::new(0),
            m: Lock {
                state: AtomicU32::new(0),
                sema: Sema::new(Order::Fixed),
            },
            value: UnsafeCell::new(0),
            calls: AtomicUsize::new(0),
        });
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let o = o.clone();
                thread::spawn(move || assert_eq!(o.get(), 42))
            })
            .collect();
        assert_eq!(o.get(), 42);
        for t in ts {
            t.join().unwrap();
        }
        assert_eq!(o.calls.load(Relaxed), 1, "f ran more than once");
    });
}
