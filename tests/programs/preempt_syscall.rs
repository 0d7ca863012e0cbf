//! A goroutine blocked in a long system call does not stop the others
//! (Go's syscall retake: `entersyscall` keeps the P in `_Psyscall`, and
//! sysmon's `retake` hands it to another M when the call outlasts one
//! sysmon tick and there is work waiting).
//!
//! Run at GOMAXPROCS=1. A reader blocks on an empty pipe with blocking
//! descriptors (`rt0::os::pipe_raw`); meanwhile a worker goroutine counts
//! (yielding each turn, so it needs the P but no preemption) and main
//! sleeps MS ms, then writes the byte that ends the read. How the reader
//! blocks is the mode:
//! - `blocking`: `rt0::runtime::blocking(|| rt0::os::read(..))`;
//! - `raw`: `rt0::os::read` alone, as Go's `syscall.Read` (which Go
//!   wraps in entersyscall/exitsyscall);
//! - `file`: `rt0::fs::File::open("/proc/self/fd/R")` and a read of it
//!   (the file system calls of `rt0::fs`).
//!
//! Prints `mode=M slept_us=T worker_turns_before_write=W read=x`: the
//! worker must have run (W > 0) and main must have woken about on time.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::string::String;
use alloc::sync::Arc;
use chanutil::{arg, arg_u64, usage};
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::SeqCst};
use core::time::Duration;
use rt0::chan::Chan;
use rt0::io::Read;
use rt0::time::{nanotime, sleep};

rt0::main!(main);

static WORKER_TURNS: AtomicU64 = AtomicU64::new(0);
static STOP: AtomicBool = AtomicBool::new(false);

fn main() {
    let mode = arg(1);
    let ms = arg_u64(2, 50);
    if !matches!(mode, "blocking" | "raw" | "file") {
        usage(mode);
    }
    let (r, w) = rt0::os::pipe_raw().expect("pipe2");
    let entered = Arc::new(AtomicU32::new(0));
    let done: Chan<u8> = Chan::new(1);
    {
        let (entered, done) = (entered.clone(), done.clone());
        let mode = String::from(mode);
        rt0::runtime::go(move || {
            let mut buf = [0u8; 1];
            let n = match mode.as_str() {
                "blocking" => {
                    entered.store(1, SeqCst);
                    rt0::runtime::blocking(|| rt0::os::read(r, &mut buf)).map_err(|_| ())
                }
                "raw" => {
                    entered.store(1, SeqCst);
                    rt0::os::read(r, &mut buf).map_err(|_| ())
                }
                _ => {
                    let mut path = String::new();
                    let _ = write!(path, "/proc/self/fd/{r}");
                    let mut f = rt0::fs::File::open(path.as_str()).expect("open the pipe");
                    entered.store(1, SeqCst);
                    f.read(&mut buf).map_err(|_| ())
                }
            };
            if n != Ok(1) {
                rt0::eprintln!("FAIL: read gave {n:?}");
                rt0::process::exit(1);
            }
            done.send(buf[0]).unwrap();
        });
    }
    let workers_done: Chan<()> = Chan::new(1);
    {
        let workers_done = workers_done.clone();
        rt0::runtime::go(move || {
            while !STOP.load(SeqCst) {
                WORKER_TURNS.fetch_add(1, SeqCst);
                rt0::runtime::gosched();
            }
            workers_done.send(()).unwrap();
        });
    }
    // Let the reader reach its read (it needs the P once), then show that
    // this goroutine and the worker still run while it blocks.
    while entered.load(SeqCst) == 0 {
        rt0::runtime::gosched();
    }
    let t0 = nanotime();
    sleep(Duration::from_millis(ms));
    let slept = nanotime() - t0;
    let turns = WORKER_TURNS.load(SeqCst);
    rt0::os::write_all(w, b"x").expect("write");
    let b = done.recv().unwrap();
    STOP.store(true, SeqCst);
    workers_done.recv().unwrap();
    rt0::println!(
        "mode={mode} slept_us={} worker_turns_before_write={turns} read={}",
        slept / 1_000,
        b as char
    );
}
