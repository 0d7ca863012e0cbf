//! Scoped goroutines: `std::thread::scope` (std's `Scope<'scope, 'env>`,
//! `Scope::spawn`) for goroutines, the way a Go program waits with a
//! `sync.WaitGroup` for the goroutines it started over a slice.
//!
//! [`scope`] runs its closure with a [`Scope`]; every goroutine started
//! with [`Scope::go`] (from the closure or from any goroutine of the scope,
//! nested spawns included) is counted on the scope's [`WaitGroup`] before
//! it exists, and counts itself done after its closure has returned and
//! everything it captured has been dropped. `scope` returns only once the
//! count is zero, so the goroutines may borrow the caller's locals
//! (`'env`) as std's scoped threads do.
//!
//! Invariants (what the lifetime erasure in [`Scope::go`] relies on):
//! - the wait is on every way out of `scope`: after the closure returns
//!   (early returns included: they are returns of the closure), and on
//!   [`goexit`](super::goexit) inside it, through a deferred call
//!   (`sched::defers`, as Go's `Goexit` runs the deferred `wg.Wait()`),
//!   so the frame the goroutines borrow is never freed while one runs; a
//!   panic ends the program (`panic = "abort"`: nothing unwinds, no frame
//!   is reused, the process exits);
//! - a goroutine of the scope that calls `goexit` still counts itself done
//!   (its own deferred call), so the scope is not left waiting forever;
//! - the counter lives in an `Arc` that each goroutine holds until after
//!   its `done`: the last `done` may still be inside the WaitGroup's code
//!   (releasing the waiter's token) when `scope` wakes, returns and frees
//!   its frame, so the group must not live in that frame.

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::marker::PhantomData;
use core::panic::Location;

use crate::sched::defers::{self, Defer};
use crate::sched::g::Start;
use crate::sync::WaitGroup;

/// A scope to start goroutines in, made by [`scope`] (std's
/// `std::thread::Scope`). `'scope` is the scope's own lifetime (the
/// goroutines' borrows must outlive it); `'env` is the lifetime of what
/// they borrow from outside, as in std.
pub struct Scope<'scope, 'env: 'scope> {
    /// The goroutines started through this scope that have not finished.
    running: Arc<WaitGroup>,
    /// Invariant in `'scope` and `'env`, as std's (a shorter lifetime must
    /// not be substituted for either).
    scope: PhantomData<&'scope mut &'scope ()>,
    env: PhantomData<&'env mut &'env ()>,
}

/// Runs `f` with a [`Scope`] and returns what it returns, once every
/// goroutine started in the scope has finished (std's
/// `std::thread::scope`; in Go, a `sync.WaitGroup` that each goroutine
/// marks `Done` and the caller `Wait`s on).
///
/// Unlike [`go`](super::go), the goroutines' closures need not be
/// `'static`: they may borrow the caller's locals (a slice to split, a
/// `Mutex` or a `WaitGroup` without an `Arc`), because `scope` does not
/// return while one of them runs. Each one may start more with the same
/// scope; those are waited for too. If `f` calls
/// [`goexit`](super::goexit), the wait happens before the goroutine ends.
///
/// A panic in `f` or in any goroutine of the scope ends the program, as
/// every panic does under `panic = "abort"` (std's scope would instead
/// re-raise it in the caller after joining).
///
/// ```rust
/// use rt0::sync::Mutex;
/// let data = [1u64, 2, 3, 4, 5, 6, 7, 8];
/// let total = Mutex::new(0u64);
/// rt0::runtime::scope(|s| {
///     for chunk in data.chunks(3) {
///         s.go(|| *total.lock() += chunk.iter().sum::<u64>());
///     }
/// });
/// assert_eq!(*total.lock(), 36);
/// ```
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
{
    let s = Scope {
        running: Arc::new(WaitGroup::new()),
        scope: PhantomData,
        env: PhantomData,
    };
    // The wait on goexit's path.
    let mut on_goexit = WaitOnGoexit {
        defer: Defer::new(WaitOnGoexit::run),
        running: &s.running,
    };
    let d = &mut on_goexit.defer as *mut Defer;
    // SAFETY: `on_goexit` stays in this frame, unmoved, until the pop
    // below; if `f` calls goexit, run_all runs it on this goroutine while
    // this frame (and `s`) is still alive.
    unsafe { defers::push(d) };
    let r = f(&s);
    defers::pop(d);
    s.running.wait();
    r
}

/// The deferred wait of [`scope`] (first field: the record).
#[repr(C)]
struct WaitOnGoexit<'a> {
    defer: Defer,
    running: &'a WaitGroup,
}

impl WaitOnGoexit<'_> {
    /// # Safety
    /// `d` is the `defer` field of a live `WaitOnGoexit`.
    unsafe fn run(d: *mut Defer) {
        // SAFETY: `defer` is the first field of a repr(C) WaitOnGoexit
        // (contract), which `scope`'s frame keeps alive while listed.
        let this = unsafe { &*(d as *const WaitOnGoexit<'_>) };
        this.running.wait();
    }
}

/// What a scoped goroutine holds to count itself done, on its normal
/// return or on goexit (first field: the record).
#[repr(C)]
struct DoneOnExit {
    defer: Defer,
    running: Option<Arc<WaitGroup>>,
}

impl DoneOnExit {
    /// Counts the goroutine done, then lets go of the group (the scope may
    /// return as soon as `done` has brought the count to zero; the group
    /// itself lives on in the `Arc` until this drop).
    fn finish(&mut self) {
        if let Some(running) = self.running.take() {
            running.done();
            drop(running);
        }
    }

    /// # Safety
    /// `d` is the `defer` field of a live `DoneOnExit`.
    unsafe fn run(d: *mut Defer) {
        // SAFETY: `defer` is the first field of a repr(C) DoneOnExit
        // (contract), alive in the goroutine's frame while listed; only
        // this goroutine touches it.
        unsafe { (*(d as *mut DoneOnExit)).finish() };
    }
}

impl<'scope, 'env> Scope<'scope, 'env> {
    /// `go f()` inside the scope (std's `Scope::spawn`, without a join
    /// handle: the scope joins them all): `f` runs in a new goroutine with
    /// the default stack, and may borrow anything that outlives the scope.
    /// [`scope`] returns only after `f` has returned and its captures are
    /// dropped.
    #[track_caller]
    pub fn go<F>(&'scope self, f: F)
    where
        F: FnOnce() + Send + 'scope,
    {
        // Counted before the goroutine exists: the caller is the scope's
        // closure or a goroutine of the scope, itself still counted (or
        // `scope` not yet waiting), so the count cannot reach zero first.
        self.running.add(1);
        let running = self.running.clone();
        let body: Box<dyn FnOnce() + Send + 'scope> = Box::new(move || {
            let mut done = DoneOnExit {
                defer: Defer::new(DoneOnExit::run),
                running: Some(running),
            };
            let d = &mut done.defer as *mut Defer;
            // SAFETY: `done` stays in this frame, unmoved, until the pop;
            // goexit in `f` runs it on this goroutine, frame still alive.
            unsafe { defers::push(d) };
            f();
            defers::pop(d);
            done.finish();
        });
        // SAFETY: only the lifetime changes ('scope to 'static; the same
        // fat pointer). Nothing the closure borrows for 'scope is used
        // after 'scope ends: `scope` (the only way to get a `&'scope
        // Scope`) does not return, by any path, until `running` is zero
        // (the module's invariants: the wait after `f`, the deferred wait
        // on goexit, and a panic ends the process); this goroutine was
        // counted above, before it exists, and counts itself done only
        // after `f` has been called and consumed (its captures dropped),
        // touching nothing of 'scope afterwards but the `Arc`'d group,
        // which it owns a reference to. On goexit inside `f` its deferred
        // `done` runs last and the frames holding borrows are never
        // resumed. The runtime drops the box (now empty: the closure
        // moved out when called) without running anything of 'scope.
        let body: Box<dyn FnOnce() + Send + 'static> = unsafe { core::mem::transmute(body) };
        crate::sched::proc::newproc(Start::Closure(body), 0, Some(Location::caller()));
    }
}
