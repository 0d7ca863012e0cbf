//! The heap's backing store: Go's `mallocinit` and `mheap`, reduced to
//! arenas of address space handed to `linked_list_allocator`.
//!
//! The heap starts with one arena of [`FIRST_ARENA_BYTES`] and grows by
//! `mmap` as the program needs: first by extending the newest arena in
//! place (`MAP_FIXED_NOREPLACE` at its end), else with a new arena at least
//! twice the last. Pages are committed by the kernel on first touch, so a
//! large arena costs nothing until used. When the kernel refuses memory the
//! program ends with Go's `fatal error: out of memory` and status 2: an
//! allocation never returns null and never faults.
//!
//! All of it sits behind one spin lock; small objects reach it only in
//! batches, through the size-class caches of [`super::malloc`].

use core::alloc::Layout;
use core::ptr::NonNull;

use linked_list_allocator::Heap;
use spin::Mutex;

use crate::sys::mm::{MapFlags, Prot, mmap_anon};

/// The first arena: 1 MiB of address space.
pub const FIRST_ARENA_BYTES: usize = 1 << 20;
/// Arenas never grow past this many bytes in one step.
const MAX_ARENA_STEP: usize = 1 << 30;
/// At most this many separate arenas (each at least twice the last).
const MAX_ARENAS: usize = 48;

struct Arenas {
    heaps: [Heap; MAX_ARENAS],
    n: usize,
    /// Size of the next arena (0: the first, [`FIRST_ARENA_BYTES`]). Kept
    /// zero-initialised so the whole table lives in .bss, not in the file.
    next_bytes: usize,
    /// Bytes mapped in all arenas.
    mapped: usize,
    /// Bytes handed out and not yet freed.
    in_use: usize,
    /// Times the heap grew (for tests and inittrace).
    grows: usize,
}

static ARENAS: Mutex<Arenas> = Mutex::new(Arenas {
    heaps: [const { Heap::empty() }; MAX_ARENAS],
    n: 0,
    next_bytes: 0,
    mapped: 0,
    in_use: 0,
    grows: 0,
});

/// Heap statistics: (bytes mapped, bytes in use, arenas, growth steps).
pub fn stats() -> (usize, usize, usize, usize) {
    let a = ARENAS.lock();
    (a.mapped, a.in_use, a.n, a.grows)
}

/// Maps the first arena (Go's `mallocinit`).
pub fn mallocinit() {
    let mut a = ARENAS.lock();
    if a.n == 0 {
        grow(&mut a, 0);
    }
}

fn next_arena_bytes(a: &Arenas) -> usize {
    if a.next_bytes == 0 {
        FIRST_ARENA_BYTES
    } else {
        a.next_bytes
    }
}

/// Adds at least `need` bytes of address space.
fn grow(a: &mut Arenas, need: usize) {
    let rw = Prot::READ | Prot::WRITE;
    // Try to extend the newest arena in place.
    if a.n > 0 {
        let step = need
            .max(a.next_bytes / 2)
            .next_multiple_of(super::PAGE_SIZE);
        let top = a.heaps[a.n - 1].top() as usize;
        if let Ok(p) = mmap_anon(
            top,
            step,
            rw,
            MapFlags::FIXED_NOREPLACE | MapFlags::NORESERVE,
        ) && p as usize == top
        {
            // SAFETY: [top, top+step) is freshly mapped, adjacent to the arena.
            unsafe { a.heaps[a.n - 1].extend(step) };
            a.mapped += step;
            a.grows += 1;
            return;
        }
    }
    if a.n == MAX_ARENAS {
        crate::debug::fatal::out_of_memory(need, a.in_use);
    }
    let bytes = need
        .max(next_arena_bytes(a))
        .next_multiple_of(super::PAGE_SIZE);
    match mmap_anon(0, bytes, rw, MapFlags::NORESERVE) {
        Ok(p) => {
            let i = a.n;
            // SAFETY: [p, p+bytes) is a fresh mapping that nothing else uses.
            unsafe { a.heaps[i].init(p, bytes) };
            a.n += 1;
            a.mapped += bytes;
            a.next_bytes = (bytes * 2).min(MAX_ARENA_STEP);
            if i > 0 {
                a.grows += 1;
            }
        }
        Err(_) => crate::debug::fatal::out_of_memory(need, a.in_use),
    }
}

/// Allocates `layout` from the arenas, growing them as needed. Never null.
pub fn alloc(layout: Layout) -> NonNull<u8> {
    let mut a = ARENAS.lock();
    loop {
        let n = a.n;
        for i in (0..n).rev() {
            if let Ok(p) = a.heaps[i].allocate_first_fit(layout) {
                a.in_use += layout.size();
                return p;
            }
        }
        // Room for the object plus the allocator's alignment slack.
        let need = layout.size() + layout.align() + 64;
        grow(&mut a, need);
    }
}

/// Frees an allocation made by [`alloc`] with the same layout.
///
/// # Safety
/// `p` came from [`alloc`] with `layout` and is not used afterwards.
pub unsafe fn dealloc(p: NonNull<u8>, layout: Layout) {
    let mut a = ARENAS.lock();
    let addr = p.as_ptr() as usize;
    for i in 0..a.n {
        let h = &a.heaps[i];
        if addr >= h.bottom() as usize && addr < h.top() as usize {
            // SAFETY: p was allocated from this arena with this layout.
            unsafe { a.heaps[i].deallocate(p, layout) };
            a.in_use -= layout.size();
            return;
        }
    }
    crate::debug::fatal::throw("free of a pointer the heap does not own");
}
