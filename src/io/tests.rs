//! std as the oracle: the same inputs through `std::io` and through
//! `rt0::io`, and the same results, call for call (host unit tests only).

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::*;

/// A reader that hands out `data` in the chunk sizes of `plan` (cycled),
/// answering `Interrupted` (or `WouldBlock`) where the plan says 0 (or
/// usize::MAX); implemented for both std and rt0.
struct Chunky {
    data: Vec<u8>,
    pos: usize,
    plan: Vec<usize>,
    step: usize,
}

const INTERRUPT: usize = 0;
const WOULD_BLOCK: usize = usize::MAX;

impl Chunky {
    fn new(data: &[u8], plan: &[usize]) -> Chunky {
        Chunky {
            data: data.to_vec(),
            pos: 0,
            plan: plan.to_vec(),
            step: 0,
        }
    }

    /// Ok(n), or Err(true) for Interrupted, Err(false) for WouldBlock.
    fn next(&mut self, buf: &mut [u8]) -> core::result::Result<usize, bool> {
        let c = self.plan[self.step % self.plan.len()];
        self.step += 1;
        match c {
            INTERRUPT => Err(true),
            WOULD_BLOCK => Err(false),
            c => {
                let n = c.min(buf.len()).min(self.data.len() - self.pos);
                buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
                self.pos += n;
                Ok(n)
            }
        }
    }
}

impl Read for Chunky {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.next(buf).map_err(|i| {
            Error::from(if i {
                ErrorKind::Interrupted
            } else {
                ErrorKind::WouldBlock
            })
        })
    }
}

impl std::io::Read for Chunky {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.next(buf).map_err(|i| {
            std::io::Error::from(if i {
                std::io::ErrorKind::Interrupted
            } else {
                std::io::ErrorKind::WouldBlock
            })
        })
    }
}

/// A result as a comparable string: the value, or the error's kind name.
fn show<T: core::fmt::Debug>(r: Result<T>) -> String {
    match r {
        Ok(v) => alloc::format!("Ok({v:?})"),
        Err(e) => alloc::format!("Err({:?}: {e})", e.kind()),
    }
}

fn show_std<T: core::fmt::Debug>(r: std::io::Result<T>) -> String {
    match r {
        Ok(v) => alloc::format!("Ok({v:?})"),
        Err(e) => alloc::format!("Err({:?}: {e})", e.kind()),
    }
}

const INPUTS: &[&[u8]] = &[
    b"",
    b"a",
    b"hello\nworld\n",
    b"no final newline\nsecond",
    b"crlf\r\nlines\r\n\r\nend",
    b"\n\n\n",
    b"bad utf8 \xff\xfe here\nnext\n",
];

const PLANS: &[&[usize]] = &[
    &[1],
    &[3, INTERRUPT, 2],
    &[100],
    &[INTERRUPT, 7],
    &[5, WOULD_BLOCK, 5],
];

#[test]
fn read_exact_and_read_to_end_match_std() {
    for &input in INPUTS {
        for &plan in PLANS {
            for want in [0usize, 1, 5, 12, 40] {
                let (mut a, mut b) = (Chunky::new(input, plan), Chunky::new(input, plan));
                let (mut x, mut y) = (vec![0u8; want], vec![0u8; want]);
                let ours = show(a.read_exact(&mut x));
                let theirs = show_std(std::io::Read::read_exact(&mut b, &mut y));
                assert_eq!(ours, theirs, "read_exact({want}) of {input:?} in {plan:?}");
                if ours.starts_with("Ok") {
                    assert_eq!(x, y);
                }
            }
            let (mut a, mut b) = (Chunky::new(input, plan), Chunky::new(input, plan));
            let (mut x, mut y) = (b"pre".to_vec(), b"pre".to_vec());
            assert_eq!(
                show(a.read_to_end(&mut x)),
                show_std(std::io::Read::read_to_end(&mut b, &mut y)),
                "read_to_end of {input:?} in {plan:?}"
            );
            if !plan.contains(&WOULD_BLOCK) {
                assert_eq!(x, y);
            }
            let (mut a, mut b) = (Chunky::new(input, plan), Chunky::new(input, plan));
            let (mut s, mut t) = (String::from("pre"), String::from("pre"));
            assert_eq!(
                show(a.read_to_string(&mut s)),
                show_std(std::io::Read::read_to_string(&mut b, &mut t)),
                "read_to_string of {input:?} in {plan:?}"
            );
            assert_eq!(s, t);
        }
    }
}

#[test]
fn bufreader_lines_split_read_line_match_std() {
    for &input in INPUTS {
        for &plan in PLANS.iter().filter(|p| !p.contains(&WOULD_BLOCK)) {
            for cap in [1usize, 2, 4, 64] {
                let ours: Vec<String> = BufReader::with_capacity(cap, Chunky::new(input, plan))
                    .lines()
                    .map(show)
                    .collect();
                let theirs: Vec<String> = std::io::BufRead::lines(
                    std::io::BufReader::with_capacity(cap, Chunky::new(input, plan)),
                )
                .map(show_std)
                .collect();
                assert_eq!(ours, theirs, "lines of {input:?} in {plan:?} cap {cap}");

                let ours: Vec<String> = BufReader::with_capacity(cap, Chunky::new(input, plan))
                    .split(b'\n')
                    .map(show)
                    .collect();
                let theirs: Vec<String> = std::io::BufRead::split(
                    std::io::BufReader::with_capacity(cap, Chunky::new(input, plan)),
                    b'\n',
                )
                .map(show_std)
                .collect();
                assert_eq!(ours, theirs, "split of {input:?}");

                let mut a = BufReader::with_capacity(cap, Chunky::new(input, plan));
                let mut b = std::io::BufReader::with_capacity(cap, Chunky::new(input, plan));
                for _ in 0..4 {
                    let (mut s, mut t) = (String::new(), String::new());
                    assert_eq!(
                        show(a.read_line(&mut s)),
                        show_std(std::io::BufRead::read_line(&mut b, &mut t))
                    );
                    assert_eq!(s, t);
                    assert_eq!(a.buffer(), b.buffer(), "buffered after read_line");
                }
            }
        }
    }
}

#[test]
fn bufreader_reads_match_std_call_for_call() {
    let input: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    for cap in [1usize, 16, 100, 4096] {
        for sizes in [&[1usize, 7, 200][..], &[5000], &[16, 16, 1, 300]] {
            let mut a = BufReader::with_capacity(cap, Chunky::new(&input, &[33, INTERRUPT]));
            let mut b =
                std::io::BufReader::with_capacity(cap, Chunky::new(&input, &[33, INTERRUPT]));
            for (i, &n) in sizes.iter().cycle().take(40).enumerate() {
                let (mut x, mut y) = (vec![0u8; n], vec![0u8; n]);
                let ours = show(a.read(&mut x));
                let theirs = show_std(std::io::Read::read(&mut b, &mut y));
                assert_eq!(ours, theirs, "read {i} of {n} with cap {cap}");
                assert_eq!(x, y);
                assert_eq!(a.buffer(), b.buffer());
            }
        }
    }
}

/// A writer that records each call and takes at most `max` bytes each.
#[derive(Default)]
struct Recorder {
    calls: Vec<usize>,
    out: Vec<u8>,
    max: usize,
    flushes: usize,
}

impl Write for Recorder {
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        let n = buf.len().min(self.max);
        self.calls.push(n);
        self.out.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> Result<()> {
        self.flushes += 1;
        Ok(())
    }
}

impl std::io::Write for Recorder {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.max);
        self.calls.push(n);
        self.out.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.flushes += 1;
        Ok(())
    }
}

#[test]
fn bufwriter_writes_match_std_call_for_call() {
    for cap in [1usize, 8, 64] {
        for max in [1usize, 5, 1000] {
            let rec = || Recorder {
                max,
                ..Recorder::default()
            };
            let mut a = BufWriter::with_capacity(cap, rec());
            let mut b = std::io::BufWriter::with_capacity(cap, rec());
            for (i, n) in [3usize, 0, 10, 64, 1, 1, 200, 7].into_iter().enumerate() {
                let data: Vec<u8> = (0..n as u8).collect();
                assert_eq!(
                    show(a.write(&data)),
                    show_std(std::io::Write::write(&mut b, &data)),
                    "write {i}"
                );
                assert_eq!(a.buffer(), b.buffer(), "buffered after write {i}");
                assert_eq!(
                    show(a.write_all(&data)),
                    show_std(std::io::Write::write_all(&mut b, &data))
                );
                assert_eq!(a.buffer(), b.buffer(), "buffered after write_all {i}");
            }
            assert_eq!(a.get_ref().calls, b.get_ref().calls, "cap {cap} max {max}");
            let (ra, rb) = (a.into_inner().ok().unwrap(), b.into_inner().ok().unwrap());
            assert_eq!(ra.calls, rb.calls);
            assert_eq!(ra.out, rb.out);
            assert_eq!(ra.flushes, rb.flushes);
        }
    }
}

#[test]
fn bufwriter_flushes_on_drop_and_reports_write_zero() {
    let mut out = Vec::new();
    {
        let mut w = BufWriter::new(&mut out);
        w.write_all(b"kept").unwrap();
    }
    assert_eq!(out, b"kept");
    let mut w = BufWriter::with_capacity(4, Recorder::default()); // max 0
    w.write_all(b"ab").unwrap();
    let e = w.into_inner().err().unwrap();
    let mut s = std::io::BufWriter::with_capacity(4, Recorder::default());
    std::io::Write::write_all(&mut s, b"ab").unwrap();
    let se = s.into_inner().err().unwrap();
    assert_eq!(e.error().to_string(), se.error().to_string());
    assert_eq!(e.error().kind(), ErrorKind::WriteZero);
    assert_eq!(e.into_inner().buffer(), b"ab");
}

#[test]
fn write_all_write_fmt_copy_and_slices_match_std() {
    let mut r = Recorder {
        max: 3,
        ..Recorder::default()
    };
    let mut s = Recorder {
        max: 3,
        ..Recorder::default()
    };
    write!(r, "{}-{:>5}|{:x}", 42, "ab", 255u32).unwrap();
    std::io::Write::write_fmt(&mut s, format_args!("{}-{:>5}|{:x}", 42, "ab", 255u32)).unwrap();
    assert_eq!(r.out, s.out);
    assert_eq!(r.calls, s.calls);

    let mut zero = Recorder::default();
    let mut zero_std = Recorder::default();
    assert_eq!(
        show(zero.write_all(b"x")),
        show_std(std::io::Write::write_all(&mut zero_std, b"x"))
    );

    let input: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    let (mut a, mut b) = (
        Chunky::new(&input, &[777, INTERRUPT]),
        Chunky::new(&input, &[777, INTERRUPT]),
    );
    let (mut x, mut y) = (Vec::new(), Vec::new());
    assert_eq!(
        show(copy(&mut a, &mut x)),
        show_std(std::io::copy(&mut b, &mut y))
    );
    assert_eq!(x, y);

    let mut buf = [0u8; 5];
    let mut w: &mut [u8] = &mut buf;
    assert_eq!(show(w.write(b"abc")), "Ok(3)");
    assert_eq!(show(w.write(b"defg")), "Ok(2)");
    assert_eq!(show(w.write(b"h")), "Ok(0)");
    assert_eq!(&buf, b"abcde");

    let mut sl: &[u8] = b"abc";
    let mut two = [0u8; 4];
    let e = sl.read_exact(&mut two).unwrap_err();
    let mut sl2: &[u8] = b"abc";
    let e2 = std::io::Read::read_exact(&mut sl2, &mut two).unwrap_err();
    assert_eq!(e.to_string(), e2.to_string());
    assert_eq!(sl.len(), sl2.len());
}

#[test]
fn adapters_match_std() {
    let input: &[u8] = b"0123456789abcdef";
    let ours: Vec<String> = input.take(5).chain(&b"XY"[..]).bytes().map(show).collect();
    let theirs: Vec<String> = std::io::Read::bytes(std::io::Read::chain(
        std::io::Read::take(input, 5),
        &b"XY"[..],
    ))
    .map(show_std)
    .collect();
    assert_eq!(ours, theirs);
    let mut t = BufReader::with_capacity(3, input).take(7);
    let mut s = String::new();
    t.read_to_string(&mut s).unwrap();
    assert_eq!(s, "0123456");
    assert_eq!(t.limit(), 0);
    let mut out = [0u8; 4];
    assert_eq!(show(repeat(7).read(&mut out)), "Ok(4)");
    assert_eq!(out, [7; 4]);
    assert_eq!(show(empty().read(&mut out)), "Ok(0)");
    assert_eq!(show(sink().write(b"gone")), "Ok(4)");
}

#[test]
fn cursor_matches_std() {
    let mut a = Cursor::new(Vec::new());
    let mut b = std::io::Cursor::new(Vec::new());
    for (pos, data) in [(0u64, &b"hello"[..]), (2, b"XY"), (9, b"far"), (1, b"")] {
        a.set_position(pos);
        b.set_position(pos);
        assert_eq!(
            show(a.write(data)),
            show_std(std::io::Write::write(&mut b, data))
        );
        assert_eq!(a.get_ref(), b.get_ref());
        assert_eq!(a.position(), b.position());
    }
    let mut backing = [0u8; 6];
    let mut backing2 = [0u8; 6];
    let mut c = Cursor::new(&mut backing[..]);
    let mut d = std::io::Cursor::new(&mut backing2[..]);
    for data in [&b"abcd"[..], b"efgh", b"ij"] {
        assert_eq!(
            show(c.write(data)),
            show_std(std::io::Write::write(&mut d, data))
        );
        assert_eq!(c.position(), d.position());
    }
    assert_eq!(backing, backing2);
    let mut r = Cursor::new(b"line one\nline two".to_vec());
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert_eq!(line, "line one\n");
    assert_eq!(r.position(), 9);
}

/// `&[u8]` as a reader: what each call returns, what is left of the
/// slice and of the buffer, against std (bytes that are not UTF-8
/// included: std consumes nothing then).
#[test]
fn slice_reads_match_std() {
    let inputs: [&[u8]; 5] = [
        b"",
        b"abc",
        b"ab\xffcd",
        b"\xe2\x82",
        "h\u{e9}llo".as_bytes(),
    ];
    for input in inputs {
        let (mut ours, mut theirs) = (input, input);
        let (mut s, mut t) = (String::from("pre"), String::from("pre"));
        assert_eq!(
            show(Read::read_to_string(&mut ours, &mut s)),
            show_std(std::io::Read::read_to_string(&mut theirs, &mut t)),
            "read_to_string of {input:?}"
        );
        assert_eq!((ours, s), (theirs, t), "after read_to_string of {input:?}");
        for want in [0usize, 2, 10] {
            let (mut ours, mut theirs) = (input, input);
            let (mut x, mut y) = (vec![0u8; want], vec![0u8; want]);
            assert_eq!(
                show(Read::read_exact(&mut ours, &mut x)),
                show_std(std::io::Read::read_exact(&mut theirs, &mut y)),
                "read_exact({want}) of {input:?}"
            );
            assert_eq!(ours, theirs, "after read_exact({want}) of {input:?}");
        }
    }
}

/// `Cursor` at every position around a 10-byte buffer, past its end
/// included: reads, exact reads and writes (into `&mut [u8]` and into
/// `Vec<u8>`) leave the same position and bytes as std's.
#[test]
fn cursor_positions_match_std() {
    let data: Vec<u8> = (0u8..10).collect();
    for pos in 0u64..=13 {
        for want in [0usize, 3, 20] {
            let mut ours = Cursor::new(data.clone());
            let mut theirs = std::io::Cursor::new(data.clone());
            ours.set_position(pos);
            theirs.set_position(pos);
            let (mut x, mut y) = (vec![0u8; want], vec![0u8; want]);
            assert_eq!(
                show(ours.read_exact(&mut x)),
                show_std(std::io::Read::read_exact(&mut theirs, &mut y)),
                "read_exact({want}) at {pos}"
            );
            assert_eq!(
                ours.position(),
                theirs.position(),
                "read_exact({want}) at {pos}"
            );
            assert_eq!(
                show(ours.read(&mut x)),
                show_std(std::io::Read::read(&mut theirs, &mut y)),
                "read({want}) at {pos}"
            );
            assert_eq!(
                (ours.position(), &x),
                (theirs.position(), &y),
                "read({want}) at {pos}"
            );

            let (mut a, mut b) = (data.clone(), data.clone());
            let mut ours = Cursor::new(&mut a[..]);
            let mut theirs = std::io::Cursor::new(&mut b[..]);
            ours.set_position(pos);
            theirs.set_position(pos);
            let bytes = vec![0xaa; want];
            assert_eq!(
                show(ours.write(&bytes)),
                show_std(std::io::Write::write(&mut theirs, &bytes)),
                "slice write({want}) at {pos}"
            );
            assert_eq!(
                ours.position(),
                theirs.position(),
                "slice write({want}) at {pos}"
            );
            assert_eq!(a, b, "slice write({want}) at {pos}");

            let mut ours = Cursor::new(data.clone());
            let mut theirs = std::io::Cursor::new(data.clone());
            ours.set_position(pos);
            theirs.set_position(pos);
            assert_eq!(
                show(ours.write(&bytes)),
                show_std(std::io::Write::write(&mut theirs, &bytes)),
                "vec write({want}) at {pos}"
            );
            assert_eq!(
                (ours.position(), ours.get_ref()),
                (theirs.position(), theirs.get_ref()),
                "vec write({want}) at {pos}"
            );
        }
    }
}

/// `repeat` has no end: reading to it answers as std does.
#[test]
fn repeat_to_end_matches_std() {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    assert_eq!(
        show(repeat(7).read_to_end(&mut x)),
        show_std(std::io::Read::read_to_end(&mut std::io::repeat(7), &mut y))
    );
    let (mut s, mut t) = (String::new(), String::new());
    assert_eq!(
        show(repeat(7).read_to_string(&mut s)),
        show_std(std::io::Read::read_to_string(
            &mut std::io::repeat(7),
            &mut t
        ))
    );
}
