//! The channel errors are std's `mpsc` errors in shape (tests/api.rs):
//! `Debug` for every `T`, std's `Display` texts, `core::error::Error`.
//! The payload type here, `Opaque`, implements no trait at all, so this
//! program compiles only if `send(v).unwrap()`, `try_send(v).unwrap()`
//! and `{:?}` of the errors need no `T: Debug`.
//!
//! - no argument: sends and receives with `unwrap()` through open
//!   channels, then prints the `Debug` and `Display` of each error (and
//!   each through `&dyn core::error::Error`), one line each.
//! - `unwrap_closed`: `send(v).unwrap()` on a closed channel: the panic
//!   message shows `SendError { .. }`.
#![no_std]
#![no_main]
extern crate alloc;

use alloc::string::{String, ToString};
use core::error::Error;
use rt0::chan::{Chan, RecvError, SendError, TryRecvError, TrySendError};

rt0::main!(main);

/// A payload with no `Debug`, `Display`, `Clone` or `PartialEq`.
struct Opaque(u32);

/// `Debug` and `Display` of `e`, both directly and through `dyn Error`.
fn show<E: Error>(name: &str, e: E) {
    let dyn_e: &dyn Error = &e;
    rt0::println!(
        "{name} debug={e:?} display={e} dyn={} source={}",
        dyn_e.to_string(),
        dyn_e.source().is_none()
    );
}

fn main() {
    if rt0::env::args().nth(1) == Some(b"unwrap_closed") {
        let c: Chan<Opaque> = Chan::new(1);
        c.close();
        c.send(Opaque(7)).unwrap();
        rt0::println!("unreachable");
        return;
    }
    // unwrap on the success paths, with a payload that has no Debug.
    let c: Chan<Opaque> = Chan::new(1);
    c.send(Opaque(1)).unwrap();
    let got = c.recv().unwrap();
    c.try_send(Opaque(got.0 + 1)).unwrap();
    let got = c.try_recv().unwrap();
    rt0::println!("unwrap ok value={}", got.0);

    // Each error as the channel produces it, with the value given back.
    c.send(Opaque(3)).unwrap();
    match c.try_send(Opaque(4)) {
        Err(e @ TrySendError::Full(_)) => show("try_send_full", e),
        _ => rt0::println!("try_send_full wrong"),
    }
    let _ = c.recv().unwrap();
    match c.try_recv() {
        Err(e) => show("try_recv_empty", e),
        Ok(_) => rt0::println!("try_recv_empty wrong"),
    }
    c.close();
    let e = c.send(Opaque(5)).unwrap_err();
    rt0::println!("send_closed value_back={}", e.0.0);
    show("send_closed", e);
    match c.try_send(Opaque(6)) {
        Err(TrySendError::Closed(v)) => {
            rt0::println!("try_send_closed value_back={}", v.0);
            show("try_send_closed", TrySendError::Closed(v));
        }
        _ => rt0::println!("try_send_closed wrong"),
    }
    // (`unwrap_err` would need `Opaque: Debug`, for the `Ok` side, as in std.)
    show("recv_closed", c.recv().err().unwrap());
    show("try_recv_closed", c.try_recv().err().unwrap());
    // std's conversions.
    let t: TrySendError<Opaque> = SendError(Opaque(8)).into();
    rt0::println!("from_send_error={t:?}");
    let t: TryRecvError = RecvError.into();
    rt0::println!("from_recv_error={t:?}");
    // A boxed error, as `?` into `Box<dyn Error>` makes it.
    let boxed: alloc::boxed::Box<dyn Error> = alloc::boxed::Box::new(SendError(Opaque(9)));
    let s: String = boxed.to_string();
    rt0::println!("boxed={s} debug={boxed:?}");
}
