//! The heap: it grows past its 1 MiB first arena and gives memory back
//! (`tests/programs/heap_grow`, natively and under every qemu model, since
//! qemu-user places mmaps its own way and the growth path differs), and it
//! ends a program that exhausts its address space with Go's
//! `fatal error: out of memory` and status 2, never a fault
//! (`tests/programs/oom` under an address-space limit, natively and under qemu).

mod common;

use std::os::unix::process::{CommandExt, ExitStatusExt};

use common::expect::{self, Source};
use common::report;
use common::{all_runners, command, example, run, run_program};

const BLOCKS: usize = 1024;
const BLOCK_WORDS: usize = 64 * 1024 / 8;
const FIRST_ARENA_BYTES: u64 = 1 << 20;

/// Same as `pattern` in tests/programs/heap_grow.rs.
fn pattern(block: usize, word: usize) -> u64 {
    (block as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ (word as u64).wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
}

fn expected_checksum() -> u64 {
    let mut sum = 0u64;
    for b in 0..BLOCKS {
        for w in 0..BLOCK_WORDS {
            sum = sum.wrapping_add(pattern(b, w)).rotate_left(1);
        }
    }
    sum
}

/// `LABEL mapped=N in_use=N arenas=N grows=N` -> [mapped, in_use, arenas, grows].
fn stats(text: &str, label: &str) -> [u64; 4] {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix(label).and_then(|r| r.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no `{label}` line in {text:?}"));
    let f = common::fields(line);
    ["mapped", "in_use", "arenas", "grows"].map(|k| f[k].parse().unwrap())
}

#[test]
fn heap_grows_past_first_arena_and_frees() {
    let checksum = format!("checksum={:#018x}", expected_checksum());
    for runner in all_runners() {
        let out = run_program(&runner, &example("heap_grow"), &[], &[]);
        out.assert_success();
        assert!(out.stderr.is_empty(), "{}", out.describe());
        let text = out.stdout_str();
        assert_eq!(
            text.lines().next(),
            Some(checksum.as_str()),
            "{}",
            out.describe()
        );
        let [m0, u0, a0, g0] = stats(&text, "before");
        let [m1, u1, a1, g1] = stats(&text, "peak");
        let [m2, u2, a2, g2] = stats(&text, "after");
        let ctx = out.describe();
        assert_eq!(
            (m0, a0, g0),
            (FIRST_ARENA_BYTES, 1, 0),
            "one 1 MiB arena at start\n{ctx}"
        );
        // 1,024 blocks of 64 KiB plus the 2,048-entry table of Vec headers.
        assert_eq!(
            u1 - u0,
            (BLOCKS * BLOCK_WORDS * 8 + 2 * BLOCKS * 24) as u64,
            "bytes in use at the peak\n{ctx}"
        );
        assert!(
            m1 >= u1 && m1 > 64 << 20,
            "mapped {m1} < in use {u1}\n{ctx}"
        );
        assert!(g1 >= 1 && a1 >= a0, "the heap did not grow\n{ctx}");
        assert_eq!(u2, u0, "freeing did not give every byte back\n{ctx}");
        // Address space stays mapped for reuse, as Go's heap keeps it.
        assert_eq!((m2, a2, g2), (m1, a1, g1), "{ctx}");
    }
}

/// Limits the address space of the program `cmd` runs (`ulimit -v`,
/// RLIMIT_AS), set in the child before exec.
fn limit_address_space(cmd: &mut std::process::Command, limit: u64) {
    unsafe extern "C" {
        fn setrlimit(resource: i32, limit: *const [u64; 2]) -> i32;
    }
    const RLIMIT_AS: i32 = 9;
    // SAFETY: the hook makes one async-signal-safe call on a value copied
    // into the closure before the fork.
    unsafe {
        cmd.pre_exec(move || {
            if setrlimit(RLIMIT_AS, &[limit, limit]) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Out of memory under `ulimit -v` (RLIMIT_AS, set before exec): 256 MiB
/// natively; 1 GiB under qemu-user, which maps its own stack, code buffer
/// and guest address space under the same limit before the guest runs (at
/// 256 MiB qemu itself stops with "mmap stack: Cannot allocate memory").
#[test]
fn out_of_memory_is_fatal_error_2() {
    for runner in all_runners() {
        let limit: u64 = if runner.is_qemu() { 1 << 30 } else { 256 << 20 };
        let mut cmd = command(&runner, &example("oom"), None);
        limit_address_space(&mut cmd, limit);
        let out = run(&runner, cmd);
        let ctx = out.describe();
        assert_eq!(out.status.signal(), None, "killed by a signal\n{ctx}");
        assert_eq!(out.code(), Some(2), "{ctx}");
        assert!(out.stdout.is_empty(), "{ctx}");
        let err = out.stderr_str();
        let mut lines = err.lines();
        let first = lines.next().unwrap_or_default();
        // runtime: out of memory: cannot allocate N-byte block (M in use)
        let rest = first
            .strip_prefix("runtime: out of memory: cannot allocate ")
            .unwrap_or_else(|| panic!("{ctx}"));
        let (size, rest) = rest
            .split_once("-byte block (")
            .unwrap_or_else(|| panic!("{ctx}"));
        let in_use = rest
            .strip_suffix(" in use)")
            .unwrap_or_else(|| panic!("{ctx}"));
        let size: u64 = size.parse().unwrap();
        let in_use: u64 = in_use.parse().unwrap();
        assert!(
            size >= 1 << 20,
            "the failed request is a 1 MiB block or more\n{ctx}"
        );
        assert!(
            (limit / 8..limit).contains(&in_use),
            "in use {in_use} is not near the limit {limit}\n{ctx}"
        );
        assert_eq!(lines.next(), Some("fatal error: out of memory"), "{ctx}");
        // Then, as Go's throw, the failing goroutine with the runtime's
        // frames (the allocator's failure path) down to the program's
        // allocation, and every other goroutine (there is none): one whole
        // report (tests/common/expect.rs).
        let r = expect::one_report(&out);
        assert_eq!(r.head.len(), 2, "{ctx}");
        assert_eq!(r.ids(), [1], "{ctx}");
        let g = &r.goroutines[0];
        assert_eq!(g.state, "running", "{ctx}");
        assert!(
            expect::first_frame(g, &ctx).name.starts_with("rt0::"),
            "a fatal error shows the runtime's frames\n{ctx}"
        );
        let src = Source::new("tests/programs/oom.rs");
        // The block, or the Vec that keeps them, grows past the limit.
        let (block, keep) = (
            src.line("Vec::<u8>::with_capacity(1 << 20)"),
            src.line("kept.push(block)"),
        );
        let user = expect::user_frames(g, "oom");
        let f = user
            .first()
            .unwrap_or_else(|| panic!("no frame of the program\n{ctx}"));
        let at = f.file_line().map(|(_, l)| l).unwrap_or(0);
        let line = if at == keep { keep } else { block };
        expect::assert_frame(f, "oom::main", &src, line, &ctx);
    }
}

/// Goroutine stacks exhausted under `ulimit -v` (RLIMIT_AS 512 MiB): a
/// million parked goroutines need 260 KiB of address space each (the
/// stack and its guard page; stacks come 63 to a 16 MiB chunk), and the
/// main goroutine 8 MiB, so the address space runs out long before the
/// end. Whichever request meets the
/// limit first (a stack `mmap`, or a heap span on the other M) names itself
/// on the first line; then Go's `fatal error: out of memory`, status 2,
/// never a SIGSEGV. Native only: qemu-user needs most of such a limit for
/// itself.
#[test]
fn stack_exhaustion_is_fatal_error_2() {
    let limit: u64 = 512 << 20;
    let runner = common::Runner::Native;
    let mut cmd = command(&runner, &example("bench_park"), None);
    cmd.arg("1000000");
    limit_address_space(&mut cmd, limit);
    let out = run(&runner, cmd);
    let ctx = out.describe();
    assert_eq!(out.status.signal(), None, "killed by a signal\n{ctx}");
    assert_eq!(out.code(), Some(2), "{ctx}");
    let err = out.stderr_str();
    let lines: Vec<&str> = err.lines().collect();
    let stack = lines[0].starts_with("runtime: cannot allocate ")
        && lines[0].ends_with("-byte stack: errno 12");
    let heap = lines[0].starts_with("runtime: out of memory: cannot allocate ")
        && lines[0].ends_with(" in use)");
    assert!(stack || heap, "{ctx}");
    assert_eq!(lines[1], "fatal error: out of memory", "{ctx}");
    // Every goroutine follows (Go's throw), thousands of them, parked
    // or never started: still one whole report.
    let r = expect::one_report(&out);
    assert_eq!(r.head.len(), 2, "{ctx}");
    assert!(
        r.goroutines.len() > 1000,
        "{} goroutines listed\n{ctx}",
        r.goroutines.len()
    );
    assert!(r.goroutine(1).is_some(), "no main goroutine\n{ctx}");
}

/// The address space the kernel maps for `binary`'s PT_LOAD segments
/// (ELF64 program headers, read here: `e_phoff`, `e_phentsize`,
/// `e_phnum`; per header `p_type`, `p_vaddr`, `p_memsz`), page-rounded.
fn loaded_bytes(binary: &std::path::Path) -> u64 {
    const PT_LOAD: u32 = 1;
    const PAGE: u64 = 4096;
    let elf = std::fs::read(binary).expect("read the binary");
    let u16_at = |o: usize| u64::from(u16::from_le_bytes([elf[o], elf[o + 1]]));
    let u32_at = |o: usize| u32::from_le_bytes(elf[o..o + 4].try_into().unwrap());
    let u64_at = |o: usize| u64::from_le_bytes(elf[o..o + 8].try_into().unwrap());
    let (phoff, phentsize, phnum) = (u64_at(0x20), u16_at(0x36), u16_at(0x38));
    (0..phnum)
        .map(|i| (phoff + i * phentsize) as usize)
        .filter(|&h| u32_at(h) == PT_LOAD)
        .map(|h| {
            let (vaddr, memsz) = (u64_at(h + 0x10), u64_at(h + 0x28));
            (vaddr + memsz).next_multiple_of(PAGE) - vaddr / PAGE * PAGE
        })
        .sum()
}

/// Room for what the kernel maps besides the binary (the initial stack,
/// 132 KiB and up, vvar and vDSO) and then some, while staying well under
/// the 1 MiB of the first arena.
const BESIDES_THE_BINARY: u64 = 600_000;

/// The first arena refused (`ulimit -v` too small for 1 MiB of heap, set
/// before exec): the message names the 1,048,576 bytes asked of the
/// kernel (it used to say `0-byte block`); no goroutine exists yet (nor
/// any goroutine stack: the main goroutine's 8 MiB is mapped after the
/// heap, so the limit need not count it), so no goroutine section follows, only g0's `runtime stack:` (Go's throw on
/// the system stack). The limit is the binary's own segments (their .bss
/// includes the tracebacks' static indexes, megabytes of address space) plus
/// [`BESIDES_THE_BINARY`]. Native only: qemu-user cannot start under such
/// a limit.
#[test]
fn first_arena_refused_names_its_size() {
    let runner = common::Runner::Native;
    let bin = example("hello");
    let limit = loaded_bytes(&bin) + BESIDES_THE_BINARY;
    let mut cmd = command(&runner, &bin, None);
    limit_address_space(&mut cmd, limit);
    let out = run(&runner, cmd);
    let ctx = format!("limit {limit}\n{}", out.describe());
    assert_eq!(out.status.signal(), None, "killed by a signal\n{ctx}");
    assert_eq!(out.code(), Some(2), "{ctx}");
    assert!(out.stdout.is_empty(), "{ctx}");
    let r = report::parse(&out.stderr_str())
        .unwrap_or_else(|e| panic!("stderr is not a TB_FORMAT report: {e}\n{ctx}"));
    assert_eq!(
        r.head,
        [
            "runtime: out of memory: cannot allocate 1048576-byte block (0 in use)",
            "fatal error: out of memory"
        ],
        "{ctx}"
    );
    assert!(r.goroutines.is_empty() && r.tail.is_empty(), "{ctx}");
    let g0 = r
        .runtime_stack
        .as_ref()
        .unwrap_or_else(|| panic!("no `runtime stack:` block\n{ctx}"));
    assert!(!g0.frames.is_empty(), "{ctx}");
    // Under this limit the symbolizer cannot map the binary to read its
    // symbol table: the frames may be bare pcs, and then the report ends
    // with the offline hint naming them, saying the binary could not be
    // read (it has a symbol table: not `no symbol table in`).
    let unnamed = g0.frames.iter().any(|f| f.name == report::NO_SYMBOL);
    match &r.hint {
        Some(h) => {
            assert!(unnamed, "a hint with named frames\n{ctx}");
            assert!(
                out.stderr_str().contains("\n(could not read "),
                "the hint must say the binary could not be read\n{ctx}"
            );
            assert_eq!(std::path::Path::new(&h.binary), bin, "{ctx}");
            assert_eq!(h.pcs.len(), g0.frames.len(), "{ctx}");
        }
        None => assert!(!unnamed, "unnamed frames without the hint\n{ctx}"),
    }
}
