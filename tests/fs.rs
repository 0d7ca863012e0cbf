//! rt0::fs against the kernel's own view, natively and under
//! qemu-x86_64 (tests/programs/fs_ops.rs does the calls):
//!
//! - every call of the API in a scratch directory, each result (value, or
//!   error kind and glibc's text) exactly as expected, at GOMAXPROCS 1
//!   and 2;
//! - metadata of a regular file, a directory, a symbolic link, a FIFO,
//!   /dev/null and a sticky directory against `stat -c` (size, permission bits, raw
//!   mode, inode, links, mtime to the nanosecond, owner, device, kind),
//!   following links and not;
//! - `read_dir` of a directory of 10,000 entries against `ls -f`: the
//!   same names, the exact count, and each entry's type against std's
//!   `symlink_metadata`;
//! - file names that are not UTF-8, made by Python from bytes and listed
//!   by rt0, and made by rt0 and listed (and read) by Python;
//! - a 50 MB random file copied by `File` reads/writes and by
//!   `fs::read`/`fs::write`: sha256 (Python's) of both copies equal;
//! - bad input: descriptors exhausted under `RLIMIT_NOFILE` ("Too many
//!   open files", and the program goes on once some are closed), a file
//!   removed while open still reads, writes to /dev/full fail with "No
//!   space left on device", never a crash;
//! - 8 goroutines writing, listing, reading back and removing 100 files
//!   each at once, at GOMAXPROCS 1, 2 and 4;
//! - the system-call bracket: at GOMAXPROCS=1 a goroutine blocked in the
//!   kernel opening a FIFO must give up its P, or main could never open
//!   the other end (without the bracket the program hangs and is killed).

mod common;

use std::collections::BTreeSet;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Output, Runner, command, each_config, example, native_and_one_qemu, oracle, run};

/// A scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(what: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "rt0-fs-{what}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `fs_ops ARGS` on `runner` with GOMAXPROCS=`procs`; asserts exit 0
/// and an empty stderr.
fn fs_ops(runner: &Runner, procs: &str, args: &[&std::ffi::OsStr]) -> Output {
    let mut cmd = command(runner, &example("fs_ops"), None);
    cmd.args(args).env("GOMAXPROCS", procs);
    let out = run(runner, cmd);
    assert_eq!(out.code(), Some(0), "{}", out.describe());
    assert_eq!(out.stderr_str(), "", "{}", out.describe());
    out
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

/// What `fs_ops basic` prints; `@CANON@` stands for the scratch
/// directory's canonical path.
const BASIC: &str = r#"write: ok ()
read_to_string: ok "hello"
read: ok 5
open missing: err NotFound: No such file or directory (os error 2)
create_new existing: err AlreadyExists: File exists (os error 17)
open no access: err InvalidInput: must specify at least one of read, write, or append access
truncate read-only: err InvalidInput: creating or truncating a file requires write or append access
create no access: err InvalidInput: creating or truncating a file requires write or append access
append and truncate: err InvalidInput: creating or truncating a file requires write or append access
append create_new existing: err AlreadyExists: File exists (os error 17)
write and append: ok ()
after append: ok "hello world!"
after truncate: ok "new"
mode 0640: ok "100640"
seek end -3: ok 7
read after seek: "789"
seek current -5: ok 5
stream_position: ok 5
seek before start: err InvalidInput: Invalid argument (os error 22)
seek past end: ok 20
len after write past end: ok 21
hole: [56, 57, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 90]
set_len 4: ok ()
len after set_len 4: ok 4
set_len 6: ok ()
content after set_len: ok [48, 49, 50, 51, 0, 0]
sync_all: ok ()
sync_data: ok ()
clone shares offset: ok 1
clone fd above 2: true
write_at: ok 2
read_at: ok (6, [48, 49, 88, 89, 0, 0])
offset unchanged: ok 1
from_raw_fd read: ok 0
debug has path: true
create_dir: ok ()
create_dir again: err AlreadyExists: File exists (os error 17)
create_dir_all deep: ok ()
create_dir_all again: ok ()
create_dir_all over file: err NotADirectory: Not a directory (os error 20)
create_dir missing parent: err NotFound: No such file or directory (os error 2)
DirBuilder 0700 recursive: ok ()
built mode: ok "40700"
DirBuilder exists: err AlreadyExists: File exists (os error 17)
remove built: ok ()
remove_dir not empty: err DirectoryNotEmpty: Directory not empty (os error 39)
remove_dir on file: err NotADirectory: Not a directory (os error 20)
remove_file on dir: err IsADirectory: Is a directory (os error 21)
open dir for write: err IsADirectory: Is a directory (os error 21)
read_dir on file: err NotADirectory: Not a directory (os error 20)
read of a dir: err IsADirectory: Is a directory (os error 21)
is_dir/is_file: ok (true, true, false)
rename: ok ()
exists old/new: ok (false, true)
rename missing: err NotFound: No such file or directory (os error 2)
hard_link: ok ()
nlink: ok 2
hard_link existing: err AlreadyExists: File exists (os error 17)
symlink: ok ()
read_link: ok "deep/x"
read_link on file: err InvalidInput: Invalid argument (os error 22)
symlink_metadata is_symlink: ok true
metadata follows: ok true
through link: ok "f"
dangling: ok ()
metadata dangling: err NotFound: No such file or directory (os error 2)
create_new on dangling: err AlreadyExists: File exists (os error 17)
canonicalize: @CANON@/deep/x/f
canonicalize missing: err NotFound: No such file or directory (os error 2)
long symlink: ok ()
long read_link: ok Some(3000)
loop1: ok ()
loop2: ok ()
metadata of a loop: err FilesystemLoop: Too many levels of symbolic links (os error 40)
open a loop: err FilesystemLoop: Too many levels of symbolic links (os error 40)
canonicalize a loop: err FilesystemLoop: Too many levels of symbolic links (os error 40)
open dangling: err NotFound: No such file or directory (os error 2)
remove loop1: ok ()
remove loop2: ok ()
copy: ok 3
copy content: ok "new"
copy a dir: err InvalidInput: the source path is neither a regular file nor a symlink to a regular file
set_permissions: ok ()
readonly: ok (true, "100400")
mtime recent: true
created: err Unsupported: creation time is not available on this platform currently
read_to_string not utf8: err InvalidData: stream did not contain valid UTF-8
nul in path: err InvalidInput: file name contained an unexpected NUL byte
nul in metadata: err InvalidInput: file name contained an unexpected NUL byte
name too long: err InvalidFilename: File name too long (os error 36)
path too long: err InvalidFilename: File name too long (os error 36)
empty path: err NotFound: No such file or directory (os error 2)
remove_dir_all: ok ()
deep exists: ok false
link target kept: ok "kept"
remove_dir_all missing: err NotFound: No such file or directory (os error 2)
remove_dir_all on symlink: ok ()
remove_file: ok ()
remove_file missing: err NotFound: No such file or directory (os error 2)
left: ["b.txt", "bin", "c.txt", "dangling", "longlink", "m.txt", "sub"]
"#;

#[test]
fn every_call_as_expected() {
    each_config(|r, procs| {
        let dir = Scratch::new("basic");
        let out = fs_ops(r, procs, &[os("basic"), dir.0.as_os_str()]);
        let canon = std::fs::canonicalize(&dir.0).unwrap();
        let want = BASIC.replace("@CANON@", canon.to_str().unwrap());
        assert_eq!(out.stdout_str(), want, "[{} GOMAXPROCS={procs}]", r.label());
        // What is left on disk is what the program says is left.
        let mut left: Vec<String> = std::fs::read_dir(&dir.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "b.txt", "bin", "c.txt", "dangling", "longlink", "m.txt", "sub"
            ]
        );
        assert_eq!(std::fs::read(dir.0.join("c.txt")).unwrap(), b"new");
        use std::os::unix::fs::PermissionsExt;
        let m = std::fs::metadata(dir.0.join("m.txt")).unwrap();
        assert_eq!(m.permissions().mode() & 0o777, 0o640 & !umask());
    });
}

/// The same calls through std (tests/oracle/fs_oracle.rs includes the
/// program's `basic`): every line equal, the directory's name aside,
/// except `created`, which std answers from `statx` and rt0 does not
/// have (its module note says why).
#[test]
fn every_call_as_std_answers() {
    let ours_dir = Scratch::new("basic-rt0");
    let std_dir = Scratch::new("basic-std");
    let out = fs_ops(&Runner::Native, "2", &[os("basic"), ours_dir.0.as_os_str()]);
    // common::oracle rebuilds when the oracle's own file changed; it
    // includes tests/programs/fs_basic.rs, so a newer one counts too.
    let bin = common::target_dir().join("oracle/fs_oracle");
    let included = common::repo_root().join("tests/programs/fs_basic.rs");
    let mtime = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    if let (Some(b), Some(i)) = (mtime(&bin), mtime(&included))
        && i > b
    {
        std::fs::remove_file(&bin).unwrap();
    }
    let std_out = Command::new(oracle("fs_oracle"))
        .arg(&std_dir.0)
        .output()
        .expect("run fs_oracle");
    assert!(std_out.status.success(), "{std_out:?}");
    let ours = out
        .stdout_str()
        .replace(ours_dir.0.to_str().unwrap(), "DIR");
    let theirs = String::from_utf8(std_out.stdout)
        .unwrap()
        .replace(std_dir.0.to_str().unwrap(), "DIR");
    let known = |l: &&str| !l.starts_with("created: ");
    let ours: Vec<&str> = ours.lines().filter(known).collect();
    let theirs: Vec<&str> = theirs.lines().filter(known).collect();
    assert_eq!(ours.len(), theirs.len(), "line counts differ");
    for (o, t) in ours.iter().zip(&theirs) {
        assert_eq!(o, t, "rt0 (left) and std (right) differ");
    }
}

/// The test process's umask (children inherit it).
fn umask() -> u32 {
    unsafe extern "C" {
        fn umask(mask: u32) -> u32;
    }
    // SAFETY: umask only swaps a process attribute; set back at once.
    unsafe {
        let old = umask(0o022);
        umask(old);
        old
    }
}

/// `stat -c` with the fields fs_ops prints, `-L` to follow links; the
/// kind `regular empty file` is `regular file` to rt0.
fn coreutils_stat(paths: &[PathBuf], follow: bool) -> Vec<String> {
    let mut cmd = Command::new("stat");
    if follow {
        cmd.arg("-L");
    }
    let out = cmd
        .arg("-c")
        .arg("%n|%s|%a|%f|%i|%h|%.9Y|%u|%g|%d|%F")
        .args(paths)
        .output()
        .expect("run stat");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.replace("regular empty file", "regular file"))
        .collect()
}

#[test]
fn metadata_matches_stat() {
    let dir = Scratch::new("stat");
    let file = dir.0.join("file");
    std::fs::write(&file, vec![7u8; 12345]).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o4751)).unwrap();
    let empty = dir.0.join("empty");
    std::fs::write(&empty, b"").unwrap();
    let sub = dir.0.join("sub");
    std::fs::create_dir(&sub).unwrap();
    // A sticky, world-writable directory like /tmp (whose own mtime other
    // programs change at any moment).
    let sticky = dir.0.join("sticky");
    std::fs::create_dir(&sticky).unwrap();
    std::fs::set_permissions(&sticky, std::fs::Permissions::from_mode(0o1777)).unwrap();
    std::fs::hard_link(&file, dir.0.join("file2")).unwrap();
    let link = dir.0.join("link");
    std::os::unix::fs::symlink("file", &link).unwrap();
    let fifo = dir.0.join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let paths = vec![
        file,
        empty,
        sub,
        link,
        fifo,
        PathBuf::from("/dev/null"),
        sticky,
    ];
    let args: Vec<&std::ffi::OsStr> = paths.iter().map(|p| p.as_os_str()).collect();
    for r in native_and_one_qemu() {
        for (sub_cmd, follow) in [("lstat", false), ("stat", true)] {
            let mut a = vec![os(sub_cmd)];
            a.extend(&args);
            let out = fs_ops(&r, "2", &a);
            let ours: Vec<String> = out.stdout_str().lines().map(str::to_string).collect();
            let theirs = coreutils_stat(&paths, follow);
            assert_eq!(ours.len(), theirs.len(), "{}", out.describe());
            for (o, t) in ours.iter().zip(&theirs) {
                let (fields, flags) = o.rsplit_once('|').unwrap();
                assert_eq!(fields, t, "[{}] {sub_cmd}", r.label());
                // is_dir + 2 is_file + 4 is_symlink agree with the kind.
                let want = match t.rsplit('|').next().unwrap() {
                    "directory" => "1",
                    "regular file" => "2",
                    "symbolic link" => "4",
                    _ => "0",
                };
                assert_eq!(flags, want, "[{}] {o}", r.label());
            }
        }
    }
}

/// The `HEXNAME TYPE` lines of `fs_ops list` as (name bytes, type).
fn parse_list(out: &Output) -> Vec<(Vec<u8>, String)> {
    let s = out.stdout_str();
    let mut lines = s.lines();
    let count: usize = lines
        .next()
        .and_then(|l| l.strip_prefix("count="))
        .expect("count= line")
        .parse()
        .unwrap();
    let v: Vec<(Vec<u8>, String)> = lines
        .map(|l| {
            let (h, t) = l.split_once(' ').unwrap();
            let bytes = (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                .collect();
            (bytes, t.to_string())
        })
        .collect();
    assert_eq!(v.len(), count, "{}", out.describe());
    v
}

#[test]
fn read_dir_of_10000_entries_matches_ls() {
    let dir = Scratch::new("ls");
    for i in 0..10_000 {
        std::fs::write(dir.0.join(format!("f{i:05}")), b"").unwrap();
    }
    std::fs::create_dir(dir.0.join("a_dir")).unwrap();
    std::os::unix::fs::symlink("f00001", dir.0.join("a_link")).unwrap();
    let ls = Command::new("ls").arg("-f").arg(&dir.0).output().unwrap();
    assert!(ls.status.success());
    let want: BTreeSet<Vec<u8>> = ls
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty() && *l != b"." && *l != b"..")
        .map(<[u8]>::to_vec)
        .collect();
    assert_eq!(want.len(), 10_002);
    for r in native_and_one_qemu() {
        let out = fs_ops(&r, "2", &[os("list"), dir.0.as_os_str()]);
        let got = parse_list(&out);
        assert_eq!(got.len(), 10_002, "[{}] exact count", r.label());
        let names: BTreeSet<Vec<u8>> = got.iter().map(|(n, _)| n.clone()).collect();
        assert_eq!(
            names.len(),
            got.len(),
            "[{}] a name listed twice",
            r.label()
        );
        assert_eq!(names, want, "[{}] names differ from ls -f", r.label());
        for (name, ty) in &got {
            let m =
                std::fs::symlink_metadata(dir.0.join(std::ffi::OsStr::from_bytes(name))).unwrap();
            let t = m.file_type();
            let want = if t.is_dir() {
                "directory"
            } else if t.is_symlink() {
                "symbolic link"
            } else {
                "regular file"
            };
            assert_eq!(ty, want, "[{}] type of {name:?}", r.label());
        }
    }
}

/// Runs a Python 3 script with arguments; returns its stdout.
fn python(script: &str, args: &[&std::ffi::OsStr]) -> Vec<u8> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Names with bytes that are not UTF-8 (and some that are, and odd ASCII).
fn odd_names() -> Vec<Vec<u8>> {
    vec![
        b"caf\xe9".to_vec(),
        b"\xff\xfe\xfd".to_vec(),
        b"ok-\xc3\xa9t\xc3\xa9".to_vec(),
        b"half-\xe2\x82".to_vec(),
        b"sp ace\ttab\nnewline".to_vec(),
        b"\x01\x7f".to_vec(),
        vec![b'L'; 255],
    ]
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn non_utf8_file_names() {
    for r in native_and_one_qemu() {
        // Python makes them, rt0 lists them.
        let a = Scratch::new("names-py");
        let hexes: Vec<String> = odd_names().iter().map(|n| hex(n)).collect();
        let mut args: Vec<&std::ffi::OsStr> = vec![a.0.as_os_str()];
        args.extend(hexes.iter().map(|h| os(h)));
        python(
            "import os,sys\nd=os.fsencode(sys.argv[1])\nfor h in sys.argv[2:]:\n  n=bytes.fromhex(h)\n  open(os.path.join(d,n),'wb').write(n)",
            &args,
        );
        let out = fs_ops(&r, "2", &[os("list"), a.0.as_os_str()]);
        let got: BTreeSet<Vec<u8>> = parse_list(&out).into_iter().map(|(n, _)| n).collect();
        let want: BTreeSet<Vec<u8>> = odd_names().into_iter().collect();
        assert_eq!(got, want, "[{}]", r.label());

        // rt0 makes them, Python lists and reads them.
        let b = Scratch::new("names-rt0");
        let mut args: Vec<&std::ffi::OsStr> = vec![os("mkfiles"), b.0.as_os_str()];
        args.extend(hexes.iter().map(|h| os(h)));
        let out = fs_ops(&r, "2", &args);
        assert_eq!(out.stdout_str(), format!("made={}\n", hexes.len()));
        let listed = python(
            "import os,sys\nd=os.fsencode(sys.argv[1])\nfor n in sorted(os.listdir(d)):\n  ok=open(os.path.join(d,n),'rb').read()==n\n  print(n.hex(), ok)",
            &[b.0.as_os_str()],
        );
        let mut want: Vec<String> = hexes.iter().map(|h| format!("{h} True")).collect();
        want.sort();
        let got: Vec<String> = String::from_utf8(listed)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(got, want, "[{}]", r.label());
    }
}

#[test]
fn large_file_round_trip_sha256() {
    let dir = Scratch::new("large");
    let src = dir.0.join("src");
    let sha = |p: &Path| -> String {
        String::from_utf8(python(
            "import hashlib,sys\nprint(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())",
            &[p.as_os_str()],
        ))
        .unwrap()
    };
    python(
        "import os,sys\nopen(sys.argv[1],'wb').write(os.urandom(50*1000*1000+7))",
        &[src.as_os_str()],
    );
    let want = sha(&src);
    for r in native_and_one_qemu() {
        let d1 = dir.0.join("d1");
        let d2 = dir.0.join("d2");
        let out = fs_ops(
            &r,
            "2",
            &[os("copy"), src.as_os_str(), d1.as_os_str(), d2.as_os_str()],
        );
        assert_eq!(
            out.stdout_str(),
            "streamed=50000007 read=50000007\n",
            "{}",
            out.describe()
        );
        assert_eq!(sha(&d1), want, "[{}] File copy", r.label());
        assert_eq!(sha(&d2), want, "[{}] fs::read/fs::write copy", r.label());
        std::fs::remove_file(&d1).unwrap();
        std::fs::remove_file(&d2).unwrap();
    }
}

/// Runs `cmd` with `RLIMIT_NOFILE` set to `n` (soft and hard) in the child.
fn limit_files(cmd: &mut Command, n: u64) {
    #[repr(C)]
    struct Rlimit {
        cur: u64,
        max: u64,
    }
    unsafe extern "C" {
        fn setrlimit(resource: i32, rlim: *const Rlimit) -> i32;
    }
    /// `RLIMIT_NOFILE` on Linux.
    const RLIMIT_NOFILE: i32 = 7;
    // SAFETY: the hook calls one async-signal-safe libc wrapper on a
    // struct in its own frame.
    unsafe {
        cmd.pre_exec(move || {
            let l = Rlimit { cur: n, max: n };
            if setrlimit(RLIMIT_NOFILE, &l) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[test]
fn too_many_open_files_is_an_error() {
    let dir = Scratch::new("emfile");
    let f = dir.0.join("f");
    std::fs::write(&f, b"x").unwrap();
    for r in native_and_one_qemu() {
        // qemu-user needs some descriptors of its own.
        let limit = if r.is_qemu() { 48 } else { 16 };
        let mut cmd = command(&r, &example("fs_ops"), None);
        cmd.arg("emfile").arg(&f).env("GOMAXPROCS", "2");
        limit_files(&mut cmd, limit);
        let out = run(&r, cmd);
        assert_eq!(out.code(), Some(0), "{}", out.describe());
        let s = out.stdout_str();
        let first = s.lines().next().unwrap_or("");
        assert!(
            first.contains("raw=Some(24) msg=Too many open files (os error 24)"),
            "{}",
            out.describe()
        );
        let opened: u64 = first
            .strip_prefix("opened=")
            .and_then(|x| x.split(' ').next())
            .and_then(|x| x.parse().ok())
            .unwrap();
        assert!(opened > 0 && opened < limit, "{}", out.describe());
        assert!(
            s.contains("read_dir at limit: err Uncategorized: Too many open files (os error 24)\n")
                && s.contains(
                    "fs::read at limit: err Uncategorized: Too many open files (os error 24)\n"
                )
                && s.ends_with("after close: ok ()\n"),
            "{}",
            out.describe()
        );
    }
}

/// 1,000 missing levels for `create_dir_all`, a 1,000-deep tree for
/// `remove_dir_all`, on a goroutine's fixed stack (a frame per level
/// overflowed it); Python sees the levels in between and nothing after.
#[test]
fn deep_trees_are_made_and_removed_without_recursion() {
    for r in native_and_one_qemu() {
        let dir = Scratch::new("deep");
        let out = fs_ops(&r, "2", &[os("deep"), dir.0.as_os_str(), os("1000")]);
        assert_eq!(
            out.stdout_str(),
            "create_dir_all: ok ()\nfile at the bottom: ok ()\nis_dir: ok true\nremove_dir_all: ok ()\nexists after: ok false\n",
            "{}",
            out.describe()
        );
        assert!(!dir.0.join("d").exists(), "[{}]", r.label());
    }
}

#[test]
fn removed_while_open_still_reads() {
    for r in native_and_one_qemu() {
        let dir = Scratch::new("removed");
        let f = dir.0.join("f");
        std::fs::write(&f, b"still here").unwrap();
        let out = fs_ops(&r, "2", &[os("removed"), f.as_os_str()]);
        assert_eq!(
            out.stdout_str(),
            "exists after remove: ok false\nread after remove: ok \"still here\"\nnlink after remove: ok 0\n",
            "[{}]",
            r.label()
        );
        assert!(!f.exists());
    }
}

#[test]
fn dev_full_write_fails() {
    for r in native_and_one_qemu() {
        let out = fs_ops(&r, "2", &[os("devfull")]);
        assert_eq!(
            out.stdout_str(),
            "write /dev/full: err StorageFull: No space left on device (os error 28)\n\
             write_all /dev/full: err StorageFull: No space left on device (os error 28)\n\
             fs::write /dev/full: err StorageFull: No space left on device (os error 28)\n\
             read /dev/full: ok (8, [0, 0, 0, 0, 0, 0, 0, 0])\n",
            "[{}]",
            r.label()
        );
    }
}

#[test]
fn goroutines_in_system_calls_at_once() {
    for r in native_and_one_qemu() {
        for procs in ["1", "2", "4"] {
            let dir = Scratch::new("parallel");
            let out = fs_ops(&r, procs, &[os("parallel"), dir.0.as_os_str()]);
            assert_eq!(
                out.stdout_str(),
                "listed=800 good=800 left=0\n",
                "[{} GOMAXPROCS={procs}]",
                r.label()
            );
        }
    }
}

#[test]
fn blocked_open_gives_up_its_p() {
    for r in native_and_one_qemu() {
        let dir = Scratch::new("fifo");
        let fifo = dir.0.join("fifo");
        assert!(
            Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        for _ in 0..3 {
            let out = fs_ops(&r, "1", &[os("fifo"), fifo.as_os_str()]);
            assert_eq!(
                out.stdout_str(),
                "fifo read=\"through the fifo\"\n",
                "[{}]",
                r.label()
            );
        }
    }
}
