// Link the program and the test programs freestanding: rt0's _start, no
// libc, static, not PIE, laid out by rt0's linker script (rt0's build
// script exports its path). `-bins` reaches src/main.rs, `-tests` the
// [[test]] targets; neither reaches build scripts or proc macros.
fn main() {
    let script = std::env::var("DEP_RT0_LINKER_SCRIPT").expect("rt0's build script sets it");
    for kind in ["bins", "tests"] {
        for arg in ["-nostartfiles", "-nostdlib", "-static", "-no-pie"] {
            println!("cargo:rustc-link-arg-{kind}={arg}");
        }
        println!("cargo:rustc-link-arg-{kind}=-Wl,-T,{script}");
    }
}
