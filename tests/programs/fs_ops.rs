//! rt0::fs in a freestanding program: tests/fs.rs runs each subcommand
//! natively and under qemu and checks what it prints against the kernel's
//! own view (`stat`, `ls -f`, Python).
//!
//! - `basic DIR`: every call of the API in a scratch directory, one line
//!   per call (`label: ok VALUE` or `label: err KIND: MESSAGE`): the code
//!   is in fs_basic.rs, which the std oracle (tests/oracle/fs_oracle.rs)
//!   includes too, so the same calls go through std::fs;
//! - `stat P...` / `lstat P...`: one line of metadata per path;
//! - `list DIR`: `count=N`, then `HEXNAME TYPE` per entry;
//! - `mkfiles DIR HEX...`: creates files with those (byte) names;
//! - `copy SRC DST1 DST2`: SRC to DST1 through `File` reads and writes, to
//!   DST2 through `fs::read` and `fs::write`;
//! - `emfile FILE`: opens FILE until the descriptors run out;
//! - `removed FILE`: opens FILE, removes it, reads it;
//! - `devfull`: writes to /dev/full;
//! - `parallel DIR`: 8 goroutines writing, listing, reading and removing
//!   100 files each at once;
//! - `calls FILE N`: N one-byte `read_at`s, timed (the bracket's cost);
//! - `deep DIR N`: `create_dir_all` of DIR/d/d/... N levels deep (every
//!   level missing) on a goroutine, a file at the bottom, then
//!   `remove_dir_all` of DIR/d: neither may need a stack frame per level;
//! - `fifo PATH`: one goroutine opens and reads the FIFO PATH while main
//!   opens and writes it: with GOMAXPROCS=1 that works only when a call
//!   blocked in the kernel gives up its P.
#![no_std]
#![no_main]
extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{Debug, Write as _};

use alloc::format;
use rt0::chan::Chan;
use rt0::fs::{self, File, OpenOptions, Permissions};
use rt0::io::{Error as IoError, Read, Result as IoResult, Seek, SeekFrom, Write};
use rt0::path::{Path, PathBuf};
use rt0::println;
use rt0::time::UNIX_EPOCH;

/// Bytes as a path (what the shared `basic` calls it).
fn bpath(b: &[u8]) -> &Path {
    Path::new(b)
}

rt0::main!(main);

fn hex(b: &[u8]) -> String {
    let mut s = String::new();
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

fn unhex(s: &[u8]) -> Vec<u8> {
    let d = |c: u8| (c as char).to_digit(16).expect("hex digit") as u8;
    s.chunks(2).map(|p| d(p[0]) << 4 | d(p[1])).collect()
}

/// The kind of file as `stat -c %F` names it.
fn kind(t: fs::FileType) -> &'static str {
    if t.is_file() {
        "regular file"
    } else if t.is_dir() {
        "directory"
    } else if t.is_symlink() {
        "symbolic link"
    } else if t.is_fifo() {
        "fifo"
    } else if t.is_char_device() {
        "character special file"
    } else if t.is_block_device() {
        "block special file"
    } else if t.is_socket() {
        "socket"
    } else {
        "unknown"
    }
}

fn main() {
    let args: Vec<&[u8]> = rt0::env::args().collect();
    match args.get(1).copied() {
        Some(b"basic") => basic(Path::new(args[2])),
        Some(b"stat") => stat_all(&args[2..], true),
        Some(b"lstat") => stat_all(&args[2..], false),
        Some(b"list") => list(Path::new(args[2])),
        Some(b"mkfiles") => mkfiles(Path::new(args[2]), &args[3..]),
        Some(b"copy") => copy(args[2], args[3], args[4]),
        Some(b"emfile") => emfile(Path::new(args[2])),
        Some(b"removed") => removed(Path::new(args[2])),
        Some(b"devfull") => devfull(),
        Some(b"fifo") => fifo(Path::new(args[2])),
        Some(b"parallel") => parallel(Path::new(args[2])),
        Some(b"calls") => calls(Path::new(args[2]), rt0::env::arg(3).unwrap_or(10_000)),
        Some(b"deep") => deep(Path::new(args[2]), rt0::env::arg(3).unwrap_or(1_000)),
        _ => {
            rt0::eprintln!(
                "usage: fs_ops basic|stat|lstat|list|mkfiles|copy|emfile|removed|devfull|fifo ..."
            );
            rt0::process::exit(2);
        }
    }
}

fn stat_all(paths: &[&[u8]], follow: bool) {
    for p in paths {
        let r = if follow {
            fs::metadata(p)
        } else {
            fs::symlink_metadata(p)
        };
        match r {
            Ok(m) => {
                let mtime = m.modified().unwrap().duration_since(UNIX_EPOCH).unwrap();
                assert_eq!(mtime.as_secs() as i64, m.mtime());
                assert_eq!(mtime.subsec_nanos() as i64, m.mtime_nsec());
                println!(
                    "{}|{}|{:o}|{:x}|{}|{}|{}.{:09}|{}|{}|{}|{}|{}",
                    Path::new(p).display(),
                    m.len(),
                    m.permissions().mode() & 0o7777,
                    m.mode(),
                    m.ino(),
                    m.nlink(),
                    m.mtime(),
                    m.mtime_nsec(),
                    m.uid(),
                    m.gid(),
                    m.dev(),
                    kind(m.file_type()),
                    m.is_dir() as u8 + 2 * m.is_file() as u8 + 4 * m.is_symlink() as u8,
                )
            }
            Err(e) => println!("{}|err {:?}: {e}", Path::new(p).display(), e.kind()),
        }
    }
}

fn list(dir: &Path) {
    let mut lines = Vec::new();
    for e in fs::read_dir(dir).expect("read_dir") {
        let e = e.expect("entry");
        let t = e.file_type().expect("file_type");
        assert_eq!(e.path(), dir.join(e.file_name()));
        lines.push(alloc::format!("{} {}", hex(e.file_name_bytes()), kind(t)));
    }
    println!("count={}", lines.len());
    for l in lines {
        println!("{l}");
    }
}

fn mkfiles(dir: &Path, names: &[&[u8]]) {
    for n in names {
        let name = unhex(n);
        fs::write(dir.join(Path::new(&name)), &name).expect("write");
    }
    println!("made={}", names.len());
}

fn copy(src: &[u8], dst1: &[u8], dst2: &[u8]) {
    let mut from = File::open(src).expect("open src");
    let mut to = File::create(dst1).expect("create dst1");
    let mut buf = alloc::vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = from.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        to.write_all(&buf[..n]).expect("write");
        total += n as u64;
    }
    to.sync_all().expect("sync");
    let all = fs::read(src).expect("fs::read");
    fs::write(dst2, &all).expect("fs::write");
    println!("streamed={total} read={}", all.len());
}

fn emfile(file: &Path) {
    let mut open = Vec::new();
    let err = loop {
        match File::open(file) {
            Ok(f) => open.push(f),
            Err(e) => break e,
        }
        if open.len() > 100_000 {
            println!("no limit hit");
            return;
        }
    };
    println!(
        "opened={} err={:?} raw={:?} msg={err}",
        open.len(),
        err.kind(),
        err.raw_os_error()
    );
    // read_dir and metadata-free calls fail the same way, without a crash.
    show("read_dir at limit", fs::read_dir(".").map(|_| ()));
    show("fs::read at limit", fs::read(file).map(|v| v.len()));
    open.clear();
    show("after close", File::open(file).map(|_| ()));
}

fn deep(dir: &Path, levels: usize) {
    let top = dir.join("d");
    let mut bottom = top.clone();
    for _ in 1..levels {
        bottom = bottom.join("d");
    }
    let done: rt0::chan::Chan<()> = rt0::chan::Chan::new(1);
    let d2 = done.clone();
    // On a goroutine: its stack is the runtime's default, not main's.
    rt0::runtime::go(move || {
        show("create_dir_all", fs::create_dir_all(&bottom));
        show("file at the bottom", fs::write(bottom.join("f"), b"x"));
        show("is_dir", Ok::<bool, rt0::io::Error>(bottom.is_dir()));
        show("remove_dir_all", fs::remove_dir_all(&top));
        show("exists after", fs::exists(&top));
        d2.send(()).unwrap();
    });
    done.recv().unwrap();
}

fn removed(file: &Path) {
    let mut f = File::open(file).expect("open");
    fs::remove_file(file).expect("remove");
    show("exists after remove", fs::exists(file));
    let mut s = String::new();
    show(
        "read after remove",
        f.read_to_string(&mut s).map(|_| s.clone()),
    );
    show("nlink after remove", f.metadata().map(|m| m.nlink()));
}

fn devfull() {
    let mut f = OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    show("write /dev/full", f.write(b"x"));
    show("write_all /dev/full", f.write_all(&[0u8; 100_000]));
    show("fs::write /dev/full", fs::write("/dev/full", b"data"));
    let mut z = [1u8; 8];
    show(
        "read /dev/full",
        File::open("/dev/full")
            .and_then(|mut f| f.read(&mut z))
            .map(|n| (n, z)),
    );
}

/// Goroutines that each write, list, read back and remove their own files
/// at once: every file system call enters and leaves the system-call
/// bracket while the others do too (with more goroutines than Ps, many
/// come back to find no idle P and queue themselves).
fn parallel(dir: &Path) {
    const WORKERS: usize = 8;
    const FILES: usize = 100;
    let results: Chan<(usize, usize, usize)> = Chan::new(WORKERS);
    for w in 0..WORKERS {
        let results = results.clone();
        let dir = dir.join(format!("w{w}"));
        rt0::runtime::go(move || {
            fs::create_dir(&dir).expect("create_dir");
            for i in 0..FILES {
                let body = format!("worker {w} file {i} {}", "x".repeat(i * 37));
                fs::write(dir.join(format!("{i}")), body).expect("write");
            }
            let listed = fs::read_dir(&dir).expect("read_dir").count();
            let mut good = 0;
            for i in 0..FILES {
                let want = format!("worker {w} file {i} {}", "x".repeat(i * 37));
                if fs::read_to_string(dir.join(format!("{i}"))).expect("read") == want {
                    good += 1;
                }
            }
            fs::remove_dir_all(&dir).expect("remove_dir_all");
            results.send((w, listed, good)).unwrap();
        });
    }
    let mut total = (0, 0);
    for _ in 0..WORKERS {
        let (_, listed, good) = results.recv().unwrap();
        total.0 += listed;
        total.1 += good;
    }
    println!(
        "listed={} good={} left={}",
        total.0,
        total.1,
        fs::read_dir(dir).unwrap().count()
    );
}

/// `n` one-byte `read_at`s of FILE: the cost of one bracketed system call.
fn calls(file: &Path, n: u64) {
    let f = File::open(file).expect("open");
    let mut b = [0u8; 1];
    let t = rt0::time::Instant::now();
    for _ in 0..n {
        f.read_at(&mut b, 0).expect("read_at");
    }
    println!(
        "ns_per_call={}",
        t.elapsed().as_nanos() / u128::from(n.max(1))
    );
}

fn fifo(path: &Path) {
    let done: Chan<String> = Chan::new(1);
    let d = done.clone();
    let p = path.to_path_buf();
    rt0::runtime::go(move || {
        let mut f = File::open(&p).expect("open fifo for reading");
        let mut s = String::new();
        f.read_to_string(&mut s).expect("read fifo");
        d.send(s).unwrap();
    });
    let mut w = OpenOptions::new()
        .write(true)
        .open(path)
        .expect("open fifo for writing");
    w.write_all(b"through the fifo").expect("write fifo");
    drop(w);
    println!("fifo read={:?}", done.recv().unwrap());
}

// `basic`, shared with the std oracle (tests/oracle/fs_oracle.rs).
include!("fs_basic.rs");
