//! `/etc/hosts`: the static host table, read once on first use (Go's
//! `net/hosts.go`: `readHosts`, `lookupStaticHost`; glibc's `files`
//! backend of nsswitch).
//!
//! The format (hosts(5)): one address per line followed by its canonical
//! name and any aliases, separated by blanks; `#` starts a comment. A
//! line whose address does not parse (including IPv6 addresses with a
//! `%zone`, which `core::net` cannot represent) is skipped. Names match
//! case-insensitively, with or without a trailing dot; a name listed on
//! several lines resolves to all their addresses, in file order, without
//! repeats.
//!
//! The file is read at the first lookup and never again (Go re-reads it
//! when its mtime changes; a long-lived rt0 program does not see edits).
//! A missing or unreadable file is an empty table. Files larger than
//! [`MAX_HOSTS_FILE`] are read up to that size.

use alloc::string::String;
use alloc::vec::Vec;
use core::net::IpAddr;

use crate::racy::RacyCell;
use crate::sync::Once;
use crate::sys::Errno;

/// The file.
const HOSTS_PATH: &core::ffi::CStr = c"/etc/hosts";
/// Most of the file read (a hosts file is a few KiB; this bounds memory
/// for a pathological one).
const MAX_HOSTS_FILE: usize = 4 << 20;
/// Bytes read per `read` call.
const READ_CHUNK: usize = 4096;

/// One (name, address) pair of the table; `name` is ASCII-lowercased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HostEntry {
    pub(crate) name: String,
    pub(crate) addr: IpAddr,
}

/// The lookup form of a name: lowercase, without a trailing dot.
fn normalise(name: &str) -> Option<String> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() {
        return None;
    }
    Some(name.to_ascii_lowercase())
}

/// Parses the text of a hosts file into its (name, address) pairs, in
/// file order.
pub(crate) fn parse(text: &[u8]) -> Vec<HostEntry> {
    let mut out = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        let line = match line.iter().position(|&b| b == b'#') {
            Some(i) => &line[..i],
            None => line,
        };
        let mut fields = line
            .split(|b| b.is_ascii_whitespace())
            .filter(|f| !f.is_empty());
        let Some(addr) = fields.next() else { continue };
        let Some(addr) = core::str::from_utf8(addr)
            .ok()
            .and_then(|s| s.parse::<IpAddr>().ok())
        else {
            continue;
        };
        for name in fields {
            if let Some(name) = core::str::from_utf8(name).ok().and_then(normalise) {
                out.push(HostEntry { name, addr });
            }
        }
    }
    out
}

/// The addresses of `name` in `table`, in table order, without repeats.
pub(crate) fn lookup_in(table: &[HostEntry], name: &str) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = Vec::new();
    let Some(name) = normalise(name) else {
        return out;
    };
    for e in table.iter().filter(|e| e.name == name) {
        if !out.contains(&e.addr) {
            out.push(e.addr);
        }
    }
    out
}

/// Reads the whole file (up to [`MAX_HOSTS_FILE`]).
fn read_file() -> Result<Vec<u8>, Errno> {
    use crate::sys::file::{close, open_readonly, read};
    let fd = open_readonly(HOSTS_PATH)?;
    let mut buf = Vec::new();
    let r = loop {
        if buf.len() >= MAX_HOSTS_FILE {
            break Ok(());
        }
        let old = buf.len();
        buf.resize(old + READ_CHUNK, 0);
        match read(fd, &mut buf[old..]) {
            Ok(0) => {
                buf.truncate(old);
                break Ok(());
            }
            Ok(n) => buf.truncate(old + n),
            Err(Errno::EINTR) => buf.truncate(old),
            Err(e) => break Err(e),
        }
    };
    close(fd);
    r.map(|()| buf)
}

/// Set once by [`table`].
static LOADED: Once = Once::new();
/// The table; written once inside `LOADED.call_once`, read-only after.
static TABLE: RacyCell<Vec<HostEntry>> = RacyCell::new(Vec::new());

/// The table of `/etc/hosts`, read at the first call.
fn table() -> &'static [HostEntry] {
    LOADED.call_once(|| {
        let t = read_file().map(|text| parse(&text)).unwrap_or_default();
        // SAFETY: the only write, inside call_once; nobody reads TABLE
        // before call_once has returned (below), which orders this write
        // before every read.
        unsafe { *TABLE.get() = t };
    });
    // SAFETY: call_once has returned, so the one write is done and
    // visible; TABLE is never written again.
    unsafe { &*TABLE.get() }
}

/// The addresses `/etc/hosts` gives `name` (empty if none).
pub(crate) fn lookup(name: &str) -> Vec<IpAddr> {
    lookup_in(table(), name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = b"# The hosts file\n\
        127.0.0.1\tlocalhost\n\
        127.0.1.1   box.example.org box  # this machine\n\
        \n\
        ::1     localhost ip6-localhost ip6-loopback\n\
        fe80::1%eth0 linklocal\n\
        not-an-ip  bogus\n\
        10.0.0.7 DB.Internal. db\r\n\
        10.0.0.8 db\n\
        10.0.0.7 db\n\
        #10.9.9.9 commented\n\
        192.168.0.1";

    #[test]
    fn parses_names_aliases_comments_and_crlf() {
        let t = parse(SAMPLE);
        let pairs: Vec<(&str, String)> = t
            .iter()
            .map(|e| (e.name.as_str(), alloc::format!("{}", e.addr)))
            .collect();
        assert_eq!(
            pairs,
            [
                ("localhost", "127.0.0.1".into()),
                ("box.example.org", "127.0.1.1".into()),
                ("box", "127.0.1.1".into()),
                ("localhost", "::1".into()),
                ("ip6-localhost", "::1".into()),
                ("ip6-loopback", "::1".into()),
                ("db.internal", "10.0.0.7".into()),
                ("db", "10.0.0.7".into()),
                ("db", "10.0.0.8".into()),
                ("db", "10.0.0.7".into()),
            ]
        );
    }

    #[test]
    fn lookup_is_case_insensitive_ordered_and_deduplicated() {
        let t = parse(SAMPLE);
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(lookup_in(&t, "BOX"), [ip("127.0.1.1")]);
        assert_eq!(lookup_in(&t, "db.internal."), [ip("10.0.0.7")]);
        assert_eq!(lookup_in(&t, "db"), [ip("10.0.0.7"), ip("10.0.0.8")]);
        assert_eq!(lookup_in(&t, "localhost"), [ip("127.0.0.1"), ip("::1")]);
        assert!(lookup_in(&t, "linklocal").is_empty());
        assert!(lookup_in(&t, "bogus").is_empty());
        assert!(lookup_in(&t, "commented").is_empty());
        assert!(lookup_in(&t, "").is_empty());
        assert!(lookup_in(&t, ".").is_empty());
        assert!(parse(b"").is_empty());
        assert!(parse(b"\xff\xfe 1.2.3.4\n1.2.3.4 \xffname").is_empty());
    }
}
