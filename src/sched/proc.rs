//! Creating and ending goroutines: Go's `newproc`, `newproc1`, `malg`,
//! `gfget`, `gfput`, `goexit1`, `goexit0` (proc.go).
//!
//! Invariants:
//! - A G is never freed: dead Gs go to a free list (per P, then global) and
//!   come back through `gfget` (Go does the same).
//! - A G gets its stack when it first runs ([`ensure_stack`], from
//!   `execute`), not in `newproc1` as in Go, and gives it back when it dies
//!   (to the P's stack cache). Rust stacks are fixed-size, 256 KiB where
//!   Go starts at 2 KiB, so a burst of goroutines created before any of them
//!   runs (a loop of `go` on one P) must not cost a fresh stack each: a
//!   queued goroutine costs only its G, and stacks of dead goroutines are
//!   reused at once. A G with `stack.lo == 0` has never run.
//! - `newproc1` runs on g0 (through `systemstack`), never on a goroutine's
//!   stack, so a goroutine's stack need not fit the allocator's frames.
//! - Goroutine ids are handed out in per-P batches of
//!   [`GOID_CACHE_BATCH`]; the main goroutine gets 1.

use alloc::boxed::Box;
use core::panic::Location;
use core::sync::atomic::Ordering::{Relaxed, SeqCst};

use super::context::{goexit, mcall, on_system_stack};
use super::g::{G, GDEAD, GIDLE, GRUNNABLE, GRUNNING, Stack, Start, casgstatus};
use super::p::{GOID_CACHE_BATCH, P};
use super::runq::runqput;
use super::sched::{allgadd, getg, getm, sched};
use super::schedule::{schedule, wakep};
use super::stack::stackalloc;
use crate::debug::fatal::throw;
use crate::mem::stack::{STACK_GUARD, default_size, main_size, stackfree};

/// Stacks a P keeps for reuse before handing half to the global pool.
const STACK_CACHE_MAX: u32 = 64;

/// Bytes left free above a new goroutine's first frame (Go's `totalSize`:
/// four words for reads slightly beyond the frame), 16-byte aligned.
const TOP_FRAME_RESERVE: usize = 4 * 8;
/// A P keeps at most this many dead Gs before moving half to the global list.
const GFREE_LOCAL_MAX: i32 = 64;
/// ... and moves them until it has this many (Go: 64 and 32).
const GFREE_LOCAL_KEEP: i32 = 32;

/// `go f()`: creates a goroutine running `start` with a stack of
/// `stacksize` bytes (0: the default) and queues it to run next on this P.
pub fn newproc(start: Start, stacksize: usize, created_at: Option<&'static Location<'static>>) {
    // The caller of `go` is the goroutine running here (none before the
    // first goroutine: the main goroutine is made on g0 by rt0_go).
    // SAFETY: a non-null g is a live G (never freed).
    let parent = unsafe { getg().as_ref() }.map_or(0, |g| if g.m.is_null() { 0 } else { g.goid });
    newproc_for(start, stacksize, created_at, parent);
}

/// [`newproc`] on behalf of goroutine `parent` (its `created by ... in
/// goroutine N`), for a goroutine started from g0 for a goroutine that
/// asked earlier (an `after_func` timer firing).
pub fn newproc_for(
    start: Start,
    stacksize: usize,
    created_at: Option<&'static Location<'static>>,
    parent: u64,
) {
    let mut start = Some(start);
    on_system_stack(|| {
        // SAFETY: on g0 of an M that holds a P (every goroutine's M does).
        unsafe {
            let newg = newproc1(start.take().unwrap(), stacksize);
            (*newg).created_at = created_at;
            (*newg).parent_goid = parent;
            let pp = &*(*getm()).p;
            runqput(pp, newg, true);
            if sched().main_started.load(Relaxed) {
                wakep();
            }
        }
    });
    // A second goroutine: from now on there is something to preempt and
    // a P worth retaking from a system call.
    if sched().main_started.load(Relaxed) {
        super::sysmon::start();
    }
}

/// rt0_go's `newproc(mainPC)`: the main goroutine, from a bare function,
/// on the main stack (`mem::stack::main_size`, 8 MiB: a C main thread's).
#[unsafe(export_name = "rt0_newproc_pc")] // called by rt0_go (src/arch/)
pub extern "C" fn newproc_pc(f: extern "C" fn()) {
    newproc(Start::Pc(f), main_size(), None);
}

/// Creates a G in `GRUNNABLE` that will run `start` (Go's `newproc1`).
/// The caller queues it. The stack comes later, from [`ensure_stack`].
///
/// # Safety
/// Runs on g0 of an M holding a P.
unsafe fn newproc1(start: Start, stacksize: usize) -> *mut G {
    let stacksize = if stacksize == 0 {
        default_size()
    } else {
        stacksize
    };
    // SAFETY: the contract gives us an M with a P.
    let pp = unsafe { &mut *(*getm()).p };
    let mut newg = gfget(pp);
    if newg.is_null() {
        newg = Box::into_raw(Box::new(G::new())); // Go's malg, minus the stack
        // SAFETY: a fresh, valid G.
        casgstatus(unsafe { &*newg }, GIDLE, GDEAD);
        allgadd(newg); // published as dead: nobody looks at it yet
    }
    // SAFETY: newg is a valid dead G owned by us.
    let g = unsafe { &mut *newg };
    if g.status() != GDEAD {
        throw("newproc1: new g is not Gdead");
    }
    if g.stack.lo != 0 {
        throw("newproc1: dead g still holds a stack");
    }
    g.sched.sp = 0;
    g.sched.pc = 0;
    g.sched.g = newg;
    g.sched.ctxt = 0;
    // No frame below the goroutine's entry: its frame chain ends here.
    g.sched.bp = 0;
    g.start = start;
    g.stacksize = stacksize;
    g.waitreason = super::g::WaitReason::Zero;
    casgstatus(g, GDEAD, GRUNNABLE);
    if pp.goidcache == pp.goidcacheend {
        // sched.goidgen is the last id handed out; this batch is
        // [goidgen+1, goidgen+GOID_CACHE_BATCH], so main gets 1.
        pp.goidcache = sched().goidgen.fetch_add(GOID_CACHE_BATCH, SeqCst) + 1;
        pp.goidcacheend = pp.goidcache + GOID_CACHE_BATCH;
    }
    g.goid = pp.goidcache;
    pp.goidcache += 1;
    sched().ngoroutines.fetch_add(1, Relaxed);
    newg
}

/// Where every goroutine begins (`gogo` jumps here with `goexit+1` as the
/// return address): runs the goroutine's function, then returns into goexit.
extern "C" fn goentry(_ctxt: usize) {
    let gp = getg();
    // SAFETY: gp is the running goroutine; only it touches its `start`.
    let start = unsafe { core::mem::replace(&mut (*gp).start, Start::None) };
    match start {
        Start::Pc(f) => f(),
        Start::Closure(f) => f(),
        Start::None => throw("goroutine started with nothing to run"),
    }
}

/// Gives a goroutine that is about to run for the first time its stack,
/// and plants the first frame (Go does this in `malg` and `newproc1`):
/// `goexit+1` as the return address of [`goentry`], as if goexit had called
/// it (`gostartcall`), so `sp` is 8 mod 16, as after a call.
///
/// # Safety
/// On g0 of an M holding a P; `gp` is runnable, owned by the caller.
pub unsafe fn ensure_stack(gp: *mut G) {
    // SAFETY: gp is a runnable G the caller owns, so no one else touches it;
    // on g0 the current M is ours and holds a P (contract), which only its
    // M uses.
    let (g, pp) = unsafe { (&mut *gp, &mut *(*getm()).p) };
    if g.stack.lo != 0 {
        return;
    }
    g.stack = if g.stacksize == default_size() {
        stack_cache_get(pp)
    } else {
        stackalloc(g.stacksize)
    };
    g.stackguard0 = g.stack.lo + STACK_GUARD;
    g.stackguard1 = usize::MAX;
    let top = (g.stack.hi - TOP_FRAME_RESERVE) & !15;
    let sp = top - 8;
    // SAFETY: sp lies inside the goroutine's own, unused stack.
    unsafe { *(sp as *mut usize) = goexit as *const () as usize + 1 };
    g.sched.sp = sp;
    g.sched.pc = goentry as *const () as usize;
}

/// A default-size stack from the P's cache, else from the global pool.
fn stack_cache_get(pp: &mut P) -> Stack {
    let hi = pp.stackcache.pop();
    if hi != 0 {
        return Stack {
            lo: hi - default_size(),
            hi,
        };
    }
    stackalloc(default_size())
}

/// Returns a dead goroutine's stack: default-size ones to the P's cache
/// (spilling half to the global pool when it is full), others to the OS.
///
/// # Safety
/// `st` is the stack of a dead goroutine, from `stackalloc`, given back once.
unsafe fn stack_cache_put(pp: &mut P, st: Stack) {
    if st.hi - st.lo != default_size() {
        // SAFETY: the caller's contract is stackfree's.
        unsafe { stackfree(st) };
        return;
    }
    // SAFETY: st is the stack of a dead goroutine (gfput gives it to us),
    // mapped at its full default size; nothing runs on it any more.
    unsafe { pp.stackcache.push(st.hi) };
    if pp.stackcache.n >= STACK_CACHE_MAX {
        while pp.stackcache.n > STACK_CACHE_MAX / 2 {
            let hi = pp.stackcache.pop();
            // SAFETY: the cache holds only dead default-size stacks from
            // stackalloc (what push was given), each popped once.
            unsafe {
                stackfree(Stack {
                    lo: hi - default_size(),
                    hi,
                })
            };
        }
    }
}

/// Takes a dead G from `pp`'s free list, refilling it from the global list
/// (Go's `gfget`).
fn gfget(pp: &mut P) -> *mut G {
    let s = sched();
    if pp.gfree.n == 0 {
        let _guard = s.gfree_lock.lock();
        // SAFETY: the global list is only touched under gfree_lock.
        let global = unsafe { &mut *s.gfree.get() };
        while pp.gfree.n < GFREE_LOCAL_KEEP {
            let gp = global.pop();
            if gp.is_null() {
                break;
            }
            // SAFETY: gp came off a free list: a valid dead G.
            unsafe { pp.gfree.push(gp) };
        }
    }
    pp.gfree.pop()
}

/// Puts a dead G on `pp`'s free list, spilling to the global list when it
/// grows long (Go's `gfput`); its stack goes to the P's stack cache.
///
/// # Safety
/// `gp` is a dead G (GDEAD, off every queue) owned by the caller, whose
/// stack nothing runs on any more.
unsafe fn gfput(pp: &mut P, gp: *mut G) {
    // SAFETY: gp is a dead G owned by the caller (contract).
    let g = unsafe { &mut *gp };
    if g.status() != GDEAD {
        throw("gfput: bad status (not Gdead)");
    }
    if g.stack.lo != 0 {
        // SAFETY: a dead G's stack, from stackalloc (newproc1), that nothing
        // runs on; it is cleared just below, so given back once.
        unsafe { stack_cache_put(pp, g.stack) };
        g.stack = Stack { lo: 0, hi: 0 };
        g.stackguard0 = 0;
    }
    // SAFETY: gp is on no other list.
    unsafe { pp.gfree.push(gp) };
    if pp.gfree.n >= GFREE_LOCAL_MAX {
        let s = sched();
        let _guard = s.gfree_lock.lock();
        // SAFETY: the global list is only touched under gfree_lock.
        let global = unsafe { &mut *s.gfree.get() };
        while pp.gfree.n >= GFREE_LOCAL_KEEP {
            let g = pp.gfree.pop();
            // SAFETY: g is a valid dead G.
            unsafe { global.push(g) };
        }
    }
}

/// The goroutine's function returned into goexit: finish on g0
/// (Go's `goexit1`).
#[unsafe(export_name = "rt0_goexit1")] // called by rt0_goexit (src/arch/)
pub extern "C" fn goexit1() -> ! {
    // SAFETY: called on a goroutine's stack by the goexit trampoline.
    unsafe { mcall(goexit0) };
    throw("goexit1: mcall returned")
}

/// Ends `gp` on g0: mark it dead, free it for reuse, schedule
/// (Go's `goexit0`); if it was locked to its M, the M ends too
/// (`lockosthread::mexit`).
extern "C" fn goexit0(gp: *mut G) -> ! {
    // SAFETY: gp was the running goroutine of this M and we are on g0, off
    // its stack: once GDEAD and off the M it is ours to give to gfput.
    unsafe {
        let g = &mut *gp;
        casgstatus(g, GRUNNING, GDEAD);
        g.m = core::ptr::null_mut();
        g.param = 0;
        g.start = Start::None;
        g.defers = core::ptr::null_mut();
        let mp = &mut *getm();
        // A goroutine that exits locked takes its M with it (Go: it may
        // have left the thread in a state no other goroutine should see).
        let locked = !g.lockedm.is_null();
        g.lockedm = core::ptr::null_mut();
        mp.curg = core::ptr::null_mut();
        sched().ngoroutines.fetch_sub(1, Relaxed);
        gfput(&mut *mp.p, gp);
        if locked {
            super::lockosthread::mexit();
        }
    }
    schedule()
}

/// `runtime.Goexit` on the current goroutine: its deferred calls first
/// (`sched::defers`, as Go's `Goexit` runs the deferred functions), then
/// it ends.
pub fn goexit_current() -> ! {
    super::defers::run_all();
    // SAFETY: called on a running goroutine.
    unsafe {
        if (*getg()).goid == 1 {
            sched().main_goexited.store(true, Relaxed);
        }
    }
    goexit1()
}
