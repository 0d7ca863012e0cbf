//! `cat`, as coreutils' (no options): concatenates the files named in its
//! arguments to stdout, or stdin when there are none; `-` is stdin. A file
//! that cannot be opened or read is reported on stderr as coreutils does
//! (`cat: NAME: No such file or directory`, `cat: NAME: Is a directory`:
//! the errno's text, the name quoted as coreutils quotes it in the C
//! locale), the other files are still copied, and the exit status is 1 at
//! the end. A failed write to stdout (`/dev/full`, a closed stdout) is
//! `cat: write error: ...` and exit 1 at once, as coreutils'; a broken
//! pipe ends it by SIGPIPE, as it ends coreutils' cat (and Go's os.Stdout).
//!
//! Copies through one 128 KiB buffer, coreutils' size: files are
//! `rt0::fs::File`s (plain system calls in the syscall bracket; a
//! directory opens, and its first read answers "Is a directory", as for
//! coreutils), stdin and stdout rt0's streams (pipes and terminals park on
//! the netpoller, files and /dev/null are plain system calls).
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use rt0::fs::File;
use rt0::io::{self, Read, Write};

rt0::main!(main);

/// coreutils' `cat` buffer size for these files (`io_blksize`: 128 KiB).
const BUF_SIZE: usize = 128 * 1024;

/// Exit status when any file failed.
const EXIT_FAILURE: i32 = 1;

/// The errno's text alone, as `strerror` gives it (io::Error's Display
/// adds ` (os error N)`).
fn message(e: &io::Error) -> String {
    let mut s = alloc::format!("{e}");
    if let Some(i) = s.find(" (os error ") {
        s.truncate(i);
    }
    s
}

/// Bytes that need no quoting anywhere in a name (gnulib's quotearg,
/// shell-escape style, with `:` quoted as `quotef` does).
fn is_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"%+,-./@]_{}~#".contains(&b)
}

/// The text of a byte that cannot be shown as itself, inside `$'...'`.
fn escape(out: &mut Vec<u8>, b: u8) {
    let named = match b {
        0x07 => Some(b'a'),
        0x08 => Some(b'b'),
        b'\t' => Some(b't'),
        b'\n' => Some(b'n'),
        0x0b => Some(b'v'),
        0x0c => Some(b'f'),
        b'\r' => Some(b'r'),
        _ => None,
    };
    out.push(b'\\');
    match named {
        Some(c) => out.push(c),
        None => {
            out.push(b'0' + (b >> 6));
            out.push(b'0' + ((b >> 3) & 7));
            out.push(b'0' + (b & 7));
        }
    }
}

/// A file name as coreutils prints it in a diagnostic (`quotef` in the C
/// locale): as is when harmless, else in single quotes, `'\''` for a
/// quote and `$'\ooo'` for bytes that are not printable ASCII; a name
/// whose only trouble is a single quote goes in double quotes.
fn quote(name: &[u8]) -> Vec<u8> {
    let printable = |b: u8| (0x20..0x7f).contains(&b);
    let plain = !name.is_empty()
        && name.iter().all(|&b| is_safe(b))
        && !matches!(name[0], b'#' | b'~')
        && name != b"{"
        && name != b"}";
    if plain {
        return name.to_vec();
    }
    if name.contains(&b'\'')
        && name
            .iter()
            .all(|&b| printable(b) && !b"\"$`\\!".contains(&b))
    {
        let mut out = vec![b'"'];
        out.extend_from_slice(name);
        out.push(b'"');
        return out;
    }
    let mut out = vec![b'\''];
    let mut escaping = false;
    for &b in name {
        if printable(b) {
            if escaping {
                // Close $'...' and open '...' again.
                out.extend_from_slice(b"''");
                escaping = false;
            }
            if b == b'\'' {
                out.extend_from_slice(b"'\\''");
            } else {
                out.push(b);
            }
        } else {
            if !escaping {
                out.extend_from_slice(b"'$'");
                escaping = true;
            }
            escape(&mut out, b);
        }
    }
    out.push(b'\'');
    out
}

/// `cat: NAME: TEXT` on stderr.
fn report(name: &[u8], e: &io::Error) {
    let mut line = Vec::from(&b"cat: "[..]);
    line.extend_from_slice(&quote(name));
    line.extend_from_slice(b": ");
    line.extend_from_slice(message(e).as_bytes());
    line.push(b'\n');
    let _ = io::stderr().write_all(&line);
}

/// Copies `input` to `out` until end of input. A read error is returned
/// (the file is reported and cat goes on); a write error ends cat.
fn copy(input: &mut impl Read, out: &mut impl Write, buf: &mut [u8]) -> io::Result<()> {
    loop {
        let n = match input.read(buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if let Err(e) = out.write_all(&buf[..n]) {
            rt0::eprintln!("cat: write error: {}", message(&e));
            rt0::process::exit(EXIT_FAILURE);
        }
    }
}

fn main() {
    let mut buf = vec![0u8; BUF_SIZE];
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut failed = false;
    let mut names: Vec<&[u8]> = rt0::env::args().skip(1).collect();
    if names.is_empty() {
        names.push(b"-");
    }
    for name in names {
        let r = if name == b"-" {
            copy(&mut io::stdin().lock(), &mut out, &mut buf)
        } else {
            match File::open(name) {
                Ok(mut f) => copy(&mut f, &mut out, &mut buf),
                Err(e) => Err(e),
            }
        };
        if let Err(e) = r {
            report(name, &e);
            failed = true;
        }
    }
    drop(out);
    if failed {
        rt0::process::exit(EXIT_FAILURE);
    }
}
