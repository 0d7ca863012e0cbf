//! What every model shares: the loom stand-ins for the runtime's lock,
//! wait queue and park/ready, the runtime's protocol files compiled over
//! loom (`sync_proto`), and the model runner with its preemption bound.
#![allow(dead_code)]

pub mod debug_proto;
pub mod netpoll_proto;
pub mod sched_proto;
pub mod sync_proto;

use std::collections::VecDeque;

use loom::cell::UnsafeCell;
use loom::sync::atomic::{AtomicBool, AtomicU32, Ordering::*};
use loom::sync::{Condvar, Mutex};
// std's Arc for the sleepers: a deadlock that loom reports unwinds the
// sleeper's stack after the execution is gone, and a loom Arc dropped then
// aborts the test process instead of letting `model_fails` see the report.
use std::sync::Arc;

/// Preemptions loom explores per execution unless `LOOM_MAX_PREEMPTIONS`
/// says otherwise: 3 finds every bug these models were written for (the
/// lost wake-up needs 1) and keeps each model within seconds.
pub const DEFAULT_PREEMPTIONS: usize = 3;

/// Runs `f` under loom: every interleaving within the preemption bound.
/// Returns what `check` did (a failure is loom's panic) and how many
/// executions it explored, and prints the count for `make models`.
fn run<F>(name: &str, f: F) -> std::thread::Result<()>
where
    F: Fn() + Sync + Send + 'static,
{
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    let mut b = loom::model::Builder::new();
    if b.preemption_bound.is_none() {
        b.preemption_bound = Some(DEFAULT_PREEMPTIONS);
    }
    let bound = b.preemption_bound;
    let runs = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let start = std::time::Instant::now();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        b.check(move || {
            counter.fetch_add(1, Relaxed);
            f()
        })
    }));
    eprintln!(
        "model {name}: {} {} executions in {:.2?} (preemption bound {bound:?})",
        if r.is_ok() { "passed," } else { "FAILED after" },
        runs.load(Relaxed),
        start.elapsed(),
    );
    r
}

fn message(err: &(dyn std::any::Any + Send)) -> String {
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(non-string panic)".into())
}

/// Runs a model that must pass.
pub fn model<F>(name: &str, f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    if let Err(e) = run(name, f) {
        panic!("model {name}: {}", message(&*e));
    }
}

/// Runs a model that must fail and returns loom's failure message.
pub fn model_fails<F>(name: &str, f: F) -> String
where
    F: Fn() + Sync + Send + 'static,
{
    // loom's panic is printed by the default hook as it happens (replacing
    // the hook is process-wide and would hide other tests' failures).
    let r = run(name, f);
    let err = r.expect_err("loom found no failure in a model that must fail");
    let msg = message(&*err);
    eprintln!("model {name}: loom reports: {msg}");
    msg
}

/// A lock that blocks (the runtime's futex lock as the semaphore uses it:
/// lock and unlock as separate calls, held across park).
pub struct BlockingLock {
    held: Mutex<bool>,
    cv: Condvar,
}

impl BlockingLock {
    pub fn new() -> Self {
        BlockingLock {
            held: Mutex::new(false),
            cv: Condvar::new(),
        }
    }
    pub fn lock(&self) {
        let mut held = self.held.lock().unwrap();
        while *held {
            held = self.cv.wait(held).unwrap();
        }
        *held = true;
    }
    pub fn unlock(&self) {
        let mut held = self.held.lock().unwrap();
        assert!(*held, "unlock of an unlocked BlockingLock");
        *held = false;
        drop(held);
        self.cv.notify_one();
    }
}

/// A sleeper on a [`ThreadQueue`]: the thread and its ready flag (a
/// goroutine's GWAITING -> GRUNNABLE transition).
pub struct Waiter {
    thread: loom::thread::Thread,
    readied: AtomicBool,
}

/// The semaphore's wait queue with loom threads as goroutines: `park`
/// queues the thread, lets go of the lock and sleeps until `ready`; a
/// `ready` before the sleep is not lost (the flag), as `goready` after
/// `gopark`'s commit is not.
pub struct ThreadQueue {
    lock: BlockingLock,
    waiters: UnsafeCell<VecDeque<Arc<Waiter>>>,
}

// SAFETY: `waiters` is touched only under `lock` (loom's UnsafeCell
// reports any access that is not ordered by it).
unsafe impl Sync for ThreadQueue {}
// SAFETY: as for Sync; the sleepers' handles may move between threads.
unsafe impl Send for ThreadQueue {}

impl ThreadQueue {
    pub fn new() -> Self {
        ThreadQueue {
            lock: BlockingLock::new(),
            waiters: UnsafeCell::new(VecDeque::new()),
        }
    }
}

impl sync_proto::sema::WaitQueue for ThreadQueue {
    type Waiter = Arc<Waiter>;
    type Reason = ();

    fn lock(&self) {
        self.lock.lock();
    }
    fn unlock(&self) {
        self.lock.unlock();
    }
    unsafe fn park(&self, _reason: ()) {
        let me = Arc::new(Waiter {
            thread: loom::thread::current(),
            readied: AtomicBool::new(false),
        });
        self.waiters.with_mut(|q| {
            // SAFETY: the lock is held (park's contract); loom checks it.
            unsafe { (*q).push_back(me.clone()) }
        });
        self.lock.unlock();
        while !me.readied.load(Acquire) {
            loom::thread::park();
        }
    }
    unsafe fn dequeue(&self) -> Option<Arc<Waiter>> {
        // SAFETY: the lock is held (dequeue's contract); loom checks it.
        self.waiters.with_mut(|q| unsafe { (*q).pop_front() })
    }
    fn ready(&self, w: Arc<Waiter>) {
        w.readied.store(true, Release);
        w.thread.unpark();
    }
}

/// Which release/acquire pair a model semaphore runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Order {
    /// The runtime's: add the token, then look for a waiter.
    Fixed,
    /// Before issue 7's fix: look for a waiter, then add the token.
    BeforeFix,
}

/// The runtime's semaphore protocol over loom.
pub struct Sema {
    count: AtomicU32,
    nwait: AtomicU32,
    queue: ThreadQueue,
    order: Order,
}

impl Sema {
    pub fn new(order: Order) -> Self {
        Sema {
            count: AtomicU32::new(0),
            nwait: AtomicU32::new(0),
            queue: ThreadQueue::new(),
            order,
        }
    }
    /// Tokens nobody has taken.
    pub fn tokens(&self) -> u32 {
        self.count.load(SeqCst)
    }
}

impl sync_proto::sema::Semaphore for Sema {
    fn acquire(&self) {
        match self.order {
            Order::Fixed => sync_proto::sema::acquire(&self.count, &self.nwait, &self.queue, ()),
            Order::BeforeFix => {
                sync_proto::sema::acquire_before_fix(&self.count, &self.nwait, &self.queue, ())
            }
        }
    }
    fn release(&self) {
        match self.order {
            Order::Fixed => sync_proto::sema::release(&self.count, &self.nwait, &self.queue),
            Order::BeforeFix => {
                sync_proto::sema::release_before_fix(&self.count, &self.nwait, &self.queue)
            }
        }
    }
}
