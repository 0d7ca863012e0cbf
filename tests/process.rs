//! rt0::process (tests/programs/process_spawn.rs) and examples/run.rs,
//! natively and under qemu-user (`-cpu qemu64`, the first model of
//! QEMU_CPUS): exit codes, signals, exec errors, large data through piped
//! stdin/stdout, `output`, the environment, the working directory, the
//! PATH search, `try_wait`, `kill`, and 1,000 children from 8 goroutines at
//! GOMAXPROCS 4. The oracles: `sh` itself (what a shell reports for the
//! same command), coreutils `env`/`pwd`, and the checksum computed here.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use common::{Output, Runner, command, example, native_and_one_qemu, num, run, run_program};

/// Runs process_spawn with `args` and exactly `env`.
fn spawn_prog(r: &Runner, args: &[&str], env: &[(&str, &str)]) -> Output {
    run_program(r, &example("process_spawn"), args, env)
}

/// As [`spawn_prog`], asserting status 0 and an empty stderr.
fn spawn_ok(r: &Runner, args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = spawn_prog(r, args, env);
    assert_eq!(out.code(), Some(0), "{}", out.describe());
    assert_eq!(out.stderr_str(), "", "{}", out.describe());
    out
}

/// Runs examples/run.rs with `args`.
fn run_example(r: &Runner, args: &[&str]) -> Output {
    run_program(r, &example("run"), args, &[])
}

/// What `sh` says `$?` is after running `script` in a subshell.
fn shell_status(script: &str) -> i32 {
    let out = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("/bin/sh -c '{script}' 2>/dev/null; echo $?"))
        .output()
        .expect("run sh");
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// A fresh directory under the system's temporary directory.
fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rt0-process-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn exit_codes_match_the_shell() {
    for r in native_and_one_qemu() {
        for code in [0, 1, 42, 255] {
            let script = format!("exit {code}");
            let out = spawn_ok(&r, &["status", "/bin/sh", "-c", &script], &[]);
            let s = out.stdout_str();
            assert!(
                s.starts_with(&format!("code={code} signal=none success={}\n", code == 0)),
                "{}",
                out.describe()
            );
            assert!(
                s.ends_with(&format!("display=exit status: {code}\n")),
                "{}",
                out.describe()
            );
            let run = run_example(&r, &["/bin/sh", "-c", &script]);
            assert_eq!(
                run.code(),
                Some(shell_status(&script)),
                "{}",
                run.describe()
            );
            assert_eq!(run.stderr_str(), "", "{}", run.describe());
        }
    }
}

#[test]
fn signals_are_reported_as_a_shell_does() {
    for r in native_and_one_qemu() {
        for (sig, name) in [(9, "SIGKILL"), (15, "SIGTERM"), (6, "SIGABRT")] {
            let script = format!("kill -{sig} $$");
            let out = spawn_ok(&r, &["status", "/bin/sh", "-c", &script], &[]);
            let want =
                format!("code=none signal={sig} success=false\ndisplay=signal: {sig} ({name})");
            // SIGABRT may dump core, which Display then says.
            assert!(out.stdout_str().starts_with(&want), "{}", out.describe());
            let run = run_example(&r, &["/bin/sh", "-c", &script]);
            assert_eq!(run.code(), Some(128 + sig), "{}", run.describe());
            assert_eq!(
                run.code(),
                Some(shell_status(&script)),
                "{}",
                run.describe()
            );
            let err = run.stderr_str();
            let line = err.lines().find(|l| l.contains("signal")).unwrap_or("");
            assert!(line.contains(&sig.to_string()), "{}", run.describe());
            assert_eq!(run.stdout_str(), "", "{}", run.describe());
        }
    }
}

#[test]
fn exec_errors_come_back_as_io_errors() {
    let dir = temp_dir("eacces");
    let file = dir.join("not-executable");
    std::fs::write(&file, "#!/bin/sh\necho no\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let file = file.to_str().unwrap();
    for r in native_and_one_qemu() {
        let out = spawn_ok(&r, &["error", "/nonexistent/program"], &[]);
        assert_eq!(
            out.stdout_str(),
            "kind=NotFound raw=2 msg=No such file or directory (os error 2)\n",
            "{}",
            out.describe()
        );
        let out = spawn_ok(&r, &["error", file], &[]);
        assert_eq!(
            out.stdout_str(),
            "kind=PermissionDenied raw=13 msg=Permission denied (os error 13)\n",
            "{}",
            out.describe()
        );
        // A directory that cannot be entered: chdir's error, from the child.
        let out = spawn_ok(&r, &["error", "/bin/true", "/nonexistent/dir"], &[]);
        assert!(
            out.stdout_str().starts_with("kind=NotFound raw=2 "),
            "{}",
            out.describe()
        );
        let out = spawn_ok(&r, &["error", "/bin/true"], &[]);
        assert_eq!(out.stdout_str(), "spawned\n", "{}", out.describe());
        let out = spawn_ok(&r, &["nul"], &[]);
        assert_eq!(
            out.stdout_str(),
            "kind=InvalidInput\n",
            "{}",
            out.describe()
        );

        // run: the errno's text on stderr and 127, as a shell.
        let run = run_example(&r, &["/nonexistent/program"]);
        assert_eq!(run.code(), Some(127), "{}", run.describe());
        assert_eq!(
            run.code(),
            Some(shell_status("/nonexistent/program")),
            "{}",
            run.describe()
        );
        assert!(
            run.stderr_str().contains("No such file or directory"),
            "{}",
            run.describe()
        );
        let run = run_example(&r, &[file]);
        assert_eq!(run.code(), Some(shell_status(file)), "{}", run.describe());
        assert!(
            run.stderr_str().contains("Permission denied"),
            "{}",
            run.describe()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_usage_and_inherited_stdout() {
    for r in native_and_one_qemu() {
        let run = run_example(&r, &[]);
        assert_eq!(run.code(), Some(2), "{}", run.describe());
        assert!(
            run.stderr_str().starts_with("usage: run"),
            "{}",
            run.describe()
        );
        let run = run_example(&r, &["/bin/echo", "hello", "world"]);
        assert_eq!(run.code(), Some(0), "{}", run.describe());
        assert_eq!(run.stdout_str(), "hello world\n", "{}", run.describe());
        let run = run_example(&r, &["/bin/sh", "-c", "echo oops >&2; exit 3"]);
        assert_eq!(run.code(), Some(3), "{}", run.describe());
        assert_eq!(run.stderr_str(), "oops\n", "{}", run.describe());
    }
}

/// The checksum process_spawn's `pipe` mode computes, independently.
fn pipe_checksum(total: u64) -> u64 {
    (0..total).fold(0u64, |s, i| {
        let b = (i.wrapping_mul(2_654_435_761) >> 13) as u8;
        s.wrapping_add((b as u64).wrapping_mul(i + 1))
    })
}

#[test]
fn large_data_through_cat_both_ways() {
    const TOTAL: u64 = 20_000_000;
    let want = pipe_checksum(TOTAL);
    for r in native_and_one_qemu() {
        for procs in ["1", "4"] {
            let out = spawn_ok(&r, &["pipe", &TOTAL.to_string()], &[("GOMAXPROCS", procs)]);
            assert_eq!(num(&out, "bytes"), TOTAL, "{}", out.describe());
            assert_eq!(num(&out, "sum"), want, "{}", out.describe());
            assert_eq!(num(&out, "code"), 0, "{}", out.describe());
        }
    }
}

#[test]
fn command_debug_reads_like_a_shell_line() {
    let out = spawn_ok(&Runner::Native, &["debug"], &[]);
    assert_eq!(
        out.stdout_str(),
        "cd \"/tmp\" && A=\"1\" -u B \"/bin/sh\" \"-c\" \"exit 1\"\n",
        "{}",
        out.describe()
    );
}

#[test]
fn output_captures_stdout_and_stderr() {
    for r in native_and_one_qemu() {
        let out = spawn_ok(&r, &["output"], &[]);
        assert_eq!(
            out.stdout_str(),
            "stdout=[to-out] stderr=[to-err] code=3\n",
            "{}",
            out.describe()
        );
    }
}

#[test]
fn environment_clear_set_remove() {
    for r in native_and_one_qemu() {
        let out = spawn_ok(&r, &["env", "clear"], &[]);
        assert_eq!(out.stdout_str(), "code=0\n", "{}", out.describe());
        let out = spawn_ok(&r, &["env", "clearset"], &[]);
        assert_eq!(
            out.stdout_str(),
            "A=1\nB=two\ncode=0\n",
            "{}",
            out.describe()
        );
        let env = [("RT0_T_REMOVE", "gone"), ("RT0_T_KEEP", "kept")];
        let out = spawn_ok(&r, &["env", "remove"], &env);
        let mut lines: Vec<String> = out.stdout_str().lines().map(String::from).collect();
        lines.sort();
        assert_eq!(
            lines,
            ["RT0_T_KEEP=kept", "RT0_T_SET=yes", "code=0"],
            "{}",
            out.describe()
        );
    }
}

#[test]
fn current_dir_is_the_childs() {
    let dir = temp_dir("cwd");
    let want = format!("{}\n", dir.canonicalize().unwrap().display());
    for r in native_and_one_qemu() {
        let out = spawn_ok(&r, &["cwd", dir.to_str().unwrap()], &[]);
        assert_eq!(out.stdout_str(), want, "{}", out.describe());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn path_lookup() {
    for r in native_and_one_qemu() {
        // Found through the parent's PATH, after entries that do not exist.
        let env = [("PATH", "/nonexistent:/also/not:/bin")];
        let out = spawn_ok(&r, &["path", "sh"], &env);
        assert_eq!(out.stdout_str(), "found\ncode=0\n", "{}", out.describe());
        // Not found anywhere: ENOENT.
        let env = [("PATH", "/nonexistent:/also/not")];
        let out = spawn_ok(&r, &["error", "sh"], &env);
        assert!(
            out.stdout_str().starts_with("kind=NotFound raw=2 "),
            "{}",
            out.describe()
        );
        // The child's PATH, set with env(), wins over the parent's.
        let out = spawn_ok(&r, &["childpath"], &env);
        assert_eq!(out.stdout_str(), "code=5\n", "{}", out.describe());
        // run looks PROG up too.
        let run = run_program(
            &r,
            &example("run"),
            &["echo", "via", "path"],
            &[("PATH", "/bin")],
        );
        assert_eq!(run.stdout_str(), "via path\n", "{}", run.describe());
    }
}

#[test]
fn try_wait_before_and_after_exit() {
    for r in native_and_one_qemu() {
        let out = spawn_ok(&r, &["trywait"], &[]);
        assert_eq!(
            out.stdout_str(),
            "before=None\nwait=7\nafter=7\n",
            "{}",
            out.describe()
        );
    }
}

#[test]
fn kill_then_wait() {
    for r in native_and_one_qemu() {
        let out = spawn_ok(&r, &["kill"], &[]);
        assert_eq!(
            out.stdout_str(),
            "before=None\nsignal=9\nagain=ok\n",
            "{}",
            out.describe()
        );
    }
}

/// Natively: 1,000 children from 8 goroutines at GOMAXPROCS 4. Under
/// qemu-user the children come one at a time from one goroutine: qemu
/// turns the vfork clone into a fork of itself, and a fork while another
/// guest thread is translating code can leave the child deadlocked inside
/// qemu (glib's `g_slice_alloc` lock, held by that thread at the fork, in
/// `tcg_tb_insert`: gdb on a hung child; about 1 run in 8 of 200
/// children from 8 goroutines at GOMAXPROCS 8), so that the parent waits
/// for its exec for ever. README, "Processes", says so.
#[test]
fn a_thousand_children_from_eight_goroutines() {
    for r in native_and_one_qemu() {
        let (n, g) = if r.is_qemu() {
            ("100", "1")
        } else {
            ("1000", "8")
        };
        let out = spawn_ok(&r, &["many", n, g], &[("GOMAXPROCS", "4")]);
        assert_eq!(
            out.stdout_str(),
            format!("ok={n} fail=0\n"),
            "{}",
            out.describe()
        );
    }
}

#[test]
fn wait_parks_the_goroutine_not_the_thread() {
    for r in native_and_one_qemu() {
        let out = spawn_ok(&r, &["parkwait"], &[("GOMAXPROCS", "1")]);
        assert_eq!(out.stdout_str(), "parked=1 code=7\n", "{}", out.describe());
    }
}

/// The child's code between clone and execve (`sys::spawn::child_main`)
/// must run no runtime code: checked on the machine code itself, since a
/// call to a panic handler, memset or anything else could slip in through
/// an innocent-looking line. In the disassembly of the built program the
/// function has no `call`, no FS/GS-relative access (the TLS it shares
/// with the parent thread), and every jump lands inside it.
#[test]
fn child_runs_no_runtime_code() {
    let bin = example("process_spawn");
    let out = Command::new("objdump")
        .args(["-d", "--no-show-raw-insn", "-M", "intel"])
        .arg(&bin)
        .output()
        .expect("run objdump");
    assert!(out.status.success(), "objdump failed");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    let header = |l: &str| l.ends_with(">:") && !l.starts_with(' ');
    let start_idx = lines
        .iter()
        .position(|l| header(l) && l.contains("5spawn10child_main"))
        .expect("child_main in the disassembly");
    let addr = |l: &str| {
        u64::from_str_radix(
            l.split_whitespace().next().unwrap().trim_end_matches(':'),
            16,
        )
        .unwrap()
    };
    let start = addr(lines[start_idx]);
    let end_idx = lines[start_idx + 1..]
        .iter()
        .position(|l| header(l))
        .map(|i| start_idx + 1 + i)
        .expect("a function after child_main");
    let end = addr(lines[end_idx]);
    let body: Vec<&str> = lines[start_idx + 1..end_idx]
        .iter()
        .copied()
        .filter(|l| l.contains(':') && l.starts_with(' '))
        .collect();
    assert!(
        body.len() > 20,
        "child_main looks too short:\n{}",
        body.join("\n")
    );
    let mut syscalls = 0;
    for l in &body {
        let insn = l.split_once(':').unwrap().1.trim();
        let mnemonic = insn.split_whitespace().next().unwrap_or("");
        assert!(!mnemonic.starts_with("call"), "a call in child_main: {l}");
        assert!(
            !insn.contains("fs:") && !insn.contains("gs:"),
            "TLS access in child_main: {l}"
        );
        if mnemonic == "syscall" {
            syscalls += 1;
        }
        if mnemonic.starts_with('j') {
            let target = insn.split_whitespace().nth(1).unwrap_or("");
            let target = u64::from_str_radix(target, 16)
                .unwrap_or_else(|_| panic!("indirect jump in child_main: {l}"));
            assert!(
                (start..end).contains(&target),
                "jump out of child_main: {l}"
            );
        }
    }
    // rt_sigaction (query, set), dup2, chdir, rt_sigprocmask, execve,
    // write, exit_group.
    assert!(syscalls >= 8, "only {syscalls} syscalls in child_main");
}

/// The child gets back the signal mask the process started with (all
/// signals are blocked only around the clone): `SigBlk` of a child is
/// empty, as it is for a child of the shell.
#[test]
fn child_signal_mask_is_restored() {
    for r in native_and_one_qemu() {
        let out = spawn_ok(
            &r,
            &["status", "/bin/grep", "SigBlk", "/proc/self/status"],
            &[],
        );
        assert!(
            out.stdout_str().starts_with("SigBlk:\t0000000000000000\n"),
            "{}",
            out.describe()
        );
    }
}

unsafe extern "C" {
    fn sigprocmask(how: i32, set: *const u64, old: *mut u64) -> i32;
}
const SIG_BLOCK: i32 = 0;
const SIGUSR1: i32 = 10;
const SIGTERM: i32 = 15;

/// A child gets the mask the process was started with (Go's
/// initSigmask), whichever M spawns it and whatever the runtime unblocked
/// on that M: started with SIGUSR1 and SIGTERM blocked (the runtime
/// unblocks SIGTERM on its own threads, so that it can die by it), the
/// program's child still has both blocked, at GOMAXPROCS 1 and 4.
#[test]
fn child_gets_the_inherited_signal_mask() {
    let want = (1u64 << (SIGUSR1 - 1)) | (1u64 << (SIGTERM - 1));
    for r in native_and_one_qemu() {
        for procs in ["1", "4"] {
            let mut cmd = command(&r, &example("process_spawn"), None);
            cmd.args(["status", "/bin/grep", "SigBlk", "/proc/self/status"])
                .env("GOMAXPROCS", procs);
            // SAFETY: the hook calls only sigprocmask(2), async-signal-safe,
            // on a set built before the fork.
            unsafe {
                use std::os::unix::process::CommandExt;
                cmd.pre_exec(move || {
                    // glibc's sigset_t is 128 bytes: pass a whole one.
                    let mut set = [0u64; 16];
                    set[0] = want;
                    if sigprocmask(SIG_BLOCK, set.as_ptr(), std::ptr::null_mut()) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            let out = run(&r, cmd);
            assert_eq!(out.code(), Some(0), "{}", out.describe());
            assert!(
                out.stdout_str()
                    .starts_with(&format!("SigBlk:\t{want:016x}\n")),
                "{}",
                out.describe()
            );
        }
    }
}

/// A program started with stdin and stdout closed: its pipes land on fds
/// 0 and 1, and the child's `dup2`s must not overwrite one with the other
/// (every descriptor is moved above 2 first). 1 MB through `cat`, checked
/// as in large_data_through_cat_both_ways; the result goes to stderr,
/// the one stream left open.
#[test]
fn pipes_work_with_the_standard_streams_closed() {
    const TOTAL: u64 = 1_000_000;
    let want = pipe_checksum(TOTAL);
    for r in native_and_one_qemu() {
        let prog = example("process_spawn");
        let runner = match &r {
            Runner::Native => String::new(),
            Runner::Qemu(model) => format!("{} -cpu {model} ", common::qemu_path().display()),
        };
        let script = format!(
            "exec 0<&- 1>&-; exec {runner}{} pipe {TOTAL} stderr",
            prog.display()
        );
        let out = Command::new("/bin/sh")
            .arg("-c")
            .arg(&script)
            .env_clear()
            .output()
            .expect("run sh");
        let err: String = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| !common::is_qemu_warning(l.as_bytes()))
            .collect();
        assert_eq!(
            err,
            format!("bytes={TOTAL} sum={want} want={want} code=0"),
            "[{}] {script}: {:?}",
            r.label(),
            out.status
        );
        assert_eq!(out.status.code(), Some(0), "[{}] {err}", r.label());
    }
}

/// Without pidfds (a kernel before 5.3, or an emulator without the call)
/// `wait` falls back to a blocking `wait4` in the system-call bracket and
/// `kill` to `kill(2)`. strace's fault injection makes every
/// `pidfd_open` fail with ENOSYS (natively, and under qemu, whose
/// pidfd_open forwards to the host's); skipped when strace is missing.
#[test]
fn without_pidfds_wait_falls_back_to_wait4() {
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("strace not installed: skipped");
        return;
    }
    let prog = example("process_spawn");
    for r in native_and_one_qemu() {
        for (args, want) in [
            (
                &["trywait"][..],
                "before=None\nwait=7\nafter=7\n".to_string(),
            ),
            (
                &["kill"][..],
                "before=None\nsignal=9\nagain=ok\n".to_string(),
            ),
            (
                &["output"][..],
                "stdout=[to-out] stderr=[to-err] code=3\n".to_string(),
            ),
            // One goroutine: qemu's fork of a busy guest (see above).
            (&["many", "100", "1"][..], "ok=100 fail=0\n".to_string()),
        ] {
            let mut cmd = Command::new("strace");
            cmd.args(["-f", "-qq", "-o", "/dev/null", "-e", "trace=pidfd_open"])
                .args(["-e", "inject=pidfd_open:error=ENOSYS"]);
            if let Runner::Qemu(model) = &r {
                cmd.arg(common::qemu_path()).args(["-cpu", model]);
            }
            cmd.arg(&prog).args(args).env_clear().env("GOMAXPROCS", "4");
            let out = common::run(&r, cmd);
            assert_eq!(out.code(), Some(0), "{}", out.describe());
            assert_eq!(out.stdout_str(), want, "{}", out.describe());
        }
    }
}
