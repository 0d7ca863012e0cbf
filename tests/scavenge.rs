//! The scavenger gives memory back (issue 11): `scav_shapes` allocates and
//! frees 100 MiB in four shapes (one big Vec, 4 KiB Vecs, 64-byte Boxes,
//! waves of goroutine stacks), a hundred times natively, then idles; the
//! test reads its resident set (`VmRSS` of `/proc/PID/status`) from
//! outside and wants it at most [`RSS_BOUND_MIB`] within
//! [`RSS_DEADLINE`] of the program saying `idle`. Go 1.19 keeps ~213 MB
//! for minutes after shape (a); the bound is mimalloc's and jemalloc's
//! behaviour (a purge within seconds).
//!
//! Under qemu-user the resident set is qemu's as well as the program's:
//! the bound there is [`RSS_BOUND_MIB`] above what the same program shows
//! when it idles without having allocated (`ROUNDS 0`), measured in the
//! same test. The checksum the program prints is recomputed here from the
//! same formulas, so the memory it touched was really used.
mod common;

use std::io::Read;
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use common::{Runner, command, example, native_and_one_qemu};

/// The bound on the resident set of an idle program.
const RSS_BOUND_MIB: u64 = 32;
/// How soon after `idle` the bound must hold.
const RSS_DEADLINE: Duration = Duration::from_millis(2_500);
/// How often the test looks.
const POLL: Duration = Duration::from_millis(50);

const MIB: u64 = 1 << 20;
const PAGE: u64 = 4096;
const BIG: u64 = 100 * MIB;
const VECS: u64 = 25_600;
const BOXES: u64 = 100 * MIB / 64;
const WAVE: u64 = 5_000;
const STACK_TOUCH: u64 = 48 * 1024;
const TOUCH_STRIDE: u64 = 256;

/// `scav_shapes`' checksum for `shape` after `rounds`, from its formulas.
fn expected_checksum(shape: &str, rounds: u64) -> u64 {
    let mut sum = 0u64;
    match shape {
        "a" => {
            for r in 0..rounds {
                for p in 0..BIG / PAGE {
                    sum += u64::from((r * 31 + p) as u8);
                }
            }
        }
        "b" => {
            for r in 0..rounds {
                for i in 0..VECS {
                    sum += u64::from((r + i) as u8);
                }
            }
        }
        "c" => {
            for r in 0..rounds {
                for i in 0..BOXES {
                    sum = sum.wrapping_add(i ^ (r << 32));
                }
            }
        }
        "d" => {
            for id in 0..rounds * WAVE {
                for k in (0..STACK_TOUCH).step_by(TOUCH_STRIDE as usize) {
                    sum += u64::from((id + k) as u8);
                }
            }
        }
        _ => unreachable!("no shape {shape}"),
    }
    sum
}

/// The resident set of `pid` in MiB.
fn rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmRSS in /proc/PID/status");
    kib.div_ceil(1024)
}

/// A `scav_shapes` that said `idle`, with the rest of its output to read.
struct Idle {
    child: Child,
    out: BufReader<ChildStdout>,
    since: Instant,
}

/// Starts `scav_shapes shape rounds`, checks its checksum line and waits
/// for `idle`.
fn start_idle(r: &Runner, shape: &str, rounds: u64) -> Idle {
    let mut cmd = command(r, &example("scav_shapes"), None);
    cmd.args([shape, &rounds.to_string()])
        .env("GODEBUG", "scavtrace=1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn scav_shapes");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("checksum line");
    assert_eq!(
        line.trim_end(),
        format!("checksum={}", expected_checksum(shape, rounds)),
        "[{}] shape {shape}",
        r.label()
    );
    line.clear();
    out.read_line(&mut line).expect("idle line");
    assert_eq!(line, "idle\n", "[{}] shape {shape}", r.label());
    Idle {
        child,
        out,
        since: Instant::now(),
    }
}

/// Ends an idle `scav_shapes` (end of input) and checks it says `bye`.
fn finish(mut idle: Idle, r: &Runner) {
    drop(idle.child.stdin.take());
    let mut rest = String::new();
    idle.out.read_to_string(&mut rest).expect("read stdout");
    let out = idle.child.wait_with_output().expect("wait");
    assert!(
        out.status.success() && rest == "bye\n",
        "[{}] {rest:?} {:?}",
        r.label(),
        out
    );
}

/// The resident set of an idle `scav_shapes` that allocated nothing.
fn baseline_mib(r: &Runner) -> u64 {
    let idle = start_idle(r, "a", 0);
    let mib = rss_mib(idle.child.id());
    finish(idle, r);
    mib
}

/// (milliseconds since `idle`, RSS in MiB) samples.
type Series = Vec<(u128, u64)>;

/// Waits until the RSS of `child` is at most `bound`; the RSS series.
fn wait_rss(child: &Child, since: Instant, bound: u64) -> Result<Series, Series> {
    let mut seen = Vec::new();
    loop {
        let mib = rss_mib(child.id());
        seen.push((since.elapsed().as_millis(), mib));
        if mib <= bound {
            return Ok(seen);
        }
        if since.elapsed() > RSS_DEADLINE {
            return Err(seen);
        }
        std::thread::sleep(POLL);
    }
}

fn shape_gives_memory_back(shape: &str, native_rounds: u64, qemu_rounds: u64) {
    for r in native_and_one_qemu() {
        let base = if r.is_qemu() { baseline_mib(&r) } else { 0 };
        let rounds = if r.is_qemu() {
            qemu_rounds
        } else {
            native_rounds
        };
        let idle = start_idle(&r, shape, rounds);
        let peak = rss_mib(idle.child.id());
        let got = wait_rss(&idle.child, idle.since, base + RSS_BOUND_MIB);
        match got {
            Ok(seen) => {
                eprintln!(
                    "[{}] shape {shape} x{rounds}: {peak} MiB at idle, {} MiB after {} ms (bound {} MiB)",
                    r.label(),
                    seen.last().unwrap().1,
                    seen.last().unwrap().0,
                    base + RSS_BOUND_MIB
                );
                finish(idle, &r);
            }
            Err(seen) => {
                let _ = { idle.child }.kill();
                panic!(
                    "[{}] shape {shape} x{rounds}: RSS still above {} MiB {} ms after idle: {seen:?}",
                    r.label(),
                    base + RSS_BOUND_MIB,
                    RSS_DEADLINE.as_millis()
                );
            }
        }
    }
}

/// A 100 MiB Vec allocated, touched and dropped, a hundred times.
#[test]
fn big_vec_rounds_give_memory_back() {
    shape_gives_memory_back("a", 100, 10);
}

/// 25,600 Vecs of 4 KiB (whole heap pages of small-object spans).
#[test]
fn page_sized_vecs_give_memory_back() {
    shape_gives_memory_back("b", 100, 10);
}

/// 1,638,400 Boxes of 64 bytes: spans of small objects emptied and returned.
#[test]
fn small_boxes_give_memory_back() {
    shape_gives_memory_back("c", 20, 3);
}

/// Waves of 5,000 goroutines with 48 KiB of stack each: cached free stacks.
#[test]
fn goroutine_stacks_give_memory_back() {
    shape_gives_memory_back("d", 20, 3);
}
