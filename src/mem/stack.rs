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

use spin::{Mutex, Once};

use super::PAGE_SIZE;
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

/// Carving state for default-size stacks and the pool of freed ones.
struct Pool {
    next: usize,
    end: usize,
    /// Freed default stacks, linked through their top word.
    free: usize,
    /// Chunks mapped so far. The first is prepared slot by slot, as stacks
    /// are handed out, so that a small program's start-up pays for one
    /// stack, not 64; later chunks are prepared whole ([`prepare_chunk`]).
    chunks: usize,
    /// The current chunk's guards are installed at hand-out (the first chunk).
    lazy: bool,
}

static POOL: Mutex<Pool> = Mutex::new(Pool {
    next: 0,
    end: 0,
    free: 0,
    chunks: 0,
    lazy: false,
});

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

/// A default-size stack: a freed one, else the next slot of the current
/// chunk, else a new chunk. A new chunk is mapped and prepared without the
/// pool lock held (preparing 64 stacks takes hundreds of microseconds, and
/// other Ms may need a freed stack meanwhile); if another M installed a
/// chunk in that time, ours joins the free list.
fn default_stack() -> Result<Stack, StackError> {
    const SLOT: usize = DEFAULT_STACK_SIZE + PAGE_SIZE;
    let stack_at = |base: usize| Stack {
        lo: base + PAGE_SIZE,
        hi: base + SLOT,
    };
    loop {
        let mut pool = POOL.lock();
        if pool.free != 0 {
            let hi = pool.free;
            // SAFETY: a freed stack's top word holds the next free stack's hi.
            pool.free = unsafe { *((hi - 8) as *const usize) };
            return Ok(Stack {
                lo: hi - DEFAULT_STACK_SIZE,
                hi,
            });
        }
        if pool.next < pool.end {
            let base = pool.next;
            pool.next += SLOT;
            let lazy = pool.lazy;
            drop(pool);
            if lazy {
                install_guard(base as *mut u8)?;
            }
            return Ok(stack_at(base));
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
        let bytes = SLOT * slots;
        let base = match mmap_anon(
            0,
            bytes,
            Prot::READ | Prot::WRITE,
            MapFlags::NORESERVE | MapFlags::STACK,
        ) {
            Ok(p) => p as usize,
            Err(e) => return Err(out_of_stack_memory(bytes, e)),
        };
        if !first {
            prepare_chunk(base, SLOT)?;
        }
        let mut pool = POOL.lock();
        if pool.next == pool.end {
            pool.next = base + SLOT;
            pool.end = base + bytes;
            pool.lazy = first;
            drop(pool);
            if first {
                install_guard(base as *mut u8)?;
            }
            return Ok(stack_at(base));
        }
        drop(pool);
        if first {
            for i in 0..slots {
                install_guard((base + i * SLOT) as *mut u8)?;
            }
        }
        let mut pool = POOL.lock();
        for i in 0..slots {
            let hi = base + (i + 1) * SLOT;
            // SAFETY: the slot is ours and unused; its top word links the pool.
            unsafe { *((hi - 8) as *mut usize) = pool.free };
            pool.free = hi;
        }
    }
}

/// Returns a stack (Go's `stackfree`): default-size stacks are pooled,
/// others unmapped with their guard page.
///
/// # Safety
/// `st` came from [`stackalloc`] (so it is mapped, with its guard page
/// below `lo`), nothing runs on it any more, and it is freed once.
pub unsafe fn stackfree(st: Stack) {
    let size = st.hi - st.lo;
    if size == DEFAULT_STACK_SIZE {
        let mut pool = POOL.lock();
        // SAFETY: the stack is dead and ours; its top word links the pool.
        unsafe { *((st.hi - 8) as *mut usize) = pool.free };
        pool.free = st.hi;
        return;
    }
    // SAFETY: a non-default stack is its own mapping, guard page included.
    let _ = unsafe { munmap((st.lo - PAGE_SIZE) as *mut u8, size + PAGE_SIZE) };
}
