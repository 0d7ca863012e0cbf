// Link the program freestanding: rt0's _start, no libc, static, not PIE,
// laid out by rt0's linker script (rt0's build script exports its path).
fn main() {
    for arg in ["-nostartfiles", "-nostdlib", "-static", "-no-pie"] {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
    let script = std::env::var("DEP_RT0_LINKER_SCRIPT").expect("rt0's build script sets it");
    println!("cargo:rustc-link-arg-bins=-Wl,-T,{script}");
}
