//! `memcpy`, `memmove`, `memset`, `memcmp`, `bcmp`, `strlen`: with no libc,
//! the compiler's calls to these land here (LLVM also turns a byte-scan loop
//! into a `strlen` call). Go's counterparts: `memmove`
//! (memmove_amd64.s) and `memclrNoHeapPointers`.
//!
//! Sizes up to 64 bytes use overlapping unaligned loads, all done before any
//! store, which also makes them correct for overlapping `memmove`. Larger
//! copies use `rep movsb`, fast on CPUs with ERMS (Enhanced REP MOVSB, the
//! bit rt0_go probes), else `rep movsq` plus a byte tail, as Go's memmove
//! chooses. Nothing here may call these symbols itself: no
//! `core::ptr::copy*`, `write_bytes`, or loops LLVM would turn back into
//! a call; copies are explicit loads and stores or `rep` instructions.

use core::arch::asm;
use core::ptr::{read_unaligned as ld, write_unaligned as st};

use crate::arch::cpu as asm_probe;

/// Copies `n <= 64` bytes with every load before every store.
///
/// # Safety
/// `src` readable and `dst` writable for `n` bytes; they may overlap.
#[inline(always)]
unsafe fn copy_small(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: every access stays inside [0, n) of its buffer (contract).
    unsafe {
        if n >= 32 {
            let a = ld(src as *const u128);
            let b = ld(src.add(16) as *const u128);
            let c = ld(src.add(n - 32) as *const u128);
            let d = ld(src.add(n - 16) as *const u128);
            st(dst as *mut u128, a);
            st(dst.add(16) as *mut u128, b);
            st(dst.add(n - 32) as *mut u128, c);
            st(dst.add(n - 16) as *mut u128, d);
        } else if n >= 16 {
            let a = ld(src as *const u128);
            let b = ld(src.add(n - 16) as *const u128);
            st(dst as *mut u128, a);
            st(dst.add(n - 16) as *mut u128, b);
        } else if n >= 8 {
            let a = ld(src as *const u64);
            let b = ld(src.add(n - 8) as *const u64);
            st(dst as *mut u64, a);
            st(dst.add(n - 8) as *mut u64, b);
        } else if n >= 4 {
            let a = ld(src as *const u32);
            let b = ld(src.add(n - 4) as *const u32);
            st(dst as *mut u32, a);
            st(dst.add(n - 4) as *mut u32, b);
        } else if n > 0 {
            let a = *src;
            let b = *src.add(n / 2);
            let c = *src.add(n - 1);
            *dst = a;
            *dst.add(n / 2) = b;
            *dst.add(n - 1) = c;
        }
    }
}

/// Largest size handled by [`copy_small`].
const SMALL: usize = 64;

/// Forward copy of `n` bytes with string instructions.
///
/// # Safety
/// Buffers valid for `n` bytes; `dst` does not start inside `(src, src+n)`.
#[inline(always)]
unsafe fn copy_forward(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: rep movs reads/writes exactly n bytes; DF is clear (rt0_go's cld).
    unsafe {
        if asm_probe::erms() {
            asm!("rep movsb", inout("rcx") n => _, inout("rdi") dst => _, inout("rsi") src => _,
                 options(nostack, preserves_flags));
        } else {
            asm!("rep movsq", "mov ecx, {tail:e}", "rep movsb",
                 tail = in(reg) n & 7,
                 inout("rcx") n >> 3 => _, inout("rdi") dst => _, inout("rsi") src => _,
                 options(nostack, preserves_flags));
        }
    }
}

/// # Safety
/// The C contract: `n` bytes readable at `src`, writable at `dst`, no overlap.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: forwarded C contract.
    unsafe {
        if n <= SMALL {
            copy_small(dst, src, n);
        } else {
            copy_forward(dst, src, n);
        }
    }
    dst
}

/// # Safety
/// The C contract: `n` bytes readable at `src`, writable at `dst`; may overlap.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: forwarded C contract.
    unsafe {
        if n <= SMALL {
            copy_small(dst, src, n);
        } else if (dst as usize).wrapping_sub(src as usize) >= n {
            // dst is below src, or past its end: a forward copy never reads
            // a byte it already overwrote.
            copy_forward(dst, src, n);
        } else {
            // dst overlaps the tail of src: copy backwards.
            asm!("std", "rep movsb", "cld",
                 inout("rcx") n => _, inout("rdi") dst.add(n - 1) => _, inout("rsi") src.add(n - 1) => _,
                 options(nostack));
        }
    }
    dst
}

/// # Safety
/// The C contract: `n` bytes writable at `dst`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8 {
    // SAFETY: rep stosb writes exactly n bytes; DF is clear.
    unsafe {
        asm!("rep stosb", inout("rcx") n => _, inout("rdi") dst => _, in("al") c as u8,
             options(nostack, preserves_flags));
    }
    dst
}

/// # Safety
/// The C contract: `n` bytes readable at both pointers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    // SAFETY: every access is below n (contract).
    unsafe {
        while i + 8 <= n {
            let x = ld(a.add(i) as *const u64);
            let y = ld(b.add(i) as *const u64);
            if x != y {
                // The first differing byte decides; bytes are in memory order.
                return if x.swap_bytes() < y.swap_bytes() {
                    -1
                } else {
                    1
                };
            }
            i += 8;
        }
        while i < n {
            let (x, y) = (*a.add(i), *b.add(i));
            if x != y {
                return i32::from(x) - i32::from(y);
            }
            i += 1;
        }
    }
    0
}

/// # Safety
/// As [`memcmp`]; only zero/non-zero is meaningful.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: forwarded C contract.
    unsafe { memcmp(a, b, n) }
}

/// Bytes whose value is 0x01 in every lane, and 0x80 in every lane: for
/// the "has a zero byte" test on a whole word.
const LANES_01: usize = usize::from_ne_bytes([0x01; 8]);
const LANES_80: usize = usize::from_ne_bytes([0x80; 8]);

/// # Safety
/// The C contract: `s` points at a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strlen(s: *const u8) -> usize {
    let mut p = s;
    // SAFETY: reads stay inside the string until its NUL, except that the
    // aligned word reads may run past the NUL within the same aligned word,
    // which never crosses into another page.
    unsafe {
        while !(p as usize).is_multiple_of(8) {
            if core::ptr::read_volatile(p) == 0 {
                return p as usize - s as usize;
            }
            p = p.add(1);
        }
        loop {
            let w = *(p as *const usize);
            if w.wrapping_sub(LANES_01) & !w & LANES_80 != 0 {
                // A zero byte is in this word: the lowest set lane marks it.
                let z = (w.wrapping_sub(LANES_01) & !w & LANES_80).trailing_zeros() as usize / 8;
                return p as usize + z - s as usize;
            }
            p = p.add(8);
        }
    }
}
