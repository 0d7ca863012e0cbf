//! A report written while the goroutines it walks are exiting
//! (tests/traceback_churn.rs): `PARKED` goroutines with stacks of their
//! own mapping (`go_with_stack`) park on a channel; main starts a
//! goroutine that closes the channel, so they all wake and exit, and
//! panics at once. The report walks every goroutine while they die and
//! their stacks are freed: it must still be one whole report (the
//! runtime keeps a freed stack mapped while a traceback reads stacks).
#![no_std]
#![no_main]

use core::hint::black_box;

use rt0::chan::Chan;
use rt0::runtime::{go, go_with_stack};

rt0::main!(main);

/// Goroutines that exit during the report.
const PARKED: usize = 2000;
/// Their stack: not the default size, so freeing it unmaps it.
const STACK_BYTES: usize = 128 * 1024;

#[inline(never)]
fn parked(c: &Chan<u8>, ready: &Chan<u8>) {
    let _ = ready.send(1);
    let r = c.recv().is_ok();
    black_box(r);
}

fn main() {
    let c: Chan<u8> = Chan::new(0);
    let ready: Chan<u8> = Chan::new(PARKED);
    for _ in 0..PARKED {
        let (c, ready) = (c.clone(), ready.clone());
        go_with_stack(STACK_BYTES, move || parked(&c, &ready));
    }
    for _ in 0..PARKED {
        let _ = ready.recv();
    }
    rt0::println!("ready");
    let closer = c.clone();
    go(move || closer.close());
    // Let the closer start on another P before the report begins.
    for _ in 0..black_box(1000) {
        core::hint::spin_loop();
    }
    panic!("report while {PARKED} goroutines exit");
}
