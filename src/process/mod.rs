//! The process as a whole: Go's `os.Exit`, Rust's `std::process::exit`.
//!
//! What a program may rely on: [`exit`] ends every thread of the process at
//! once with the given status, as `exit_group(2)` does; nothing runs after
//! it (no destructors, no deferred work: rt0 programs have no buffered
//! output to flush, each `println!` is written when it is called).

/// Ends the process with status `code` (Go's `os.Exit`, Rust's
/// `std::process::exit`).
///
/// Every goroutine and thread stops at once; values owned by any
/// goroutine's frames are not dropped. The status is what the parent sees
/// from `wait`: 0 for success, by convention 2 for a Go-style runtime
/// failure and 64 (`EX_USAGE`) for bad arguments. Only the low 8 bits
/// reach the parent, as with every Linux exit status.
pub fn exit(code: i32) -> ! {
    crate::sys::process::exit_group(code)
}
