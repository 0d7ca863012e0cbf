//! A program that waits for a signal from its parent: Go's default
//! dispositions (tests/signals.rs sends them).
//!
//! `wait`: goroutine 2 parks on a channel receive nobody sends to,
//! goroutine 3 sleeps for an hour, then main prints `ready` and blocks in
//! `read` on stdin (goroutine 1 [syscall]). When stdin reaches end of file
//! (the parent closes it) main prints `done` and returns: exit 0. A signal
//! the runtime ignores changes nothing; SIGTERM ends the program by the
//! signal; SIGQUIT and its class print Go's dump and exit 2.
//!
//! `threads`: prints `ready`, then keeps creating Ms: every millisecond a
//! new goroutine blocks in `read` on stdin through `blocking`, which hands
//! its P to another M, so each new blocker needs a new thread. A SIGQUIT
//! sent meanwhile may land on a thread `clone` has just made; the dump must
//! still name a real M (tests/signals.rs checks `m=` is never -1). When
//! stdin reaches end of file every reader returns and main prints `done`.
//!
//! `divide`: a `div` by zero in asm (Rust's own division checks first):
//! the CPU's divide error, which Go reports as a runtime-error panic.
#![no_std]
#![no_main]
use core::time::Duration;
use rt0::chan::Chan;
use rt0::os as file;

rt0::main!(main);

/// Standard input: the parent's pipe.
const STDIN: i32 = 0;

fn main() {
    match rt0::env::args().nth(1).unwrap_or(b"") {
        b"wait" => wait(),
        b"threads" => threads(),
        b"divide" => divide(),
        _ => rt0::println!("usage: signal_wait wait|threads|divide"),
    }
}

fn wait() {
    let never: Chan<u32> = Chan::new(0);
    let parked = never.clone();
    let started: Chan<()> = Chan::new(2);
    let (s2, s3) = (started.clone(), started.clone());
    rt0::runtime::go(move || {
        s2.send(()).unwrap();
        let _ = parked.recv();
    });
    rt0::runtime::go(move || {
        s3.send(()).unwrap();
        rt0::time::sleep(Duration::from_secs(3600));
    });
    started.recv().unwrap();
    started.recv().unwrap();
    // Let both reach their park (a receive, then a timer sleep).
    rt0::time::sleep(Duration::from_millis(10));
    rt0::println!("ready");
    read_to_eof();
    rt0::println!("done");
    drop(never);
}

/// Blocked readers `threads` starts at most (one M each).
const MAX_READERS: usize = 400;

fn threads() {
    let ended: Chan<()> = Chan::new(MAX_READERS);
    rt0::println!("ready");
    let mut started = 0;
    while started < MAX_READERS && ended.is_empty() {
        let ended = ended.clone();
        rt0::runtime::go(move || {
            read_to_eof();
            ended.send(()).unwrap();
        });
        started += 1;
        rt0::time::sleep(Duration::from_millis(1));
    }
    for _ in 0..started {
        ended.recv().unwrap();
    }
    rt0::println!("done");
}

/// Reads stdin until end of file, blocking the M (not the P) meanwhile.
fn read_to_eof() {
    let mut buf = [0u8; 16];
    loop {
        match rt0::runtime::blocking(|| file::read(STDIN, &mut buf)) {
            Ok(0) => return,
            // qemu-user interrupts a guest read even for a signal the
            // guest ignores (SIG_IGN) and answers EINTR; Go's os.File
            // retries it (ignoringEINTRIO), and so does this program.
            Ok(_) | Err(rt0::os::Errno::EINTR) => {}
            Err(e) => {
                rt0::println!("read: errno {}", e.0);
                return;
            }
        }
    }
}

#[inline(never)]
fn divide() {
    let divisor: u64 = core::hint::black_box(0);
    let quotient: u64;
    // SAFETY: `div` by zero raises #DE (SIGFPE) before writing anything;
    // rdx:rax is the dividend, both registers are declared clobbered.
    unsafe {
        core::arch::asm!(
            "div {d}",                 // rdx:rax / d: #DE when d is 0
            d = in(reg) divisor,
            inout("rax") 7u64 => quotient,
            inout("rdx") 0u64 => _,
            options(nomem, nostack),
        );
    }
    rt0::println!("quotient {quotient}");
}
