//! The smallest rt0 program: prints `hello, world` and exits 0.
#![no_std]
#![no_main]

rt0::main!(main);

fn main() {
    rt0::println!("hello, world");
}
