//! Go's knobs, read as Go reads them: GOMAXPROCS (a positive decimal that
//! fits an i32 wins, capped at 1024; anything else gives ncpu), ncpu from
//! the CPU affinity (so `taskset` counts), and GODEBUG's malformed values
//! (ignored, never a crash). Checked through the `rt0: osinit` and
//! `rt0: schedinit` inittrace lines and the public API (`tests/programs/knobs`),
//! against what the test learns itself: its own `sched_getaffinity` (the
//! child inherits it) and the huge page size in sysfs. Natively and under
//! qemu-x86_64 (whose `sched_getaffinity` passes through to the host).

mod common;

use common::{
    Output, Runner, affinity_cpus, command, example, native_and_one_qemu, pin_to_cpu, run,
    run_execve, run_program, trace_fields, trace_line,
};

/// ncpu as the test process sees it: its affinity mask's population.
fn ncpu() -> usize {
    affinity_cpus().len()
}

/// The raw GOMAXPROCS echo of the schedinit line (it may contain spaces).
fn requested(out: &Output) -> Option<String> {
    let err = out.stderr_str();
    let line = trace_line(&err, "schedinit").expect("schedinit line");
    let start = line.find(" GOMAXPROCS=")? + " GOMAXPROCS=".len();
    let end = line.rfind(" took=")?;
    Some(line[start..end].to_string())
}

fn hello_traced(runner: &Runner, gomaxprocs: Option<&str>) -> Output {
    let mut env = vec![("GODEBUG", "inittrace=1")];
    if let Some(v) = gomaxprocs {
        env.push(("GOMAXPROCS", v));
    }
    let out = run_program(runner, &example("hello"), &[], &env);
    out.assert_success();
    assert_eq!(out.stdout_str(), "hello, world\n", "{}", out.describe());
    out
}

#[test]
fn gomaxprocs_values_as_go() {
    let n = ncpu().min(1024).to_string();
    let cases: [(&str, &str); 17] = [
        ("1", "1"),
        ("3", "3"),
        ("007", "7"),
        ("1024", "1024"),
        ("1025", "1024"),
        ("2147483647", "1024"),
        ("0", &n),
        ("-1", &n),
        ("-", &n),
        ("+2", &n),
        (" 2", &n),
        ("2 ", &n),
        ("2x", &n),
        ("abc", &n),
        ("", &n),
        ("2147483648", &n),
        ("99999999999999999999", &n),
    ];
    for runner in native_and_one_qemu() {
        for (value, want) in cases {
            let out = hello_traced(&runner, Some(value));
            let f = trace_fields(&out, "schedinit");
            assert_eq!(
                f["gomaxprocs"],
                want,
                "GOMAXPROCS={value:?}\n{}",
                out.describe()
            );
            assert_eq!(
                requested(&out).as_deref(),
                Some(value),
                "raw echo\n{}",
                out.describe()
            );
        }
        let out = hello_traced(&runner, None);
        assert_eq!(
            trace_fields(&out, "schedinit")["gomaxprocs"],
            n,
            "{}",
            out.describe()
        );
        assert_eq!(
            requested(&out),
            None,
            "unset GOMAXPROCS echoed\n{}",
            out.describe()
        );
    }
}

#[test]
fn ncpu_and_huge_pages_match_the_host() {
    let huge = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|n| n.is_power_of_two())
        .unwrap_or(0);
    for runner in native_and_one_qemu() {
        let out = hello_traced(&runner, None);
        let f = trace_fields(&out, "osinit");
        assert_eq!(f["ncpu"], ncpu().to_string(), "{}", out.describe());
        assert_eq!(f["hugepagesize"], huge.to_string(), "{}", out.describe());
    }
}

#[test]
fn api_agrees_with_trace() {
    for runner in native_and_one_qemu() {
        for gmp in ["5", "bogus"] {
            let out = run_program(&runner, &example("knobs"), &[], &[("GOMAXPROCS", gmp)]);
            out.assert_success();
            let want_p = if gmp == "5" {
                "5".to_string()
            } else {
                ncpu().to_string()
            };
            assert_eq!(
                out.stdout_str(),
                format!("gomaxprocs={want_p} ncpu={}\n", ncpu()),
                "{}",
                out.describe()
            );
            assert!(out.stderr.is_empty(), "{}", out.describe());
        }
    }
}

/// `taskset -c CPU prog`: one allowed CPU gives ncpu=1 and, with
/// GOMAXPROCS unset, one P. The CPU is the first one this test may use
/// (CPU 0 may be outside a container's cpuset).
#[test]
fn one_allowed_cpu() {
    let cpu = affinity_cpus()[0];
    for runner in native_and_one_qemu() {
        let mut cmd = command(&runner, &example("hello"), None);
        cmd.env("GODEBUG", "inittrace=1");
        pin_to_cpu(&mut cmd, cpu);
        let out = run(&runner, cmd);
        out.assert_success();
        assert_eq!(
            trace_fields(&out, "osinit")["ncpu"],
            "1",
            "{}",
            out.describe()
        );
        assert_eq!(
            trace_fields(&out, "schedinit")["gomaxprocs"],
            "1",
            "{}",
            out.describe()
        );
        // An explicit GOMAXPROCS still wins over the CPU count.
        let mut cmd = command(&runner, &example("knobs"), None);
        cmd.env("GOMAXPROCS", "4");
        pin_to_cpu(&mut cmd, cpu);
        let out = run(&runner, cmd);
        out.assert_success();
        assert_eq!(
            out.stdout_str(),
            "gomaxprocs=4 ncpu=1\n",
            "{}",
            out.describe()
        );
    }
}

/// Two GOMAXPROCS entries: the first wins, as in Go's `gogetenv` (and
/// glibc's getenv). Native only: qemu-user keeps one entry per key (the
/// last), so the guest never sees both.
#[test]
fn first_of_duplicate_variables_wins() {
    let envp: [&[u8]; 3] = [b"GOMAXPROCS=3", b"GOMAXPROCS=5", b"GODEBUG=inittrace=1"];
    let out = run_execve(&Runner::Native, &example("hello"), &[b"hello"], &envp);
    out.assert_success();
    assert_eq!(
        trace_fields(&out, "schedinit")["gomaxprocs"],
        "3",
        "{}",
        out.describe()
    );
}

/// Malformed GODEBUG values: fields without '=', unknown keys and values
/// that are not decimal i32s are ignored, later fields win; never a crash.
/// `traced` says whether Go's parsedebugvars would leave inittrace on.
#[test]
fn malformed_godebug_is_ignored_as_go() {
    let cases: [(&[u8], bool); 16] = [
        (b"inittrace=x", false),
        (b",,,", false),
        (b"=", false),
        (b"inittrace", false),
        (b"inittrace=", false),
        (b"inittrace=+1", false),
        (b"inittrace=1 ", false),
        (b" inittrace=1", false),
        (b"INITTRACE=1", false),
        (b"inittrace=1,inittrace=x", true),
        (b"inittrace=1,inittrace=0", false),
        (b"inittrace=0,inittrace=1", true),
        (b"inittrace=-1", true),
        (b"inittrace=01", true),
        (b",inittrace=1,", true),
        (b"\xff\xfe,inittrace=1,\x80", true),
    ];
    for runner in native_and_one_qemu() {
        for (godebug, traced) in cases {
            let mut cmd = command(&runner, &example("hello"), None);
            cmd.env(
                "GODEBUG",
                <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(godebug),
            );
            let out = run(&runner, cmd);
            let what = String::from_utf8_lossy(godebug);
            out.assert_success();
            assert_eq!(
                out.stdout_str(),
                "hello, world\n",
                "GODEBUG={what:?}\n{}",
                out.describe()
            );
            let err = out.stderr_str();
            if traced {
                for step in ["check", "args", "osinit", "cpu", "schedinit", "main"] {
                    assert!(
                        trace_line(&err, step).is_some(),
                        "GODEBUG={what:?}: no {step} line\n{}",
                        out.describe()
                    );
                }
            } else {
                assert!(
                    out.stderr.is_empty(),
                    "GODEBUG={what:?}: expected silence\n{}",
                    out.describe()
                );
            }
        }
    }
}

/// GODEBUG is bytes, not UTF-8: a field with invalid bytes must not stop
/// Go's processOptions from applying the valid `cpu.*` fields around it.
#[test]
fn cpu_options_apply_next_to_non_utf8_fields() {
    // Haswell has AVX and BMI1; natively the host may lack them, so this
    // runs under qemu only.
    let runner = Runner::Qemu("Haswell".into());
    let mut cmd = command(&runner, &example("hello"), None);
    cmd.env(
        "GODEBUG",
        <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(
            b"inittrace=1,cpu.avx=off,\xff,cpu.bmi1=off",
        ),
    );
    let out = run(&runner, cmd);
    out.assert_success();
    let f = trace_fields(&out, "cpu");
    assert_eq!(
        (f["avx"].as_str(), f["bmi1"].as_str(), f["avx2"].as_str()),
        ("0", "0", "1"),
        "{}",
        out.describe()
    );
}
