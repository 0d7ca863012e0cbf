//! A goroutine blocked in the kernel does not stall its P when the call is
//! wrapped in `rt0::runtime::blocking` (Go's entersyscallblock/exitsyscall).
//!
//! Run with GOMAXPROCS=1. A goroutine blocks in `read` on an empty pipe;
//! main, on the same single P, must still run: it sleeps 50 ms, then writes
//! the byte that unblocks the reader. Without the hand-off the read would
//! hold the only P and the program would never finish. Prints the order of
//! events and the byte read.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU32, Ordering::SeqCst};
use core::time::Duration;
use rt0::chan::Chan;
use rt0::os as file;

rt0::main!(main);

fn main() {
    let (r, w) = file::pipe_raw().expect("pipe2");
    let step = Arc::new(AtomicU32::new(0));
    let done: Chan<u8> = Chan::new(1);
    {
        let (step, done) = (step.clone(), done.clone());
        rt0::runtime::go(move || {
            step.store(1, SeqCst);
            let mut buf = [0u8; 1];
            let n = rt0::runtime::blocking(|| file::read(r, &mut buf));
            rt0::println!(
                "reader: read {:?} after main wrote (step={})",
                n.map(|_| buf[0]),
                step.load(SeqCst)
            );
            done.send(buf[0]).unwrap();
        });
    }
    // Let the reader start and block, then show that this goroutine runs.
    while step.load(SeqCst) == 0 {
        rt0::runtime::gosched();
    }
    rt0::time::sleep(Duration::from_millis(50));
    rt0::println!("main: ran while the reader was blocked");
    step.store(2, SeqCst);
    file::write_all(w, b"x").expect("write");
    let b = done.recv().unwrap();
    rt0::println!("main: done, byte={}", b as char);
}
