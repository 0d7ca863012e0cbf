//! `select`: Go's `selectgo` (select.go) and the [`select!`] macro.
//!
//! One pass, as Go's: (1) a random poll order, so that when several cases
//! are ready each is chosen with equal probability; (2) a lock order by
//! channel address, each channel locked once even if it appears in several
//! cases, so two selects can never deadlock on each other's locks; (3) with
//! all locks held, the first ready case in poll order completes; else
//! (4) `default` if there is one; else (5) one sudog per case on every
//! channel's queue, sharing one `select_done` flag, and park. The waker
//! that wins the flag completes its case and tells us which through
//! `g.param`; we relock everything and take the losing sudogs off their
//! queues.
//!
//! [`select!`]: crate::select

use core::mem::{ManuallyDrop, MaybeUninit};
use core::sync::atomic::AtomicU32;

use super::sudog::Sudog;
use super::{Chan, RecvError, SendError};
use crate::sched::g::{G, WaitReason};
use crate::sched::lock::Mutex;
use crate::sched::sched::getg;
use crate::sched::schedule::gopark;

/// Most cases one select may have (the macro's name list is this long).
pub const MAX_CASES: usize = 16;

/// One case of a select, type-erased for the engine.
pub trait Arm {
    /// The channel's lock. Its address is the channel's identity: the lock
    /// order key, and how a channel in two cases is locked once.
    fn chan_lock(&self) -> &Mutex;
    fn chan_addr(&self) -> usize {
        self.chan_lock() as *const Mutex as usize
    }
    /// With the lock held: complete now if possible. On success the lock
    /// has been released (as the channel operations do); on failure it is
    /// still held.
    fn poll(&mut self) -> bool;
    /// With the lock held: queue `sg` on the channel, pointing at this arm's slot.
    fn enqueue(&mut self, sg: &mut Sudog);
    /// With the lock held: take `sg` off its queue if it is still there.
    fn dequeue(&mut self, sg: &mut Sudog);
    /// After waking: record the outcome of the winning case.
    fn complete(&mut self, success: bool);
}

/// What a case holds once the select has run (or not).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Not run: a send case still owns its value.
    Pending,
    /// Ran: a receive case's slot holds the value; a send case sent.
    Done,
    /// The channel was closed: a send case still owns its value.
    Closed,
    /// [`RecvArm::take`] or [`SendArm::take`] has handed the result out.
    Taken,
}

/// A `recv(c)` case. The value lands in the case's own slot, by pointer,
/// as with [`Chan::recv`].
pub struct RecvArm<'a, T> {
    c: &'a Chan<T>,
    slot: MaybeUninit<T>,
    outcome: Outcome,
}

impl<'a, T: Send> RecvArm<'a, T> {
    pub fn new(c: &'a Chan<T>) -> Self {
        RecvArm {
            c,
            slot: MaybeUninit::uninit(),
            outcome: Outcome::Pending,
        }
    }

    /// The case's result; call only for the case that was chosen.
    #[inline]
    pub fn take(&mut self) -> Result<T, RecvError> {
        let outcome = core::mem::replace(&mut self.outcome, Outcome::Taken);
        match outcome {
            // SAFETY: Done means the channel wrote the slot; Taken (set
            // above) keeps it from being read or dropped again.
            Outcome::Done => Ok(unsafe { self.slot.assume_init_read() }),
            Outcome::Closed => Err(RecvError),
            _ => panic!("select: result of a case that did not run"),
        }
    }
}

impl<T> Drop for RecvArm<'_, T> {
    fn drop(&mut self) {
        if self.outcome == Outcome::Done {
            // SAFETY: a received value that was never taken.
            unsafe { self.slot.assume_init_drop() };
        }
    }
}

impl<T: Send> Arm for RecvArm<'_, T> {
    fn chan_lock(&self) -> &Mutex {
        &self.c.h.lock
    }
    fn poll(&mut self) -> bool {
        // SAFETY: the engine holds the lock; the slot is valid for a
        // write (Pending: nothing in it).
        if unsafe { self.c.recv_locked(self.slot.as_mut_ptr()) } {
            self.outcome = Outcome::Done;
            return true;
        }
        // SAFETY: lock held.
        if unsafe { self.c.st() }.closed {
            self.c.h.lock.unlock();
            self.outcome = Outcome::Closed;
            return true;
        }
        false
    }
    fn enqueue(&mut self, sg: &mut Sudog) {
        sg.elem = self.slot.as_mut_ptr() as *mut u8;
        // SAFETY: lock held; sg lives in selectgo's frame while parked,
        // and the slot in this arm, which outlives the select.
        unsafe { self.c.st().recvq.enqueue(sg) };
    }
    fn dequeue(&mut self, sg: &mut Sudog) {
        // SAFETY: lock held.
        let q = unsafe { &mut self.c.st().recvq };
        if q.contains(sg) {
            // SAFETY: sg is on q.
            unsafe { q.remove(sg) };
        }
    }
    fn complete(&mut self, success: bool) {
        self.outcome = if success {
            Outcome::Done
        } else {
            Outcome::Closed
        };
    }
}

/// A `send(c, v)` case. The value stays in the case until it moves to
/// the channel (its buffer or a receiver's slot); a case that did not
/// run drops it with the arm, as Go's select discards the operand.
pub struct SendArm<'a, T> {
    c: &'a Chan<T>,
    val: ManuallyDrop<T>,
    outcome: Outcome,
}

impl<'a, T: Send> SendArm<'a, T> {
    pub fn new(c: &'a Chan<T>, v: T) -> Self {
        SendArm {
            c,
            val: ManuallyDrop::new(v),
            outcome: Outcome::Pending,
        }
    }

    /// The case's result; call only for the case that was chosen.
    #[inline]
    pub fn take(&mut self) -> Result<(), SendError<T>> {
        let outcome = core::mem::replace(&mut self.outcome, Outcome::Taken);
        match outcome {
            Outcome::Done => Ok(()),
            // SAFETY: Closed: the value is still ours; Taken (set above)
            // keeps the arm from dropping it again.
            Outcome::Closed => Err(SendError(unsafe { ManuallyDrop::take(&mut self.val) })),
            _ => panic!("select: result of a case that did not run"),
        }
    }
}

impl<T> Drop for SendArm<'_, T> {
    fn drop(&mut self) {
        if matches!(self.outcome, Outcome::Pending | Outcome::Closed) {
            // SAFETY: the value never moved to the channel nor was handed
            // back by take.
            unsafe { ManuallyDrop::drop(&mut self.val) };
        }
    }
}

impl<T: Send> Arm for SendArm<'_, T> {
    fn chan_lock(&self) -> &Mutex {
        &self.c.h.lock
    }
    fn poll(&mut self) -> bool {
        // SAFETY: lock held.
        if unsafe { self.c.st() }.closed {
            self.c.h.lock.unlock();
            self.outcome = Outcome::Closed;
            return true;
        }
        // SAFETY: lock held; the value is live and ours (Pending); on
        // success it has moved, which Done records.
        if unsafe { self.c.send_locked(&*self.val) } {
            self.outcome = Outcome::Done;
            return true;
        }
        false
    }
    fn enqueue(&mut self, sg: &mut Sudog) {
        sg.elem = &mut *self.val as *mut T as *mut u8;
        // SAFETY: lock held; sg lives in selectgo's frame while parked,
        // and the value in this arm, which outlives the select.
        unsafe { self.c.st().sendq.enqueue(sg) };
    }
    fn dequeue(&mut self, sg: &mut Sudog) {
        // SAFETY: lock held.
        let q = unsafe { &mut self.c.st().sendq };
        if q.contains(sg) {
            // SAFETY: sg is on q.
            unsafe { q.remove(sg) };
        }
    }
    fn complete(&mut self, success: bool) {
        self.outcome = if success {
            Outcome::Done
        } else {
            Outcome::Closed
        };
    }
}

/// The channels of one select in lock order, each once: what locking,
/// unlocking and the park commit need. It holds the locks' addresses, not
/// the arms, so the engine keeps exclusive (`&mut`) access to the arms
/// while the locks are held.
struct LockSet {
    locks: [*const Mutex; MAX_CASES],
    n: usize,
}

impl LockSet {
    /// Copies out the lock of each channel of `arms`, taken in `order`
    /// (sorted by channel address), skipping a channel already listed.
    fn new(arms: &[&mut dyn Arm], order: &[usize]) -> LockSet {
        let mut ls = LockSet {
            locks: [core::ptr::null(); MAX_CASES],
            n: 0,
        };
        let mut last = usize::MAX;
        for &i in order {
            let a = arms[i].chan_addr();
            if a != last {
                ls.locks[ls.n] = arms[i].chan_lock() as *const Mutex;
                ls.n += 1;
                last = a;
            }
        }
        ls
    }

    fn lock_all(&self) {
        for &l in &self.locks[..self.n] {
            // SAFETY: `l` is the lock of a channel one of the select's arms
            // borrows (`&Chan`) for the whole select, so it is live.
            unsafe { (*l).lock() };
        }
    }

    /// Also the park commit (run on g0): once any lock is released the
    /// goroutine may be woken, and once the last one is, it may run on
    /// another M and reuse the frame that holds `self`. So the locks to
    /// release are copied out first, while all are still held, and the
    /// loop touches nothing but that copy.
    fn unlock_all(&self) {
        let locks = self.locks;
        for &l in locks[..self.n].iter().rev() {
            // SAFETY: each is the lock of a channel this select locked; the
            // goroutine cannot drop a channel before it has relocked them all.
            unsafe { (*l).unlock() };
        }
    }

    /// Unlocks all but `keep`, the lock of the case that ran (already
    /// released by its poll).
    fn unlock_all_but(&self, keep: *const Mutex) {
        for &l in self.locks[..self.n].iter().rev() {
            if !core::ptr::eq(l, keep) {
                // SAFETY: the lock of a channel an arm borrows for the whole
                // select, locked by `lock_all`; the goroutine is running, so
                // nothing else can reuse this frame.
                unsafe { (*l).unlock() };
            }
        }
    }
}

/// gopark's commit function for select: releases every case's lock.
///
/// # Safety
/// `arg` is the LockSet of the parked goroutine's `selectgo`, all locked.
unsafe fn unlock_selects(_gp: *mut G, arg: *mut u8) -> bool {
    // SAFETY: arg is the LockSet in selectgo's frame (contract), alive
    // while parked.
    unsafe { (*(arg as *const LockSet)).unlock_all() };
    true
}

/// Pass 1 of `selectgo`, all locks held: runs the first case in `poll`
/// order that is ready and releases the other channels' locks; returns its
/// index, or `None` with every lock still held.
fn poll_ready(arms: &mut [&mut dyn Arm], poll: &[usize], ls: &LockSet) -> Option<usize> {
    for &i in poll {
        // The lock's address is read before `poll`, which releases it on
        // success (the channel stays alive: the arm borrows it).
        let keep = arms[i].chan_lock() as *const Mutex;
        // Each arm's poll works on its own channel, all locked; the arms are
        // exclusively ours (`ls` holds only the locks' addresses).
        if arms[i].poll() {
            ls.unlock_all_but(keep);
            return Some(i);
        }
    }
    None
}

/// Go's `selectgo`: runs one ready case, or `default` (returns `None`), or
/// parks until a case can run. Returns the index of the case that ran.
pub fn selectgo(arms: &mut [&mut dyn Arm], has_default: bool) -> Option<usize> {
    let n = arms.len();
    assert!(n <= MAX_CASES, "select: more than {MAX_CASES} cases");
    if n == 0 {
        if has_default {
            return None;
        }
        // `select {}`: block forever (deadlock detection sees it).
        // SAFETY: no commit function, nothing for a waker to reach.
        unsafe { gopark(None, core::ptr::null_mut(), WaitReason::SelectNoCases) };
        crate::debug::fatal::throw("select with no cases resumed");
    }
    // Random poll order: Fisher-Yates with the runtime's fastrand.
    let mut poll = [0usize; MAX_CASES];
    for i in 0..n {
        let j = crate::rand::fastrandn(i as u32 + 1) as usize;
        poll[i] = poll[j];
        poll[j] = i;
    }
    let mut order = [0usize; MAX_CASES];
    lock_order(arms, &mut order[..n]);
    let poll = &poll[..n];

    let ls = LockSet::new(arms, &order[..n]);
    ls.lock_all();
    // Pass 1: a case that is ready now.
    if let Some(i) = poll_ready(arms, poll, &ls) {
        return Some(i);
    }
    if has_default {
        ls.unlock_all();
        return None;
    }
    // Pass 2: enqueue on every channel and park.
    let done = AtomicU32::new(0);
    let gp = getg();
    let mut sgs: [Sudog; MAX_CASES] =
        core::array::from_fn(|_| Sudog::new(gp, core::ptr::null_mut()));
    for i in 0..n {
        sgs[i].select_done = &done;
        sgs[i].case = i;
        arms[i].enqueue(&mut sgs[i]);
    }
    // SAFETY: gp is the running goroutine; only it writes its own param
    // before parking (wakers write it after they win `select_done`).
    unsafe { (*gp).param = 0 };
    // SAFETY: unlock_selects gets this frame's LockSet, whose locks we
    // hold; the frame (LockSet and sudogs) stays alive while parked.
    unsafe {
        gopark(
            Some(unlock_selects),
            &ls as *const LockSet as *mut u8,
            WaitReason::Select,
        )
    };
    // Woken: g.param names the sudog that fired.
    // SAFETY: gp is the running goroutine; the waker's store to param
    // happened before it readied us.
    let fired = unsafe { (*gp).param } as *const Sudog;
    let winner = sgs[..n].iter().position(|s| core::ptr::eq(s, fired));
    let Some(w) = winner else {
        crate::debug::fatal::throw("selectgo: woken by no case");
    };
    let success = sgs[w].success;
    ls.lock_all();
    for i in 0..n {
        if i != w {
            arms[i].dequeue(&mut sgs[i]);
        }
    }
    ls.unlock_all();
    arms[w].complete(success);
    Some(w)
}

/// Fills `order` (as long as `arms`) with the arms' indices sorted by
/// channel address, equal addresses in case order: the lock order
/// (insertion sort: n is small).
fn lock_order(arms: &[&mut dyn Arm], order: &mut [usize]) {
    for i in 0..order.len() {
        order[i] = i;
        let mut k = i;
        while k > 0 && arms[order[k - 1]].chan_addr() > arms[order[k]].chan_addr() {
            order.swap(k - 1, k);
            k -= 1;
        }
    }
}

/// Go's `select` statement (std has none; crossbeam's `select!` is the
/// nearest Rust relative).
///
/// ```rust
/// # use rt0::chan::Chan;
/// # let a: Chan<u32> = Chan::new(0);
/// # let b: Chan<u32> = Chan::new(1);
/// rt0::select! {
///     recv(a) -> v => rt0::println!("got {:?}", v),        // v: Result<T, RecvError>
///     send(b, 42) -> r => rt0::println!("sent: {}", r.is_ok()),
///     default => rt0::println!("nothing ready"),
/// }
/// ```
/// Up to 16 cases; `default` is optional and comes last. A timeout is a
/// `recv(rt0::time::after(d))` case, `d` a `core::time::Duration` (not a
/// number of nanoseconds):
///
/// ```rust
/// use core::time::Duration;
/// # let c: rt0::chan::Chan<u32> = rt0::chan::Chan::new(0);
/// rt0::select! {
///     recv(c) -> v => rt0::println!("got {:?}", v),
///     recv(rt0::time::after(Duration::from_millis(100))) -> _ => rt0::println!("timed out"),
/// }
/// ```
///
/// A [`Timer`](crate::time::Timer)'s channel works the same way, and the
/// timer can be stopped when another case wins:
///
/// ```rust
/// use core::time::Duration;
/// use rt0::time::Timer;
/// # let c: rt0::chan::Chan<u32> = rt0::chan::Chan::new(1);
/// # c.send(7).unwrap();
/// let t = Timer::new(Duration::from_secs(1));
/// let got = rt0::select! {
///     recv(c) -> v => v.ok(),
///     recv(t.chan()) -> _ => None,
/// };
/// assert_eq!(got, Some(7));
/// assert!(t.stop()); // it was still pending
/// ```
///
/// A case whose body is a block needs no comma after it, as in `match`:
///
/// ```rust
/// # let c: rt0::chan::Chan<u32> = rt0::chan::Chan::new(1);
/// # c.send(1).unwrap();
/// let mut n = 0;
/// rt0::select! {
///     recv(c) -> v => {
///         n += v.unwrap();
///     }
///     send(c, 5) -> r => {
///         r.unwrap();
///     }
///     default => {
///         n = 100;
///     }
/// }
/// assert_eq!(n, 1);
/// ```
#[macro_export]
macro_rules! select {
    ($($body:tt)*) => {
        $crate::__select_munch!(
            @names [(__s0 __i0 __c0) (__s1 __i1 __c1) (__s2 __i2 __c2) (__s3 __i3 __c3)
                    (__s4 __i4 __c4) (__s5 __i5 __c5) (__s6 __i6 __c6) (__s7 __i7 __c7)
                    (__s8 __i8 __c8) (__s9 __i9 __c9) (__s10 __i10 __c10) (__s11 __i11 __c11)
                    (__s12 __i12 __c12) (__s13 __i13 __c13) (__s14 __i14 __c14) (__s15 __i15 __c15)]
            @arms []
            @rest $($body)*
        )
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_munch {
    (@names [($s:ident $i:ident $c:ident) $($names:tt)*] @arms [$($arms:tt)*]
     @rest recv($ch:expr) -> $p:pat => $body:expr $(, $($rest:tt)*)?) => {
        $crate::__select_munch!(@names [$($names)*]
            @arms [$($arms)* (RecvArm $s $i $c ($ch) () ($p) ($body))] @rest $($($rest)*)?)
    };
    (@names [($s:ident $i:ident $c:ident) $($names:tt)*] @arms [$($arms:tt)*]
     @rest send($ch:expr, $v:expr) -> $p:pat => $body:expr $(, $($rest:tt)*)?) => {
        $crate::__select_munch!(@names [$($names)*]
            @arms [$($arms)* (SendArm $s $i $c ($ch) (, $v) ($p) ($body))] @rest $($($rest)*)?)
    };
    // A block body needs no comma after it, as in `match` (tried after
    // the rules above, which take a block followed by a comma).
    (@names [($s:ident $i:ident $c:ident) $($names:tt)*] @arms [$($arms:tt)*]
     @rest recv($ch:expr) -> $p:pat => $body:block $($rest:tt)*) => {
        $crate::__select_munch!(@names [$($names)*]
            @arms [$($arms)* (RecvArm $s $i $c ($ch) () ($p) ($body))] @rest $($rest)*)
    };
    (@names [($s:ident $i:ident $c:ident) $($names:tt)*] @arms [$($arms:tt)*]
     @rest send($ch:expr, $v:expr) -> $p:pat => $body:block $($rest:tt)*) => {
        $crate::__select_munch!(@names [$($names)*]
            @arms [$($arms)* (SendArm $s $i $c ($ch) (, $v) ($p) ($body))] @rest $($rest)*)
    };
    (@names [$($names:tt)*] @arms [$($arms:tt)*] @rest default => $body:expr $(,)?) => {
        $crate::__select_emit!(@arms [$($arms)*] true (_ => $body))
    };
    (@names [$($names:tt)*] @arms [$($arms:tt)*] @rest) => {
        $crate::__select_emit!(@arms [$($arms)*] false (_ => unreachable!("select returned no case")))
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_emit {
    (@arms [$(($kind:ident $s:ident $i:ident $c:ident ($ch:expr) ($($v:tt)*) ($p:pat) ($body:expr)))*]
     $has_default:tt ($($fallback:tt)*)) => {{
        let mut __n = 0usize;
        // Bind each channel expression first: temporaries such as
        // `after(d)` then live for the whole select.
        $( let $c = &$ch; let mut $s = $crate::chan::select::$kind::new($c $($v)*); let $i = __n; __n += 1; )*
        let _ = __n;
        let __w = $crate::chan::select::selectgo(
            &mut [$(&mut $s as &mut dyn $crate::chan::select::Arm),*], $has_default);
        match __w {
            $( Some(w) if w == $i => { let $p = $s.take(); $body } )*
            $($fallback)*
        }
    }};
}

#[cfg(test)]
mod tests {
    //! The engine's lock handling and pass 1 with fake arms on the host
    //! (no goroutines: nothing here parks).
    use super::*;

    /// A case on `lock`'s "channel" that is ready or not.
    struct FakeArm<'a> {
        lock: &'a Mutex,
        ready: bool,
        polls: u32,
    }

    impl<'a> FakeArm<'a> {
        fn new(lock: &'a Mutex, ready: bool) -> Self {
            FakeArm {
                lock,
                ready,
                polls: 0,
            }
        }
    }

    impl Arm for FakeArm<'_> {
        fn chan_lock(&self) -> &Mutex {
            self.lock
        }
        fn poll(&mut self) -> bool {
            assert!(self.lock.is_locked(), "poll without the channel's lock");
            self.polls += 1;
            if self.ready {
                // As the channel operations do on success.
                self.lock.unlock();
            }
            self.ready
        }
        fn enqueue(&mut self, _: &mut Sudog) {
            unreachable!("pass 2 is not run on the host")
        }
        fn dequeue(&mut self, _: &mut Sudog) {
            unreachable!("pass 2 is not run on the host")
        }
        fn complete(&mut self, _: bool) {
            unreachable!("pass 2 is not run on the host")
        }
    }

    /// Three "channels" at increasing addresses.
    fn chans() -> [Mutex; 3] {
        [Mutex::new(), Mutex::new(), Mutex::new()]
    }

    #[test]
    fn lock_order_by_address_then_case_order() {
        let m = chans();
        let (mut a, mut b, mut c, mut d) = (
            FakeArm::new(&m[2], false),
            FakeArm::new(&m[0], false),
            FakeArm::new(&m[2], false),
            FakeArm::new(&m[1], false),
        );
        let arms: [&mut dyn Arm; 4] = [&mut a, &mut b, &mut c, &mut d];
        let mut order = [0usize; 4];
        lock_order(&arms, &mut order);
        assert_eq!(order, [1, 3, 0, 2]);
        // Each channel once, in address order.
        let ls = LockSet::new(&arms, &order);
        assert_eq!(ls.n, 3);
        let want: [*const Mutex; 3] = [&m[0], &m[1], &m[2]];
        assert_eq!(&ls.locks[..3], &want);
    }

    #[test]
    fn lock_all_and_unlock_all() {
        let m = chans();
        let (mut a, mut b, mut c) = (
            FakeArm::new(&m[1], false),
            FakeArm::new(&m[1], false),
            FakeArm::new(&m[0], false),
        );
        let arms: [&mut dyn Arm; 3] = [&mut a, &mut b, &mut c];
        let mut order = [0usize; 3];
        lock_order(&arms, &mut order);
        let ls = LockSet::new(&arms, &order);
        ls.lock_all();
        assert!(m[0].is_locked() && m[1].is_locked() && !m[2].is_locked());
        ls.unlock_all();
        assert!(m.iter().all(|l| !l.is_locked()));
    }

    #[test]
    fn pass_one_runs_the_first_ready_case_in_poll_order() {
        let m = chans();
        let (mut a, mut b, mut c, mut d) = (
            FakeArm::new(&m[0], false),
            FakeArm::new(&m[1], true),
            FakeArm::new(&m[1], true),
            FakeArm::new(&m[2], true),
        );
        let mut arms: [&mut dyn Arm; 4] = [&mut a, &mut b, &mut c, &mut d];
        let mut order = [0usize; 4];
        lock_order(&arms, &mut order);
        let ls = LockSet::new(&arms, &order);
        ls.lock_all();
        // Poll order 0, 2, 1, 3: case 0 is not ready, case 2 runs (and
        // releases m[1], which case 1 shares); the rest are not polled.
        assert_eq!(poll_ready(&mut arms, &[0, 2, 1, 3], &ls), Some(2));
        assert!(m.iter().all(|l| !l.is_locked()), "a lock left held");
        assert_eq!((a.polls, b.polls, c.polls, d.polls), (1, 0, 1, 0));
    }

    #[test]
    fn pass_one_with_nothing_ready_keeps_every_lock() {
        let m = chans();
        let (mut a, mut b) = (FakeArm::new(&m[2], false), FakeArm::new(&m[0], false));
        let mut arms: [&mut dyn Arm; 2] = [&mut a, &mut b];
        let mut order = [0usize; 2];
        lock_order(&arms, &mut order);
        let ls = LockSet::new(&arms, &order);
        ls.lock_all();
        assert_eq!(poll_ready(&mut arms, &[1, 0], &ls), None);
        assert!(m[0].is_locked() && !m[1].is_locked() && m[2].is_locked());
        ls.unlock_all();
        assert_eq!((a.polls, b.polls), (1, 1));
    }
}
