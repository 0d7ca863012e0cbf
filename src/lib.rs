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
//! ```ignore
//! #![no_std]
//! #![no_main]
//! rt0::main!(main);
//! fn main() {
//!     rt0::println!("hello, world");
//! }
//! ```
//!
//! Module map (each module's note names the Go code it reproduces):
//! `boot` (the bootstrap), `sys` (raw syscalls), `mem` (heap, stacks,
//! memcpy), `sched` (G, M, P, run queues, schedule), `debug` (fatal
//! errors, panics), `print` (output macros), [`env`] and [`runtime`] (the
//! program's API).

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

pub(crate) mod arch;
pub mod boot;
pub mod chan;
pub mod debug;
pub mod env;
pub mod mem;
pub mod print;
pub mod racy;
pub mod rand;
pub mod runtime;
pub mod sched;
pub mod sync;
pub mod sys;
pub mod time;

#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: sched::mcache::Rt0Alloc = sched::mcache::Rt0Alloc;

/// Names the program's main function: `rt0::main!(main);`
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
            main()
        }
    };
}
