//! Small-object allocation: size classes, the per-P cache as plain data,
//! and the central lists, Go's `mcache` and `mcentral` (malloc.go,
//! mcache.go, mcentral.go). The program's `#[global_allocator]`, which
//! finds the current P's cache, is the scheduler's (`sched::mcache`).
//!
//! Objects up to [`MAX_SMALL`] bytes (and alignment up to 16; up to a page
//! through [`aligned_class`]) are rounded to one of [`NUM_CLASSES`] size
//! classes. Each P caches a free list per class and takes no lock on the
//! hot path; an empty list is refilled with a batch from the class's
//! central list (one spin lock per class). A list grown past twice its
//! batch gives a batch back. Larger objects go straight to
//! [`super::heap`].
//!
//! Spans: the central list carves objects from spans, one heap page
//! ([`HEAP_PAGE`], 64 KiB, page-aligned) each, and keeps per span, in the
//! page's record in the heap's page table (never in the span itself),
//! the objects given back to it and how many it has carved. A freed
//! object goes back to its own span (found from its address,
//! `heap::span_of`); a span whose every carved object is back returns to
//! the heap, where the scavenger can give its memory to the kernel. So
//! memory freed as many small objects is not stranded in the class's
//! lists (before, freed objects sat in one list per class forever).
//!
//! Invariant: a free object belongs to exactly one list (a P's cache or
//! its span's); the P that owns a cache is the only one touching it (no
//! preemption inside malloc). A P's cache holds at most twice a batch
//! (16 KiB of objects) per class, plus one uncarved run of at most a
//! batch: that much stays with each P, whatever the program frees, and
//! no one else may reclaim it (the scavenger runs on sysmon, without a
//! P). Heap failures are returned ([`HeapError`]); the caller reports
//! them. Lock order: a class's lock, then the heap's.

use core::alloc::Layout;

use spin::Mutex;

use super::PAGE_SIZE;
use super::heap::{self, HEAP_PAGE, HeapError, PageMeta};

/// Largest size served by the size classes.
pub const MAX_SMALL: usize = 32 * 1024;
/// Alignment every class guarantees.
const CLASS_ALIGN: usize = 16;
/// Bytes moved between a P's cache and the central list at a time.
const BATCH_BYTES: usize = 16 * 1024;
/// Most objects moved at a time.
const BATCH_MAX: u32 = 64;

/// The class sizes: 16-byte steps to 128, then four classes per doubling.
pub const CLASS_SIZES: [usize; NUM_CLASSES] = class_sizes();
pub const NUM_CLASSES: usize = 8 + 4 * 8;

const fn class_sizes() -> [usize; NUM_CLASSES] {
    let mut t = [0; NUM_CLASSES];
    let mut i = 0;
    while i < 8 {
        t[i] = 16 * (i + 1);
        i += 1;
    }
    let mut base = 128;
    while i < NUM_CLASSES {
        let step = base / 4;
        let mut k = 1;
        while k <= 4 {
            t[i] = base + step * k;
            i += 1;
            k += 1;
        }
        base *= 2;
    }
    t
}

/// Class of a size (`size <= MAX_SMALL`), by search over a 256-entry table
/// indexed by size / 128 and a linear step inside it.
#[inline]
pub fn size_class(size: usize) -> usize {
    if size <= 128 {
        return size.saturating_sub(1) / 16;
    }
    let mut c = CLASS_FLOOR[(size - 1) / 128];
    while CLASS_SIZES[c] < size {
        c += 1;
    }
    c
}

/// For each 128-byte bucket, the smallest class that might fit.
const CLASS_FLOOR: [usize; MAX_SMALL / 128] = class_floor();

const fn class_floor() -> [usize; MAX_SMALL / 128] {
    let mut t = [0; MAX_SMALL / 128];
    let mut b = 0;
    while b < MAX_SMALL / 128 {
        let lo = b * 128 + 1;
        let mut c = 0;
        while CLASS_SIZES[c] < lo {
            c += 1;
        }
        t[b] = c;
        b += 1;
    }
    t
}

const fn batch_of(class: usize) -> u32 {
    let n = BATCH_BYTES / CLASS_SIZES[class];
    if n == 0 {
        1
    } else if n as u32 > BATCH_MAX {
        BATCH_MAX
    } else {
        n as u32
    }
}

/// A free object, linked through its first word.
struct FreeObj {
    next: *mut FreeObj,
}

/// Free objects of one class: a linked list (`n` of them) and, after it, a
/// run of never-used objects `[bump, bump_end)` carved from a span. The run
/// is not linked up front, so memory is touched only as objects are used:
/// a program's start-up faults in the pages it allocates from, not whole
/// batches.
#[derive(Clone, Copy)]
struct FreeList {
    head: *mut FreeObj,
    n: u32,
    bump: usize,
    bump_end: usize,
}

impl FreeList {
    const EMPTY: FreeList = FreeList {
        head: core::ptr::null_mut(),
        n: 0,
        bump: 0,
        bump_end: 0,
    };

    fn is_empty(&self) -> bool {
        self.head.is_null() && self.bump == self.bump_end
    }

    /// Takes one object of `size` bytes, or null.
    fn take(&mut self, size: usize) -> *mut u8 {
        let o = self.head;
        if !o.is_null() {
            // SAFETY: listed objects are free and hold their successor.
            self.head = unsafe { (*o).next };
            self.n -= 1;
            return o as *mut u8;
        }
        if self.bump < self.bump_end {
            let o = self.bump;
            self.bump += size;
            return o as *mut u8;
        }
        core::ptr::null_mut()
    }
}

/// A P's cache: one free list per class (Go's `mcache`).
pub struct MCache {
    lists: [FreeList; NUM_CLASSES],
}

impl MCache {
    pub const fn new() -> MCache {
        MCache {
            lists: [FreeList::EMPTY; NUM_CLASSES],
        }
    }

    /// One object of `class` from this cache, refilled with a batch from
    /// the central list when empty (Go's `mcache.nextFree` + `refill`).
    #[inline]
    pub fn alloc(&mut self, class: usize) -> Result<*mut u8, HeapError> {
        let list = &mut self.lists[class];
        if list.is_empty() {
            *list = central_take(class, batch_of(class))?;
        }
        Ok(list.take(CLASS_SIZES[class]))
    }

    /// Gives every cached object back to the central lists (Go's
    /// `mcache.releaseAll`), for a P that GOMAXPROCS retired: its cache
    /// would otherwise keep up to two batches per class until revived.
    /// The never-used run of each list is linked first (it touches at most
    /// a batch of objects), so that its span can become empty and go back
    /// to the heap.
    pub fn release_all(&mut self) {
        for (class, list) in self.lists.iter_mut().enumerate() {
            let size = CLASS_SIZES[class];
            while list.bump + size <= list.bump_end {
                let o = list.bump as *mut FreeObj;
                // SAFETY: the run [bump, bump_end) is carved, never-used
                // objects of this class, ours alone.
                unsafe { (*o).next = list.head };
                list.head = o;
                list.n += 1;
                list.bump += size;
            }
            let n = list.n;
            central_give(class, list, n);
            *list = FreeList::EMPTY;
        }
    }

    /// Puts a freed object of `class` on this cache; a list grown past
    /// twice its batch gives a batch back to the central list.
    ///
    /// # Safety
    /// `p` is an object of `class` from these lists, no longer used.
    #[inline]
    pub unsafe fn free(&mut self, class: usize, p: *mut u8) {
        let o = p as *mut FreeObj;
        let list = &mut self.lists[class];
        // SAFETY: p is a freed object of this class, now ours (contract).
        unsafe { (*o).next = list.head };
        list.head = o;
        list.n += 1;
        let batch = batch_of(class);
        if list.n > 2 * batch {
            central_give(class, list, batch);
        }
    }
}

/// A span's state, kept in its heap page's record (`heap::PageMeta`) and
/// owned by the class's central list, under its lock. A zeroed value is
/// valid (an unused record).
pub(crate) struct SpanState {
    /// Links of the class's list of spans with free objects.
    next: *mut PageMeta,
    prev: *mut PageMeta,
    /// On that list.
    listed: bool,
    /// The span page's address.
    base: usize,
    /// Objects given back to this span, linked through their first word.
    free: *mut FreeObj,
    nfree: u32,
    /// Objects carved so far, from the span's start: the rest were never
    /// handed out.
    carved: u32,
}

impl SpanState {
    pub(crate) const EMPTY: SpanState = SpanState {
        next: core::ptr::null_mut(),
        prev: core::ptr::null_mut(),
        listed: false,
        base: 0,
        free: core::ptr::null_mut(),
        nfree: 0,
        carved: 0,
    };
}

/// The central list of one class (Go's `mcentral`): the spans that have
/// objects to give (freed ones, or never carved).
struct Central {
    partial: *mut PageMeta,
    npartial: u32,
}

// SAFETY: the raw pointers are span records, only touched under the Mutex.
unsafe impl Send for Central {}

static CENTRAL: [Mutex<Central>; NUM_CLASSES] = [const {
    Mutex::new(Central {
        partial: core::ptr::null_mut(),
        npartial: 0,
    })
}; NUM_CLASSES];

/// Objects of `class` in one span.
const fn objects_per_span(class: usize) -> u32 {
    (HEAP_PAGE / CLASS_SIZES[class]) as u32
}

/// Lists the span `m` on `c`.
///
/// # Safety
/// `m` is an unlisted span record of `c`'s class; `c`'s lock is held.
unsafe fn list_span(c: &mut Central, m: *mut PageMeta) {
    // SAFETY: span records of this class, under its lock (contract).
    unsafe {
        let s = &mut (*m).span;
        s.listed = true;
        s.prev = core::ptr::null_mut();
        s.next = c.partial;
        if !s.next.is_null() {
            (*s.next).span.prev = m;
        }
    }
    c.partial = m;
    c.npartial += 1;
}

/// Takes the span `m` off `c`'s list.
///
/// # Safety
/// `m` is a span record listed on `c`; `c`'s lock is held.
unsafe fn unlist_span(c: &mut Central, m: *mut PageMeta) {
    // SAFETY: span records of this class, under its lock (contract).
    unsafe {
        let s = &mut (*m).span;
        if s.prev.is_null() {
            c.partial = s.next;
        } else {
            (*s.prev).span.next = s.next;
        }
        if !s.next.is_null() {
            (*s.next).span.prev = s.prev;
        }
        s.listed = false;
    }
    c.npartial -= 1;
}

/// Takes up to `want` objects of `class` from the central list: the freed
/// objects of its first span (linked), or else an untouched run of the
/// span's never-carved objects; a new span from the heap when no span has
/// any. A span with nothing left to give leaves the list.
fn central_take(class: usize, want: u32) -> Result<FreeList, HeapError> {
    let size = CLASS_SIZES[class];
    let nobj = objects_per_span(class);
    let mut c = CENTRAL[class].lock();
    if c.partial.is_null() {
        let (m, base) = heap::alloc_span()?;
        // SAFETY: a fresh span record, ours; the lock of its class is held.
        unsafe {
            (*m).span.base = base;
            list_span(&mut c, m);
        }
    }
    let m = c.partial;
    let mut out = FreeList::EMPTY;
    // SAFETY: a listed span record of this class, under its lock; its free
    // objects are ours to hand out.
    unsafe {
        let s = &mut (*m).span;
        if s.nfree > 0 {
            while out.n < want && !s.free.is_null() {
                let o = s.free;
                s.free = (*o).next;
                (*o).next = out.head;
                out.head = o;
                out.n += 1;
            }
            s.nfree -= out.n;
        } else {
            let k = want.min(nobj - s.carved);
            out.bump = s.base + s.carved as usize * size;
            out.bump_end = out.bump + k as usize * size;
            s.carved += k;
        }
        if s.nfree == 0 && s.carved == nobj {
            unlist_span(&mut c, m);
        }
    }
    Ok(out)
}

/// Gives `n` objects from the front of `list` back to their spans. A span
/// whose every carved object has come back returns to the heap, unless it
/// is its class's only span with objects to give (kept, so that one
/// object allocated and freed over and over does not map and free a span
/// each time).
fn central_give(class: usize, list: &mut FreeList, n: u32) {
    let mut c = CENTRAL[class].lock();
    for _ in 0..n {
        let o = list.head;
        if o.is_null() {
            break;
        }
        // SAFETY: o is a free object on our list, from a span of this
        // class (the allocator's contract), whose record we own under the
        // class's lock.
        unsafe {
            list.head = (*o).next;
            list.n -= 1;
            let m = heap::span_of(o as usize);
            let s = &mut (*m).span;
            (*o).next = s.free;
            s.free = o;
            s.nfree += 1;
            if !s.listed {
                list_span(&mut c, m);
            }
            let s = &(*m).span;
            if s.nfree == s.carved && c.npartial > 1 {
                unlist_span(&mut c, m);
                heap::free_span(m);
            }
        }
    }
}

/// One object of `class` straight from the central list, for an M
/// without a P (no cache to use).
pub fn alloc_uncached(class: usize) -> Result<*mut u8, HeapError> {
    Ok(central_take(class, 1)?.take(CLASS_SIZES[class]))
}

/// Gives a freed object of `class` straight back to the central list.
///
/// # Safety
/// `p` is an object of `class` from these lists, no longer used.
pub unsafe fn free_uncached(class: usize, p: *mut u8) {
    let o = p as *mut FreeObj;
    let mut one = FreeList {
        head: o,
        n: 1,
        ..FreeList::EMPTY
    };
    // SAFETY: p is a freed object of this class, now ours, at least a
    // pointer in size and aligned, so its first word holds the link.
    unsafe { (*o).next = core::ptr::null_mut() };
    central_give(class, &mut one, 1);
}

/// The class serving a small `layout` whose alignment is above
/// [`CLASS_ALIGN`] (and at most a page): the smallest class that fits and
/// whose size is a multiple of the alignment, so that every object of a
/// span (page-aligned) is aligned. Powers of two up to [`MAX_SMALL`] are
/// classes, so one exists. None for the layouts [`is_small`] takes, and
/// for those the heap serves with whole pages.
pub fn aligned_class(layout: &Layout) -> Option<usize> {
    let align = layout.align();
    if align <= CLASS_ALIGN || align > PAGE_SIZE || layout.size() > MAX_SMALL {
        return None;
    }
    let mut c = size_class(layout.size().max(align));
    while !CLASS_SIZES[c].is_multiple_of(align) {
        c += 1;
    }
    Some(c)
}

/// Is `layout` served by the size classes (else by the heap directly)?
#[inline]
pub fn is_small(layout: &Layout) -> bool {
    layout.size() <= MAX_SMALL && layout.align() <= CLASS_ALIGN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_sorted_aligned_and_cover_max_small() {
        for w in CLASS_SIZES.windows(2) {
            assert!(w[0] < w[1]);
        }
        for s in CLASS_SIZES {
            assert_eq!(s % CLASS_ALIGN, 0);
        }
        assert_eq!(CLASS_SIZES[NUM_CLASSES - 1], MAX_SMALL);
    }

    #[test]
    fn size_class_is_the_smallest_fit() {
        for size in 1..=MAX_SMALL {
            let c = size_class(size);
            assert!(CLASS_SIZES[c] >= size, "size {size}");
            assert!(c == 0 || CLASS_SIZES[c - 1] < size, "size {size}");
        }
    }
}
