//! argv and the environment exactly as the kernel passed them.
//!
//! `tests/programs/args_dump` (rt0) and `tests/oracle/args_oracle.rs` (std and
//! glibc) print argc, argv and envp hex-escaped; both run under the same
//! execve, natively and under qemu-x86_64, and their outputs must be equal
//! byte for byte. Where the test itself knows the answer (it chose the
//! arguments), it checks that too, so a mistake shared by both sides cannot
//! pass. Cases: empty strings, non-UTF-8 bytes, spaces and newlines, a long
//! argument and many arguments, an empty environment, 30,000 variables,
//! entries without '=' (possible only through a raw execve), and argc 0.

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use common::{Output, Runner, command, example, native_and_one_qemu, oracle, run, run_execve};

/// What `args_dump` and the oracle print for one byte string.
fn escape(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) && b != b'\\' {
                (b as char).to_string()
            } else {
                format!("\\x{b:02x}")
            }
        })
        .collect()
}

/// Runs rt0's dump and the oracle with the same argv[0], arguments and
/// environment on `runner`; asserts both succeed with identical output and
/// returns rt0's.
fn compare(runner: &Runner, args: &[&[u8]], env: &[(&[u8], &[u8])]) -> Output {
    let go = |prog: &std::path::Path| {
        let mut cmd = command(runner, prog, Some(OsStr::new("prog")));
        cmd.args(args.iter().map(|a| OsStr::from_bytes(a)));
        for (k, v) in env {
            cmd.env(OsStr::from_bytes(k), OsStr::from_bytes(v));
        }
        run(runner, cmd)
    };
    let rt0 = go(&example("args_dump"));
    let std = go(&oracle("args_oracle"));
    rt0.assert_success();
    std.assert_success();
    if !env.iter().any(|(k, _)| *k == b"GODEBUG") {
        assert!(rt0.stderr.is_empty(), "{}", rt0.describe());
    }
    assert!(
        rt0.stdout == std.stdout,
        "[{}] rt0 and the std oracle disagree\n--- rt0 ---\n{}\n--- oracle ---\n{}",
        runner.label(),
        rt0.describe(),
        std.describe()
    );
    rt0
}

/// The argv part of the dump the test expects for argv[0] "prog".
fn expected_argv(args: &[&[u8]]) -> String {
    let mut s = format!("argc={}\nargv[0]=prog\n", args.len() + 1);
    for (i, a) in args.iter().enumerate() {
        s += &format!("argv[{}]={}\n", i + 1, escape(a));
    }
    s
}

/// The environment lines of a dump, sorted (std's Command orders
/// variables its own way, so the test compares sets).
fn env_lines(out: &Output) -> (usize, Vec<String>) {
    let text = out.stdout_str();
    let (_, env) = text.split_once("envc=").expect("envc line");
    let mut lines = env.lines();
    let envc: usize = lines.next().unwrap().parse().unwrap();
    let mut entries: Vec<String> = lines
        .map(|l| l.split_once('=').expect("env[i]=...").1.to_string())
        .collect();
    entries.sort();
    (envc, entries)
}

#[test]
fn awkward_arguments_and_variables() {
    let args: [&[u8]; 10] = [
        b"",
        b"two words",
        b"line1\nline2",
        b"\xff\xfe\x80",
        b"tab\there\r",
        "\u{fc}nicode \u{1F600}".as_bytes(),
        b"--",
        b"back\\slash",
        b"=",
        b"",
    ];
    let env: [(&[u8], &[u8]); 6] = [
        (b"EMPTY", b""),
        (b"SPACES", b" a b "),
        (b"NEWLINE", b"x\ny"),
        (b"NONUTF8", b"\xc3\x28\xff"),
        (b"K\xe9Y", b"v"),
        (b"EQ", b"a=b=c"),
    ];
    let mut want_env: Vec<String> = env
        .iter()
        .map(|(k, v)| escape(&[*k, b"=".as_slice(), *v].concat()))
        .collect();
    want_env.sort();
    for runner in native_and_one_qemu() {
        let out = compare(&runner, &args, &env);
        let text = out.stdout_str();
        assert!(
            text.starts_with(&expected_argv(&args)),
            "{}",
            out.describe()
        );
        assert_eq!(
            env_lines(&out),
            (env.len(), want_env.clone()),
            "{}",
            out.describe()
        );
    }
}

#[test]
fn empty_environment() {
    for runner in native_and_one_qemu() {
        let out = compare(&runner, &[b"only"], &[]);
        assert_eq!(
            out.stdout_str(),
            "argc=2\nargv[0]=prog\nargv[1]=only\nenvc=0\n",
            "{}",
            out.describe()
        );
    }
}

#[test]
fn long_argument_and_many_arguments() {
    // One string just under the kernel's per-string limit (MAX_ARG_STRLEN,
    // 32 pages), and 5,000 small ones.
    let long = vec![b'L'; 120 * 1024];
    let many: Vec<Vec<u8>> = (0..5000).map(|i| format!("a{i}").into_bytes()).collect();
    let mut args: Vec<&[u8]> = vec![&long];
    args.extend(many.iter().map(Vec::as_slice));
    for runner in native_and_one_qemu() {
        let out = compare(&runner, &args, &[(b"K", b"v")]);
        assert!(
            out.stdout_str().starts_with(&expected_argv(&args)),
            "[{}] argv differs",
            runner.label()
        );
    }
}

#[test]
fn thirty_thousand_variables() {
    // 30,000 entries of ~27 bytes plus 8-byte pointers: ~1 MiB, under the
    // kernel's limit of a quarter of the 8 MiB stack rlimit (E2BIG beyond).
    let vars: Vec<(Vec<u8>, Vec<u8>)> = (0..30_000)
        .map(|i| {
            (
                format!("VAR_{i:05}").into_bytes(),
                format!("value_{i:05}_x").into_bytes(),
            )
        })
        .collect();
    let env: Vec<(&[u8], &[u8])> = vars
        .iter()
        .map(|(k, v)| (k.as_slice(), v.as_slice()))
        .collect();
    let mut want: Vec<String> = vars
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                String::from_utf8_lossy(k),
                String::from_utf8_lossy(v)
            )
        })
        .collect();
    want.sort();
    for runner in native_and_one_qemu() {
        let out = compare(&runner, &[], &env);
        assert_eq!(
            env_lines(&out),
            (30_000, want.clone()),
            "[{}]",
            runner.label()
        );
    }
}

/// Entries without '=', an empty entry and duplicate keys: std's Command
/// cannot produce them, a raw execve can. The runtime must list them as
/// the kernel passed them, in order.
#[test]
fn raw_environment_entries() {
    let argv: [&[u8]; 2] = [b"prog", b"x"];
    let envp: [&[u8]; 6] = [b"NOEQUALS", b"", b"=leading", b"DUP=1", b"DUP=2", b"\xff"];
    let want = "argc=2\nargv[0]=prog\nargv[1]=x\nenvc=6\nenv[0]=NOEQUALS\nenv[1]=\nenv[2]==leading\n\
                env[3]=DUP=1\nenv[4]=DUP=2\nenv[5]=\\xff\n";
    for runner in native_and_one_qemu() {
        let rt0 = run_execve(&runner, &example("args_dump"), &argv, &envp);
        let std = run_execve(&runner, &oracle("args_oracle"), &argv, &envp);
        rt0.assert_success();
        std.assert_success();
        if runner == Runner::Native {
            assert_eq!(std.stdout_str(), want, "oracle {}", std.describe());
        }
        // qemu-user rebuilds the guest's environment from its own (its
        // envlist drops entries without '=' and keeps one entry per key),
        // so under qemu the oracle is the only reference.
        assert_eq!(
            rt0.stdout_str(),
            std.stdout_str(),
            "rt0 {}\noracle {}",
            rt0.describe(),
            std.describe()
        );
    }
}

/// argc 0: `execve(path, {NULL}, envp)`. Linux >= 5.18 rewrites an empty
/// argv to argc 1 with argv[0] = "" (older kernels pass argc 0 through);
/// either way rt0 must see what a libc program sees, and not crash. Native
/// only: qemu-user gives its guest the arguments after the program path,
/// and `-0` sets argv[0] but cannot remove it, so argc 0 cannot reach a
/// guest through qemu.
#[test]
fn argc_zero_via_execve() {
    let runner = Runner::Native;
    let envp: [&[u8]; 2] = [b"A=1", b"GODEBUG=inittrace=1"];
    let rt0 = run_execve(&runner, &example("args_dump"), &[], &envp);
    let std = run_execve(&runner, &oracle("args_oracle"), &[], &envp);
    rt0.assert_success();
    std.assert_success();
    let oracle_text = std.stdout_str();
    assert!(
        oracle_text == "argc=0\nenvc=2\nenv[0]=A=1\nenv[1]=GODEBUG=inittrace=1\n"
            || oracle_text == "argc=1\nargv[0]=\nenvc=2\nenv[0]=A=1\nenv[1]=GODEBUG=inittrace=1\n",
        "unexpected oracle view of an empty argv:\n{}",
        std.describe()
    );
    assert_eq!(rt0.stdout_str(), oracle_text, "{}", rt0.describe());
    // The bootstrap saw the same argc.
    let argc = oracle_text
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("argc=")
        .to_string();
    let f = common::trace_fields(&rt0, "args");
    assert_eq!(f["argc"], argc, "{}", rt0.describe());
    assert_eq!(f["envc"], "2", "{}", rt0.describe());
}

/// The `rt0: args` trace line counts what the program then lists.
#[test]
fn inittrace_counts_match_the_dump() {
    for runner in native_and_one_qemu() {
        let args: [&[u8]; 3] = [b"a", b"", b"c"];
        let env: [(&[u8], &[u8]); 3] = [(b"GODEBUG", b"inittrace=1"), (b"X", b""), (b"Y", b"2")];
        let out = compare(&runner, &args, &env);
        let f = common::trace_fields(&out, "args");
        let text = out.stdout_str();
        assert_eq!(f["argc"], "4", "{text}");
        assert_eq!(f["envc"], "3", "{text}");
        assert_eq!(f["pagesz"], "4096");
        assert_eq!(f["secure"], "0");
    }
}
