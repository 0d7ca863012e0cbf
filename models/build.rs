//! Sets `rt0_models` for this crate: the protocol files shared with the
//! runtime compile their test-only variants (the semaphore's release order
//! before issue 7's fix) only under it.

fn main() {
    println!("cargo::rustc-cfg=rt0_models");
    println!("cargo::rerun-if-changed=build.rs");
}
