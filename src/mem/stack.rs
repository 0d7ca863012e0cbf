//! Goroutine stacks: Go's `stackalloc`/`stackfree` (stack.go), for stacks
//! that cannot move.
//!
//! Rust cannot relocate a stack, so each goroutine gets a fixed-size stack,
//! lazily committed (untouched pages cost no memory), with a guard page
//! below it. Default stacks are carved from chunks of
//! [`STACKS_PER_CHUNK`] slots, one `mmap` per chunk; the kernel merges
//! neighbouring chunks into one mapping.
//!
//! Guard pages: Linux >= 6.13 has `madvise(MADV_GUARD_INSTALL)`, which puts
//! a guard inside a mapping without splitting it, so a million guarded
//! stacks fit under the default `vm.max_map_count` (65530). Older kernels
//! and qemu-user (which answers 0 and does nothing) get `mprotect`, which
//! costs two mappings per stack. A probe at first use checks that the
//! madvise guard really holds: the kernel must refuse to read it
//! (see [`probe_guard`]).
//!
//! Slot layout, low to high: `[guard page][stack: lo .. hi)`.
//!
//! Failures are returned ([`StackError`]): the scheduler, which asked for
//! the stack, reports them (`sched::stack`). Nothing here prints or throws.

use core::sync::atomic::{
    AtomicUsize,
    Ordering::{Relaxed, SeqCst},
    fence,
};
use spin::{Mutex, Once};

use super::PAGE_SIZE;
use super::scavenge;
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

/// Default goroutine stack: 64 KiB, the same as g0's. Go starts at 2 KiB
/// (`_StackMin`) and grows; a Rust stack cannot grow, so the default must fit ordinary code
/// (formatting, collections, moderate recursion) from the start, and costs
/// only the pages a goroutine touches.
pub const DEFAULT_STACK_SIZE: usize = 64 * 1024;

/// Distance of `stackguard0` above `stack.lo` (Go's `_StackGuard`); the
/// number lives with the asm that uses it for g0 (`arch::entry`).
pub use crate::arch::entry::STACK_GUARD;

/// Default-size stacks carved per `mmap`.
pub const STACKS_PER_CHUNK: usize = 64;
/// ... except the first `mmap`, which serves start-up and small programs.
const FIRST_CHUNK_STACKS: usize = 8;

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

/// One slot: a guard page, then a default-size stack.
const SLOT: usize = DEFAULT_STACK_SIZE + PAGE_SIZE;
/// Every chunk starts at a multiple of this, so a stack finds its chunk's
/// header by masking its address.
const CHUNK_ALIGN: usize = 8 << 20;
const _: () = assert!(PAGE_SIZE + STACKS_PER_CHUNK * SLOT <= CHUNK_ALIGN);
const _: () = assert!(STACKS_PER_CHUNK <= u64::BITS as usize);

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

/// The pool of default-size stacks: chunks of [`STACKS_PER_CHUNK`] slots
/// (one `mmap` each, [`CHUNK_ALIGN`]-aligned, the first one smaller). A
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
}

// SAFETY: the raw pointers are chunk headers, which are never unmapped;
// they are only followed under the Mutex.
unsafe impl Send for Pool {}

static POOL: Mutex<Pool> = Mutex::new(Pool {
    with_free: core::ptr::null_mut(),
    all: core::ptr::null_mut(),
    chunks: 0,
    dirty: 0,
});

/// Free stacks in the pool that hold memory, in bytes (for pacing).
pub(crate) fn dirty_free_bytes() -> usize {
    POOL.lock().dirty * DEFAULT_STACK_SIZE
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
    c as usize + PAGE_SIZE + i * SLOT
}

fn stack_of_slot(c: *mut ChunkHeader, i: usize) -> Stack {
    let base = slot_base(c, i);
    Stack {
        lo: base + PAGE_SIZE,
        hi: base + SLOT,
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

/// Readies a fresh chunk of [`STACKS_PER_CHUNK`] slots of `slot` bytes at
/// `base`: a guard page at the bottom of every slot, and the top page of
/// every stack committed ahead of use (the page every goroutine touches
/// first). With `process_madvise` (which takes a list of ranges) that is
/// two system calls per chunk instead of a `madvise` and a page fault per
/// stack: about a fifth less kernel time per new stack on these machines.
/// Where the kernel refuses it, each guard gets its own call and the top
/// pages fault in on first touch.
fn prepare_chunk(base: usize, slot: usize) -> Result<(), StackError> {
    let guards: [(usize, usize); STACKS_PER_CHUNK] =
        core::array::from_fn(|i| (base + i * slot, PAGE_SIZE));
    if guard_kind() != GuardKind::Madvise
        || batch_advise(&guards, advice::MADV_GUARD_INSTALL).is_err()
    {
        for &(g, _) in &guards {
            install_guard(g as *mut u8)?;
        }
    }
    let tops: [(usize, usize); STACKS_PER_CHUNK] =
        core::array::from_fn(|i| (base + (i + 1) * slot - PAGE_SIZE, PAGE_SIZE));
    // Best effort: without it the pages fault in as the goroutines run.
    let _ = batch_advise(&tops, advice::MADV_POPULATE_WRITE);
    Ok(())
}

/// `process_madvise` on this process for a list of (address, length)
/// ranges, all in one call.
fn batch_advise(ranges: &[(usize, usize)], adv: usize) -> Result<(), Errno> {
    let pidfd = crate::sys::mm::self_pidfd()?;
    let iov: [crate::sys::mm::IoVec; STACKS_PER_CHUNK] = core::array::from_fn(|i| {
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
    let Some((size, slot)) = size
        .checked_next_multiple_of(PAGE_SIZE)
        .and_then(|s| Some((s, s.checked_add(PAGE_SIZE)?)))
    else {
        return Err(StackError::Overflow);
    };
    if size == DEFAULT_STACK_SIZE {
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

/// Maps a chunk of `slots` slots at a multiple of [`CHUNK_ALIGN`]: the
/// mapping asks for `CHUNK_ALIGN` more and gives back what lies before
/// and after the aligned chunk.
fn map_chunk(slots: usize) -> Result<*mut ChunkHeader, StackError> {
    let bytes = PAGE_SIZE + slots * SLOT;
    let flags = MapFlags::NORESERVE | MapFlags::STACK;
    let want = bytes + CHUNK_ALIGN;
    let p = match mmap_anon(0, want, Prot::READ | Prot::WRITE, flags) {
        Ok(p) => p as usize,
        Err(e) => return Err(out_of_stack_memory(bytes, e)),
    };
    let base = p.next_multiple_of(CHUNK_ALIGN);
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
    Ok(base as *mut ChunkHeader)
}

/// A default-size stack: a free one from the pool (one that still holds
/// memory first, as it needs no new page faults), else a new chunk. A
/// new chunk is mapped and prepared without the pool lock held
/// (preparing 64 stacks takes hundreds of microseconds, and other Ms may
/// need a freed stack meanwhile).
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
    drop(pool);
    // The first chunk is small and prepared stack by stack (start-up
    // pays for one); later ones are prepared whole.
    let slots = if first {
        FIRST_CHUNK_STACKS
    } else {
        STACKS_PER_CHUNK
    };
    let c = map_chunk(slots)?;
    if !first {
        prepare_chunk(slot_base(c, 0), SLOT)?;
    }
    let all = if slots == 64 {
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
        list_chunk(&mut pool, c);
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
    if size == DEFAULT_STACK_SIZE {
        let c = (st.lo & !(CHUNK_ALIGN - 1)) as *mut ChunkHeader;
        let i = (st.lo - PAGE_SIZE - slot_base(c, 0)) / SLOT;
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
            let _ = unsafe { madvise(st.lo as *mut u8, DEFAULT_STACK_SIZE, advice::MADV_DONTNEED) };
        }
        done += ripe.count_ones() as usize * DEFAULT_STACK_SIZE;
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
