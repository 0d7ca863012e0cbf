//! The program's view of the scheduler (Go's `runtime` package API).

use alloc::boxed::Box;
use core::sync::atomic::Ordering::Relaxed;

use crate::sched::g::Start;
use crate::sched::sched::sched;

/// The largest stack [`go_with_stack`] gives: Go's `maxstacksize` on
/// 64-bit systems (1,000,000,000 bytes), past which a Go goroutine's stack
/// overflows.
pub const MAX_STACK_SIZE: usize = 1_000_000_000;

/// `go f()`: runs `f` in a new goroutine with the default stack
/// ([`crate::mem::stack::DEFAULT_STACK_SIZE`]).
pub fn go<F: FnOnce() + Send + 'static>(f: F) {
    crate::sched::proc::newproc(Start::Closure(Box::new(f)), 0);
}

/// `go f()` with a stack of `stack_bytes` (rounded up to pages) for code
/// that needs more than the default.
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
    );
}

/// Yields the processor so other goroutines run (Go's `runtime.Gosched`).
pub fn gosched() {
    crate::sched::schedule::gosched();
}

/// Live goroutines (Go's `runtime.NumGoroutine`).
pub fn num_goroutine() -> i64 {
    sched().ngoroutines.load(Relaxed)
}

/// The number of Ps (Go's `runtime.GOMAXPROCS(0)`).
pub fn gomaxprocs() -> i32 {
    sched().gomaxprocs.load(Relaxed)
}

/// CPUs this process may use (Go's `runtime.NumCPU`).
pub fn num_cpu() -> i32 {
    crate::boot::osinit::ncpu()
}

/// Ends the calling goroutine (Go's `runtime.Goexit`). With `panic =
/// "abort"` there is no unwinding: values owned by the goroutine's frames
/// are not dropped. Called from the main goroutine, the program goes on
/// running its other goroutines; when none is left it ends with Go's
/// "no goroutines (main called runtime.Goexit) - deadlock!".
pub fn goexit() -> ! {
    crate::sched::proc::goexit_current()
}

/// Runs `f`, a call that may block in the kernel for long (reading a pipe
/// or a terminal, waiting on a child), the way Go runs a blocking system
/// call (`entersyscallblock` / `exitsyscall`): the goroutine's P is handed
/// to another M first, so other goroutines keep running, and taken back
/// (or another free one) afterwards. Without it a blocking call holds its
/// P: with GOMAXPROCS=1 nothing else would run until it returned.
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    crate::sched::syscall::entersyscallblock();
    let r = f();
    crate::sched::syscall::exitsyscall();
    r
}
