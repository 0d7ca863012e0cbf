//! `examples/cat.rs` against coreutils `cat` (the oracle), natively and
//! under qemu-x86_64: byte-identical stdout, the same stderr lines and
//! the same exit status (or the same killing signal) for a 50 MB random
//! file, empty files, binary data, several files with `-` between them,
//! stdin from a pipe, a slow reader on stdout (Python reading small
//! pieces with pauses), a FIFO, missing files, directories and names that
//! need quoting (spaces, quotes, non-UTF-8 bytes), a stdout to `/dev/full`
//! and a stdout whose reader goes away (SIGPIPE). Both run with an empty
//! environment (the C locale, which decides coreutils' quoting).

mod common;

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{Runner, TIMEOUT, command, example, native_and_one_qemu};

/// Size of the large random file.
const BIG: usize = 50 * 1000 * 1000;
const SIGPIPE: i32 = 13;

/// What one run left behind.
#[derive(Debug)]
struct Out {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// The fixtures' directory, under the target directory and reused from
/// run to run (the contents are deterministic; each file is written to a
/// temporary name and renamed, so a run that stops half-way leaves none
/// half-written).
fn dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = common::target_dir().join("cat-fixtures");
        std::fs::create_dir_all(d.join("adir")).unwrap();
        let put = |name: &str, data: &dyn Fn() -> Vec<u8>, len: usize| {
            let path = d.join(name);
            if std::fs::metadata(&path).is_ok_and(|m| m.len() == len as u64) {
                return;
            }
            let tmp = d.join(format!("{name}.tmp{}", std::process::id()));
            std::fs::write(&tmp, data()).unwrap();
            std::fs::rename(&tmp, &path).unwrap();
        };
        put("empty", &Vec::new, 0);
        let text = b"one\ntwo\nno newline at the end";
        put("text", &|| text.to_vec(), text.len());
        let bin = || {
            (0..70_000u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect()
        };
        put("bin", &bin, 70_000);
        put("big", &|| random_bytes(BIG, 0x9e37_79b9_7f4a_7c15), BIG);
        d
    })
}

/// `n` pseudo-random bytes (xorshift64*).
fn random_bytes(n: usize, mut x: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(n + 8);
    while v.len() < n {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        v.extend_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    v.truncate(n);
    v
}

/// Runs `cmd` in the scratch directory, feeding `stdin` (None: /dev/null),
/// collecting stdout and stderr; killed after [`TIMEOUT`].
fn collect(mut cmd: Command, stdin: Option<Vec<u8>>) -> Out {
    cmd.current_dir(dir())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let feeder = stdin.map(|data| {
        let mut w = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = w.write_all(&data);
        })
    });
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        so.read_to_end(&mut b).unwrap();
        b
    });
    let t_err = std::thread::spawn(move || {
        let mut b = Vec::new();
        se.read_to_end(&mut b).unwrap();
        b
    });
    let status = wait(&mut child);
    if let Some(f) = feeder {
        f.join().unwrap();
    }
    let stderr = t_err
        .join()
        .unwrap()
        .split_inclusive(|&b| b == b'\n')
        .filter(|l| !common::is_qemu_warning(l))
        .flatten()
        .copied()
        .collect();
    Out {
        status,
        stdout: t_out.join().unwrap(),
        stderr,
    }
}

fn wait(child: &mut std::process::Child) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after {TIMEOUT:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn ours(r: &Runner, args: &[&OsStr]) -> Command {
    let mut c = command(r, &example("cat"), None);
    c.args(args);
    c
}

fn coreutils(args: &[&OsStr]) -> Command {
    let mut c = Command::new("cat");
    c.env_clear().args(args);
    c
}

/// Asserts two runs are the same: stdout bytes, stderr, status.
fn same(r: &Runner, what: &str, mine: &Out, theirs: &Out) {
    let label = r.label();
    assert_eq!(
        mine.status.code(),
        theirs.status.code(),
        "[{label}] {what}: exit status; stderr {:?} vs {:?}",
        String::from_utf8_lossy(&mine.stderr),
        String::from_utf8_lossy(&theirs.stderr)
    );
    assert_eq!(
        mine.status.signal(),
        theirs.status.signal(),
        "[{label}] {what}: signal"
    );
    assert_eq!(
        String::from_utf8_lossy(&mine.stderr),
        String::from_utf8_lossy(&theirs.stderr),
        "[{label}] {what}: stderr"
    );
    assert!(
        mine.stdout == theirs.stdout,
        "[{label}] {what}: stdout differs ({} vs {} bytes)",
        mine.stdout.len(),
        theirs.stdout.len()
    );
}

/// Runs both with `args` and `stdin`, and compares.
fn compare(what: &str, args: &[&OsStr], stdin: Option<Vec<u8>>) {
    let theirs = collect(coreutils(args), stdin.clone());
    for r in native_and_one_qemu() {
        let mine = collect(ours(&r, args), stdin.clone());
        same(&r, what, &mine, &theirs);
    }
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

#[test]
fn a_50_mb_random_file() {
    let theirs = collect(coreutils(&[os("big")]), None);
    assert_eq!(theirs.stdout.len(), BIG);
    for r in native_and_one_qemu() {
        let mine = collect(ours(&r, &[os("big")]), None);
        same(&r, "big", &mine, &theirs);
    }
}

#[test]
fn empty_binary_several_files_and_dashes() {
    compare("empty", &[os("empty")], None);
    compare("bin", &[os("bin")], None);
    compare(
        "files and -",
        &[
            os("empty"),
            os("bin"),
            os("-"),
            os("text"),
            os("-"),
            os("empty"),
        ],
        Some(b"stdin data\n".to_vec()),
    );
}

#[test]
fn stdin_from_a_pipe() {
    let data = random_bytes(3 << 20, 7);
    compare("no args", &[], Some(data.clone()));
    compare("-", &[os("-")], Some(data));
    compare("empty stdin", &[], Some(Vec::new()));
}

#[test]
fn missing_files_directories_and_quoted_names() {
    let odd = OsStr::from_bytes(b"x\xffy");
    compare(
        "errors",
        &[
            os("text"),
            os("missing"),
            os("adir"),
            os("a b"),
            os("it's"),
            os("a:b"),
            odd,
            os("/"),
            os("bin"),
        ],
        None,
    );
}

#[test]
fn a_fifo() {
    let name = format!("fifo{}", std::process::id());
    let fifo = dir().join(&name);
    let _ = std::fs::remove_file(&fifo);
    let ok = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(ok.success(), "mkfifo");
    let data = random_bytes(2 << 20, 11);
    let run = |cmd: Command| {
        let (f, d) = (fifo.clone(), data.clone());
        let writer = std::thread::spawn(move || {
            let mut w = std::fs::OpenOptions::new().write(true).open(f).unwrap();
            w.write_all(&d).unwrap();
        });
        let out = collect(cmd, None);
        writer.join().unwrap();
        out
    };
    let theirs = run(coreutils(&[os(&name)]));
    assert!(theirs.stdout == data);
    for r in native_and_one_qemu() {
        let mine = run(ours(&r, &[os(&name)]));
        same(&r, "fifo", &mine, &theirs);
    }
    let _ = std::fs::remove_file(&fifo);
}

#[test]
fn a_slow_reader_on_stdout() {
    // Python takes 4 KiB at a time with a pause, and echoes what it got.
    const SLOW: &str = "import sys,time\n\
        i=sys.stdin.buffer.raw; o=sys.stdout.buffer\n\
        while True:\n  b=i.read(4096)\n  if not b: break\n  o.write(b); time.sleep(0.0005)\n";
    let file = dir().join("bin");
    let want = std::fs::read(&file).unwrap();
    let want: Vec<u8> = want.iter().cycle().take(want.len() * 10).copied().collect();
    let args: Vec<OsString> = std::iter::repeat_n(OsString::from("bin"), 10).collect();
    let args: Vec<&OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    for r in native_and_one_qemu() {
        let mut cat = ours(&r, &args);
        cat.current_dir(dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut cat = cat.spawn().unwrap();
        let mut py = Command::new("python3");
        py.args(["-c", SLOW])
            .stdin(Stdio::from(cat.stdout.take().unwrap()))
            .stdout(Stdio::piped());
        let py = py.spawn().unwrap();
        let got = py.wait_with_output().unwrap();
        let st = wait(&mut cat);
        assert_eq!(st.code(), Some(0), "[{}] cat", r.label());
        assert!(
            got.stdout == want,
            "[{}] slow reader got {} bytes",
            r.label(),
            got.stdout.len()
        );
    }
}

#[test]
fn stdout_full_or_broken() {
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let run_full = |mut cmd: Command| {
        cmd.current_dir(dir())
            .stdout(full())
            .stderr(Stdio::piped())
            .stdin(Stdio::null());
        let out = cmd.output().unwrap();
        (out.status, out.stderr)
    };
    let (st_theirs, err_theirs) = run_full(coreutils(&[os("text")]));
    for r in native_and_one_qemu() {
        let (st, err) = run_full(ours(&r, &[os("text")]));
        let err: Vec<u8> = err
            .split_inclusive(|&b| b == b'\n')
            .filter(|l| !common::is_qemu_warning(l))
            .flatten()
            .copied()
            .collect();
        assert_eq!(st.code(), st_theirs.code(), "[{}] /dev/full", r.label());
        assert_eq!(
            String::from_utf8_lossy(&err),
            String::from_utf8_lossy(&err_theirs),
            "[{}] /dev/full",
            r.label()
        );
    }
    // A reader that takes 100 bytes and goes: both die by SIGPIPE.
    let broken = |mut cmd: Command| {
        cmd.current_dir(dir())
            .stdout(Stdio::piped())
            .stdin(Stdio::null());
        let mut child = cmd.spawn().unwrap();
        let mut out = child.stdout.take().unwrap();
        let mut b = [0u8; 100];
        out.read_exact(&mut b).unwrap();
        drop(out);
        wait(&mut child)
    };
    let theirs = broken(coreutils(&[os("big")]));
    assert_eq!(theirs.signal(), Some(SIGPIPE));
    for r in native_and_one_qemu() {
        let st = broken(ours(&r, &[os("big")]));
        assert_eq!(
            st.signal(),
            Some(SIGPIPE),
            "[{}] broken pipe: {st:?}",
            r.label()
        );
    }
}
