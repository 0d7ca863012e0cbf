//! Go's `osinit` (os_linux.go): the number of CPUs this process may run on
//! and the transparent huge page size.
//!
//! ncpu is the popcount of `sched_getaffinity`, so `taskset` and cgroup
//! cpusets are honoured (Go's `getproccount`); at least 1. The huge page
//! size comes from `/sys/kernel/mm/transparent_hugepage/hpage_pmd_size`
//! and is reported (inittrace) only when it parses as a power of two, else
//! 0; nothing else reads it yet (Go keeps it for the heap's huge pages),
//! so the file is read only when inittrace is on.

use core::sync::atomic::Ordering::Relaxed;

use crate::sys::process::{CPU_SET_BYTES, sched_getaffinity};

const HPAGE_PMD_SIZE_PATH: &core::ffi::CStr = c"/sys/kernel/mm/transparent_hugepage/hpage_pmd_size";

/// CPUs this process may use (1 until osinit runs); stored in the core's
/// state, which reads it (`sched::conf`).
pub use crate::sched::conf::ncpu;

/// Counts the CPUs set in an affinity mask (Go's `getproccount`); a mask
/// the kernel could not give counts as 1.
pub fn count_cpus(mask: &[u8]) -> i32 {
    let n: u32 = mask.iter().map(|b| b.count_ones()).sum();
    (n as i32).max(1)
}

/// Parses the huge page file's contents: a decimal power of two, or 0.
pub fn parse_huge_page_size(text: &[u8]) -> usize {
    let digits = text.strip_suffix(b"\n").unwrap_or(text);
    match super::godebug::atoi64(digits) {
        Some(n) if n > 0 && (n as u64).is_power_of_two() => n as usize,
        _ => 0,
    }
}

/// Go's `osinit`. Called by rt0_go.
#[unsafe(export_name = "rt0_osinit")] // called by rt0_go (src/arch/)
pub extern "C" fn osinit() {
    let t0 = crate::boot::inittrace::clock();
    let mut mask = [0u8; CPU_SET_BYTES];
    let ncpu = match sched_getaffinity(&mut mask) {
        Ok(n) => count_cpus(&mask[..n.min(CPU_SET_BYTES)]),
        Err(_) => 1,
    };
    crate::sched::conf::NCPU.store(ncpu, Relaxed);
    // Only the inittrace line reads the huge page size: do not pay an
    // open, a read and a close on every start for it.
    let mut buf = [0u8; 32];
    let huge = if !crate::boot::godebug::inittrace() {
        0
    } else {
        match crate::sys::file::read_small_file(HPAGE_PMD_SIZE_PATH, &mut buf) {
            Ok(n) => parse_huge_page_size(&buf[..n]),
            Err(_) => 0,
        }
    };
    crate::boot::inittrace::osinit_done(ncpu, huge, crate::boot::inittrace::clock() - t0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_count_is_popcount_at_least_one() {
        assert_eq!(count_cpus(&[0b1011, 0, 0x80]), 4);
        assert_eq!(count_cpus(&[0; 128]), 1);
        assert_eq!(count_cpus(&[]), 1);
    }

    #[test]
    fn huge_page_size_power_of_two_or_zero() {
        assert_eq!(parse_huge_page_size(b"2097152\n"), 2 << 20);
        assert_eq!(parse_huge_page_size(b"1073741824"), 1 << 30);
        assert_eq!(parse_huge_page_size(b"3000000\n"), 0);
        assert_eq!(parse_huge_page_size(b"0\n"), 0);
        assert_eq!(parse_huge_page_size(b"junk"), 0);
        assert_eq!(parse_huge_page_size(b""), 0);
    }
}
