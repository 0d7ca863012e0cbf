//! The heap's page level: Go's `mallocinit` and `mheap` (mheap.go), with
//! the free-page bookkeeping its scavenger needs (mgcscavenge.go,
//! `pageAlloc.scavenge`).
//!
//! The heap is a set of arenas, each one `mmap` ([`map_heap`]: reserved,
//! then committed, as Go's `sysReserve` and `sysMap` do, charged against
//! the kernel's overcommit policy: no `MAP_NORESERVE`). The first is
//! [`FIRST_ARENA_BYTES`]; each next one is at least twice the last (up to
//! [`MAX_ARENA_STEP`]) or as big as the request that did not fit. An
//! arena is cut into heap pages of [`HEAP_PAGE`] (64 KiB; Go's pages are
//! 8 KiB) and begins with its page table: one [`PageMeta`] per heap page,
//! in pages of its own that are touched only where a record is written.
//!
//! Every heap page is, at any time, in exactly one state, recorded in its
//! run's first page:
//! - **free**, in a run of `len` free pages (the first and the last page
//!   of the run both hold `len`, so a page being freed finds its free
//!   neighbours on both sides and merges with them in O(1)); runs sit in
//!   [`NBINS`] lists by the power of two of their length;
//! - **large**: the first page of one object of more than
//!   `malloc::MAX_SMALL` bytes, owning `len` pages;
//! - **span**: one page of small objects of one size class, owned by that
//!   class's central list (`super::malloc`, which keeps its per-span state
//!   in the page's record: [`PageMeta::span`]);
//! - **scavenging**: a run the scavenger took out of the free lists to
//!   give back to the kernel without holding the lock;
//! - the other pages of a large object or a scavenging run (never looked
//!   at: only a run's boundaries are).
//!
//! Each page also carries `dirty`: the page may hold memory the kernel
//! gave us (it was handed out since it was last returned). A free run
//! counts its dirty pages and remembers the scavenger generation in
//! which it was freed ([`super::scavenge::generation`]). The scavenger
//! ([`scavenge`], called on sysmon's M) returns runs free for at least
//! [`super::scavenge::MIN_AGE_GENS`] generations with `MADV_DONTNEED`
//! (why that advice: the note of [`super::scavenge`]), a bounded piece at
//! a time, with the lock released around the system call.
//!
//! Nothing relies on a page's contents after the advice: a page handed
//! out is the program's to initialise (`alloc_zeroed` writes its zeroes),
//! and the heap's own records live in the page tables, never in free
//! pages. Under qemu-user (7.2), which ignores `madvise`, the pages simply
//! stay resident.
//!
//! When the kernel refuses memory the allocation fails with a
//! [`HeapError`], returned to the caller, who ends the program with Go's
//! messages and status 2 (`sched::mcache`): no address space left is
//! `runtime: out of memory: cannot allocate N-byte block (M in use)` +
//! `fatal error: out of memory` (N is the size asked of the kernel), a
//! commit refused is `fatal error: runtime: out of memory`. Nothing here
//! prints or throws. An allocation never returns null and never faults.
//!
//! Locking: the page lists and counters sit behind one spin lock,
//! [`HEAP`], taken for a search and a split, never across a system call
//! but the arena `mmap` of a growth. Small objects reach it only a span
//! at a time, through [`super::malloc`]'s central lists, whose locks are
//! taken before it (order: a central lock, then the heap lock). The arena
//! table is append-only and is read without the lock ([`span_of`]).

use core::alloc::Layout;
use core::ptr::{NonNull, null_mut};
use core::sync::atomic::{
    AtomicPtr, AtomicUsize, Ordering::Acquire, Ordering::Relaxed, Ordering::Release,
};

use spin::Mutex;

use super::PAGE_SIZE;
use super::malloc::{self, SpanState};
use super::scavenge;
use crate::sys::mm::{MapFlags, Prot, advice, madvise, mmap_anon, mprotect, munmap};

/// The first arena: 1 MiB of address space.
pub const FIRST_ARENA_BYTES: usize = 1 << 20;
/// Arenas never grow past this many bytes in one step.
const MAX_ARENA_STEP: usize = 1 << 30;
/// At most this many separate arenas (each at least twice the last).
const MAX_ARENAS: usize = 48;
/// A heap page: the unit of the page heap and the size of one span.
pub const HEAP_PAGE: usize = 64 * 1024;
/// Free-run lists, by the power of two of a run's length in pages.
const NBINS: usize = 32;

/// Page states (`PageMeta::state`). A zeroed record is `INNER`.
const INNER: u8 = 0;
const FREE: u8 = 1;
const LARGE: u8 = 2;
const SPAN: u8 = 3;
const SCAVENGING: u8 = 4;

/// The record of one heap page, in its arena's page table.
#[repr(C)]
pub struct PageMeta {
    state: u8,
    /// The page may hold memory the kernel gave us.
    dirty: bool,
    /// Index of its arena in [`ARENA`], valid in a run's first record.
    arena: u8,
    /// FREE (first and last page of the run), LARGE, SCAVENGING: the run's
    /// length in pages.
    len: u32,
    /// FREE, first page: dirty pages in the run.
    ndirty: u32,
    /// FREE, first page: scavenger generation when the run was freed.
    freed_gen: u32,
    /// FREE, first page: links of its bin's list.
    next: *mut PageMeta,
    prev: *mut PageMeta,
    /// SPAN: the central list's state, owned by `malloc` under the class's
    /// lock (a zeroed `SpanState` is valid).
    pub(crate) span: SpanState,
}

/// One arena: its page table and its pages. Written once, before the
/// arena is published by `NARENAS`, and never changed: read without the
/// lock.
struct Arena {
    /// Address of the first heap page.
    base: AtomicUsize,
    /// Heap pages in the arena.
    npages: AtomicUsize,
    /// The page table (`npages` records).
    meta: AtomicPtr<PageMeta>,
}

static ARENA: [Arena; MAX_ARENAS] = [const {
    Arena {
        base: AtomicUsize::new(0),
        npages: AtomicUsize::new(0),
        meta: AtomicPtr::new(null_mut()),
    }
}; MAX_ARENAS];
/// Arenas published in [`ARENA`].
static NARENAS: AtomicUsize = AtomicUsize::new(0);

/// The page heap's lists and counters (Go's `mheap_` fields that matter
/// here), behind [`HEAP`].
struct PageHeap {
    bins: [*mut PageMeta; NBINS],
    /// Size of the next arena (0: the first, [`FIRST_ARENA_BYTES`]). Kept
    /// zero-initialised so the whole table lives in .bss, not in the file.
    next_bytes: usize,
    /// Bytes mapped in all arenas.
    mapped: usize,
    /// Bytes handed out and not yet freed (spans count whole).
    in_use: usize,
    /// Times the heap grew (for tests and inittrace).
    grows: usize,
    /// Heap pages free, and those of them that are dirty.
    free_pages: usize,
    dirty_pages: usize,
    /// Bytes given back to the kernel so far (Go's `heapReleased`,
    /// cumulative, for scavtrace).
    released: usize,
}

// SAFETY: the raw pointers are records in the arenas' page tables, which
// are never unmapped; they are only followed under the Mutex.
unsafe impl Send for PageHeap {}

static HEAP: Mutex<PageHeap> = Mutex::new(PageHeap {
    bins: [null_mut(); NBINS],
    next_bytes: 0,
    mapped: 0,
    in_use: 0,
    grows: 0,
    free_pages: 0,
    dirty_pages: 0,
    released: 0,
});

/// Heap statistics: (bytes mapped, bytes in use, arenas, growth steps).
pub fn stats() -> (usize, usize, usize, usize) {
    let h = HEAP.lock();
    (h.mapped, h.in_use, NARENAS.load(Relaxed), h.grows)
}

/// Figures for the scavenger's trace: (bytes released, i.e. free and
/// holding no memory: Go's `heapReleased`; bytes retained, mapped and
/// not released; bytes in use; bytes the scavenger released in all).
pub(crate) fn scav_stats() -> (usize, usize, usize, usize) {
    let h = HEAP.lock();
    let clean_free = (h.free_pages - h.dirty_pages) * HEAP_PAGE;
    (clean_free, h.mapped - clean_free, h.in_use, h.released)
}

/// Dirty free heap pages right now (a racy read, for pacing).
pub(crate) fn dirty_free_bytes() -> usize {
    HEAP.lock().dirty_pages * HEAP_PAGE
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
    let mut h = HEAP.lock();
    if NARENAS.load(Relaxed) == 0 {
        grow(&mut h, 1)?;
    }
    Ok(())
}

/// Why the kernel gave no heap memory.
enum MapError {
    /// No address space: RLIMIT_AS. Go's `sysReserve` failing.
    Reserve,
    /// The address space was there but the kernel would not commit it:
    /// its overcommit policy refused the size. Go's `sysMap` on ENOMEM.
    Commit,
}

/// Maps `bytes` of heap in Go's two steps. First reserve the range
/// `PROT_NONE`, which costs address space but no commit charge; then
/// commit it read-write with `mprotect`, which the kernel charges against
/// its overcommit policy. Neither step uses `MAP_NORESERVE` (which would
/// exempt the range from that charge), so an absurd request (a terabyte
/// on a machine with 23 GB) is refused here, as Go's heap is, instead of
/// being mapped and faulting later. Pages still cost memory only when
/// first touched.
fn map_heap(bytes: usize) -> Result<*mut u8, MapError> {
    let p = mmap_anon(0, bytes, Prot::NONE, MapFlags::empty()).map_err(|_| MapError::Reserve)?;
    // SAFETY: [p, p+bytes) is our fresh reservation; nothing uses it yet.
    if unsafe { mprotect(p, bytes, Prot::READ | Prot::WRITE) }.is_err() {
        // SAFETY: [p, p+bytes) is our fresh reservation and nothing uses it;
        // the reservation is given back.
        let _ = unsafe { munmap(p, bytes) };
        return Err(MapError::Commit);
    }
    Ok(p)
}

/// Page-table bytes (whole pages) for `npages` heap pages.
const fn table_bytes(npages: usize) -> usize {
    (npages * core::mem::size_of::<PageMeta>()).next_multiple_of(PAGE_SIZE)
}

/// Adds an arena with room for at least `need` heap pages in one run.
fn grow(h: &mut PageHeap, need: usize) -> Result<(), HeapError> {
    let first = if h.next_bytes == 0 {
        FIRST_ARENA_BYTES
    } else {
        h.next_bytes
    };
    let bytes = (need * HEAP_PAGE + table_bytes(need))
        .max(first)
        .next_multiple_of(PAGE_SIZE);
    let out_of_memory = HeapError::OutOfMemory {
        bytes,
        in_use: h.in_use,
    };
    let i = NARENAS.load(Relaxed);
    if i == MAX_ARENAS {
        return Err(out_of_memory);
    }
    let p = match map_heap(bytes) {
        Ok(p) => p as usize,
        Err(MapError::Reserve) => return Err(out_of_memory),
        Err(MapError::Commit) => return Err(HeapError::Commit),
    };
    // As many heap pages as fit after their own table.
    let mut npages = bytes / HEAP_PAGE;
    while table_bytes(npages) + npages * HEAP_PAGE > bytes {
        npages -= 1;
    }
    let table = table_bytes(npages);
    let meta = p as *mut PageMeta;
    ARENA[i].base.store(p + table, Relaxed);
    ARENA[i].npages.store(npages, Relaxed);
    ARENA[i].meta.store(meta, Relaxed);
    NARENAS.store(i + 1, Release);
    h.mapped += bytes;
    h.next_bytes = (bytes * 2).min(MAX_ARENA_STEP);
    if i > 0 {
        h.grows += 1;
    }
    // The whole arena is one free run, clean (never touched). Its table is
    // zeroed by the kernel: every other record reads INNER, not dirty.
    h.free_pages += npages;
    // SAFETY: meta is the fresh, zeroed table of npages records; the
    // run is ours and on no list.
    unsafe { insert_free(h, meta, npages as u32, 0, scavenge::generation(), i as u8) };
    Ok(())
}

fn bin_of(len: u32) -> usize {
    (u32::BITS - 1 - len.leading_zeros()) as usize
}

/// Records `[m, m+len)` as one free run and lists it.
///
/// # Safety
/// The `len` records from `m` are one arena's, of pages nobody else owns.
unsafe fn insert_free(
    h: &mut PageHeap,
    m: *mut PageMeta,
    len: u32,
    ndirty: u32,
    freed_gen: u32,
    arena: u8,
) {
    // SAFETY: m and its run's last record lie in one table (contract).
    unsafe {
        let tail = m.add(len as usize - 1);
        (*tail).state = FREE;
        (*tail).len = len;
        let r = &mut *m;
        r.state = FREE;
        r.arena = arena;
        r.len = len;
        r.ndirty = ndirty;
        r.freed_gen = freed_gen;
        let b = bin_of(len);
        r.prev = null_mut();
        r.next = h.bins[b];
        if !r.next.is_null() {
            (*r.next).prev = m;
        }
        h.bins[b] = m;
    }
}

/// Takes the free run starting at `m` off its bin's list.
///
/// # Safety
/// `m` is the first record of a listed free run.
unsafe fn unlist(h: &mut PageHeap, m: *mut PageMeta) {
    // SAFETY: m is a listed run's first record (contract): its links are
    // records of listed runs, or null.
    unsafe {
        let r = &mut *m;
        if r.prev.is_null() {
            h.bins[bin_of(r.len)] = r.next;
        } else {
            (*r.prev).next = r.next;
        }
        if !r.next.is_null() {
            (*r.next).prev = r.prev;
        }
        r.state = INNER;
    }
}

/// The arena of the run whose first record is `m`: (base, table, pages).
///
/// # Safety
/// `m` is the first record of a run (free, allocated or scavenging).
unsafe fn arena_of(m: *const PageMeta) -> (usize, *mut PageMeta, usize) {
    // SAFETY: a run's first record holds its arena's index (contract).
    let a = &ARENA[unsafe { (*m).arena } as usize];
    (
        a.base.load(Relaxed),
        a.meta.load(Relaxed),
        a.npages.load(Relaxed),
    )
}

/// The address of the page whose record is `m`.
///
/// # Safety
/// As [`arena_of`].
unsafe fn page_addr(m: *const PageMeta) -> usize {
    // SAFETY: forwarded contract; m lies in its arena's table.
    unsafe {
        let (base, meta, _) = arena_of(m);
        base + m.offset_from(meta) as usize * HEAP_PAGE
    }
}

/// The record of the heap page holding `addr`, if an arena holds it.
/// Lock-free: arenas are published once and never change.
fn page_of(addr: usize) -> Option<*mut PageMeta> {
    for a in ARENA.iter().take(NARENAS.load(Acquire)).rev() {
        let base = a.base.load(Relaxed);
        let n = a.npages.load(Relaxed);
        if addr >= base && addr < base + n * HEAP_PAGE {
            return Some(a.meta.load(Relaxed).wrapping_add((addr - base) / HEAP_PAGE));
        }
    }
    None
}

/// Frees the run `[m, m+len)` (none of it listed), merging it with the
/// free runs on either side. `ndirty` of its pages are dirty; `freed_gen` is
/// the generation it was freed in. A merged run keeps the generation of
/// the part with more dirty pages, so that freeing a little memory next
/// to a large idle run does not keep the large one from aging.
///
/// # Safety
/// The records are one arena's, of pages the caller owns and gives up.
unsafe fn free_run(h: &mut PageHeap, m: *mut PageMeta, len: u32, ndirty: u32, freed_gen: u32) {
    // SAFETY: m starts the run being freed (contract).
    let (_, meta, npages) = unsafe { arena_of(m) };
    // SAFETY: m is in that table.
    let arena = unsafe { (*m).arena };
    let (mut head, mut len, mut ndirty, mut freed_gen) = (m, len, ndirty, freed_gen);
    h.free_pages += len as usize;
    h.dirty_pages += ndirty as usize;
    // SAFETY: neighbours are checked to lie in the same table; a FREE
    // record at a run boundary is a listed run's last or first record.
    unsafe {
        if head > meta {
            let before = head.sub(1);
            if (*before).state == FREE {
                let start = before.sub((*before).len as usize - 1);
                unlist(h, start);
                if (*start).ndirty > ndirty {
                    freed_gen = (*start).freed_gen;
                }
                len += (*start).len;
                ndirty += (*start).ndirty;
                head = start;
            }
        }
        let after = head.add(len as usize);
        if after < meta.add(npages) && (*after).state == FREE {
            unlist(h, after);
            if (*after).ndirty > ndirty {
                freed_gen = (*after).freed_gen;
            }
            len += (*after).len;
            ndirty += (*after).ndirty;
        }
        insert_free(h, head, len, ndirty, freed_gen, arena);
    }
}

/// Dirty pages among `[m, m+n)`.
///
/// # Safety
/// The records lie in one table.
unsafe fn count_dirty(m: *const PageMeta, n: u32) -> u32 {
    // SAFETY: forwarded contract.
    (0..n as usize)
        .filter(|&i| unsafe { (*m.add(i)).dirty })
        .count() as u32
}

/// Takes `n` pages from the free lists (first fit, smallest bin first),
/// growing the heap if none fits; the pages are marked dirty, the first
/// one `state`.
fn alloc_pages(h: &mut PageHeap, n: u32, state: u8) -> Result<*mut PageMeta, HeapError> {
    loop {
        let mut b = bin_of(n);
        while b < NBINS {
            let mut m = h.bins[b];
            // SAFETY: every record on a bin's list is a listed run's first.
            unsafe {
                while !m.is_null() && (*m).len < n {
                    m = (*m).next;
                }
                if !m.is_null() {
                    let (len, ndirty, freed_gen) = ((*m).len, (*m).ndirty, (*m).freed_gen);
                    let arena = (*m).arena;
                    unlist(h, m);
                    let taken = count_dirty(m, n);
                    if len > n {
                        let rest = m.add(n as usize);
                        insert_free(h, rest, len - n, ndirty - taken, freed_gen, arena);
                    }
                    h.free_pages -= n as usize;
                    h.dirty_pages -= taken as usize;
                    for i in 0..n as usize {
                        let r = &mut *m.add(i);
                        r.state = INNER;
                        r.dirty = true;
                    }
                    (*m).state = state;
                    (*m).len = n;
                    return Ok(m);
                }
            }
            b += 1;
        }
        grow(h, n as usize)?;
    }
}

/// A fresh span page for `malloc`: its record (state SPAN, with a zeroed
/// [`SpanState`] the caller fills in) and its address.
pub(crate) fn alloc_span() -> Result<(*mut PageMeta, usize), HeapError> {
    let mut h = HEAP.lock();
    let m = alloc_pages(&mut h, 1, SPAN)?;
    h.in_use += HEAP_PAGE;
    drop(h);
    // SAFETY: the span page is ours now; its record is only read by us,
    // and starts its (one-page) run.
    unsafe {
        (*m).span = SpanState::EMPTY;
        Ok((m, page_addr(m)))
    }
}

/// Gives a span page back (all its objects are free).
///
/// # Safety
/// `m` came from [`alloc_span`] and nothing uses its objects any more.
pub(crate) unsafe fn free_span(m: *mut PageMeta) {
    let mut h = HEAP.lock();
    h.in_use -= HEAP_PAGE;
    // SAFETY: the span page is given up (contract); it was dirty.
    unsafe { free_run(&mut h, m, 1, 1, scavenge::generation()) };
}

/// The span record of a small object's page (lock-free; see [`page_of`]).
///
/// # Safety
/// `addr` lies in a span page from [`alloc_span`].
pub(crate) unsafe fn span_of(addr: usize) -> *mut PageMeta {
    match page_of(addr) {
        Some(m) => m,
        None => unreachable!("a small object outside every arena"),
    }
}

/// Heap pages for `size` bytes at `align` (the slack an alignment above
/// a page needs included), or None if that overflows.
fn pages_for(layout: &Layout) -> Option<u32> {
    let slack = layout.align().saturating_sub(PAGE_SIZE);
    let bytes = layout.size().checked_add(slack)?.max(1);
    u32::try_from(bytes.div_ceil(HEAP_PAGE)).ok()
}

/// Allocates `layout` from the heap (a large object of whole heap pages),
/// growing it as needed. A small size with an alignment above the size
/// classes' own goes to a size class whose objects are that aligned.
pub fn alloc(layout: Layout) -> Result<NonNull<u8>, HeapError> {
    if let Some(class) = malloc::aligned_class(&layout) {
        let p = malloc::alloc_uncached(class)?;
        // SAFETY: the central lists never hand out null.
        return Ok(unsafe { NonNull::new_unchecked(p) });
    }
    let Some(n) = pages_for(&layout) else {
        return Err(HeapError::OutOfMemory {
            bytes: layout.size(),
            in_use: HEAP.lock().in_use,
        });
    };
    let mut h = HEAP.lock();
    let mut m = alloc_pages(&mut h, n, LARGE)?;
    // SAFETY: m starts our fresh run.
    let mut addr = unsafe { page_addr(m) };
    let aligned = addr.next_multiple_of(layout.align());
    // An alignment above a heap page: the whole pages before the aligned
    // address go back, so that the object starts in its run's first page.
    let lead = ((aligned - addr) / HEAP_PAGE) as u32;
    if lead > 0 {
        // SAFETY: the first `lead` pages of our fresh run, given back.
        unsafe {
            (*m).state = INNER;
            let arena = (*m).arena;
            free_run(&mut h, m, lead, lead, scavenge::generation());
            m = m.add(lead as usize);
            (*m).state = LARGE;
            (*m).arena = arena;
            (*m).len = n - lead;
        }
        addr += lead as usize * HEAP_PAGE;
    }
    debug_assert!(aligned - addr < HEAP_PAGE);
    h.in_use += layout.size();
    // SAFETY: aligned is inside our run, so not null.
    Ok(unsafe { NonNull::new_unchecked(aligned as *mut u8) })
}

/// Frees an allocation made by [`alloc`] with the same layout; a pointer
/// no arena holds, or that does not start a large object, is
/// [`HeapError::NotOwned`].
///
/// # Safety
/// `p` came from [`alloc`] with `layout` and is not used afterwards.
pub unsafe fn dealloc(p: NonNull<u8>, layout: Layout) -> Result<(), HeapError> {
    if let Some(class) = malloc::aligned_class(&layout) {
        // SAFETY: alloc served this layout from that class (same test).
        unsafe { malloc::free_uncached(class, p.as_ptr()) };
        return Ok(());
    }
    let m = page_of(p.as_ptr() as usize).ok_or(HeapError::NotOwned)?;
    let mut h = HEAP.lock();
    // SAFETY: m is a record of the page holding p; under the lock its
    // state says whether a large object starts there.
    unsafe {
        if (*m).state != LARGE {
            return Err(HeapError::NotOwned);
        }
        let len = (*m).len;
        (*m).state = INNER;
        h.in_use -= layout.size();
        free_run(&mut h, m, len, len, scavenge::generation());
    }
    Ok(())
}

/// Pages the scavenger gives back per system call: bounds how long a
/// free run is out of the lists.
const SCAVENGE_PIECE_PAGES: u32 = 64;

/// Returns to the kernel up to `budget` bytes of dirty free pages that
/// have been free for at least `min_age` generations as of `gen_now`
/// (Go's `pageAlloc.scavenge`); answers the bytes released. Called on
/// sysmon's M. Each piece is taken off the free lists under the lock,
/// advised with `MADV_DONTNEED` without it, and freed back clean.
pub(crate) fn scavenge(gen_now: u32, min_age: u32, budget: usize) -> usize {
    let mut done = 0;
    while done < budget {
        let mut h = HEAP.lock();
        let Some((piece, plen, pdirty, freed_gen)) =
            take_ripe(&mut h, gen_now, min_age, budget - done)
        else {
            break;
        };
        drop(h);
        // SAFETY: take_ripe made piece a run's first record.
        let addr = unsafe { page_addr(piece) };
        // SAFETY: the piece is out of every list and ours alone; nothing
        // reads its contents after the advice (the module note).
        let _ = unsafe {
            madvise(
                addr as *mut u8,
                plen as usize * HEAP_PAGE,
                advice::MADV_DONTNEED,
            )
        };
        let mut h = HEAP.lock();
        // SAFETY: the piece's records are ours until free_run lists them.
        unsafe {
            for i in 0..plen as usize {
                (*piece.add(i)).dirty = false;
            }
            (*piece).state = INNER;
            (*piece.add(plen as usize - 1)).state = INNER;
            free_run(&mut h, piece, plen, 0, freed_gen);
        }
        h.released += pdirty as usize * HEAP_PAGE;
        done += pdirty as usize * HEAP_PAGE;
    }
    done
}

/// Finds a free run old enough with dirty pages and takes out a piece of
/// at most `budget` bytes starting at its first dirty page: (its first
/// record, pages, dirty pages, the run's generation).
fn take_ripe(
    h: &mut PageHeap,
    gen_now: u32,
    min_age: u32,
    budget: usize,
) -> Option<(*mut PageMeta, u32, u32, u32)> {
    let max = SCAVENGE_PIECE_PAGES
        .min((budget.div_ceil(HEAP_PAGE)) as u32)
        .max(1);
    for b in 0..NBINS {
        let mut m = h.bins[b];
        // SAFETY: listed runs' records, under the lock; the split pieces
        // stay inside the run.
        unsafe {
            while !m.is_null() {
                let r = &*m;
                if r.ndirty > 0 && gen_now.wrapping_sub(r.freed_gen) >= min_age {
                    let (len, ndirty, freed_gen) = (r.len, r.ndirty, r.freed_gen);
                    let arena = r.arena;
                    let mut i = 0;
                    while !(*m.add(i as usize)).dirty {
                        i += 1;
                    }
                    let plen = max.min(len - i);
                    let piece = m.add(i as usize);
                    let pdirty = count_dirty(piece, plen);
                    unlist(h, m);
                    h.free_pages -= len as usize;
                    h.dirty_pages -= ndirty as usize;
                    if i > 0 {
                        h.free_pages += i as usize;
                        insert_free(h, m, i, 0, freed_gen, arena);
                    }
                    let rest = len - i - plen;
                    if rest > 0 {
                        h.free_pages += rest as usize;
                        h.dirty_pages += (ndirty - pdirty) as usize;
                        let after = piece.add(plen as usize);
                        insert_free(h, after, rest, ndirty - pdirty, freed_gen, arena);
                    }
                    (*piece).state = SCAVENGING;
                    (*piece).arena = arena;
                    (*piece).len = plen;
                    (*piece.add(plen as usize - 1)).state = SCAVENGING;
                    return Some((piece, plen, pdirty, freed_gen));
                }
                m = r.next;
            }
        }
    }
    None
}
