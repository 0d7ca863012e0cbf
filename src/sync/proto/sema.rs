//! The semaphore protocol: Go's `semacquire1` / `semrelease1` (sema.go),
//! written once over the atomics and the wait queue that `super` provides,
//! so that the same source runs in the runtime (core atomics, goroutines
//! parked with `gopark`) and in the loom models (`models/`, loom atomics,
//! threads parked with loom's park/unpark).
//!
//! State: `count` is the number of tokens nobody has taken; `nwait` is the
//! number of goroutines that have announced, under the queue's lock, that
//! they are about to sleep or are asleep on the queue. Under the lock,
//! `nwait` equals the length of the queue.
//!
//! The hand-shake that keeps wake-ups from being lost is a store-load pair
//! on each side, both `SeqCst`:
//! - `release` adds its token to `count` first, then loads `nwait`;
//! - `acquire` raises `nwait` first (under the lock), then tries `count`.
//!
//! (`store_load_fence` between the two steps is free in the runtime, where
//! C11's single total order of SeqCst operations already orders them; it
//! is a real fence in the loom models, because loom treats SeqCst accesses
//! as AcqRel and would otherwise report the store-buffering outcome that
//! SeqCst forbids.)
//!
//! Whatever the interleaving, either the acquirer's re-try sees the token
//! or the releaser sees the raised `nwait` and takes the lock, where it
//! finds the acquirer queued (the acquirer holds the lock from its raise
//! until it is asleep). The reverse order in `release` (look at `nwait`,
//! then add) is wrong under any memory ordering: the acquirer can raise
//! `nwait`, miss the token and sleep entirely between the releaser's two
//! steps, and the token then waits for an acquirer that already slept
//! (the loom model `sema_old_release_loses_wakeup` finds exactly that).
//!
//! A woken waiter is not handed a token: it takes one with [`try_take`]
//! like everyone else and queues again if a goroutine arriving on the fast
//! path took it first (Go's `cansemacquire` after `goparkunlock`). Each
//! release adds one token and wakes at most one waiter.

use super::{AtomicU32, Ordering::SeqCst, store_load_fence};

/// A counting semaphore as the protocols above it use it (`sync.Mutex`,
/// `sync.WaitGroup`): take a token, sleeping until there is one; add one.
pub(crate) trait Semaphore {
    fn acquire(&self);
    fn release(&self);
}

/// The lock-protected FIFO of sleepers and the scheduler's park/ready, as
/// the semaphore needs them.
pub(crate) trait WaitQueue {
    /// What `dequeue` gives back to `ready`: a goroutine, or a thread.
    type Waiter;
    /// What the sleeper is waiting for (shown by tracebacks).
    type Reason: Copy;
    fn lock(&self);
    fn unlock(&self);
    /// Appends the caller to the queue and sleeps; the lock is released
    /// once the caller can no longer miss a `ready`. Returns when readied.
    ///
    /// # Safety
    /// The caller holds the lock; it does not hold it on return.
    unsafe fn park(&self, reason: Self::Reason);
    /// The first sleeper, taken off the queue.
    ///
    /// # Safety
    /// The caller holds the lock.
    unsafe fn dequeue(&self) -> Option<Self::Waiter>;
    /// Wakes a sleeper that `dequeue` returned.
    fn ready(&self, w: Self::Waiter);
}

/// Takes a token if there is one (Go's `cansemacquire`).
#[inline]
pub(crate) fn try_take(count: &AtomicU32) -> bool {
    let mut c = count.load(SeqCst);
    while c > 0 {
        match count.compare_exchange(c, c - 1, SeqCst, SeqCst) {
            Ok(_) => return true,
            Err(now) => c = now,
        }
    }
    false
}

/// Takes a token, sleeping until one is released.
#[inline]
pub(crate) fn acquire<Q: WaitQueue>(
    count: &AtomicU32,
    nwait: &AtomicU32,
    q: &Q,
    reason: Q::Reason,
) {
    if try_take(count) {
        return;
    }
    acquire_slow(count, nwait, q, reason);
}

#[inline(never)]
fn acquire_slow<Q: WaitQueue>(count: &AtomicU32, nwait: &AtomicU32, q: &Q, reason: Q::Reason) {
    loop {
        q.lock();
        // Announce ourselves before the last look at `count`: a release
        // that added its token before this raise is seen by the try below,
        // one that adds it after sees `nwait > 0` and comes for us.
        nwait.fetch_add(1, SeqCst);
        store_load_fence();
        if try_take(count) {
            nwait.fetch_sub(1, SeqCst);
            q.unlock();
            return;
        }
        // SAFETY: the lock is held; park releases it.
        unsafe { q.park(reason) };
        // The releaser took us off the queue and lowered nwait; its token
        // is in `count`, but a newcomer may have taken it first.
        if try_take(count) {
            return;
        }
    }
}

/// Adds a token, then wakes one sleeper if there is one.
#[inline]
pub(crate) fn release<Q: WaitQueue>(count: &AtomicU32, nwait: &AtomicU32, q: &Q) {
    count.fetch_add(1, SeqCst);
    store_load_fence();
    if nwait.load(SeqCst) == 0 {
        return;
    }
    release_slow(nwait, q);
}

#[inline(never)]
fn release_slow<Q: WaitQueue>(nwait: &AtomicU32, q: &Q) {
    q.lock();
    // Someone may have taken our token and left the slow path meanwhile.
    if nwait.load(SeqCst) == 0 {
        q.unlock();
        return;
    }
    // SAFETY: the lock is held.
    let w = unsafe { q.dequeue() };
    if w.is_some() {
        nwait.fetch_sub(1, SeqCst);
    }
    q.unlock();
    if let Some(w) = w {
        q.ready(w);
    }
}

/// The release order before issue 7's fix, kept for the loom model that
/// must find its lost wake-up: look at `nwait`, then add the token. With a
/// waiter found it handed the token over and the woken goroutine did not
/// look again, so this variant pairs with [`acquire_before_fix`].
#[cfg(rt0_models)]
pub(crate) fn release_before_fix<Q: WaitQueue>(count: &AtomicU32, nwait: &AtomicU32, q: &Q) {
    if nwait.load(SeqCst) == 0 {
        count.fetch_add(1, SeqCst);
        return;
    }
    q.lock();
    // SAFETY: the lock is held.
    match unsafe { q.dequeue() } {
        None => {
            count.fetch_add(1, SeqCst);
            q.unlock();
        }
        Some(w) => {
            nwait.fetch_sub(1, SeqCst);
            q.unlock();
            q.ready(w);
        }
    }
}

/// The acquire that went with [`release_before_fix`]: a woken waiter owns
/// the token it was handed.
#[cfg(rt0_models)]
pub(crate) fn acquire_before_fix<Q: WaitQueue>(
    count: &AtomicU32,
    nwait: &AtomicU32,
    q: &Q,
    reason: Q::Reason,
) {
    if try_take(count) {
        return;
    }
    q.lock();
    nwait.fetch_add(1, SeqCst);
    if try_take(count) {
        nwait.fetch_sub(1, SeqCst);
        q.unlock();
        return;
    }
    // SAFETY: the lock is held; park releases it.
    unsafe { q.park(reason) };
}
