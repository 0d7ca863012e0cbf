//! The kernel's `open` flags, `fcntl` commands and `AT_FDCWD`
//! (`<asm-generic/fcntl.h>`, `<linux/fcntl.h>`), once for every `sys`
//! file that opens or duplicates a descriptor, in the type the raw
//! syscall arguments take (`usize`; `AT_FDCWD` is a negative `isize`).
//! `sys::fs` keeps its own `u32` copies for `rt0::fs`'s public flags.

/// The working directory, as the directory fd of an `*at` call.
pub const AT_FDCWD: isize = -100;

/// Open for reading only.
pub const O_RDONLY: usize = 0;
/// Open for writing only.
pub const O_WRONLY: usize = 1;
/// Open for reading and writing.
pub const O_RDWR: usize = 2;
/// The access-mode bits of the flags.
pub const O_ACCMODE: usize = 3;
/// A terminal opened does not become the controlling terminal.
pub const O_NOCTTY: usize = 0o400;
/// Reads and writes that would wait answer `EAGAIN`.
pub const O_NONBLOCK: usize = 0o4000;
/// Closed by `execve`.
pub const O_CLOEXEC: usize = 0o2000000;

/// `fcntl`: the file status flags (`O_NONBLOCK`, the access mode, ...).
pub const F_GETFL: usize = 3;
/// `fcntl`: set the file status flags.
pub const F_SETFL: usize = 4;
/// `fcntl`: duplicate onto the lowest free fd >= arg, close-on-exec.
pub const F_DUPFD_CLOEXEC: usize = 1030;
