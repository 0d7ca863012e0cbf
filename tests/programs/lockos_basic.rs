//! `lock_os_thread` / `unlock_os_thread` (Go's `TestLockOSThread*`
//! ideas, rewritten for rt0). Each mode prints `key=value` lines that
//! tests/lockos.rs checks exactly.
//!
//! - `stay N`: the main goroutine and a second goroutine lock themselves
//!   and do N channel round trips each with unlocked partners, sleeping
//!   every 64th round and yielding every 16th; each checks its thread id
//!   (`gettid`) every round (`moved`: rounds seen on another thread), and
//!   every unlocked goroutine checks that it never runs on a locked
//!   thread (`intruders`).
//! - `exit N`: the main goroutine locks itself (so m0 runs nothing else);
//!   N times a goroutine locks, reports its thread id and exits: that
//!   thread must leave /proc/self/task (`gone`), and the thread count must
//!   not grow (`threads_before`, `threads_after`).
//! - `nested`: lock twice, unlock once: still locked and on its thread
//!   across sleeps; unlock again: unlocked; one more unlock: no effect.
//! - `syscall N`: a locked goroutine goes through `blocking` N times while
//!   another goroutine keeps the only P busy, so that coming back often
//!   finds no idle P: it must still come back on its own thread.
//! - `deadlock_main`, `deadlock_both`: the locked main goroutine (and a
//!   second locked goroutine) park forever: Go's deadlock report.
//! - `main_goexit`: the locked main goroutine calls `goexit`: m0 is
//!   wedged, not ended (its task stays in /proc/self/task, asleep), and another
//!   goroutine goes on and ends the program; `main_goexit_alone`: with
//!   nothing left, Go's "no goroutines (main called runtime.Goexit)".
//! - `timer`: the locked main goroutine sleeps while nothing else runs:
//!   no deadlock report; `io`: a locked goroutine waits on a pipe in the
//!   netpoller, written 20 ms later: no deadlock report.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::format;
use alloc::sync::Arc;
use chanutil::{arg, arg_u64, usage, wait_parked};
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering::SeqCst};
use core::time::Duration;
use rt0::chan::Chan;
use rt0::export_test::{current_p, gettid, os_thread_locked};
use rt0::runtime::{go, gosched, lock_os_thread, unlock_os_thread};
use rt0::sync::WaitGroup;
use rt0::time::{nanotime, sleep};

rt0::main!(main);

/// Thread ids of the goroutines locked now (0: free slot).
static LOCKED_TIDS: [AtomicI32; 2] = [AtomicI32::new(0), AtomicI32::new(0)];
static INTRUDERS: AtomicU64 = AtomicU64::new(0);

/// Counts an intruder if this unlocked goroutine runs on a locked
/// thread. The check counts only when the goroutine was not rescheduled
/// between reading its thread id and the locked ids (same P, same
/// `schedtick`): a preemption in between could move it off a thread that
/// another goroutine then locks, and the stale id would look like an
/// intrusion.
fn check_not_locked_thread() {
    let before = current_p();
    let me = gettid();
    let hit = LOCKED_TIDS.iter().any(|t| t.load(SeqCst) == me);
    if hit && current_p() == before {
        INTRUDERS.fetch_add(1, SeqCst);
    }
}

/// A locked goroutine's side of `stay`: N round trips with a partner.
fn locked_rounds(slot: usize, n: u64) -> u64 {
    lock_os_thread();
    let tid = gettid();
    LOCKED_TIDS[slot].store(tid, SeqCst);
    let ping: Chan<u64> = Chan::new(0);
    let pong: Chan<u64> = Chan::new(0);
    {
        let (ping, pong) = (ping.clone(), pong.clone());
        go(move || {
            while let Ok(v) = ping.recv() {
                check_not_locked_thread();
                if pong.send(v + 1).is_err() {
                    break;
                }
            }
        });
    }
    let mut moved = 0;
    for i in 0..n {
        ping.send(i).unwrap();
        if pong.recv().unwrap() != i + 1 {
            usage("pong value");
        }
        if i % 64 == 0 {
            sleep(Duration::from_micros(50));
        }
        if i % 16 == 0 {
            gosched();
        }
        if gettid() != tid {
            moved += 1;
        }
    }
    ping.close();
    LOCKED_TIDS[slot].store(0, SeqCst);
    unlock_os_thread();
    moved
}

fn stay(n: u64) {
    let done = Arc::new(WaitGroup::new());
    let stop = Arc::new(AtomicBool::new(false));
    // Unlocked goroutines that keep every P busy, each checking its thread.
    for _ in 0..4 {
        let (done, stop) = (done.clone(), stop.clone());
        done.add(1);
        go(move || {
            while !stop.load(SeqCst) {
                check_not_locked_thread();
                gosched();
            }
            done.done();
        });
    }
    let other_moved = Arc::new(AtomicU64::new(0));
    let fin = Arc::new(WaitGroup::new());
    {
        let (fin, other_moved) = (fin.clone(), other_moved.clone());
        fin.add(1);
        go(move || {
            other_moved.store(locked_rounds(1, n), SeqCst);
            fin.done();
        });
    }
    let moved = locked_rounds(0, n);
    fin.wait();
    stop.store(true, SeqCst);
    done.wait();
    rt0::println!("rounds={n}");
    rt0::println!("moved={}", moved + other_moved.load(SeqCst));
    rt0::println!("intruders={}", INTRUDERS.load(SeqCst));
}

fn thread_count() -> usize {
    match rt0::fs::read_dir("/proc/self/task") {
        Ok(d) => d.filter(|e| e.is_ok()).count(),
        Err(_) => usage("/proc/self/task"),
    }
}

fn task_exists(tid: i32) -> bool {
    rt0::fs::exists(format!("/proc/self/task/{tid}").as_str()).unwrap_or(true)
}

fn exit(n: u64) {
    lock_os_thread();
    let main_tid = gettid();
    // Warm up: one goroutine run, so the M that runs others exists.
    let warm: Chan<()> = Chan::new(0);
    {
        let warm = warm.clone();
        go(move || warm.send(()).unwrap());
    }
    warm.recv().unwrap();
    let before = thread_count();
    let mut gone = 0;
    let mut on_main = 0;
    for _ in 0..n {
        let tids: Chan<i32> = Chan::new(1);
        {
            let tids = tids.clone();
            go(move || {
                lock_os_thread();
                tids.send(gettid()).unwrap();
                // Returns locked: the thread ends with the goroutine.
            });
        }
        let tid = tids.recv().unwrap();
        if tid == main_tid {
            on_main += 1;
        }
        let deadline = nanotime() + 10_000_000_000;
        while task_exists(tid) && nanotime() < deadline {
            sleep(Duration::from_micros(200));
        }
        if !task_exists(tid) {
            gone += 1;
        }
    }
    let after = thread_count();
    rt0::println!("exited={n}");
    rt0::println!("gone={gone}");
    rt0::println!("on_main={on_main}");
    rt0::println!("threads_before={before}");
    rt0::println!("threads_after={after}");
    rt0::println!("main_stayed={}", gettid() == main_tid);
}

fn nested() {
    let tid = gettid();
    lock_os_thread();
    lock_os_thread();
    unlock_os_thread();
    let mut moved = 0;
    for _ in 0..50 {
        sleep(Duration::from_micros(100));
        gosched();
        if gettid() != tid {
            moved += 1;
        }
    }
    rt0::println!("after_one_unlock={}", os_thread_locked());
    rt0::println!("moved={moved}");
    unlock_os_thread();
    rt0::println!("after_two_unlocks={}", os_thread_locked());
    unlock_os_thread();
    rt0::println!("after_extra_unlock={}", os_thread_locked());
    lock_os_thread();
    rt0::println!("relocked={}", os_thread_locked());
    unlock_os_thread();
}

fn syscall(n: u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let busy_done = Arc::new(WaitGroup::new());
    {
        let (stop, busy_done) = (stop.clone(), busy_done.clone());
        busy_done.add(1);
        go(move || {
            while !stop.load(SeqCst) {
                check_not_locked_thread();
                gosched();
            }
            busy_done.done();
        });
    }
    lock_os_thread();
    let tid = gettid();
    LOCKED_TIDS[0].store(tid, SeqCst);
    let mut moved = 0;
    let mut moved_inside = 0;
    for _ in 0..n {
        let inside = rt0::runtime::blocking(|| {
            let t0 = nanotime();
            while nanotime() - t0 < 20_000 {
                core::hint::spin_loop();
            }
            gettid()
        });
        if inside != tid {
            moved_inside += 1;
        }
        if gettid() != tid {
            moved += 1;
        }
    }
    LOCKED_TIDS[0].store(0, SeqCst);
    unlock_os_thread();
    stop.store(true, SeqCst);
    busy_done.wait();
    rt0::println!("calls={n}");
    rt0::println!("moved={}", moved + moved_inside);
    rt0::println!("intruders={}", INTRUDERS.load(SeqCst));
}

fn deadlock(both: bool) {
    lock_os_thread();
    let never: Chan<()> = Chan::new(0);
    if both {
        let never = never.clone();
        go(move || {
            lock_os_thread();
            let _ = never.recv();
        });
        wait_parked("chan receive", 1);
    }
    let _ = never.recv();
    rt0::println!("unreachable");
}

fn main_goexit(alone: bool) {
    lock_os_thread();
    let main_tid = gettid();
    if !alone {
        go(move || {
            wait_parked_main();
            sleep(Duration::from_millis(20));
            // Wedged: asleep (S), not a zombie (Z) nor gone.
            rt0::println!("m0_state={}", task_state(main_tid));
            rt0::println!("still_running=true");
            rt0::process::exit(0);
        });
    }
    rt0::runtime::goexit()
}

/// The state letter of thread `tid` (`/proc/self/task/TID/stat`, the
/// field after the command's closing parenthesis), or `-` if none.
fn task_state(tid: i32) -> char {
    let path = format!("/proc/self/task/{tid}/stat");
    match rt0::fs::read_to_string(path.as_str()) {
        Ok(s) => s
            .rsplit_once(") ")
            .and_then(|(_, rest)| rest.chars().next())
            .unwrap_or('?'),
        Err(_) => '-',
    }
}

/// Waits until the main goroutine is gone (dead: not counted).
fn wait_parked_main() {
    let deadline = nanotime() + 10_000_000_000;
    while rt0::runtime::num_goroutine() > 1 && nanotime() < deadline {
        sleep(Duration::from_micros(200));
    }
}

fn timer() {
    lock_os_thread();
    let t0 = nanotime();
    sleep(Duration::from_millis(30));
    rt0::println!("slept_enough={}", nanotime() - t0 >= 30_000_000);
}

fn io() {
    let (r, w) = match rt0::export_test::poll_pipe() {
        Ok(p) => p,
        Err(_) => usage("pipe"),
    };
    let got: Chan<usize> = Chan::new(1);
    {
        let got = got.clone();
        go(move || {
            lock_os_thread();
            let mut buf = [0u8; 8];
            let n = r.read(&mut buf).unwrap_or(0);
            got.send(n).unwrap();
        });
    }
    wait_parked("IO wait", 1);
    // Main waits on a timer meanwhile; then the write wakes the reader.
    sleep(Duration::from_millis(20));
    w.write_all(b"abc").unwrap();
    rt0::println!("read={}", got.recv().unwrap());
}

fn main() {
    match arg(1) {
        "stay" => stay(arg_u64(2, 2000)),
        "exit" => exit(arg_u64(2, 5)),
        "nested" => nested(),
        "syscall" => syscall(arg_u64(2, 500)),
        "deadlock_main" => deadlock(false),
        "deadlock_both" => deadlock(true),
        "main_goexit" => main_goexit(false),
        "main_goexit_alone" => main_goexit(true),
        "timer" => timer(),
        "io" => io(),
        other => usage(other),
    }
}
