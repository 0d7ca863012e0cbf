//! The entry point's Rust side. `_start` and `rt0_go` live in
//! `src/arch/entry.s` (assembled by `arch::entry`, Go's `_rt0_amd64` and
//! `rt0_go`); the failure paths the asm cannot report itself call back
//! into the two functions below, by link name.

/// `arch_prctl(ARCH_SET_FS)` failed: nothing can run without TLS.
#[unsafe(export_name = "rt0_tls_failed")]
extern "C" fn tls_failed(neg_errno: i64) -> ! {
    crate::debug::fatal::fatal_errno(
        "runtime: arch_prctl(ARCH_SET_FS) failed",
        (-neg_errno) as i32,
    )
}

/// The 0x123 stored through FS did not appear in m0.tls[0].
#[unsafe(export_name = "rt0_tls_mismatch")]
extern "C" fn tls_mismatch(read_back: usize) -> ! {
    crate::debug::fatal::fatal_hex(
        "runtime: TLS store through fs:-8 did not reach m0.tls[0]; read",
        read_back,
    )
}
