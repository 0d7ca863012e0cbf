//! Waits for Ctrl-C or SIGTERM (Go's `signal.Notify` example): prints
//! `ready`, then `got SIGINT` or `got SIGTERM` when one arrives, and exits
//! 0. Every other signal keeps Go's default: SIGHUP still kills it,
//! SIGQUIT still dumps the goroutines, SIGUSR1 is still ignored.
#![no_std]
#![no_main]

use rt0::chan::Chan;
use rt0::os::signal::{self, Signal};

rt0::main!(main);

fn main() {
    // Capacity 1: the receiver never blocks, and one signal is all this
    // program waits for (a second one while it exits is dropped).
    let c: Chan<Signal> = Chan::new(1);
    signal::notify(&c, &[Signal::SIGINT, Signal::SIGTERM]);
    rt0::println!("ready");
    let sig = c.recv().expect("the signal channel is never closed");
    rt0::println!("got {}", sig.name().unwrap_or("a signal"));
}
