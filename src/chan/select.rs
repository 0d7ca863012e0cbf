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
    fn lock(&self) {
        self.chan_lock().lock();
    }
    fn unlock(&self) {
        self.chan_lock().unlock();
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

/// A `recv(c)` case.
pub struct RecvArm<'a, T> {
    c: &'a Chan<T>,
    slot: Option<T>,
    result: Option<Result<T, RecvError>>,
}

impl<'a, T: Send> RecvArm<'a, T> {
    pub fn new(c: &'a Chan<T>) -> Self {
        RecvArm {
            c,
            slot: None,
            result: None,
        }
    }

    /// The case's result; call only for the case that was chosen.
    pub fn take(&mut self) -> Result<T, RecvError> {
        self.result
            .take()
            .expect("select: result of a case that did not run")
    }
}

impl<T: Send> Arm for RecvArm<'_, T> {
    fn chan_lock(&self) -> &Mutex {
        &self.c.h.lock
    }
    fn poll(&mut self) -> bool {
        // SAFETY: the engine holds the lock.
        if let Some(v) = unsafe { self.c.recv_locked() } {
            self.result = Some(Ok(v));
            return true;
        }
        // SAFETY: lock held.
        if unsafe { self.c.st() }.closed {
            self.c.h.lock.unlock();
            self.result = Some(Err(RecvError));
            return true;
        }
        false
    }
    fn enqueue(&mut self, sg: &mut Sudog) {
        sg.elem = &mut self.slot as *mut Option<T> as *mut u8;
        // SAFETY: lock held; sg lives in selectgo's frame while parked.
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
        self.result = Some(if success {
            Ok(self.slot.take().unwrap())
        } else {
            Err(RecvError)
        });
    }
}

/// A `send(c, v)` case.
pub struct SendArm<'a, T> {
    c: &'a Chan<T>,
    val: Option<T>,
    result: Option<Result<(), SendError<T>>>,
}

impl<'a, T: Send> SendArm<'a, T> {
    pub fn new(c: &'a Chan<T>, v: T) -> Self {
        SendArm {
            c,
            val: Some(v),
            result: None,
        }
    }

    /// The case's result; call only for the case that was chosen.
    pub fn take(&mut self) -> Result<(), SendError<T>> {
        self.result
            .take()
            .expect("select: result of a case that did not run")
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
            self.result = Some(Err(SendError(self.val.take().unwrap())));
            return true;
        }
        let v = self.val.take().unwrap();
        // SAFETY: lock held; send_locked unlocks on success.
        match unsafe { self.c.send_locked(v) } {
            Ok(()) => {
                self.result = Some(Ok(()));
                true
            }
            Err(v) => {
                self.val = Some(v);
                false
            }
        }
    }
    fn enqueue(&mut self, sg: &mut Sudog) {
        sg.elem = &mut self.val as *mut Option<T> as *mut u8;
        // SAFETY: lock held; sg lives in selectgo's frame while parked.
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
        self.result = Some(if success {
            Ok(())
        } else {
            Err(SendError(self.val.take().unwrap()))
        });
    }
}

/// What the commit function needs to unlock every channel once.
struct LockSet<'a, 'b> {
    arms: &'a [&'b mut dyn Arm],
    order: &'a [usize],
}

impl LockSet<'_, '_> {
    fn lock_all(&self) {
        let mut last = usize::MAX;
        for &i in self.order {
            let a = self.arms[i].chan_addr();
            if a != last {
                self.arms[i].lock();
                last = a;
            }
        }
    }

    /// Also the park commit (run on g0): once any lock is released the
    /// goroutine may be woken, and once the last one is, it may run on
    /// another M and reuse the frame that holds `self` and the arms. So the
    /// locks to release are copied out first, while all are still held,
    /// and the loop touches nothing but that copy.
    fn unlock_all(&self) {
        let mut locks: [*const Mutex; MAX_CASES] = [core::ptr::null(); MAX_CASES];
        let mut n = 0;
        let mut last = usize::MAX;
        for &i in self.order.iter() {
            let a = self.arms[i].chan_addr();
            if a != last {
                locks[n] = self.arms[i].chan_lock() as *const Mutex;
                n += 1;
                last = a;
            }
        }
        for &l in locks[..n].iter().rev() {
            // SAFETY: each is the lock of a channel this select locked; the
            // goroutine cannot drop a channel before it has relocked them all.
            unsafe { (*l).unlock() };
        }
    }

    /// Unlocks all but the channel of `keep` (already unlocked by its poll).
    fn unlock_all_but(&self, done: usize) {
        let done_addr = self.arms[done].chan_addr();
        let mut last = usize::MAX;
        for &i in self.order.iter().rev() {
            let a = self.arms[i].chan_addr();
            if a != last && a != done_addr {
                self.arms[i].unlock();
            }
            last = a;
        }
    }
}

fn unlock_selects(_gp: *mut G, arg: *mut u8) -> bool {
    // SAFETY: arg is the LockSet in selectgo's frame, alive while parked.
    unsafe { (*(arg as *const LockSet)).unlock_all() };
    true
}

/// Go's `selectgo`: runs one ready case, or `default` (returns `None`), or
/// parks until a case can run. Returns the index of the case that ran.
pub fn selectgo(arms: &mut [&mut dyn Arm], has_default: bool) -> Option<usize> {
    let n = arms.len();
    assert!(n <= MAX_CASES, "select: more than 16 cases");
    if n == 0 {
        if has_default {
            return None;
        }
        // `select {}`: block forever (deadlock detection sees it).
        gopark(None, core::ptr::null_mut(), WaitReason::SelectNoCases);
        crate::debug::fatal::throw("select with no cases resumed");
    }
    // Random poll order: Fisher-Yates with the runtime's fastrand.
    let mut poll = [0usize; MAX_CASES];
    for i in 0..n {
        let j = crate::rand::fastrandn(i as u32 + 1) as usize;
        poll[i] = poll[j];
        poll[j] = i;
    }
    // Lock order: by channel address (insertion sort: n is small).
    let mut order = [0usize; MAX_CASES];
    for i in 0..n {
        order[i] = i;
        let mut k = i;
        while k > 0 && arms[order[k - 1]].chan_addr() > arms[order[k]].chan_addr() {
            order.swap(k - 1, k);
            k -= 1;
        }
    }
    let (poll, order) = (&poll[..n], &order[..n]);

    let ls = LockSet {
        arms: &*arms,
        order,
    };
    ls.lock_all();
    // Pass 1: a case that is ready now.
    for &i in poll {
        // SAFETY-free: each arm's poll works on its own channel, all locked.
        let arm: *mut dyn Arm = &*arms[i] as *const dyn Arm as *mut dyn Arm;
        // SAFETY: `ls` only reads through shared refs; no other &mut exists.
        if unsafe { (*arm).poll() } {
            LockSet {
                arms: &*arms,
                order,
            }
            .unlock_all_but(i);
            return Some(i);
        }
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
    // SAFETY: gp is the running goroutine.
    unsafe { (*gp).param = 0 };
    let ls = LockSet {
        arms: &*arms,
        order,
    };
    gopark(
        Some(unlock_selects),
        &ls as *const LockSet as *mut u8,
        WaitReason::Select,
    );
    // Woken: g.param names the sudog that fired.
    // SAFETY: gp is us.
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
    LockSet {
        arms: &*arms,
        order,
    }
    .unlock_all();
    arms[w].complete(success);
    Some(w)
}

/// Go's `select` statement (std has none; crossbeam's `select!` is the
/// nearest Rust relative).
///
/// ```ignore
/// rt0::select! {
///     recv(a) -> v => rt0::println!("got {:?}", v),        // v: Result<T, RecvError>
///     send(b, 42) -> r => rt0::println!("sent: {}", r.is_ok()),
///     default => rt0::println!("nothing ready"),
/// }
/// ```
/// Up to 16 cases; `default` is optional and comes last. A timeout is a
/// `recv(rt0::time::after(d))` case, `d` a `core::time::Duration`:
///
/// ```ignore
/// use core::time::Duration;
/// rt0::select! {
///     recv(c) -> v => rt0::println!("got {:?}", v),
///     recv(rt0::time::after(Duration::from_millis(100))) -> _ => rt0::println!("timed out"),
/// }
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
