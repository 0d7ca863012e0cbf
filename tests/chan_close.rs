//! `close` tells every parked goroutine, loses no buffered value and
//! refuses exactly the values it should (tests/programs/chan_close.rs), natively
//! and under qemu-x86_64, at GOMAXPROCS 1 and 2. Closing is where a
//! channel hands its waiters back to the scheduler all at once; a waiter
//! forgotten there sleeps forever, one woken twice corrupts the scheduler.
//!
//! - senders seen parked (plain and in `select!`, unbuffered and behind a
//!   full buffer) each get their own value back in `SendError`; the
//!   buffered values are then received in order, then `Err(RecvError)`;
//! - receivers seen parked (plain and in `select!`) each get `Err(RecvError)`;
//! - values buffered before `close` come out first, in order, `len` counting
//!   down, and then `recv`, `try_recv`, `send`, `try_send` and `for` all
//!   report the channel closed;
//! - `close` racing busy senders and receivers: accepted values = received
//!   values (count, sum, distinct), no refused value is ever received and
//!   every refusal carries the sender's own value;
//! - a second `close` panics with Go's message and exit status 2.

mod common;

use common::expect::{self, Source};
use common::{Output, Runner, each_config, example, fields, native_and_one_qemu, run_program};

fn run(r: &Runner, args: &[&str], procs: &str) -> Output {
    common::run_ok(r, "chan_close", args, procs)
}

#[test]
fn close_wakes_parked_senders_with_their_values() {
    each_config(|r, procs| {
        for (cap, buffered) in [("0", ""), ("3", "1000,1001,1002")] {
            let out = run(r, &["senders", cap], procs);
            assert_eq!(
                out.stdout_str(),
                format!(
                    "parked chan_send=8 select=2\n\
                     senders cap={cap} own_value_back=10 other=0 buffered=[{buffered}] \
                     then=Err(RecvError)\n"
                ),
                "{}",
                out.describe()
            );
        }
    });
}

#[test]
fn close_wakes_parked_receivers() {
    each_config(|r, procs| {
        for cap in ["0", "4"] {
            let out = run(r, &["receivers", cap], procs);
            assert_eq!(
                out.stdout_str(),
                format!("receivers cap={cap} recv_err=10 of=10\n"),
                "{}",
                out.describe()
            );
        }
    });
}

#[test]
fn buffered_values_survive_close_in_order() {
    each_config(|r, procs| {
        let out = run(r, &["buffered"], procs);
        assert_eq!(
            out.stdout_str(),
            "buffered closed=true len=5 Ok(1)/4 Ok(2)/3 Ok(3)/2 Ok(4)/1 Ok(5)/0\n\
             after recv=Err(RecvError) try_recv=Err(Closed) send=Err(7) \
             try_send=Err((\"closed\", 8)) range=0\n\
             ranged [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]\n",
            "{}",
            out.describe()
        );
    });
}

#[test]
fn close_racing_senders_and_receivers() {
    each_config(|r, procs| {
        for cap in ["0", "10"] {
            let out = run(r, &["race", cap], procs);
            let s = out.stdout_str();
            let line = s
                .lines()
                .find(|l| l.starts_with(&format!("race cap={cap} ")))
                .unwrap_or_else(|| panic!("no race line\n{}", out.describe()));
            let f = fields(line);
            let n = |k: &str| -> u64 { f[k].parse().unwrap() };
            let ctx = format!("{line}\n{}", out.describe());
            // The program closes only after 1000 accepted values.
            assert!(n("accepted") >= 1000, "closed too early: {ctx}");
            assert_eq!(n("accepted"), n("received"), "{ctx}");
            assert_eq!(n("accepted_sum"), n("received_sum"), "{ctx}");
            assert_eq!(n("distinct"), n("received"), "{ctx}");
            assert_eq!(n("dups"), 0, "{ctx}");
            assert_eq!(n("bad_back"), 0, "{ctx}");
            assert_eq!(n("refused_but_received"), 0, "{ctx}");
        }
    });
}

#[test]
fn close_of_closed_channel_panics() {
    for r in native_and_one_qemu() {
        let out = run_program(&r, &example("chan_close"), &["twice"], &[]);
        assert_eq!(out.code(), Some(2), "{}", out.describe());
        assert_eq!(out.stdout_str(), "closed once\n", "{}", out.describe());
        // One whole report (tests/common/expect.rs): main alone, at the
        // second close (`Chan::close` is the runtime's, hidden).
        let ctx = out.describe();
        let rep = expect::one_report(&out);
        assert_eq!(rep.head, ["panic: close of closed channel"], "{ctx}");
        let g = expect::only_goroutine(&rep, &ctx);
        assert_eq!((g.id, g.state.as_str()), (1, "running"), "{ctx}");
        let src = Source::new("tests/programs/chan_close.rs");
        let once = src.line_after("\"twice\" =>", "c.close();");
        let twice = src.next_line(once, "c.close();");
        let first = expect::first_frame(g, &ctx);
        expect::assert_frame(first, "chan_close::main", &src, twice, &ctx);
    }
}
