//! `rt0::os::signal` driven from outside (tests/os_signal.rs).
//!
//! `script`: prints `ready`, then reads commands from stdin, one a line,
//! and answers each with one line on stdout (the harness waits for the
//! answer before it sends a signal or the next command, so nothing here
//! depends on timing). Channels are named by one word:
//!
//! | command | answer |
//! |---|---|
//! | `chan NAME CAP` | `ok` (a new channel of capacity CAP) |
//! | `notify NAME SIG...` (no SIG: every signal) | `ok` |
//! | `stop NAME`, `close NAME` | `ok` |
//! | `ignore SIG...`, `reset SIG...` (none: every signal) | `ok` |
//! | `ignored SIG` | `ignored SIG true` or `... false` |
//! | `recv NAME` (blocks) | `NAME SIG` |
//! | `try NAME` | `NAME SIG` or `NAME empty` |
//! | `count NAME` (drains it) | `NAME count N` |
//! | `raise SIG` | `ok` (sent to this process by `signal::raise`) |
//! | `ping` | `pong` |
//! | `brokenpipe` | `write EPIPE`: a write to a pipe of its own whose reader is closed |
//! | `breakstdout` | `ok`, then fd 1 becomes a pipe whose reader is closed (later answers are lost: the exit status tells) |
//! | `fault` | none: a nil dereference, Go's panic |
//! | `exit` | `bye`, then exit 0 |
//!
//! A signal is named as `SIGUSR1` or by number (`40`).
//!
//! `busy GOROUTINES`: GOROUTINES goroutines pass a token round a ring of
//! channels and yield, forever busy; main notifies SIGINT, prints
//! `ready`, waits for it, prints `got SIGINT`, stops the ring and prints
//! `stopped passes>0 true`.
//!
//! `stress ROUNDS`: four goroutines, each with its own signal (SIGUSR1,
//! SIGUSR2, SIGWINCH, SIGALRM) and channel, each ROUNDS times: raise its
//! signal, wait until its channel delivers it. Prints `ready`, then
//! `stress rounds=4*ROUNDS received=N other=M` (exact: a signal is raised
//! again only after the last one arrived, so nothing coalesces).
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};

use rt0::chan::Chan;
use rt0::os::signal::{self, Signal};
use rt0::sync::WaitGroup;

rt0::main!(main);

const STDIN: i32 = 0;

fn main() {
    match rt0::env::args().nth(1).unwrap_or(b"") {
        b"script" => script(),
        b"busy" => busy(rt0::env::arg(2).unwrap_or(8)),
        b"stress" => stress(rt0::env::arg(2).unwrap_or(1000)),
        _ => rt0::println!("usage: os_signal script|busy G|stress ROUNDS"),
    }
}

/// Reads stdin one line at a time (through `blocking`, so the P runs the
/// signal receiver meanwhile).
struct Lines {
    buf: Vec<u8>,
}

impl Lines {
    fn next(&mut self) -> Option<String> {
        loop {
            if let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=i).collect();
                return Some(String::from_utf8_lossy(&line[..i]).into_owned());
            }
            let mut chunk = [0u8; 256];
            match rt0::runtime::blocking(|| rt0::os::read(STDIN, &mut chunk)) {
                Ok(0) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                // qemu-user interrupts a read for signals the guest
                // handles or ignores: retry, as Go's os.File does.
                Err(rt0::os::Errno::EINTR) => {}
                Err(e) => {
                    rt0::println!("read: errno {}", e.0);
                    return None;
                }
            }
        }
    }
}

// System calls the test needs beside the runtime's own (`<asm/unistd_64.h>`),
// made raw so the program does not depend on the fd API.
const SYS_WRITE: usize = 1;
const SYS_CLOSE: usize = 3;
const SYS_DUP2: usize = 33;
const SYS_PIPE2: usize = 293;
const O_CLOEXEC: usize = 0o2000000;
const STDOUT: usize = 1;

/// A raw system call with three arguments; a failure ends the program.
fn sys(nr: usize, [a, b, c]: [usize; 3]) -> usize {
    // SAFETY: the callers pass descriptors and flags only, no pointers.
    unsafe { rt0::os::syscall6(nr, [a, b, c, 0, 0, 0]) }.expect("system call")
}

/// A new pipe: (read end, write end).
fn pipe() -> (i32, i32) {
    let mut fds = [0i32; 2];
    // SAFETY: pipe2(2) writes two ints into `fds`, which lives across the call.
    unsafe {
        rt0::os::syscall6(
            SYS_PIPE2,
            [fds.as_mut_ptr() as usize, O_CLOEXEC, 0, 0, 0, 0],
        )
    }
    .expect("pipe2");
    (fds[0], fds[1])
}

fn parse_signal(s: &str) -> Signal {
    if let Ok(n) = s.parse::<i32>() {
        return Signal::from_raw(n).expect("a signal number 1..=64");
    }
    (1..=64)
        .filter_map(Signal::from_raw)
        .find(|sig| sig.name() == Some(s))
        .unwrap_or_else(|| panic!("unknown signal {s}"))
}

fn show(sig: Signal) -> String {
    match sig.name() {
        Some(n) => String::from(n),
        None => alloc::format!("{}", sig.as_raw()),
    }
}

fn script() {
    let mut chans: Vec<(String, Chan<Signal>)> = Vec::new();
    let mut lines = Lines { buf: Vec::new() };
    rt0::println!("ready");
    while let Some(line) = lines.next() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some((&cmd, args)) = words.split_first() else {
            continue;
        };
        let find = |chans: &Vec<(String, Chan<Signal>)>, name: &str| {
            chans
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, c)| c.clone())
                .unwrap_or_else(|| panic!("no channel {name}"))
        };
        match cmd {
            "chan" => {
                let cap = args[1].parse().expect("a capacity");
                chans.push((String::from(args[0]), Chan::new(cap)));
                rt0::println!("ok");
            }
            "notify" => {
                let c = find(&chans, args[0]);
                let sigs: Vec<Signal> = args[1..].iter().map(|s| parse_signal(s)).collect();
                signal::notify(&c, &sigs);
                rt0::println!("ok");
            }
            "stop" => {
                signal::stop(&find(&chans, args[0]));
                rt0::println!("ok");
            }
            "close" => {
                find(&chans, args[0]).close();
                rt0::println!("ok");
            }
            "ignore" | "reset" => {
                let sigs: Vec<Signal> = args.iter().map(|s| parse_signal(s)).collect();
                if cmd == "ignore" {
                    signal::ignore(&sigs);
                } else {
                    signal::reset(&sigs);
                }
                rt0::println!("ok");
            }
            "ignored" => {
                let sig = parse_signal(args[0]);
                rt0::println!("ignored {} {}", args[0], signal::ignored(sig));
            }
            "recv" => {
                let sig = find(&chans, args[0]).recv().expect("an open channel");
                rt0::println!("{} {}", args[0], show(sig));
            }
            "try" => match find(&chans, args[0]).try_recv() {
                Ok(sig) => rt0::println!("{} {}", args[0], show(sig)),
                Err(_) => rt0::println!("{} empty", args[0]),
            },
            "count" => {
                let c = find(&chans, args[0]);
                let mut n = 0;
                while c.try_recv().is_ok() {
                    n += 1;
                }
                rt0::println!("{} count {n}", args[0]);
            }
            "raise" => {
                signal::raise(parse_signal(args[0])).expect("kill(getpid())");
                rt0::println!("ok");
            }
            "ping" => rt0::println!("pong"),
            "brokenpipe" => {
                let (r, w) = pipe();
                sys(SYS_CLOSE, [r as usize, 0, 0]);
                let byte = [b'x'];
                // SAFETY: write(2) of one byte from a live buffer.
                let res = unsafe {
                    rt0::os::syscall6(SYS_WRITE, [w as usize, byte.as_ptr() as usize, 1, 0, 0, 0])
                };
                sys(SYS_CLOSE, [w as usize, 0, 0]);
                match res {
                    Err(e) if e == rt0::os::Errno::EPIPE => rt0::println!("write EPIPE"),
                    other => rt0::println!("write {other:?}"),
                }
            }
            "breakstdout" => {
                rt0::println!("ok");
                let (r, w) = pipe();
                sys(SYS_CLOSE, [r as usize, 0, 0]);
                sys(SYS_DUP2, [w as usize, STDOUT, 0]);
                sys(SYS_CLOSE, [w as usize, 0, 0]);
            }
            "fault" => {
                let p: *const u64 = core::hint::black_box(core::ptr::null());
                // SAFETY: none: this is the nil dereference the test wants
                // the runtime to report (Go's panic), with SIGSEGV notified.
                let v = unsafe { core::ptr::read_volatile(p) };
                rt0::println!("read {v}");
            }
            "exit" => {
                rt0::println!("bye");
                return;
            }
            other => rt0::println!("unknown command {other}"),
        }
    }
}

static STOP: AtomicBool = AtomicBool::new(false);
static PASSES: AtomicU64 = AtomicU64::new(0);
static BUSY: WaitGroup = WaitGroup::new();

fn busy(goroutines: usize) {
    // Half of them spin and yield; the rest pass a token round a ring of
    // channels (one token: each receive parks until its turn).
    let spinners = goroutines / 2;
    let ring_len = (goroutines - spinners).max(2);
    for _ in 0..spinners {
        BUSY.add(1);
        rt0::runtime::go(|| {
            while !STOP.load(SeqCst) {
                PASSES.fetch_add(1, SeqCst);
                rt0::runtime::gosched();
            }
            BUSY.done();
        });
    }
    let ring: Vec<Chan<u64>> = (0..ring_len).map(|_| Chan::new(1)).collect();
    for i in 0..ring_len {
        let (from, to) = (ring[i].clone(), ring[(i + 1) % ring_len].clone());
        BUSY.add(1);
        rt0::runtime::go(move || {
            // The one that sees STOP closes the next channel; each that
            // finds its channel closed closes the next: every channel of
            // the ring is closed once.
            while let Ok(token) = from.recv() {
                PASSES.fetch_add(1, SeqCst);
                if STOP.load(SeqCst) {
                    break;
                }
                // Without preemption, a ring that only hands the P on
                // through `runnext` would starve every other goroutine
                // (the signal receiver too): yield as a busy Go program
                // gets preempted.
                rt0::runtime::gosched();
                let _ = to.send(token + 1);
            }
            to.close();
            BUSY.done();
        });
    }
    let c: Chan<Signal> = Chan::new(1);
    signal::notify(&c, &[Signal::SIGINT]);
    ring[0].send(0).unwrap();
    rt0::println!("ready");
    let sig = c.recv().unwrap();
    rt0::println!("got {}", show(sig));
    STOP.store(true, SeqCst);
    BUSY.wait();
    rt0::println!("stopped passes>0 {}", PASSES.load(SeqCst) > 0);
}

static RECEIVED: AtomicU64 = AtomicU64::new(0);
static OTHER: AtomicU64 = AtomicU64::new(0);
static STRESS: WaitGroup = WaitGroup::new();

fn stress(rounds: u64) {
    let sigs = [
        Signal::SIGUSR1,
        Signal::SIGUSR2,
        Signal::SIGWINCH,
        Signal::SIGALRM,
    ];
    rt0::println!("ready");
    for sig in sigs {
        let c: Chan<Signal> = Chan::new(1);
        signal::notify(&c, &[sig]);
        STRESS.add(1);
        rt0::runtime::go(move || {
            for _ in 0..rounds {
                signal::raise(sig).expect("kill(getpid())");
                match c.recv() {
                    Ok(got) if got == sig => RECEIVED.fetch_add(1, SeqCst),
                    _ => OTHER.fetch_add(1, SeqCst),
                };
            }
            signal::stop(&c);
            STRESS.done();
        });
    }
    STRESS.wait();
    rt0::println!(
        "stress rounds={} received={} other={}",
        sigs.len() as u64 * rounds,
        RECEIVED.load(SeqCst),
        OTHER.load(SeqCst)
    );
}
