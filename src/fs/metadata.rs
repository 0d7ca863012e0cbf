//! What `stat` says about a file: [`Metadata`], [`FileType`],
//! [`Permissions`] and the file times as [`SystemTime`], shaped like
//! std's (with `std::os::unix::fs::MetadataExt`'s `dev`, `ino`, `mode`,
//! `nlink`, `uid`, `gid`, `mtime`, ... as inherent methods). Go's
//! counterparts: `os.FileInfo`, `os.FileMode`, `syscall.Stat_t`,
//! `time.Time` (`os/stat_linux.go`'s `fillFileStatFromSys`).
//!
//! A `Metadata` is a copy of the kernel's `struct stat` (`newfstatat` or
//! `fstat`, see `sys::fs`), taken once: it never changes after.
//! `created()` is `Unsupported`, because `newfstatat` does not return a
//! birth time (std gets one from `statx` where the file system keeps it).
//!
//! **Time.** File times are [`SystemTime`]s (`rt0::time`, std's
//! `std::time::SystemTime`). The raw fields are there too (`mtime()`,
//! `mtime_nsec()`), as `MetadataExt` has them.

use core::fmt;

use crate::io;
use crate::sys::fs::{
    S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK, Stat,
};
use crate::time::SystemTime;

/// The write bits of owner, group and others.
const WRITE_BITS: u32 = 0o222;

/// A file's metadata (std's `fs::Metadata`, Go's `os.FileInfo` with its
/// `Sys()` `syscall.Stat_t`).
#[derive(Clone)]
pub struct Metadata {
    st: Stat,
}

impl Metadata {
    pub(crate) fn from_stat(st: Stat) -> Metadata {
        Metadata { st }
    }

    /// The kind of file.
    pub fn file_type(&self) -> FileType {
        FileType::from_mode(self.st.st_mode)
    }

    /// Whether it is a directory.
    pub fn is_dir(&self) -> bool {
        self.file_type().is_dir()
    }

    /// Whether it is a regular file.
    pub fn is_file(&self) -> bool {
        self.file_type().is_file()
    }

    /// Whether it is a symbolic link (only from [`super::symlink_metadata`]
    /// or a [`super::DirEntry`]: [`super::metadata`] follows links).
    pub fn is_symlink(&self) -> bool {
        self.file_type().is_symlink()
    }

    /// The size in bytes (`st_size`; for a symbolic link, its target's length).
    pub fn len(&self) -> u64 {
        self.st.st_size as u64
    }

    /// Whether the size is 0.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The permission bits (std's `permissions`).
    pub fn permissions(&self) -> Permissions {
        Permissions::from_mode(self.st.st_mode)
    }

    /// The last modification time (`st_mtim`).
    pub fn modified(&self) -> io::Result<SystemTime> {
        Ok(SystemTime::from_parts(
            self.st.st_mtime,
            self.st.st_mtime_nsec,
        ))
    }

    /// The last access time (`st_atim`).
    pub fn accessed(&self) -> io::Result<SystemTime> {
        Ok(SystemTime::from_parts(
            self.st.st_atime,
            self.st.st_atime_nsec,
        ))
    }

    /// The birth time: `Unsupported` (`newfstatat` does not report it).
    pub fn created(&self) -> io::Result<SystemTime> {
        Err(io::Error::from_static(
            io::ErrorKind::Unsupported,
            "creation time is not available on this platform currently",
        ))
    }

    /// The device the file is on (`st_dev`).
    pub fn dev(&self) -> u64 {
        self.st.st_dev
    }

    /// The inode number (`st_ino`).
    pub fn ino(&self) -> u64 {
        self.st.st_ino
    }

    /// The whole mode: type and permission bits (`st_mode`).
    pub fn mode(&self) -> u32 {
        self.st.st_mode
    }

    /// The number of hard links (`st_nlink`).
    pub fn nlink(&self) -> u64 {
        self.st.st_nlink
    }

    /// The owner's user id (`st_uid`).
    pub fn uid(&self) -> u32 {
        self.st.st_uid
    }

    /// The group id (`st_gid`).
    pub fn gid(&self) -> u32 {
        self.st.st_gid
    }

    /// The device a device file stands for (`st_rdev`).
    pub fn rdev(&self) -> u64 {
        self.st.st_rdev
    }

    /// The size in bytes, as `MetadataExt::size`.
    pub fn size(&self) -> u64 {
        self.len()
    }

    /// Seconds part of the access time.
    pub fn atime(&self) -> i64 {
        self.st.st_atime
    }

    /// Nanoseconds part of the access time.
    pub fn atime_nsec(&self) -> i64 {
        self.st.st_atime_nsec
    }

    /// Seconds part of the modification time.
    pub fn mtime(&self) -> i64 {
        self.st.st_mtime
    }

    /// Nanoseconds part of the modification time.
    pub fn mtime_nsec(&self) -> i64 {
        self.st.st_mtime_nsec
    }

    /// Seconds part of the status-change time.
    pub fn ctime(&self) -> i64 {
        self.st.st_ctime
    }

    /// Nanoseconds part of the status-change time.
    pub fn ctime_nsec(&self) -> i64 {
        self.st.st_ctime_nsec
    }

    /// The preferred I/O block size (`st_blksize`).
    pub fn blksize(&self) -> u64 {
        self.st.st_blksize as u64
    }

    /// 512-byte blocks allocated (`st_blocks`).
    pub fn blocks(&self) -> u64 {
        self.st.st_blocks as u64
    }
}

impl fmt::Debug for Metadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metadata")
            .field("file_type", &self.file_type())
            .field("permissions", &self.permissions())
            .field("len", &self.len())
            .field("modified", &self.modified().ok())
            .finish_non_exhaustive()
    }
}

/// The kind of a file (std's `fs::FileType`, with `FileTypeExt`'s
/// device, FIFO and socket tests; Go's `FileMode.Type()`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileType {
    /// The `S_IFMT` bits of the mode.
    ty: u32,
}

impl FileType {
    pub(crate) fn from_mode(mode: u32) -> FileType {
        FileType { ty: mode & S_IFMT }
    }

    /// A directory.
    pub fn is_dir(&self) -> bool {
        self.ty == S_IFDIR
    }

    /// A regular file.
    pub fn is_file(&self) -> bool {
        self.ty == S_IFREG
    }

    /// A symbolic link.
    pub fn is_symlink(&self) -> bool {
        self.ty == S_IFLNK
    }

    /// A block device.
    pub fn is_block_device(&self) -> bool {
        self.ty == S_IFBLK
    }

    /// A character device (`/dev/null`, a terminal).
    pub fn is_char_device(&self) -> bool {
        self.ty == S_IFCHR
    }

    /// A FIFO (named pipe).
    pub fn is_fifo(&self) -> bool {
        self.ty == S_IFIFO
    }

    /// A Unix socket.
    pub fn is_socket(&self) -> bool {
        self.ty == S_IFSOCK
    }
}

impl fmt::Debug for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.ty {
            S_IFDIR => "dir",
            S_IFREG => "file",
            S_IFLNK => "symlink",
            S_IFBLK => "block device",
            S_IFCHR => "char device",
            S_IFIFO => "fifo",
            S_IFSOCK => "socket",
            _ => "unknown",
        };
        write!(f, "FileType({name})")
    }
}

/// A file's permission bits (std's `fs::Permissions` with
/// `PermissionsExt`'s `mode`/`from_mode`/`set_mode`; Go's
/// `FileMode.Perm()`).
///
/// As in std, the mode is kept whole: from [`Metadata::permissions`] it
/// still has the file-type bits (`0o100644` for a regular file; mask with
/// `0o7777` for the permission bits alone), and `from_mode` keeps what it
/// is given. `chmod` ignores the type bits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Permissions {
    mode: u32,
}

impl Permissions {
    /// From mode bits, kept as given.
    pub fn from_mode(mode: u32) -> Permissions {
        Permissions { mode }
    }

    /// The mode, e.g. `0o100644` from a regular file's metadata.
    pub fn mode(&self) -> u32 {
        self.mode
    }

    /// Sets the mode.
    pub fn set_mode(&mut self, mode: u32) {
        self.mode = mode;
    }

    /// Whether nobody may write (no write bit at all; std's `readonly`,
    /// which does not ask who the caller is).
    pub fn readonly(&self) -> bool {
        self.mode & WRITE_BITS == 0
    }

    /// Clears (true) or sets (false) every write bit, as std does.
    pub fn set_readonly(&mut self, readonly: bool) {
        if readonly {
            self.mode &= !WRITE_BITS;
        } else {
            self.mode |= WRITE_BITS;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_as_std() {
        use std::os::unix::fs::PermissionsExt;
        for mode in [0o100644u32, 0o40755, 0o444, 0o200, 0o4755, 0] {
            let mut o = Permissions::from_mode(mode);
            let mut s = std::fs::Permissions::from_mode(mode);
            assert_eq!(o.readonly(), s.readonly(), "{mode:o}");
            o.set_readonly(true);
            s.set_readonly(true);
            assert_eq!(o.mode(), s.mode(), "{mode:o}");
            o.set_readonly(false);
            // Deliberately std's world-writable behaviour, compared.
            #[allow(clippy::permissions_set_readonly_false)]
            s.set_readonly(false);
            assert_eq!(o.mode(), s.mode(), "{mode:o}");
        }
    }
}
