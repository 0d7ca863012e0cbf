//! The program's arguments and environment, exactly as the kernel passed
//! them (Go's `os.Args`, `os.Environ`, `os.Getenv`).
//!
//! Items are byte strings: Linux promises only NUL-terminated bytes, not
//! UTF-8. Use [`getenv`] when a UTF-8 `&str` is what you want.

/// The arguments, `argv[0]` first. Empty when the kernel passed argc 0.
pub fn args() -> impl ExactSizeIterator<Item = &'static [u8]> + Clone {
    crate::boot::args::args_list()
}

/// The environment as `KEY=value` entries, in the kernel's order.
pub fn vars() -> impl ExactSizeIterator<Item = &'static [u8]> + Clone {
    crate::boot::args::environ()
}

/// The value of `key` (first match), as bytes.
pub fn var_bytes(key: &str) -> Option<&'static [u8]> {
    crate::boot::args::getenv_bytes(key)
}

/// The value of `key` when it is set and UTF-8.
pub fn getenv(key: &str) -> Option<&'static str> {
    crate::boot::args::getenv(key)
}

/// Argument `i` parsed as a `T` (`None` when missing, not UTF-8, or not a
/// valid `T`): `let n: u64 = rt0::env::arg(1).unwrap_or(1000);`
pub fn arg<T: core::str::FromStr>(i: usize) -> Option<T> {
    args()
        .nth(i)
        .and_then(|a| core::str::from_utf8(a).ok()?.parse().ok())
}
