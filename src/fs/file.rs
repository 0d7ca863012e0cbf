//! [`File`] and [`OpenOptions`], shaped like std's (`OpenOptionsExt::mode`
//! and `custom_flags`, `FileExt::read_at`/`write_at` and the raw-fd
//! traits' `as_raw_fd`/`into_raw_fd`/`from_raw_fd` as inherent methods).
//! Go's counterparts: `os.File`, `os.OpenFile` with its `O_*` flags and
//! `FileMode`, `(*File).Seek`, `Truncate`, `Sync`, `Stat`, `ReadAt`.
//!
//! Invariants:
//! - a `File` owns exactly one open descriptor, opened `O_CLOEXEC`, and
//!   closes it when dropped (the error of that close is ignored, as std and
//!   Go's finalizer do; there is no `close` that reports it);
//! - every call that may wait on storage goes through `super::sys_call`,
//!   the system-call bracket, and is retried on `EINTR` there; a file is
//!   never registered with the netpoller (regular files are always
//!   "ready" to epoll, and Go keeps them out of it too);
//! - `Read`, `Write` and `Seek` are implemented for `File` and `&File`:
//!   the kernel serialises calls on one open file, so shared use is as safe
//!   as it is in std.

use core::fmt;

use super::metadata::{Metadata, Permissions};
use super::path::{Path, with_cstr};
use super::sys_call;
use crate::io::{self, Read, Seek, SeekFrom, Write};
use crate::sys::Errno;
use crate::sys::fs::{
    self as sys, AT_FDCWD, O_ACCMODE, O_APPEND, O_CLOEXEC, O_CREAT, O_EXCL, O_NOCTTY, O_RDONLY,
    O_RDWR, O_TRUNC, O_WRONLY, SEEK_CUR, SEEK_END, SEEK_SET,
};

/// The mode a new file gets before the umask: `rw-rw-rw-` (std's and
/// Go's `os.Create`'s default).
const DEFAULT_FILE_MODE: u32 = 0o666;
/// Above this the kernel's `read`/`write` do at most this many bytes
/// anyway (`MAX_RW_COUNT`, `INT_MAX` rounded down to a page); asking for
/// less keeps the count in range of a signed int, as std does.
const MAX_RW: usize = 0x7fff_f000;
/// Descriptors at or above this are handed out by `try_clone`, so a copy
/// never lands on stdin, stdout or stderr.
const FIRST_NON_STD_FD: i32 = 3;

/// An open file (std's `fs::File`, Go's `os.File`).
pub struct File {
    fd: i32,
}

impl File {
    /// Opens `path` for reading (std's `File::open`, Go's `os.Open`).
    pub fn open<P: AsRef<Path>>(path: P) -> io::Result<File> {
        OpenOptions::new().read(true).open(path)
    }

    /// Opens `path` for writing, creating it or truncating it (std's
    /// `File::create`, Go's `os.Create` without the read access).
    pub fn create<P: AsRef<Path>>(path: P) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
    }

    /// Creates `path` for reading and writing; `AlreadyExists` if it is
    /// there (std's `File::create_new`).
    pub fn create_new<P: AsRef<Path>>(path: P) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
    }

    /// A blank set of options (std's `File::options`).
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Changes the size: cut, or extended with zeros (`ftruncate`; Go's
    /// `Truncate`). The file offset does not move.
    pub fn set_len(&self, size: u64) -> io::Result<()> {
        let len = i64::try_from(size)
            .map_err(|_| io::Error::from(Errno::EFBIG))?
            .cast_unsigned();
        sys_call(|| sys::ftruncate(self.fd, len))
    }

    /// Flushes data and metadata to the device (`fsync`; Go's `Sync`).
    pub fn sync_all(&self) -> io::Result<()> {
        sys_call(|| sys::fsync(self.fd))
    }

    /// Flushes the data, and only the metadata needed to read it back
    /// (`fdatasync`).
    pub fn sync_data(&self) -> io::Result<()> {
        sys_call(|| sys::fdatasync(self.fd))
    }

    /// The file's metadata (`fstat`; Go's `(*File).Stat`).
    pub fn metadata(&self) -> io::Result<Metadata> {
        sys_call(|| sys::fstat(self.fd)).map(Metadata::from_stat)
    }

    /// Changes the permission bits (`fchmod`; Go's `(*File).Chmod`).
    pub fn set_permissions(&self, perm: Permissions) -> io::Result<()> {
        sys_call(|| sys::fchmod(self.fd, perm.mode()))
    }

    /// A second `File` on the same open file (`fcntl(F_DUPFD_CLOEXEC)`):
    /// it shares the offset and the flags. The copy is never fd 0, 1 or 2.
    pub fn try_clone(&self) -> io::Result<File> {
        let fd = sys::dup_cloexec(self.fd, FIRST_NON_STD_FD)?;
        Ok(File { fd })
    }

    /// Reads at `offset` without moving the file offset (`pread64`; std's
    /// `FileExt::read_at`, Go's `ReadAt` for one call).
    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let n = buf.len().min(MAX_RW);
        sys_call(|| sys::pread(self.fd, &mut buf[..n], offset))
    }

    /// Writes at `offset` without moving the file offset (`pwrite64`;
    /// std's `FileExt::write_at`). On a file opened with append, Linux
    /// writes at the end anyway.
    pub fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<usize> {
        let n = buf.len().min(MAX_RW);
        sys_call(|| sys::pwrite(self.fd, &buf[..n], offset))
    }

    /// The descriptor, still owned by this `File` (std's
    /// `AsRawFd::as_raw_fd`, Go's `Fd`).
    pub fn as_raw_fd(&self) -> i32 {
        self.fd
    }

    /// The descriptor, now owned by the caller: it is not closed when the
    /// `File` goes (std's `IntoRawFd::into_raw_fd`).
    pub fn into_raw_fd(self) -> i32 {
        let fd = self.fd;
        core::mem::forget(self);
        fd
    }

    /// A `File` that owns `fd` (std's `FromRawFd::from_raw_fd`, Go's
    /// `os.NewFile`): it closes `fd` when dropped.
    ///
    /// # Safety
    /// `fd` must be an open descriptor that nothing else owns: nobody
    /// else may close it, or use it after this `File` closed it.
    pub unsafe fn from_raw_fd(fd: i32) -> File {
        File { fd }
    }

    fn read_fd(&self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(MAX_RW);
        sys_call(|| sys::read(self.fd, &mut buf[..n]))
    }

    fn write_fd(&self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(MAX_RW);
        sys_call(|| sys::write(self.fd, &buf[..n]))
    }

    fn seek_fd(&self, pos: SeekFrom) -> io::Result<u64> {
        let (offset, whence) = match pos {
            SeekFrom::Start(o) => (
                i64::try_from(o).map_err(|_| io::Error::from(Errno::EINVAL))?,
                SEEK_SET,
            ),
            SeekFrom::Current(o) => (o, SEEK_CUR),
            SeekFrom::End(o) => (o, SEEK_END),
        };
        sys_call(|| sys::lseek(self.fd, offset, whence))
    }

    /// Reads the whole rest of the file into `buf`, sized from `fstat`
    /// first so a large file is read with one allocation.
    pub(crate) fn read_all(&self, buf: &mut alloc::vec::Vec<u8>) -> io::Result<usize> {
        if let Ok(m) = self.metadata()
            && let Ok(pos) = sys::lseek(self.fd, 0, SEEK_CUR)
        {
            let rest = m.len().saturating_sub(pos);
            buf.try_reserve_exact(usize::try_from(rest).unwrap_or(0))
                .map_err(|_| io::Error::from(io::ErrorKind::OutOfMemory))?;
        }
        let mut me = self;
        io::Read::read_to_end(&mut me, buf)
    }
}

impl Drop for File {
    fn drop(&mut self) {
        // Errors are ignored: on Linux the descriptor is released even when
        // close reports one, so there is nothing to retry (std and Go do
        // the same). A close can wait on storage (NFS), hence the bracket.
        let _ = sys_call(|| match sys::close(self.fd) {
            Err(e) if e == crate::sys::Errno::EINTR => Ok(()),
            r => r,
        });
    }
}

impl fmt::Debug for File {
    /// `File { fd: 3, path: "/tmp/x", read: true, write: false }`, as std
    /// shows it on Linux (the path from `/proc/self/fd`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("File");
        d.field("fd", &self.fd);
        let mut proc_path = alloc::format!("/proc/self/fd/{}", self.fd);
        proc_path.push('\0');
        if let Ok(c) = core::ffi::CStr::from_bytes_with_nul(proc_path.as_bytes()) {
            let mut buf = [0u8; 256];
            if let Ok(n) = sys::readlinkat(AT_FDCWD, c, &mut buf)
                && n < buf.len()
            {
                d.field("path", &Path::from_bytes(&buf[..n]));
            }
        }
        if let Ok(fl) = sys::getfl(self.fd) {
            let mode = fl & O_ACCMODE;
            d.field("read", &(mode == O_RDONLY || mode == O_RDWR));
            d.field("write", &(mode == O_WRONLY || mode == O_RDWR));
        }
        d.finish()
    }
}

impl Read for File {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_fd(buf)
    }

    fn read_to_end(&mut self, buf: &mut alloc::vec::Vec<u8>) -> io::Result<usize> {
        self.read_all(buf)
    }
}

impl Read for &File {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_fd(buf)
    }
}

impl Write for File {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_fd(buf)
    }

    /// Nothing to do: a `File` has no buffer (data still in the kernel's
    /// page cache reaches the disk with `sync_all`).
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Write for &File {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_fd(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for File {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.seek_fd(pos)
    }
}

impl Seek for &File {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.seek_fd(pos)
    }
}

/// How to open a file (std's `fs::OpenOptions`, Go's `os.OpenFile` flags
/// and mode). The checks are std's, with its texts: `truncate` or
/// `create` without write access, `truncate` with `append`, and nothing
/// to read or write, are `InvalidInput` before any system call.
#[derive(Clone, Debug)]
pub struct OpenOptions {
    read: bool,
    write: bool,
    append: bool,
    truncate: bool,
    create: bool,
    create_new: bool,
    mode: u32,
    custom_flags: u32,
}

impl OpenOptions {
    /// Every option off, mode `0o666`.
    pub fn new() -> OpenOptions {
        OpenOptions {
            read: false,
            write: false,
            append: false,
            truncate: false,
            create: false,
            create_new: false,
            mode: DEFAULT_FILE_MODE,
            custom_flags: 0,
        }
    }

    /// Read access.
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.read = read;
        self
    }

    /// Write access.
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.write = write;
        self
    }

    /// Write access where every write goes to the end (`O_APPEND`).
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.append = append;
        self
    }

    /// Cut an existing file to 0 bytes (`O_TRUNC`; needs write access).
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.truncate = truncate;
        self
    }

    /// Create the file if it is missing (`O_CREAT`; needs write access).
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.create = create;
        self
    }

    /// Create the file, failing with `AlreadyExists` if it is there, even
    /// as a dangling symbolic link (`O_CREAT | O_EXCL`); `create` and
    /// `truncate` are then ignored.
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.create_new = create_new;
        self
    }

    /// The permission bits of a created file, before the umask (std's
    /// `OpenOptionsExt::mode`; default `0o666`).
    pub fn mode(&mut self, mode: u32) -> &mut OpenOptions {
        self.mode = mode;
        self
    }

    /// More `open(2)` flags, or-ed in (std's `OpenOptionsExt::custom_flags`;
    /// the access-mode bits are ignored, `O_CLOEXEC` is always set).
    pub fn custom_flags(&mut self, flags: u32) -> &mut OpenOptions {
        self.custom_flags = flags;
        self
    }

    /// Opens `path` with these options.
    pub fn open<P: AsRef<Path>>(&self, path: P) -> io::Result<File> {
        let flags = O_CLOEXEC | O_NOCTTY | self.access_mode()? | self.creation_mode()?;
        let flags = flags | (self.custom_flags & !O_ACCMODE);
        let mode = self.mode;
        let fd = with_cstr(path.as_ref(), |c| {
            sys_call(|| sys::openat(AT_FDCWD, c, flags, mode))
        })?;
        Ok(File { fd })
    }

    fn access_mode(&self) -> io::Result<u32> {
        match (self.read, self.write, self.append) {
            (true, false, false) => Ok(O_RDONLY),
            (false, true, false) => Ok(O_WRONLY),
            (true, true, false) => Ok(O_RDWR),
            (false, _, true) => Ok(O_WRONLY | O_APPEND),
            (true, _, true) => Ok(O_RDWR | O_APPEND),
            (false, false, false) if self.create || self.create_new || self.truncate => {
                Err(NEEDS_WRITE)
            }
            (false, false, false) => Err(NO_ACCESS),
        }
    }

    fn creation_mode(&self) -> io::Result<u32> {
        let writable = self.write || self.append;
        if !writable && (self.truncate || self.create || self.create_new) {
            return Err(NEEDS_WRITE);
        }
        if self.append && self.truncate && !self.create_new {
            return Err(NEEDS_WRITE);
        }
        Ok(match (self.create, self.truncate, self.create_new) {
            (_, _, true) => O_CREAT | O_EXCL,
            (false, false, false) => 0,
            (true, false, false) => O_CREAT,
            (false, true, false) => O_TRUNC,
            (true, true, false) => O_CREAT | O_TRUNC,
        })
    }
}

/// std's error for options with no access at all.
const NO_ACCESS: io::Error = io::Error::from_static(
    io::ErrorKind::InvalidInput,
    "must specify at least one of read, write, or append access",
);
/// std's error for `create`/`truncate` without write access, and for
/// `truncate` with `append`.
const NEEDS_WRITE: io::Error = io::Error::from_static(
    io::ErrorKind::InvalidInput,
    "creating or truncating a file requires write or append access",
);

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions::new()
    }
}
