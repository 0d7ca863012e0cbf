//! # rt0: Go's runtime path, freestanding, in Rust
//!
//! A runtime for static Linux x86_64 binaries with no libc. Its `_start`
//! (src/arch/entry.s) reproduces the path a Go program takes from the kernel to
//! `main`: argc/argv capture, g0's 64 KiB stack carved from the OS stack,
//! CPUID and XGETBV probing, TLS through `arch_prctl(ARCH_SET_FS)`, then
//! `check`, `args`, `osinit`, `schedinit`, `newproc(runtime_main)` and
//! `mstart`, after which the program's main runs as goroutine 1 on a
//! G-M-P scheduler.
//!
//! A program is `#![no_std] #![no_main]`, depends on this crate and names
//! its main with [`main!`]:
//!
//! ```rust
//! #![no_std]
//! #![no_main]
//! rt0::main!(main);
//! fn main() {
//!     rt0::println!("hello, world");
//! }
//! ```
//!
//! ## The API (each item names its Go counterpart, and Rust std's where
//! there is one)
//!
//! - [`main!`] — names the program's `main` (Go's `func main`).
//! - [`println!`], [`print!`], [`eprintln!`], [`eprint!`] — `fmt.Print*`
//!   to fds 1 and 2, one whole write per call.
//! - [`runtime`] — `go`, `scope` (std's `thread::scope` for goroutines),
//!   `Gosched`, `Goexit`, `NumGoroutine`, `GOMAXPROCS`,
//!   `NumCPU`, blocking system calls, `ReadMemStats`.
//! - [`chan`] and [`select!`] — channels and Go's `select`.
//! - [`sync`] — `Mutex`, `WaitGroup`, `Once`, parking goroutines.
//! - [`time`] — `Sleep`, `After`, `AfterFunc`, `NewTimer`, `NewTicker`, the monotonic
//!   clock.
//! - [`io`] — `Read`, `Write`, `BufRead`, `BufReader`, `BufWriter`,
//!   `copy`, `Cursor`, `Error` (Go's `io` and `bufio`; std's `std::io`);
//!   `stdin`, `stdout`, `stderr` (Go's `os.Stdin`...; std's), on the
//!   netpoller when they are pipes or terminals, sharing the print macros'
//!   lock.
//! - [`hash`] — `RandomState` and `DefaultHasher` (std's `std::hash`):
//!   keyed SipHash-1-3 seeded from the kernel's AT_RANDOM bytes, for
//!   `hashbrown` maps.
//! - [`fs`] and [`path`] — files, directories and metadata (Go's `os.Open`,
//!   `os.ReadFile`, `os.Stat`, `os.ReadDir`, ...; std's `std::fs` and
//!   `std::path`, paths as bytes).
//! - [`net`] — Go's `net` (`Listen`, `Dial`, TCP, UDP and Unix sockets,
//!   deadlines) shaped like `std::net`, on the netpoller.
//! - [`env`](mod@env) — `os.Args`, `os.Environ`, `os.Getenv`, the auxiliary vector.
//! - [`process`] — `os.Exit`, `os.Getpid`, and child processes: `Command`,
//!   `Child`, `ExitStatus` (Go's `os/exec` and `os.Process`; std's
//!   `std::process`), waiting parked on a pidfd.
//! - [`cpu`] — the CPU's features (golang.org/x/sys/cpu's `X86`).
//! - [`os`] — `pipe()` (Go's `os.Pipe`, std's `io::pipe`) on the
//!   netpoller; raw file descriptors and system calls (Go's `syscall`),
//!   provisional until the runtime has real I/O.
//! - [`test_main!`] and [`testing`] — a test program for a `[[test]]
//!   harness = false` target that `cargo test` runs as a libtest binary
//!   (Go's `testing.Main`).
//! - [`os::signal`] — `signal.Notify`, `Stop`, `Ignore`, `Ignored`,
//!   `Reset` (Go's `os/signal`): signals delivered on channels.
//!
//! Everything else is internal (`pub(crate)`): `boot` (the bootstrap),
//! `sys` (the kernel ABI), `mem` (heap, stacks, memcpy), `sched` (G, M, P,
//! run queues, schedule), `debug` (fatal errors, panics), `print`,
//! `racy`, `rand`; each module's `//!` note names the Go code it
//! reproduces. HACKING.md describes the layers.

#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
// Runtime structures are built by `const fn new()` for statics; a Default
// impl would add nothing but a second way to make them.
#![allow(clippy::new_without_default)]
// Host unit tests build the pure parts with std; the entry path and the
// code only asm calls are then unused.
#![cfg_attr(test, allow(dead_code, unused_imports))]
#![warn(missing_docs)]
#![allow(missing_docs)] // internal modules are documented by their `//!` notes

extern crate alloc;

// The internals, lowest layer first (HACKING.md).
pub(crate) mod arch;
pub(crate) mod boot;
pub(crate) mod mem;
pub(crate) mod netpoll;
pub(crate) mod print;
pub(crate) mod racy;
pub(crate) mod rand;
pub(crate) mod sched;
pub(crate) mod spinlock;
pub(crate) mod sys;

// The services and the program's API.
pub mod chan;
pub mod cpu;
pub mod debug;
pub mod env;
#[doc(hidden)]
pub mod export_test;
pub mod fs;
pub mod hash;
pub mod io;
pub mod net;
pub mod os;
pub mod process;
pub mod runtime;
pub mod sync;
pub mod testing;
pub mod time;

/// Paths as the kernel sees them (bytes): [`path::Path`] and
/// [`path::PathBuf`], std's `std::path` (Go's `path/filepath`).
pub use fs::path;

/// What the exported macros expand to; not API.
#[doc(hidden)]
pub mod __private {
    pub use crate::io::stdio::_print;
}

#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: sched::mcache::Rt0Alloc = sched::mcache::Rt0Alloc;

/// Names the program's main function: `rt0::main!(main);` (Go's `func
/// main` in package main; Rust's `fn main` of a std binary).
///
/// The runtime's main goroutine calls it after the bootstrap and the
/// `.init_array` constructors; when it returns the process exits with
/// status 0, as a Go program does when `main.main` returns.
#[macro_export]
macro_rules! main {
    ($main:path) => {
        #[unsafe(no_mangle)]
        extern "Rust" fn rt0_program_main() {
            let main: fn() = $main;
            // Called through an opaque pointer so that `main` keeps a
            // symbol of its own (a traceback names `myprog::main`, not
            // this wrapper it would otherwise be inlined into).
            ::core::hint::black_box(main)()
        }
    };
}

/// Makes a test program of a `[[test]] harness = false` target:
/// `rt0::test_main!(test_a, m::test_b);` in place of [`main!`] (Go's
/// `testing.Main` over a list of tests; std's `#[test]` functions and
/// libtest's generated `main`).
///
/// Each argument is the path of a `fn()`: a test passes by returning and
/// fails by panicking. The program prints libtest's lines (`running N
/// tests`, `test NAME ... ok`, `test result: ok. ...`) and takes the
/// command line `cargo test` passes it (filters, `--exact`, `--list`,
/// `--quiet`, ...); each test runs on a goroutine of its own, one after
/// another. A panic ends the run: `test NAME ... FAILED`, then the
/// runtime's panic report, exit status 2. [`testing`] has the details.
#[macro_export]
macro_rules! test_main {
    ($($test:path),* $(,)?) => {
        #[unsafe(no_mangle)]
        extern "Rust" fn rt0_program_main() {
            static TESTS: &[$crate::testing::Test] = &[$(
                $crate::testing::Test {
                    name: ::core::stringify!($test),
                    func: $test,
                }
            ),*];
            $crate::testing::main(TESTS)
        }
    };
}
