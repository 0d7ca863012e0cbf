//! `RT0_STACK` and `RT0_MAIN_STACK`: the stack sizes, read once at
//! start-up as `schedinit` reads GOMAXPROCS (Go has no such knob: its
//! stacks grow; the nearest relatives are `ulimit -s` for a C program's
//! main thread and `RUST_MIN_STACK` for std's spawned threads).
//!
//! - `RT0_STACK=SIZE`: the stack of every goroutine started without a
//!   size (`go`; `go_with_stack` gives its own), default 256 KiB;
//! - `RT0_MAIN_STACK=SIZE`: the main goroutine's, default 8 MiB.
//!
//! SIZE is a decimal number of bytes with an optional suffix `k`, `m` or
//! `g` (either case: KiB, MiB, GiB): `262144`, `256k`, `1m`. A value that
//! does not parse (`+1m`, `1.5m`, ` 1m`, `1mb`, overflow) leaves the
//! default, as Go ignores a bad GODEBUG value; one that parses is rounded
//! up to pages and kept within [`MIN_STACK_KNOB`] and
//! `mem::stack::MAX_STACK_BYTES` (about 1 GB, Go's `maxstacksize`), as
//! GOMAXPROCS is capped. Both must be set before the first stack exists:
//! `schedinit` does it before anything that allocates one.

use crate::mem::stack::{DEFAULT_STACK_SIZE, MAIN_STACK_SIZE, MAX_STACK_BYTES, set_sizes};

/// The smallest stack the variables give: 64 KiB, rt0's default before
/// issue 13, which the runtime's own paths on a goroutine's stack
/// (channel operations, printing, malloc's fast path) are known to fit.
pub const MIN_STACK_KNOB: usize = 64 * 1024;

/// Parses SIZE (module note): bytes, or `k`/`m`/`g` units of 1024, 1024^2,
/// 1024^3. `None` for anything else.
pub fn parse_size(v: &[u8]) -> Option<usize> {
    let (digits, shift) = match v.split_last()? {
        (b'k' | b'K', rest) => (rest, 10),
        (b'm' | b'M', rest) => (rest, 20),
        (b'g' | b'G', rest) => (rest, 30),
        _ => (v, 0),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: usize = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(usize::from(c - b'0'))?;
    }
    n.checked_mul(1 << shift)
}

/// The size a variable's value gives: `default` when unset or bad, else
/// its value within [`MIN_STACK_KNOB`] and `MAX_STACK_BYTES`.
pub fn knob_size(v: Option<&[u8]>, default: usize) -> usize {
    match v.and_then(parse_size) {
        Some(n) => n.clamp(MIN_STACK_KNOB, MAX_STACK_BYTES),
        None => default,
    }
}

/// The size variable `key` gives (one copy of the look-up and the parser
/// for both variables: start-up code is paid for in every binary).
#[inline(never)]
fn knob(key: &str, default: usize) -> usize {
    knob_size(super::args::getenv_bytes(key), default)
}

/// Reads both variables and fixes the stack sizes. Called by `schedinit`
/// before the first stack is allocated (the first M's signal stack).
pub fn init() {
    let default = knob("RT0_STACK", DEFAULT_STACK_SIZE);
    let main = knob("RT0_MAIN_STACK", MAIN_STACK_SIZE);
    // SAFETY: schedinit runs on m0 before any other thread exists.
    if !unsafe { set_sizes(default, main) } {
        crate::debug::fatal::throw("stack sizes set after the first stack");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_units() {
        assert_eq!(parse_size(b"262144"), Some(262_144));
        assert_eq!(parse_size(b"256k"), Some(256 << 10));
        assert_eq!(parse_size(b"256K"), Some(256 << 10));
        assert_eq!(parse_size(b"1m"), Some(1 << 20));
        assert_eq!(parse_size(b"8M"), Some(8 << 20));
        assert_eq!(parse_size(b"1g"), Some(1 << 30));
        assert_eq!(parse_size(b"0"), Some(0));
        for bad in [
            &b""[..],
            b"k",
            b"+1m",
            b"-1",
            b" 1m",
            b"1m ",
            b"1.5m",
            b"1mb",
            b"1kk",
            b"0x10",
            b"99999999999999999999",
            b"99999999999999999g",
        ] {
            assert_eq!(parse_size(bad), None, "{:?}", core::str::from_utf8(bad));
        }
    }

    #[test]
    fn bad_values_keep_the_default_and_good_ones_are_bounded() {
        assert_eq!(knob_size(None, 7), 7);
        assert_eq!(knob_size(Some(b"lots"), 7), 7);
        assert_eq!(knob_size(Some(b"1m"), 7), 1 << 20);
        assert_eq!(knob_size(Some(b"4k"), 7), MIN_STACK_KNOB);
        assert_eq!(knob_size(Some(b"0"), 7), MIN_STACK_KNOB);
        assert_eq!(knob_size(Some(b"2g"), 7), MAX_STACK_BYTES);
    }
}
