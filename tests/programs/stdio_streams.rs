//! The standard streams and `os::pipe` (tests/stdio.rs runs every mode).
//!
//! - `lines`: a ticker goroutine prints `tick N` every 10 ms while main
//!   reads stdin with `stdin().lines()`, printing `line: TEXT` for each;
//!   at end of input it prints `eof lines=N bytes=B ticks_before_first=T`
//!   (T: ticks printed before the first line arrived) and exits 0. With
//!   GOMAXPROCS=1 the ticks keep coming while stdin has no data: the read
//!   parks on the netpoller instead of holding the only P.
//! - `interleave G N`: G goroutines each write N lines, alternating
//!   `println!` and `stdout().lock()` with several `write_all`s per line
//!   (and a `println!` inside the lock, which is reentrant). A line is
//!   `g=G i=I ` then 40 letters `'a' + (G + I) % 26`, then `|`.
//! - `eof`: `read_line` and `read_to_end` on stdin; prints
//!   `read_line=N read_to_end=M` (0 and 0 at end of input) or, for each
//!   call that fails, `NAME: error raw=E`.
//! - `write`: `writeln!(stdout(), ..)`, then `println!`; reports on
//!   stderr `stdout: ok` or `stdout: error raw=E kind=K: TEXT`, then
//!   `done` (the program never crashes on a bad stdout).
//! - `hold`: reads one line of stdin (the stream goes on the netpoller),
//!   prints `ready` on stdout, then reads stdin to its end and prints
//!   `bye`: the test looks at the shared description's flags meanwhile
//!   and after exit. `hold exit`: calls `process::exit(0)` after `ready`
//!   and one more line; `hold sleep`: after `ready` sleeps until killed.
//! - `panic_locked`: main takes `stdout().lock()`, writes `partial`,
//!   starts a goroutine that blocks in `println!` on that lock, and
//!   panics holding it: the report still comes out (exit 2).
//! - `pipe`: `os::pipe()`: a writer goroutine sends 1 MiB in pieces of
//!   several sizes (through a `try_clone`d writer for half of them), the
//!   reader checks every byte and sees EOF once both writers are gone;
//!   then a write with the reader dropped is `BrokenPipe`, not a death.
//!   Prints `bytes=B bad=X eof=1 fds_above_2=1 broken=1`.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};
use core::time::Duration;

use rt0::io::{self, BufRead, Read, Write};
use rt0::sync::WaitGroup;

rt0::main!(main);

/// How long the ticker waits between ticks.
const TICK: Duration = Duration::from_millis(10);
/// Letters per `interleave` line.
const LETTERS: usize = 40;
/// Bytes `pipe` mode sends.
const PIPE_BYTES: usize = 1 << 20;

static TICKS: AtomicU64 = AtomicU64::new(0);

fn lines() {
    rt0::runtime::go(|| {
        loop {
            let n = TICKS.fetch_add(1, SeqCst) + 1;
            rt0::println!("tick {n}");
            rt0::time::sleep(TICK);
        }
    });
    let mut count = 0u64;
    let mut bytes = 0u64;
    let mut before_first = None;
    for line in io::stdin().lines() {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                rt0::println!("error {e}");
                rt0::process::exit(1);
            }
        };
        before_first.get_or_insert(TICKS.load(SeqCst));
        count += 1;
        bytes += line.len() as u64 + 1;
        rt0::println!("line: {line}");
    }
    rt0::println!(
        "eof lines={count} bytes={bytes} ticks_before_first={}",
        before_first.unwrap_or(TICKS.load(SeqCst))
    );
}

fn interleave(goroutines: u64, n: u64) {
    let wg = Arc::new(WaitGroup::new());
    for g in 0..goroutines {
        wg.add(1);
        let wg = wg.clone();
        rt0::runtime::go(move || {
            for i in 0..n {
                let letter = b'a' + ((g + i) % 26) as u8;
                let letters = [letter; LETTERS];
                let text = core::str::from_utf8(&letters).unwrap_or("?");
                match i % 3 {
                    0 => rt0::println!("g={g} i={i} {text}|"),
                    1 => {
                        let out = io::stdout();
                        let mut l = out.lock();
                        let _ = l.write_all(b"g=");
                        let _ = write!(l, "{g}");
                        let _ = l.write_all(b" i=");
                        let _ = write!(l, "{i} ");
                        rt0::runtime::gosched();
                        let _ = l.write_all(&letters);
                        let _ = l.write_all(b"|\n");
                    }
                    _ => {
                        // A println! inside the lock: the lock is reentrant.
                        let out = io::stdout();
                        let mut l = out.lock();
                        let _ = write!(l, "g={g} ");
                        rt0::println!("i={i} {text}|");
                    }
                }
                if i.is_multiple_of(16) {
                    rt0::runtime::gosched();
                }
            }
            wg.done();
        });
    }
    wg.wait();
}

fn eof() {
    let mut s = String::new();
    match io::stdin().read_line(&mut s) {
        Ok(n) => rt0::print!("read_line={n} "),
        Err(e) => rt0::print!("read_line: error raw={:?} ", e.raw_os_error()),
    }
    let mut v = Vec::new();
    match io::stdin().read_to_end(&mut v) {
        Ok(n) => rt0::println!("read_to_end={n}"),
        Err(e) => rt0::println!("read_to_end: error raw={:?}", e.raw_os_error()),
    }
}

fn write_mode() {
    match writeln!(io::stdout(), "to stdout") {
        Ok(()) => rt0::eprintln!("stdout: ok"),
        Err(e) => rt0::eprintln!(
            "stdout: error raw={:?} kind={:?}: {e}",
            e.raw_os_error(),
            e.kind()
        ),
    }
    rt0::println!("println after");
    rt0::eprintln!("done");
}

fn hold(how: &str) {
    let stdin = io::stdin();
    let mut l = stdin.lock();
    let mut s = String::new();
    let _ = l.read_line(&mut s);
    rt0::println!("ready");
    match how {
        "exit" => {
            s.clear();
            let _ = l.read_line(&mut s);
            rt0::process::exit(0);
        }
        "sleep" => loop {
            rt0::time::sleep(Duration::from_secs(1));
        },
        _ => {
            let mut v = Vec::new();
            let _ = l.read_to_end(&mut v);
            rt0::println!("bye");
        }
    }
}

fn pipe_mode() {
    let (r, w) = match rt0::os::pipe() {
        Ok(p) => p,
        Err(e) => {
            rt0::println!("pipe: {e}");
            rt0::process::exit(1);
        }
    };
    let fds_above = (r.as_raw_fd() > 2 && w.as_raw_fd() > 2) as u8;
    let w2 = w.try_clone().expect("try_clone");
    rt0::runtime::go(move || {
        let mut sent = 0usize;
        let mut k = 0usize;
        while sent < PIPE_BYTES {
            let len = [1usize, 7, 100, 4096, 65536, 70000][k % 6].min(PIPE_BYTES - sent);
            let piece: Vec<u8> = (sent..sent + len).map(|i| (i % 251) as u8).collect();
            let target = if k.is_multiple_of(2) { &w } else { &w2 };
            let mut t = target;
            t.write_all(&piece).expect("pipe write");
            sent += len;
            k += 1;
            if k.is_multiple_of(5) {
                rt0::runtime::gosched();
            }
        }
        drop(w);
        drop(w2);
    });
    let mut buf = vec![0u8; 3000];
    let mut got = 0usize;
    let mut bad = 0usize;
    let mut rr = &r;
    loop {
        match rr.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                for (j, &b) in buf[..n].iter().enumerate() {
                    if b != ((got + j) % 251) as u8 {
                        bad += 1;
                    }
                }
                got += n;
            }
            Err(e) => {
                rt0::println!("read: {e}");
                rt0::process::exit(1);
            }
        }
    }
    // A second pipe: write after its reader is gone.
    let (r3, mut w3) = rt0::os::pipe().expect("pipe");
    drop(r3);
    let broken = match w3.write(b"x") {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 1,
        _ => 0,
    };
    rt0::println!("bytes={got} bad={bad} eof=1 fds_above_2={fds_above} broken={broken}");
}

fn panic_locked() {
    let out = io::stdout();
    let mut l = out.lock();
    let _ = l.write_all(b"partial");
    rt0::runtime::go(|| rt0::println!("never printed"));
    rt0::runtime::gosched();
    panic!("boom while holding stdout");
}

fn main() {
    let args: Vec<&[u8]> = rt0::env::args().collect();
    let arg = |i: usize| {
        args.get(i)
            .and_then(|a| core::str::from_utf8(a).ok())
            .unwrap_or("")
    };
    let num = |i: usize| arg(i).parse::<u64>().unwrap_or(0);
    match arg(1) {
        "lines" => lines(),
        "interleave" => interleave(num(2), num(3)),
        "eof" => eof(),
        "write" => write_mode(),
        "hold" => hold(arg(2)),
        "pipe" => pipe_mode(),
        "panic_locked" => panic_locked(),
        m => {
            rt0::eprintln!("unknown mode {m:?}");
            rt0::process::exit(64);
        }
    }
}
