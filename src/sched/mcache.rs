//! The allocator's front: the program's `#[global_allocator]` (`Box`,
//! `Vec`, `String` ...), Go's `mallocgc` fast path. It lives in the
//! scheduler because it needs the current P: small objects come from the
//! P's cache (`p.mcache`, a `mem::malloc::MCache`) with no lock; an M
//! without a P (sysmon, a thread being born or exiting) uses the central
//! lists; larger objects go to the heap. `mem` returns its failures; they
//! are reported here with Go's messages (`runtime: out of memory: cannot
//! allocate N-byte block (M in use)` / `fatal error: out of memory`, or
//! `fatal error: runtime: out of memory`).
//!
//! Invariant: the P whose cache is used is owned by the current M for the
//! whole call: `alloc` and `dealloc` raise the M's no-preemption count
//! (`arch::tls::preempt_off`) before they look up the P and lower it when
//! they are done, so the goroutine cannot be preempted and resumed on
//! another M, with another P, in the middle (Go's `mallocgc` does
//! `acquirem` for the same reason). The heap's and the size classes' spin
//! locks are only taken inside that window.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::NonNull;

use super::sched::getg;
use crate::arch::tls::{preempt_off, preempt_on};
use crate::mem::heap::{self, HeapError};
use crate::mem::malloc::{MCache, alloc_uncached, free_uncached, is_small, size_class};

/// The current P's cache, or None on an M without a P.
#[inline]
fn current_cache() -> Option<&'static mut MCache> {
    let g = getg();
    if g.is_null() {
        return None;
    }
    // SAFETY: a non-null g has a valid m; a non-null p is owned by this M,
    // and the callers hold the no-preemption count for as long as they
    // use the reference, so the goroutine stays on this M and no other
    // thread touches the P's cache meanwhile.
    unsafe {
        let m = (*g).m;
        if m.is_null() || (*m).p.is_null() {
            return None;
        }
        Some(&mut (*(*m).p).mcache)
    }
}

/// Ends the program for a heap failure, with Go's wording.
#[cold]
#[inline(never)]
pub fn heap_failed(e: HeapError) -> ! {
    match e {
        HeapError::OutOfMemory { bytes, in_use } => {
            crate::debug::fatal::out_of_memory(bytes, in_use)
        }
        HeapError::Commit => crate::debug::fatal::out_of_memory_commit(),
        HeapError::NotOwned => {
            crate::debug::fatal::throw("free of a pointer the heap does not own")
        }
    }
}

#[inline]
fn small_alloc(class: usize) -> *mut u8 {
    let r = match current_cache() {
        Some(cache) => cache.alloc(class),
        None => alloc_uncached(class),
    };
    match r {
        Ok(p) => p,
        Err(e) => heap_failed(e),
    }
}

/// # Safety
/// `p` is a live small object of `class`, not used afterwards.
#[inline]
unsafe fn small_free(class: usize, p: *mut u8) {
    match current_cache() {
        // SAFETY: forwarded contract.
        Some(cache) => unsafe { cache.free(class, p) },
        // SAFETY: forwarded contract.
        None => unsafe { free_uncached(class, p) },
    }
}

/// The program's allocator (`Box`, `Vec`, `String` ...).
pub struct Rt0Alloc;

// SAFETY: every pointer returned is valid for its layout, distinct from
// every other live allocation, and never null (exhaustion exits).
unsafe impl GlobalAlloc for Rt0Alloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        preempt_off();
        let p = if is_small(&layout) {
            small_alloc(size_class(layout.size()))
        } else {
            match heap::alloc(layout) {
                Ok(p) => p.as_ptr(),
                Err(e) => heap_failed(e),
            }
        };
        preempt_on();
        p
    }

    #[inline]
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        preempt_off();
        if is_small(&layout) {
            // SAFETY: p came from small_alloc with this layout's class
            // (GlobalAlloc contract: same layout as allocated).
            unsafe { small_free(size_class(layout.size()), p) };
        } else {
            // SAFETY: p came from heap::alloc with this layout (GlobalAlloc
            // contract).
            if let Err(e) = unsafe { heap::dealloc(NonNull::new_unchecked(p), layout) } {
                heap_failed(e)
            }
        }
        preempt_on();
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = Layout::from_size_align(new_size, layout.align()).unwrap();
        if is_small(&layout)
            && is_small(&new_layout)
            && size_class(layout.size()) == size_class(new_size)
        {
            return p;
        }
        // SAFETY: forwarded GlobalAlloc contract.
        unsafe {
            let q = self.alloc(new_layout);
            core::ptr::copy_nonoverlapping(p, q, layout.size().min(new_size));
            self.dealloc(p, layout);
            q
        }
    }
}
