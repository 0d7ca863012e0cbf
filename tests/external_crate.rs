//! rt0 used from someone else's crate: follows the README's "Your own
//! program" steps (`tests/external/STEPS.md`) in a fresh directory outside
//! this repository, with the files of `tests/external/template/`, builds it
//! with a plain `cargo build --release`, and runs the result natively and
//! under qemu-x86_64; then the same crate with `cargo build` (dev profile). This is the only test that sees rt0 the way a user
//! does: through `links = "rt0"` and `DEP_RT0_LINKER_SCRIPT`, without this
//! package's own build script flags for examples.

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

    // Steps 2-4: Cargo.toml, build.rs, src/main.rs as in the template, with
    // the path to this checkout in place of the README's "../rt0".
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
    std::fs::copy(template.join("build.rs"), krate.join("build.rs")).unwrap();
    std::fs::copy(template.join("src/main.rs"), krate.join("src/main.rs")).unwrap();

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
        check_traceback(&runner, &bin, "release");
    }
    // With LTO (the profile this repository's figures use) inlining
    // moves code across crates; the frames stay the same.
    check(
        user_cargo(&krate)
            .args(["build", "--release"])
            .env("CARGO_PROFILE_RELEASE_LTO", "true")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
            .env("CARGO_TARGET_DIR", tmp.0.join("target-lto")),
        "cargo build --release (lto)",
    );
    check_traceback(
        &common::Runner::Native,
        &tmp.0.join("target-lto/release/myprog"),
        "release+lto",
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
    assert_eq!(g.id, 2, "{ctx}");
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
