//! Directories: [`ReadDir`] and [`DirEntry`] over `getdents64` (std's
//! `fs::read_dir`, Go's `os.ReadDir`/`(*File).ReadDir`, `os/dir_unix.go`),
//! [`create_dir_all`] (Go's `os.MkdirAll`) and [`remove_dir_all`] (Go's
//! `os.RemoveAll`).
//!
//! A `ReadDir` owns the directory's descriptor and a buffer of
//! [`DIRENT_BUF`] bytes; each `getdents64` fills the buffer with
//! `linux_dirent64` records, which `next` walks one at a time, skipping
//! `.` and `..` as std does. Entries come in the kernel's order (what
//! `ls -f` shows). A [`DirEntry`] keeps its name and the `d_type` the file
//! system reported; [`DirEntry::file_type`] asks `lstat` only when that is
//! `DT_UNKNOWN` (some file systems never fill it in).
//!
//! `remove_dir_all` works through descriptors: each directory is opened
//! with `O_NOFOLLOW | O_DIRECTORY` relative to its parent's descriptor and
//! its entries are removed with `unlinkat` relative to it, so a symbolic
//! link met on the way is removed, never followed (the property std's
//! `remove_dir_all` has; Go's `RemoveAll` as well).

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::ffi::CStr;
use core::fmt;

use super::metadata::{FileType, Metadata};
use super::path::{Path, PathBuf, with_cstr};
use super::{symlink_metadata, sys_call};
use crate::io;
use crate::sys::Errno;
use crate::sys::fs::{
    self as sys, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW, DIRENT64_NAME_OFFSET, DT_SHIFT,
    DT_UNKNOWN, Dirent64Head, O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW, O_RDONLY, S_IFDIR, S_IFMT,
    SEEK_SET,
};

/// Bytes of `linux_dirent64` records asked for per `getdents64`: 32 KiB,
/// about 1,000 entries of short names per call.
const DIRENT_BUF: usize = 32 * 1024;
/// The mode `create_dir` gives, before the umask.
pub(crate) const DEFAULT_DIR_MODE: u32 = 0o777;

/// The descriptor of an open directory, closed on drop.
struct DirFd(i32);

impl Drop for DirFd {
    fn drop(&mut self) {
        let _ = sys::close(self.0);
    }
}

/// One record of a `getdents64` buffer.
struct RawEntry<'a> {
    ino: u64,
    d_type: u8,
    name: &'a [u8],
}

/// The `getdents64` reader both `ReadDir` and `remove_dir_all` use.
struct DirStream {
    fd: DirFd,
    buf: Vec<u8>,
    /// Where the next record starts in `buf`.
    pos: usize,
    /// How much of `buf` the last `getdents64` filled.
    len: usize,
    /// The kernel said the directory has no more entries.
    done: bool,
}

impl DirStream {
    fn new(fd: DirFd) -> DirStream {
        DirStream {
            fd,
            buf: vec![0u8; DIRENT_BUF],
            pos: 0,
            len: 0,
            done: false,
        }
    }

    /// The next entry other than `.` and `..`, None at the end.
    fn next(&mut self) -> Option<io::Result<RawEntry<'_>>> {
        loop {
            if self.pos >= self.len {
                if self.done {
                    return None;
                }
                let fd = self.fd.0;
                let buf = &mut self.buf;
                match sys_call(|| sys::getdents64(fd, buf)) {
                    Ok(0) => {
                        self.done = true;
                        return None;
                    }
                    Ok(n) => {
                        self.len = n;
                        self.pos = 0;
                    }
                    Err(e) => {
                        // Once an error is reported the stream ends, as
                        // std's does, instead of repeating it forever.
                        self.done = true;
                        return Some(Err(e));
                    }
                }
            }
            let rec = &self.buf[self.pos..self.len];
            if rec.len() < DIRENT64_NAME_OFFSET.max(core::mem::size_of::<Dirent64Head>()) {
                self.done = true;
                self.pos = self.len;
                return Some(Err(io::Error::from_raw_os_error(Errno::EIO.0)));
            }
            // SAFETY: rec has at least size_of::<Dirent64Head>() bytes
            // (checked above);
            // read_unaligned makes no alignment assumption (the kernel
            // aligns records to 8 anyway).
            let head = unsafe { core::ptr::read_unaligned(rec.as_ptr() as *const Dirent64Head) };
            let reclen = usize::from(head.d_reclen);
            if reclen < DIRENT64_NAME_OFFSET || reclen > rec.len() {
                self.done = true;
                self.pos = self.len;
                return Some(Err(io::Error::from_raw_os_error(Errno::EIO.0)));
            }
            let start = self.pos;
            self.pos += reclen;
            let area = start + DIRENT64_NAME_OFFSET..start + reclen;
            let name_len = self.buf[area.clone()]
                .iter()
                .position(|&b| b == 0)
                .unwrap_or(area.len());
            let name = area.start..area.start + name_len;
            if &self.buf[name.clone()] == b"." || &self.buf[name.clone()] == b".." {
                continue;
            }
            return Some(Ok(RawEntry {
                ino: head.d_ino,
                d_type: head.d_type,
                name: &self.buf[name],
            }));
        }
    }
}
/// The entries of a directory (std's `fs::ReadDir`): an iterator of
/// `io::Result<DirEntry>`, without `.` and `..`, in the kernel's order.
pub struct ReadDir {
    stream: DirStream,
    root: Arc<PathBuf>,
}

/// One entry of a [`ReadDir`] (std's `fs::DirEntry`, Go's `DirEntry`).
pub struct DirEntry {
    root: Arc<PathBuf>,
    name: Vec<u8>,
    ino: u64,
    d_type: u8,
}

impl Iterator for ReadDir {
    type Item = io::Result<DirEntry>;

    fn next(&mut self) -> Option<io::Result<DirEntry>> {
        let root = &self.root;
        self.stream.next().map(|r| {
            r.map(|e| DirEntry {
                root: root.clone(),
                name: e.name.to_vec(),
                ino: e.ino,
                d_type: e.d_type,
            })
        })
    }
}

impl fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ReadDir").field(&*self.root).finish()
    }
}

impl DirEntry {
    /// The directory's path joined with the entry's name.
    pub fn path(&self) -> PathBuf {
        self.root.join(Path::from_bytes(&self.name))
    }

    /// The entry's name, exactly as the directory holds it (any bytes but
    /// `/` and NUL). std returns an `OsString`; rt0 has no `OsString`, and
    /// a `PathBuf` is the same bytes.
    pub fn file_name(&self) -> PathBuf {
        PathBuf::from(self.name.clone())
    }

    /// The entry's name, borrowed.
    pub fn file_name_bytes(&self) -> &[u8] {
        &self.name
    }

    /// The kind of file, from the directory itself (`d_type`), or from
    /// `lstat` where the file system leaves that `DT_UNKNOWN`. A symbolic
    /// link is reported as one, not followed.
    pub fn file_type(&self) -> io::Result<FileType> {
        if self.d_type != DT_UNKNOWN {
            return Ok(FileType::from_mode(u32::from(self.d_type) << DT_SHIFT));
        }
        self.metadata().map(|m| m.file_type())
    }

    /// The entry's metadata, not following a symbolic link (`lstat` of
    /// [`DirEntry::path`], as std's).
    pub fn metadata(&self) -> io::Result<Metadata> {
        symlink_metadata(self.path())
    }

    /// The inode number the directory lists (`d_ino`; std's
    /// `DirEntryExt::ino`).
    pub fn ino(&self) -> u64 {
        self.ino
    }
}

impl fmt::Debug for DirEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DirEntry").field(&self.path()).finish()
    }
}

/// Opens a directory for reading its entries.
fn open_dir(dirfd: i32, path: &CStr, flags: u32) -> io::Result<DirFd> {
    let fd = sys_call(|| sys::openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_DIRECTORY | flags, 0))?;
    Ok(DirFd(fd))
}

/// The entries of the directory at `path` (std's `fs::read_dir`; Go's
/// `os.ReadDir` without the sort).
pub fn read_dir<P: AsRef<Path>>(path: P) -> io::Result<ReadDir> {
    let path = path.as_ref();
    let fd = with_cstr(path, |c| open_dir(AT_FDCWD, c, 0))?;
    Ok(ReadDir {
        stream: DirStream::new(fd),
        root: Arc::new(path.to_path_buf()),
    })
}

/// Creates the directory `path` and any missing parents (std's
/// `create_dir_all`, Go's `os.MkdirAll`); a directory already there is
/// success, anything else already there `AlreadyExists`.
pub fn create_dir_all<P: AsRef<Path>>(path: P) -> io::Result<()> {
    mkdir_all(path.as_ref(), DEFAULT_DIR_MODE)
}

/// `mkdir` of `path`, mode `mode` before the umask.
fn mkdir(path: &Path, mode: u32) -> io::Result<()> {
    with_cstr(path, |c| sys_call(|| sys::mkdirat(AT_FDCWD, c, mode)))
}

/// `mkdir -p`: walks up from `path` while `mkdir` says a parent is
/// missing, then creates the missing ones top-down; a directory made
/// meanwhile by someone else counts as made. A loop, not a recursion: a
/// path of 2,000 missing components must not need 2,000 stack frames on
/// a goroutine's fixed stack.
fn mkdir_all(path: &Path, mode: u32) -> io::Result<()> {
    if path.as_bytes().is_empty() {
        return Ok(());
    }
    // Deepest first: the ones whose mkdir found no parent.
    let mut missing: Vec<&Path> = Vec::new();
    let mut cur = path;
    loop {
        match mkdir(cur, mode) {
            Ok(()) => break,
            Err(e) if e.raw_os_error() == Some(Errno::ENOENT.0) => {
                missing.push(cur);
                match cur.parent() {
                    Some(parent) if !parent.as_bytes().is_empty() => cur = parent,
                    _ => return Err(e),
                }
            }
            Err(_) if cur.is_dir() => break,
            Err(e) => return Err(e),
        }
    }
    for p in missing.iter().rev() {
        match mkdir(p, mode) {
            Ok(()) => {}
            Err(_) if p.is_dir() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// How to create a directory (std's `fs::DirBuilder`, with
/// `DirBuilderExt::mode`; Go's `os.Mkdir`/`os.MkdirAll` with a mode).
#[derive(Clone, Debug)]
pub struct DirBuilder {
    recursive: bool,
    mode: u32,
}

impl DirBuilder {
    /// Not recursive, mode `0o777` (before the umask).
    pub fn new() -> DirBuilder {
        DirBuilder {
            recursive: false,
            mode: DEFAULT_DIR_MODE,
        }
    }

    /// Also create missing parents, and accept a directory already there.
    pub fn recursive(&mut self, recursive: bool) -> &mut DirBuilder {
        self.recursive = recursive;
        self
    }

    /// The permission bits of the new directories, before the umask.
    pub fn mode(&mut self, mode: u32) -> &mut DirBuilder {
        self.mode = mode;
        self
    }

    /// Creates `path` with these options.
    pub fn create<P: AsRef<Path>>(&self, path: P) -> io::Result<()> {
        if self.recursive {
            mkdir_all(path.as_ref(), self.mode)
        } else {
            mkdir(path.as_ref(), self.mode)
        }
    }
}

impl Default for DirBuilder {
    fn default() -> DirBuilder {
        DirBuilder::new()
    }
}

/// Whether an entry's type says directory, asking `fstatat` (without
/// following links) when the file system does not say.
fn entry_is_dir(dirfd: i32, name: &CStr, d_type: u8) -> io::Result<bool> {
    if d_type != DT_UNKNOWN {
        return Ok(u32::from(d_type) << DT_SHIFT == S_IFDIR);
    }
    let st = sys_call(|| sys::fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW))?;
    Ok(st.st_mode & S_IFMT == S_IFDIR)
}

/// A directory being emptied by [`remove_contents`].
struct Level {
    stream: DirStream,
    /// Its name in the level above (NUL-terminated); None for the top.
    name: Option<Vec<u8>>,
    /// Something was removed since the stream was last rewound.
    removed: bool,
}

/// Empties the directory open as `fd`: files and links unlinked,
/// directories emptied and removed, depth first, with an explicit stack
/// of open directories (one descriptor per level, as Go's `RemoveAll`),
/// not a recursion: a tree 1,000 deep must not need 1,000 stack frames
/// on a goroutine's fixed stack.
///
/// A file system may skip entries when its directory changes under a
/// reader, so a directory whose pass removed anything is rewound and
/// read again, until a pass finds it empty.
fn remove_contents(fd: DirFd) -> io::Result<()> {
    let mut stack = alloc::vec![Level {
        stream: DirStream::new(fd),
        name: None,
        removed: false,
    }];
    while let Some(top) = stack.last_mut() {
        let dirfd = top.stream.fd.0;
        let entry = match top.stream.next() {
            Some(Err(e)) => return Err(e),
            Some(Ok(e)) => {
                let mut name = e.name.to_vec();
                name.push(0);
                Some((name, e.d_type))
            }
            None => None,
        };
        let Some((name, d_type)) = entry else {
            // The end of this directory's stream.
            if top.removed {
                top.removed = false;
                sys::lseek(dirfd, 0, SEEK_SET)?;
                top.stream.pos = 0;
                top.stream.len = 0;
                top.stream.done = false;
                continue;
            }
            let done = stack.pop().expect("the loop's own level");
            drop(done.stream);
            if let (Some(name), Some(parent)) = (done.name, stack.last_mut()) {
                let c = nul_terminated(&name)?;
                ignore_gone(sys_call(|| {
                    sys::unlinkat(parent.stream.fd.0, c, AT_REMOVEDIR)
                }))?;
                parent.removed = true;
            }
            continue;
        };
        let c = nul_terminated(&name)?;
        if entry_is_dir(dirfd, c, d_type)? {
            match open_dir(dirfd, c, O_NOFOLLOW) {
                Ok(child) => stack.push(Level {
                    stream: DirStream::new(child),
                    name: Some(name),
                    removed: false,
                }),
                Err(e) => ignore_gone(Err(e))?,
            }
        } else {
            ignore_gone(sys_call(|| sys::unlinkat(dirfd, c, 0)))?;
            if let Some(top) = stack.last_mut() {
                top.removed = true;
            }
        }
    }
    Ok(())
}

/// A name collected with exactly one NUL appended, as a C string.
fn nul_terminated(name: &[u8]) -> io::Result<&CStr> {
    CStr::from_bytes_with_nul(name).map_err(|_| io::Error::from_raw_os_error(Errno::EIO.0))
}

/// An entry removed by someone else meanwhile: the goal is reached.
fn ignore_gone(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.raw_os_error() == Some(Errno::ENOENT.0) => Ok(()),
        r => r,
    }
}

/// Removes `path` and everything under it (std's `remove_dir_all`, Go's
/// `os.RemoveAll` except that a missing `path` is `NotFound`, as in
/// std). A symbolic link is removed, never followed, also at the top.
pub fn remove_dir_all<P: AsRef<Path>>(path: P) -> io::Result<()> {
    let path = path.as_ref();
    let meta = symlink_metadata(path)?;
    if !meta.is_dir() {
        return super::remove_file(path);
    }
    with_cstr(path, |c| {
        let fd = open_dir(AT_FDCWD, c, O_NOFOLLOW)?;
        remove_contents(fd)?;
        sys_call(|| sys::unlinkat(AT_FDCWD, c, AT_REMOVEDIR))
    })
}
