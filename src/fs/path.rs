//! Paths as the kernel sees them: [`Path`] (unsized, a byte slice) and
//! [`PathBuf`] (its owned form), shaped like `std::path` on Unix. Go's
//! counterpart is package `path/filepath` on plain `string`s (Go strings
//! are bytes too).
//!
//! **The type is bytes, not UTF-8.** A Linux file name is any sequence of
//! bytes other than `/` and NUL; a program that only handled UTF-8 names
//! could not open or list every file. So `Path` wraps `[u8]` (as std's
//! does on Unix through `OsStr`, which rt0 has no use for: there is no
//! other platform), converts from `str`, `String`, `[u8]`, `[u8; N]` and
//! `Vec<u8>`, and is itself `AsRef<[u8]>` (what the process API takes for
//! programs, arguments and directories). [`Path::to_str`] is `None` for
//! names that are not UTF-8; [`Path::display`] shows them with U+FFFD in
//! place of the bad bytes.
//!
//! **Parsing follows std's components on Unix**: `/` separates, repeated
//! separators and `.` components are ignored except a leading `.`, a
//! trailing separator is ignored; so `file_name("a/b/")` is `b`,
//! `parent("a/./b")` is `a`, `parent("/")` is `None`, `file_name("a/..")`
//! is `None`. Equality and ordering compare the bytes (std compares
//! components, so to std `a//b` equals `a/b`; here it does not).
//!
//! **To the kernel**: `with_cstr` appends the NUL the system call needs,
//! in a buffer on the stack for paths shorter than `MAX_STACK_PATH` and
//! on the heap otherwise; a path with a NUL inside is `InvalidInput`, as
//! in std, and reaches no system call.

use alloc::borrow::{Cow, ToOwned};
use alloc::string::String;
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::cmp::Ordering;
use core::ffi::CStr;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::Deref;

use crate::io;

/// The separator of path components.
const SEP: u8 = b'/';

/// Paths shorter than this go to the kernel from a buffer on the stack;
/// longer ones (up to the kernel's `PATH_MAX`, 4096) from the heap.
pub(crate) const MAX_STACK_PATH: usize = 512;

/// The error for a path with a NUL byte inside (std's text).
const INTERIOR_NUL: io::Error = io::Error::from_static(
    io::ErrorKind::InvalidInput,
    "file name contained an unexpected NUL byte",
);

/// Runs `f` with `path` as a NUL-terminated C string: from the stack when
/// it is short, from the heap otherwise. `InvalidInput` when `path`
/// contains a NUL byte.
pub(crate) fn with_cstr<T>(path: &Path, f: impl FnOnce(&CStr) -> io::Result<T>) -> io::Result<T> {
    let bytes = path.as_bytes();
    if bytes.contains(&0) {
        return Err(INTERIOR_NUL);
    }
    if bytes.len() < MAX_STACK_PATH {
        let mut buf = [0u8; MAX_STACK_PATH];
        buf[..bytes.len()].copy_from_slice(bytes);
        // The NUL after the bytes is the first one: they have none.
        let c = CStr::from_bytes_until_nul(&buf).map_err(|_| INTERIOR_NUL)?;
        f(c)
    } else {
        let mut v = Vec::with_capacity(bytes.len() + 1);
        v.extend_from_slice(bytes);
        v.push(0);
        let c = CStr::from_bytes_with_nul(&v).map_err(|_| INTERIOR_NUL)?;
        f(c)
    }
}

/// A path: a slice of bytes as the kernel takes them (std's `Path`).
/// Always behind a reference (`&Path`) or in a [`PathBuf`].
#[repr(transparent)]
pub struct Path {
    inner: [u8],
}

/// An owned, growable path (std's `PathBuf`).
#[derive(Clone, Default)]
pub struct PathBuf {
    inner: Vec<u8>,
}

/// Splits off the last component: `(everything before it, it)`, or None
/// when there is none (`""`, `/`). Trailing separators and `.` components
/// that are not the first component are skipped, as std's components do.
fn split_last(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut end = b.len();
    loop {
        while end > 0 && b[end - 1] == SEP {
            end -= 1;
        }
        if end == 0 {
            return None;
        }
        let start = b[..end]
            .iter()
            .rposition(|&c| c == SEP)
            .map_or(0, |i| i + 1);
        let comp = &b[start..end];
        if comp == b"." && start > 0 {
            end = start;
            continue;
        }
        return Some((trim_parent(&b[..start]), comp));
    }
}

/// The parent part left by [`split_last`], without its trailing
/// separators and `.` components; a lone root stays `/`.
fn trim_parent(b: &[u8]) -> &[u8] {
    let mut end = b.len();
    loop {
        while end > 0 && b[end - 1] == SEP {
            end -= 1;
        }
        if end == 0 {
            // Everything was separators: the root, if there was one.
            return &b[..b.len().min(1)];
        }
        let start = b[..end]
            .iter()
            .rposition(|&c| c == SEP)
            .map_or(0, |i| i + 1);
        if &b[start..end] == b"." && start > 0 {
            end = start;
            continue;
        }
        return &b[..end];
    }
}

impl Path {
    /// Borrows `s` as a path (std's `Path::new`).
    pub fn new<S: AsRef<Path> + ?Sized>(s: &S) -> &Path {
        s.as_ref()
    }

    /// Borrows bytes as a path (std's `OsStr::from_bytes` then `Path::new`).
    pub fn from_bytes(bytes: &[u8]) -> &Path {
        // SAFETY: Path is repr(transparent) over [u8], so the fat pointer
        // keeps its length and the layout is the same.
        unsafe { &*(bytes as *const [u8] as *const Path) }
    }

    /// The bytes, exactly as the kernel gets them (without a NUL).
    pub fn as_bytes(&self) -> &[u8] {
        &self.inner
    }

    /// The path as `&str`, or None when it is not UTF-8.
    pub fn to_str(&self) -> Option<&str> {
        core::str::from_utf8(&self.inner).ok()
    }

    /// The path as text, bytes that are not UTF-8 replaced with U+FFFD.
    pub fn to_string_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.inner)
    }

    /// An object that prints the path with `{}`, lossily (std's `display`).
    pub fn display(&self) -> Display<'_> {
        Display { path: self }
    }

    /// An owned copy.
    pub fn to_path_buf(&self) -> PathBuf {
        PathBuf {
            inner: self.inner.to_vec(),
        }
    }

    /// Whether the path starts at the root (`/`).
    pub fn is_absolute(&self) -> bool {
        self.inner.first() == Some(&SEP)
    }

    /// Whether the path is relative to the working directory.
    pub fn is_relative(&self) -> bool {
        !self.is_absolute()
    }

    /// Whether the path has a root (`/`); the same as `is_absolute` on Unix.
    pub fn has_root(&self) -> bool {
        self.is_absolute()
    }

    /// The path without its last component; None for `/` and `""`
    /// (std's `parent`: `parent("foo")` is `Some("")`).
    pub fn parent(&self) -> Option<&Path> {
        split_last(&self.inner).map(|(p, _)| Path::from_bytes(p))
    }

    /// The last component, unless it is `..` (or the path is `.`, `/`
    /// or empty).
    pub fn file_name(&self) -> Option<&Path> {
        match split_last(&self.inner) {
            Some((_, c)) if c != b".." && c != b"." => Some(Path::from_bytes(c)),
            _ => None,
        }
    }

    /// The file name's stem and extension: split at its last `.`, unless
    /// that `.` is its first byte (`.bashrc` has no extension).
    fn stem_and_extension(&self) -> Option<(&[u8], Option<&[u8]>)> {
        let name = self.file_name()?.as_bytes();
        match name.iter().rposition(|&c| c == b'.') {
            Some(0) | None => Some((name, None)),
            Some(i) => Some((&name[..i], Some(&name[i + 1..]))),
        }
    }

    /// The file name without its extension (std's `file_stem`).
    pub fn file_stem(&self) -> Option<&Path> {
        self.stem_and_extension().map(|(s, _)| Path::from_bytes(s))
    }

    /// What follows the file name's last `.` (std's `extension`).
    pub fn extension(&self) -> Option<&Path> {
        self.stem_and_extension()
            .and_then(|(_, e)| e)
            .map(Path::from_bytes)
    }

    /// This path with `other` appended, as [`PathBuf::push`] does (an
    /// absolute `other` replaces it).
    pub fn join<P: AsRef<Path>>(&self, other: P) -> PathBuf {
        let mut buf = self.to_path_buf();
        buf.push(other);
        buf
    }

    /// This path with its file name replaced (std's `with_file_name`).
    pub fn with_file_name<S: AsRef<Path>>(&self, name: S) -> PathBuf {
        let mut buf = self.to_path_buf();
        buf.set_file_name(name);
        buf
    }

    /// Whether `base` is a prefix of this path, component by component
    /// (std's `starts_with`: `/ab` does not start with `/a`).
    pub fn starts_with<P: AsRef<Path>>(&self, base: P) -> bool {
        let mut mine = self.components();
        for c in base.as_ref().components() {
            if mine.next() != Some(c) {
                return false;
            }
        }
        true
    }

    /// The components, front to back: the root as `/`, a leading `.`,
    /// then each name (repeated separators and inner `.` skipped).
    pub fn components(&self) -> Components<'_> {
        Components {
            rest: &self.inner,
            front: true,
        }
    }

    /// Whether the path names something (following symbolic links);
    /// any error counts as no (std's `exists`).
    pub fn exists(&self) -> bool {
        super::metadata(self).is_ok()
    }

    /// Whether the path names a directory (following symbolic links).
    pub fn is_dir(&self) -> bool {
        super::metadata(self).is_ok_and(|m| m.is_dir())
    }

    /// Whether the path names a regular file (following symbolic links).
    pub fn is_file(&self) -> bool {
        super::metadata(self).is_ok_and(|m| m.is_file())
    }

    /// Whether the path is itself a symbolic link.
    pub fn is_symlink(&self) -> bool {
        super::symlink_metadata(self).is_ok_and(|m| m.is_symlink())
    }

    /// [`super::metadata`] of this path.
    pub fn metadata(&self) -> io::Result<super::Metadata> {
        super::metadata(self)
    }

    /// [`super::symlink_metadata`] of this path.
    pub fn symlink_metadata(&self) -> io::Result<super::Metadata> {
        super::symlink_metadata(self)
    }

    /// [`super::read_dir`] of this path.
    pub fn read_dir(&self) -> io::Result<super::ReadDir> {
        super::read_dir(self)
    }

    /// [`super::read_link`] of this path.
    pub fn read_link(&self) -> io::Result<PathBuf> {
        super::read_link(self)
    }

    /// [`super::canonicalize`] of this path.
    pub fn canonicalize(&self) -> io::Result<PathBuf> {
        super::canonicalize(self)
    }
}

/// The components of a [`Path`] (std's `Components`, each one as a
/// `&Path`: `/` for the root, `.` for a leading `.`, else a name).
#[derive(Clone, Debug)]
pub struct Components<'a> {
    rest: &'a [u8],
    front: bool,
}

impl<'a> Iterator for Components<'a> {
    type Item = &'a Path;

    fn next(&mut self) -> Option<&'a Path> {
        if core::mem::take(&mut self.front) {
            if self.rest.first() == Some(&SEP) {
                let root = &self.rest[..1];
                self.rest = &self.rest[1..];
                return Some(Path::from_bytes(root));
            }
            if self.rest == b"." || self.rest.starts_with(b"./") {
                let dot = &self.rest[..1];
                self.rest = &self.rest[1..];
                return Some(Path::from_bytes(dot));
            }
        }
        loop {
            while self.rest.first() == Some(&SEP) {
                self.rest = &self.rest[1..];
            }
            if self.rest.is_empty() {
                return None;
            }
            let end = self
                .rest
                .iter()
                .position(|&c| c == SEP)
                .unwrap_or(self.rest.len());
            let (comp, rest) = self.rest.split_at(end);
            self.rest = rest;
            if comp != b"." {
                return Some(Path::from_bytes(comp));
            }
        }
    }
}

impl PartialEq for Path {
    fn eq(&self, other: &Path) -> bool {
        self.inner == other.inner
    }
}

impl Eq for Path {}

impl PartialOrd for Path {
    fn partial_cmp(&self, other: &Path) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Path {
    fn cmp(&self, other: &Path) -> Ordering {
        self.inner.cmp(&other.inner)
    }
}

impl Hash for Path {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.inner.hash(h)
    }
}

/// Writes `bytes` as text: UTF-8 as it is (escaped for `Debug`), anything
/// else as U+FFFD (`Display`) or `\xNN` (`Debug`).
fn write_lossy(f: &mut fmt::Formatter<'_>, bytes: &[u8], debug: bool) -> fmt::Result {
    for chunk in bytes.utf8_chunks() {
        if debug {
            for c in chunk.valid().chars() {
                fmt::Display::fmt(&c.escape_debug(), f)?;
            }
            for b in chunk.invalid() {
                write!(f, "\\x{b:02X}")?;
            }
        } else {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_str("\u{FFFD}")?;
            }
        }
    }
    Ok(())
}

impl fmt::Debug for Path {
    /// Quoted, as std: `"a/b"`, with bytes that are not UTF-8 as `\xNN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        write_lossy(f, &self.inner, true)?;
        f.write_str("\"")
    }
}

/// A path printable with `{}` (std's `path::Display`): UTF-8 as it is,
/// each run of bytes that are not UTF-8 as U+FFFD.
pub struct Display<'a> {
    path: &'a Path,
}

impl fmt::Display for Display<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_lossy(f, &self.path.inner, false)
    }
}

impl fmt::Debug for Display<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.path, f)
    }
}

impl PathBuf {
    /// An empty path.
    pub const fn new() -> PathBuf {
        PathBuf { inner: Vec::new() }
    }

    /// Borrows it as a `&Path`.
    pub fn as_path(&self) -> &Path {
        Path::from_bytes(&self.inner)
    }

    /// Appends `path` after a separator; an absolute `path` replaces
    /// what was there (std's `push`).
    pub fn push<P: AsRef<Path>>(&mut self, path: P) {
        let p = path.as_ref().as_bytes();
        if p.first() == Some(&SEP) {
            self.inner.clear();
        } else if !self.inner.is_empty() && self.inner.last() != Some(&SEP) {
            self.inner.push(SEP);
        }
        self.inner.extend_from_slice(p);
    }

    /// Cuts the last component (and what separates it); false when there
    /// is none (std's `pop`).
    pub fn pop(&mut self) -> bool {
        match self.as_path().parent().map(|p| p.inner.len()) {
            Some(len) => {
                self.inner.truncate(len);
                true
            }
            None => false,
        }
    }

    /// Replaces the file name (or adds one when there is none).
    pub fn set_file_name<S: AsRef<Path>>(&mut self, name: S) {
        if self.as_path().file_name().is_some() {
            self.pop();
        }
        self.push(name);
    }

    /// The bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.inner
    }

    /// The path as a `String`, or itself back when it is not UTF-8
    /// (std's `into_os_string().into_string()`).
    pub fn into_string(self) -> Result<String, PathBuf> {
        String::from_utf8(self.inner).map_err(|e| PathBuf {
            inner: e.into_bytes(),
        })
    }
}

impl Deref for PathBuf {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.as_path()
    }
}

impl Borrow<Path> for PathBuf {
    fn borrow(&self) -> &Path {
        self.as_path()
    }
}

impl ToOwned for Path {
    type Owned = PathBuf;
    fn to_owned(&self) -> PathBuf {
        self.to_path_buf()
    }
}

impl PartialEq for PathBuf {
    fn eq(&self, other: &PathBuf) -> bool {
        self.inner == other.inner
    }
}

impl Eq for PathBuf {}

impl PartialOrd for PathBuf {
    fn partial_cmp(&self, other: &PathBuf) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PathBuf {
    fn cmp(&self, other: &PathBuf) -> Ordering {
        self.inner.cmp(&other.inner)
    }
}

impl Hash for PathBuf {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.as_path().hash(h)
    }
}

impl PartialEq<Path> for PathBuf {
    fn eq(&self, other: &Path) -> bool {
        self.as_path() == other
    }
}

impl PartialEq<PathBuf> for Path {
    fn eq(&self, other: &PathBuf) -> bool {
        self == other.as_path()
    }
}

impl PartialEq<&Path> for PathBuf {
    fn eq(&self, other: &&Path) -> bool {
        self.as_path() == *other
    }
}

impl fmt::Debug for PathBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_path(), f)
    }
}

/// `AsRef<Path>` for the types a path is written as.
macro_rules! as_ref_path {
    ($($t:ty),*) => {$(
        impl AsRef<Path> for $t {
            fn as_ref(&self) -> &Path {
                Path::from_bytes(AsRef::<[u8]>::as_ref(self))
            }
        }
    )*};
}

as_ref_path!(str, String, [u8], Vec<u8>);

impl AsRef<Path> for Cow<'_, str> {
    fn as_ref(&self) -> &Path {
        Path::from_bytes(self.as_bytes())
    }
}

impl<const N: usize> AsRef<Path> for [u8; N] {
    fn as_ref(&self) -> &Path {
        Path::from_bytes(self)
    }
}

impl AsRef<Path> for Path {
    fn as_ref(&self) -> &Path {
        self
    }
}

impl AsRef<Path> for PathBuf {
    fn as_ref(&self) -> &Path {
        self.as_path()
    }
}

impl AsRef<[u8]> for Path {
    fn as_ref(&self) -> &[u8] {
        &self.inner
    }
}

impl AsRef<[u8]> for PathBuf {
    fn as_ref(&self) -> &[u8] {
        &self.inner
    }
}

impl From<&str> for PathBuf {
    fn from(s: &str) -> PathBuf {
        PathBuf {
            inner: s.as_bytes().to_vec(),
        }
    }
}

impl From<String> for PathBuf {
    fn from(s: String) -> PathBuf {
        PathBuf {
            inner: s.into_bytes(),
        }
    }
}

impl From<Vec<u8>> for PathBuf {
    fn from(v: Vec<u8>) -> PathBuf {
        PathBuf { inner: v }
    }
}

impl From<&Path> for PathBuf {
    fn from(p: &Path) -> PathBuf {
        p.to_path_buf()
    }
}

impl<'a> From<&'a Path> for Cow<'a, Path> {
    fn from(p: &'a Path) -> Cow<'a, Path> {
        Cow::Borrowed(p)
    }
}

impl<P: AsRef<Path>> FromIterator<P> for PathBuf {
    fn from_iter<I: IntoIterator<Item = P>>(iter: I) -> PathBuf {
        let mut buf = PathBuf::new();
        for p in iter {
            buf.push(p);
        }
        buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;

    /// The same questions to std's Path and to ours.
    #[test]
    fn parsing_matches_std() {
        let cases = [
            "",
            "/",
            "//",
            "a",
            "a/",
            "a/b",
            "a/b/",
            "/a",
            "/a/b",
            "a//b",
            "a/./b",
            "a/.",
            "./a",
            ".",
            "./",
            "..",
            "a/..",
            "/..",
            "../a",
            ".bashrc",
            "a.b.c",
            "a/b.",
            "a.",
            "/a/b.tar.gz",
            "a/./",
            "./.",
            "///a//b//",
        ];
        for c in cases {
            let s = std::path::Path::new(c);
            let o = Path::new(c);
            let st = |p: Option<&std::path::Path>| p.map(|p| p.to_str().unwrap().to_string());
            let ot = |p: Option<&Path>| p.map(|p| p.to_str().unwrap().to_string());
            assert_eq!(ot(o.parent()), st(s.parent()), "parent of {c:?}");
            let so = |p: Option<&std::ffi::OsStr>| p.map(|p| p.to_str().unwrap().to_string());
            assert_eq!(ot(o.file_name()), so(s.file_name()), "file_name of {c:?}");
            assert_eq!(ot(o.extension()), so(s.extension()), "extension of {c:?}");
            assert_eq!(ot(o.file_stem()), so(s.file_stem()), "file_stem of {c:?}");
            let sc: Vec<String> = s
                .components()
                .map(|x| x.as_os_str().to_str().unwrap().to_string())
                .collect();
            let oc: Vec<String> = o
                .components()
                .map(|x| x.to_str().unwrap().to_string())
                .collect();
            assert_eq!(oc, sc, "components of {c:?}");
            for j in ["x", "/y", "x/y", ""] {
                assert_eq!(
                    o.join(j).to_str().unwrap(),
                    s.join(j).to_str().unwrap(),
                    "{c:?}.join({j:?})"
                );
            }
            let mut sb = s.to_path_buf();
            let mut ob = o.to_path_buf();
            assert_eq!(ob.pop(), sb.pop(), "pop of {c:?}");
            assert_eq!(ob.to_str().unwrap(), sb.to_str().unwrap(), "pop of {c:?}");
            assert_eq!(o.is_absolute(), s.is_absolute());
            for b in ["", "/", "a", "/a", "a/b"] {
                assert_eq!(
                    o.starts_with(b),
                    s.starts_with(b),
                    "{c:?} starts_with {b:?}"
                );
            }
        }
    }

    #[test]
    fn non_utf8_names() {
        let p = Path::new(b"dir/caf\xe9.txt");
        assert_eq!(p.to_str(), None);
        assert_eq!(p.file_name().unwrap().as_bytes(), b"caf\xe9.txt");
        assert_eq!(p.extension().unwrap().as_bytes(), b"txt");
        assert_eq!(format!("{}", p.display()), "dir/caf\u{FFFD}.txt");
        assert_eq!(format!("{p:?}"), "\"dir/caf\\xE9.txt\"");
        let s = std::path::Path::new("a\"b\n");
        assert_eq!(format!("{:?}", Path::new("a\"b\n")), format!("{s:?}"));
    }

    #[test]
    fn cstr_on_stack_and_heap() {
        let short = Path::new("abc");
        with_cstr(short, |c| {
            assert_eq!(c.to_bytes(), b"abc");
            Ok(())
        })
        .unwrap();
        let long: Vec<u8> = core::iter::repeat_n(b'x', MAX_STACK_PATH * 3).collect();
        with_cstr(Path::new(&long), |c| {
            assert_eq!(c.to_bytes(), &long[..]);
            Ok(())
        })
        .unwrap();
        let edge: Vec<u8> = core::iter::repeat_n(b'y', MAX_STACK_PATH - 1).collect();
        with_cstr(Path::new(&edge), |c| {
            assert_eq!(c.to_bytes().len(), MAX_STACK_PATH - 1);
            Ok(())
        })
        .unwrap();
        let e = with_cstr(Path::new("a\0b"), |_| Ok(())).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(e.to_string(), "file name contained an unexpected NUL byte");
    }
}
