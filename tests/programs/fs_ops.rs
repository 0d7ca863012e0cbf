//! rt0::fs in a freestanding program: tests/fs.rs runs each subcommand
//! natively and under qemu and checks what it prints against the kernel's
//! own view (`stat`, `ls -f`, Python).
//!
//! - `basic DIR`: every call of the API in a scratch directory, one line
//!   per call (`label: ok VALUE` or `label: err KIND: MESSAGE`);
//! - `stat P...` / `lstat P...`: one line of metadata per path;
//! - `list DIR`: `count=N`, then `HEXNAME TYPE` per entry;
//! - `mkfiles DIR HEX...`: creates files with those (byte) names;
//! - `copy SRC DST1 DST2`: SRC to DST1 through `File` reads and writes, to
//!   DST2 through `fs::read` and `fs::write`;
//! - `emfile FILE`: opens FILE until the descriptors run out;
//! - `removed FILE`: opens FILE, removes it, reads it;
//! - `devfull`: writes to /dev/full;
//! - `fifo PATH`: one goroutine opens and reads the FIFO PATH while main
//!   opens and writes it: with GOMAXPROCS=1 that works only when a call
//!   blocked in the kernel gives up its P.
#![no_std]
#![no_main]
extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{Debug, Write as _};

use rt0::chan::Chan;
use rt0::fs::{self, File, OpenOptions, Permissions, UNIX_EPOCH};
use rt0::io::{Read, Seek, SeekFrom, Write};
use rt0::path::{Path, PathBuf};
use rt0::println;

rt0::main!(main);

/// Prints `label: ok VALUE` or `label: err KIND: MESSAGE`.
fn show<T: Debug>(label: &str, r: rt0::io::Result<T>) {
    match r {
        Ok(v) => println!("{label}: ok {v:?}"),
        Err(e) => println!("{label}: err {:?}: {e}", e.kind()),
    }
}

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
                    m.permissions().mode(),
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

fn basic(dir: &Path) {
    let a = dir.join("a.txt");
    show("write", fs::write(&a, "hello"));
    show("read_to_string", fs::read_to_string(&a));
    show("read", fs::read(&a).map(|v| v.len()));
    show("open missing", File::open(dir.join("missing")));
    show(
        "create_new existing",
        OpenOptions::new().write(true).create_new(true).open(&a),
    );
    show("open no access", OpenOptions::new().open(&a));
    show(
        "truncate read-only",
        OpenOptions::new().read(true).truncate(true).open(&a),
    );
    {
        let mut f = OpenOptions::new().append(true).open(&a).unwrap();
        f.write_all(b" world").unwrap();
        f.seek(SeekFrom::Start(0)).unwrap();
        f.write_all(b"!").unwrap();
    }
    show("after append", fs::read_to_string(&a));
    {
        let mut f = OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&a)
            .unwrap();
        f.write_all(b"new").unwrap();
    }
    show("after truncate", fs::read_to_string(&a));
    {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .mode(0o640)
            .open(dir.join("m.txt"))
            .unwrap();
        f.write_all(b"0123456789").unwrap();
        show(
            "mode 0640",
            f.metadata()
                .map(|m| alloc::format!("{:o}", m.permissions().mode())),
        );
    }
    // Seek, set_len, sync, clones and positioned I/O.
    {
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .open(dir.join("m.txt"))
            .unwrap();
        show("seek end -3", f.seek(SeekFrom::End(-3)));
        let mut b = [0u8; 3];
        f.read_exact(&mut b).unwrap();
        println!("read after seek: {:?}", core::str::from_utf8(&b).unwrap());
        show("seek current -5", f.seek(SeekFrom::Current(-5)));
        show("stream_position", f.stream_position());
        show("seek before start", f.seek(SeekFrom::Current(-100)));
        show("seek past end", f.seek(SeekFrom::Start(20)));
        f.write_all(b"Z").unwrap();
        show("len after write past end", f.metadata().map(|m| m.len()));
        let mut all = Vec::new();
        f.rewind().unwrap();
        f.read_to_end(&mut all).unwrap();
        println!("hole: {:?}", &all[8..]);
        show("set_len 4", f.set_len(4));
        show("len after set_len 4", f.metadata().map(|m| m.len()));
        show("set_len 6", f.set_len(6));
        show("content after set_len", fs::read(dir.join("m.txt")));
        show("sync_all", f.sync_all());
        show("sync_data", f.sync_data());
        let c = f.try_clone().unwrap();
        f.seek(SeekFrom::Start(1)).unwrap();
        show("clone shares offset", (&c).stream_position());
        println!(
            "clone fd above 2: {}",
            c.as_raw_fd() > 2 && c.as_raw_fd() != f.as_raw_fd()
        );
        show("write_at", f.write_at(b"XY", 2));
        let mut b = [0u8; 6];
        show("read_at", f.read_at(&mut b, 0).map(|n| (n, b)));
        show("offset unchanged", f.stream_position());
        let raw = c.into_raw_fd();
        // SAFETY: raw came from into_raw_fd just above; nothing else owns it.
        let back = unsafe { File::from_raw_fd(raw) };
        show("from_raw_fd read", (&back).seek(SeekFrom::Start(0)));
        let dbg = alloc::format!("{f:?}");
        println!(
            "debug has path: {}",
            dbg.contains("m.txt") && dbg.contains("read: true")
        );
    }
    // Directories.
    let sub = dir.join("sub");
    show("create_dir", fs::create_dir(&sub));
    show("create_dir again", fs::create_dir(&sub));
    show(
        "create_dir_all deep",
        fs::create_dir_all(dir.join("deep/x/y/z")),
    );
    show(
        "create_dir_all again",
        fs::create_dir_all(dir.join("deep/x/y/z")),
    );
    show(
        "create_dir_all over file",
        fs::create_dir_all(dir.join("a.txt/q")),
    );
    show(
        "create_dir missing parent",
        fs::create_dir(dir.join("nope/q")),
    );
    fs::write(dir.join("deep/x/f"), "f").unwrap();
    show("remove_dir not empty", fs::remove_dir(dir.join("deep")));
    show("remove_dir on file", fs::remove_dir(&a));
    show("remove_file on dir", fs::remove_file(&sub));
    show(
        "open dir for write",
        OpenOptions::new().write(true).open(&sub),
    );
    show("read_dir on file", fs::read_dir(&a).map(|_| ()));
    show("read of a dir", fs::read(&sub));
    show(
        "is_dir/is_file",
        Ok::<_, rt0::io::Error>((sub.is_dir(), a.is_file(), sub.is_file())),
    );
    // Names: rename, links.
    let b = dir.join("b.txt");
    show("rename", fs::rename(&a, &b));
    show(
        "exists old/new",
        Ok::<_, rt0::io::Error>((a.exists(), b.exists())),
    );
    show("rename missing", fs::rename(&a, &b));
    show("hard_link", fs::hard_link(&b, dir.join("b2.txt")));
    show("nlink", fs::metadata(&b).map(|m| m.nlink()));
    show("hard_link existing", fs::hard_link(&b, dir.join("b2.txt")));
    let l = dir.join("link");
    show("symlink", fs::symlink("deep/x", &l));
    show("read_link", fs::read_link(&l));
    show("read_link on file", fs::read_link(&b));
    show(
        "symlink_metadata is_symlink",
        fs::symlink_metadata(&l).map(|m| m.is_symlink()),
    );
    show("metadata follows", fs::metadata(&l).map(|m| m.is_dir()));
    show("through link", fs::read_to_string(l.join("f")));
    show("dangling", fs::symlink("nowhere", dir.join("dangling")));
    show(
        "metadata dangling",
        fs::metadata(dir.join("dangling")).map(|_| ()),
    );
    show(
        "create_new on dangling",
        File::create_new(dir.join("dangling")).map(|_| ()),
    );
    match fs::canonicalize(dir.join("deep/../link/./f")) {
        Ok(p) => println!("canonicalize: {}", p.display()),
        Err(e) => println!("canonicalize: err {e}"),
    }
    show(
        "canonicalize missing",
        fs::canonicalize(dir.join("missing/..")),
    );
    let long_target: Vec<u8> = core::iter::repeat_n(b'x', 3000).collect();
    show(
        "long symlink",
        fs::symlink(Path::new(&long_target), dir.join("longlink")),
    );
    show(
        "long read_link",
        fs::read_link(dir.join("longlink")).map(|p| p.as_bytes().len()),
    );
    // Copy and permissions.
    show("copy", fs::copy(&b, dir.join("c.txt")));
    show("copy content", fs::read_to_string(dir.join("c.txt")));
    show("copy a dir", fs::copy(&sub, dir.join("c2")));
    show(
        "set_permissions",
        fs::set_permissions(&b, Permissions::from_mode(0o400)),
    );
    show(
        "readonly",
        fs::metadata(&b).map(|m| (m.permissions().readonly(), m.permissions().mode())),
    );
    fs::set_permissions(&b, Permissions::from_mode(0o644)).unwrap();
    // Times.
    let m = fs::metadata(&b).unwrap();
    let age = m.modified().unwrap().elapsed();
    println!("mtime recent: {}", age.is_ok_and(|d| d.as_secs() < 3600));
    show("created", m.created().map(|_| ()));
    // Text and bad input.
    fs::write(dir.join("bin"), b"\xff\xfe").unwrap();
    show(
        "read_to_string not utf8",
        fs::read_to_string(dir.join("bin")),
    );
    show("nul in path", File::open("a\0b"));
    show("nul in metadata", fs::metadata(b"x\0"));
    let long: Vec<u8> = core::iter::repeat_n(b'n', 300).collect();
    show("name too long", File::open(dir.join(Path::new(&long))));
    let very_long: PathBuf = (0..1500).map(|_| "ab").collect();
    show("path too long", fs::metadata(&very_long));
    show("empty path", fs::metadata(""));
    // remove_dir_all, through a link that must not be followed.
    fs::symlink(dir.join("sub"), dir.join("deep/x/y/to_sub")).unwrap();
    fs::write(dir.join("sub/keep"), "kept").unwrap();
    show("remove_dir_all", fs::remove_dir_all(dir.join("deep")));
    show("deep exists", fs::exists(dir.join("deep")));
    show("link target kept", fs::read_to_string(dir.join("sub/keep")));
    show(
        "remove_dir_all missing",
        fs::remove_dir_all(dir.join("deep")),
    );
    show("remove_dir_all on symlink", fs::remove_dir_all(&l));
    show("remove_file", fs::remove_file(dir.join("b2.txt")));
    show("remove_file missing", fs::remove_file(dir.join("b2.txt")));
    let mut names: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    println!("left: {names:?}");
}
