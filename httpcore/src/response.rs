//! The response side: an incremental parser for status line, header
//! fields, body framing and trailers, driven one event at a time.
//!
//! Bytes wait in one buffer. Each call to [`Reader::poll`] first drops what
//! the previous event borrowed, then looks for the next event in what is
//! left. A line is searched for its end once: `scan` remembers how far the
//! search got, so bytes trickling in are never rescanned.

use bytes::{Buf, Bytes, BytesMut};

use crate::chars::{self, FIELD_VALUE, FIELD_VALUE_LENIENT};
use crate::config::{Leniency, Limits};
use crate::error::{Error, LimitKind};
use crate::event::{Done, Event, Framing, Header, StatusLine, Version};
use crate::framing::{self, FramingFacts, RequestKind};

/// Where the reader is in the current response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Waiting for the first byte of a status line.
    StatusLine,
    /// An HTTP/0.9 simple response was detected; its synthetic status line is due.
    Http09,
    /// The synthetic end of an HTTP/0.9 head is due.
    Http09End,
    /// Inside the header section.
    Headers,
    /// A body of a known number of bytes remains.
    Length(u64),
    /// A body that runs until the connection closes.
    UntilClose,
    /// Waiting for a chunk-size line.
    ChunkSize,
    /// Inside chunk data; this many bytes of the chunk remain.
    ChunkData(u64),
    /// The CRLF after chunk data is due.
    ChunkDataEnd,
    /// Inside the trailer section.
    Trailers,
    /// The message is complete; the `Done` event is due.
    Finish,
    /// Between responses.
    Idle,
    /// The stream after this response belongs to the caller.
    Switched,
}

/// Where a field value lives, for the event built from it.
#[derive(Debug, Clone, Copy)]
enum Value {
    /// A range of the buffer.
    Buf(usize, usize),
    /// The unfold scratch buffer (lenient obs-fold).
    Folded,
}

/// An event, as ranges into the buffer: built while the reader is mutated,
/// turned into a borrowing [`Event`] at the end of the poll.
#[derive(Debug)]
enum Out {
    Status(Version, u16, usize, usize),
    Field(bool, usize, usize, Value),
    EndOfHead(Framing),
    Body(Bytes),
    Done(Done),
}

/// A located line: content is `buf[..end]`, the next line starts at `next`.
#[derive(Debug, Clone, Copy)]
struct Line {
    end: usize,
    next: usize,
}

/// The incremental response parser.
#[derive(Debug)]
pub(crate) struct Reader {
    pub(crate) buf: BytesMut,
    /// Bytes at the front of `buf` that the last event borrowed.
    consumed: usize,
    /// Search for the current line's LF resumes here.
    scan: usize,
    pub(crate) state: State,
    pub(crate) eof: bool,
    limits: Limits,
    leniency: Leniency,
    facts: FramingFacts,
    head_bytes: usize,
    fields: usize,
    interim: usize,
    /// Reusability of the current message, decided at the end of its head.
    reusable: bool,
    body_received: u64,
    ext_bytes: usize,
    /// Unfolded obs-fold field lines (lenient mode only).
    fold: Vec<u8>,
    /// The field line being located has continuation lines (survives a
    /// wait for more bytes).
    folded: bool,
    /// Bytes of the current response received so far (for retry safety).
    pub(crate) response_started: bool,
}

type Step = Result<Option<Out>, Error>;

impl Reader {
    pub(crate) fn new(limits: Limits, leniency: Leniency) -> Self {
        Reader {
            buf: BytesMut::new(),
            consumed: 0,
            scan: 0,
            state: State::Idle,
            eof: false,
            limits,
            leniency,
            facts: FramingFacts::default(),
            head_bytes: 0,
            fields: 0,
            interim: 0,
            reusable: false,
            body_received: 0,
            ext_bytes: 0,
            fold: Vec::new(),
            folded: false,
            response_started: false,
        }
    }

    /// Get ready for the response to the next request.
    pub(crate) fn start_response(&mut self) {
        debug_assert!(matches!(self.state, State::Idle));
        self.state = State::StatusLine;
        self.interim = 0;
        self.response_started = false;
        self.begin_head();
    }

    fn begin_head(&mut self) {
        self.facts = FramingFacts::default();
        self.head_bytes = 0;
        self.fields = 0;
        self.body_received = 0;
        self.ext_bytes = 0;
    }

    /// Drop what the previous event borrowed.
    pub(crate) fn release(&mut self) {
        if self.consumed > 0 {
            self.buf.advance(self.consumed);
            self.scan = self.scan.saturating_sub(self.consumed);
            self.consumed = 0;
        }
    }

    /// Bytes buffered and not yet parsed.
    pub(crate) fn buffered(&self) -> &[u8] {
        &self.buf[self.consumed..]
    }

    /// Take every byte buffered and not yet parsed.
    pub(crate) fn take_buffered(&mut self) -> Bytes {
        self.release();
        self.scan = 0;
        self.buf.split().freeze()
    }

    /// The next event of the response to a request of kind `req`.
    pub(crate) fn poll(&mut self, req: RequestKind) -> Result<Option<Event<'_>>, Error> {
        self.release();
        let out = match self.step(req)? {
            Some(out) => out,
            None => return Ok(None),
        };
        Ok(Some(match out {
            Out::Status(version, status, a, b) => Event::StatusLine(StatusLine {
                version,
                status,
                reason: &self.buf[a..b],
            }),
            Out::Field(trailer, a, b, value) => {
                let (name, value) = match value {
                    Value::Buf(c, d) => (&self.buf[a..b], &self.buf[c..d]),
                    Value::Folded => (&self.fold[a..b], &self.fold[b + 1..]),
                };
                let h = Header { name, value };
                if trailer {
                    Event::Trailer(h)
                } else {
                    Event::Header(h)
                }
            }
            Out::EndOfHead(f) => Event::EndOfHead(f),
            Out::Body(b) => Event::BodyChunk(b),
            Out::Done(d) => Event::Done(d),
        }))
    }

    fn step(&mut self, req: RequestKind) -> Step {
        match self.state {
            State::Idle | State::Switched => Ok(None),
            State::StatusLine => self.status_line(),
            State::Http09 => {
                self.facts.version = Some(Version::Http09);
                self.state = State::Http09End;
                self.reusable = false;
                // The synthetic status line's reason is empty: an empty range.
                Ok(Some(Out::Status(Version::Http09, 200, 0, 0)))
            }
            State::Http09End => {
                self.state = State::UntilClose;
                Ok(Some(Out::EndOfHead(Framing::UntilClose)))
            }
            State::Headers => self.header_line(req),
            State::Length(rem) => self.length_body(rem),
            State::UntilClose => self.until_close_body(),
            State::ChunkSize => self.chunk_size(),
            State::ChunkData(rem) => self.chunk_data(rem),
            State::ChunkDataEnd => self.chunk_data_end(),
            State::Trailers => self.trailer_line(),
            State::Finish => {
                self.state = if self.facts.switched {
                    State::Switched
                } else {
                    State::Idle
                };
                Ok(Some(Out::Done(Done {
                    reusable: self.reusable,
                })))
            }
        }
    }

    /// Find the end of the line at the front of the buffer, without
    /// rescanning bytes already searched. `Ok(None)`: not complete yet.
    fn find_line(&mut self, limit: usize, kind: LimitKind, chunked: bool) -> Result<Option<Line>, Error> {
        match memchr::memchr(b'\n', &self.buf[self.scan..]) {
            None => {
                self.scan = self.buf.len();
                if self.buf.len() > limit {
                    return Err(Error::LineTooLong { kind, limit });
                }
                Ok(None)
            }
            Some(i) => {
                let lf = self.scan + i;
                self.scan = lf;
                let next = lf + 1;
                if next > limit {
                    return Err(Error::LineTooLong { kind, limit });
                }
                let end = if lf > 0 && self.buf[lf - 1] == b'\r' {
                    lf - 1
                } else {
                    let allowed = if chunked {
                        self.leniency.bare_lf_in_chunks
                    } else {
                        self.leniency.bare_lf_in_head
                    };
                    if !allowed {
                        return Err(self.bare_lf_error(lf, chunked));
                    }
                    lf
                };
                Ok(Some(Line { end, next }))
            }
        }
    }

    fn bare_lf_error(&self, lf: usize, chunked: bool) -> Error {
        let line = Bytes::copy_from_slice(&self.buf[..lf + 1]);
        let reason = "line ends in a bare LF (strict mode)";
        match self.state {
            State::StatusLine => Error::BadStatusLine { line, reason },
            _ if chunked => Error::InvalidChunk { line, reason },
            _ => Error::InvalidHeader {
                position: lf,
                line,
                reason,
            },
        }
    }

    /// Count `n` more head bytes against the head limit.
    fn add_head_bytes(&mut self, n: usize) -> Result<(), Error> {
        self.head_bytes += n;
        if self.head_bytes > self.limits.max_head_bytes {
            return Err(Error::LineTooLong {
                kind: LimitKind::HeadBytes,
                limit: self.limits.max_head_bytes,
            });
        }
        Ok(())
    }

    /// Would the partial line at the front push the head over its limit?
    fn check_partial_head(&self) -> Result<(), Error> {
        if self.head_bytes + self.buf.len() > self.limits.max_head_bytes {
            return Err(Error::LineTooLong {
                kind: LimitKind::HeadBytes,
                limit: self.limits.max_head_bytes,
            });
        }
        Ok(())
    }

    fn status_line(&mut self) -> Step {
        if !self.buf.is_empty() {
            self.response_started = true;
        }
        // Detect a non-HTTP answer (a TLS alert, HTML, garbage) before any LF.
        let lead = if self.leniency.loose_status_line {
            self.buf.iter().take_while(|&&b| b == b' ' || b == b'\t').count()
        } else {
            0
        };
        let avail = &self.buf[lead..];
        let n = avail.len().min(5);
        if avail[..n] != b"HTTP/"[..n] {
            if self.leniency.http09_responses {
                self.state = State::Http09;
                return self.step(RequestKind::PLAIN);
            }
            return Err(Error::BadStatusLine {
                line: Bytes::copy_from_slice(&self.buf[..self.buf.len().min(80)]),
                reason: "response does not start with \"HTTP/\"",
            });
        }
        let line = match self.find_line(self.limits.max_status_line, LimitKind::StatusLine, false)? {
            Some(line) => line,
            None => {
                if self.eof {
                    return Err(self.eof_error());
                }
                self.check_partial_head()?;
                return Ok(None);
            }
        };
        self.add_head_bytes(line.next)?;
        let (version, status, reason) = self.parse_status(line.end)?;
        self.facts.version = Some(version);
        self.facts.status = status;
        self.consumed = line.next;
        self.scan = line.next;
        self.state = State::Headers;
        Ok(Some(Out::Status(version, status, reason.0, reason.1)))
    }

    fn parse_status(&self, end: usize) -> Result<(Version, u16, (usize, usize)), Error> {
        let l = &self.buf[..end];
        let bad = |reason| Error::BadStatusLine {
            line: Bytes::copy_from_slice(l),
            reason,
        };
        let loose = self.leniency.loose_status_line;
        let is_sep = |b: u8| b == b' ' || (loose && b == b'\t');
        let mut i = if loose {
            l.iter().take_while(|&&b| b == b' ' || b == b'\t').count()
        } else {
            0
        };
        // HTTP-version = "HTTP/" DIGIT "." DIGIT (loose: 1*DIGIT "." 1*DIGIT)
        i += 5;
        let digits = |from: usize| l[from.min(l.len())..].iter().take_while(|b| b.is_ascii_digit()).count();
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
        // SP status-code
        let sep = l[i.min(l.len())..].iter().take_while(|&&b| is_sep(b)).count();
        if sep == 0 || (!loose && sep != 1) {
            return Err(bad("expected one SP after the version"));
        }
        i += sep;
        if l.len() < i + 3 || !l[i..i + 3].iter().all(u8::is_ascii_digit) {
            return Err(bad("status code is not three digits"));
        }
        let status = l[i..i + 3]
            .iter()
            .fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
        if status < 100 {
            return Err(bad("status code below 100"));
        }
        i += 3;
        // [ SP reason-phrase ]
        let reason = if i == l.len() {
            (i, i)
        } else {
            let sep = l[i..].iter().take_while(|&&b| is_sep(b)).count();
            if sep == 0 {
                return Err(bad("status code is not three digits"));
            }
            let start = if loose { i + sep } else { i + 1 };
            let table = self.value_table();
            if chars::find_invalid_value_byte(&l[start..], table).is_some() {
                return Err(bad("control byte in reason phrase"));
            }
            (start, l.len())
        };
        Ok((version, status, reason))
    }

    fn value_table(&self) -> &'static [bool; 256] {
        if self.leniency.ctl_in_values {
            &FIELD_VALUE_LENIENT
        } else {
            &FIELD_VALUE
        }
    }

    /// The error for an end of stream where the current state needs more.
    pub(crate) fn eof_error(&self) -> Error {
        match self.state {
            State::StatusLine if !self.response_started => Error::RemoteDisconnected {
                retry: crate::error::RetrySafety::NoResponse,
            },
            State::StatusLine => Error::BadStatusLine {
                line: Bytes::copy_from_slice(&self.buf[..self.buf.len().min(80)]),
                reason: if self.buf.is_empty() {
                    "connection closed after an interim response"
                } else {
                    "connection closed inside the status line"
                },
            },
            State::Length(rem) | State::ChunkData(rem) => Error::IncompleteRead {
                partial: Bytes::new(),
                received: self.body_received,
                expected: Some(rem),
            },
            _ => Error::IncompleteRead {
                partial: Bytes::new(),
                received: self.body_received,
                expected: None,
            },
        }
    }

    /// Locate a complete field line at the front of the buffer, following
    /// obs-fold continuation lines. `Ok(None)` when more bytes are needed.
    /// Returns the logical line's extent and whether it was folded.
    fn field_extent(&mut self, limit: usize, kind: LimitKind) -> Result<Option<(Line, bool)>, Error> {
        loop {
            let line = match self.find_line(limit, kind, false)? {
                Some(l) => l,
                None => return Ok(None),
            };
            if line.end == 0 {
                return Ok(Some((line, false)));
            }
            // One byte of look-ahead: is the next line a continuation?
            match self.buf.get(line.next) {
                None => return Ok(None),
                Some(b' ' | b'\t') => {
                    if !self.leniency.obs_fold {
                        return Err(Error::InvalidHeader {
                            line: Bytes::copy_from_slice(&self.buf[..line.next + 1]),
                            position: line.next,
                            reason: "obs-fold continuation line (strict mode)",
                        });
                    }
                    self.folded = true;
                    self.scan = line.next;
                }
                Some(_) => {
                    let folded = core::mem::take(&mut self.folded);
                    return Ok(Some((line, folded)));
                }
            }
        }
    }

    /// Copy the folded line `buf[..end]` into `fold`, each line break and
    /// the whitespace around it replaced by one SP.
    fn unfold(&mut self, end: usize) {
        self.fold.clear();
        let mut rest = &self.buf[..end];
        while let Some(lf) = memchr::memchr(b'\n', rest) {
            let seg = &rest[..lf];
            let seg = seg.strip_suffix(b"\r").unwrap_or(seg);
            self.fold.extend_from_slice(seg);
            while self.fold.last().is_some_and(|&b| b == b' ' || b == b'\t') {
                self.fold.pop();
            }
            self.fold.push(b' ');
            rest = &rest[lf + 1..];
            let ws = rest.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
            rest = &rest[ws..];
        }
        self.fold.extend_from_slice(rest);
    }

    fn header_line(&mut self, req: RequestKind) -> Step {
        if self.buf.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            return Err(Error::InvalidHeader {
                line: Bytes::copy_from_slice(&self.buf[..self.buf.len().min(80)]),
                position: 0,
                reason: "whitespace before the first header line",
            });
        }
        let (line, folded) = match self.field_extent(self.limits.max_header_line, LimitKind::HeaderLine)? {
            Some(x) => x,
            None => {
                if self.eof {
                    return Err(self.eof_error());
                }
                self.check_partial_head()?;
                return Ok(None);
            }
        };
        self.add_head_bytes(line.next)?;
        self.consumed = line.next;
        self.scan = line.next;
        if line.end == 0 {
            return self.end_of_head(req);
        }
        self.fields += 1;
        if self.fields > self.limits.max_headers {
            return Err(Error::LineTooLong {
                kind: LimitKind::HeaderCount,
                limit: self.limits.max_headers,
            });
        }
        match self.parse_field(line.end, folded)? {
            None => {
                self.release();
                self.header_line(req)
            }
            Some((a, b, value)) => {
                let (name, val): (&[u8], &[u8]) = match value {
                    Value::Buf(c, d) => (&self.buf[a..b], &self.buf[c..d]),
                    Value::Folded => (&self.fold[a..b], &self.fold[b + 1..]),
                };
                self.facts.observe(name, val);
                Ok(Some(Out::Field(false, a, b, value)))
            }
        }
    }

    /// Validate the field line `buf[..end]`. `Ok(None)`: an invalid line
    /// that lenient mode skips.
    fn parse_field(&mut self, end: usize, folded: bool) -> Result<Option<(usize, usize, Value)>, Error> {
        if folded {
            self.unfold(end);
        }
        let l: &[u8] = if folded { &self.fold } else { &self.buf[..end] };
        let name_end = l.iter().position(|&b| !chars::is_token(b)).unwrap_or(l.len());
        if name_end == 0 || l.get(name_end) != Some(&b':') {
            let reason = match l.get(name_end) {
                _ if name_end == 0 && l.first() == Some(&b':') => "empty field name",
                Some(b' ' | b'\t') => "whitespace between field name and colon",
                None => "field line without a colon",
                Some(_) => "invalid byte in field name",
            };
            let claimed = l.iter().position(|&b| b == b':').map_or(l, |c| &l[..c]);
            let claimed = chars::trim_ows(claimed);
            let framing = claimed.eq_ignore_ascii_case(b"content-length")
                || claimed.eq_ignore_ascii_case(b"transfer-encoding");
            if self.leniency.skip_invalid_headers && !framing {
                return Ok(None);
            }
            return Err(Error::InvalidHeader {
                line: Bytes::copy_from_slice(l),
                position: name_end,
                reason,
            });
        }
        let (vs, ve) = chars::trim_ows_range(&l[name_end + 1..]);
        let (vs, ve) = (vs + name_end + 1, ve + name_end + 1);
        if let Some(p) = chars::find_invalid_value_byte(&l[vs..ve], self.value_table()) {
            return Err(Error::InvalidHeader {
                line: Bytes::copy_from_slice(l),
                position: vs + p,
                reason: "control byte in field value",
            });
        }
        if folded {
            // Normalise to "name:value" so the event can slice name and value.
            self.fold.copy_within(vs..ve, name_end + 1);
            self.fold.truncate(name_end + 1 + (ve - vs));
            Ok(Some((0, name_end, Value::Folded)))
        } else {
            Ok(Some((0, name_end, Value::Buf(vs, ve))))
        }
    }

    fn end_of_head(&mut self, req: RequestKind) -> Step {
        let decided = framing::decide(&self.facts, req)?;
        self.reusable = decided.reusable;
        let f = decided.framing;
        self.state = match f {
            Framing::Interim => {
                self.interim += 1;
                if self.interim > self.limits.max_interim_responses {
                    return Err(Error::LineTooLong {
                        kind: LimitKind::InterimResponses,
                        limit: self.limits.max_interim_responses,
                    });
                }
                self.begin_head();
                State::StatusLine
            }
            Framing::Empty | Framing::Length(0) => State::Finish,
            Framing::Length(n) => State::Length(n),
            Framing::Chunked => State::ChunkSize,
            Framing::UntilClose => State::UntilClose,
            Framing::Switched => {
                self.facts.switched = true;
                State::Finish
            }
        };
        Ok(Some(Out::EndOfHead(f)))
    }

    fn body_bytes(&mut self, n: usize) -> Out {
        self.body_received += n as u64;
        self.scan = 0;
        Out::Body(self.buf.split_to(n).freeze())
    }

    fn length_body(&mut self, rem: u64) -> Step {
        if self.buf.is_empty() {
            if self.eof {
                return Err(self.eof_error());
            }
            return Ok(None);
        }
        let n = usize::try_from(rem).unwrap_or(usize::MAX).min(self.buf.len());
        let left = rem - n as u64;
        self.state = if left == 0 { State::Finish } else { State::Length(left) };
        Ok(Some(self.body_bytes(n)))
    }

    fn until_close_body(&mut self) -> Step {
        if self.buf.is_empty() {
            if self.eof {
                self.state = State::Finish;
                return self.step(RequestKind::PLAIN);
            }
            return Ok(None);
        }
        let n = self.buf.len();
        Ok(Some(self.body_bytes(n)))
    }

    fn chunk_size(&mut self) -> Step {
        let line = match self.find_line(self.limits.max_chunk_line, LimitKind::ChunkLine, true)? {
            Some(l) => l,
            None => {
                if self.eof {
                    return Err(self.eof_error());
                }
                return Ok(None);
            }
        };
        let l = &self.buf[..line.end];
        let bad = |reason| Error::InvalidChunk {
            line: Bytes::copy_from_slice(l),
            reason,
        };
        let digits = l.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        if digits == 0 {
            return Err(bad("chunk size is not a hex number"));
        }
        let mut size: u64 = 0;
        for &d in &l[..digits] {
            let v = (d as char).to_digit(16).unwrap_or(0) as u64;
            size = size
                .checked_mul(16)
                .and_then(|s| s.checked_add(v))
                .ok_or_else(|| bad("chunk size overflows 64 bits"))?;
        }
        let rest = &l[digits..];
        let ws = rest.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
        let ext = &rest[ws..];
        if !ext.is_empty() {
            if ext[0] != b';' {
                return Err(bad("invalid byte after chunk size"));
            }
            if chars::find_invalid_value_byte(ext, &FIELD_VALUE).is_some() {
                return Err(bad("control byte in chunk extension"));
            }
            self.ext_bytes += ext.len();
            if self.ext_bytes > self.limits.max_chunk_ext_bytes {
                return Err(Error::LineTooLong {
                    kind: LimitKind::ChunkExtensions,
                    limit: self.limits.max_chunk_ext_bytes,
                });
            }
        }
        self.consumed = line.next;
        self.scan = line.next;
        if size == 0 {
            self.state = State::Trailers;
            self.head_bytes = 0;
            self.fields = 0;
            return self.trailer_line();
        }
        self.state = State::ChunkData(size);
        self.release();
        self.chunk_data(size)
    }

    fn chunk_data(&mut self, rem: u64) -> Step {
        if self.buf.is_empty() {
            if self.eof {
                return Err(self.eof_error());
            }
            return Ok(None);
        }
        let n = usize::try_from(rem).unwrap_or(usize::MAX).min(self.buf.len());
        let left = rem - n as u64;
        self.state = if left == 0 {
            State::ChunkDataEnd
        } else {
            State::ChunkData(left)
        };
        Ok(Some(self.body_bytes(n)))
    }

    fn chunk_data_end(&mut self) -> Step {
        let n = match self.buf[..] {
            [b'\r', b'\n', ..] => 2,
            [b'\n', ..] if self.leniency.bare_lf_in_chunks => 1,
            [b'\r'] | [] => {
                if self.eof {
                    return Err(self.eof_error());
                }
                return Ok(None);
            }
            _ => {
                return Err(Error::InvalidChunk {
                    line: Bytes::copy_from_slice(&self.buf[..self.buf.len().min(2)]),
                    reason: "chunk data not followed by CRLF",
                })
            }
        };
        self.buf.advance(n);
        self.scan = 0;
        self.state = State::ChunkSize;
        self.chunk_size()
    }

    fn trailer_line(&mut self) -> Step {
        self.release();
        if self.eof && self.buf.is_empty() && self.head_bytes == 0 {
            // The stream ended right after the last-chunk line: the body is
            // complete, but the message is not; never reuse (RFC 9112 §7.1).
            self.reusable = false;
            self.state = State::Finish;
            return self.step(RequestKind::PLAIN);
        }
        let limit = self.limits.max_trailer_bytes;
        let (line, folded) = match self.field_extent(limit.min(self.limits.max_header_line), LimitKind::TrailerBytes)? {
            Some(x) => x,
            None => {
                if self.eof {
                    return Err(self.eof_error());
                }
                if self.head_bytes + self.buf.len() > limit {
                    return Err(Error::LineTooLong {
                        kind: LimitKind::TrailerBytes,
                        limit,
                    });
                }
                return Ok(None);
            }
        };
        self.head_bytes += line.next;
        if self.head_bytes > limit {
            return Err(Error::LineTooLong {
                kind: LimitKind::TrailerBytes,
                limit,
            });
        }
        self.consumed = line.next;
        self.scan = line.next;
        if line.end == 0 {
            self.state = State::Finish;
            self.release();
            return self.step(RequestKind::PLAIN);
        }
        self.fields += 1;
        if self.fields > self.limits.max_trailers {
            return Err(Error::LineTooLong {
                kind: LimitKind::TrailerCount,
                limit: self.limits.max_trailers,
            });
        }
        match self.parse_field(line.end, folded) {
            Ok(None) => self.trailer_line(),
            Ok(Some((a, b, v))) => Ok(Some(Out::Field(true, a, b, v))),
            Err(Error::InvalidHeader { line, reason, .. }) => Err(Error::InvalidChunk { line, reason }),
            Err(e) => Err(e),
        }
    }
}
