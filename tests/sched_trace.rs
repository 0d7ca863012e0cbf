//! `GODEBUG=schedtrace=MS[,scheddetail=1]`: sysmon prints Go 1.19's
//! `SCHED` lines to stderr every MS ms. On a program that runs ~500 ms with
//! schedtrace=100, the lines must parse as Go's format, with `gomaxprocs=`
//! equal to GOMAXPROCS, counts that fit it, one run-queue length per P in
//! the `[..]` list, and times that advance; with scheddetail=1 the per-P,
//! per-M and per-G lines must appear (`  P0:` .. one per P, `  M0:`,
//! `  G1:`). Natively and under qemu-x86_64. stdout stays the program's.

mod common;

use common::{Output, Runner, example, native_and_one_qemu, run_program};

/// The fields of a `SCHED <t>ms: k=v ... [q0 q1 ..]` line.
struct Sched {
    ms: u64,
    fields: Vec<(String, u64)>,
    queues: Option<Vec<u64>>,
}

/// Parses a SCHED line strictly; None when it does not match Go's form.
fn parse_sched(line: &str) -> Option<Sched> {
    let rest = line.strip_prefix("SCHED ")?;
    let (t, rest) = rest.split_once("ms: ")?;
    let ms = t.parse().ok()?;
    let (kvs, queues) = match rest.split_once(" [") {
        Some((kvs, q)) => {
            let q = q.strip_suffix(']')?;
            let q: Option<Vec<u64>> = q.split(' ').map(|n| n.parse().ok()).collect();
            (kvs, Some(q?))
        }
        None => (rest, None),
    };
    let fields: Option<Vec<(String, u64)>> = kvs
        .split(' ')
        .map(|kv| {
            let (k, v) = kv.split_once('=')?;
            Some((k.to_string(), v.parse().ok()?))
        })
        .collect();
    Some(Sched {
        ms,
        fields: fields?,
        queues,
    })
}

const GO_FIELDS: [&str; 6] = [
    "gomaxprocs",
    "idleprocs",
    "threads",
    "spinningthreads",
    "idlethreads",
    "runqueue",
];

/// stderr's complete lines: sysmon may be cut off mid-line when the
/// program exits, and that fragment (no newline yet) is not judged.
fn complete_lines(out: &Output) -> Vec<String> {
    out.stderr_str()
        .split_inclusive('\n')
        .filter_map(|l| l.strip_suffix('\n'))
        .map(str::to_string)
        .collect()
}

fn sched_lines(out: &Output) -> Vec<Sched> {
    complete_lines(out)
        .iter()
        .filter(|l| l.starts_with("SCHED"))
        .map(|l| parse_sched(l).unwrap_or_else(|| panic!("bad line {l:?}\n{}", out.describe())))
        .collect()
}

fn traced(runner: &Runner, procs: u64, godebug: &str) -> Output {
    // Long enough that a sysmon delayed by a loaded machine still prints
    // the 4 lines asked for below (at 500 ms, one run of many at load
    // average 5 printed only 2).
    let ms = if runner.is_qemu() { "1200" } else { "1000" };
    let p = procs.to_string();
    let out = run_program(
        runner,
        &example("sched_stress"),
        &[ms, "16"],
        &[("GOMAXPROCS", &p), ("GODEBUG", godebug)],
    );
    out.assert_success();
    assert!(out.stdout_str().starts_with("ok "), "{}", out.describe());
    out
}

#[test]
fn schedtrace_lines_match_go() {
    for runner in native_and_one_qemu() {
        for procs in [1u64, 2, 3] {
            let out = traced(&runner, procs, "schedtrace=100");
            let lines = sched_lines(&out);
            assert!(
                lines.len() >= 4,
                "want a line per 100 ms\n{}",
                out.describe()
            );
            for s in &lines {
                let names: Vec<&str> = s.fields.iter().map(|(k, _)| k.as_str()).collect();
                assert_eq!(names, GO_FIELDS, "{}", out.describe());
                let get = |k: &str| s.fields.iter().find(|(n, _)| n == k).unwrap().1;
                assert_eq!(get("gomaxprocs"), procs, "{}", out.describe());
                assert!(get("idleprocs") <= procs, "{}", out.describe());
                assert!(get("threads") >= 1, "{}", out.describe());
                assert!(
                    get("spinningthreads") <= get("threads"),
                    "{}",
                    out.describe()
                );
                assert!(get("idlethreads") <= get("threads"), "{}", out.describe());
                let q = s.queues.as_ref().expect("[..] run queue list");
                assert_eq!(q.len() as u64, procs, "one entry per P\n{}", out.describe());
            }
            // Times start near 0 and advance in ~100 ms steps.
            assert!(lines[0].ms < 100, "{}", out.describe());
            for w in lines.windows(2) {
                assert!(w[1].ms > w[0].ms, "{}", out.describe());
            }
            let last = lines.last().unwrap().ms;
            assert!(last >= 300, "{}", out.describe());
        }
    }
}

#[test]
fn scheddetail_lines() {
    for runner in native_and_one_qemu() {
        let out = traced(&runner, 2, "schedtrace=100,scheddetail=1");
        let lines = sched_lines(&out);
        assert!(lines.len() >= 3, "{}", out.describe());
        for s in &lines {
            // The detailed SCHED line has Go's extra counters, no [..] list.
            assert!(s.queues.is_none(), "{}", out.describe());
            let names: Vec<&str> = s.fields.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(&names[..6], GO_FIELDS, "{}", out.describe());
            assert_eq!(s.fields[0].1, 2, "{}", out.describe());
        }
        // Split into one block per SCHED line. The program may exit while
        // sysmon prints a block, so the last one may be short; every
        // earlier block is whole and must hold each line.
        let all = complete_lines(&out);
        let mut blocks: Vec<Vec<&str>> = Vec::new();
        for l in &all {
            if l.starts_with("SCHED ") {
                blocks.push(Vec::new());
            }
            if let Some(b) = blocks.last_mut() {
                b.push(l.as_str());
            }
        }
        assert_eq!(blocks.len(), lines.len(), "{}", out.describe());
        for b in &blocks[..blocks.len() - 1] {
            let starts = |p: &str| b.iter().filter(|l| l.starts_with(p)).count();
            assert_eq!(starts("  P0: status="), 1, "{}", out.describe());
            assert_eq!(starts("  P1: status="), 1, "{}", out.describe());
            assert_eq!(starts("  P2:"), 0, "only GOMAXPROCS Ps\n{}", out.describe());
            assert_eq!(starts("  M0: p="), 1, "{}", out.describe());
            assert_eq!(starts("  G1: status="), 1, "{}", out.describe());
        }
        // Every stderr line is a SCHED line or an indented P/M/G line.
        for l in &all {
            assert!(
                l.starts_with("SCHED ")
                    || l.starts_with("  P")
                    || l.starts_with("  M")
                    || l.starts_with("  G"),
                "unexpected stderr line {l:?}\n{}",
                out.describe()
            );
        }
    }
}

/// A sysmon that oversleeps (here: the whole process stopped for 3.5
/// periods) prints one late line, not a burst of lines with the same time:
/// the next line is due one period after the last one printed, as Go's
/// `lasttrace = now`. The old catch-up loop printed `SCHED 537ms` twice.
#[test]
fn schedtrace_after_a_stop_does_not_repeat_a_time() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    use std::time::Duration;
    let runner = Runner::Native;
    for _ in 0..3 {
        let mut cmd = common::command(&runner, &example("sched_stress"), None);
        cmd.args(["800", "16"])
            .env("GOMAXPROCS", "2")
            .env("GODEBUG", "schedtrace=100")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = cmd.spawn().expect("spawn sched_stress");
        let pid = child.id().to_string();
        std::thread::sleep(Duration::from_millis(250));
        let signal = |sig: &str| {
            let st = std::process::Command::new("kill")
                .args([sig, &pid])
                .status()
                .expect("kill");
            assert!(st.success(), "kill {sig}");
        };
        signal("-STOP");
        std::thread::sleep(Duration::from_millis(350));
        signal("-CONT");
        let out = child.wait_with_output().expect("wait");
        assert_eq!(
            out.status.code(),
            Some(0),
            "signal {:?}",
            out.status.signal()
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        let times: Vec<u64> = stderr
            .lines()
            .filter_map(|l| parse_sched(l).map(|s| s.ms))
            .collect();
        assert!(times.len() >= 4, "{stderr}");
        for w in times.windows(2) {
            assert!(w[1] > w[0], "times {times:?}\n{stderr}");
        }
    }
}
