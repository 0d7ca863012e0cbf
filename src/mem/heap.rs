//! The heap's backing store: Go's `mallocinit` and `mheap`, reduced to
//! arenas of address space handed to `linked_list_allocator`.
//!
//! The heap starts with one arena of [`FIRST_ARENA_BYTES`] and grows by
//! `mmap` as the program needs: first by extending the newest arena in
//! place (`MAP_FIXED_NOREPLACE` at its end), else with a new arena at least
//! twice the last. Pages are committed by the kernel on first touch, so a
//! large arena costs nothing until used. Every mapping is reserved, then
//! committed, as Go's `sysReserve` and `sysMap` do ([`map_heap`]), and is
//! charged against the kernel's overcommit policy (no `MAP_NORESERVE`).
//! When the kernel refuses memory the allocation fails with a
//! [`HeapError`], returned to the caller, who ends the program with Go's
//! messages and status 2 (`sched::mcache`): no address space left is
//! `runtime: out of memory: cannot allocate N-byte block (M in use)` +
//! `fatal error: out of memory` (N is the size asked of the kernel), a
//! commit refused is `fatal error: runtime: out of memory`. Nothing here
//! prints or throws. An allocation never returns null and never faults.
//!
//! All of it sits behind one spin lock; small objects reach it only in
//! batches, through the size-class caches of [`super::malloc`].

use core::alloc::Layout;
use core::ptr::NonNull;

use linked_list_allocator::Heap;
use spin::Mutex;

use crate::sys::mm::{MapFlags, Prot, mmap_anon, mprotect, munmap};

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

/// Why the heap could not serve an allocation. The caller reports it (Go's
/// wording is in each variant's note); the heap itself never prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeapError {
    /// No address space for `bytes` more (RLIMIT_AS, or every arena slot
    /// used), with `in_use` bytes handed out: Go's `out of memory: cannot
    /// allocate N-byte block (M in use)`.
    OutOfMemory { bytes: usize, in_use: usize },
    /// The kernel would not commit reserved memory (Go's `sysMap` on
    /// ENOMEM): `runtime: out of memory`.
    Commit,
    /// `dealloc` of a pointer no arena holds: a runtime bug.
    NotOwned,
}

/// Maps the first arena (Go's `mallocinit`).
pub fn mallocinit() -> Result<(), HeapError> {
    let mut a = ARENAS.lock();
    if a.n == 0 {
        grow(&mut a, 0)?;
    }
    Ok(())
}

fn next_arena_bytes(a: &Arenas) -> usize {
    if a.next_bytes == 0 {
        FIRST_ARENA_BYTES
    } else {
        a.next_bytes
    }
}

/// Why the kernel gave no heap memory.
enum MapError {
    /// No address space: RLIMIT_AS, or (for a fixed address) the range is
    /// taken. Go's `sysReserve` failing.
    Reserve,
    /// The address space was there but the kernel would not commit it:
    /// its overcommit policy refused the size. Go's `sysMap` on ENOMEM.
    Commit,
}

/// Maps `bytes` of heap at `hint` (exactly there, or not at all, with
/// `fixed`) in Go's two steps. First reserve the range `PROT_NONE`, which
/// costs address space but no commit charge; then commit it read-write
/// with `mprotect`, which the kernel charges against its overcommit
/// policy. Neither step uses `MAP_NORESERVE` (which would exempt the
/// range from that charge), so an absurd request (a terabyte on a machine
/// with 23 GB) is refused here, as Go's heap is, instead of being mapped
/// and faulting later. Pages still cost memory only when first touched.
fn map_heap(hint: usize, bytes: usize, fixed: bool) -> Result<*mut u8, MapError> {
    let flags = if fixed {
        MapFlags::FIXED_NOREPLACE
    } else {
        MapFlags::empty()
    };
    let p = mmap_anon(hint, bytes, Prot::NONE, flags).map_err(|_| MapError::Reserve)?;
    if fixed && p as usize != hint {
        // A kernel before 4.17 takes FIXED_NOREPLACE as a mere hint.
        // SAFETY: the mapping is ours and unused.
        let _ = unsafe { munmap(p, bytes) };
        return Err(MapError::Reserve);
    }
    // SAFETY: [p, p+bytes) is our fresh reservation; nothing uses it yet.
    if unsafe { mprotect(p, bytes, Prot::READ | Prot::WRITE) }.is_err() {
        // SAFETY: [p, p+bytes) is our fresh reservation and nothing uses it;
        // the reservation is given back.
        let _ = unsafe { munmap(p, bytes) };
        return Err(MapError::Commit);
    }
    Ok(p)
}

/// Adds at least `need` bytes of address space.
fn grow(a: &mut Arenas, need: usize) -> Result<(), HeapError> {
    // Try to extend the newest arena in place.
    if a.n > 0 {
        let step = need
            .max(a.next_bytes / 2)
            .next_multiple_of(super::PAGE_SIZE);
        let top = a.heaps[a.n - 1].top() as usize;
        match map_heap(top, step, true) {
            Ok(_) => {
                // SAFETY: [top, top+step) is freshly mapped, adjacent to the arena.
                unsafe { a.heaps[a.n - 1].extend(step) };
                a.mapped += step;
                a.grows += 1;
                return Ok(());
            }
            Err(MapError::Commit) => return Err(HeapError::Commit),
            // The range above is taken: a new arena elsewhere.
            Err(MapError::Reserve) => {}
        }
    }
    let bytes = need
        .max(next_arena_bytes(a))
        .next_multiple_of(super::PAGE_SIZE);
    let out_of_memory = HeapError::OutOfMemory {
        bytes,
        in_use: a.in_use,
    };
    if a.n == MAX_ARENAS {
        return Err(out_of_memory);
    }
    match map_heap(0, bytes, false) {
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
            Ok(())
        }
        Err(MapError::Reserve) => Err(out_of_memory),
        Err(MapError::Commit) => Err(HeapError::Commit),
    }
}

/// Allocates `layout` from the arenas, growing them as needed.
pub fn alloc(layout: Layout) -> Result<NonNull<u8>, HeapError> {
    let mut a = ARENAS.lock();
    loop {
        let n = a.n;
        for i in (0..n).rev() {
            if let Ok(p) = a.heaps[i].allocate_first_fit(layout) {
                a.in_use += layout.size();
                return Ok(p);
            }
        }
        // Room for the object plus the allocator's alignment slack.
        let need = layout.size() + layout.align() + 64;
        grow(&mut a, need)?;
    }
}

/// Frees an allocation made by [`alloc`] with the same layout; a pointer
/// no arena holds is [`HeapError::NotOwned`].
///
/// # Safety
/// `p` came from [`alloc`] with `layout` and is not used afterwards.
pub unsafe fn dealloc(p: NonNull<u8>, layout: Layout) -> Result<(), HeapError> {
    let mut a = ARENAS.lock();
    let addr = p.as_ptr() as usize;
    for i in 0..a.n {
        let h = &a.heaps[i];
        if addr >= h.bottom() as usize && addr < h.top() as usize {
            // SAFETY: p was allocated from this arena with this layout.
            unsafe { a.heaps[i].deallocate(p, layout) };
            a.in_use -= layout.size();
            return Ok(());
        }
    }
    Err(HeapError::NotOwned)
}
