//! Channels, select and timers, natively and under qemu-x86_64, at
//! GOMAXPROCS 1 and 2 (tests/programs/chan_smoke.rs): many senders and receivers
//! over unbuffered and buffered channels with sum-and-count invariants,
//! close semantics (buffered values first, then `Err(RecvError)`; senders
//! parked at close get their value back), a select timeout through
//! `time::after`, select fairness, `default`, sleeps that never wake early,
//! and a ticker's period.

mod common;

use common::{example, fields, native_and_one_qemu, run_program};

#[test]
fn channels_select_and_timers() {
    for r in native_and_one_qemu() {
        for p in ["1", "2"] {
            let out = run_program(&r, &example("chan_smoke"), &[], &[("GOMAXPROCS", p)]);
            assert_eq!(out.code(), Some(0), "{}", out.describe());
            let s = out.stdout_str();
            for want in [
                "mpmc cap=0 n=80000 sum_ok=true",
                "mpmc cap=10 n=80000 sum_ok=true",
                "send after close: Err(SendError { .. }) value back Err(9)",
                "recv buffered after close: Ok(1), then Err(RecvError), try: Err(Closed)",
                "parked senders told of close: true",
                "timeout after >=30ms: true",
                "default taken",
                "early wakeups: 0",
                "5 ticks of 10ms took >=50ms: true",
            ] {
                assert!(
                    s.lines().any(|l| l == want),
                    "missing {want:?}\n{}",
                    out.describe()
                );
            }
            // Fairness: 1000 trials over two ready channels; each count is
            // Binomial(1000, 1/2), so 400..=600 is more than 6 sigma wide.
            let line = s
                .lines()
                .find(|l| l.starts_with("select fairness"))
                .unwrap();
            let f = fields(line);
            let (a, b): (u32, u32) = (f["a"].parse().unwrap(), f["b"].parse().unwrap());
            assert_eq!(a + b, 1000, "{line}");
            assert!((400..=600).contains(&a), "unfair select: {line}");
        }
    }
}
