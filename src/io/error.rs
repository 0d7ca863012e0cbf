//! `io::Error`, `io::ErrorKind` and `io::Result`, as std's (Go's
//! counterpart: the `error` values of package `os` and `syscall.Errno`).
//!
//! An error is one of: an OS error (the errno, kept whole, so
//! `raw_os_error` gives it back; its kind is decoded as std decodes it on
//! Linux and its text is the C library's `strerror` text, which std shows
//! too); a bare kind; a kind with a static message (no allocation: what
//! the runtime itself returns); or a kind with any boxed error (`new`,
//! `other`). `Display` and `Debug` print what std prints for each.

use alloc::boxed::Box;
use core::fmt;

use crate::sys::Errno;

/// The category of an I/O error: std's `io::ErrorKind`, with the same
/// variants in the same order, and the same kind for each errno.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorKind {
    NotFound,
    PermissionDenied,
    ConnectionRefused,
    ConnectionReset,
    HostUnreachable,
    NetworkUnreachable,
    ConnectionAborted,
    NotConnected,
    AddrInUse,
    AddrNotAvailable,
    NetworkDown,
    BrokenPipe,
    AlreadyExists,
    WouldBlock,
    NotADirectory,
    IsADirectory,
    DirectoryNotEmpty,
    ReadOnlyFilesystem,
    FilesystemLoop,
    StaleNetworkFileHandle,
    InvalidInput,
    InvalidData,
    TimedOut,
    WriteZero,
    StorageFull,
    NotSeekable,
    QuotaExceeded,
    FileTooLarge,
    ResourceBusy,
    ExecutableFileBusy,
    Deadlock,
    CrossesDevices,
    TooManyLinks,
    InvalidFilename,
    ArgumentListTooLong,
    Interrupted,
    Unsupported,
    UnexpectedEof,
    OutOfMemory,
    InProgress,
    Other,
    /// An errno std has no kind for (std's hidden `Uncategorized`, which
    /// `EMFILE`, `ENFILE`, `EBADF` and others decode to).
    #[doc(hidden)]
    Uncategorized,
}

impl ErrorKind {
    /// std's description of the kind (what a bare kind displays).
    pub(crate) fn as_str(self) -> &'static str {
        use ErrorKind::*;
        match self {
            NotFound => "entity not found",
            PermissionDenied => "permission denied",
            ConnectionRefused => "connection refused",
            ConnectionReset => "connection reset",
            HostUnreachable => "host unreachable",
            NetworkUnreachable => "network unreachable",
            ConnectionAborted => "connection aborted",
            NotConnected => "not connected",
            AddrInUse => "address in use",
            AddrNotAvailable => "address not available",
            NetworkDown => "network down",
            BrokenPipe => "broken pipe",
            AlreadyExists => "entity already exists",
            WouldBlock => "operation would block",
            NotADirectory => "not a directory",
            IsADirectory => "is a directory",
            DirectoryNotEmpty => "directory not empty",
            ReadOnlyFilesystem => "read-only filesystem or storage medium",
            FilesystemLoop => "filesystem loop or indirection limit (e.g. symlink loop)",
            StaleNetworkFileHandle => "stale network file handle",
            InvalidInput => "invalid input parameter",
            InvalidData => "invalid data",
            TimedOut => "timed out",
            WriteZero => "write zero",
            StorageFull => "no storage space",
            NotSeekable => "seek on unseekable file",
            QuotaExceeded => "quota exceeded",
            FileTooLarge => "file too large",
            ResourceBusy => "resource busy",
            ExecutableFileBusy => "executable file busy",
            Deadlock => "deadlock",
            CrossesDevices => "cross-device link or rename",
            TooManyLinks => "too many links",
            InvalidFilename => "invalid filename",
            ArgumentListTooLong => "argument list too long",
            Interrupted => "operation interrupted",
            Unsupported => "unsupported",
            UnexpectedEof => "unexpected end of file",
            OutOfMemory => "out of memory",
            InProgress => "in progress",
            Other => "other error",
            Uncategorized => "uncategorized error",
        }
    }

    /// The kind of a Linux errno, as std's `decode_error_kind`.
    pub(crate) fn from_errno(errno: i32) -> ErrorKind {
        use ErrorKind::*;
        match errno {
            1 | 13 => PermissionDenied,    // EPERM, EACCES
            2 => NotFound,                 // ENOENT
            4 => Interrupted,              // EINTR
            7 => ArgumentListTooLong,      // E2BIG
            11 => WouldBlock,              // EAGAIN
            12 => OutOfMemory,             // ENOMEM
            16 => ResourceBusy,            // EBUSY
            17 => AlreadyExists,           // EEXIST
            18 => CrossesDevices,          // EXDEV
            20 => NotADirectory,           // ENOTDIR
            21 => IsADirectory,            // EISDIR
            22 => InvalidInput,            // EINVAL
            26 => ExecutableFileBusy,      // ETXTBSY
            27 => FileTooLarge,            // EFBIG
            28 => StorageFull,             // ENOSPC
            29 => NotSeekable,             // ESPIPE
            30 => ReadOnlyFilesystem,      // EROFS
            31 => TooManyLinks,            // EMLINK
            32 => BrokenPipe,              // EPIPE
            35 => Deadlock,                // EDEADLK
            36 => InvalidFilename,         // ENAMETOOLONG
            38 | 95 => Unsupported,        // ENOSYS, EOPNOTSUPP
            39 => DirectoryNotEmpty,       // ENOTEMPTY
            40 => FilesystemLoop,          // ELOOP
            98 => AddrInUse,               // EADDRINUSE
            99 => AddrNotAvailable,        // EADDRNOTAVAIL
            100 => NetworkDown,            // ENETDOWN
            101 => NetworkUnreachable,     // ENETUNREACH
            103 => ConnectionAborted,      // ECONNABORTED
            104 => ConnectionReset,        // ECONNRESET
            107 => NotConnected,           // ENOTCONN
            110 => TimedOut,               // ETIMEDOUT
            111 => ConnectionRefused,      // ECONNREFUSED
            113 => HostUnreachable,        // EHOSTUNREACH
            115 => InProgress,             // EINPROGRESS
            116 => StaleNetworkFileHandle, // ESTALE
            122 => QuotaExceeded,          // EDQUOT
            _ => Uncategorized,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The C library's text for a Linux errno (glibc's `strerror`, which
/// std's `Display` of an OS error shows); None for an errno this table
/// does not name.
fn strerror(errno: i32) -> Option<&'static str> {
    Some(match errno {
        0 => "Success",
        1 => "Operation not permitted",
        2 => "No such file or directory",
        3 => "No such process",
        4 => "Interrupted system call",
        5 => "Input/output error",
        6 => "No such device or address",
        7 => "Argument list too long",
        8 => "Exec format error",
        9 => "Bad file descriptor",
        10 => "No child processes",
        11 => "Resource temporarily unavailable",
        12 => "Cannot allocate memory",
        13 => "Permission denied",
        14 => "Bad address",
        15 => "Block device required",
        16 => "Device or resource busy",
        17 => "File exists",
        18 => "Invalid cross-device link",
        19 => "No such device",
        20 => "Not a directory",
        21 => "Is a directory",
        22 => "Invalid argument",
        23 => "Too many open files in system",
        24 => "Too many open files",
        25 => "Inappropriate ioctl for device",
        26 => "Text file busy",
        27 => "File too large",
        28 => "No space left on device",
        29 => "Illegal seek",
        30 => "Read-only file system",
        31 => "Too many links",
        32 => "Broken pipe",
        33 => "Numerical argument out of domain",
        34 => "Numerical result out of range",
        35 => "Resource deadlock avoided",
        36 => "File name too long",
        37 => "No locks available",
        38 => "Function not implemented",
        39 => "Directory not empty",
        40 => "Too many levels of symbolic links",
        42 => "No message of desired type",
        43 => "Identifier removed",
        44 => "Channel number out of range",
        45 => "Level 2 not synchronized",
        46 => "Level 3 halted",
        47 => "Level 3 reset",
        48 => "Link number out of range",
        49 => "Protocol driver not attached",
        50 => "No CSI structure available",
        51 => "Level 2 halted",
        52 => "Invalid exchange",
        53 => "Invalid request descriptor",
        54 => "Exchange full",
        55 => "No anode",
        56 => "Invalid request code",
        57 => "Invalid slot",
        59 => "Bad font file format",
        60 => "Device not a stream",
        61 => "No data available",
        62 => "Timer expired",
        63 => "Out of streams resources",
        64 => "Machine is not on the network",
        65 => "Package not installed",
        66 => "Object is remote",
        67 => "Link has been severed",
        68 => "Advertise error",
        69 => "Srmount error",
        70 => "Communication error on send",
        71 => "Protocol error",
        72 => "Multihop attempted",
        73 => "RFS specific error",
        74 => "Bad message",
        75 => "Value too large for defined data type",
        76 => "Name not unique on network",
        77 => "File descriptor in bad state",
        78 => "Remote address changed",
        79 => "Can not access a needed shared library",
        80 => "Accessing a corrupted shared library",
        81 => ".lib section in a.out corrupted",
        82 => "Attempting to link in too many shared libraries",
        83 => "Cannot exec a shared library directly",
        84 => "Invalid or incomplete multibyte or wide character",
        85 => "Interrupted system call should be restarted",
        86 => "Streams pipe error",
        87 => "Too many users",
        88 => "Socket operation on non-socket",
        89 => "Destination address required",
        90 => "Message too long",
        91 => "Protocol wrong type for socket",
        92 => "Protocol not available",
        93 => "Protocol not supported",
        94 => "Socket type not supported",
        95 => "Operation not supported",
        96 => "Protocol family not supported",
        97 => "Address family not supported by protocol",
        98 => "Address already in use",
        99 => "Cannot assign requested address",
        100 => "Network is down",
        101 => "Network is unreachable",
        102 => "Network dropped connection on reset",
        103 => "Software caused connection abort",
        104 => "Connection reset by peer",
        105 => "No buffer space available",
        106 => "Transport endpoint is already connected",
        107 => "Transport endpoint is not connected",
        108 => "Cannot send after transport endpoint shutdown",
        109 => "Too many references: cannot splice",
        110 => "Connection timed out",
        111 => "Connection refused",
        112 => "Host is down",
        113 => "No route to host",
        114 => "Operation already in progress",
        115 => "Operation now in progress",
        116 => "Stale file handle",
        117 => "Structure needs cleaning",
        118 => "Not a XENIX named type file",
        119 => "No XENIX semaphores available",
        120 => "Is a named type file",
        121 => "Remote I/O error",
        122 => "Disk quota exceeded",
        123 => "No medium found",
        124 => "Wrong medium type",
        125 => "Operation canceled",
        126 => "Required key not available",
        127 => "Key has expired",
        128 => "Key has been revoked",
        129 => "Key was rejected by service",
        130 => "Owner died",
        131 => "State not recoverable",
        132 => "Operation not possible due to RF-kill",
        133 => "Memory page has hardware error",
        _ => return None,
    })
}

/// std's `io::Result`.
pub type Result<T> = core::result::Result<T, Error>;

/// The error type of every I/O operation: std's `io::Error`.
pub struct Error {
    repr: Repr,
}

enum Repr {
    Os(i32),
    Simple(ErrorKind),
    SimpleMessage(ErrorKind, &'static str),
    Custom(Box<Custom>),
}

struct Custom {
    kind: ErrorKind,
    error: Box<dyn core::error::Error + Send + Sync>,
}

impl Error {
    /// An error of `kind` carrying `error` (std's `Error::new`): anything
    /// that converts into a boxed error, a `&str` or a `String` included.
    pub fn new<E>(kind: ErrorKind, error: E) -> Error
    where
        E: Into<Box<dyn core::error::Error + Send + Sync>>,
    {
        Error {
            repr: Repr::Custom(Box::new(Custom {
                kind,
                error: error.into(),
            })),
        }
    }

    /// An error of kind `Other` carrying `error` (std's `Error::other`).
    pub fn other<E>(error: E) -> Error
    where
        E: Into<Box<dyn core::error::Error + Send + Sync>>,
    {
        Error::new(ErrorKind::Other, error)
    }

    /// A kind with a static message, without allocating (what std builds
    /// with its internal `const_error!`): the runtime's own errors.
    pub(crate) const fn from_static(kind: ErrorKind, msg: &'static str) -> Error {
        Error {
            repr: Repr::SimpleMessage(kind, msg),
        }
    }

    /// The error for a Linux errno (std's `Error::from_raw_os_error`).
    pub const fn from_raw_os_error(code: i32) -> Error {
        Error {
            repr: Repr::Os(code),
        }
    }

    /// The errno, for an OS error (std's `raw_os_error`).
    pub fn raw_os_error(&self) -> Option<i32> {
        match self.repr {
            Repr::Os(code) => Some(code),
            _ => None,
        }
    }

    /// The category (std's `kind`).
    pub fn kind(&self) -> ErrorKind {
        match &self.repr {
            Repr::Os(code) => ErrorKind::from_errno(*code),
            Repr::Simple(kind) | Repr::SimpleMessage(kind, _) => *kind,
            Repr::Custom(c) => c.kind,
        }
    }

    /// The inner error of an error made by `new` (std's `get_ref`).
    pub fn get_ref(&self) -> Option<&(dyn core::error::Error + Send + Sync + 'static)> {
        match &self.repr {
            Repr::Custom(c) => Some(&*c.error),
            _ => None,
        }
    }

    /// The inner error of an error made by `new` (std's `into_inner`).
    pub fn into_inner(self) -> Option<Box<dyn core::error::Error + Send + Sync>> {
        match self.repr {
            Repr::Custom(c) => Some(c.error),
            _ => None,
        }
    }
}

impl From<ErrorKind> for Error {
    /// A bare kind (std's `From<ErrorKind>`): displays the kind's text.
    fn from(kind: ErrorKind) -> Error {
        Error {
            repr: Repr::Simple(kind),
        }
    }
}

impl From<Errno> for Error {
    fn from(e: Errno) -> Error {
        Error::from_raw_os_error(e.0)
    }
}

impl From<alloc::ffi::NulError> for Error {
    /// std's: a path or argument with an interior NUL byte.
    fn from(_: alloc::ffi::NulError) -> Error {
        Error::from_static(ErrorKind::InvalidInput, "data provided contains a nul byte")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Os(code) => match strerror(*code) {
                Some(text) => write!(f, "{text} (os error {code})"),
                None => write!(f, "Unknown error {code} (os error {code})"),
            },
            Repr::Simple(kind) => f.write_str(kind.as_str()),
            Repr::SimpleMessage(_, msg) => f.write_str(msg),
            Repr::Custom(c) => fmt::Display::fmt(&c.error, f),
        }
    }
}

impl fmt::Debug for Error {
    /// std's shapes: `Os { code, kind, message }`, `Kind(..)`,
    /// `Error { kind, message }`, `Custom { kind, error }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Os(code) => {
                let unknown;
                let message = match strerror(*code) {
                    Some(text) => text,
                    None => {
                        unknown = alloc::format!("Unknown error {code}");
                        unknown.as_str()
                    }
                };
                f.debug_struct("Os")
                    .field("code", code)
                    .field("kind", &ErrorKind::from_errno(*code))
                    .field("message", &message)
                    .finish()
            }
            Repr::Simple(kind) => f.debug_tuple("Kind").field(kind).finish(),
            Repr::SimpleMessage(kind, msg) => f
                .debug_struct("Error")
                .field("kind", kind)
                .field("message", msg)
                .finish(),
            Repr::Custom(c) => f
                .debug_struct("Custom")
                .field("kind", &c.kind)
                .field("error", &c.error)
                .finish(),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match &self.repr {
            Repr::Custom(c) => c.error.source(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;

    /// Every errno up to 133: the same kind as std's (compared by name),
    /// and, where the table names it, the same text.
    #[test]
    fn os_errors_match_std() {
        // Every errno the kernel has, 0 and a few past the end: glibc's
        // text, or its "Unknown error N" for the numbers Linux skips.
        for code in 0..=140 {
            let ours = Error::from_raw_os_error(code);
            let std_err = std::io::Error::from_raw_os_error(code);
            assert_eq!(
                format!("{:?}", ours.kind()),
                format!("{:?}", std_err.kind()),
                "kind of errno {code}"
            );
            assert_eq!(ours.raw_os_error(), Some(code));
            assert_eq!(ours.to_string(), std_err.to_string(), "errno {code}");
            assert_eq!(format!("{ours:?}"), format!("{std_err:?}"), "errno {code}");
        }
    }

    #[test]
    fn kinds_display_as_std() {
        use ErrorKind::*;
        let pairs = [
            (NotFound, std::io::ErrorKind::NotFound),
            (PermissionDenied, std::io::ErrorKind::PermissionDenied),
            (ConnectionRefused, std::io::ErrorKind::ConnectionRefused),
            (ConnectionReset, std::io::ErrorKind::ConnectionReset),
            (HostUnreachable, std::io::ErrorKind::HostUnreachable),
            (NetworkUnreachable, std::io::ErrorKind::NetworkUnreachable),
            (ConnectionAborted, std::io::ErrorKind::ConnectionAborted),
            (NotConnected, std::io::ErrorKind::NotConnected),
            (AddrInUse, std::io::ErrorKind::AddrInUse),
            (AddrNotAvailable, std::io::ErrorKind::AddrNotAvailable),
            (NetworkDown, std::io::ErrorKind::NetworkDown),
            (BrokenPipe, std::io::ErrorKind::BrokenPipe),
            (AlreadyExists, std::io::ErrorKind::AlreadyExists),
            (WouldBlock, std::io::ErrorKind::WouldBlock),
            (NotADirectory, std::io::ErrorKind::NotADirectory),
            (IsADirectory, std::io::ErrorKind::IsADirectory),
            (DirectoryNotEmpty, std::io::ErrorKind::DirectoryNotEmpty),
            (ReadOnlyFilesystem, std::io::ErrorKind::ReadOnlyFilesystem),
            (
                StaleNetworkFileHandle,
                std::io::ErrorKind::StaleNetworkFileHandle,
            ),
            (InvalidInput, std::io::ErrorKind::InvalidInput),
            (InvalidData, std::io::ErrorKind::InvalidData),
            (TimedOut, std::io::ErrorKind::TimedOut),
            (WriteZero, std::io::ErrorKind::WriteZero),
            (StorageFull, std::io::ErrorKind::StorageFull),
            (NotSeekable, std::io::ErrorKind::NotSeekable),
            (QuotaExceeded, std::io::ErrorKind::QuotaExceeded),
            (FileTooLarge, std::io::ErrorKind::FileTooLarge),
            (ResourceBusy, std::io::ErrorKind::ResourceBusy),
            (ExecutableFileBusy, std::io::ErrorKind::ExecutableFileBusy),
            (Deadlock, std::io::ErrorKind::Deadlock),
            (CrossesDevices, std::io::ErrorKind::CrossesDevices),
            (TooManyLinks, std::io::ErrorKind::TooManyLinks),
            (InvalidFilename, std::io::ErrorKind::InvalidFilename),
            (ArgumentListTooLong, std::io::ErrorKind::ArgumentListTooLong),
            (Interrupted, std::io::ErrorKind::Interrupted),
            (Unsupported, std::io::ErrorKind::Unsupported),
            (UnexpectedEof, std::io::ErrorKind::UnexpectedEof),
            (OutOfMemory, std::io::ErrorKind::OutOfMemory),
            (Other, std::io::ErrorKind::Other),
        ];
        for (ours, theirs) in pairs {
            assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
            assert_eq!(ours.to_string(), theirs.to_string(), "{ours:?}");
            let (e1, e2) = (Error::from(ours), std::io::Error::from(theirs));
            assert_eq!(e1.to_string(), e2.to_string());
            assert_eq!(format!("{e1:?}"), format!("{e2:?}"));
        }
    }

    #[test]
    fn custom_errors_as_std() {
        let ours = Error::new(ErrorKind::TimedOut, "i/o timeout");
        let theirs = std::io::Error::new(std::io::ErrorKind::TimedOut, "i/o timeout");
        assert_eq!(ours.to_string(), theirs.to_string());
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
        assert_eq!(ours.kind(), ErrorKind::TimedOut);
        assert!(ours.raw_os_error().is_none());
        assert_eq!(ours.get_ref().unwrap().to_string(), "i/o timeout");
        let o = Error::other("boom");
        assert_eq!(o.kind(), ErrorKind::Other);
        assert_eq!(o.into_inner().unwrap().to_string(), "boom");
        let s = Error::from_static(ErrorKind::NotConnected, "use of closed network connection");
        assert_eq!(s.to_string(), "use of closed network connection");
        assert_eq!(
            format!("{s:?}"),
            "Error { kind: NotConnected, message: \"use of closed network connection\" }"
        );
        assert!(core::mem::size_of::<Error>() <= 24);
    }
}
