//! A parser of rt0's reports (TB_FORMAT, the contract between the printer
//! and the tests): the lines before the first goroutine section, every
//! section (`goroutine N [state]:`, its frames, the elision line, the
//! `created by` block or Go's "running on other thread" line), what
//! follows the last section (a dump's registers), and the stripped
//! binary's `addr2line` hint.
//!
//! The parser is strict: a line inside a section that is none of the
//! contract's shapes is an error naming the line, so a report that
//! drifts from the contract fails with the line that drifted.
//!
//! Shapes (TB_FORMAT):
//!
//! ```text
//! <blank>
//! goroutine 7 [chan receive]:
//! NAME(...)                                   a frame: name line, then
//! \tFILE:LINE +0xOFF[ sp=0xSP pc=0xPC]        with line information, or
//! \t0xPC +0xOFF[ sp=0xSP pc=0xPC]             without it, or (no symbols)
//! ?(...) / \t0xPC[ sp=0xSP pc=0xPC]
//! NAME(...) / \tFILE:LINE                     an inlined call (TB_FORMAT's
//!                                             addendum): no +0xOFF, no sp/pc
//! ...N frames elided...                       after the first 50 of > 100
//! created by FUNC in goroutine N              not for goroutine 1
//! \tFILE:LINE[ +0xOFF]
//! \tgoroutine running on other thread; stack unavailable   (no frames)
//! ```
//!
//! A frame is *physical* (a real call frame, with a pc) when it has a
//! `+0xOFF` or no name (`?`, no symbol table); a named frame without
//! `+0xOFF` is an *inlined* one, printed before the physical frame that
//! contains it (innermost first), and may not carry ` sp= pc=`. Which
//! physical frame an inlined one belongs to is not in the text (the
//! physical frame may be a hidden runtime frame): tests/traceback.rs
//! works it out with addr2line.
//!
//! A report written on g0 may have, before the first goroutine, Go's
//! `runtime stack:` block (a blank line, that line, then frames): g0's own
//! frames, kept in [`Report::runtime_stack`].
//!
//! After the last section: a blank line and whatever the report ends with
//! (a dump's register lines), or the hint
//! `(no symbol table in BINARY: symbolize offline with addr2line -f -e
//! BINARY 0xPC1 0xPC2 ...)`, which may also follow the last section
//! directly.

/// Go's line for a goroutine whose stack another thread is running on.
pub const OTHER_THREAD: &str = "\tgoroutine running on other thread; stack unavailable";
/// The name line of a frame without a symbol (stripped binary).
pub const NO_SYMBOL: &str = "?";
/// The line that opens g0's frames in a report written on g0 (Go's).
pub const RUNTIME_STACK: &str = "runtime stack:";
/// The start of the stripped binary's hint line.
const HINT_PREFIX: &str = "(no symbol table in ";
/// The same hint when the executable could not be read at all.
const HINT_PREFIX_UNREAD: &str = "(could not read ";

/// The same hint from a build without rt0's `symbolize` feature.
const HINT_PREFIX_NOSYM: &str = "(rt0 built without its symbolize feature: ";

/// Is `l` the offline-symbolization hint?
fn is_hint(l: &str) -> bool {
    l.starts_with(HINT_PREFIX)
        || l.starts_with(HINT_PREFIX_UNREAD)
        || l.starts_with(HINT_PREFIX_NOSYM)
}
const HINT_MIDDLE: &str = ": symbolize offline with addr2line -f -e ";

/// Where a frame's code is, from its second line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// `FILE:LINE`.
    Line { file: String, line: u32 },
    /// `0xPC`: no line information for the pc.
    Pc(u64),
}

/// One frame: `NAME(...)` and its location line.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The demangled name; [`NO_SYMBOL`] without a symbol table.
    pub name: String,
    pub location: Location,
    /// `+0xOFF`: pc minus the function's start (absent without symbols).
    pub off: Option<u64>,
    /// ` sp=0x.. pc=0x..` at GOTRACEBACK=system and crash.
    pub sp: Option<u64>,
    pub pc: Option<u64>,
    /// A call inlined into a physical frame (named, no `+0xOFF`).
    pub inlined: bool,
    /// The two lines as printed, for messages.
    pub text: String,
}

impl Frame {
    /// The frame's pc when the report shows one: `pc=` at system level,
    /// or the `0xPC` of a frame without line information (None for an
    /// inlined frame: it has no pc of its own).
    pub fn any_pc(&self) -> Option<u64> {
        if self.inlined {
            return None;
        }
        self.pc.or(match self.location {
            Location::Pc(pc) => Some(pc),
            Location::Line { .. } => None,
        })
    }

    pub fn file_line(&self) -> Option<(&str, u32)> {
        match &self.location {
            Location::Line { file, line } => Some((file.as_str(), *line)),
            Location::Pc(_) => None,
        }
    }
}

/// `created by FUNC in goroutine N` and its location line.
#[derive(Clone, Debug)]
pub struct CreatedBy {
    /// `?` when the function cannot be found.
    pub func: String,
    pub parent: u64,
    pub file: String,
    pub line: u32,
    pub off: Option<u64>,
    pub text: String,
}

/// One goroutine section.
#[derive(Clone, Debug)]
pub struct Goroutine {
    pub id: u64,
    /// The words between the brackets: `running`, `chan receive`, ...
    pub state: String,
    pub frames: Vec<Frame>,
    /// `...N frames elided...`: the index in `frames` of the first frame
    /// after the line, and N.
    pub elided: Option<(usize, u64)>,
    /// Go's `goroutine running on other thread; stack unavailable`.
    pub other_thread: bool,
    pub created_by: Option<CreatedBy>,
    /// The section as printed, for messages.
    pub text: String,
}

impl Goroutine {
    /// Names of the frames, in order (innermost first).
    pub fn names(&self) -> Vec<&str> {
        self.frames.iter().map(|f| f.name.as_str()).collect()
    }

    /// The physical frames (inlined ones left out), in order.
    pub fn physical(&self) -> impl Iterator<Item = &Frame> {
        self.frames.iter().filter(|f| !f.inlined)
    }
}

/// The stripped binary's hint line.
#[derive(Clone, Debug)]
pub struct Hint {
    pub binary: String,
    pub pcs: Vec<u64>,
}

/// A whole report.
#[derive(Clone, Debug)]
pub struct Report {
    /// The lines before the blank line of the first section (the message).
    pub head: Vec<String>,
    pub goroutines: Vec<Goroutine>,
    /// Go's `runtime stack:` block (g0's frames), as a section with id
    /// `u64::MAX` and state `runtime stack`.
    pub runtime_stack: Option<Goroutine>,
    /// The lines after the sections (a dump's registers), without the
    /// blank line that separates them and without the hint.
    pub tail: Vec<String>,
    pub hint: Option<Hint>,
}

impl Report {
    pub fn goroutine(&self, id: u64) -> Option<&Goroutine> {
        self.goroutines.iter().find(|g| g.id == id)
    }

    pub fn ids(&self) -> Vec<u64> {
        self.goroutines.iter().map(|g| g.id).collect()
    }

    /// The `runtime stack:` block first, then every goroutine section.
    pub fn sections(&self) -> impl Iterator<Item = &Goroutine> {
        self.runtime_stack.iter().chain(&self.goroutines)
    }
}

fn hex(s: &str) -> Option<u64> {
    u64::from_str_radix(s.strip_prefix("0x")?, 16).ok()
}

/// `goroutine N [state]:` -> (N, state).
pub fn parse_header(line: &str) -> Option<(u64, String)> {
    let rest = line.strip_prefix("goroutine ")?;
    let (id, rest) = rest.split_once(" [")?;
    let state = rest.strip_suffix("]:")?;
    Some((id.parse().ok()?, state.to_string()))
}

/// `...N frames elided...` -> N.
fn parse_elided(line: &str) -> Option<u64> {
    line.strip_prefix("...")?
        .strip_suffix(" frames elided...")?
        .parse()
        .ok()
}

/// Splits a trailing ` sp=0xSP pc=0xPC` off a location line.
fn split_sp_pc(s: &str) -> Result<(&str, Option<u64>, Option<u64>), String> {
    let Some((rest, regs)) = s.rsplit_once(" sp=") else {
        return Ok((s, None, None));
    };
    let (sp, pc) = regs
        .split_once(" pc=")
        .ok_or_else(|| format!("sp= without pc= in {s:?}"))?;
    let sp = hex(sp).ok_or_else(|| format!("bad sp= in {s:?}"))?;
    let pc = hex(pc).ok_or_else(|| format!("bad pc= in {s:?}"))?;
    Ok((rest, Some(sp), Some(pc)))
}

/// `FILE:LINE` -> (FILE, LINE).
fn parse_file_line(s: &str) -> Option<(String, u32)> {
    let (file, line) = s.rsplit_once(':')?;
    // `FILE:LINE:COL` (a panic's location) is not a frame's location.
    let col_like = file
        .rsplit_once(':')
        .is_some_and(|(_, l)| !l.is_empty() && l.chars().all(|c| c.is_ascii_digit()));
    if file.is_empty() || col_like {
        return None;
    }
    Some((file.to_string(), line.parse().ok()?))
}

/// A location line: where, `+0xOFF`, `sp=`, `pc=`.
type LocationLine = (Location, Option<u64>, Option<u64>, Option<u64>);

/// The second line of a frame (after its tab).
fn parse_location(line: &str) -> Result<LocationLine, String> {
    let body = line
        .strip_prefix('\t')
        .ok_or_else(|| format!("frame location line without a tab: {line:?}"))?;
    let (body, sp, pc) = split_sp_pc(body)?;
    let (loc, off) = match body.rsplit_once(" +0x") {
        Some((loc, off)) => (
            loc,
            Some(u64::from_str_radix(off, 16).map_err(|_| format!("bad +0xOFF in {line:?}"))?),
        ),
        None => (body, None),
    };
    let location = if let Some(pc) = hex(loc) {
        Location::Pc(pc)
    } else {
        let (file, l) = parse_file_line(loc).ok_or_else(|| format!("bad FILE:LINE in {line:?}"))?;
        Location::Line { file, line: l }
    };
    Ok((location, off, sp, pc))
}

/// `created by FUNC in goroutine N` -> (FUNC, N).
fn parse_created_by(line: &str) -> Option<(String, u64)> {
    let rest = line.strip_prefix("created by ")?;
    let (func, parent) = rest.rsplit_once(" in goroutine ")?;
    Some((func.to_string(), parent.parse().ok()?))
}

/// The hint line -> (BINARY, pcs); checks the binary is named twice alike.
fn parse_hint(line: &str) -> Result<Hint, String> {
    let rest = line
        .strip_prefix(HINT_PREFIX)
        .or_else(|| line.strip_prefix(HINT_PREFIX_UNREAD))
        .or_else(|| line.strip_prefix(HINT_PREFIX_NOSYM))
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| format!("bad hint line {line:?}"))?;
    let (binary, rest) = rest
        .split_once(HINT_MIDDLE)
        .ok_or_else(|| format!("bad hint line {line:?}"))?;
    let mut words = rest.split(' ');
    let again = words.next().unwrap_or("");
    if again != binary {
        return Err(format!("hint names {binary:?} then {again:?}: {line:?}"));
    }
    let pcs = words
        .map(|w| hex(w).ok_or_else(|| format!("bad pc {w:?} in the hint {line:?}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Hint {
        binary: binary.to_string(),
        pcs,
    })
}

/// Parses the body of one section (the lines after its header, up to the
/// blank line or the end).
fn parse_section(id: u64, state: String, lines: &[&str]) -> Result<Goroutine, String> {
    let mut g = Goroutine {
        id,
        state,
        frames: Vec::new(),
        elided: None,
        other_thread: false,
        created_by: None,
        text: String::new(),
    };
    let mut i = 0;
    let ctx = |i: usize, what: &str| format!("goroutine {id}, line {}: {what}", i + 1);
    while i < lines.len() {
        let l = lines[i];
        if g.created_by.is_some() {
            return Err(ctx(i, &format!("line after the created by block: {l:?}")));
        }
        if l == OTHER_THREAD {
            if !g.frames.is_empty() || g.other_thread {
                return Err(ctx(i, "'running on other thread' after frames"));
            }
            g.other_thread = true;
            i += 1;
        } else if let Some(n) = parse_elided(l) {
            if g.elided.is_some() {
                return Err(ctx(i, "two elision lines"));
            }
            g.elided = Some((g.frames.len(), n));
            i += 1;
        } else if let Some((func, parent)) = parse_created_by(l) {
            let loc = lines
                .get(i + 1)
                .ok_or_else(|| ctx(i, "created by without its location line"))?;
            let (location, off, sp, pc) = parse_location(loc).map_err(|e| ctx(i + 1, &e))?;
            let Location::Line { file, line } = location else {
                return Err(ctx(
                    i + 1,
                    &format!("created by location is no FILE:LINE: {loc:?}"),
                ));
            };
            if sp.is_some() || pc.is_some() {
                return Err(ctx(
                    i + 1,
                    &format!("sp=/pc= on a created by line: {loc:?}"),
                ));
            }
            g.created_by = Some(CreatedBy {
                func,
                parent,
                file,
                line,
                off,
                text: format!("{l}\n{loc}"),
            });
            i += 2;
        } else if let Some(name) = l.strip_suffix("(...)") {
            if g.other_thread {
                return Err(ctx(i, "frames after 'running on other thread'"));
            }
            if name.is_empty() || name.starts_with('\t') {
                return Err(ctx(i, &format!("bad frame name line {l:?}")));
            }
            let loc = lines
                .get(i + 1)
                .ok_or_else(|| ctx(i, "frame without its location line"))?;
            let (location, off, sp, pc) = parse_location(loc).map_err(|e| ctx(i + 1, &e))?;
            let inlined = off.is_none() && name != NO_SYMBOL;
            if inlined && (sp.is_some() || pc.is_some()) {
                return Err(ctx(
                    i + 1,
                    &format!("an inlined frame (no +0xOFF) with sp=/pc=: {loc:?}"),
                ));
            }
            g.frames.push(Frame {
                name: name.to_string(),
                location,
                off,
                sp,
                pc,
                inlined,
                text: format!("{l}\n{loc}"),
            });
            i += 2;
        } else {
            return Err(ctx(
                i,
                &format!("not a frame, elision, created by or other-thread line: {l:?}"),
            ));
        }
    }
    Ok(g)
}

/// Parses a whole report (stderr of the program, or what
/// `runtime::stack` wrote when `head` may be empty).
pub fn parse(text: &str) -> Result<Report, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut report = Report {
        head: Vec::new(),
        goroutines: Vec::new(),
        runtime_stack: None,
        tail: Vec::new(),
        hint: None,
    };
    // A block starts with a `goroutine N [..]:` header or `runtime stack:`
    // after a blank line (or at the very start, for runtime::stack's text).
    let is_block_at = |i: usize| {
        (parse_header(lines[i]).is_some() || lines[i] == RUNTIME_STACK)
            && (i == 0 || lines[i - 1].is_empty())
    };
    let Some(first) = (0..lines.len()).find(|&i| is_block_at(i)) else {
        for l in &lines {
            if is_hint(l) {
                report.hint = Some(parse_hint(l)?);
            } else {
                report.head.push(l.to_string());
            }
        }
        return Ok(report);
    };
    report.head = lines[..first.saturating_sub(1)]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut i = first;
    loop {
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && !lines[end].is_empty() && !is_hint(lines[end]) {
            end += 1;
        }
        if lines[i] == RUNTIME_STACK {
            if report.runtime_stack.is_some() || !report.goroutines.is_empty() {
                return Err(format!("line {}: a second or late `runtime stack:`", i + 1));
            }
            let mut g = parse_section(u64::MAX, "runtime stack".into(), &lines[start..end])?;
            g.text = lines[i..end].join("\n");
            report.runtime_stack = Some(g);
        } else {
            let (id, state) = parse_header(lines[i]).expect("a header");
            let mut g = parse_section(id, state, &lines[start..end])?;
            g.text = lines[i..end].join("\n");
            report.goroutines.push(g);
        }
        // What ends the block: the end, the hint, or a blank line followed
        // by the next block or by the tail.
        if end == lines.len() {
            break;
        }
        if is_hint(lines[end]) {
            report.hint = Some(parse_hint(lines[end])?);
            report.tail = lines[end + 1..].iter().map(|s| s.to_string()).collect();
            break;
        }
        if end + 1 < lines.len() && is_block_at(end + 1) {
            i = end + 1;
            continue;
        }
        for l in &lines[end + 1..] {
            if is_hint(l) {
                if report.hint.is_some() {
                    return Err("two hint lines".into());
                }
                report.hint = Some(parse_hint(l)?);
            } else {
                report.tail.push(l.to_string());
            }
        }
        break;
    }
    Ok(report)
}
