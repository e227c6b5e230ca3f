//! Indexing a header section (a response head, or the trailer section of a
//! chunked body) line by line as its bytes arrive.
//!
//! Each byte is looked at once. Plain field lines (`name: value` ending in
//! CRLF, nothing unusual) go through one tight loop: the name checked and
//! the value scanned for control bytes 16 bytes at a time, the line
//! recorded as offsets. Everything else — the status line, tabs, folds,
//! bare LF, limits, errors — goes through the general path one line at a
//! time; the loop never decides an error, so both paths give the same
//! outcome. Scans resume where the previous read left off, and events are
//! served from the finished index, so a head that trickles in is neither
//! rescanned nor re-parsed.

use bytes::Bytes;

use crate::chars::{self, find_ctl, token_prefix_len};
use crate::config::{Leniency, Limits};
use crate::error::{Error, LimitKind};
use crate::event::Version;
use crate::framing::FramingFacts;

/// The largest section this index can hold (its offsets are `u32`): a
/// larger configured limit acts as this one.
const MAX_SECTION: usize = u32::MAX as usize;

/// One field line: name and value as offsets into the receive buffer, or,
/// for a value unfolded from obs-fold lines, into [`Section::fold`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub name: (u32, u32),
    pub value: (u32, u32),
    pub folded: bool,
}

impl Field {
    /// The field, borrowed from the buffer it was indexed in.
    #[inline]
    pub(crate) fn header<'a>(&self, buf: &'a [u8], fold: &'a [u8]) -> crate::event::Header<'a> {
        let name = &buf[self.name.0 as usize..self.name.1 as usize];
        let value = if self.folded { fold } else { buf };
        crate::event::Header {
            name,
            value: &value[self.value.0 as usize..self.value.1 as usize],
        }
    }
}

/// Which section is being indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Head,
    Trailers,
}

/// What [`Section::advance`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Progress {
    /// More bytes are needed.
    NeedMore,
    /// The blank line ending the section was indexed; the section is this long.
    Complete(usize),
    /// Not an HTTP/1 status line, and HTTP/0.9 responses are accepted.
    Http09,
}

/// The parsed status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Status {
    pub version: Version,
    pub code: u16,
    pub reason: (u32, u32),
}

/// The index of one header section being received.
#[derive(Debug)]
pub(crate) struct Section {
    kind: Kind,
    /// Offset of the first byte of the line being indexed.
    line_start: usize,
    /// The control-byte scan of the current line resumes here.
    scan: usize,
    pub status: Option<Status>,
    pub fields: Vec<Field>,
    /// Unfolded values (lenient obs-fold only).
    pub fold: Vec<u8>,
    pub facts: FramingFacts,
    /// Field lines seen, skipped ones included (for the count limit).
    lines: usize,
    /// The last field line was skipped (lenient): so are its continuations.
    skipping: bool,
    /// A plain field line that a read ended in, its value begun: the
    /// line's start, its name's end and its value's start, so that the
    /// next read goes on from the value.
    partial: Option<(usize, usize, usize)>,
    /// The bounds of a field line and the field-count limit, worked out
    /// once per section for the plain path.
    field_bounds: (Bounds, usize),
}

impl Section {
    pub(crate) fn new() -> Section {
        Section {
            kind: Kind::Head,
            line_start: 0,
            scan: 0,
            status: None,
            fields: Vec::new(),
            fold: Vec::new(),
            facts: FramingFacts::default(),
            lines: 0,
            skipping: false,
            partial: None,
            field_bounds: (
                Bounds {
                    line: 0,
                    line_kind: LimitKind::HeaderLine,
                    section: 0,
                    section_kind: LimitKind::HeadBytes,
                },
                0,
            ),
        }
    }

    /// Start indexing a new section at the front of the buffer.
    #[inline]
    pub(crate) fn reset(&mut self, kind: Kind, limits: &Limits) {
        self.kind = kind;
        let (bounds, max_count, _) = Self::field_line_bounds(kind, limits);
        self.field_bounds = (bounds, max_count);
        self.line_start = 0;
        self.scan = 0;
        self.status = None;
        self.fields.clear();
        self.fold.clear();
        self.facts = FramingFacts::default();
        self.lines = 0;
        self.skipping = false;
        self.partial = None;
    }

    /// The bounds of the next line, and the field-count limit.
    fn bounds(&self, limits: &Limits) -> (Bounds, usize, LimitKind) {
        let (mut bounds, count, count_kind) = Self::field_line_bounds(self.kind, limits);
        if self.kind == Kind::Head && self.status.is_none() {
            bounds.line = limits.max_status_line;
            bounds.line_kind = LimitKind::StatusLine;
        }
        (bounds, count, count_kind)
    }

    /// The bounds of a field line in a section of `kind`, and the
    /// field-count limit.
    fn field_line_bounds(kind: Kind, limits: &Limits) -> (Bounds, usize, LimitKind) {
        let (section, section_kind, count, count_kind) = match kind {
            Kind::Head => (
                limits.max_head_bytes,
                LimitKind::HeadBytes,
                limits.max_headers,
                LimitKind::HeaderCount,
            ),
            Kind::Trailers => (
                limits.max_trailer_bytes,
                LimitKind::TrailerBytes,
                limits.max_trailers,
                LimitKind::TrailerCount,
            ),
        };
        let bounds = Bounds {
            line: limits.max_header_line,
            line_kind: LimitKind::HeaderLine,
            // Fields are indexed with 32-bit offsets from the section's
            // start: a section ends before they could overflow.
            section: section.min(MAX_SECTION),
            section_kind,
        };
        (bounds, count, count_kind)
    }

    #[cold]
    fn line_error(&self, buf: &[u8], at: usize, reason: &'static str) -> Error {
        let end = buf.len().min(self.line_start + 256).max(at.min(buf.len()));
        let line = Bytes::copy_from_slice(&buf[self.line_start..end]);
        if self.status.is_none() && self.kind == Kind::Head {
            Error::BadStatusLine { line, reason }
        } else {
            Error::InvalidHeader {
                line,
                position: at - self.line_start,
                reason,
            }
        }
    }

    /// Index every complete line of `buf` not indexed yet.
    #[inline(always)]
    pub(crate) fn advance(
        &mut self,
        buf: &[u8],
        limits: &Limits,
        lenient: &Leniency,
    ) -> Result<Progress, Error> {
        // Past the status line, plain lines go through one tight loop;
        // whatever it stops at (a tab, a fold, a limit, an error, ...)
        // goes through the general path, one line at a time.
        if let Some(progress) = self.advance_plain(buf, limits, false) {
            return Ok(progress);
        }
        self.advance_general(buf, limits, lenient)
    }

    /// [`advance`](Self::advance) as far as the plain lines take it (the
    /// usual status line, plain field lines): `None` where the general
    /// path must take over, having indexed the plain lines before.
    /// A `Complete` section's blank line stays where it is: asking again
    /// answers the same.
    /// `arriving`: a head arriving in pieces, and only bytes added since
    /// the last call found it incomplete here (the status line is indexed,
    /// no need to look; a line begun then is resumed first).
    #[inline(always)]
    pub(crate) fn advance_plain(
        &mut self,
        buf: &[u8],
        limits: &Limits,
        arriving: bool,
    ) -> Option<Progress> {
        debug_assert!(!arriving || self.kind != Kind::Head || self.status.is_some());
        if !arriving
            && self.kind == Kind::Head
            && self.status.is_none()
            && !self.plain_status_line(buf, limits)
        {
            return None;
        }
        let (bounds, max_count) = self.field_bounds;
        debug_assert_eq!((bounds, max_count), {
            let (b, m, _) = self.bounds(limits);
            (b, m)
        });
        if arriving && self.scan > self.line_start {
            // The line a read ended in (most reads of a head arriving in
            // pieces end inside a line): its scan resumes over the new
            // bytes before the loop is set up, and when they hold no
            // control byte either, the line simply goes on.
            let cr = chars::ctl_from(buf, self.scan);
            self.scan = cr;
            if cr == buf.len() {
                return (cr <= bounds.first_crossing(self.line_start))
                    .then_some(Progress::NeedMore);
            }
        }
        self.plain_lines(buf, bounds, max_count)
    }

    /// The status line as nearly every server sends it — `HTTP/1.1`, one
    /// SP, three digits from 100, one SP, a reason without control bytes
    /// (the reason starts right after that SP, as `parse_status` has it
    /// for `HTTP/1.1` in every mode), CRLF, within the limits — indexed
    /// without the general path; `false`, nothing changed, for anything
    /// else (the general path judges it, so the outcome is the same either
    /// way). Only a line no earlier poll began to scan: one arriving in
    /// pieces is the general path's, which resumes its scan where the last
    /// read stopped (here a reason would be scanned again on every read,
    /// and a tab an earlier read skipped must still reach the general
    /// path).
    #[inline(always)]
    fn plain_status_line(&mut self, buf: &[u8], limits: &Limits) -> bool {
        let Some(head) = buf.get(..13) else {
            return false;
        };
        if &head[..9] != b"HTTP/1.1 " {
            return false;
        }
        let digit = |b: u8| u16::from(b.wrapping_sub(b'0'));
        let (a, b, c) = (digit(head[9]), digit(head[10]), digit(head[11]));
        if self.scan != 0 || a.max(b).max(c) > 9 || a == 0 || head[12] != b' ' {
            return false;
        }
        let cr = chars::ctl_from(buf, 13);
        if buf.get(cr..cr + 2) != Some(b"\r\n")
            || cr + 2 > limits.max_status_line.min(limits.max_head_bytes)
        {
            return false;
        }
        self.status = Some(Status {
            version: Version::Http11,
            code: a * 100 + b * 10 + c,
            reason: (13, cr as u32),
        });
        self.line_start = cr + 2;
        self.scan = cr + 2;
        true
    }

    /// [`advance`](Self::advance) for every line the plain path leaves.
    #[inline(never)]
    fn advance_general(
        &mut self,
        buf: &[u8],
        limits: &Limits,
        lenient: &Leniency,
    ) -> Result<Progress, Error> {
        if self.kind == Kind::Head
            && self.status.is_none()
            && self.line_start == 0
            && buf.get(..5) != Some(b"HTTP/")
        {
            // Detect a non-HTTP answer (TLS alert, HTML, garbage) before any LF.
            let lead = if lenient.loose_status_line {
                buf.iter().take_while(|&&b| b == b' ' || b == b'\t').count()
            } else {
                0
            };
            let avail = &buf[lead..];
            let n = avail.len().min(5);
            if let Some(i) = (0..n).find(|&i| avail[i] != b"HTTP/"[i]) {
                // The byte at `lead + i` decides; a limit crossed before it
                // wins, as it does when the bytes come in pieces.
                self.bounds(limits).0.check(0, lead + i + 1)?;
                if lenient.http09_responses {
                    return Ok(Progress::Http09);
                }
                return Err(Error::BadStatusLine {
                    line: Bytes::copy_from_slice(&buf[..buf.len().min(80)]),
                    reason: "response does not start with \"HTTP/\"",
                });
            }
        }
        if self.kind == Kind::Head && self.status.is_none() {
            let (bounds, _, _) = self.bounds(limits);
            let Some((start, end)) = self.next_line(buf, lenient, bounds)? else {
                return Ok(Progress::NeedMore);
            };
            self.status = Some(parse_status(&buf[start..end], start, lenient)?);
        }
        // The field lines: their bounds do not change from line to line.
        let (bounds, max_count, count_kind) = self.bounds(limits);
        loop {
            if let Some(progress) = self.plain_lines(buf, bounds, max_count) {
                return Ok(progress);
            }
            let Some((start, end)) = self.next_line(buf, lenient, bounds)? else {
                return Ok(Progress::NeedMore);
            };
            if end == start {
                return Ok(Progress::Complete(self.line_start));
            }
            self.lines += 1;
            if self.lines > max_count {
                return Err(Error::LimitExceeded {
                    kind: count_kind,
                    limit: max_count,
                });
            }
            self.index_field(buf, start, end, lenient)?;
        }
    }

    /// Index the plain field lines at `line_start` — `name ":" OWS value
    /// OWS CRLF`, with no control byte in the value, within the limits —
    /// until the section ends (`Complete`, its length with the blank line),
    /// the bytes end inside a line within the limits (`NeedMore`), or a
    /// line is anything else (`None`: the general path judges it, so the
    /// outcome is the same whichever path indexed what). Each byte is
    /// looked at once: a line begun in an earlier read resumes its scan at
    /// `scan`, and one not complete yet leaves `scan` at the end.
    #[inline]
    fn plain_lines(&mut self, buf: &[u8], bounds: Bounds, max_count: usize) -> Option<Progress> {
        // Absolute offsets into `buf`, kept in registers through the loop
        // and stored once at the end.
        let mut start = self.line_start;
        let mut scan = self.scan;
        let mut lines = self.lines;
        let head = self.kind == Kind::Head;
        let outcome = loop {
            let (name_end, v, cr);
            if scan > start {
                // A line begun in an earlier call: bytes up to `scan` were
                // scanned then.
                cr = chars::ctl_from(buf, scan);
                if cr == buf.len() {
                    scan = cr;
                    break (cr <= bounds.first_crossing(start)).then_some(Progress::NeedMore);
                }
                match self.partial {
                    Some((at, n, value)) if at == start => (name_end, v) = (n, value),
                    _ => {
                        let Ok(end) = chars::field_name(&buf[..cr], start) else {
                            break None;
                        };
                        name_end = end;
                        v = skip_ows(buf, name_end + 1);
                    }
                }
            } else {
                if buf.get(start) == Some(&b'\r') {
                    if buf.get(start + 1) != Some(&b'\n')
                        || start + 2 > bounds.first_crossing(start)
                    {
                        // The blank line's LF may come next.
                        let wait =
                            start + 1 == buf.len() && buf.len() <= bounds.first_crossing(start);
                        break wait.then_some(Progress::NeedMore);
                    }
                    // `line_start` stays at the blank line (see
                    // `advance_plain`).
                    scan = start;
                    break Some(Progress::Complete(start + 2));
                }
                name_end = match chars::field_name(buf, start) {
                    Ok(end) => end,
                    Err(end) => {
                        if end == buf.len() {
                            // The name goes on in the next read (its bytes
                            // are no control bytes: the scan resumes after
                            // them), or has not begun (the read ended with
                            // the line before).
                            scan = end;
                            break (end <= bounds.first_crossing(start))
                                .then_some(Progress::NeedMore);
                        }
                        break None;
                    }
                };
                v = skip_ows(buf, name_end + 1);
                cr = chars::ctl_from(buf, v);
                if cr == buf.len() {
                    // Every byte up to the end is allowed: resume there,
                    // and from the value if it has begun.
                    scan = cr;
                    if v < cr {
                        self.partial = Some((start, name_end, v));
                    }
                    break (cr <= bounds.first_crossing(start)).then_some(Progress::NeedMore);
                }
            }
            if buf.get(cr..cr + 2) != Some(b"\r\n") {
                if cr + 1 == buf.len()
                    && buf[cr] == b'\r'
                    && buf.len() <= bounds.first_crossing(start)
                {
                    // The line's LF comes next: resume at its CR.
                    scan = cr;
                    self.partial = Some((start, name_end, v));
                    break Some(Progress::NeedMore);
                }
                break None;
            }
            let next = cr + 2;
            if next > bounds.first_crossing(start) || lines >= max_count {
                break None;
            }
            let mut end = cr;
            if end > v && buf[end - 1] <= b' ' {
                // SP or HTAB: the only bytes up to SP a value can hold.
                end = v + chars::trim_ows(&buf[v..end]).len();
            }
            lines += 1;
            // Only names of a framing field's length can matter: the
            // others skip the slicing too.
            if head && FramingFacts::may_observe(name_end - start) {
                self.facts.observe(&buf[start..name_end], &buf[v..end]);
            }
            self.fields.push(Field {
                name: (start as u32, name_end as u32),
                value: (v as u32, end as u32),
                folded: false,
            });
            start = next;
            scan = next;
        };
        if lines > self.lines {
            self.skipping = false;
        }
        self.line_start = start;
        self.scan = scan;
        self.lines = lines;
        outcome
    }

    /// The next complete line within `bounds`: its start and its content
    /// end (terminator excluded); the line after it starts at `line_start`
    /// from now on. `None` when the line is not complete yet.
    #[inline(always)]
    fn next_line(
        &mut self,
        buf: &[u8],
        lenient: &Leniency,
        bounds: Bounds,
    ) -> Result<Option<(usize, usize)>, Error> {
        // The common case inline: the next control byte is the CR of a CRLF.
        let (end, next) = match find_ctl(buf, self.scan) {
            Some(p) if buf[p] == b'\r' && buf.get(p + 1) == Some(&b'\n') => (p, p + 2),
            None => {
                self.scan = buf.len();
                bounds.check(self.line_start, buf.len())?;
                return Ok(None);
            }
            Some(_) => match self.line_end(buf, lenient, bounds)? {
                Some(x) => x,
                None => return Ok(None),
            },
        };
        let start = self.line_start;
        bounds.check(start, next)?;
        self.line_start = next;
        self.scan = next;
        Ok(Some((start, end)))
    }

    /// Find the end of the line at `line_start` when the next control byte
    /// is not simply its CRLF: tabs are skipped, bad bytes rejected, and
    /// the scan resumes where the last call stopped. The content end and
    /// the next line's start, or `None` if incomplete; the caller checks
    /// the line's length.
    #[cold]
    #[inline(never)]
    fn line_end(
        &mut self,
        buf: &[u8],
        lenient: &Leniency,
        bounds: Bounds,
    ) -> Result<Option<(usize, usize)>, Error> {
        // A limit is crossed when the byte at `first` arrives. An error that
        // the byte at `q` decides is only reported if `q` comes no later,
        // so that the outcome never depends on how the bytes were split.
        let first = bounds.first_crossing(self.line_start);
        loop {
            let hit = find_ctl(buf, self.scan);
            let q = match hit {
                Some(p) if buf[p] == b'\r' => p + 1,
                Some(p) => p,
                None => buf.len(),
            };
            if q > first && first < buf.len() {
                return Err(bounds.crossed(self.line_start));
            }
            match hit {
                None => {
                    self.scan = buf.len();
                    return Ok(None);
                }
                Some(p) => match buf[p] {
                    b'\r' => match buf.get(p + 1) {
                        Some(b'\n') => return Ok(Some((p, p + 2))),
                        Some(_) => return Err(self.line_error(buf, p, "bare CR in line")),
                        None => {
                            self.scan = p;
                            return Ok(None);
                        }
                    },
                    b'\t' => self.scan = p + 1,
                    b'\n' if lenient.bare_lf_in_head => return Ok(Some((p, p + 1))),
                    b'\n' => {
                        return Err(self.line_error(buf, p, "line ends in a bare LF (strict mode)"))
                    }
                    0 => return Err(self.line_error(buf, p, "NUL byte")),
                    _ if lenient.ctl_in_values && p > self.line_start => self.scan = p + 1,
                    _ => return Err(self.line_error(buf, p, "control byte")),
                },
            }
        }
    }

    /// Record the field line `buf[start..end]` (terminator excluded).
    fn index_field(
        &mut self,
        buf: &[u8],
        start: usize,
        end: usize,
        lenient: &Leniency,
    ) -> Result<(), Error> {
        let line = &buf[start..end];
        if line[0] == b' ' || line[0] == b'\t' {
            return self.continuation(buf, start, end, lenient);
        }
        let name_len = token_prefix_len(line);
        if name_len == 0 || line.get(name_len) != Some(&b':') {
            let reason = match line.get(name_len) {
                _ if name_len == 0 && line[0] == b':' => "empty field name",
                Some(b' ' | b'\t') => "whitespace between field name and colon",
                None => "field line without a colon",
                Some(_) => "invalid byte in field name",
            };
            let claimed = line
                .iter()
                .position(|&b| b == b':')
                .map_or(line, |c| &line[..c]);
            let claimed = chars::trim_ows(claimed);
            let framing = claimed.eq_ignore_ascii_case(b"content-length")
                || claimed.eq_ignore_ascii_case(b"transfer-encoding");
            if lenient.skip_invalid_headers && !framing {
                // Skipped, with any continuation lines it has.
                self.skipping = true;
                return Ok(());
            }
            return Err(Error::InvalidHeader {
                line: Bytes::copy_from_slice(line),
                position: name_len,
                reason,
            });
        }
        let (vs, ve) = chars::trim_ows_range(&line[name_len + 1..]);
        let value = &line[name_len + 1 + vs..name_len + 1 + ve];
        if self.kind == Kind::Head {
            self.facts.observe(&line[..name_len], value);
        }
        self.skipping = false;
        let base = (start + name_len + 1) as u32;
        self.fields.push(Field {
            name: (start as u32, (start + name_len) as u32),
            value: (base + vs as u32, base + ve as u32),
            folded: false,
        });
        Ok(())
    }

    /// An obs-fold continuation line: unfold it into the previous field's
    /// value (lenient), or reject it.
    fn continuation(
        &mut self,
        buf: &[u8],
        start: usize,
        end: usize,
        lenient: &Leniency,
    ) -> Result<(), Error> {
        if self.skipping && lenient.obs_fold {
            return Ok(());
        }
        let first = self.fields.is_empty();
        if !lenient.obs_fold || first {
            return Err(Error::InvalidHeader {
                line: Bytes::copy_from_slice(&buf[start..end]),
                position: 0,
                reason: if first {
                    "whitespace before the first field line"
                } else {
                    "obs-fold continuation line (strict mode)"
                },
            });
        }
        let last = self.fields.len() - 1;
        let f = self.fields[last];
        if !f.folded {
            let a = self.fold.len();
            self.fold
                .extend_from_slice(&buf[f.value.0 as usize..f.value.1 as usize]);
            self.fields[last].value = (a as u32, self.fold.len() as u32);
            self.fields[last].folded = true;
        }
        let more = chars::trim_ows(&buf[start..end]);
        if !more.is_empty() {
            if self.fields[last].value.1 > self.fields[last].value.0 {
                self.fold.push(b' ');
            }
            self.fold.extend_from_slice(more);
        }
        self.fields[last].value.1 = self.fold.len() as u32;
        if self.kind == Kind::Head {
            // Framing fields are judged on their unfolded value.
            let name = &buf[f.name.0 as usize..f.name.1 as usize];
            let (a, b) = self.fields[last].value;
            if name.eq_ignore_ascii_case(b"transfer-encoding")
                || name.eq_ignore_ascii_case(b"content-length")
            {
                return Err(Error::InvalidHeader {
                    line: Bytes::copy_from_slice(&self.fold[a as usize..b as usize]),
                    position: 0,
                    reason: "framing field folded over several lines",
                });
            }
        }
        Ok(())
    }
}

/// The offset of the first byte at or after `i` that is not SP or HTAB
/// (OWS: almost always one SP).
#[inline(always)]
fn skip_ows(s: &[u8], i: usize) -> usize {
    let i = i + usize::from(s.get(i) == Some(&b' '));
    match s.get(i) {
        Some(b' ' | b'\t') => skip_more_ows(s, i),
        _ => i,
    }
}

/// [`skip_ows`] past a second whitespace byte (rare).
#[cold]
#[inline(never)]
fn skip_more_ows(s: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t') = s.get(i) {
        i += 1;
    }
    i
}

/// The two limits a line is held to: its own length, and the section's
/// size (both counted from the section's first byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bounds {
    line: usize,
    line_kind: LimitKind,
    section: usize,
    section_kind: LimitKind,
}

impl Bounds {
    /// The offset of the first byte that crosses a limit for a line
    /// starting at `line_start`.
    fn first_crossing(&self, line_start: usize) -> usize {
        line_start.saturating_add(self.line).min(self.section)
    }

    /// The error if a line starting at `line_start` has bytes up to `end`
    /// (exclusive) past a limit: the limit whose threshold comes first in
    /// the stream (the line limit on a tie), so that the answer is the same
    /// however the bytes were split.
    fn check(&self, line_start: usize, end: usize) -> Result<(), Error> {
        if end <= self.first_crossing(line_start) {
            return Ok(());
        }
        Err(self.crossed(line_start))
    }

    #[cold]
    fn crossed(&self, line_start: usize) -> Error {
        if line_start.saturating_add(self.line) <= self.section {
            Error::LineTooLong {
                kind: self.line_kind,
                limit: self.line,
            }
        } else {
            Error::LimitExceeded {
                kind: self.section_kind,
                limit: self.section,
            }
        }
    }
}

/// Parse a complete status line (terminator excluded) found at `offset`.
fn parse_status(l: &[u8], offset: usize, lenient: &Leniency) -> Result<Status, Error> {
    let bad = |reason| Error::BadStatusLine {
        line: Bytes::copy_from_slice(l),
        reason,
    };
    let loose = lenient.loose_status_line;
    // Fast path: "HTTP/1.1 200 " as every modern server sends it.
    if l.len() >= 12
        && &l[..9] == b"HTTP/1.1 "
        && l[9..12].iter().all(u8::is_ascii_digit)
        && (l.get(12) == Some(&b' ') || (loose && l.len() == 12))
    {
        let code = l[9..12]
            .iter()
            .fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
        if code < 100 {
            return Err(bad("status code below 100"));
        }
        let r = if l.len() == 12 { 12 } else { 13 };
        return Ok(Status {
            version: Version::Http11,
            code,
            reason: ((offset + r) as u32, (offset + l.len()) as u32),
        });
    }
    let is_sep = |b: u8| b == b' ' || (loose && b == b'\t');
    let mut i = if loose {
        l.iter().take_while(|&&b| b == b' ' || b == b'\t').count()
    } else {
        0
    };
    i += 5;
    let digits = |from: usize| {
        l[from.min(l.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let major_len = digits(i);
    let major = &l[i..i + major_len];
    i += major_len;
    if l.get(i) != Some(&b'.') {
        return Err(bad("malformed HTTP version"));
    }
    i += 1;
    let minor_len = digits(i);
    let minor = &l[i..i + minor_len];
    i += minor_len;
    if major_len == 0 || minor_len == 0 || (!loose && (major_len != 1 || minor_len != 1)) {
        return Err(bad("malformed HTTP version"));
    }
    let version = match (major, minor) {
        (b"1", b"0") => Version::Http10,
        (b"1", _) => Version::Http11,
        (b"0", b"9") => Version::Http09,
        _ => {
            return Err(Error::UnknownProtocol {
                version: Bytes::copy_from_slice(&l[..i]),
            })
        }
    };
    let sep = l[i.min(l.len())..]
        .iter()
        .take_while(|&&b| is_sep(b))
        .count();
    if sep == 0 || (!loose && sep != 1) {
        return Err(bad("expected one SP after the version"));
    }
    i += sep;
    if l.len() < i + 3 || !l[i..i + 3].iter().all(u8::is_ascii_digit) {
        return Err(bad("status code is not three digits"));
    }
    let code = l[i..i + 3]
        .iter()
        .fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
    if code < 100 {
        return Err(bad("status code below 100"));
    }
    i += 3;
    let reason = if i == l.len() {
        // RFC 9112 §4: `status-code SP [ reason-phrase ]` — the SP is not
        // optional, however many servers leave it out.
        if !loose {
            return Err(bad("no SP after the status code (strict mode)"));
        }
        (i, i)
    } else {
        let sep = l[i..].iter().take_while(|&&b| is_sep(b)).count();
        if sep == 0 {
            return Err(bad("status code is not three digits"));
        }
        (if loose { i + sep } else { i + 1 }, l.len())
    };
    Ok(Status {
        version,
        code,
        reason: ((offset + reason.0) as u32, (offset + reason.1) as u32),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_past_what_the_offsets_hold_end_where_they_do() {
        let limits = Limits {
            max_header_line: usize::MAX,
            max_head_bytes: usize::MAX,
            max_trailer_bytes: usize::MAX,
            ..Limits::default()
        };
        for kind in [Kind::Head, Kind::Trailers] {
            let (bounds, _, _) = Section::field_line_bounds(kind, &limits);
            assert_eq!(bounds.section, MAX_SECTION);
            // No overflow, and the section's end is the first crossing.
            assert_eq!(bounds.first_crossing(10), MAX_SECTION);
            // (On 32-bit targets the clamp is no bound of its own.)
            if let Some(past) = MAX_SECTION.checked_add(1) {
                assert!(matches!(
                    bounds.check(10, past),
                    Err(Error::LimitExceeded {
                        limit: MAX_SECTION,
                        ..
                    })
                ));
            }
        }
        let (bounds, _, _) = Section::field_line_bounds(Kind::Head, &Limits::default());
        assert_eq!((bounds.line, bounds.section), (64 * 1024, 128 * 1024));
    }
}
