//! The test program's command line: what `cargo test` (and a user's
//! `cargo test -- ARGS`) hands a libtest test binary, read with libtest's
//! rules (libtest's `parse_opts`, through getopts) and its error texts,
//! so a mistake reads as it does with a std test binary.
//!
//! Accepted: FILTER arguments (several; a test runs if its name contains
//! any, or equals one with `--exact`), `--exact`, `--skip FILTER`
//! (several), `--list`, `-q`/`--quiet` and `--format pretty|terse`
//! (`terse` is `--quiet`), `--ignored` (no rt0 test is ignored: it
//! selects none) and `--include-ignored`, `-h`/`--help`. Accepted and
//! without effect: `--nocapture`/`--no-capture` and `--show-output`
//! (output is never captured), `--test-threads N` (checked as libtest
//! checks it; tests run one after another all the same), `--color
//! auto|always|never` (output is plain), `--test`. Anything else is an
//! error. Options take their value as `--opt VALUE` or `--opt=VALUE`; `--`
//! ends the options. A flag given twice is an error, as in libtest.
//!
//! Invariant: parsing never prints and never exits: it returns the
//! libtest error text, which the harness prints after `error: `.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// What the command line asks for.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Flags<'a> {
    /// FILTER arguments: a test runs if it matches any (all run if none).
    pub filters: Vec<&'a [u8]>,
    /// `--skip` filters: a test that matches any does not run.
    pub skip: Vec<&'a [u8]>,
    /// `--exact`: filters match whole names, not substrings.
    pub exact: bool,
    /// `--list`: print the selected tests' names, run nothing.
    pub list: bool,
    /// `-q`, `--quiet`, `--format terse`: one character per test.
    pub quiet: bool,
    /// `--ignored`: only ignored tests run (rt0 has none).
    pub ignored_only: bool,
    /// `-h`, `--help`: print the usage, run nothing.
    pub help: bool,
}

impl Flags<'_> {
    /// Whether the test called `name` runs (or is listed): it matches a
    /// filter (or there are none), matches no `--skip`, and is not
    /// excluded by `--ignored`.
    pub fn selects(&self, name: &str) -> bool {
        let name = name.as_bytes();
        let hit = |f: &&[u8]| {
            if self.exact {
                name == *f
            } else {
                contains(name, f)
            }
        };
        !self.ignored_only
            && (self.filters.is_empty() || self.filters.iter().any(hit))
            && !self.skip.iter().any(hit)
    }
}

/// Whether `needle` occurs in `hay` (an empty needle always does, as
/// `str::contains("")`).
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// The boolean flags, by libtest's long name (the name its errors use),
/// with the short name where there is one.
const SWITCHES: &[(&str, Option<u8>)] = &[
    ("exact", None),
    ("list", None),
    ("quiet", Some(b'q')),
    ("ignored", None),
    ("include-ignored", None),
    ("help", Some(b'h')),
    ("nocapture", None),
    ("no-capture", None),
    ("show-output", None),
    ("test", None),
];

/// The options that take a value; `skip` may be given several times.
const VALUED: &[&str] = &["skip", "test-threads", "color", "format"];

/// Records the boolean flag `switch` (a name of [`SWITCHES`]).
fn set(f: &mut Flags, switch: &str) {
    match switch {
        "exact" => f.exact = true,
        "list" => f.list = true,
        "quiet" => f.quiet = true,
        "ignored" => f.ignored_only = true,
        "help" => f.help = true,
        _ => {} // accepted, no effect (module note)
    }
}

/// Parses the arguments after the program's name.
pub(crate) fn parse<'a>(args: impl Iterator<Item = &'a [u8]>) -> Result<Flags<'a>, String> {
    let mut f = Flags::default();
    let mut seen: Vec<&'static str> = Vec::new();
    let mut once = |name: &'static str| {
        if seen.contains(&name) && name != "skip" {
            return Err(format!("Option '{name}' given more than once"));
        }
        seen.push(name);
        Ok(())
    };
    let mut args = args.peekable();
    let mut options_done = false;
    while let Some(arg) = args.next() {
        if options_done || arg == b"-" || !arg.starts_with(b"-") {
            f.filters.push(arg);
            continue;
        }
        if arg == b"--" {
            options_done = true;
            continue;
        }
        // `-abc`: a group of short switches, all known or an error naming
        // the first unknown letter (getopts' rule).
        let Some(long) = arg.strip_prefix(b"--") else {
            for &c in &arg[1..] {
                match SWITCHES.iter().find(|s| s.1 == Some(c)) {
                    Some(&(switch, _)) => {
                        once(switch)?;
                        set(&mut f, switch);
                    }
                    None => return Err(format!("Unrecognized option: '{}'", char::from(c))),
                }
            }
            continue;
        };
        // `--name` or `--name=value`.
        let (name, inline) = match long.iter().position(|&b| b == b'=') {
            Some(i) => (&long[..i], Some(&long[i + 1..])),
            None => (long, None),
        };
        if let Some(&(switch, _)) = SWITCHES.iter().find(|s| s.0.as_bytes() == name) {
            if inline.is_some() {
                return Err(format!("Option '{switch}' does not take an argument"));
            }
            once(switch)?;
            set(&mut f, switch);
        } else if let Some(&opt) = VALUED.iter().find(|o| o.as_bytes() == name) {
            let value = match inline {
                Some(v) => v,
                None => args
                    .next()
                    .ok_or_else(|| format!("Argument to option '{opt}' missing"))?,
            };
            once(opt)?;
            let text = core::str::from_utf8(value).unwrap_or("");
            match opt {
                "skip" => f.skip.push(value),
                "test-threads" => match text.parse::<usize>() {
                    Ok(0) => return Err("argument for --test-threads must not be 0".into()),
                    Ok(_) => {}
                    Err(e) => {
                        return Err(format!(
                            "argument for --test-threads must be a number > 0 (error: {e})"
                        ));
                    }
                },
                "color" => {
                    if !matches!(text, "auto" | "always" | "never") {
                        return Err(format!(
                            "argument for --color must be auto, always, or never (was {text})"
                        ));
                    }
                }
                _ => match text {
                    "pretty" => {}
                    "terse" => f.quiet = true,
                    _ => {
                        return Err(format!(
                            "argument for --format must be pretty or terse in an rt0 test program (was {text})"
                        ));
                    }
                },
            }
        } else {
            return Err(format!(
                "Unrecognized option: '{}'",
                String::from_utf8_lossy(name)
            ));
        }
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Flags<'static>, String> {
        let v: Vec<&'static [u8]> = args
            .iter()
            .map(|a| &*alloc::boxed::Box::leak(a.as_bytes().to_vec().into_boxed_slice()))
            .collect();
        parse(v.into_iter())
    }

    #[test]
    fn what_cargo_passes() {
        assert_eq!(p(&[]).unwrap(), Flags::default());
        let f = p(&[
            "alpha",
            "--exact",
            "beta",
            "-q",
            "--test-threads=1",
            "--nocapture",
        ])
        .unwrap();
        assert_eq!(f.filters, [b"alpha" as &[u8], b"beta"]);
        assert!(f.exact && f.quiet && !f.list);
        let f = p(&["--skip", "a", "--skip=b", "--list", "--", "--x"]).unwrap();
        assert_eq!(f.skip, [b"a" as &[u8], b"b"]);
        assert_eq!(f.filters, [b"--x" as &[u8]]);
        assert!(f.list);
        assert!(p(&["--format", "terse"]).unwrap().quiet);
    }

    #[test]
    fn libtest_errors() {
        let e = |a: &[&str]| p(a).unwrap_err();
        assert_eq!(e(&["--bogus"]), "Unrecognized option: 'bogus'");
        assert_eq!(e(&["--bogus=1"]), "Unrecognized option: 'bogus'");
        assert_eq!(e(&["-x"]), "Unrecognized option: 'x'");
        assert_eq!(e(&["-qx"]), "Unrecognized option: 'x'");
        assert_eq!(e(&["-qq"]), "Option 'quiet' given more than once");
        assert!(p(&["-qh"]).unwrap().help);
        assert_eq!(
            e(&["--test-threads=0"]),
            "argument for --test-threads must not be 0"
        );
        assert_eq!(
            e(&["--test-threads", "x"]),
            "argument for --test-threads must be a number > 0 (error: invalid digit found in string)"
        );
        assert_eq!(e(&["--skip"]), "Argument to option 'skip' missing");
        assert_eq!(e(&["-q", "--quiet"]), "Option 'quiet' given more than once");
        assert_eq!(e(&["--list=1"]), "Option 'list' does not take an argument");
        assert_eq!(
            e(&["--color", "red"]),
            "argument for --color must be auto, always, or never (was red)"
        );
    }

    #[test]
    fn selection() {
        let f = p(&["alpha", "beta"]).unwrap();
        assert!(f.selects("alpha") && f.selects("alphabet") && f.selects("m::beta"));
        assert!(!f.selects("gamma"));
        let f = p(&["--exact", "alpha", "--skip", "beta"]).unwrap();
        assert!(f.selects("alpha") && !f.selects("alphabet") && !f.selects("beta"));
        let f = p(&["--skip", "al"]).unwrap();
        assert!(!f.selects("alpha") && f.selects("beta"));
        assert!(!p(&["--ignored"]).unwrap().selects("alpha"));
    }
}
