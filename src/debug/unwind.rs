//! Unwinding symbols that must exist but never run.
//!
//! Programs build with `panic = "abort"`, so nothing unwinds. The
//! precompiled `core` and `alloc` are built with unwinding, though, and
//! their landing pads (kept in any build without LTO, and by code such as
//! `format!`) name `_Unwind_Resume` and `rust_eh_personality`; with no
//! libgcc to provide them the link fails.
//! These definitions satisfy the linker; reaching either one is a runtime
//! invariant broken, and ends the process like any other fatal error.

/// Called only when unwinding resumes: never, under `panic = "abort"`.
#[unsafe(no_mangle)]
pub extern "C" fn _Unwind_Resume() -> ! {
    crate::debug::fatal::throw("_Unwind_Resume called with panic=abort")
}

/// The personality routine of unwinding frames: never consulted, since
/// nothing unwinds.
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {
    crate::debug::fatal::throw("rust_eh_personality called with panic=abort")
}
