//! Channels of big elements (Go allows elements up to 64 KiB): 16 KiB
//! and 64 KiB arrays sent between goroutines, and how much stack a
//! channel operation on such an element takes.
//!
//! Usage:
//! - `chan_big run`: the cases below, one line each, `NAME n=N bad=B
//!   sum=S`: N elements went through, B of them arrived with a wrong byte
//!   (must be 0), S the sum of every byte received (depends only on N and
//!   the element size). Each element is filled from its sequence number,
//!   so a lost, repeated or torn element shows in `bad`.
//!   - `small16k`/`small16k_buf`: `[u8; 16384]` between two goroutines
//!     started with `go_with_stack(64 KiB)`, unbuffered and with a
//!     buffer of 4: a 16 KiB element works on a goroutine of the old
//!     default stack, so a channel operation keeps at most about one
//!     element on the stack;
//!   - `main64k`: `[u8; 65536]` from the main goroutine to a default
//!     goroutine and back, unbuffered;
//!   - `go64k_buf`: `[u8; 65536]` between two default goroutines with a
//!     buffer of 2;
//!   - `select16k`: `select!` send and receive cases of `[u8; 16384]` on
//!     64 KiB goroutines.
//! - `chan_big drops`: 16 KiB values whose drops are counted go through
//!   every path (send to a closed channel, a sender parked at close,
//!   hand-offs, the buffer, `try_send` to a full channel, a full buffer
//!   with a parked sender, values left in a dropped channel, `select!`
//!   send cases that do not run or meet a closed channel): prints
//!   `made=N dropped_once=N twice=0 intact=K`, every value dropped
//!   exactly once and every one seen intact.
//! - `chan_big measure`: the stack each channel operation on a 16 KiB
//!   element takes, in bytes, measured on the main goroutine by painting
//!   the stack below it and finding the lowest word the operation wrote
//!   (run with GOMAXPROCS=1, so the peer runs only when main parks or
//!   yields). Not a test: the figures are for README and reviews.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU8, AtomicUsize, Ordering::SeqCst};
use rt0::chan::Chan;
use rt0::sync::WaitGroup;

rt0::main!(main);

const K16: usize = 16 * 1024;
const K64: usize = 64 * 1024;
/// The old default goroutine stack, now the "small stack" of these tests.
const SMALL_STACK: usize = 64 * 1024;
/// Elements sent per case.
const N: u64 = 64;

/// The byte at `j` of element `seq`.
fn byte(seq: u64, j: usize) -> u8 {
    (seq as usize)
        .wrapping_mul(31)
        .wrapping_add(j.wrapping_mul(7)) as u8
}

/// Fills `e` as element `seq`.
#[inline(never)]
fn fill<const B: usize>(e: &mut [u8; B], seq: u64) {
    for (j, b) in e.iter_mut().enumerate() {
        *b = byte(seq, j);
    }
}

/// Checks element `seq`; adds its bytes to `sum`. False if a byte is wrong.
#[inline(never)]
fn check<const B: usize>(e: &[u8; B], seq: u64, sum: &mut u64) -> bool {
    let mut ok = true;
    for (j, &b) in e.iter().enumerate() {
        ok &= b == byte(seq, j);
        *sum += u64::from(b);
    }
    ok
}

/// A sender of N elements of B bytes on `c`.
fn produce<const B: usize>(c: &Chan<[u8; B]>) {
    for seq in 0..N {
        let mut e = [0u8; B];
        fill(&mut e, seq);
        c.send(e).expect("send on an open channel");
    }
}

/// Receives N elements of B bytes from `c`: (bad, sum).
fn consume<const B: usize>(c: &Chan<[u8; B]>) -> (u64, u64) {
    let (mut bad, mut sum) = (0, 0);
    for seq in 0..N {
        let e = c.recv().expect("recv on an open channel");
        if !check(&e, seq, &mut sum) {
            bad += 1;
        }
    }
    (bad, sum)
}

fn line(name: &str, (bad, sum): (u64, u64)) {
    rt0::println!("{name} n={N} bad={bad} sum={sum}");
}

/// Runs `f` on a new goroutine (a `stack`-byte one, or the default) and
/// waits for it.
fn on_goroutine(stack: Option<usize>, f: impl FnOnce() + Send + 'static) -> Arc<WaitGroup> {
    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    let done = wg.clone();
    let body = move || {
        f();
        done.done();
    };
    match stack {
        Some(bytes) => rt0::runtime::go_with_stack(bytes, body),
        None => rt0::runtime::go(body),
    }
    wg
}

/// Producer and consumer on two goroutines of `stack` bytes (or the
/// default), over a channel of capacity `cap`.
fn between<const B: usize>(name: &str, stack: Option<usize>, cap: usize) {
    let c: Chan<[u8; B]> = Chan::new(cap);
    let out: Chan<(u64, u64)> = Chan::new(1);
    let (c1, c2, out2) = (c.clone(), c.clone(), out.clone());
    let p = on_goroutine(stack, move || produce(&c1));
    let q = on_goroutine(stack, move || {
        let r = consume(&c2);
        out2.send(r).expect("result");
    });
    p.wait();
    q.wait();
    line(name, out.recv().expect("result"));
}

/// Main sends N 64 KiB elements to a default goroutine, which sends each
/// back; main checks what comes back.
fn main_and_back() {
    let there: Chan<[u8; K64]> = Chan::new(0);
    let back: Chan<[u8; K64]> = Chan::new(0);
    let (t, b) = (there.clone(), back.clone());
    let echo = on_goroutine(None, move || {
        for _ in 0..N {
            let e = t.recv().expect("recv");
            b.send(e).expect("send");
        }
    });
    let (mut bad, mut sum) = (0, 0);
    for seq in 0..N {
        let mut e = [0u8; K64];
        fill(&mut e, seq);
        there.send(e).expect("send");
        let e = back.recv().expect("recv");
        if !check(&e, seq, &mut sum) {
            bad += 1;
        }
    }
    echo.wait();
    line("main64k", (bad, sum));
}

/// A producer and a consumer that both go through `select!` on 64 KiB
/// goroutines: a send case and a receive case of 16 KiB elements, each
/// beside a receive case of a `Chan<()>` that never becomes ready (a
/// `select` keeps each case's element in the case: one element per big
/// case, plus the received value).
fn select_between() {
    let c: Chan<[u8; K16]> = Chan::new(0);
    let quit: Chan<()> = Chan::new(0);
    let out: Chan<(u64, u64)> = Chan::new(1);
    let (c1, q1, c2, q2, out2) = (
        c.clone(),
        quit.clone(),
        c.clone(),
        quit.clone(),
        out.clone(),
    );
    let p = on_goroutine(Some(SMALL_STACK), move || {
        for seq in 0..N {
            let mut e = [0u8; K16];
            fill(&mut e, seq);
            rt0::select! {
                send(c1, e) -> r => r.expect("send case"),
                recv(q1) -> _ => unreachable!("quit is never sent on"),
            }
        }
    });
    let q = on_goroutine(Some(SMALL_STACK), move || {
        let (mut bad, mut sum) = (0, 0);
        for seq in 0..N {
            rt0::select! {
                recv(c2) -> v => {
                    if !check(&v.expect("recv case"), seq, &mut sum) {
                        bad += 1;
                    }
                },
                recv(q2) -> _ => unreachable!("quit is never sent on"),
            }
        }
        out2.send((bad, sum)).expect("result");
    });
    p.wait();
    q.wait();
    line("select16k", out.recv().expect("result"));
}

fn run() {
    between::<K16>("small16k", Some(SMALL_STACK), 0);
    between::<K16>("small16k_buf", Some(SMALL_STACK), 4);
    main_and_back();
    between::<K64>("go64k_buf", None, 2);
    select_between();
}

/// Values of [`Tracked`] made so far; each has its own id.
static MADE: AtomicUsize = AtomicUsize::new(0);
/// How often each id was dropped (must end at exactly once each).
static DROPS: [AtomicU8; TRACKED_MAX] = [const { AtomicU8::new(0) }; TRACKED_MAX];
const TRACKED_MAX: usize = 64;

/// A 16 KiB element whose drops are counted, to check that the channel
/// moves values (never drops one twice, never loses one) on every path.
struct Tracked {
    id: usize,
    payload: [u8; K16],
}

impl Tracked {
    fn new() -> Tracked {
        let id = MADE.fetch_add(1, SeqCst);
        assert!(id < TRACKED_MAX, "too many tracked values");
        Tracked {
            id,
            payload: [id as u8; K16],
        }
    }

    /// Is the payload intact?
    fn intact(&self) -> bool {
        self.payload.iter().all(|&b| b == self.id as u8)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        DROPS[self.id].fetch_add(1, SeqCst);
    }
}

/// Sends `v` on `c`, which must be open (`Tracked` is not `Debug`).
fn put(c: &Chan<Tracked>, v: Tracked) {
    assert!(c.send(v).is_ok(), "send on an open channel");
}

/// Every path a value takes through a channel, with drops counted:
/// prints `made=N dropped_once=N twice=0 intact=N`.
fn drops() {
    let intact = AtomicUsize::new(0);
    let check = |v: &Tracked| {
        intact.fetch_add(usize::from(v.intact()), SeqCst);
    };
    // A send to a closed channel gives the value back.
    let c: Chan<Tracked> = Chan::new(0);
    c.close();
    let back = c.send(Tracked::new()).unwrap_err().0;
    check(&back);
    drop(back);
    // A sender parked at close gets it back.
    let c: Chan<Tracked> = Chan::new(0);
    let (c2, got) = (c.clone(), Chan::<bool>::new(1));
    let got2 = got.clone();
    rt0::runtime::go(move || {
        let r = c2.send(Tracked::new());
        got2.send(r.is_err_and(|e| e.0.intact())).expect("result");
    });
    while rt0::export_test::parked("chan send") == 0 {
        rt0::runtime::gosched();
    }
    c.close();
    intact.fetch_add(usize::from(got.recv().expect("result")), SeqCst);
    // Hand-offs both ways, and through the buffer.
    let c: Chan<Tracked> = Chan::new(0);
    let c2 = c.clone();
    rt0::runtime::go(move || {
        for _ in 0..4 {
            put(&c2, Tracked::new());
        }
    });
    for _ in 0..4 {
        check(&c.recv().expect("recv"));
    }
    let c: Chan<Tracked> = Chan::new(2);
    put(&c, Tracked::new());
    check(&c.try_recv().expect("try_recv"));
    // try_send to a full channel gives the value back.
    put(&c, Tracked::new());
    put(&c, Tracked::new());
    match c.try_send(Tracked::new()) {
        Err(rt0::chan::TrySendError::Full(v)) => check(&v),
        _ => panic!("try_send to a full channel"),
    }
    // A full buffer and a parked sender: the receiver takes the head,
    // the sender's value moves to the tail.
    let c2 = c.clone();
    let sender = on_goroutine(None, move || put(&c2, Tracked::new()));
    while rt0::export_test::parked("chan send") == 0 {
        rt0::runtime::gosched();
    }
    check(&c.recv().expect("recv"));
    // Two values left in the buffer, dropped with the channel once the
    // sender's handle is gone too.
    sender.wait();
    drop(c);
    // select: a send case that does not run drops its value with the
    // select; one that meets a closed channel gives it back; a receive
    // case gets its value.
    let ready: Chan<Tracked> = Chan::new(1);
    put(&ready, Tracked::new());
    let full: Chan<Tracked> = Chan::new(0);
    rt0::select! {
        recv(ready) -> v => check(&v.expect("ready")),
        send(full, Tracked::new()) -> _ => panic!("nobody receives on full"),
    }
    let closed: Chan<Tracked> = Chan::new(0);
    closed.close();
    rt0::select! {
        send(closed, Tracked::new()) -> r => check(&r.unwrap_err().0),
    }
    let made = MADE.load(SeqCst);
    let once = DROPS[..made].iter().filter(|d| d.load(SeqCst) == 1).count();
    let twice = DROPS[..made].iter().filter(|d| d.load(SeqCst) > 1).count();
    let intact = intact.load(SeqCst);
    rt0::println!("made={made} dropped_once={once} twice={twice} intact={intact}");
}

/// Bytes painted below the measuring frame, and the gap left above them
/// for `paint`'s own frame.
const PAINT_BYTES: usize = 256 * 1024;
const PAINT_GAP: usize = 4 * 1024;
const PAINT_WORD: u64 = 0xa5a5_5a5a_c3c3_3c3c;

fn rsp() -> usize {
    let sp: usize;
    // SAFETY: reads the stack pointer into a register; no memory is touched.
    unsafe { core::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack)) };
    sp
}

/// Paints `[top - PAINT_GAP - PAINT_BYTES, top - PAINT_GAP)`.
#[inline(never)]
fn paint(top: usize) {
    let lo = top - PAINT_GAP - PAINT_BYTES;
    for a in (lo..top - PAINT_GAP).step_by(8) {
        // SAFETY: the range lies below every live frame of this goroutine
        // (its stack, 8 MiB for main, has room) and above its guard page;
        // nothing lives there until the measured operation's frames do.
        unsafe { core::ptr::write_volatile(a as *mut u64, PAINT_WORD) };
    }
}

/// Bytes of stack below `top` that `op` wrote (its frames and what they
/// called); the lowest word that lost the paint marks the deepest one.
#[inline(never)]
fn stack_used(op: &mut dyn FnMut()) -> usize {
    let top = rsp();
    paint(top);
    op();
    let lo = top - PAINT_GAP - PAINT_BYTES;
    for a in (lo..top - PAINT_GAP).step_by(8) {
        // SAFETY: as in `paint`: our own stack, below every live frame.
        if unsafe { core::ptr::read_volatile(a as *const u64) } != PAINT_WORD {
            return top - a;
        }
    }
    0
}

fn measure() {
    type E = [u8; K16];
    let c: Chan<E> = Chan::new(0);
    let buf: Chan<E> = Chan::new(1);
    let report = |name: &str, op: &mut dyn FnMut()| {
        rt0::println!("{name} stack={}", stack_used(op));
    };
    // A receiver parked first, then main's send hands off to it.
    let c2 = c.clone();
    rt0::runtime::go(move || {
        let _ = c2.recv();
    });
    rt0::runtime::gosched();
    report("send_to_parked", &mut || {
        let _ = c.send([1u8; K16]);
    });
    // Main's send parks; the receiver started just before runs then.
    let c2 = c.clone();
    rt0::runtime::go(move || {
        let _ = c2.recv();
    });
    report("send_parks", &mut || {
        let _ = c.send([2u8; K16]);
    });
    // A sender parked first, then main's receive takes from it.
    let c2 = c.clone();
    rt0::runtime::go(move || {
        let _ = c2.send([3u8; K16]);
    });
    rt0::runtime::gosched();
    report("recv_from_parked", &mut || {
        core::hint::black_box(c.recv().ok());
    });
    // Main's receive parks.
    let c2 = c.clone();
    rt0::runtime::go(move || {
        let _ = c2.send([4u8; K16]);
    });
    report("recv_parks", &mut || {
        core::hint::black_box(c.recv().ok());
    });
    report("send_buffered", &mut || {
        let _ = buf.send([5u8; K16]);
    });
    report("recv_buffered", &mut || {
        core::hint::black_box(buf.recv().ok());
    });
    let idle: Chan<E> = Chan::new(0);
    let c2 = c.clone();
    rt0::runtime::go(move || {
        let _ = c2.recv();
    });
    report("select_send_parks", &mut || {
        rt0::select! {
            send(c, [6u8; K16]) -> r => { let _ = r; }
            recv(idle) -> _ => unreachable!(),
        }
    });
    let c2 = c.clone();
    rt0::runtime::go(move || {
        let _ = c2.send([7u8; K16]);
    });
    report("select_recv_parks", &mut || {
        rt0::select! {
            recv(c) -> v => { core::hint::black_box(v.ok()); },
            recv(idle) -> _ => unreachable!(),
        }
    });
}

fn main() {
    match rt0::env::args().nth(1).unwrap_or(b"") {
        b"run" => run(),
        b"measure" => measure(),
        b"drops" => drops(),
        _ => {
            rt0::eprintln!("usage: chan_big run|drops|measure");
            rt0::process::exit(64);
        }
    }
}
