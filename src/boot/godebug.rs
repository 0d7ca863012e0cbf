//! `GODEBUG` and `GOMAXPROCS`: Go's `parsedebugvars` (runtime1.go) and
//! `atoi32` (string.go), and the early look at GODEBUG that lets the
//! bootstrap trace itself (Go's `getGodebugEarly`).
//!
//! Parsing follows Go exactly: fields split at ',', each `key=value`;
//! a field without '=' or with an unknown key is ignored; a value that is
//! not a decimal i32 leaves the setting as it was; later fields win.

use crate::debug::traceback::Setting;
use core::sync::atomic::Ordering::Relaxed;

/// The debug variables and their storage live in the core, which reads
/// them (`sched::conf`); GODEBUG is parsed into them here.
pub use crate::sched::conf::{DEBUG, DebugVars, inittrace};

/// Go's `atoi64`: optional '-', then decimal digits only; no '+', no
/// spaces, no empty string; overflow fails.
pub fn atoi64(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.split_first() {
        None => return None,
        Some((b'-', rest)) => (true, rest),
        Some(_) => (false, s),
    };
    let mut un: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        un = un.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    if !neg && un > i64::MAX as u64 {
        return None;
    }
    if neg && un > i64::MAX as u64 + 1 {
        return None;
    }
    Some(if neg {
        (un as i64).wrapping_neg()
    } else {
        un as i64
    })
}

/// Go's `atoi32`: [`atoi64`] that must also fit in an i32.
pub fn atoi32(s: &[u8]) -> Option<i32> {
    i32::try_from(atoi64(s)?).ok()
}

/// GOMAXPROCS as `schedinit` decides it: a positive `atoi32` value wins,
/// anything else (unset, `+2`, ` 2`, `2x`, `0`, `-1`, overflow) gives
/// `ncpu`.
pub fn gomaxprocs(env: Option<&[u8]>, ncpu: i32) -> i32 {
    match env.and_then(atoi32) {
        Some(n) if n > 0 => n,
        _ => ncpu,
    }
}

/// Calls `f(key, value)` for each `key=value` field of a GODEBUG string.
pub fn for_each_field<'a>(godebug: &'a [u8], mut f: impl FnMut(&'a [u8], &'a [u8])) {
    for field in godebug.split(|&c| c == b',') {
        if let Some(i) = field.iter().position(|&c| c == b'=') {
            f(&field[..i], &field[i + 1..]);
        }
    }
}

/// Applies GODEBUG to `vars` as Go's `parsedebugvars`.
pub fn parse_into(godebug: &[u8], vars: &DebugVars) {
    for_each_field(godebug, |key, value| {
        let slot = match key {
            b"inittrace" => &vars.inittrace,
            b"schedtrace" => &vars.schedtrace,
            b"scheddetail" => &vars.scheddetail,
            b"asyncpreemptoff" => &vars.asyncpreemptoff,
            b"scavtrace" => &vars.scavtrace,
            _ => return,
        };
        if let Some(n) = atoi32(value) {
            slot.store(n, Relaxed);
        }
    });
}

/// The raw GODEBUG value (empty when unset).
pub fn godebug_env() -> &'static [u8] {
    super::args::getenv_bytes("GODEBUG").unwrap_or(b"")
}

/// Go's `getGodebugEarly` + `parsedebugvars`: run by `args`, so the
/// bootstrap can trace itself from its first Rust step. `schedinit`
/// reports the result. GOTRACEBACK is read here too (Go's
/// `parsedebugvars` ends with `setTraceback(gogetenv("GOTRACEBACK"))`),
/// so a report from the first step on honours it.
pub fn early_scan() {
    // Go's parsedebugvars starts from the defaults. Storing them (all 0)
    // also makes this the first touch of DEBUG's .bss page and a write:
    // one page fault, where a first read (inittrace's) maps the zero page
    // and the scheduler's first write to SCHED beside it faults again to
    // copy it.
    DEBUG.set_defaults();
    parse_into(godebug_env(), &DEBUG);
    let tb = gotraceback(super::args::getenv_bytes("GOTRACEBACK").unwrap_or(b""));
    crate::debug::traceback::set_setting(tb);
}

/// Go's `setTraceback`: `none`, `single` (also unset or empty), `all`,
/// `system`, `crash`, or a number N (level N with every goroutine). Any
/// other word is taken as `single` (Go reads its leading digits, which
/// for a word gives 0, `none`: a misspelt value should not hide a
/// report).
pub fn gotraceback(v: &[u8]) -> Setting {
    let (level, all, crash) = match v {
        b"none" => (0, false, false),
        b"" | b"single" => (1, false, false),
        b"all" => (1, true, false),
        b"system" => (2, true, false),
        b"crash" => (2, true, true),
        _ => match atoi32(v) {
            Some(n) if n >= 0 => (n as u32, true, false),
            _ => (1, false, false),
        },
    };
    Setting { level, all, crash }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gotraceback_as_go() {
        let s = |level, all, crash| Setting { level, all, crash };
        assert_eq!(gotraceback(b""), s(1, false, false));
        assert_eq!(gotraceback(b"none"), s(0, false, false));
        assert_eq!(gotraceback(b"single"), s(1, false, false));
        assert_eq!(gotraceback(b"all"), s(1, true, false));
        assert_eq!(gotraceback(b"system"), s(2, true, false));
        assert_eq!(gotraceback(b"crash"), s(2, true, true));
        assert_eq!(gotraceback(b"0"), s(0, true, false));
        assert_eq!(gotraceback(b"2"), s(2, true, false));
        assert_eq!(gotraceback(b"sytem"), s(1, false, false));
        assert_eq!(gotraceback(b"-1"), s(1, false, false));
    }
    use core::sync::atomic::AtomicI32;

    #[test]
    fn atoi32_as_go() {
        assert_eq!(atoi32(b"2"), Some(2));
        assert_eq!(atoi32(b"-7"), Some(-7));
        assert_eq!(atoi32(b"2147483647"), Some(i32::MAX));
        assert_eq!(atoi32(b"-2147483648"), Some(i32::MIN));
        assert_eq!(atoi32(b"-"), Some(0), "Go's atoi64 accepts a lone '-' as 0");
        for bad in [
            &b""[..],
            b"+2",
            b" 2",
            b"2 ",
            b"2x",
            b"0x10",
            b"2147483648",
            b"99999999999999999999",
            b"1e3",
        ] {
            assert_eq!(atoi32(bad), None, "{:?}", core::str::from_utf8(bad));
        }
    }

    #[test]
    fn gomaxprocs_falls_back_to_ncpu() {
        assert_eq!(gomaxprocs(Some(b"3"), 2), 3);
        assert_eq!(gomaxprocs(Some(b"1"), 8), 1);
        for v in [
            &b"0"[..],
            b"-1",
            b"+2",
            b" 2",
            b"2x",
            b"abc",
            b"",
            b"2147483648",
            b"-",
        ] {
            assert_eq!(gomaxprocs(Some(v), 5), 5, "{:?}", core::str::from_utf8(v));
        }
        assert_eq!(gomaxprocs(None, 4), 4);
        assert_eq!(gomaxprocs(Some(b"2147483647"), 4), i32::MAX);
    }

    #[test]
    fn godebug_fields_as_go() {
        let v = DebugVars {
            inittrace: AtomicI32::new(0),
            schedtrace: AtomicI32::new(0),
            scheddetail: AtomicI32::new(0),
            asyncpreemptoff: AtomicI32::new(0),
            scavtrace: AtomicI32::new(0),
        };
        parse_into(b"inittrace=1,schedtrace=1000,scheddetail=1", &v);
        assert_eq!(
            (
                v.inittrace.load(Relaxed),
                v.schedtrace.load(Relaxed),
                v.scheddetail.load(Relaxed)
            ),
            (1, 1000, 1)
        );
        // Bad values keep the old setting; later fields win; junk is ignored.
        parse_into(
            b"inittrace=x,schedtrace=,,=,scheddetail,inittrace=0,foo=bar,schedtrace=5,schedtrace=7",
            &v,
        );
        assert_eq!(
            (
                v.inittrace.load(Relaxed),
                v.schedtrace.load(Relaxed),
                v.scheddetail.load(Relaxed)
            ),
            (0, 7, 1)
        );
        parse_into(b"scavtrace=1", &v);
        assert_eq!(v.scavtrace.load(Relaxed), 1);
        let mut seen = std::vec::Vec::new();
        for_each_field(b"a=1,b,c=2=3,=4", |k, val| {
            seen.push((k.to_vec(), val.to_vec()))
        });
        assert_eq!(
            seen,
            [
                (b"a".to_vec(), b"1".to_vec()),
                (b"c".to_vec(), b"2=3".to_vec()),
                (b"".to_vec(), b"4".to_vec())
            ]
        );
    }
}
