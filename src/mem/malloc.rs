//! Small-object allocation: size classes, the per-P cache as plain data,
//! and the central lists, Go's `mcache` and `mcentral` (malloc.go,
//! mcache.go, mcentral.go). The program's `#[global_allocator]`, which
//! finds the current P's cache, is the scheduler's (`sched::mcache`).
//!
//! Objects up to [`MAX_SMALL`] bytes (and alignment up to 16) are rounded
//! to one of [`NUM_CLASSES`] size classes. Each P caches a free list per
//! class and takes no lock on the hot path; an empty list is refilled with
//! a batch from the class's central list (one spin lock per class), which
//! carves spans from the heap. A list grown past twice its batch gives a
//! batch back. Larger objects go straight to [`super::heap`].
//!
//! Invariant: a cached object belongs to exactly one list; the P that owns
//! a cache is the only one touching it (no preemption inside malloc).
//! Heap failures are returned ([`HeapError`]); the caller reports them.

use core::alloc::Layout;

use spin::Mutex;

use super::heap::{self, HeapError};

/// Largest size served by the size classes.
pub const MAX_SMALL: usize = 32 * 1024;
/// Alignment every class guarantees.
const CLASS_ALIGN: usize = 16;
/// Bytes carved from the heap at a time for one class (at least 4 objects).
const SPAN_BYTES: usize = 64 * 1024;
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

/// The central list of one class (Go's `mcentral`).
struct Central {
    free: FreeList,
    /// Uncarved rest of the current span.
    next: usize,
    end: usize,
}

// SAFETY: the raw pointers are only touched under the Mutex.
unsafe impl Send for Central {}

static CENTRAL: [Mutex<Central>; NUM_CLASSES] = [const {
    Mutex::new(Central {
        free: FreeList::EMPTY,
        next: 0,
        end: 0,
    })
}; NUM_CLASSES];

/// Takes up to `want` objects of `class` from the central list.
/// Objects freed back to the central list first (linked); with none, an
/// untouched run of up to `want` objects from the current span.
fn central_take(class: usize, want: u32) -> Result<FreeList, HeapError> {
    let size = CLASS_SIZES[class];
    let mut c = CENTRAL[class].lock();
    let mut out = FreeList::EMPTY;
    while out.n < want && !c.free.head.is_null() {
        let o = c.free.head;
        // SAFETY: objects on the central list are free and ours.
        unsafe {
            c.free.head = (*o).next;
            (*o).next = out.head;
        }
        c.free.n -= 1;
        out.head = o;
        out.n += 1;
    }
    if out.n > 0 {
        return Ok(out);
    }
    if c.next + size > c.end {
        let span = SPAN_BYTES.max(4 * size);
        let p = heap::alloc(Layout::from_size_align(span, CLASS_ALIGN).unwrap())?;
        c.next = p.as_ptr() as usize;
        c.end = c.next + span;
    }
    let run = (want as usize * size).min((c.end - c.next) / size * size);
    out.bump = c.next;
    out.bump_end = c.next + run;
    c.next += run;
    Ok(out)
}

/// Gives `n` objects from the front of `list` back to the central list.
fn central_give(class: usize, list: &mut FreeList, n: u32) {
    let mut c = CENTRAL[class].lock();
    for _ in 0..n {
        let o = list.head;
        if o.is_null() {
            break;
        }
        // SAFETY: o is a free object on our list.
        unsafe {
            list.head = (*o).next;
            (*o).next = c.free.head;
        }
        list.n -= 1;
        c.free.head = o;
        c.free.n += 1;
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
