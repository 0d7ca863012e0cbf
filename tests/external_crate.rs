//! rt0 used from someone else's crate: follows the README's "Your own
//! program" steps in a fresh directory outside this repository, with the
//! files of `tests/external/template/`, builds it with a plain `cargo
//! build --release`, and runs the result natively and under qemu-x86_64;
//! then the same crate with `cargo build` (dev profile). These are the
//! only tests that see rt0 the way a user does: through `links = "rt0"`
//! and `DEP_RT0_LINKER_SCRIPT`, without this package's own build script
//! flags for examples.
//!
//! The second test runs the template's freestanding test program
//! (`tests/harness.rs`, `rt0::test_main!`) with `cargo test`, natively and
//! through `CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="qemu-x86_64 -cpu
//! MODEL"`, and holds its output to libtest's lines exactly. The third
//! skips each step of the README in turn and checks the error cargo gives
//! is the one the README's Troubleshooting section quotes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{native_and_one_qemu, repo_root, run_program, user_cargo};

/// A scratch directory under the system temp dir, removed when dropped
/// (kept when the test fails, for inspection).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!("rt0-external-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn check(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// ELF facts a freestanding link must produce: ET_EXEC (not PIE) and no
/// PT_INTERP (static, no dynamic loader).
fn assert_static_non_pie(bin: &Path) {
    let elf = std::fs::read(bin).unwrap();
    assert_eq!(&elf[..4], b"\x7fELF", "not an ELF file");
    let u16_at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]);
    let u64_at = |o: usize| u64::from_le_bytes(elf[o..o + 8].try_into().unwrap());
    const ET_EXEC: u16 = 2;
    const PT_INTERP: u32 = 3;
    assert_eq!(
        u16_at(0x10),
        ET_EXEC,
        "e_type: a PIE or shared object, not a fixed-address executable"
    );
    let (phoff, phentsize, phnum) = (
        u64_at(0x20) as usize,
        u16_at(0x36) as usize,
        u16_at(0x38) as usize,
    );
    for i in 0..phnum {
        let o = phoff + i * phentsize;
        let p_type = u32::from_le_bytes(elf[o..o + 4].try_into().unwrap());
        assert_ne!(
            p_type, PT_INTERP,
            "program header {i} is PT_INTERP: dynamically linked"
        );
    }
}

/// The template's files into `krate` (made by `cargo new`): Cargo.toml
/// with the path to this checkout in place of the README's "../rt0",
/// build.rs, .cargo/config.toml, src/main.rs and tests/harness.rs.
fn copy_template(template: &Path, krate: &Path) {
    let manifest = std::fs::read_to_string(template.join("Cargo.toml")).unwrap();
    let dep_line = "rt0 = { path = \"../rt0\" }";
    assert!(
        manifest.contains(dep_line),
        "template Cargo.toml lost its rt0 line"
    );
    let manifest = manifest.replace(
        dep_line,
        &format!("rt0 = {{ path = {:?} }}", repo_root().display().to_string()),
    );
    std::fs::write(krate.join("Cargo.toml"), manifest).unwrap();
    for dir in [".cargo", "src", "tests"] {
        std::fs::create_dir_all(krate.join(dir)).unwrap();
    }
    for file in [
        "build.rs",
        ".cargo/config.toml",
        "src/main.rs",
        "tests/harness.rs",
    ] {
        std::fs::copy(template.join(file), krate.join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
}

/// A scratch crate made as the README says: `cargo new`, then the
/// template's files; returns the scratch directory and the crate's path.
fn new_crate() -> (TempDir, PathBuf) {
    let tmp = TempDir::new();
    check(
        user_cargo(&tmp.0).args(["new", "--bin", "--vcs", "none", "myprog"]),
        "cargo new",
    );
    let krate = tmp.0.join("myprog");
    copy_template(&repo_root().join("tests/external/template"), &krate);
    (tmp, krate)
}

#[test]
fn own_crate_outside_the_workspace() {
    let tmp = TempDir::new();
    // Outside any Cargo workspace: no Cargo.toml in an ancestor.
    for anc in tmp.0.ancestors() {
        assert!(
            !anc.join("Cargo.toml").exists(),
            "{} is inside a Cargo project",
            tmp.0.display()
        );
    }
    let template = repo_root().join("tests/external/template");

    // Step 1: cargo new.
    check(
        user_cargo(&tmp.0).args(["new", "--bin", "--vcs", "none", "myprog"]),
        "cargo new",
    );
    let krate = tmp.0.join("myprog");

    // Steps 2-4: the template's files.
    copy_template(&template, &krate);

    // Step 5: cargo build --release, with its own target directory.
    check(
        user_cargo(&krate)
            .args(["build", "--release"])
            .env("CARGO_TARGET_DIR", tmp.0.join("target")),
        "cargo build --release",
    );
    let bin = tmp.0.join("target/release/myprog");
    assert_static_non_pie(&bin);

    for runner in native_and_one_qemu() {
        let out = run_program(&runner, &bin, &["a", "b"], &[]);
        out.assert_success();
        assert_eq!(
            out.stdout_str(),
            "hello from my own program\nargs=3 sum of squares 1..=10 = 385\n",
            "{}",
            out.describe()
        );
        assert!(out.stderr.is_empty(), "{}", out.describe());
        // The bootstrap is rt0's, traced as in this package's examples.
        let out = run_program(&runner, &bin, &[], &[("GODEBUG", "inittrace=1")]);
        out.assert_success();
        let f = common::trace_fields(&out, "main");
        assert_eq!(
            f.get("goid").map(String::as_str),
            Some("1"),
            "{}",
            out.describe()
        );
        assert_eq!(
            common::trace_fields(&out, "tls")["check"],
            "ok",
            "{}",
            out.describe()
        );
    }

    for runner in native_and_one_qemu() {
        check_traceback(&runner, &bin, "release (lto)");
    }
    // The template's release profile has LTO (the profile this
    // repository's figures use), which inlines across crates; without it
    // the frames are the same.
    check(
        user_cargo(&krate)
            .args(["build", "--release"])
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env("CARGO_TARGET_DIR", tmp.0.join("target-nolto")),
        "cargo build --release (no lto)",
    );
    check_traceback(
        &common::Runner::Native,
        &tmp.0.join("target-nolto/release/myprog"),
        "release without lto",
    );

    // The dev profile links too (no LTO there to drop the precompiled
    // core's unwinding references), and its debug assertions pass.
    check(
        user_cargo(&krate)
            .arg("build")
            .env("CARGO_TARGET_DIR", tmp.0.join("target")),
        "cargo build",
    );
    let dev = tmp.0.join("target/debug/myprog");
    assert_static_non_pie(&dev);
    check_traceback(&common::Runner::Native, &dev, "dev");
    let out = run_program(&common::Runner::Native, &dev, &[], &[]);
    out.assert_success();
    assert_eq!(
        out.stdout_str(),
        "hello from my own program\nargs=1 sum of squares 1..=10 = 385\n",
        "{}",
        out.describe()
    );
}

/// `myprog panic`: goroutine 2 panics three calls down in `deep`; its
/// section names them with the template's file and lines, and where main
/// started it (the crate built exactly as the README says).
fn check_traceback(runner: &common::Runner, bin: &std::path::Path, build: &str) {
    let out = run_program(runner, bin, &["panic"], &[]);
    let ctx = format!("{build}\n{}", out.describe());
    assert_eq!(out.code(), Some(2), "{ctx}");
    let src =
        std::fs::read_to_string(repo_root().join("tests/external/template/src/main.rs")).unwrap();
    let line_of = |needle: &str| {
        1 + src
            .lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not in the template"))
    } as u32;
    let r = common::report::parse(&out.stderr_str()).unwrap_or_else(|e| panic!("{e}\n{ctx}"));
    assert_eq!(r.head, ["panic: deep enough"], "{ctx}");
    let g = r
        .goroutines
        .first()
        .unwrap_or_else(|| panic!("no section\n{ctx}"));
    // Main's goroutine: 2, or 17 if main had moved to another P (ids come
    // in per-P batches of 16); its parent is checked below.
    assert!(g.id > 1, "{ctx}");
    let places: Vec<(&str, Option<(&str, u32)>)> = g
        .frames
        .iter()
        .map(|f| (f.name.as_str(), f.file_line()))
        .collect();
    let at = |n: &str| Some(("src/main.rs", line_of(n)));
    fn file(p: Option<(&str, u32)>) -> Option<(&str, u32)> {
        p.map(|(f, l)| {
            (
                if f.ends_with("/src/main.rs") {
                    "src/main.rs"
                } else {
                    f
                },
                l,
            )
        })
    }
    let got: Vec<(&str, Option<(&str, u32)>)> = places.iter().map(|&(n, p)| (n, file(p))).collect();
    let closure = got.get(3).map_or("", |f| f.0);
    assert!(
        closure.starts_with("myprog::main::{"),
        "the closure's frame\n{ctx}"
    );
    assert_eq!(
        got,
        [
            ("myprog::deep", at("panic!(\"deep enough\")")),
            ("myprog::deep", at("black_box(deep(depth - 1))")),
            ("myprog::deep", at("black_box(deep(depth - 1))")),
            (closure, at("tx.send(deep(2))")),
        ],
        "{ctx}"
    );
    let c = g
        .created_by
        .as_ref()
        .unwrap_or_else(|| panic!("no created by\n{ctx}"));
    assert_eq!((c.func.as_str(), c.parent), ("myprog::main", 1), "{ctx}");
    assert!(c.file.ends_with("src/main.rs"), "{ctx}");
    assert_eq!(c.line, line_of("rt0::runtime::go(move"), "{ctx}");
}

/// The test program's names, sorted as libtest sorts them.
const HARNESS_TESTS: [&str; 5] = [
    "chans::fan_in",
    "chans::ping_pong",
    "fails_on_request",
    "on_its_own_goroutine",
    "sums",
];

/// What `cargo test` printed and how it ended.
struct CargoTest {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    what: String,
}

impl CargoTest {
    fn describe(&self) -> String {
        format!(
            "{} (exit {:?})\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.what, self.code, self.stdout, self.stderr
        )
    }

    /// The test program cargo ran (from its `Running tests/harness.rs
    /// (PATH)` line).
    fn test_binary(&self) -> PathBuf {
        let tag = "Running tests/harness.rs (";
        let i = self
            .stderr
            .find(tag)
            .unwrap_or_else(|| panic!("no Running line\n{}", self.describe()))
            + tag.len();
        let end = self.stderr[i..].find(")\n").unwrap() + i;
        PathBuf::from(&self.stderr[i..end])
    }

    /// stdout with the run time `finished in S.CCs` checked for its form
    /// and replaced by `finished in T`.
    fn stdout_timeless(&self) -> String {
        let Some(i) = self.stdout.find("; finished in ") else {
            return self.stdout.clone();
        };
        let start = i + "; finished in ".len();
        let rest = &self.stdout[start..];
        let end = rest
            .find('s')
            .unwrap_or_else(|| panic!("{}", self.describe()));
        let (secs, cents) = rest[..end]
            .split_once('.')
            .unwrap_or_else(|| panic!("time {:?}\n{}", &rest[..end], self.describe()));
        assert!(
            !secs.is_empty()
                && secs.bytes().all(|b| b.is_ascii_digit())
                && cents.len() == 2
                && cents.bytes().all(|b| b.is_ascii_digit()),
            "time {:?}\n{}",
            &rest[..end],
            self.describe()
        );
        format!("{}T{}", &self.stdout[..start], &rest[end + 1..])
    }
}

/// `cargo test ARGS` in `krate` on `runner` (natively, or with cargo's
/// runner variable set to qemu), with `env` added.
fn cargo_test(
    krate: &Path,
    target: &Path,
    runner: &common::Runner,
    args: &[&str],
    env: &[(&str, &str)],
) -> CargoTest {
    let mut cmd = user_cargo(krate);
    cmd.arg("test").args(args).env("CARGO_TARGET_DIR", target);
    if let common::Runner::Qemu(model) = runner {
        cmd.env(
            "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER",
            format!("{} -cpu {model}", common::qemu_path().display()),
        );
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().unwrap();
    let stderr: String = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.starts_with("qemu-x86_64: warning:"))
        .map(|l| format!("{l}\n"))
        .collect();
    CargoTest {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
        what: format!(
            "cargo test {} {env:?} on {}",
            args.join(" "),
            runner.label()
        ),
    }
}

/// libtest's lines for a passing run of `names` with `filtered` left out.
fn passing_run(names: &[&str], filtered: usize) -> String {
    let noun = if names.len() == 1 { "test" } else { "tests" };
    let mut s = format!("\nrunning {} {noun}\n", names.len());
    for n in names {
        s += &format!("test {n} ... ok\n");
    }
    s += &format!(
        "\ntest result: ok. {} passed; 0 failed; 0 ignored; 0 measured; {filtered} filtered out; finished in T\n\n",
        names.len()
    );
    s
}

#[test]
fn test_harness_under_cargo_test() {
    let (tmp, krate) = new_crate();
    let target = tmp.0.join("target");
    let src = std::fs::read_to_string(krate.join("tests/harness.rs")).unwrap();
    let line_of = |needle: &str| {
        1 + src
            .lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not in tests/harness.rs"))
    } as u32;

    for runner in native_and_one_qemu() {
        let t = |args: &[&str]| cargo_test(&krate, &target, &runner, args, &[]);

        // The whole run: every test, sorted, each `ok`.
        let r = t(&[]);
        assert_eq!(r.code, Some(0), "{}", r.describe());
        assert_eq!(
            r.stdout_timeless(),
            passing_run(&HARNESS_TESTS, 0),
            "{}",
            r.describe()
        );
        assert!(
            r.stderr.contains("     Running tests/harness.rs ("),
            "{}",
            r.describe()
        );

        // Filters: substrings, several; --exact; --skip.
        let r = t(&["--", "chans"]);
        assert_eq!(r.code, Some(0), "{}", r.describe());
        assert_eq!(
            r.stdout_timeless(),
            passing_run(&["chans::fan_in", "chans::ping_pong"], 3),
            "{}",
            r.describe()
        );
        let r = t(&["--", "sums", "ping"]);
        assert_eq!(
            r.stdout_timeless(),
            passing_run(&["chans::ping_pong", "sums"], 3),
            "{}",
            r.describe()
        );
        let r = t(&["--", "--exact", "sums", "chans"]);
        assert_eq!(
            r.stdout_timeless(),
            passing_run(&["sums"], 4),
            "{}",
            r.describe()
        );
        let r = t(&["--", "--skip", "chans", "--skip=sums"]);
        assert_eq!(
            r.stdout_timeless(),
            passing_run(&["fails_on_request", "on_its_own_goroutine"], 3),
            "{}",
            r.describe()
        );
        // cargo's own filter argument reaches the program too.
        let r = t(&["fan_in"]);
        assert_eq!(
            r.stdout_timeless(),
            passing_run(&["chans::fan_in"], 4),
            "{}",
            r.describe()
        );

        // --list, with its count line; --quiet drops the count.
        let r = t(&["--", "--list"]);
        assert_eq!(r.code, Some(0), "{}", r.describe());
        let list: String = HARNESS_TESTS
            .iter()
            .map(|n| format!("{n}: test\n"))
            .collect();
        assert_eq!(
            r.stdout,
            format!("{list}\n5 tests, 0 benchmarks\n"),
            "{}",
            r.describe()
        );
        let r = t(&["--", "--list", "--quiet", "chans::"]);
        assert_eq!(
            r.stdout,
            "chans::fan_in: test\nchans::ping_pong: test\n",
            "{}",
            r.describe()
        );
        let r = t(&["--", "--list", "nothing"]);
        assert_eq!(r.stdout, "0 tests, 0 benchmarks\n", "{}", r.describe());

        // -q: libtest's dots; the flags cargo users pass are accepted.
        let r = t(&["--", "-q", "--nocapture", "--test-threads=1"]);
        assert_eq!(r.code, Some(0), "{}", r.describe());
        assert_eq!(
            r.stdout_timeless(),
            "\nrunning 5 tests\n.....\ntest result: ok. 5 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in T\n\n",
            "{}",
            r.describe()
        );

        // A bad flag: libtest's error and exit status 101.
        let r = t(&["--", "--bogus"]);
        assert_eq!(r.code, Some(101), "{}", r.describe());
        assert_eq!(r.stdout, "", "{}", r.describe());
        assert!(
            r.stderr
                .contains("\nerror: Unrecognized option: 'bogus'\nerror: test failed"),
            "{}",
            r.describe()
        );
        // The program itself, run as cargo ran it: exactly that, 101.
        let bin = r.test_binary();
        let out = run_program(&runner, &bin, &["--bogus"], &[]);
        assert_eq!(out.code(), Some(101), "{}", out.describe());
        assert_eq!(out.stdout_str(), "", "{}", out.describe());
        assert_eq!(
            out.stderr_str(),
            "error: Unrecognized option: 'bogus'\n",
            "{}",
            out.describe()
        );

        // A failing test: named on stdout, the panic report whole on
        // stderr, exit status 2; the run ends there.
        let r = cargo_test(
            &krate,
            &target,
            &runner,
            &[],
            &[("MYPROG_FAIL", "as asked")],
        );
        // cargo exits with the test program's status.
        assert_eq!(r.code, Some(2), "cargo's status\n{}", r.describe());
        assert_eq!(
            r.stdout,
            "\nrunning 5 tests\ntest chans::fan_in ... ok\ntest chans::ping_pong ... ok\ntest fails_on_request ... FAILED\n",
            "{}",
            r.describe()
        );
        assert!(
            r.stderr.contains("` (exit status: 2)\n"),
            "{}",
            r.describe()
        );
        let start = r
            .stderr
            .find("panic: ")
            .unwrap_or_else(|| panic!("no report\n{}", r.describe()));
        let end = r.stderr[start..]
            .find("error: test failed, to rerun pass `--test harness`")
            .unwrap_or_else(|| panic!("no cargo error\n{}", r.describe()))
            + start;
        let report = common::report::parse(&r.stderr[start..end])
            .unwrap_or_else(|e| panic!("{e}\n{}", r.describe()));
        assert_eq!(
            report.head,
            ["panic: asked to fail: as asked"],
            "{}",
            r.describe()
        );
        let g = &report.goroutines[0];
        let top = &g.frames[0];
        assert_eq!(top.name, "harness::fails_on_request", "{}", r.describe());
        let (file, line) = top.file_line().unwrap();
        assert!(file.ends_with("/tests/harness.rs"), "{}", r.describe());
        assert_eq!(line, line_of("panic!(\"asked to fail"), "{}", r.describe());
        let c = g.created_by.as_ref().unwrap();
        assert_eq!(
            (c.func.as_str(), c.parent),
            ("rt0::testing::run_one", 1),
            "{}",
            r.describe()
        );
        // Run directly: stdout and the whole report, nothing else.
        let out = run_program(
            &runner,
            &bin,
            &["--exact", "fails_on_request"],
            &[("MYPROG_FAIL", "as asked")],
        );
        assert_eq!(out.code(), Some(2), "{}", out.describe());
        assert_eq!(
            out.stdout_str(),
            "\nrunning 1 test\ntest fails_on_request ... FAILED\n",
            "{}",
            out.describe()
        );
        let direct = common::report::parse(&out.stderr_str())
            .unwrap_or_else(|e| panic!("{e}\n{}", out.describe()));
        assert_eq!(direct.head, report.head, "{}", out.describe());
        assert_eq!(
            direct.goroutines[0].frames[0].name,
            "harness::fails_on_request",
            "{}",
            out.describe()
        );
        assert!(direct.tail.is_empty(), "{}", out.describe());

        // Other deaths name the test too: a deadlock (a fatal error) and
        // a fault.
        for (how, head) in [
            (
                "deadlock",
                &["fatal error: all goroutines are asleep - deadlock!"][..],
            ),
            (
                "fault",
                &[
                    "panic: runtime error: invalid memory address or nil pointer dereference",
                    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=",
                ][..],
            ),
        ] {
            let out = run_program(&runner, &bin, &["-q"], &[("MYPROG_FAIL", how)]);
            assert_eq!(out.code(), Some(2), "{how}\n{}", out.describe());
            assert_eq!(
                out.stdout_str(),
                "\nrunning 5 tests\n..\ntest fails_on_request ... FAILED\n",
                "{how}\n{}",
                out.describe()
            );
            let rep = common::report::parse(&out.stderr_str())
                .unwrap_or_else(|e| panic!("{how}: {e}\n{}", out.describe()));
            assert_eq!(rep.head.len(), head.len(), "{how}\n{}", out.describe());
            for (got, want) in rep.head.iter().zip(head) {
                assert!(got.starts_with(want), "{how}\n{}", out.describe());
            }
            let g = rep
                .goroutines
                .iter()
                .find(|g| {
                    g.frames
                        .iter()
                        .any(|f| f.name == "harness::fails_on_request")
                })
                .unwrap_or_else(|| panic!("{how}: no test frame\n{}", out.describe()));
            assert_eq!(
                g.created_by.as_ref().map(|c| c.func.as_str()),
                Some("rt0::testing::run_one"),
                "{how}\n{}",
                out.describe()
            );
        }

        // The same with --quiet: the dots line ends before the name.
        let r = cargo_test(
            &krate,
            &target,
            &runner,
            &["--", "-q"],
            &[("MYPROG_FAIL", "1")],
        );
        assert_eq!(
            r.stdout,
            "\nrunning 5 tests\n..\ntest fails_on_request ... FAILED\n",
            "{}",
            r.describe()
        );
        assert_eq!(r.code, Some(2), "{}", r.describe());
    }
}

/// One skipped step of the README's "Your own program": the edit that
/// skips it, the cargo command, and the lines of cargo's output it
/// produces (each quoted in the README's Troubleshooting section).
struct Skipped {
    what: &'static str,
    /// (file, text to remove) edits; an empty text removes the file.
    edits: &'static [(&'static str, &'static str)],
    command: &'static str,
    lines: &'static [&'static str],
}

const SKIPPED: &[Skipped] = &[
    Skipped {
        what: "no build.rs",
        edits: &[("build.rs", "")],
        command: "build",
        lines: &[
            "rust-lld: error: duplicate symbol: _start",
            "Scrt1.o:(_start)",
            "error: could not compile `myprog` (bin \"myprog\")",
        ],
    },
    Skipped {
        what: "no panic = \"abort\"",
        edits: &[
            ("Cargo.toml", "panic = \"abort\"\n"),
            (".cargo/config.toml", ""),
        ],
        command: "build",
        lines: &[
            "error: unwinding panics are not supported without std",
            "= help: using nightly cargo, use -Zbuild-std with panic=\"abort\" to avoid unwinding",
        ],
    },
    Skipped {
        what: "no #![no_main]",
        edits: &[("src/main.rs", "#![no_main]\n")],
        command: "build",
        lines: &["error: using `fn main` requires the standard library"],
    },
    Skipped {
        what: "no #![no_std]",
        edits: &[("src/main.rs", "#![no_std]\n")],
        command: "build",
        lines: &[
            "error[E0152]: duplicate lang item in crate `rt0` (which `myprog` depends on): `panic_impl`",
        ],
    },
    Skipped {
        what: "no rt0::main!",
        edits: &[("src/main.rs", "rt0::main!(main);\n")],
        command: "build",
        lines: &["rust-lld: error: undefined symbol: rt0_program_main"],
    },
    Skipped {
        what: "no rustc-link-arg-tests",
        edits: &[("build.rs", ", \"tests\"")],
        command: "test",
        lines: &[
            "rust-lld: error: duplicate symbol: _start",
            "error: could not compile `myprog` (test \"harness\")",
        ],
    },
    Skipped {
        what: "no .cargo/config.toml",
        edits: &[(".cargo/config.toml", "")],
        command: "test",
        lines: &[
            "error: unwinding panics are not supported without std",
            "error: could not compile `myprog` (test \"harness\")",
        ],
    },
    Skipped {
        what: "no test = false",
        edits: &[("Cargo.toml", "test = false\n")],
        command: "test",
        lines: &[
            "error: building tests with panic=abort is not supported without `-Zpanic_abort_tests`",
            "error: could not compile `myprog` (bin \"myprog\" test)",
        ],
    },
    Skipped {
        what: "no harness = false",
        edits: &[("Cargo.toml", "harness = false\n")],
        command: "test",
        lines: &[
            "error: building tests with panic=abort is not supported without `-Zpanic_abort_tests`",
            "error: could not compile `myprog` (test \"harness\")",
        ],
    },
];

/// Each step of the README skipped in a scratch crate of its own gives
/// the error the README's Troubleshooting section quotes, and the README
/// quotes exactly these lines.
#[test]
fn each_skipped_step_gives_the_readme_message() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let trouble = readme
        .split_once("\n## Troubleshooting\n")
        .map(|(_, rest)| rest.split("\n## ").next().unwrap())
        .expect("README has a Troubleshooting section");
    let (tmp, base) = new_crate();
    // One target directory: rt0 is built once per set of flags.
    let target = tmp.0.join("target");
    for case in SKIPPED {
        for line in case.lines {
            assert!(
                trouble.contains(line),
                "{}: the README's Troubleshooting lacks {line:?}",
                case.what
            );
        }
        let krate = tmp
            .0
            .join(case.what.replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
        copy_dir(&base, &krate);
        for (file, text) in case.edits {
            let path = krate.join(file);
            if text.is_empty() {
                std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
            } else {
                let src = std::fs::read_to_string(&path).unwrap();
                assert!(src.contains(text), "{}: {file} lacks {text:?}", case.what);
                std::fs::write(&path, src.replace(text, "")).unwrap();
            }
        }
        let out = user_cargo(&krate)
            .arg(case.command)
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(101),
            "{}: cargo {} did not fail\n{stderr}",
            case.what,
            case.command
        );
        for line in case.lines {
            assert!(
                stderr.contains(line),
                "{}: cargo {} does not say {line:?}\n{stderr}",
                case.what,
                case.command
            );
        }
    }
}

/// Copies the files of a crate (not its target directory).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if name == "target" {
            continue;
        }
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(&name));
        } else {
            std::fs::copy(e.path(), to.join(&name)).unwrap();
        }
    }
}
