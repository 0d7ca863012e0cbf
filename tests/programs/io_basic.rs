//! rt0::io in a freestanding program (tests/io.rs runs it natively and
//! under qemu): the same calls a std program would make, each printed.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::string::String;
use alloc::vec::Vec;
use rt0::io::{self, BufRead, BufReader, BufWriter, Cursor, Read, Write};

rt0::main!(main);

fn main() {
    let input: &[u8] = b"first line\nsecond\r\nthird";
    let lines: Vec<String> = BufReader::with_capacity(4, input)
        .lines()
        .map(|l| l.unwrap())
        .collect();
    rt0::println!("lines={:?}", lines);

    let mut out = BufWriter::with_capacity(8, Vec::new());
    write!(out, "{}+{}={}", 2, 3, 2 + 3).unwrap();
    out.write_all(b" and more than eight bytes").unwrap();
    let v = out.into_inner().unwrap();
    rt0::println!("bufwriter={:?}", core::str::from_utf8(&v).unwrap());

    let mut src: &[u8] = &[7u8; 20_000];
    let mut sink = Vec::new();
    rt0::println!("copied={}", io::copy(&mut src, &mut sink).unwrap());

    let mut short: &[u8] = b"abc";
    let mut four = [0u8; 4];
    let e = short.read_exact(&mut four).unwrap_err();
    rt0::println!("read_exact: kind={:?} msg={}", e.kind(), e);

    let os = io::Error::from_raw_os_error(111);
    rt0::println!("os: kind={:?} msg={}", os.kind(), os);

    let mut c = Cursor::new(Vec::new());
    c.write_all(b"hello").unwrap();
    c.set_position(1);
    c.write_all(b"EY").unwrap();
    rt0::println!(
        "cursor={:?} pos={}",
        core::str::from_utf8(c.get_ref()).unwrap(),
        c.position()
    );

    let mut s = String::new();
    (&b"tail of input"[..])
        .take(7)
        .read_to_string(&mut s)
        .unwrap();
    rt0::println!("take={:?}", s);
}
