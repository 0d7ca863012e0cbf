//! `run PROG ARGS...`: runs PROG with ARGS, its stdin, stdout and stderr
//! inherited, waits, and exits as a shell reports the command: with the
//! child's exit code; when signal N killed it, with 128+N after printing
//! `run: PROG: terminated by signal: N (NAME)` on stderr; when it cannot
//! be executed, with 127 after printing `run: PROG: No such file or
//! directory (os error 2)` (the errno's text, as `io::Error` shows it),
//! or 126 for `Permission denied`, as a shell. PROG without a `/` is
//! looked up in `PATH`. No arguments: usage on stderr, status 2 (the
//! status of the other examples' usage errors).
#![no_std]
#![no_main]

use rt0::io::ErrorKind;
use rt0::process::{Command, exit};

rt0::main!(main);

/// A shell's status for a command it found but could not execute.
const STATUS_NOT_EXECUTABLE: i32 = 126;
/// A shell's status for a command it could not find.
const STATUS_NOT_FOUND: i32 = 127;
/// Added to the signal number for a child killed by a signal.
const STATUS_SIGNAL_BASE: i32 = 128;
/// Bad usage.
const STATUS_USAGE: i32 = 2;

fn main() {
    let mut args = rt0::env::args().skip(1);
    let Some(prog) = args.next() else {
        rt0::eprintln!("usage: run PROG [ARGS...]");
        exit(STATUS_USAGE)
    };
    let name = core::str::from_utf8(prog).unwrap_or("PROG");
    let status = match Command::new(prog).args(args).status() {
        Ok(st) => st,
        Err(e) => {
            rt0::eprintln!("run: {}: {}", name, e);
            exit(match e.kind() {
                ErrorKind::PermissionDenied => STATUS_NOT_EXECUTABLE,
                _ => STATUS_NOT_FOUND,
            })
        }
    };
    if let Some(code) = status.code() {
        exit(code)
    }
    let sig = status.signal().unwrap_or(0);
    rt0::eprintln!("run: {}: terminated by {}", name, status);
    exit(STATUS_SIGNAL_BASE + sig)
}
