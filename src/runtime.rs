//! The program's view of the scheduler (Go's `runtime` package API):
//! starting goroutines, yielding, blocking calls, counts and the heap's
//! figures. Each item names its Go counterpart; Rust's `std::thread` is
//! the nearest std relative of [`go`] and [`gosched`], `std::thread::scope`
//! of [`scope`].

mod scope;

pub use scope::{Scope, scope};

use alloc::boxed::Box;
use core::sync::atomic::Ordering::Relaxed;

use crate::sched::g::Start;
use crate::sched::sched::sched;

/// The largest stack [`go_with_stack`] gives: Go's `maxstacksize` on
/// 64-bit systems (1,000,000,000 bytes), past which a Go goroutine's stack
/// overflows.
pub const MAX_STACK_SIZE: usize = 1_000_000_000;

/// `go f()`: runs `f` in a new goroutine with the default stack
/// ([`default_stack_size`]: 256 KiB unless `RT0_STACK` says otherwise).
/// The nearest std relative is
/// `std::thread::spawn`, without a handle: wait with a
/// [`crate::sync::WaitGroup`] or a [`crate::chan::Chan`]. `f` must be
/// `'static` (share with `Arc`, or move what it needs in); to borrow the
/// caller's locals instead, start it with [`scope`]'s [`Scope::go`].
#[track_caller]
pub fn go<F: FnOnce() + Send + 'static>(f: F) {
    crate::sched::proc::newproc(
        Start::Closure(Box::new(f)),
        0,
        Some(core::panic::Location::caller()),
    );
}

/// `go f()` with a stack of `stack_bytes` (rounded up to pages) for code
/// that needs more than the default (Go grows stacks instead; the nearest
/// std relative is `std::thread::Builder::stack_size`).
///
/// # Panics
/// When `stack_bytes` exceeds [`MAX_STACK_SIZE`]:
/// `go_with_stack: N-byte stack exceeds 1000000000-byte limit`, at the
/// caller's location (as `Vec::with_capacity` panics on a capacity
/// overflow). A size within the limit that the kernel refuses ends the
/// program with `fatal error: out of memory`.
#[track_caller]
pub fn go_with_stack<F: FnOnce() + Send + 'static>(stack_bytes: usize, f: F) {
    if stack_bytes > MAX_STACK_SIZE {
        panic!("go_with_stack: {stack_bytes}-byte stack exceeds {MAX_STACK_SIZE}-byte limit");
    }
    crate::sched::proc::newproc(
        Start::Closure(Box::new(f)),
        stack_bytes.max(crate::mem::PAGE_SIZE),
        Some(core::panic::Location::caller()),
    );
}

/// Formats the calling goroutine's stack into `buf` and returns the
/// number of bytes written (Go's `runtime.Stack`): `goroutine N
/// [running]:`, then two lines per frame (the function, then `\tFILE:LINE
/// +0xOFF`), as a panic report prints them. With `all`, every other live
/// goroutine follows, each after a blank line; the world is stopped while
/// they are read (as Go does), so this is for debugging, not for hot
/// paths. The text is cut at `buf.len()` bytes (possibly inside a
/// UTF-8 sequence of a path or name). GOTRACEBACK=system adds the
/// runtime's frames and each frame's sp and pc.
pub fn stack(buf: &mut [u8], all: bool) -> usize {
    let mut w = crate::print::SliceWriter::new(buf);
    crate::debug::traceback::stack(&mut w, all);
    w.len()
}

/// Yields the processor so other goroutines run (Go's `runtime.Gosched`;
/// Rust's `std::thread::yield_now` yields the thread, not the goroutine).
pub fn gosched() {
    crate::sched::schedule::gosched();
}

/// Live goroutines (Go's `runtime.NumGoroutine`, an `int`; a count, so
/// `usize` here, as std's counts are).
pub fn num_goroutine() -> usize {
    // Each goroutine is counted before it runs and uncounted when it is
    // dead, so the counter is never negative.
    sched().ngoroutines.load(Relaxed).max(0) as usize
}

/// The number of Ps (Go's `runtime.GOMAXPROCS(0)`): the value set at
/// start-up (the `GOMAXPROCS` variable, else the CPU count) or by the last
/// [`set_gomaxprocs`] that completed. While another goroutine's
/// `set_gomaxprocs` is under way it still reads the old value; it never
/// reads one that no resize set. A count, so `usize` (Go's `int`), the
/// type [`set_gomaxprocs`] takes and returns.
pub fn gomaxprocs() -> usize {
    // At least 1 from procresize on (before it, 0): never negative.
    sched().gomaxprocs.load(Relaxed).max(0) as usize
}

/// The most Ps there can be: `GOMAXPROCS` and [`set_gomaxprocs`] are
/// clamped to it (Go 1.9's `_MaxGomaxprocs`; Go 1.10+ has no cap).
pub const MAX_GOMAXPROCS: usize = crate::sched::sched::MAX_PROCS;

/// Sets the number of Ps to `n` and returns the previous number (Go's
/// `runtime.GOMAXPROCS(n)`). `n == 0` only asks; `n` above
/// [`MAX_GOMAXPROCS`] is clamped to it.
///
/// It stops the world: every goroutine running on another P is stopped
/// at its next call into the scheduler (a channel operation, a lock that
/// waits, a sleep, [`gosched`], ...); the Ps are resized; goroutines
/// queued on removed Ps move to the global queue and their timers to a
/// surviving P, so nothing is lost or fires late because of the change.
/// Concurrent calls are serialised. Until asynchronous preemption lands,
/// a goroutine that loops without ever calling into the runtime keeps the
/// caller waiting (Go 1.14+ preempts it).
pub fn set_gomaxprocs(n: usize) -> usize {
    crate::sched::stw::set_gomaxprocs(n)
}

/// Wires the calling goroutine to the OS thread it runs on (Go's
/// `runtime.LockOSThread`): until a matching [`unlock_os_thread`] it runs
/// only on this thread, and no other goroutine runs on the thread. Calls
/// nest (Go 1.10+): each needs its own unlock. A goroutine that exits
/// while locked ends its thread with it (the main thread excepted, which
/// stays blocked for good: the process goes on with its other threads).
///
/// Costs: each time the locked goroutine blocks and is woken, its P
/// moves between threads twice (as in Go).
pub fn lock_os_thread() {
    crate::sched::lockosthread::lock_os_thread();
}

/// Undoes one [`lock_os_thread`] (Go's `runtime.UnlockOSThread`); when
/// the last one is undone the goroutine may run on any thread again. With
/// no lock pending it does nothing.
pub fn unlock_os_thread() {
    crate::sched::lockosthread::unlock_os_thread();
}

/// CPUs this process may use (Go's `runtime.NumCPU`, Rust's
/// `std::thread::available_parallelism`): the CPUs of its affinity mask
/// at start-up. A count, so `usize` (std's `available_parallelism` is a
/// `NonZero<usize>`; Go's `int`); at least 1.
pub fn num_cpu() -> usize {
    crate::boot::osinit::ncpu().max(1) as usize
}

/// Ends the calling goroutine (Go's `runtime.Goexit`). With `panic =
/// "abort"` there is no unwinding: values owned by the goroutine's frames
/// are not dropped. What Go's `Goexit` does with deferred calls, rt0 does
/// for the runtime's own: inside a [`scope`] it first waits for the
/// scope's goroutines (they may borrow this goroutine's stack), and in a
/// goroutine started by [`Scope::go`] it counts the goroutine done.
/// Called from the main goroutine, the program goes on
/// running its other goroutines; when none is left it ends with Go's
/// "no goroutines (main called runtime.Goexit) - deadlock!".
pub fn goexit() -> ! {
    crate::sched::proc::goexit_current()
}

/// Runs `f`, a call that may block in the kernel (reading a pipe or a
/// terminal, waiting on a child, a raw system call of your own), the way
/// Go runs a system call (`entersyscall` / `exitsyscall`): the goroutine
/// leaves its P in the "in a system call" state, and if `f` is still in
/// the kernel one sysmon round later (20 us to 10 ms) with work waiting,
/// or after 10 ms in any case, the P is handed to another M, so other
/// goroutines keep running; it is taken back (or another free one)
/// afterwards. A short call costs a few atomic operations. Without it a
/// blocking call holds its P: with GOMAXPROCS=1 nothing else would run
/// until it returned.
///
/// `f` runs without a P: it must be a bare system call (or code that
/// neither allocates, locks, prints nor uses channels).
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    crate::sched::syscall::entersyscall();
    let r = f();
    crate::sched::syscall::exitsyscall();
    r
}

/// The stack a goroutine started by [`go`] gets unless `RT0_STACK` says
/// otherwise, in bytes: 256 KiB, lazily committed, with a guard page
/// below it (Go starts a goroutine at 2 KiB and grows it by copying,
/// which Rust's stacks cannot do; std's spawned threads get 2 MiB;
/// README, "Stacks"). [`default_stack_size`] gives the size in effect.
pub const DEFAULT_STACK_SIZE: usize = crate::mem::stack::DEFAULT_STACK_SIZE;

/// The main goroutine's stack unless `RT0_MAIN_STACK` says otherwise, in
/// bytes: 8 MiB, as a C or Rust program's main thread has under the usual
/// `ulimit -s`; lazily committed, guarded. [`main_stack_size`] gives the
/// size in effect.
pub const MAIN_STACK_SIZE: usize = crate::mem::stack::MAIN_STACK_SIZE;

/// The stack, in bytes, that [`go`] gives in this process:
/// [`DEFAULT_STACK_SIZE`], or the `RT0_STACK` variable's size read at
/// start-up (`RT0_STACK=1m`; README, "The knobs").
pub fn default_stack_size() -> usize {
    crate::mem::stack::default_size()
}

/// The main goroutine's stack, in bytes, in this process:
/// [`MAIN_STACK_SIZE`], or the `RT0_MAIN_STACK` variable's size read at
/// start-up.
pub fn main_stack_size() -> usize {
    crate::mem::stack::main_size()
}

/// The heap's figures at one moment, from [`read_mem_stats`] (a small
/// part of Go's `runtime.MemStats`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemStats {
    /// Bytes of heap obtained from the kernel (Go's `HeapSys`).
    pub heap_sys: usize,
    /// Bytes handed out by the allocator and not yet freed (Go's
    /// `HeapAlloc`): goroutine stacks are not counted, they are mapped
    /// apart.
    pub heap_alloc: usize,
    /// Arenas (separate mappings) the heap is made of.
    pub arenas: usize,
    /// Times the heap grew by mapping another arena.
    pub grows: usize,
}

/// The heap's figures now (Go's `runtime.ReadMemStats`, for the few
/// fields rt0 keeps). Cheap: it takes the heap's lock for four loads, and
/// never stops the world.
pub fn read_mem_stats() -> MemStats {
    let (heap_sys, heap_alloc, arenas, grows) = crate::mem::heap::stats();
    MemStats {
        heap_sys,
        heap_alloc,
        arenas,
        grows,
    }
}
