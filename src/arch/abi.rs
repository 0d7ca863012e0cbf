//! The few kernel numbers the asm itself uses (`<asm/unistd_64.h>`,
//! `<asm/prctl.h>`). `sys` re-exports them, so each number is written once.

/// `clone(2)`, issued by `clone.s`.
#[allow(non_upper_case_globals)]
pub const SYS_clone: usize = 56;
/// `rt_sigreturn(2)`, issued by `signal.s`'s restorer.
#[allow(non_upper_case_globals)]
pub const SYS_rt_sigreturn: usize = 15;
/// `arch_prctl(2)`, issued by `entry.s` to set the FS base.
#[allow(non_upper_case_globals)]
pub const SYS_arch_prctl: usize = 158;
/// `arch_prctl` code that sets the FS base.
pub const ARCH_SET_FS: usize = 0x1002;
/// `-MAX_ERRNO` as an unsigned compare bound: raw syscall results at or
/// above it (as u64) are `-errno`.
pub const NEG_MAX_ERRNO: i64 = -4095;
