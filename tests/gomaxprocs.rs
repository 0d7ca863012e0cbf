//! `set_gomaxprocs` at run time (tests/programs/gomaxprocs_resize.rs):
//! the values it returns (Go's `GOMAXPROCS`: the previous count, 0 only
//! asks, clamped at `MAX_GOMAXPROCS`); resizing 1 -> 8 -> 2 -> 1 -> 4 ...
//! hundreds of times while a channel pipeline and sleepers run, with
//! exact counts at the end; timers whose P is removed move to a surviving
//! P and still fire; `GODEBUG=schedtrace` lines show the new count with
//! one run-queue entry per P. Natively and under `qemu-x86_64 -cpu
//! qemu64` and `Haswell`.

mod common;

use common::{Output, Runner, example, num, run_program, stdout_fields};

fn runners() -> Vec<Runner> {
    vec![
        Runner::Native,
        Runner::Qemu("qemu64".into()),
        Runner::Qemu("Haswell".into()),
    ]
}

fn ok(r: &Runner, args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = run_program(r, &example("gomaxprocs_resize"), args, env);
    assert_eq!(
        out.code(),
        Some(0),
        "{} {args:?}\n{}",
        r.label(),
        out.describe()
    );
    out
}

#[test]
fn returns_the_previous_value() {
    for r in runners() {
        for procs in ["1", "4"] {
            let out = ok(&r, &["prev"], &[("GOMAXPROCS", procs)]);
            assert_eq!(out.stderr_str(), "", "{}", out.describe());
            assert_eq!(
                out.stdout_str(),
                format!(
                    "initial={procs}\nask={procs}\nset3={procs}\nset3_again=3\nnow=3\n\
                     set_huge=3\nclamped=true\nset1=1024\nask_end=1\n"
                ),
                "{}",
                out.describe()
            );
        }
    }
}

#[test]
fn resizing_under_a_running_pipeline_loses_nothing() {
    for r in runners() {
        let (rounds, items) = if r.is_qemu() {
            ("60", "6000")
        } else {
            ("300", "40000")
        };
        for procs in ["1", "3"] {
            let out = ok(&r, &["pipeline", rounds, items], &[("GOMAXPROCS", procs)]);
            assert_eq!(out.stderr_str(), "", "{}", out.describe());
            let items: u64 = items.parse().unwrap();
            assert_eq!(
                num(&out, "resizes"),
                rounds.parse::<u64>().unwrap(),
                "{}",
                out.describe()
            );
            assert_eq!(num(&out, "bad_prev"), 0, "{}", out.describe());
            assert_eq!(num(&out, "items"), items, "{}", out.describe());
            assert_eq!(
                num(&out, "sum"),
                3 * items * (items - 1) / 2,
                "{}",
                out.describe()
            );
            assert_eq!(stdout_fields(&out)["slept"], "true", "{}", out.describe());
        }
    }
}

#[test]
fn timers_of_removed_ps_move_and_fire() {
    for r in runners() {
        let out = ok(&r, &["timers", "64"], &[("GOMAXPROCS", "2")]);
        assert_eq!(out.stderr_str(), "", "{}", out.describe());
        let f = stdout_fields(&out);
        assert_eq!(f["in_heaps_before_ok"], "true", "{}", out.describe());
        // After the shrink to one P, P0's heap holds every pending timer:
        // none stayed behind in a dead P's heap.
        assert_eq!(f["accounted_after_ok"], "true", "{}", out.describe());
        assert_eq!(num(&out, "fired"), 64, "{}", out.describe());
        assert_eq!(num(&out, "ticks"), 20, "{}", out.describe());
        assert_eq!(num(&out, "in_heaps_end"), 0, "{}", out.describe());
        // Wide bound: a loaded 2-core machine under qemu, but never lost.
        assert!(num(&out, "late_max_ms") < 2000, "{}", out.describe());
    }
}

#[test]
fn schedtrace_shows_the_new_gomaxprocs() {
    for r in runners() {
        let out = ok(
            &r,
            &["trace"],
            &[("GOMAXPROCS", "2"), ("GODEBUG", "schedtrace=10")],
        );
        assert_eq!(out.stdout_str(), "final=5\n", "{}", out.describe());
        let mut seen = std::collections::BTreeSet::new();
        for line in out.stderr_str().lines().filter(|l| l.starts_with("SCHED ")) {
            let n: usize = line
                .split_whitespace()
                .find_map(|w| w.strip_prefix("gomaxprocs="))
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("no gomaxprocs in {line:?}"));
            // One run-queue length per P, in brackets.
            let per_p = line
                .split('[')
                .nth(1)
                .map_or(0, |q| q.split_whitespace().count());
            assert_eq!(per_p, n, "{line:?}\n{}", out.describe());
            seen.insert(n);
        }
        assert!(
            seen.contains(&3) && seen.contains(&5),
            "{seen:?}\n{}",
            out.describe()
        );
    }
}

/// A goroutine that never calls into the runtime can be stopped only by
/// asynchronous preemption: the resize still completes.
#[test]
fn a_spinning_goroutine_does_not_block_the_resize() {
    for r in runners() {
        let out = ok(&r, &["spin"], &[("GOMAXPROCS", "2")]);
        assert_eq!(out.stdout_str(), "prev=2\nback=1\n", "{}", out.describe());
    }
}
