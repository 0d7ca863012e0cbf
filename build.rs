//! Link flags for the freestanding programs of this package (its examples), and the linker script's path for dependents.
//!
//! The flags reach only the final freestanding binaries through
//! `rustc-link-arg-examples` (this package's programs are examples): global RUSTFLAGS would also reach build
//! scripts and proc macros, which must stay ordinary host programs.
//! A program in another crate repeats the same five lines in its own
//! build.rs, reading the script's path from `DEP_RT0_LINKER_SCRIPT`
//! (README, "Your own program").

use std::path::PathBuf;

/// What every freestanding binary is linked with.
const LINK_ARGS: [&str; 4] = [
    "-nostartfiles", // no crt1.o: rt0 brings its own _start
    "-nostdlib",     // no libc, no libgcc
    "-static",       // no dynamic loader, no PT_INTERP
    "-no-pie",       // fixed addresses, as Go links: no self-relocation needed
];

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let script = dir.join("linker.ld");
    for arg in LINK_ARGS {
        println!("cargo:rustc-link-arg-examples={arg}");
    }
    println!("cargo:rustc-link-arg-examples=-Wl,-T,{}", script.display());
    // Read by dependents' build scripts as DEP_RT0_LINKER_SCRIPT.
    println!("cargo:linker_script={}", script.display());
    println!("cargo:rerun-if-changed=linker.ld");
    println!("cargo:rerun-if-changed=build.rs");
}
