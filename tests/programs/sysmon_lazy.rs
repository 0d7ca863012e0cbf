//! sysmon starts when the program first needs it (`sched::sysmon::start`):
//! a lone main goroutine never has it, whatever it does; the first
//! goroutine, timer or network use starts it.
//!
//! `sysmon_lazy MODE` prints `before=B after=A`: whether sysmon ran
//! before and after MODE's step (`export_test::sysmon_started`).
//! - `alone`: computes, allocates and frees 64 MiB, sleeps 5 ms, reads a
//!   file, writes a line: none of it needs sysmon;
//! - `go`: starts one goroutine and waits for it;
//! - `after_func`: arms an `after_func` timer and waits for it;
//! - `timer`: a `Timer` that main receives from;
//! - `netpoll`: a pipe in the netpoller (`export_test::poll_pipe`).
#![no_std]
#![no_main]
extern crate alloc;
use alloc::vec;
use core::time::Duration;
use rt0::chan::Chan;
use rt0::export_test::sysmon_started;

rt0::main!(main);

fn main() {
    let mode = rt0::env::args().nth(1).unwrap_or(b"");
    let before = sysmon_started();
    match mode {
        b"alone" => alone(),
        b"go" => {
            let done: Chan<u32> = Chan::new(0);
            let tx = done.clone();
            rt0::runtime::go(move || tx.send(7).unwrap());
            assert_eq!(done.recv(), Ok(7));
        }
        b"after_func" => {
            let done: Chan<&str> = Chan::new(1);
            let tx = done.clone();
            let _t = rt0::time::after_func(Duration::from_millis(1), move || {
                tx.send("fired").unwrap();
            });
            assert_eq!(done.recv(), Ok("fired"));
        }
        b"timer" => {
            let t = rt0::time::Timer::new(Duration::from_millis(1));
            assert!(t.chan().recv().is_ok());
        }
        b"netpoll" => {
            let (r, w) = rt0::export_test::poll_pipe().expect("poll_pipe");
            w.write_all(b"x").expect("write");
            let mut b = [0u8; 1];
            assert_eq!(r.read(&mut b), Ok(1));
        }
        _ => {
            rt0::eprintln!("usage: sysmon_lazy alone|go|after_func|timer|netpoll");
            rt0::process::exit(2);
        }
    }
    rt0::println!("before={before} after={}", sysmon_started());
}

fn alone() {
    let mut acc = 0u64;
    for i in 0..1_000_000u64 {
        acc = acc.wrapping_mul(31).wrapping_add(i);
    }
    let big = vec![1u8; 64 << 20];
    acc += big.iter().step_by(4096).map(|&b| u64::from(b)).sum::<u64>();
    drop(big);
    rt0::time::sleep(Duration::from_millis(5));
    let status = rt0::fs::read("/proc/self/status").expect("read /proc/self/status");
    rt0::println!("computed={} read={}", acc != 0, !status.is_empty());
}
