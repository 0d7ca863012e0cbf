//! `rt0::runtime::blocking` hands the P off while a goroutine blocks in the
//! kernel (Go's entersyscallblock/handoffp/exitsyscall): with GOMAXPROCS=1,
//! main still runs while a reader blocks on an empty pipe, and the reader
//! gets its byte back afterwards. Natively and under qemu-x86_64.

mod common;

use common::{example, native_and_one_qemu, run_program};

#[test]
fn blocked_reader_does_not_stall_its_p() {
    for r in native_and_one_qemu() {
        for p in ["1", "2"] {
            let out = run_program(&r, &example("sched_blocking"), &[], &[("GOMAXPROCS", p)]);
            assert_eq!(out.code(), Some(0), "{}", out.describe());
            assert_eq!(
                out.stdout_str(),
                "main: ran while the reader was blocked\n\
                 reader: read Ok(120) after main wrote (step=2)\n\
                 main: done, byte=x\n",
                "{}",
                out.describe()
            );
        }
    }
}
