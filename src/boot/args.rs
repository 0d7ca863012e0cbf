//! The initial process stack: Go's `args`, `sysargs` and `sysauxv`
//! (runtime1.go, os_linux.go), and the program's view of its arguments and
//! environment (Go's `goargs`, `goenvs`, `gogetenv`).
//!
//! ```text
//!   argv ->  argv[0] .. argv[argc-1]  NULL
//!            envp[0] .. envp[envc-1]  NULL
//!            (a_type, a_val) ...      (AT_NULL, _)
//! ```
//!
//! argc 0 (an `execve` with an empty argv, which kernels before 5.18 pass
//! through as is) and an empty environment are ordinary cases. Strings are
//! bytes, not UTF-8: the kernel promises only NUL termination.

use crate::racy::RacyCell;

/// auxv types the runtime keeps (`<linux/auxvec.h>`).
pub mod at {
    pub const AT_NULL: usize = 0;
    pub const AT_PAGESZ: usize = 6;
    pub const AT_SECURE: usize = 23;
    pub const AT_RANDOM: usize = 25;
    pub const AT_SYSINFO_EHDR: usize = 33;
}

/// What the runtime learns from the auxiliary vector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Auxv {
    pub pagesz: usize,
    pub secure: bool,
    /// Address of 16 random bytes from the kernel.
    pub random: usize,
    /// Address of the vDSO's ELF header (0 when there is none, as under qemu-user).
    pub sysinfo_ehdr: usize,
}

/// The decoded initial stack.
#[derive(Clone, Copy, Debug)]
pub struct InitialStack {
    pub argc: usize,
    pub argv: *const *const u8,
    pub envc: usize,
    pub envp: *const *const u8,
    /// Number of auxv entries before AT_NULL.
    pub auxc: usize,
    pub auxv: *const [usize; 2],
    pub aux: Auxv,
}

// SAFETY: the pointers point into the process's initial stack (the
// kernel's argv, envp and auxv), which lives as long as the process and
// which nothing writes after start-up; an InitialStack may be moved to any
// thread.
unsafe impl Send for InitialStack {}
// SAFETY: as the pointed-at memory is never written after start-up, any
// number of threads may read through shared InitialStacks at once.
unsafe impl Sync for InitialStack {}

/// Walks the initial stack from `argc` and `argv` (Go's `sysargs`).
///
/// # Safety
/// `argv` points at the kernel's layout above (or a faithful copy): argc
/// pointers, NULL, the environment, NULL, auxv ending in AT_NULL.
pub unsafe fn walk(argc: usize, argv: *const *const u8) -> InitialStack {
    // SAFETY: the layout is the kernel's (contract).
    unsafe {
        let envp = argv.add(argc + 1);
        let mut envc = 0;
        while !(*envp.add(envc)).is_null() {
            envc += 1;
        }
        let auxv = envp.add(envc + 1) as *const [usize; 2];
        let mut aux = Auxv::default();
        let mut auxc = 0;
        loop {
            let [tag, val] = *auxv.add(auxc);
            if tag == at::AT_NULL {
                break;
            }
            record(&mut aux, tag, val);
            auxc += 1;
        }
        InitialStack {
            argc,
            argv,
            envc,
            envp,
            auxc,
            auxv,
            aux,
        }
    }
}

/// Keeps one auxv entry (Go's `sysauxv`).
fn record(aux: &mut Auxv, tag: usize, val: usize) {
    match tag {
        at::AT_PAGESZ => aux.pagesz = val,
        at::AT_SECURE => aux.secure = val != 0,
        at::AT_RANDOM => aux.random = val,
        at::AT_SYSINFO_EHDR => aux.sysinfo_ehdr = val,
        _ => {}
    }
}

static INITIAL: RacyCell<Option<InitialStack>> = RacyCell::new(None);

/// The initial stack as `args` found it.
pub fn initial() -> Option<&'static InitialStack> {
    // SAFETY: written once by `args` before any other thread exists.
    unsafe { (*INITIAL.get()).as_ref() }
}

/// The first 8 of the 16 random bytes the kernel left at AT_RANDOM, the
/// seed of `rand::fastrandinit`; None without the auxv entry.
pub fn at_random_seed() -> Option<u64> {
    let random = initial().map_or(0, |s| s.aux.random);
    // SAFETY: AT_RANDOM points at 16 kernel-provided bytes that live for
    // the whole process.
    (random != 0).then(|| unsafe { core::ptr::read_unaligned(random as *const u64) })
}

/// The 16 random bytes the kernel left at AT_RANDOM (the seed of
/// `hash::RandomState`'s keys); None without the auxv entry.
pub fn at_random_bytes() -> Option<[u8; 16]> {
    let random = initial().map_or(0, |s| s.aux.random);
    // SAFETY: AT_RANDOM points at 16 kernel-provided bytes that live for
    // the whole process.
    (random != 0).then(|| unsafe { core::ptr::read_unaligned(random as *const [u8; 16]) })
}

/// Go's `args`: records argc/argv/envp/auxv, checks the page size, and
/// starts the bootstrap trace. Called by rt0_go.
///
/// # Safety
/// `argv` is the kernel's initial stack, as `_start` found it.
#[unsafe(export_name = "rt0_args")] // called by rt0_go (src/arch/)
pub unsafe extern "C" fn args(argc: i64, argv: *const *const u8) {
    // SAFETY: rt0_go passes what the kernel put on the stack.
    let st = unsafe { walk(argc as usize, argv) };
    // SAFETY: single-threaded start-up; nothing reads INITIAL yet.
    unsafe { *INITIAL.get() = Some(st) };
    crate::boot::godebug::early_scan();
    let t0 = crate::boot::inittrace::clock();
    crate::sys::time::vdso_init(st.aux.sysinfo_ehdr);
    if st.aux.pagesz != 0 && st.aux.pagesz != crate::mem::PAGE_SIZE {
        crate::debug::fatal::throw(
            "runtime: AT_PAGESZ is not the 4096 bytes this runtime is built for",
        );
    }
    crate::boot::inittrace::args_done(&st, crate::boot::inittrace::clock() - t0);
}

/// A NUL-terminated string from the initial stack, without the NUL.
///
/// # Safety
/// `p` points at a NUL-terminated string that lives for the whole process.
unsafe fn cstr_bytes(p: *const u8) -> &'static [u8] {
    // An explicit scan: with no libc there is no strlen for CStr to call.
    let mut n = 0;
    // SAFETY: every byte up to and including the NUL is readable (contract).
    unsafe {
        while *p.add(n) != 0 {
            n += 1;
        }
        core::slice::from_raw_parts(p, n)
    }
}

/// The program's arguments as the kernel passed them (Go's `os.Args`).
pub fn args_list() -> impl ExactSizeIterator<Item = &'static [u8]> + Clone {
    let (argc, argv) = initial().map_or((0, core::ptr::null()), |s| (s.argc, s.argv));
    // SAFETY: argv[0..argc] are valid strings for the process's lifetime.
    (0..argc).map(move |i| unsafe { cstr_bytes(*argv.add(i)) })
}

/// The environment as `KEY=value` byte strings (Go's `os.Environ`).
pub fn environ() -> impl ExactSizeIterator<Item = &'static [u8]> + Clone {
    let (envc, envp) = initial().map_or((0, core::ptr::null()), |s| (s.envc, s.envp));
    // SAFETY: envp[0..envc] are valid strings for the process's lifetime.
    (0..envc).map(move |i| unsafe { cstr_bytes(*envp.add(i)) })
}

/// The value of the first `key=` entry, as bytes (Go's `gogetenv`).
/// Entries are compared byte by byte against `key=` before any length is
/// measured, so a miss costs a few bytes per entry, not a strlen.
pub fn getenv_bytes(key: &str) -> Option<&'static [u8]> {
    let (envc, envp) = initial().map_or((0, core::ptr::null()), |s| (s.envc, s.envp));
    let key = key.as_bytes();
    for i in 0..envc {
        // SAFETY: envp[i] is a NUL-terminated string; we stop at the first
        // mismatch, and a NUL in it mismatches every key byte and '='.
        unsafe {
            let e = *envp.add(i);
            if key.iter().enumerate().all(|(k, &c)| *e.add(k) == c) && *e.add(key.len()) == b'=' {
                return Some(cstr_bytes(e.add(key.len() + 1)));
            }
        }
    }
    None
}

/// Like [`getenv_bytes`], when the value is UTF-8.
pub fn getenv(key: &str) -> Option<&'static str> {
    getenv_bytes(key).and_then(|v| core::str::from_utf8(v).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// Builds a fake initial stack: argv, NULL, envp, NULL, auxv, AT_NULL.
    fn stack(args: &[&[u8]], env: &[&[u8]], aux: &[(usize, usize)]) -> (Vec<Vec<u8>>, Vec<usize>) {
        let mut strings: Vec<Vec<u8>> = Vec::new();
        for s in args.iter().chain(env) {
            let mut v = s.to_vec();
            v.push(0);
            strings.push(v);
        }
        let mut words = Vec::new();
        for s in &strings[..args.len()] {
            words.push(s.as_ptr() as usize);
        }
        words.push(0);
        for s in &strings[args.len()..] {
            words.push(s.as_ptr() as usize);
        }
        words.push(0);
        for &(t, v) in aux {
            words.push(t);
            words.push(v);
        }
        words.extend([at::AT_NULL, 0]);
        (strings, words)
    }

    #[test]
    fn walks_args_env_and_auxv() {
        let (_s, w) = stack(
            &[b"prog", b"", b"\xff\xfe"],
            &[b"A=1", b"B="],
            &[
                (at::AT_PAGESZ, 4096),
                (at::AT_RANDOM, 0x1234),
                (at::AT_SECURE, 1),
                (at::AT_SYSINFO_EHDR, 0x7000),
                (99, 5),
            ],
        );
        // SAFETY: w is a faithful initial-stack layout built above.
        let st = unsafe { walk(3, w.as_ptr() as *const *const u8) };
        assert_eq!((st.argc, st.envc, st.auxc), (3, 2, 5));
        assert_eq!(st.aux.pagesz, 4096);
        assert_eq!(st.aux.random, 0x1234);
        assert!(st.aux.secure);
        assert_eq!(st.aux.sysinfo_ehdr, 0x7000);
        // SAFETY: argv[2] points at a NUL-terminated string in _s.
        let arg1 = unsafe { cstr_bytes(*st.argv.add(2)) };
        assert_eq!(arg1, b"\xff\xfe");
    }

    #[test]
    fn argc_zero_and_empty_environment() {
        let (_s, w) = stack(&[], &[], &[]);
        // SAFETY: `stack` lays out argc 0, the NULLs and AT_NULL in `w` as
        // the kernel does; `_s` keeps the strings alive.
        let st = unsafe { walk(0, w.as_ptr() as *const *const u8) };
        assert_eq!((st.argc, st.envc, st.auxc), (0, 0, 0));
        assert_eq!(st.aux, Auxv::default());
    }
}
