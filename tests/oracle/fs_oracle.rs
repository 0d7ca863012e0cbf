//! The std twin of `fs_ops basic` (tests/programs/fs_ops.rs): the same
//! code (tests/programs/fs_basic.rs) with std's `fs`, `io` and `path` in
//! scope of rt0's, so tests/fs.rs can compare rt0's answers, errors and
//! texts with std's line by line. Built by `common::oracle` with rustc.
//!
//! Usage: `fs_oracle DIR`.

use std::fmt::Debug;
use std::fs::{File, OpenOptions, Permissions};
use std::io::{Error as IoError, Read, Result as IoResult, Seek, SeekFrom, Write};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, FileExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// std's `fs` with `symlink` where rt0 has it.
mod fs {
    pub use std::fs::*;
    pub use std::os::unix::fs::symlink;
}

/// Bytes as a path.
fn bpath(b: &[u8]) -> &Path {
    Path::new(std::ffi::OsStr::from_bytes(b))
}

include!("../programs/fs_basic.rs");

fn main() {
    let dir = std::env::args_os().nth(1).expect("usage: fs_oracle DIR");
    basic(Path::new(&dir));
}
