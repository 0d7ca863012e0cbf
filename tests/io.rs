//! rt0::io in a freestanding program, natively and under qemu: each line
//! is what the same calls print with std (checked by hand against a std
//! build of the same code; the host unit tests in src/io/tests.rs
//! compare with std call for call).

mod common;

use common::{all_runners, run_ok};

const WANT: &str = "\
lines=[\"first line\", \"second\", \"third\"]
bufwriter=\"2+3=5 and more than eight bytes\"
copied=20000
read_exact: kind=UnexpectedEof msg=failed to fill whole buffer
os: kind=ConnectionRefused msg=Connection refused (os error 111)
cursor=\"hEYlo\" pos=3
take=\"tail of\"
";

#[test]
fn io_basic_prints_what_std_prints() {
    for r in all_runners() {
        let out = run_ok(&r, "io_basic", &[], "1");
        assert_eq!(out.stdout_str(), WANT, "{}", out.describe());
    }
}
