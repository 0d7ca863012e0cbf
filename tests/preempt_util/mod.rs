//! What the preemption tests (tests/preempt_*.rs) share beyond
//! `tests/common`: a run with a short time limit that reports a hang as
//! "no preemption: timed out" instead of waiting out the suite's minute,
//! one-at-a-time execution of the timing tests, and the runners and
//! bounds they use.
//!
//! Why a short limit: without asynchronous preemption the programs do not
//! fail, they hang (a hogged P never runs the timer or the goroutine that
//! would end them). A test must fail fast and say why.
//!
//! Why one at a time: the programs keep every P busy with hogs and then
//! measure wake-up delays; two of them at once on a 2-core machine would
//! measure each other. The tests of one binary take [`serial`] first.
#![allow(dead_code)]

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::common::{self, Output, Runner};

/// How long a program that should finish in well under a second may run
/// before it counts as hung: natively, and under qemu-user (slower by
/// 5-20x here, and sysmon's ticks are real time).
pub const HANG_LIMIT_NATIVE: Duration = Duration::from_secs(5);
pub const HANG_LIMIT_QEMU: Duration = Duration::from_secs(15);

/// The hang limit for `runner`.
pub fn hang_limit(runner: &Runner) -> Duration {
    if runner.is_qemu() {
        HANG_LIMIT_QEMU
    } else {
        HANG_LIMIT_NATIVE
    }
}

static SERIAL: Mutex<()> = Mutex::new(());

/// Holds the binary's timing tests to one at a time (a failed test
/// poisons the lock; the others still run).
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// A finished run, or the output of one killed at its limit.
pub enum Run {
    Exited(Output),
    TimedOut { output: Output, after: Duration },
}

impl Run {
    /// The output of a run that must have exited; a hang fails the test
    /// with `no preemption: timed out`.
    pub fn exited(self, what: &str) -> Output {
        match self {
            Run::Exited(o) => o,
            Run::TimedOut { output, after } => panic!(
                "no preemption: timed out: {what} still running after {after:?}, killed\n{}",
                output.describe()
            ),
        }
    }
}

/// Runs `program` with `args` and exactly the variables `env` on
/// `runner`, killing it after `limit`.
pub fn run_limited(
    runner: &Runner,
    program: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    limit: Duration,
) -> Run {
    let mut cmd = common::command(runner, program, None);
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let (out_t, err_t) = readers(&mut child);
    let start = Instant::now();
    let (status, timed_out) = loop {
        if let Some(st) = child.try_wait().expect("wait for child") {
            break (st, false);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            break (child.wait().expect("wait for the killed child"), true);
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let stdout = out_t.join().expect("stdout reader");
    let mut stderr = err_t.join().expect("stderr reader");
    if runner.is_qemu() {
        stderr = stderr
            .split_inclusive(|&b| b == b'\n')
            .filter(|l| !common::is_qemu_warning(l))
            .flatten()
            .copied()
            .collect();
    }
    let output = Output {
        runner: runner.clone(),
        status,
        stdout,
        stderr,
    };
    if timed_out {
        assert_eq!(output.status.signal(), Some(9), "{}", output.describe());
        Run::TimedOut {
            output,
            after: start.elapsed(),
        }
    } else {
        Run::Exited(output)
    }
}

type Reader = std::thread::JoinHandle<Vec<u8>>;

fn readers(child: &mut Child) -> (Reader, Reader) {
    let spawn = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    (
        spawn(Box::new(child.stdout.take().expect("stdout piped"))),
        spawn(Box::new(child.stderr.take().expect("stderr piped"))),
    )
}

/// Runs example `name` at GOMAXPROCS=`procs` with the hang limit; it must
/// exit 0 with an empty stderr.
pub fn run_ok(runner: &Runner, name: &str, args: &[&str], procs: &str) -> Output {
    run_ok_env(runner, name, args, &[("GOMAXPROCS", procs)])
}

/// As [`run_ok`] with exactly the variables `env`.
pub fn run_ok_env(runner: &Runner, name: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let what = format!("{name} {args:?} {env:?} [{}]", runner.label());
    let out = run_limited(
        runner,
        &common::example(name),
        args,
        env,
        hang_limit(runner),
    )
    .exited(&what);
    assert_eq!(out.code(), Some(0), "{what}\n{}", out.describe());
    assert_eq!(out.stderr_str(), "", "{what}\n{}", out.describe());
    out
}

/// Native, then qemu under the models where the CPU matters (qemu64:
/// SSE only; Haswell: AVX2; max: everything TCG has) that `QEMU_CPUS`
/// names, or its first model when it names none of them.
pub fn cpu_runners() -> Vec<Runner> {
    const WANTED: [&str; 3] = ["qemu64", "Haswell", "max"];
    let cpus = common::qemu_cpus();
    let mut picked: Vec<String> = cpus
        .iter()
        .filter(|m| WANTED.contains(&m.as_str()))
        .cloned()
        .collect();
    if picked.is_empty() {
        picked.extend(cpus.first().cloned());
    }
    let mut v = vec![Runner::Native];
    v.extend(picked.into_iter().map(Runner::Qemu));
    v
}
