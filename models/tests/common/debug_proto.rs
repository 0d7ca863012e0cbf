//! The runtime's `src/debug/proto` files, compiled over loom: this module
//! plays the part of `src/debug/proto/mod.rs`.
#![allow(dead_code, unused_imports)]

pub use loom::sync::atomic::{AtomicU32, Ordering};

#[path = "../../../src/debug/proto/build_once.rs"]
pub mod build_once;
