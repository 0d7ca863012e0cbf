//! Shared helpers for the program tests: build the freestanding programs
//! (tests/programs/, built as cargo examples) and the std oracle programs
//! once, run either natively or under `qemu-x86_64 -cpu MODEL` with a
//! cleared environment, and capture stdout, stderr and the exit status.
//!
//! Why this shape: the facts under test (argv, envp, CPUID, affinity, heap
//! growth, exit codes) are properties of a real process started by a real
//! `execve`, so every test launches one. The environment is cleared unless
//! a test sets variables, so results do not depend on the shell the suite
//! runs from. A run that outlives [`TIMEOUT`] is killed and fails the test
//! instead of hanging the suite.
//!
//! Each test binary compiles this module separately and uses only part of
//! it, hence the `dead_code` allowance. Submodules: `report` (the parser
//! of rt0's reports, TB_FORMAT) and `binutils` (nm, addr2line, strip and
//! gdb as oracles), used by tests/traceback.rs and tests/signals.rs; and
//! `expect` (one whole report, a frame at a source line), used by the
//! tests of the other deaths.
#![allow(dead_code)]

pub mod binutils;
pub mod expect;
pub mod report;

use std::collections::{BTreeMap, HashSet};
use std::ffi::{CString, OsStr, OsString};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

/// Longest a single program run may take before it is killed.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// CPU models used when `QEMU_CPUS` is unset (the Makefile's default).
pub const DEFAULT_QEMU_CPUS: &str = "qemu64 Nehalem SandyBridge Haswell max";

/// The repository root (this package's manifest directory).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Cargo's target directory for this package.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => {
            let d = PathBuf::from(d);
            if d.is_absolute() {
                d
            } else {
                repo_root().join(d)
            }
        }
        None => repo_root().join("target"),
    }
}

/// The cargo that runs this test (cargo sets `CARGO` for test processes).
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Cargo in `dir` with the environment of a user's shell: none of the
/// variables cargo sets for this test process (CARGO_MANIFEST_DIR,
/// CARGO_PKG_*, CARGO_TARGET_DIR, ...) or flags for rt0's own build leak
/// in. For crates that depend on rt0 the way a user's does
/// (tests/external_crate.rs, tests/doc_examples.rs).
pub fn user_cargo(dir: &Path) -> Command {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(dir);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        let keep = k == "CARGO_HOME" || k == "CARGO_NET_OFFLINE";
        if (k.starts_with("CARGO_") && !keep) || k.contains("RUSTFLAGS") || k == "RUSTC_WRAPPER" {
            cmd.env_remove(&k);
        }
    }
    cmd
}

static BUILD_EXAMPLES: Once = Once::new();

/// Path of `target/release/examples/NAME`, after making sure every
/// program is built and up to date. NAME is a test program
/// (`tests/programs/NAME.rs`), a benchmark program
/// (`bench/programs/NAME.rs`) or an example (`examples/NAME.rs`): all are
/// cargo examples of this package (Cargo.toml says why). Cargo decides staleness; it runs once per test
/// process (a no-op when nothing changed), guarded by a `Once` so parallel
/// tests in one binary do not race (cargo's own file lock covers the rest).
pub fn example(name: &str) -> PathBuf {
    BUILD_EXAMPLES.call_once(|| {
        let out = Command::new(cargo())
            .args(["build", "--release", "--examples"])
            .current_dir(repo_root())
            .output()
            .expect("run cargo build --release --examples");
        assert!(
            out.status.success(),
            "cargo build --release --examples failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
    let path = target_dir().join("release/examples").join(name);
    assert!(path.is_file(), "{} missing after the build", path.display());
    path
}

static ORACLES_BUILT: Mutex<Option<HashSet<String>>> = Mutex::new(None);

/// Path of the std oracle program `tests/oracle/NAME.rs`, compiled with
/// `rustc -O` into `target/oracle/` when missing or older than its source.
/// Oracles are ordinary std programs, never examples, so they get no
/// freestanding link flags.
pub fn oracle(name: &str) -> PathBuf {
    let mut built = ORACLES_BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let built = built.get_or_insert_with(HashSet::new);
    let src = repo_root().join("tests/oracle").join(format!("{name}.rs"));
    let dir = target_dir().join("oracle");
    let bin = dir.join(name);
    if built.contains(name) {
        return bin;
    }
    let mtime = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    let fresh = matches!((mtime(&bin), mtime(&src)), (Some(b), Some(s)) if b >= s);
    if !fresh {
        std::fs::create_dir_all(&dir).expect("create target/oracle");
        // Build under a temporary name, then rename: a reader never sees
        // a half-written binary.
        let tmp = dir.join(format!("{name}.tmp{}", std::process::id()));
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let out = Command::new(rustc)
            .args(["--edition", "2021", "-O", "-o"])
            .arg(&tmp)
            .arg(&src)
            .current_dir(repo_root())
            .output()
            .expect("run rustc");
        assert!(
            out.status.success(),
            "rustc {} failed:\n{}",
            src.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::rename(&tmp, &bin).expect("rename oracle");
    }
    built.insert(name.to_string());
    bin
}

/// Where a program runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Runner {
    /// Directly on this machine's CPU and kernel.
    Native,
    /// Under `qemu-x86_64 -cpu MODEL`.
    Qemu(String),
}

impl Runner {
    /// A short name for assertion messages.
    pub fn label(&self) -> String {
        match self {
            Runner::Native => "native".into(),
            Runner::Qemu(m) => format!("qemu -cpu {m}"),
        }
    }

    pub fn is_qemu(&self) -> bool {
        matches!(self, Runner::Qemu(_))
    }
}

/// CPU models from `QEMU_CPUS` (space-separated), or the default list.
pub fn qemu_cpus() -> Vec<String> {
    let list = std::env::var("QEMU_CPUS").unwrap_or_default();
    let list = if list.trim().is_empty() {
        DEFAULT_QEMU_CPUS.to_string()
    } else {
        list
    };
    list.split_whitespace().map(str::to_string).collect()
}

/// Native first, then qemu under every model of [`qemu_cpus`].
pub fn all_runners() -> Vec<Runner> {
    let mut v = vec![Runner::Native];
    v.extend(qemu_cpus().into_iter().map(Runner::Qemu));
    v
}

/// Native and qemu under the first model only: for facts that do not
/// depend on the CPU model (argv, environment, exit status), where one
/// emulated run shows the emulator's path and more would only cost time.
pub fn native_and_one_qemu() -> Vec<Runner> {
    let mut v = vec![Runner::Native];
    if let Some(m) = qemu_cpus().into_iter().next() {
        v.push(Runner::Qemu(m));
    }
    v
}

/// Absolute path of `qemu-x86_64` (`QEMU` overrides), looked up once in the
/// test's own PATH: the child's environment is cleared, so it has none.
pub fn qemu_path() -> PathBuf {
    static QEMU: OnceLock<PathBuf> = OnceLock::new();
    QEMU.get_or_init(|| {
        if let Some(q) = std::env::var_os("QEMU") {
            return PathBuf::from(q);
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .map(|d| d.join("qemu-x86_64"))
            .find(|p| p.is_file())
            .expect("qemu-x86_64 not found in PATH (make test installs qemu-user)")
    })
    .clone()
}

/// A command that runs `program` on `runner` with an empty environment.
/// `arg0` sets the program's argv[0] (natively through `CommandExt::arg0`,
/// under qemu through its `-0` option); otherwise argv[0] is the path.
/// Callers add arguments, variables and pre-exec hooks.
pub fn command(runner: &Runner, program: &Path, arg0: Option<&OsStr>) -> Command {
    let mut cmd = match runner {
        Runner::Native => {
            let mut c = Command::new(program);
            if let Some(a0) = arg0 {
                c.arg0(a0);
            }
            c
        }
        Runner::Qemu(model) => {
            let mut c = Command::new(qemu_path());
            c.arg("-cpu").arg(model);
            if let Some(a0) = arg0 {
                c.arg("-0").arg(a0);
            }
            c.arg(program);
            c
        }
    };
    cmd.env_clear();
    cmd
}

/// What a finished program left behind.
#[derive(Debug)]
pub struct Output {
    pub runner: Runner,
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    /// stderr, with qemu's own `qemu-x86_64: warning:` lines removed (it
    /// warns about CPU features TCG cannot emulate, e.g. for Haswell).
    pub stderr: Vec<u8>,
}

impl Output {
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Exit code, or None when a signal ended the program.
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Everything about the run, for assertion messages.
    pub fn describe(&self) -> String {
        let tail = |b: &[u8]| {
            let s = String::from_utf8_lossy(b);
            let chars: Vec<char> = s.chars().collect();
            let start = chars.len().saturating_sub(3000);
            chars[start..].iter().collect::<String>()
        };
        format!(
            "[{}] status={:?} signal={:?}\n--- stdout (tail) ---\n{}\n--- stderr (tail) ---\n{}",
            self.runner.label(),
            self.status.code(),
            self.status.signal(),
            tail(&self.stdout),
            tail(&self.stderr)
        )
    }

    /// Asserts the program exited with status 0 (not a signal).
    pub fn assert_success(&self) {
        assert_eq!(self.status.code(), Some(0), "{}", self.describe());
    }
}

/// qemu's warning about a CPU feature TCG cannot emulate, printed for
/// every guest thread it starts (so also in the middle of a run).
const QEMU_WARNING: &[u8] = b"qemu-x86_64: warning: ";

/// Whether `line` is one of qemu's warnings, or the start of one that a
/// signal cut short (the last line, without its newline: qemu killed by
/// the signal while starting a thread's CPU).
pub fn is_qemu_warning(line: &[u8]) -> bool {
    line.starts_with(QEMU_WARNING)
        || (!line.ends_with(b"\n") && line.len() >= 4 && QEMU_WARNING.starts_with(line))
}

/// Drops qemu's own warning lines from a guest's stderr.
fn strip_qemu_warnings(stderr: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(stderr.len());
    for line in stderr.split_inclusive(|&b| b == b'\n') {
        if !is_qemu_warning(line) {
            out.extend_from_slice(line);
        }
    }
    out
}

/// Runs `cmd` to completion (stdin closed, stdout and stderr captured),
/// killing it after [`TIMEOUT`].
pub fn run(runner: &Runner, mut cmd: Command) -> Output {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    finish(runner, child, &format!("{cmd:?}"))
}

fn finish(runner: &Runner, mut child: Child, what: &str) -> Output {
    let reader = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            r.read_to_end(&mut buf).expect("read child output");
            buf
        })
    };
    let out_t = reader(Box::new(child.stdout.take().expect("stdout piped")));
    let err_t = reader(Box::new(child.stderr.take().expect("stderr piped")));
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait for child") {
            break st;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "[{}] {what} still running after {TIMEOUT:?}: killed",
                runner.label()
            );
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let stdout = out_t.join().expect("stdout reader");
    let mut stderr = err_t.join().expect("stderr reader");
    if runner.is_qemu() {
        stderr = strip_qemu_warnings(stderr);
    }
    Output {
        runner: runner.clone(),
        status,
        stdout,
        stderr,
    }
}

/// Runs `program` on `runner` with `args` and exactly the variables `env`.
pub fn run_program(runner: &Runner, program: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = command(runner, program, None);
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(runner, cmd)
}

unsafe extern "C" {
    /// glibc's execve (std links libc anyway).
    fn execve(
        path: *const std::ffi::c_char,
        argv: *const *const std::ffi::c_char,
        envp: *const *const std::ffi::c_char,
    ) -> i32;
}

/// NUL-terminated strings and the NULL-terminated pointer arrays over
/// them, prepared before `fork` so the child only calls `execve`.
struct ExecImage {
    path: CString,
    _strings: Vec<CString>,
    argv: Vec<*const std::ffi::c_char>,
    envp: Vec<*const std::ffi::c_char>,
}

// SAFETY: the pointers point into `_strings`, which the struct owns and
// never changes; the child only reads them.
unsafe impl Send for ExecImage {}
// SAFETY: as above, shared access is read-only.
unsafe impl Sync for ExecImage {}

impl ExecImage {
    /// Replaces the calling process; returns only on failure.
    fn exec(&self) -> std::io::Error {
        // SAFETY: path, argv and envp are NUL-terminated strings and
        // NULL-terminated arrays owned by `self`.
        unsafe { execve(self.path.as_ptr(), self.argv.as_ptr(), self.envp.as_ptr()) };
        std::io::Error::last_os_error()
    }
}

fn cstring(b: &[u8]) -> CString {
    CString::new(b).expect("argument or variable contains a NUL byte")
}

/// Starts `program` with exactly `argv` and `envp` through a direct
/// `execve`, bypassing std's own argv handling: the only way to pass an
/// empty argv (argc 0) or environment entries without '='.
///
/// Under qemu the real execve starts qemu, which passes `envp` on and
/// gives the guest argv[0] through `-0`; an empty argv cannot be
/// expressed there, so `argv` must not be empty for a qemu runner.
pub fn run_execve(runner: &Runner, program: &Path, argv: &[&[u8]], envp: &[&[u8]]) -> Output {
    let (path, real_argv): (PathBuf, Vec<Vec<u8>>) = match runner {
        Runner::Native => (
            program.to_path_buf(),
            argv.iter().map(|a| a.to_vec()).collect(),
        ),
        Runner::Qemu(model) => {
            let (first, rest) = argv
                .split_first()
                .expect("qemu cannot start a guest with argc 0");
            let mut v: Vec<Vec<u8>> = vec![
                b"qemu-x86_64".to_vec(),
                b"-cpu".to_vec(),
                model.as_bytes().to_vec(),
            ];
            v.push(b"-0".to_vec());
            v.push(first.to_vec());
            v.push(program.as_os_str().as_bytes().to_vec());
            v.extend(rest.iter().map(|a| a.to_vec()));
            (qemu_path(), v)
        }
    };
    let argv_c: Vec<CString> = real_argv.iter().map(|a| cstring(a)).collect();
    let envp_c: Vec<CString> = envp.iter().map(|e| cstring(e)).collect();
    let mut argv_p: Vec<_> = argv_c.iter().map(|s| s.as_ptr()).collect();
    argv_p.push(std::ptr::null());
    let mut envp_p: Vec<_> = envp_c.iter().map(|s| s.as_ptr()).collect();
    envp_p.push(std::ptr::null());
    let mut strings = argv_c;
    strings.extend(envp_c);
    let image = ExecImage {
        path: cstring(path.as_os_str().as_bytes()),
        _strings: strings,
        argv: argv_p,
        envp: envp_p,
    };

    let mut cmd = Command::new(&path);
    cmd.env_clear();
    // SAFETY: the hook runs in the forked child and calls only execve
    // (async-signal-safe) on memory prepared before the fork; on failure
    // it returns the error, which std reports to the parent.
    unsafe {
        cmd.pre_exec(move || Err(image.exec()));
    }
    run(runner, cmd)
}

/// The `rt0: NAME ...` line of an inittrace, if present.
pub fn trace_line<'a>(stderr: &'a str, name: &str) -> Option<&'a str> {
    let prefix = format!("rt0: {name} ");
    stderr.lines().find_map(|l| l.strip_prefix(prefix.as_str()))
}

/// The `key=value` fields of an inittrace line (space-separated).
pub fn fields(line: &str) -> BTreeMap<String, String> {
    line.split(' ')
        .filter_map(|t| t.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The fields of the `rt0: NAME` trace line; fails the test when absent.
pub fn trace_fields(out: &Output, name: &str) -> BTreeMap<String, String> {
    let err = out.stderr_str();
    let line = trace_line(&err, name)
        .unwrap_or_else(|| panic!("no `rt0: {name}` line\n{}", out.describe()));
    fields(line)
}

/// The CPUs this test process may run on (children inherit it): the set
/// bits of `sched_getaffinity`, learnt through glibc, independently of the
/// runtime under test.
pub fn affinity_cpus() -> Vec<usize> {
    unsafe extern "C" {
        fn sched_getaffinity(pid: i32, size: usize, mask: *mut u8) -> i32;
    }
    let mut mask = [0u8; 1024];
    // SAFETY: mask is writable for its whole length.
    let rc = unsafe { sched_getaffinity(0, mask.len(), mask.as_mut_ptr()) };
    assert_eq!(
        rc,
        0,
        "sched_getaffinity: {}",
        std::io::Error::last_os_error()
    );
    (0..mask.len() * 8)
        .filter(|&i| mask[i / 8] & (1 << (i % 8)) != 0)
        .collect()
}

/// Restricts the command's process to the single CPU `cpu` before exec
/// (what `taskset -c CPU` does).
pub fn pin_to_cpu(cmd: &mut Command, cpu: usize) {
    unsafe extern "C" {
        fn sched_setaffinity(pid: i32, size: usize, mask: *const u8) -> i32;
    }
    let mut mask = [0u8; 128];
    mask[cpu / 8] |= 1 << (cpu % 8);
    // SAFETY: the hook calls one async-signal-safe syscall wrapper on a
    // mask copied into the closure before the fork.
    unsafe {
        cmd.pre_exec(move || {
            if sched_setaffinity(0, mask.len(), mask.as_ptr()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Every `key=value` token of stdout, later lines overriding earlier ones.
pub fn stdout_fields(out: &Output) -> BTreeMap<String, String> {
    out.stdout_str().lines().flat_map(fields).collect()
}

/// The numeric value of `key` in stdout; fails the test when absent.
pub fn num(out: &Output, key: &str) -> u64 {
    stdout_fields(out)
        .get(key)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no numeric {key}= in stdout\n{}", out.describe()))
}

/// Runs example `name` with GOMAXPROCS=`procs`, asserting exit status 0
/// and an empty stderr.
pub fn run_ok(runner: &Runner, name: &str, args: &[&str], procs: &str) -> Output {
    let out = run_program(runner, &example(name), args, &[("GOMAXPROCS", procs)]);
    assert_eq!(out.code(), Some(0), "{}", out.describe());
    assert_eq!(out.stderr_str(), "", "{}", out.describe());
    out
}

/// Calls `f` natively and under one qemu model, at GOMAXPROCS 1 and 2.
pub fn each_config(f: impl Fn(&Runner, &str)) {
    for r in native_and_one_qemu() {
        for procs in ["1", "2"] {
            f(&r, procs);
        }
    }
}

/// Every `.rs` file under `dir`, sorted.
pub fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}
