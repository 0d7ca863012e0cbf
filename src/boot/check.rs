//! Go's `runtime.check` (runtime1.go): the runtime checks its own
//! assumptions before anything relies on them, and fails loudly with a
//! message that needs neither heap nor locks.
//!
//! Checked here, at run time: primitive sizes, the struct offsets the asm
//! uses (also pinned at compile time in `sched/context.rs`), that FS really
//! reaches m0's TLS (getg() is g0, g0.m is m0), that the stack pointer is
//! inside g0's stack, atomics (CAS success and failure, swap, fetch-add
//! wrap-around), and NaN comparisons.

use core::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, Ordering::SeqCst};

use crate::debug::fatal::throw_detail;
use crate::sched::context as off;
use crate::sched::sched::{G0, M0, getg};

fn require(ok: bool, what: &str) {
    if !ok {
        throw_detail("check: ", what);
    }
}

/// Go's `runtime.check`. Called by rt0_go right after TLS is set up.
// The NaN comparisons are the point of the check.
#[allow(clippy::eq_op, clippy::neg_cmp_op_on_partial_ord)]
#[unsafe(export_name = "rt0_check")] // called by rt0_go (src/arch/)
pub extern "C" fn check() {
    use core::mem::size_of;
    require(
        size_of::<i8>() == 1 && size_of::<u8>() == 1,
        "bad size of int8",
    );
    require(
        size_of::<i16>() == 2 && size_of::<u16>() == 2,
        "bad size of int16",
    );
    require(
        size_of::<i32>() == 4 && size_of::<u32>() == 4,
        "bad size of int32",
    );
    require(
        size_of::<i64>() == 8 && size_of::<u64>() == 8,
        "bad size of int64",
    );
    require(
        size_of::<f32>() == 4 && size_of::<f64>() == 8,
        "bad size of float",
    );
    require(
        size_of::<usize>() == 8 && size_of::<*const u8>() == 8,
        "bad size of pointer",
    );

    // The offsets the asm was assembled with are the struct's offsets.
    let g0 = G0.get();
    let m0 = M0.get();
    let field = |base: *mut u8, p: *const u8| p as usize - base as usize;
    // SAFETY: raw field addresses only; nothing is read.
    unsafe {
        require(
            field(g0.cast(), (&raw const (*g0).sched.sp).cast()) == off::G_SCHED_SP,
            "g.sched.sp offset",
        );
        require(
            field(g0.cast(), (&raw const (*g0).m).cast()) == off::G_M,
            "g.m offset",
        );
        require(
            field(m0.cast(), (&raw const (*m0).tls).cast()) == off::M_TLS,
            "m.tls offset",
        );
    }

    // TLS: fs:-8 is m0.tls[0] and holds g0; g0 and m0 are linked.
    require(getg() == g0, "getg() is not g0 after rt0_go");
    // SAFETY: rt0_go initialised both statics before calling us; single thread.
    unsafe {
        require((*g0).m == m0 && (*m0).g0 == g0, "g0 <-> m0 link");
        require((*m0).tls[0] == g0 as usize, "m0.tls[0] does not hold g");
        let sp: usize;
        core::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags));
        let st = (*g0).stack;
        require(
            st.hi - st.lo == crate::arch::entry::G0_STACK_SIZE,
            "g0 stack size",
        );
        require(
            sp > st.lo && sp <= st.hi,
            "stack pointer outside g0's stack",
        );
    }

    // Atomics (Go checks Cas, Casp, Xadd, Or8/And8 ...).
    let a = AtomicU32::new(1);
    require(
        a.compare_exchange(1, 2, SeqCst, SeqCst) == Ok(1) && a.load(SeqCst) == 2,
        "cas1",
    );
    require(
        a.compare_exchange(1, 3, SeqCst, SeqCst) == Err(2) && a.load(SeqCst) == 2,
        "cas2",
    );
    let b = AtomicU64::new(u64::MAX);
    require(
        b.fetch_add(1, SeqCst) == u64::MAX && b.load(SeqCst) == 0,
        "xadd64 wrap",
    );
    require(
        b.swap(0x123, SeqCst) == 0 && b.load(SeqCst) == 0x123,
        "xchg64",
    );
    let mut x = 0u8;
    let p = AtomicPtr::new(core::ptr::null_mut::<u8>());
    require(
        p.compare_exchange(core::ptr::null_mut(), &mut x, SeqCst, SeqCst)
            .is_ok(),
        "casp1",
    );
    require(core::ptr::eq(p.load(SeqCst), &x), "casp2");

    // NaN never equals itself (Go: "float64nan").
    let nan = core::hint::black_box(f64::NAN);
    require(nan != nan && !(nan == nan) && !(nan < nan), "float64nan");
    let nan32 = core::hint::black_box(f32::NAN);
    require(nan32 != nan32, "float32nan");
}
