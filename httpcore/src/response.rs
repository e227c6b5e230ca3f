//! The response side: status line, header fields, body framing and
//! trailers, driven one event at a time.
//!
//! Bytes wait in one buffer. A header section is indexed line by line as
//! it arrives ([`Section`]); once complete, its events are served from the
//! index, borrowing the buffer. Body chunks are split off the buffer as
//! zero-copy `Bytes`.

use bytes::Bytes;

use crate::config::{Leniency, Limits, MAX_READ_WINDOW};
use crate::error::{Error, LimitKind, RetrySafety};
use crate::event::{Done, Event, Framing, Header, StatusLine, Version};
use crate::framing::{self, RequestKind};
use crate::recv_buf::RecvBuf;
use crate::section::{Field, Kind, Progress, Section};

/// Where the reader is in the current response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Between responses.
    Idle,
    /// Indexing a response head.
    Head,
    /// Serving the events of an indexed head: `next` is 0 for the status
    /// line, 1..=n for the fields, n+1 for the end of the head.
    EmitHead {
        next: usize,
        len: usize,
        framing: Framing,
    },
    /// An HTTP/0.9 simple response: its synthetic status line is due.
    Http09,
    /// The synthetic end of an HTTP/0.9 head is due.
    Http09End,
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
    /// Indexing the trailer section.
    Trailers,
    /// Serving trailer events.
    EmitTrailers { next: usize, len: usize },
    /// The message is complete; the `Done` event is due.
    Finish,
    /// The stream after this response belongs to the caller.
    Switched,
}

/// The incremental response parser.
#[derive(Debug)]
pub(crate) struct Reader {
    pub(crate) buf: RecvBuf,
    /// Bytes at the front of `buf` that the last event borrowed.
    consumed: usize,
    /// Search for the current chunk-size line's LF resumes here.
    scan: usize,
    state: State,
    eof: bool,
    /// The stream ended without the transport's own end marker (TLS
    /// `close_notify`): a body delimited by the close cannot be known
    /// complete.
    truncated: bool,
    limits: Limits,
    leniency: Leniency,
    section: Section,
    interim: usize,
    /// Reusability of the current message, decided at the end of its head.
    reusable: bool,
    switched: bool,
    /// A new head starts at the next poll (after an interim response).
    head_due: bool,
    body_received: u64,
    ext_bytes: usize,
    /// Bytes of the current response received so far (for retry safety).
    pub(crate) response_started: bool,
    /// `read_space` offered this much room; not yet filled.
    pending_read: Option<usize>,
    /// How much space the next `read_space` offers.
    window: usize,
    /// The last poll found a head still arriving on the plain path, and
    /// nothing but received bytes has come since: no borrowed bytes to
    /// drop, no read window to forget, no end of stream, the same state.
    /// The next read goes straight into the buffer and the next poll
    /// straight to the line loop (what `head_incomplete` and the
    /// connection would check cannot have changed). Armed only by
    /// [`head_incomplete`](Self::head_incomplete); disarmed by it and by
    /// every other change to the reader: a read window offered, the
    /// buffer taken, the end of the stream, the head abandoned.
    arriving: bool,
}

type Step<'a> = Result<Option<Event<'a>>, Error>;

/// What [`Reader::poll_shortcut`] serves.
pub(crate) enum Shortcut {
    /// Body bytes.
    Body(Bytes),
    /// The message is complete.
    Done(Done),
}

impl Reader {
    pub(crate) fn new(limits: Limits, leniency: Leniency) -> Self {
        Reader {
            buf: RecvBuf::default(),
            consumed: 0,
            scan: 0,
            state: State::Idle,
            eof: false,
            truncated: false,
            limits,
            leniency,
            section: Section::new(),
            interim: 0,
            reusable: false,
            switched: false,
            head_due: false,
            body_received: 0,
            ext_bytes: 0,
            response_started: false,
            pending_read: None,
            window: 0,
            arriving: false,
        }
    }

    /// Between responses with nothing buffered and no read offered: give
    /// the receive buffer's memory back (the next read takes a new one).
    /// Whether it did.
    pub(crate) fn release_buffer(&mut self) -> bool {
        if !matches!(self.state, State::Idle)
            || self.pending_read.is_some()
            || !self.buffered().is_empty()
        {
            return false;
        }
        self.buf = RecvBuf::default();
        self.consumed = 0;
        self.scan = 0;
        self.window = 0;
        true
    }

    /// Get ready for the response to the next request.
    pub(crate) fn start_response(&mut self) {
        debug_assert!(matches!(self.state, State::Idle));
        self.state = State::Head;
        self.interim = 0;
        self.response_started = false;
        self.switched = false;
        self.begin_head();
    }

    fn begin_head(&mut self) {
        self.section.reset(Kind::Head, &self.limits);
        self.body_received = 0;
        self.ext_bytes = 0;
    }

    /// Drop what the previous event borrowed.
    #[inline]
    pub(crate) fn release(&mut self) {
        // A read into `begin_recv` that was never reported: no bytes.
        self.pending_read = None;
        if self.consumed > 0 {
            self.buf.advance(self.consumed);
            self.scan = self.scan.saturating_sub(self.consumed);
            self.consumed = 0;
        }
        if self.head_due {
            self.head_due = false;
            self.begin_head();
        }
    }

    /// Bytes buffered and not yet parsed.
    pub(crate) fn buffered(&self) -> &[u8] {
        &self.buf[self.consumed..]
    }

    /// Free space at the end of the buffer for a read of at least `want`
    /// bytes; report the read with [`Reader::filled`].
    pub(crate) fn read_space(&mut self, want: usize) -> &mut [u8] {
        self.arriving = false;
        self.release();
        // Offer `want` bytes, more while reads keep filling it (large
        // bodies), back down when a read fills half of it or less (a read
        // that falls a little short is a fast stream caught up with, not
        // a small message). The room stays initialised between
        // reads (see `RecvBuf`): offering it again costs nothing.
        let window = self.window.clamp(want, want.max(MAX_READ_WINDOW));
        let room = self.buf.spare(window);
        self.pending_read = Some(room.len());
        room
    }

    /// `n` bytes were read into the space [`Reader::read_space`] gave.
    pub(crate) fn filled(&mut self, n: usize) {
        let offered = self
            .pending_read
            .take()
            .expect("handle_recv without begin_recv");
        let n = n.min(offered);
        if n == offered {
            self.window = offered.saturating_mul(2);
        } else if n <= offered / 2 {
            self.window = offered / 2;
        }
        self.buf.commit(n);
    }

    /// Take every byte buffered and not yet parsed, and whether that
    /// handed the stream over: taken in the middle of a message, the bytes
    /// the reader was indexing or counting are gone, so it reads no more
    /// (`Switched`).
    pub(crate) fn take_buffered(&mut self) -> (Bytes, bool) {
        self.arriving = false;
        self.release();
        self.scan = 0;
        let handed_over = !matches!(self.state, State::Idle | State::Finish | State::Switched);
        if handed_over {
            self.state = State::Switched;
            self.reusable = false;
        }
        (self.buf.take_all(), handed_over)
    }

    /// The next event of the response to a request of kind `req` (the
    /// usual body and `Done` events come from
    /// [`poll_shortcut`](Self::poll_shortcut) first).
    #[inline]
    pub(crate) fn poll(&mut self, req: RequestKind) -> Step<'_> {
        self.release();
        match self.state {
            State::EmitHead { next, len, framing } => Ok(Some(self.emit_head(next, len, framing))),
            _ => self.step(req),
        }
    }

    /// The message is complete: its `Done`.
    #[inline]
    fn finish(&mut self) -> Done {
        self.state = if self.switched {
            State::Switched
        } else {
            State::Idle
        };
        Done {
            reusable: self.reusable,
        }
    }

    fn step(&mut self, req: RequestKind) -> Step<'_> {
        match self.state {
            State::Idle | State::Switched => Ok(None),
            State::Head => self.head(req),
            State::EmitHead { next, len, framing } => Ok(Some(self.emit_head(next, len, framing))),
            State::Http09 => {
                self.state = State::Http09End;
                self.reusable = false;
                Ok(Some(Event::StatusLine(StatusLine {
                    version: Version::Http09,
                    status: 200,
                    reason: b"",
                })))
            }
            State::Http09End => {
                self.state = State::UntilClose;
                Ok(Some(Event::EndOfHead(Framing::UntilClose)))
            }
            State::Length(rem) => self.counted_body(rem, false),
            State::UntilClose => self.until_close_body(),
            State::ChunkSize => self.chunk_size(),
            State::ChunkData(rem) => self.counted_body(rem, true),
            State::ChunkDataEnd => self.chunk_data_end(),
            State::Trailers => self.trailers(),
            State::EmitTrailers { next, len } => Ok(Some(self.emit_trailer(next, len))),
            State::Finish => Ok(Some(Event::Done(self.finish()))),
        }
    }

    /// The error for an end of stream where the current state needs more.
    pub(crate) fn eof_error(&self) -> Error {
        match self.state {
            State::Head if !self.response_started => Error::RemoteDisconnected {
                retry: RetrySafety::NoResponse,
            },
            State::Head if self.section.status.is_none() => Error::BadStatusLine {
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

    fn head(&mut self, req: RequestKind) -> Step<'_> {
        match self.complete_head(req)? {
            None => Ok(None),
            Some(_) if self.state == State::Http09 => self.step(req),
            Some((len, framing)) => Ok(Some(self.emit_head(0, len, framing))),
        }
    }

    /// Index the head; once it is complete, its length and framing (the
    /// state then is `EmitHead` at its status line, or `Http09`).
    #[inline]
    fn complete_head(&mut self, req: RequestKind) -> Result<Option<(usize, Framing)>, Error> {
        if self.buf.is_empty() {
            if !self.eof {
                // The next response has not begun (the poll right after
                // a `Done`): nothing to index, nothing to report.
                return Ok(None);
            }
        } else {
            self.response_started = true;
        }
        match self
            .section
            .advance(&self.buf, &self.limits, &self.leniency)?
        {
            Progress::NeedMore => {
                if self.eof {
                    return Err(self.eof_error());
                }
                Ok(None)
            }
            Progress::Http09 => {
                self.section.facts.version = Some(Version::Http09);
                self.section.status = None;
                self.state = State::Http09;
                Ok(Some((0, Framing::UntilClose)))
            }
            Progress::Complete(len) => {
                let status = self
                    .section
                    .status
                    .expect("complete head has a status line");
                self.section.facts.version = Some(status.version);
                self.section.facts.status = status.code;
                let decided = framing::decide(&self.section.facts, req)?;
                if decided.framing == Framing::Interim {
                    self.interim += 1;
                    if self.interim > self.limits.max_interim_responses {
                        return Err(Error::LimitExceeded {
                            kind: LimitKind::InterimResponses,
                            limit: self.limits.max_interim_responses,
                        });
                    }
                }
                self.reusable = decided.reusable;
                self.state = State::EmitHead {
                    next: 0,
                    len,
                    framing: decided.framing,
                };
                Ok(Some((len, decided.framing)))
            }
        }
    }

    /// Complete the head at once, skipping its field events: the status
    /// code, framing and length of the head, for [`Reader::head_view`].
    /// `Ok(None)` while incomplete; `Err(None)`-like misuse is reported as
    /// `ResponseNotReady` when the reader is past a head.
    #[inline]
    pub(crate) fn prepare_head(
        &mut self,
        req: RequestKind,
    ) -> Result<Option<(u16, Framing, usize)>, Error> {
        self.release();
        let (len, framing) = match self.state {
            State::Head => match self.complete_head(req)? {
                Some(x) => x,
                None => return Ok(None),
            },
            State::EmitHead {
                next: 0,
                len,
                framing,
            } => (len, framing),
            State::Http09 => (0, Framing::UntilClose),
            _ => {
                return Err(Error::ResponseNotReady {
                    state: "not at the start of a response head",
                })
            }
        };
        let code = match self.state {
            State::Http09 => {
                self.reusable = false;
                self.state = State::UntilClose;
                return Ok(Some((200, Framing::UntilClose, 0)));
            }
            _ => self.section.status.map_or(200, |s| s.code),
        };
        self.end_head(len, framing);
        Ok(Some((code, framing, len)))
    }

    /// The head [`prepare_head`](Self::prepare_head) just completed.
    #[inline(always)]
    pub(crate) fn head_view(&self, framing: Framing, len: usize) -> crate::event::Head<'_> {
        let status = match self.section.status {
            Some(s) if len > 0 => StatusLine {
                version: s.version,
                status: s.code,
                reason: &self.buf[s.reason.0 as usize..s.reason.1 as usize],
            },
            _ => StatusLine {
                version: Version::Http09,
                status: 200,
                reason: b"",
            },
        };
        let fields: &[Field] = if len > 0 { &self.section.fields } else { &[] };
        crate::event::Head::new(
            status,
            framing,
            &self.buf[..len],
            fields,
            &self.section.fold,
        )
    }

    fn field<'a>(buf: &'a [u8], section: &'a Section, f: Field) -> Header<'a> {
        f.header(buf, &section.fold)
    }

    fn emit_head(&mut self, next: usize, len: usize, framing: Framing) -> Event<'_> {
        let n = self.section.fields.len();
        if next <= n {
            self.state = State::EmitHead {
                next: next + 1,
                len,
                framing,
            };
            if next == 0 {
                let s = self
                    .section
                    .status
                    .expect("complete head has a status line");
                return Event::StatusLine(StatusLine {
                    version: s.version,
                    status: s.code,
                    reason: &self.buf[s.reason.0 as usize..s.reason.1 as usize],
                });
            }
            return Event::Header(Self::field(
                &self.buf,
                &self.section,
                self.section.fields[next - 1],
            ));
        }
        self.end_head(len, framing);
        Event::EndOfHead(framing)
    }

    /// Leave a head of `len` bytes behind: its bytes are released at the
    /// next poll; the state moves on to what `framing` says.
    fn end_head(&mut self, len: usize, framing: Framing) {
        self.consumed = len;
        self.state = match framing {
            Framing::Interim => {
                // The interim head's index is still borrowed: start the
                // next head at the next poll.
                self.head_due = true;
                State::Head
            }
            Framing::Empty | Framing::Length(0) => State::Finish,
            Framing::Length(n) => State::Length(n),
            Framing::Chunked => State::ChunkSize,
            Framing::UntilClose => State::UntilClose,
            Framing::Switched => {
                self.switched = true;
                State::Finish
            }
        };
    }

    /// Hand out the next `n` body bytes (no copy).
    #[inline(always)]
    fn body_bytes(&mut self, n: usize) -> Bytes {
        self.body_received += n as u64;
        self.scan = 0;
        self.buf.split_to(n)
    }

    /// Of `rem` bytes still due (of the body, or of the chunk when
    /// `chunk`), take what `avail` received bytes hold: how many, and the
    /// state after them.
    #[inline(always)]
    fn body_step(rem: u64, chunk: bool, avail: usize) -> (usize, State) {
        let n = usize::try_from(rem).unwrap_or(usize::MAX).min(avail);
        let state = match (rem - n as u64, chunk) {
            (0, false) => State::Finish,
            (0, true) => State::ChunkDataEnd,
            (left, false) => State::Length(left),
            (left, true) => State::ChunkData(left),
        };
        (n, state)
    }

    /// `rem` more bytes of a `Content-Length` body, or of a chunk's data.
    #[inline(always)]
    fn counted_body(&mut self, rem: u64, chunk: bool) -> Step<'_> {
        if self.buf.is_empty() {
            if self.eof {
                return Err(self.eof_error());
            }
            return Ok(None);
        }
        let (n, state) = Self::body_step(rem, chunk, self.buf.len());
        self.state = state;
        Ok(Some(Event::BodyChunk(self.body_bytes(n))))
    }

    fn until_close_body(&mut self) -> Step<'_> {
        if self.buf.is_empty() {
            if self.eof {
                if self.truncated {
                    return Err(Error::TruncatedBody {
                        partial: Bytes::new(),
                        received: self.body_received,
                    });
                }
                self.state = State::Finish;
                return self.step(RequestKind::PLAIN);
            }
            return Ok(None);
        }
        let n = self.buf.len();
        Ok(Some(Event::BodyChunk(self.body_bytes(n))))
    }

    fn chunk_error(&self, end: usize, reason: &'static str) -> Error {
        Error::InvalidChunk {
            line: Bytes::copy_from_slice(&self.buf[..end.min(self.buf.len()).min(256)]),
            reason,
        }
    }

    #[inline]
    fn chunk_size(&mut self) -> Step<'_> {
        if let Some((line_len, size)) = self.plain_size_line(0) {
            return self.size_line_done(line_len, size);
        }
        self.chunk_size_general()
    }

    /// The chunk-size line at `at` when it is plain: a complete
    /// `"<hex>\r\n"`, no extension, at most 15 digits (no overflow possible),
    /// within the limit; its length and the size. Anything else is left to
    /// [`chunk_size_general`](Self::chunk_size_general), which accepts the
    /// same lines with the same result, so the outcome never depends on
    /// which path saw a line or how it was split.
    #[inline(always)]
    fn plain_size_line(&self, at: usize) -> Option<(usize, u64)> {
        let b = self.buf.get(at..)?;
        let mut size: u64 = 0;
        let mut i = 0;
        while i < b.len().min(15) {
            let v = crate::chars::HEX_VALUE[b[i] as usize];
            if v > 15 {
                break;
            }
            size = size << 4 | u64::from(v);
            i += 1;
        }
        (i > 0 && i + 2 <= self.limits.max_chunk_line && b.get(i..i + 2) == Some(b"\r\n"))
            .then_some((i + 2, size))
    }

    /// The usual events once a head is read, without the general dispatch:
    /// the next body bytes when they can be handed out at once (data of a
    /// `Content-Length` body or of a chunk, or — after a chunk's CRLF and a
    /// plain size line — the next chunk's data), and the `Done` of a
    /// finished message; the caller builds the event once, where it returns
    /// it. `None` changes nothing but releasing what the last event
    /// borrowed: `poll` takes over (errors, ends of stream, trailers,
    /// everything else).
    #[inline(always)]
    pub(crate) fn poll_shortcut(&mut self) -> Option<Shortcut> {
        if self.state == State::Finish {
            self.release();
            return Some(Shortcut::Done(self.finish()));
        }
        self.poll_body_shortcut().map(Shortcut::Body)
    }

    /// [`poll_shortcut`](Self::poll_shortcut)'s body bytes alone: `None`
    /// for anything else, the end of the message too (left for the next
    /// poll).
    #[inline(always)]
    pub(crate) fn poll_body_shortcut(&mut self) -> Option<Bytes> {
        self.release();
        let (skip, rem, chunk) = match self.state {
            State::ChunkDataEnd => {
                if self.buf.get(..2) != Some(b"\r\n") {
                    return None;
                }
                let (line_len, size) = self.plain_size_line(2)?;
                if size == 0 {
                    return None;
                }
                (2 + line_len, size, true)
            }
            State::ChunkData(rem) => (0, rem, true),
            State::Length(rem) => (0, rem, false),
            _ => return None,
        };
        let avail = self.buf.len() - skip;
        if avail == 0 {
            return None;
        }
        let (n, state) = Self::body_step(rem, chunk, avail);
        self.state = state;
        self.buf.advance(skip);
        Some(self.body_bytes(n))
    }

    /// A head being read (past its status line), its complete lines
    /// indexed on the plain path, is still incomplete and the stream has
    /// not ended: nothing to report. Anything else (the status line, a
    /// line the plain path leaves, the end of the head, the end of the
    /// stream) is the general path's, which takes over where this left.
    /// While [`head_arriving`](Self::head_arriving), the state, the end
    /// of the stream and the status line are as the last poll found them:
    /// straight to the line loop.
    #[inline(always)]
    pub(crate) fn head_incomplete(&mut self) -> bool {
        let known = self.arriving;
        debug_assert!(!known || (self.state == State::Head && !self.eof && self.response_started));
        debug_assert!(
            !known || (self.consumed == 0 && !self.head_due && self.pending_read.is_none())
        );
        if !known {
            if self.state != State::Head || self.eof {
                return false;
            }
            // As in `complete_head`: a byte of the response has arrived.
            self.response_started |= !self.buf.is_empty();
        }
        self.arriving =
            self.section.advance_plain(&self.buf, &self.limits, known) == Some(Progress::NeedMore);
        self.arriving
    }

    /// The last poll found the head still arriving, and only received
    /// bytes have come since (see the field `arriving`).
    #[inline(always)]
    pub(crate) fn head_arriving(&self) -> bool {
        self.arriving
    }

    /// Where the reader is in the current response.
    #[inline(always)]
    pub(crate) fn state(&self) -> State {
        self.state
    }

    /// The server has closed its side of the stream.
    #[inline(always)]
    pub(crate) fn at_eof(&self) -> bool {
        self.eof
    }

    /// The server closed its side of the stream; `truncated`: without the
    /// transport's end marker.
    pub(crate) fn end_of_stream(&mut self, truncated: bool) {
        self.arriving = false;
        self.eof = true;
        self.truncated |= truncated;
    }

    /// The request whose response was awaited is gone and no byte of a
    /// response has come: nothing to read.
    pub(crate) fn go_idle(&mut self) {
        self.arriving = false;
        self.state = State::Idle;
    }

    /// [`chunk_size`](Self::chunk_size) for every line the fast path leaves.
    #[inline(never)]
    fn chunk_size_general(&mut self) -> Step<'_> {
        let limit = self.limits.max_chunk_line;
        // Size lines are short: look at the first bytes directly, and hand
        // longer lines (extensions) to memchr.
        let near = self.buf.len().min(self.scan + 16);
        let found = match self.buf[self.scan..near].iter().position(|&b| b == b'\n') {
            Some(i) => Some(i),
            None if near < self.buf.len() => {
                memchr::memchr(b'\n', &self.buf[near..]).map(|i| i + near - self.scan)
            }
            None => None,
        };
        let lf = match found {
            Some(i) => self.scan + i,
            None => {
                self.scan = self.buf.len();
                if self.buf.len() > limit {
                    return Err(Error::LineTooLong {
                        kind: LimitKind::ChunkLine,
                        limit,
                    });
                }
                if self.eof {
                    return Err(self.eof_error());
                }
                return Ok(None);
            }
        };
        if lf + 1 > limit {
            return Err(Error::LineTooLong {
                kind: LimitKind::ChunkLine,
                limit,
            });
        }
        let end = if lf > 0 && self.buf[lf - 1] == b'\r' {
            lf - 1
        } else if self.leniency.bare_lf_in_chunks {
            lf
        } else {
            return Err(self.chunk_error(lf + 1, "chunk-size line ends in a bare LF (strict mode)"));
        };
        let l = &self.buf[..end];
        let digits = l.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        if digits == 0 {
            return Err(self.chunk_error(end, "chunk size is not a hex number"));
        }
        let mut size: u64 = 0;
        for &d in &l[..digits] {
            if size >> 60 != 0 {
                return Err(self.chunk_error(end, "chunk size overflows 64 bits"));
            }
            let v = match d {
                b'0'..=b'9' => d - b'0',
                _ => (d | 0x20) - b'a' + 10,
            };
            size = size << 4 | u64::from(v);
        }
        let rest = &l[digits..];
        let ws = rest
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let ext = &rest[ws..];
        if !self.leniency.loose_chunk_extensions && !crate::chunk_ext::is_chunk_ext(rest) {
            return Err(self.chunk_error(
                end,
                "chunk extension outside RFC 9112 §7.1.1 (strict mode): ;name[=token or quoted-string], no trailing whitespace",
            ));
        }
        if !ext.is_empty() {
            if ext[0] != b';' {
                return Err(self.chunk_error(end, "invalid byte after chunk size"));
            }
            if crate::chars::find_invalid_value_byte(ext, &crate::chars::FIELD_VALUE).is_some() {
                return Err(self.chunk_error(end, "control byte in chunk extension"));
            }
            self.ext_bytes += ext.len();
            if self.ext_bytes > self.limits.max_chunk_ext_bytes {
                return Err(Error::LimitExceeded {
                    kind: LimitKind::ChunkExtensions,
                    limit: self.limits.max_chunk_ext_bytes,
                });
            }
        }
        self.size_line_done(lf + 1, size)
    }

    /// A chunk-size line of `line_len` bytes announced `size`: drop the
    /// line, then the chunk's data, or the trailers after the last chunk.
    #[inline]
    fn size_line_done(&mut self, line_len: usize, size: u64) -> Step<'_> {
        self.buf.advance(line_len);
        self.scan = 0;
        if size == 0 {
            self.state = State::Trailers;
            self.section.reset(Kind::Trailers, &self.limits);
            return self.trailers();
        }
        self.state = State::ChunkData(size);
        self.counted_body(size, true)
    }

    #[inline]
    fn chunk_data_end(&mut self) -> Step<'_> {
        let n = match self.buf[..] {
            [b'\r', b'\n', ..] => 2,
            [b'\n', ..] if self.leniency.bare_lf_in_chunks => 1,
            [b'\r'] | [] => {
                if self.eof {
                    return Err(self.eof_error());
                }
                return Ok(None);
            }
            _ => return Err(self.chunk_error(2, "chunk data not followed by CRLF")),
        };
        self.buf.advance(n);
        self.scan = 0;
        self.state = State::ChunkSize;
        self.chunk_size()
    }

    fn trailers(&mut self) -> Step<'_> {
        if self.eof && self.buf.is_empty() {
            // The stream ended right after the last-chunk line: the body is
            // complete, but the message is not; never reuse (RFC 9112 §7.1).
            self.reusable = false;
            self.state = State::Finish;
            return self.step(RequestKind::PLAIN);
        }
        let progress = self
            .section
            .advance(&self.buf, &self.limits, &self.leniency)
            .map_err(|e| match e {
                Error::InvalidHeader { line, reason, .. } => Error::InvalidChunk { line, reason },
                e => e,
            })?;
        match progress {
            Progress::Complete(len) => Ok(Some(self.emit_trailer(0, len))),
            _ => {
                if self.eof {
                    return Err(self.eof_error());
                }
                Ok(None)
            }
        }
    }

    fn emit_trailer(&mut self, next: usize, len: usize) -> Event<'_> {
        if next < self.section.fields.len() {
            self.state = State::EmitTrailers {
                next: next + 1,
                len,
            };
            return Event::Trailer(Self::field(
                &self.buf,
                &self.section,
                self.section.fields[next],
            ));
        }
        self.buf.advance(len);
        self.state = if self.switched {
            State::Switched
        } else {
            State::Idle
        };
        Event::Done(Done {
            reusable: self.reusable,
        })
    }
}
