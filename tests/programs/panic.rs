//! An unrecovered panic, Go style: `panic: <msg>`, a blank line,
//! `goroutine N [running]:`, exit status 2. With no argument the main
//! goroutine panics; with `goroutine` a second goroutine does while main
//! keeps yielding. `tests/panic.rs` checks both.
#![no_std]
#![no_main]

rt0::main!(main);

fn main() {
    rt0::println!("before the panic");
    if rt0::env::args().nth(1) == Some(b"goroutine") {
        rt0::runtime::go(|| panic!("boom in a goroutine: {}", 7));
        loop {
            rt0::runtime::gosched();
        }
    }
    let v: [u32; 3] = [1, 2, 3];
    let i = rt0::env::args().len() + 2; // 3: out of bounds, unknown to the compiler
    rt0::println!("unreachable {}", v[i]);
}
