//! The program's arguments and environment, exactly as the kernel passed
//! them (Go's `os.Args`, `os.Environ`, `os.Getenv`; Rust's `std::env`),
//! and the auxiliary vector.
//!
//! Items are byte strings: Linux promises only NUL-terminated bytes, not
//! UTF-8. Use [`getenv`] when a UTF-8 `&str` is what you want.

/// The arguments, `argv[0]` first (Go's `os.Args`, Rust's
/// `std::env::args_os`). Empty when the kernel passed argc 0.
pub fn args() -> impl ExactSizeIterator<Item = &'static [u8]> + Clone {
    crate::boot::args::args_list()
}

/// The environment as `KEY=value` entries, in the kernel's order (Go's
/// `os.Environ`, Rust's `std::env::vars_os`). Entries without `=` are
/// kept as the kernel passed them.
pub fn vars() -> impl ExactSizeIterator<Item = &'static [u8]> + Clone {
    crate::boot::args::environ()
}

/// The value of `key` (first match), as bytes (Go's `os.LookupEnv`,
/// Rust's `std::env::var_os`).
pub fn var_bytes(key: &str) -> Option<&'static [u8]> {
    crate::boot::args::getenv_bytes(key)
}

/// The value of `key` when it is set and UTF-8 (Go's `os.Getenv`,
/// Rust's `std::env::var`).
pub fn getenv(key: &str) -> Option<&'static str> {
    crate::boot::args::getenv(key)
}

/// Argument `i` parsed as a `T` (`None` when missing, not UTF-8, or not a
/// valid `T`): `let n: u64 = rt0::env::arg(1).unwrap_or(1000);` (Go's
/// `strconv.Atoi(os.Args[i])`, Rust's `std::env::args().nth(i)?.parse()`).
pub fn arg<T: core::str::FromStr>(i: usize) -> Option<T> {
    args()
        .nth(i)
        .and_then(|a| core::str::from_utf8(a).ok()?.parse().ok())
}

/// The auxiliary vector as `(type, value)` pairs, in the kernel's order,
/// without the closing `AT_NULL` (golang.org/x/sys/unix's `Auxv`, libc's
/// `getauxval` for all types at once). Types are the kernel's `AT_*`
/// numbers (`<linux/auxvec.h>`); a value is a number or an address into
/// the initial stack, which lives as long as the process. Empty when the
/// runtime recorded no initial stack.
pub fn auxv() -> impl ExactSizeIterator<Item = (usize, usize)> + Clone {
    let (p, n) = match crate::boot::args::initial() {
        Some(st) => (st.auxv, st.auxc),
        None => (core::ptr::null(), 0),
    };
    (0..n).map(move |i| {
        // SAFETY: the kernel put `auxc` entries before AT_NULL at `auxv`,
        // on the initial stack, which is never freed or written.
        let [tag, val] = unsafe { *p.add(i) };
        (tag, val)
    })
}
