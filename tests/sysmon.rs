//! sysmon starts with the program's first goroutine, timer or network use
//! (`sched::sysmon::start`), or at once under `GODEBUG=schedtrace`: a
//! program that stays on its main goroutine starts no thread at all.
//! Natively and under qemu-x86_64, by the runtime's own flag
//! (`export_test::sysmon_started`) and, natively, by strace's count of
//! `clone` calls (an independent oracle: the lone program makes none).

mod common;

use common::{Runner, example, native_and_one_qemu, run_program};
use std::process::Command;

#[test]
fn a_lone_main_goroutine_has_no_sysmon() {
    for r in native_and_one_qemu() {
        for p in ["1", "2"] {
            let out = run_program(
                &r,
                &example("sysmon_lazy"),
                &["alone"],
                &[("GOMAXPROCS", p)],
            );
            assert_eq!(out.code(), Some(0), "{}", out.describe());
            assert_eq!(
                out.stdout_str(),
                "computed=true read=true\nbefore=false after=false\n",
                "{}",
                out.describe()
            );
        }
    }
}

#[test]
fn the_first_goroutine_timer_or_poller_starts_it() {
    for r in native_and_one_qemu() {
        for mode in ["go", "after_func", "timer", "netpoll"] {
            let out = run_program(&r, &example("sysmon_lazy"), &[mode], &[("GOMAXPROCS", "1")]);
            assert_eq!(out.code(), Some(0), "{mode}\n{}", out.describe());
            assert_eq!(
                out.stdout_str(),
                "before=false after=true\n",
                "{mode}\n{}",
                out.describe()
            );
        }
    }
}

#[test]
fn schedtrace_starts_it_before_main() {
    for r in native_and_one_qemu() {
        let env = [("GOMAXPROCS", "1"), ("GODEBUG", "schedtrace=1000")];
        let out = run_program(&r, &example("sysmon_lazy"), &["alone"], &env);
        assert_eq!(out.code(), Some(0), "{}", out.describe());
        assert_eq!(
            out.stdout_str(),
            "computed=true read=true\nbefore=true after=true\n",
            "{}",
            out.describe()
        );
        assert!(out.stderr_str().starts_with("SCHED "), "{}", out.describe());
    }
}

/// The `clone` calls strace sees for `sysmon_lazy MODE` (native only:
/// under qemu strace would see the emulator's own threads).
fn clones(mode: &str) -> usize {
    let log = std::env::temp_dir().join(format!("rt0-sysmon-{mode}-{}.strace", std::process::id()));
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-qq", "-e", "trace=clone,clone3", "-o"])
        .arg(&log)
        .arg(example("sysmon_lazy"))
        .arg(mode)
        .env_clear()
        .env("GOMAXPROCS", "1");
    let out = common::run(&Runner::Native, cmd);
    assert_eq!(out.code(), Some(0), "{}", out.describe());
    let text = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    text.lines().filter(|l| l.contains("clone")).count()
}

#[test]
fn strace_sees_no_thread_for_a_lone_main() {
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("strace not installed: skipped");
        return;
    }
    assert_eq!(clones("alone"), 0, "a lone main goroutine started a thread");
    // The oracle can see a thread: sysmon's, once a goroutine exists.
    assert!(clones("go") >= 1, "no clone seen for sysmon");
}
