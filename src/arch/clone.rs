//! The thread trampoline of `clone.s` (Go's `clone` in
//! sys_linux_amd64.s): `clone(2)` on a new stack with a new TLS, then, in
//! the child, g = `g` and a call to `entry(arg)`. It knows nothing of M or
//! G: `sys::thread` wraps it, and the scheduler's new-M entry links g0 and
//! its M (Go's clone writes `g0.m` itself; rt0's entry does it in Rust).

use super::abi::SYS_clone;
use super::offsets::TLS_G_SLOT_SIZE;

core::arch::global_asm!(
    include_str!("clone.s"),
    tls_g_slot_size = const TLS_G_SLOT_SIZE,
    sys_clone = const SYS_clone,
);

unsafe extern "C" {
    /// `clone(flags, stack_top, ptid = 0, ctid = 0, tls)`; in the child
    /// stores `g` in the g slot below `tls` and calls `entry(arg)`, which
    /// never returns. Returns the child's tid, or `-errno`, in the parent.
    #[link_name = "rt0_clone"]
    pub fn rt0_clone(
        flags: u64,
        stack_top: usize,
        tls: usize,
        g: usize,
        entry: extern "C" fn(usize) -> !,
        arg: usize,
    ) -> i64;
}
