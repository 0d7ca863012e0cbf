//! Goroutine stacks: Go's `stackalloc`/`stackfree` (stack.go), for stacks
//! that cannot move.
//!
//! Rust cannot relocate a stack, so each goroutine gets a fixed-size stack,
//! lazily committed (`MAP_NORESERVE`: untouched pages cost no memory and
//! no overcommit charge), with a guard page below it. The sizes: the main
//! goroutine [`MAIN_STACK_SIZE`] (8 MiB, a C or Rust main thread's),
//! every other goroutine [`DEFAULT_STACK_SIZE`] (256 KiB); both can be
//! changed once, at start-up, before the first stack ([`set_sizes`],
//! from the `RT0_STACK` and `RT0_MAIN_STACK` variables).
//!
//! Default-size stacks are carved from chunks of up to
//! [`MAX_STACKS_PER_CHUNK`] slots, one `mmap` per chunk, each chunk
//! aligned to its own size (a power of two) so that a stack finds its
//! chunk's header by masking its address ([`Geometry`]). A new chunk is
//! asked for just below the last one, so that chunks lie side by side
//! and the kernel merges them into one mapping.
//!
//! What a parked goroutine costs: the stack pages it touched (one, for a
//! goroutine that parks at once), plus its share of the page tables: the
//! kernel allocates a 4 KiB page-table page per 2 MiB of address space
//! that holds a touched page, so with stacks side by side a 256 KiB
//! stack (260 KiB with its guard) costs 4096 * 260 / 2048 = 520 bytes of
//! page table per goroutine that touched its stack. README, "Stacks",
//! has the measured figures.
//!
//! Guard pages: Linux >= 6.13 has `madvise(MADV_GUARD_INSTALL)`, which puts
//! a guard inside a mapping without splitting it, so a million guarded
//! stacks fit under the default `vm.max_map_count` (65530). Older kernels
//! and qemu-user (which answers 0 and does nothing) get `mprotect`, which
//! costs two mappings per stack (about 32,000 stacks in all). A probe at
//! first use checks that the madvise guard really holds: the kernel must
//! refuse to read it (see [`probe_guard`]).
//!
//! Slot layout, low to high: `[guard page][stack: lo .. hi)`.
//!
//! Failures are returned ([`StackError`]): the scheduler, which asked for
//! the stack, reports them (`sched::stack`). Nothing here prints or throws.

use core::sync::atomic::{
    AtomicBool, AtomicUsize,
    Ordering::{Relaxed, SeqCst},
    fence,
};
use spin::{Mutex, Once};

use super::PAGE_SIZE;
use super::scavenge;
use crate::racy::RacyCell;
use crate::sys::Errno;
use crate::sys::mm::{MapFlags, Prot, advice, madvise, mmap_anon, mprotect, munmap};

/// The bounds of a stack, `[lo, hi)`: Go's `stack` struct, the type of
/// `g.stack`. Plain data: the scheduler keeps one in every G (its layout
/// is read by the asm: `arch::offsets`) and M.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Stack {
    pub lo: usize,
    pub hi: usize,
}

/// Default goroutine stack: 256 KiB. Go starts at 2 KiB (`_StackMin`)
/// and grows; a Rust stack cannot grow, so the default must fit ordinary
/// code from the start: formatting, collections, recursion a few thousand
/// frames deep, channel elements of 64 KiB (Go's largest). It costs only
/// the pages a goroutine touches, plus 520 bytes of page table once it
/// touched any (module note): 256 KiB is the largest power of two that
/// keeps a parked goroutine within 5 KiB.
pub const DEFAULT_STACK_SIZE: usize = 256 * 1024;

/// The main goroutine's stack: 8 MiB, what a C or Rust program's main
/// thread gets under the usual `ulimit -s` (RLIMIT_STACK).
pub const MAIN_STACK_SIZE: usize = 8 << 20;

/// Distance of `stackguard0` above `stack.lo` (Go's `_StackGuard`); the
/// number lives with the asm that uses it for g0 (`arch::entry`).
pub use crate::arch::entry::STACK_GUARD;

/// Most default-size stacks carved from one chunk (a chunk's free slots
/// are one `u64` bit set).
pub const MAX_STACKS_PER_CHUNK: usize = 64;
/// Fewest slots a chunk is sized for, where the stack is not huge: a
/// chunk is the smallest power of two that holds this many.
const MIN_STACKS_PER_CHUNK: usize = 32;
/// Largest chunk alignment chosen to fit [`MIN_STACKS_PER_CHUNK`] slots;
/// stacks bigger than a 32nd of it get fewer slots per chunk.
const MAX_CHUNK_ALIGN: usize = 1 << 30;
/// The first chunk has at most this many slots: it serves start-up and
/// small programs.
const FIRST_CHUNK_STACKS: usize = 8;

/// The shape of the default-stack pool, fixed at the first stack:
/// `slots` slots of `slot` bytes (a guard page and a `size`-byte stack)
/// after a header page, in a chunk of `align` bytes aligned to `align`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Geometry {
    /// A default stack, in bytes (a page multiple).
    pub(crate) size: usize,
    /// `size` plus the guard page.
    pub(crate) slot: usize,
    /// A chunk's address space and alignment, a power of two.
    pub(crate) align: usize,
    /// Slots in a full chunk, 1 to [`MAX_STACKS_PER_CHUNK`].
    pub(crate) slots: usize,
}

impl Geometry {
    /// The pool for default stacks of `size` bytes (a page multiple, at
    /// most [`MAX_STACK_BYTES`]). For 256 KiB: 63 slots of 260 KiB after
    /// the header page fill a 16 MiB chunk exactly.
    pub(crate) const fn for_size(size: usize) -> Geometry {
        let slot = size + PAGE_SIZE;
        let mut align = (PAGE_SIZE + MIN_STACKS_PER_CHUNK * slot).next_power_of_two();
        if align > MAX_CHUNK_ALIGN {
            align = (PAGE_SIZE + slot).next_power_of_two();
            if align < MAX_CHUNK_ALIGN {
                align = MAX_CHUNK_ALIGN;
            }
        }
        let mut slots = (align - PAGE_SIZE) / slot;
        if slots > MAX_STACKS_PER_CHUNK {
            slots = MAX_STACKS_PER_CHUNK;
        }
        Geometry {
            size,
            slot,
            align,
            slots,
        }
    }
}

/// The largest stack size [`set_sizes`] takes (Go's `maxstacksize` on
/// 64-bit systems, the API's `MAX_STACK_SIZE`), rounded down to pages.
pub const MAX_STACK_BYTES: usize = 1_000_000_000 / PAGE_SIZE * PAGE_SIZE;

/// The default pool's shape: the built-in default's (computed at compile
/// time) until [`set_sizes`] changes it during start-up, then fixed. Every
/// M reads it without synchronisation: the one write happens on m0 before
/// the first thread is cloned.
static GEOMETRY: RacyCell<Geometry> = RacyCell::new(Geometry::for_size(DEFAULT_STACK_SIZE));
/// The main goroutine's stack size, in bytes (a page multiple).
static MAIN_SIZE: AtomicUsize = AtomicUsize::new(MAIN_STACK_SIZE);
/// Set by [`set_sizes`] and by the first [`stackalloc`]: from then on the
/// sizes stay as they are (a stack's size says which pool it belongs to).
static SIZES_FIXED: AtomicBool = AtomicBool::new(false);

/// The default pool's shape.
#[inline]
pub(crate) fn geometry() -> &'static Geometry {
    // SAFETY: written only by set_sizes, during the single-threaded
    // start-up and before any stack exists (its contract); read-only after.
    unsafe { &*GEOMETRY.get() }
}

/// The stack size a goroutine started without a size gets, in bytes.
#[inline]
pub fn default_size() -> usize {
    geometry().size
}

/// The main goroutine's stack size, in bytes.
pub fn main_size() -> usize {
    MAIN_SIZE.load(Relaxed)
}

/// Sets the default and the main goroutine's stack sizes (each rounded
/// up to pages and kept within one page and [`MAX_STACK_BYTES`]), once:
/// false (and nothing changes) if they were set before or a stack was
/// already allocated.
///
/// # Safety
/// Start-up only: on m0, before any other thread exists (the pool's shape
/// is then read without synchronisation).
pub unsafe fn set_sizes(default: usize, main: usize) -> bool {
    if SIZES_FIXED.swap(true, Relaxed) {
        return false;
    }
    let round = |b: usize| {
        b.clamp(PAGE_SIZE, MAX_STACK_BYTES)
            .next_multiple_of(PAGE_SIZE)
    };
    // SAFETY: single-threaded start-up (contract), no stack yet (the flag):
    // nobody reads the shape meanwhile.
    unsafe { *GEOMETRY.get() = Geometry::for_size(round(default)) };
    MAIN_SIZE.store(round(main), Relaxed);
    true
}

/// How a guard page is put below a stack.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GuardKind {
    /// `madvise(MADV_GUARD_INSTALL)`: no extra mapping.
    Madvise,
    /// `mprotect(PROT_NONE)`: splits the mapping.
    Mprotect,
}

static GUARD_KIND: Once<GuardKind> = Once::new();

/// The guard mechanism in use (probing on first call).
pub fn guard_kind() -> GuardKind {
    *GUARD_KIND.call_once(probe_guard)
}

/// Does `MADV_GUARD_INSTALL` work here, for real?
///
/// The test asks the kernel to fault the guarded page in
/// (`madvise(MADV_POPULATE_READ)`): a real guard answers `EFAULT`.
/// qemu-user, which ignores the guard madvise (and answers 0 to both), and
/// kernels without guards fail the test and get `mprotect` guards. The
/// probe touches no memory itself, so tools that intercept system calls
/// (valgrind) see nothing unusual.
fn probe_guard() -> GuardKind {
    let Ok(p) = mmap_anon(0, PAGE_SIZE, Prot::READ | Prot::WRITE, MapFlags::NORESERVE) else {
        return GuardKind::Mprotect;
    };
    let mut kind = GuardKind::Mprotect;
    // SAFETY: p is our fresh one-page mapping; populating it is harmless.
    unsafe {
        if madvise(p, PAGE_SIZE, advice::MADV_GUARD_INSTALL).is_ok()
            && madvise(p, PAGE_SIZE, advice::MADV_POPULATE_READ) == Err(Errno::EFAULT)
        {
            kind = GuardKind::Madvise;
        }
    }
    // SAFETY: the probe mapping is ours and unused.
    let _ = unsafe { munmap(p, PAGE_SIZE) };
    kind
}

/// The header of a chunk of default-size stacks, in the chunk's first
/// page (the only page of the chunk the pool itself writes): which slots
/// are free, which of those hold no memory, and when the chunk last took
/// a stack back. Owned by [`POOL`]'s lock.
#[repr(C)]
struct ChunkHeader {
    /// Slots in the chunk.
    nslots: u32,
    /// Scavenger generation of the last free into the chunk.
    freed_gen: u32,
    /// Free slots (in the pool: not in use, not in a P's cache).
    free: u64,
    /// Free slots whose stack holds no memory: released to the kernel, or
    /// never used (a prepared slot's top page excepted).
    clean: u64,
    /// Slots whose guard page is still to be installed (the first chunk).
    unguarded: u64,
    /// Links of the pool's list of chunks with free slots.
    next_free: *mut ChunkHeader,
    prev_free: *mut ChunkHeader,
    listed: bool,
    /// Next chunk of all chunks (the scavenger's walk).
    next_all: *mut ChunkHeader,
}

/// The pool of default-size stacks: chunks of [`Geometry::slots`] slots
/// (one `mmap` each, aligned to their size, the first one smaller). A
/// free stack's state is in its chunk's header, never in the stack, so
/// the scavenger can give a whole free stack to the kernel.
struct Pool {
    /// Chunks with free slots.
    with_free: *mut ChunkHeader,
    /// Every chunk.
    all: *mut ChunkHeader,
    /// Chunks mapped (or being mapped) so far. The first is prepared slot
    /// by slot, as stacks are handed out, so that a small program's
    /// start-up pays for one stack, not 64; later chunks are prepared
    /// whole ([`prepare_chunk`]).
    chunks: usize,
    /// Free slots that hold memory (not clean), for pacing.
    dirty: usize,
    /// Where the next chunk is asked for: one chunk below the last one
    /// mapped (0 before the first).
    next_chunk: usize,
}

// SAFETY: the raw pointers are chunk headers, which are never unmapped;
// they are only followed under the Mutex.
unsafe impl Send for Pool {}

static POOL: Mutex<Pool> = Mutex::new(Pool {
    with_free: core::ptr::null_mut(),
    all: core::ptr::null_mut(),
    chunks: 0,
    dirty: 0,
    next_chunk: 0,
});

/// Free stacks in the pool that hold memory, in bytes (for pacing).
pub(crate) fn dirty_free_bytes() -> usize {
    POOL.lock().dirty * default_size()
}

/// Lists `c` among the chunks with free slots.
///
/// # Safety
/// `c` is an unlisted chunk header; the pool's lock is held.
unsafe fn list_chunk(pool: &mut Pool, c: *mut ChunkHeader) {
    // SAFETY: chunk headers, under the pool's lock (contract).
    unsafe {
        (*c).listed = true;
        (*c).prev_free = core::ptr::null_mut();
        (*c).next_free = pool.with_free;
        if !pool.with_free.is_null() {
            (*pool.with_free).prev_free = c;
        }
    }
    pool.with_free = c;
}

/// Takes `c` off the list of chunks with free slots.
///
/// # Safety
/// `c` is a listed chunk header; the pool's lock is held.
unsafe fn unlist_chunk(pool: &mut Pool, c: *mut ChunkHeader) {
    // SAFETY: chunk headers, under the pool's lock (contract).
    unsafe {
        let h = &mut *c;
        if h.prev_free.is_null() {
            pool.with_free = h.next_free;
        } else {
            (*h.prev_free).next_free = h.next_free;
        }
        if !h.next_free.is_null() {
            (*h.next_free).prev_free = h.prev_free;
        }
        h.listed = false;
    }
}

/// The bottom (guard page) of slot `i` of the chunk at `c`.
fn slot_base(c: *mut ChunkHeader, i: usize) -> usize {
    c as usize + PAGE_SIZE + i * geometry().slot
}

fn stack_of_slot(c: *mut ChunkHeader, i: usize) -> Stack {
    let base = slot_base(c, i);
    Stack {
        lo: base + PAGE_SIZE,
        hi: base + geometry().slot,
    }
}

/// Why no stack could be had. The caller reports it (Go's wording in each
/// variant's note).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackError {
    /// The kernel refused `bytes` for a stack (or its guard) with `errno`:
    /// `runtime: cannot allocate N-byte stack: errno E` + `out of memory`.
    OutOfMemory { bytes: usize, errno: Errno },
    /// The size, with its guard page, overflows the address space: a
    /// runtime bug, since callers keep sizes within their own limit.
    Overflow,
}

fn out_of_stack_memory(bytes: usize, errno: Errno) -> StackError {
    StackError::OutOfMemory { bytes, errno }
}

/// Puts the guard page at `guard`.
fn install_guard(guard: *mut u8) -> Result<(), StackError> {
    let r = match guard_kind() {
        // SAFETY: guard is the bottom page of a slot we own.
        GuardKind::Madvise => unsafe { madvise(guard, PAGE_SIZE, advice::MADV_GUARD_INSTALL) },
        // SAFETY: guard is the bottom page of a slot we own; no one has a
        // reference into it yet.
        GuardKind::Mprotect => unsafe { mprotect(guard, PAGE_SIZE, Prot::NONE) },
    };
    r.map_err(|e| out_of_stack_memory(PAGE_SIZE, e))
}

/// Readies the `slots` fresh slots of `slot` bytes at `base` (a chunk's
/// first slot; at most [`MAX_STACKS_PER_CHUNK`]): a guard page at the bottom of every slot, and the top page of
/// every stack committed ahead of use (the page every goroutine touches
/// first). With `process_madvise` (which takes a list of ranges) that is
/// two system calls per chunk instead of a `madvise` and a page fault per
/// stack: about a fifth less kernel time per new stack on these machines.
/// Where the kernel refuses it, each guard gets its own call and the top
/// pages fault in on first touch.
fn prepare_chunk(base: usize, slot: usize, slots: usize) -> Result<(), StackError> {
    let guards: [(usize, usize); MAX_STACKS_PER_CHUNK] =
        core::array::from_fn(|i| (base + i * slot, PAGE_SIZE));
    let guards = &guards[..slots];
    if guard_kind() != GuardKind::Madvise
        || batch_advise(guards, advice::MADV_GUARD_INSTALL).is_err()
    {
        for &(g, _) in guards {
            install_guard(g as *mut u8)?;
        }
    }
    let tops: [(usize, usize); MAX_STACKS_PER_CHUNK] =
        core::array::from_fn(|i| (base + (i + 1) * slot - PAGE_SIZE, PAGE_SIZE));
    // Best effort: without it the pages fault in as the goroutines run.
    let _ = batch_advise(&tops[..slots], advice::MADV_POPULATE_WRITE);
    Ok(())
}

/// `process_madvise` on this process for a list of (address, length)
/// ranges (at most [`MAX_STACKS_PER_CHUNK`]), all in one call.
fn batch_advise(ranges: &[(usize, usize)], adv: usize) -> Result<(), Errno> {
    let pidfd = crate::sys::mm::self_pidfd()?;
    let iov: [crate::sys::mm::IoVec; MAX_STACKS_PER_CHUNK] = core::array::from_fn(|i| {
        let (base, len) = ranges.get(i).copied().unwrap_or((0, 0));
        crate::sys::mm::IoVec { base, len }
    });
    let done = crate::sys::mm::process_madvise(pidfd, &iov[..ranges.len()], adv)?;
    let want: usize = ranges.iter().map(|r| r.1).sum();
    if done != want {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

/// Allocates a stack of `size` bytes (rounded up to pages) with a guard
/// page below it (Go's `stackalloc`), or why the kernel gave none.
/// Callers keep `size` within their own limit (the API's
/// `MAX_STACK_SIZE`); a size whose slot would overflow the address space
/// is [`StackError::Overflow`].
pub fn stackalloc(size: usize) -> Result<Stack, StackError> {
    SIZES_FIXED.store(true, Relaxed);
    let Some((size, slot)) = size
        .checked_next_multiple_of(PAGE_SIZE)
        .and_then(|s| Some((s, s.checked_add(PAGE_SIZE)?)))
    else {
        return Err(StackError::Overflow);
    };
    if size == default_size() {
        return default_stack();
    }
    match mmap_anon(
        0,
        slot,
        Prot::READ | Prot::WRITE,
        MapFlags::NORESERVE | MapFlags::STACK,
    ) {
        Ok(p) => {
            install_guard(p)?;
            Ok(Stack {
                lo: p as usize + PAGE_SIZE,
                hi: p as usize + slot,
            })
        }
        Err(e) => Err(out_of_stack_memory(slot, e)),
    }
}

/// Maps a chunk of `slots` slots at a multiple of its alignment
/// ([`Geometry::align`]): first just below the last chunk
/// (`pool.next_chunk`, with `MAP_FIXED_NOREPLACE`), so chunks lie side
/// by side and the kernel merges them into one mapping; where that range
/// is taken (the heap grew there), or the kernel placed the mapping
/// elsewhere (one without `MAP_FIXED_NOREPLACE` takes it as a hint),
/// anywhere: the mapping then asks for one alignment more and gives back
/// what lies before and after the aligned chunk, and later chunks go
/// below that one.
///
/// Called with the pool's lock held, so that chunks are mapped in the
/// order of their addresses: the kernel merges a new mapping with its
/// neighbour above only if that one was mapped first (once a mapping's
/// pages are touched it has its own reverse-map record, and two such
/// mappings never merge). One `mmap` is a few microseconds; preparing the
/// chunk is done after the lock is dropped.
fn map_chunk(pool: &mut Pool, slots: usize) -> Result<*mut ChunkHeader, StackError> {
    let g = geometry();
    let bytes = PAGE_SIZE + slots * g.slot;
    let rw = Prot::READ | Prot::WRITE;
    let flags = MapFlags::NORESERVE | MapFlags::STACK | MapFlags::FIXED_NOREPLACE;
    let hint = pool.next_chunk;
    if hint != 0 {
        match mmap_anon(hint, bytes, rw, flags) {
            Ok(p) if p as usize == hint => {
                pool.next_chunk = hint.saturating_sub(g.align);
                return Ok(hint as *mut ChunkHeader);
            }
            Ok(p) => {
                // SAFETY: our own fresh mapping, at the wrong place.
                let _ = unsafe { munmap(p, bytes) };
            }
            Err(_) => {}
        }
    }
    let base = map_aligned(bytes, g.align)?;
    pool.next_chunk = base.saturating_sub(g.align);
    Ok(base as *mut ChunkHeader)
}

/// Maps `bytes` at a multiple of `align` (a power of two), anywhere.
fn map_aligned(bytes: usize, align: usize) -> Result<usize, StackError> {
    let flags = MapFlags::NORESERVE | MapFlags::STACK;
    let want = bytes + align - PAGE_SIZE;
    let p = match mmap_anon(0, want, Prot::READ | Prot::WRITE, flags) {
        Ok(p) => p as usize,
        Err(e) => return Err(out_of_stack_memory(bytes, e)),
    };
    let base = p.next_multiple_of(align);
    // SAFETY: the ranges before and after [base, base+bytes) are the
    // unused ends of our own fresh mapping.
    unsafe {
        if base > p {
            let _ = munmap(p as *mut u8, base - p);
        }
        let end = base + bytes;
        if p + want > end {
            let _ = munmap(end as *mut u8, p + want - end);
        }
    }
    Ok(base)
}

/// A default-size stack: a free one from the pool (one that still holds
/// memory first, as it needs no new page faults), else a new chunk. A
/// new chunk is mapped under the pool's lock (one `mmap`, see
/// [`map_chunk`]) and prepared without it (preparing 63 stacks takes
/// hundreds of microseconds, and other Ms may need a freed stack
/// meanwhile).
fn default_stack() -> Result<Stack, StackError> {
    let mut pool = POOL.lock();
    let c = pool.with_free;
    if !c.is_null() {
        // SAFETY: a listed chunk header, under the pool's lock.
        let (i, guard) = unsafe {
            let h = &mut *c;
            let dirty = h.free & !h.clean;
            let i = if dirty != 0 { dirty } else { h.free }.trailing_zeros() as usize;
            let bit = 1u64 << i;
            if h.clean & bit == 0 {
                pool.dirty -= 1;
            }
            h.free &= !bit;
            h.clean &= !bit;
            let guard = h.unguarded & bit != 0;
            h.unguarded &= !bit;
            if h.free == 0 {
                unlist_chunk(&mut pool, c);
            }
            (i, guard)
        };
        drop(pool);
        if guard {
            install_guard(slot_base(c, i) as *mut u8)?;
        }
        return Ok(stack_of_slot(c, i));
    }
    let first = pool.chunks == 0;
    pool.chunks += 1;
    // The first chunk is small and prepared stack by stack (start-up
    // pays for one); later ones are prepared whole.
    let full = geometry().slots;
    let slots = if first {
        full.min(FIRST_CHUNK_STACKS)
    } else {
        full
    };
    let c = map_chunk(&mut pool, slots)?;
    drop(pool);
    if !first {
        prepare_chunk(slot_base(c, 0), geometry().slot, slots)?;
    }
    let all = if slots == MAX_STACKS_PER_CHUNK {
        u64::MAX
    } else {
        (1u64 << slots) - 1
    };
    // Slot 0 is ours; the others are free and clean.
    let free = all & !1;
    let mut pool = POOL.lock();
    // SAFETY: c is our fresh chunk; its header page is written only here
    // and, once published, under the pool's lock.
    unsafe {
        c.write(ChunkHeader {
            nslots: slots as u32,
            freed_gen: scavenge::generation(),
            free,
            clean: free,
            unguarded: if first { free } else { 0 },
            next_free: core::ptr::null_mut(),
            prev_free: core::ptr::null_mut(),
            listed: false,
            next_all: pool.all,
        });
        pool.all = c;
        if free != 0 {
            list_chunk(&mut pool, c);
        }
    }
    drop(pool);
    if first {
        install_guard(slot_base(c, 0) as *mut u8)?;
    }
    Ok(stack_of_slot(c, 0))
}

/// Returns a stack (Go's `stackfree`): default-size stacks go back to
/// their chunk's free slots (nothing is written into the stack), others
/// are unmapped with their guard page.
///
/// # Safety
/// `st` came from [`stackalloc`] (so it is mapped, with its guard page
/// below `lo`), nothing runs on it any more, and it is freed once.
pub unsafe fn stackfree(st: Stack) {
    let size = st.hi - st.lo;
    let g = geometry();
    if size == g.size {
        let c = (st.lo & !(g.align - 1)) as *mut ChunkHeader;
        let i = (st.lo - PAGE_SIZE - slot_base(c, 0)) / g.slot;
        let mut pool = POOL.lock();
        // SAFETY: a default stack lies in a chunk whose header is at the
        // aligned address below it; the header is ours under the lock.
        unsafe {
            let h = &mut *c;
            debug_assert!(i < h.nslots as usize && h.free & (1 << i) == 0);
            h.free |= 1 << i;
            h.freed_gen = scavenge::generation();
            pool.dirty += 1;
            if !h.listed {
                list_chunk(&mut pool, c);
            }
        }
        return;
    }
    // A traceback may be reading this stack (it saw the goroutine alive
    // before it died): then the mapping stays, for good, rather than
    // fault under the reader. The goroutine's status is already GDEAD
    // (the caller's store, before this fence); a reader raises the count
    // and fences before it looks at statuses, so either it sees GDEAD
    // and never touches the stack, or this sees its count.
    fence(SeqCst);
    if STACK_READERS.load(Relaxed) != 0 {
        return;
    }
    // SAFETY: a non-default stack is its own mapping, guard page included.
    let _ = unsafe { munmap((st.lo - PAGE_SIZE) as *mut u8, size + PAGE_SIZE) };
}

/// Tracebacks under way that read other goroutines' stacks: while it is
/// not 0, [`stackfree`] leaves a stack of its own mapping mapped.
static STACK_READERS: AtomicUsize = AtomicUsize::new(0);

/// Marks a traceback that reads other goroutines' stacks, for as long as
/// the guard lives (see [`stackfree`]).
pub(crate) struct StackReader(());

impl StackReader {
    pub(crate) fn new() -> StackReader {
        STACK_READERS.fetch_add(1, SeqCst);
        // Pairs with stackfree's fence: statuses read after this see
        // GDEAD, or stackfree sees the count.
        fence(SeqCst);
        StackReader(())
    }
}

impl Drop for StackReader {
    fn drop(&mut self) {
        STACK_READERS.fetch_sub(1, SeqCst);
    }
}

/// Gives the kernel the memory of up to `budget` bytes of free stacks in
/// chunks that took no stack back for `min_age` generations as of
/// `gen_now` (Go frees stack spans to the heap at GC and scavenges them
/// there); answers the bytes released. Called on sysmon's M. A chunk's
/// ripe slots leave the free set while the lock is dropped for the
/// `madvise` calls, then come back free and clean. The stacks in the Ps'
/// caches (`p.stackcache`, at most `STACK_CACHE_MAX` per P) are their
/// Ps': the scavenger never touches them.
pub(crate) fn scavenge(gen_now: u32, min_age: u32, budget: usize) -> usize {
    let mut done = 0;
    let mut pool = POOL.lock();
    let mut c = pool.all;
    while !c.is_null() && done < budget {
        // SAFETY: chunk headers, under the pool's lock (reacquired below
        // before each access); chunks are never unmapped.
        let ripe = unsafe {
            let h = &mut *c;
            let dirty = h.free & !h.clean;
            if dirty == 0 || gen_now.wrapping_sub(h.freed_gen) < min_age {
                c = h.next_all;
                continue;
            }
            h.free &= !dirty;
            if h.free == 0 && h.listed {
                unlist_chunk(&mut pool, c);
            }
            pool.dirty -= dirty.count_ones() as usize;
            dirty
        };
        drop(pool);
        let mut left = ripe;
        while left != 0 {
            let i = left.trailing_zeros() as usize;
            left &= left - 1;
            let st = stack_of_slot(c, i);
            // SAFETY: the slot is out of the free set, so ours alone;
            // nothing reads a free stack's contents (the module note).
            let _ = unsafe { madvise(st.lo as *mut u8, st.hi - st.lo, advice::MADV_DONTNEED) };
        }
        done += ripe.count_ones() as usize * default_size();
        pool = POOL.lock();
        // SAFETY: as above.
        unsafe {
            let h = &mut *c;
            h.free |= ripe;
            h.clean |= ripe;
            if !h.listed {
                list_chunk(&mut pool, c);
            }
            c = h.next_all;
        }
    }
    done
}

#[cfg(test)]
mod tests {
    //! The pool's shape for the sizes the knobs can give.
    use super::*;

    #[test]
    fn the_default_fills_a_16_mib_chunk() {
        let g = Geometry::for_size(DEFAULT_STACK_SIZE);
        assert_eq!((g.slot, g.align, g.slots), (260 << 10, 16 << 20, 63));
        assert_eq!(PAGE_SIZE + g.slots * g.slot, g.align);
        let old = Geometry::for_size(64 << 10);
        assert_eq!((old.align, old.slots), (4 << 20, 60));
    }

    #[test]
    fn every_size_fits_its_chunk() {
        let mut size = PAGE_SIZE;
        while size <= MAX_STACK_BYTES {
            let g = Geometry::for_size(size);
            assert!(g.align.is_power_of_two(), "{size}: {g:?}");
            assert!(
                (1..=MAX_STACKS_PER_CHUNK).contains(&g.slots),
                "{size}: {g:?}"
            );
            assert!(PAGE_SIZE + g.slots * g.slot <= g.align, "{size}: {g:?}");
            // Unless the stack is huge, a chunk is at least half used.
            if g.align <= MAX_CHUNK_ALIGN && size < MAX_CHUNK_ALIGN / MIN_STACKS_PER_CHUNK {
                assert!(g.slots >= MIN_STACKS_PER_CHUNK, "{size}: {g:?}");
                assert!(
                    2 * (PAGE_SIZE + g.slots * g.slot) > g.align,
                    "{size}: {g:?}"
                );
            }
            size = (size * 5 / 4).next_multiple_of(PAGE_SIZE);
        }
        let g = Geometry::for_size(MAX_STACK_BYTES);
        assert_eq!((g.align, g.slots), (1 << 30, 1));
    }
}
