//! The runtime's `src/netpoll/proto` files, compiled over loom: this
//! module plays the part of `src/netpoll/proto/mod.rs`.
#![allow(dead_code, unused_imports)]

pub use loom::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};

pub fn throw(msg: &str) -> ! {
    panic!("fatal error: {msg}")
}

/// The store-load order that SeqCst accesses give in the runtime (loom
/// models them only as AcqRel).
pub fn store_load_fence() {
    loom::sync::atomic::fence(Ordering::SeqCst);
}

#[path = "../../../src/netpoll/proto/fdref.rs"]
pub mod fdref;

#[path = "../../../src/netpoll/proto/pollwait.rs"]
pub mod pollwait;

#[path = "../../../src/netpoll/proto/shortread.rs"]
pub mod shortread;
