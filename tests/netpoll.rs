//! The netpoller on pipes (tests/programs/netpoll_pipes.rs), natively and
//! under qemu at GOMAXPROCS 1 and 2: goroutines parked on descriptors and
//! woken by data, by close and by deadlines, with exact counters; a stale
//! event for a closed and reused descriptor wakes nobody; and a program
//! whose goroutines all wait on descriptors is alive, not deadlocked.

mod common;

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Runner, command, each_config, example, native_and_one_qemu, num, run_ok};

#[test]
fn pingpong_counts_every_round() {
    each_config(|r, procs| {
        let rounds = if r.is_qemu() { "2000" } else { "10000" };
        let out = run_ok(r, "netpoll_pipes", &["pingpong", "16", rounds], procs);
        let want: u64 = 16 * rounds.parse::<u64>().unwrap();
        assert_eq!(num(&out, "rounds"), want, "{}", out.describe());
        assert_eq!(num(&out, "want"), want, "{}", out.describe());
        assert_eq!(num(&out, "bad"), 0, "{}", out.describe());
        assert_eq!(num(&out, "waiters"), 0, "{}", out.describe());
    });
}

#[test]
fn close_wakes_a_parked_reader_at_once() {
    each_config(|r, procs| {
        let out = run_ok(r, "netpoll_pipes", &["close"], procs);
        let s = out.stdout_str();
        assert!(s.starts_with("reader: closed\n"), "{}", out.describe());
        assert!(
            s.ends_with("second close: Err(\"closed\")\n"),
            "{}",
            out.describe()
        );
        // Woken by the close itself, not by some later poll: well under
        // sysmon's 10 ms even under emulation.
        assert!(num(&out, "woke_ms") < 100, "{}", out.describe());
    });
}

#[test]
fn read_deadline_fires_on_time() {
    each_config(|r, procs| {
        let out = run_ok(r, "netpoll_pipes", &["deadline", "50"], procs);
        let s = out.stdout_str();
        assert!(s.starts_with("read: timeout\n"), "{}", out.describe());
        assert!(s.ends_with("after reset: Ok('x')\n"), "{}", out.describe());
        let ms = num(&out, "elapsed_ms");
        let slack = if r.is_qemu() { 500 } else { 100 };
        assert!((50..50 + slack).contains(&ms), "{}", out.describe());
    });
}

#[test]
fn stale_events_wake_nobody_after_reuse() {
    each_config(|r, procs| {
        let rounds = if r.is_qemu() { "300" } else { "2000" };
        let out = run_ok(r, "netpoll_pipes", &["reuse", rounds], procs);
        assert_eq!(
            out.stdout_str(),
            format!("rounds={rounds} first_ok={rounds} second_ok={rounds} wrong=0\n"),
            "{}",
            out.describe()
        );
    });
}

/// Starts `netpoll_pipes idle`, lets it wait `alive` past its `waiting`
/// line, kills it, and returns (stdout, stderr, still running when killed).
fn run_idle(r: &Runner, procs: &str, alive: Duration) -> (String, String, bool) {
    let mut cmd = command(r, &example("netpoll_pipes"), None);
    cmd.arg("idle")
        .env("GOMAXPROCS", procs)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn netpoll_pipes");
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 8];
    // The line comes once the program is about to park its last goroutine.
    stdout.read_exact(&mut first).expect("waiting line");
    let start = Instant::now();
    let mut running = true;
    while start.elapsed() < alive {
        if child.try_wait().unwrap().is_some() {
            running = false;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let err = err
        .lines()
        .filter(|l| !common::is_qemu_warning(l.as_bytes()))
        .collect::<Vec<_>>()
        .join("\n");
    (
        String::from_utf8_lossy(&first).into_owned() + &rest,
        err,
        running,
    )
}

#[test]
fn goroutines_waiting_on_descriptors_are_not_deadlocked() {
    for r in native_and_one_qemu() {
        for procs in ["1", "2"] {
            let (out, err, running) = run_idle(&r, procs, Duration::from_millis(1500));
            assert!(
                running,
                "[{} P={procs}] exited while waiting on pipes\nstdout: {out}\nstderr: {err}",
                r.label()
            );
            assert_eq!(out, "waiting\n", "[{}] stderr: {err}", r.label());
            assert_eq!(err, "", "[{}]", r.label());
        }
    }
}

#[test]
fn timers_wake_the_m_blocked_in_epoll_on_time() {
    each_config(|r, procs| {
        let out = run_ok(r, "netpoll_pipes", &["sleep", "20", "5000"], procs);
        assert_eq!(num(&out, "sleeps"), 20, "{}", out.describe());
        assert_eq!(num(&out, "early"), 0, "{}", out.describe());
        // A loaded 2-core machine may delay a wake-up by a few ms; what
        // must never happen is a sleep that waits for some other event
        // (a missed break would wait for ever: the harness's timeout).
        let bound = if r.is_qemu() { 200_000 } else { 50_000 };
        assert!(num(&out, "late_max_us") < bound, "{}", out.describe());
    });
}

#[test]
fn short_reads_then_eof_lose_nothing() {
    each_config(|r, procs| {
        let rounds = if r.is_qemu() { "300" } else { "2000" };
        let out = run_ok(r, "netpoll_pipes", &["stream", rounds], procs);
        let n: u64 = rounds.parse().unwrap();
        let want: u64 = (0..n)
            .flat_map(|i| (0..1 + i % 4).map(move |k| 1 + (i * 7 + k * 13) % 60))
            .sum();
        assert_eq!(
            out.stdout_str(),
            format!("rounds={n} bytes={want} want={want} eofs={n}\n"),
            "{}",
            out.describe()
        );
    });
}
