//! The kernel interface: raw syscalls ([`syscall`]) and the typed wrappers
//! the runtime uses, grouped one concept per module. Everything here is a
//! thin, allocation-free layer over the kernel; policy lives above it.

pub mod epoll;
pub mod fcntl;
pub mod file;
pub mod fs;
pub mod futex;
pub mod mm;
pub mod process;
pub mod runtimefd;
pub mod signal;
pub mod socket;
pub mod spawn;
pub mod stdio;
pub mod syscall;
pub mod thread;
pub mod time;
pub mod vdso;

pub use syscall::Errno;
