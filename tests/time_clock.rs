//! The monotonic clock (tests/programs/time_clock.rs): natively the runtime
//! finds `__vdso_clock_gettime` in the kernel's vDSO, under qemu-x86_64
//! (which gives the guest no vDSO) it falls back to the `clock_gettime`
//! syscall; either way `nanotime` agrees with the syscall clock, readings
//! taken in turn are ordered (`nanotime <= syscall <= nanotime`, 100,000
//! times), neither clock goes back, and a reading sent over a channel is
//! never later than one taken by the receiver, at GOMAXPROCS 1 and 2 (two
//! threads reading the clock); `SystemTime::now` (the wall clock, the same
//! two paths) agrees with the host's. A vDSO clock with the wrong clock id,
//! a wrong timespec layout or a bad symbol lookup fails the interleaving.

mod common;

use common::{example, native_and_one_qemu, run_program};

#[test]
fn vdso_and_syscall_clocks_agree() {
    for r in native_and_one_qemu() {
        for procs in ["1", "2"] {
            let out = run_program(
                &r,
                &example("time_clock"),
                &["100000"],
                &[("GOMAXPROCS", procs)],
            );
            assert_eq!(out.code(), Some(0), "{}", out.describe());
            assert_eq!(out.stderr_str(), "", "{}", out.describe());
            let s = out.stdout_str();
            let lines: Vec<&str> = s.lines().collect();
            assert_eq!(lines.len(), 5, "{}", out.describe());
            let vdso = !r.is_qemu();
            assert_eq!(lines[0], format!("have_vdso={vdso}"), "{}", out.describe());
            assert!(
                lines[1].starts_with("interleave n=100000 violations=0 max_window_us="),
                "{}",
                out.describe()
            );
            assert_eq!(
                lines[2],
                "monotonic n=100000 back_nanotime=0 back_syscall=0",
                "{}",
                out.describe()
            );
            assert_eq!(
                lines[3],
                "handoff rounds=10000 violations=0",
                "{}",
                out.describe()
            );
            // SystemTime::now against the host's wall clock, read after
            // the program ended: within the run's own length (a clock id
            // mixed up with the monotonic one is off by the uptime).
            let host = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis();
            let ours: u128 = lines[4]
                .strip_prefix("wall unix_ms=")
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{}", out.describe()));
            assert!(
                ours <= host && host - ours < 60_000,
                "wall clock {ours} vs host {host}: {}",
                out.describe()
            );
        }
    }
}
