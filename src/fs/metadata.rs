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
//! **Time.** `rt0::time` has only the monotonic clock (`Instant`), so the
//! wall-clock type of file times is defined here: [`SystemTime`], std's
//! `SystemTime` for what a file time needs (`UNIX_EPOCH`, `now`,
//! `duration_since`, `elapsed`, adding a `Duration`), seconds and
//! nanoseconds since the Unix epoch. The raw fields are there too
//! (`mtime()`, `mtime_nsec()`), as `MetadataExt` has them.

use core::fmt;
use core::time::Duration;

use crate::io;
use crate::sys::fs::{
    S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK, Stat, realtime,
};

/// The write bits of owner, group and others.
const WRITE_BITS: u32 = 0o222;
/// Nanoseconds in a second.
const NANOS_PER_SEC: u32 = 1_000_000_000;

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

/// A wall-clock time: seconds and nanoseconds since the Unix epoch
/// (std's `time::SystemTime`, Go's `time.Time` without its monotonic
/// reading). File times are of this type.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SystemTime {
    secs: i64,
    /// Always below one second.
    nanos: u32,
}

/// 1970-01-01 00:00:00 UTC (std's `UNIX_EPOCH`).
pub const UNIX_EPOCH: SystemTime = SystemTime { secs: 0, nanos: 0 };

/// A time was later than the one it was measured from (std's
/// `SystemTimeError`): the difference, the other way round.
#[derive(Clone, Debug)]
pub struct SystemTimeError(Duration);

impl SystemTimeError {
    /// How much later it was.
    pub fn duration(&self) -> Duration {
        self.0
    }
}

impl fmt::Display for SystemTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("second time provided was later than self")
    }
}

impl core::error::Error for SystemTimeError {}

impl SystemTime {
    /// The Unix epoch (std's `SystemTime::UNIX_EPOCH`).
    pub const UNIX_EPOCH: SystemTime = UNIX_EPOCH;

    /// From `st_*time` and `st_*time_nsec` (normalised: a negative or
    /// too large nanosecond part is carried into the seconds).
    pub(crate) fn from_parts(secs: i64, nsec: i64) -> SystemTime {
        let n = i64::from(NANOS_PER_SEC);
        SystemTime {
            secs: secs + nsec.div_euclid(n),
            nanos: nsec.rem_euclid(n) as u32,
        }
    }

    /// The wall clock now (`clock_gettime(CLOCK_REALTIME)`).
    pub fn now() -> SystemTime {
        let (secs, nanos) = realtime();
        SystemTime::from_parts(secs, i64::from(nanos))
    }

    /// How long after `earlier` this is; an error (holding the
    /// difference) if it is before.
    pub fn duration_since(&self, earlier: SystemTime) -> Result<Duration, SystemTimeError> {
        let diff = |a: &SystemTime, b: &SystemTime| {
            // a >= b here.
            let (mut s, mut n) = (a.secs - b.secs, i64::from(a.nanos) - i64::from(b.nanos));
            if n < 0 {
                s -= 1;
                n += i64::from(NANOS_PER_SEC);
            }
            Duration::new(s as u64, n as u32)
        };
        if *self >= earlier {
            Ok(diff(self, &earlier))
        } else {
            Err(SystemTimeError(diff(&earlier, self)))
        }
    }

    /// How long ago this was.
    pub fn elapsed(&self) -> Result<Duration, SystemTimeError> {
        SystemTime::now().duration_since(*self)
    }

    /// Seconds since the epoch (negative before it).
    pub fn unix_secs(&self) -> i64 {
        self.secs
    }

    /// The nanoseconds within the second (0..1e9).
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// This time plus `d`, None on overflow.
    pub fn checked_add(&self, d: Duration) -> Option<SystemTime> {
        let secs = self.secs.checked_add(i64::try_from(d.as_secs()).ok()?)?;
        let nanos = i64::from(self.nanos) + i64::from(d.subsec_nanos());
        Some(SystemTime::from_parts(secs, nanos))
    }

    /// This time minus `d`, None on overflow.
    pub fn checked_sub(&self, d: Duration) -> Option<SystemTime> {
        let secs = self.secs.checked_sub(i64::try_from(d.as_secs()).ok()?)?;
        let nanos = i64::from(self.nanos) - i64::from(d.subsec_nanos());
        Some(SystemTime::from_parts(secs, nanos))
    }
}

impl core::ops::Add<Duration> for SystemTime {
    type Output = SystemTime;
    /// Panics on overflow, as std.
    fn add(self, d: Duration) -> SystemTime {
        self.checked_add(d)
            .expect("overflow when adding duration to instant")
    }
}

impl core::ops::Sub<Duration> for SystemTime {
    type Output = SystemTime;
    /// Panics on overflow, as std.
    fn sub(self, d: Duration) -> SystemTime {
        self.checked_sub(d)
            .expect("overflow when subtracting duration from instant")
    }
}

impl fmt::Debug for SystemTime {
    /// std's shape on Unix: `SystemTime { tv_sec: .., tv_nsec: .. }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SystemTime")
            .field("tv_sec", &self.secs)
            .field("tv_nsec", &self.nanos)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_as_std() {
        let t = SystemTime::from_parts(1_700_000_000, 123_456_789);
        let s = std::time::UNIX_EPOCH + std::time::Duration::new(1_700_000_000, 123_456_789);
        assert_eq!(
            t.duration_since(UNIX_EPOCH).unwrap(),
            s.duration_since(std::time::UNIX_EPOCH).unwrap()
        );
        let earlier = t - Duration::from_millis(1500);
        assert_eq!(
            t.duration_since(earlier).unwrap(),
            Duration::from_millis(1500)
        );
        assert_eq!(
            earlier.duration_since(t).unwrap_err().duration(),
            Duration::from_millis(1500)
        );
        let neg = SystemTime::from_parts(-1, 500_000_000);
        assert_eq!(neg.unix_secs(), -1);
        assert_eq!(
            UNIX_EPOCH.duration_since(neg).unwrap(),
            Duration::from_millis(500)
        );
        assert_eq!(SystemTime::from_parts(5, -1).unix_secs(), 4);
        assert_eq!(SystemTime::from_parts(5, -1).subsec_nanos(), 999_999_999);
    }

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
