//! The connection state machine: our side (request commands to bytes to
//! transmit) and the server's side (received bytes to events), tied
//! together by the queue of requests awaiting their responses.

use std::collections::VecDeque;

use bytes::{BufMut, Bytes, BytesMut};

use crate::authority::Authority;
use crate::chars;
use crate::chars::Class;
use crate::config::Config;
use crate::error::{Error, InvalidPart, RetrySafety};
use crate::event::{Done, Event, Framing, Head};
use crate::framing::RequestKind;
use crate::request_head::{
    field_error, header_matters, invalid, is_accept_encoding, write_field, FramingLine, GrowSink,
    HeadFacts, HeadSink, HostLines, SendFraming, Window,
};
use crate::response::{Reader, Shortcut, State as RecvState};

/// Identifies a request on its connection, in the order requests were started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u64);

/// Our side of the connection: where the request being sent is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendState {
    /// No request is being written: a new one may start (if the pipelining
    /// depth allows).
    Idle,
    /// Between `put_request` and `end_headers`.
    Head,
    /// The head is done; body bytes are due.
    Body,
    /// The head asked `Expect: 100-continue`; body bytes are held back until
    /// a 100 arrives or the timer fires.
    AwaitContinue,
    /// The server answered before the held body was sent: the body is
    /// dropped and the connection will close after the response.
    BodyAbandoned,
    /// No more requests can go on this connection.
    Closed,
}

impl SendState {
    fn name(self) -> &'static str {
        match self {
            SendState::Idle => "idle",
            SendState::Head => "writing request head",
            SendState::Body => "writing request body",
            SendState::AwaitContinue => "awaiting 100-continue",
            SendState::BodyAbandoned => "request body abandoned",
            SendState::Closed => "closed",
        }
    }
}

/// The server's side of the connection: where the response being read is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecvStateKind {
    /// No response is expected.
    Idle,
    /// A status line is expected (possibly after interim responses).
    AwaitingHead,
    /// Inside a header section.
    Head,
    /// Inside a body.
    Body,
    /// Inside a trailer section.
    Trailers,
    /// The stream now belongs to the caller (101 or CONNECT tunnel).
    Switched,
    /// The server closed the connection.
    Closed,
    /// A protocol error ended the connection.
    Error,
}

/// A timer the engine asks the caller to run (it has no clock of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// Send the held request body if no 100 (Continue) arrives within this
    /// long after the request head was transmitted.
    ExpectContinue(core::time::Duration),
}

/// How the request body will be delimited, for [`Connection::end_headers_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLength {
    /// No body. POST, PUT and PATCH get `Content-Length: 0`.
    Empty,
    /// Exactly this many bytes (`Content-Length`).
    Known(u64),
    /// A stream of unknown length (`Transfer-Encoding: chunked`).
    Unknown,
}

#[derive(Debug, Clone)]
struct Pending {
    id: RequestId,
    kind: RequestKind,
    /// Output sequence number at which this request's bytes start.
    starts_at: u64,
}

/// What moves our side from one state to the next: every change of
/// `Sender::send`, `must_close`, `switched` and `bodiless` is one of these,
/// applied by [`Sender::on`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SendInput {
    /// `put_request`: a head is being written.
    HeadStarted,
    /// The head is written; `Sender::framing` says whether a body follows.
    HeadEnded,
    /// The caller ended the body (`finish_body`).
    BodyFinished,
    /// `abort_head`: the head being written is dropped.
    HeadAborted,
    /// A status line arrived with this code (it decides a held body).
    Status(u16),
    /// The 100-continue wait ran out.
    ContinueTimeout,
    /// The response switched protocols, or the caller took the stream.
    Switched,
    /// A response ended; `reusable`: by its own semantics the connection
    /// may carry another.
    ResponseDone { reusable: bool },
    /// The server closed its side.
    Eof,
    /// Writing to the transport failed.
    WriteFailed,
    /// A protocol error ended the connection.
    Failed,
}

/// Our side: the request being written and the bytes waiting to go out.
#[derive(Debug)]
struct Sender {
    /// Changed only by [`Sender::on`].
    send: SendState,
    framing: Option<SendFraming>,
    head: HeadFacts,
    /// Bytes being built; the first `sealed` may be transmitted.
    out: BytesMut,
    sealed: usize,
    /// Transmit queue (sealed head bytes and zero-copy body segments).
    queue: VecDeque<Bytes>,
    /// Body held back while awaiting 100-continue.
    held: VecDeque<Bytes>,
    /// Something decided this connection ends after the current exchange.
    must_close: bool,
    /// The response being read ends in a protocol switch.
    switched: bool,
    /// The last request ended with its head (no body): empty `send_body`
    /// and `finish_body` calls for it are harmless no-ops.
    bodiless: bool,
}

impl Sender {
    fn new() -> Sender {
        Sender {
            send: SendState::Idle,
            framing: None,
            head: HeadFacts::default(),
            out: BytesMut::with_capacity(1024),
            sealed: 0,
            queue: VecDeque::new(),
            held: VecDeque::new(),
            must_close: false,
            switched: false,
            bodiless: false,
        }
    }

    /// Our side's transitions, all of them (the table in
    /// `docs/architecture.md` is this function in prose).
    #[inline]
    fn on(&mut self, input: SendInput) {
        use SendInput::*;
        use SendState::*;
        match (input, self.send) {
            (HeadStarted, _) => {
                self.send = Head;
                self.bodiless = false;
            }
            (HeadEnded, _) if self.framing.is_none() => {
                self.bodiless = true;
                self.complete();
            }
            (HeadEnded, _) => {
                self.bodiless = false;
                self.send = if self.head.expect_continue {
                    AwaitContinue
                } else {
                    Body
                };
            }
            // The body stays held until a 100 or the timer; the request is
            // complete then.
            (BodyFinished, AwaitContinue) => self.framing = None,
            (BodyFinished, BodyAbandoned) => {}
            (BodyFinished, _) => self.complete(),
            (HeadAborted, Head) => self.send = Idle,
            (Status(100), AwaitContinue) | (ContinueTimeout, AwaitContinue) => {
                // Send what was held back.
                while let Some(b) = self.held.pop_front() {
                    self.enqueue(b);
                }
                if self.framing.is_none() {
                    self.complete();
                } else {
                    self.send = Body;
                }
            }
            // A final answer before the held body went: it never goes, and
            // the connection ends with this exchange.
            (Status(code), AwaitContinue) if code >= 200 => {
                self.held.clear();
                self.send = BodyAbandoned;
                self.must_close = true;
            }
            (Switched, _) => {
                self.send = Closed;
                self.switched = true;
            }
            (ResponseDone { reusable: false }, state) => {
                self.must_close = true;
                if state == Idle {
                    self.send = Closed;
                }
            }
            // A head being written may still be dropped (`abort_head`).
            (Eof, Head) => {}
            (Eof, _) | (Failed, _) => self.send = Closed,
            (WriteFailed, _) => {
                self.send = Closed;
                self.must_close = true;
            }
            (HeadAborted | Status(_) | ContinueTimeout | ResponseDone { .. }, _) => {}
        }
    }

    /// The request is completely written (head, and body if any).
    #[inline]
    fn complete(&mut self) {
        self.framing = None;
        let kind = self.head.kind;
        if kind.close {
            self.must_close = true;
        }
        self.send = if kind.close || kind.connect || kind.upgrade {
            SendState::Closed
        } else {
            SendState::Idle
        };
    }

    /// Bytes waiting in the transmit queue.
    #[inline]
    fn queued_len(&self) -> u64 {
        if self.queue.is_empty() {
            return 0;
        }
        self.queue.iter().map(|b| b.len() as u64).sum()
    }

    /// Move sealed bytes of `out` to the queue, then queue `b` behind them.
    fn enqueue(&mut self, b: Bytes) {
        if self.sealed > 0 {
            let n = std::mem::take(&mut self.sealed);
            self.queue.push_back(self.out.split_to(n).freeze());
        }
        self.queue.push_back(b);
    }
}

/// A sans-IO HTTP/1.x client connection.
///
/// Feed it commands (`put_request`, `put_header`, `end_headers`,
/// `send_body`, `finish_body` — or `request` for all at once) and hand what
/// [`poll_transmit`](Self::poll_transmit) returns to the transport; feed
/// received bytes to [`begin_recv`](Self::begin_recv) +
/// [`handle_recv`](Self::handle_recv) (or [`handle_data`](Self::handle_data)),
/// the end of the stream to [`handle_eof`](Self::handle_eof), and drain
/// [`poll_event`](Self::poll_event).
///
/// ```
/// use httpcore::{Authority, Config, Connection, Event};
///
/// let mut conn = Connection::new(Authority::parse("example.com", 80)?, Config::default());
/// conn.request("GET", "/", None, &[("Accept", "text/plain")])?;
/// let wire = conn.poll_transmit().unwrap();
/// assert!(wire.starts_with(b"GET / HTTP/1.1\r\nHost: example.com\r\n"));
///
/// conn.handle_data(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
/// let mut body = Vec::new();
/// while let Some(event) = conn.poll_event()? {
///     match event {
///         Event::StatusLine(s) => assert_eq!(s.status, 200),
///         Event::BodyChunk(b) => body.extend_from_slice(&b),
///         Event::Done(d) => assert!(d.reusable),
///         _ => {}
///     }
/// }
/// assert_eq!(body, b"hi");
/// assert!(conn.is_reusable());
/// # Ok::<(), httpcore::Error>(())
/// ```
#[derive(Debug)]
pub struct Connection {
    config: Config,
    authority: Authority,
    host_lines: HostLines,
    reader: Reader,
    sender: Sender,
    pending: VecDeque<Pending>,
    next_id: u64,
    /// Bytes handed out by `poll_transmit` so far.
    transmitted: u64,
    /// Start reading the next pending response at the next poll.
    start_next: bool,
    /// Bytes arrived with no request outstanding.
    poisoned: bool,
    error: Option<Error>,
}

impl Connection {
    /// A connection to `authority` (used for the automatic `Host` header).
    pub fn new(authority: Authority, config: Config) -> Connection {
        let reader = Reader::new(config.limits.clone(), config.leniency);
        Connection {
            host_lines: HostLines::new(authority.host_header()),
            authority,
            reader,
            config,
            sender: Sender::new(),
            pending: VecDeque::new(),
            next_id: 0,
            transmitted: 0,
            start_next: false,
            poisoned: false,
            error: None,
        }
    }

    /// Forget everything about the current transport and start afresh, as
    /// for a new connection to the same authority (the send buffer and the
    /// queue of requests awaiting responses keep their memory, emptied).
    pub fn reset(&mut self) {
        let mut out = std::mem::take(&mut self.sender.out);
        out.clear();
        let mut pending = std::mem::take(&mut self.pending);
        pending.clear();
        let config = self.config.clone();
        let authority = self.authority.clone();
        *self = Connection::new(authority, config);
        self.sender.out = out;
        self.pending = pending;
    }

    // ----- getters -------------------------------------------------------

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The authority this connection talks to.
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// Our side's state.
    pub fn send_state(&self) -> SendState {
        self.sender.send
    }

    /// The server's side's state.
    pub fn recv_state(&self) -> RecvStateKind {
        if self.error.is_some() {
            return RecvStateKind::Error;
        }
        match self.reader.state() {
            RecvState::Idle if self.start_next && !self.pending.is_empty() => {
                RecvStateKind::AwaitingHead
            }
            RecvState::Idle if self.reader.at_eof() => RecvStateKind::Closed,
            RecvState::Idle => RecvStateKind::Idle,
            RecvState::Head if !self.reader.response_started => RecvStateKind::AwaitingHead,
            RecvState::Head
            | RecvState::EmitHead { .. }
            | RecvState::Http09
            | RecvState::Http09End => RecvStateKind::Head,
            RecvState::Trailers | RecvState::EmitTrailers { .. } => RecvStateKind::Trailers,
            RecvState::Switched => RecvStateKind::Switched,
            _ => RecvStateKind::Body,
        }
    }

    /// True when another request may be sent on this connection now: no
    /// exchange in progress, nothing unsolicited received, no side asked to
    /// close, and the stream is still open.
    pub fn is_reusable(&self) -> bool {
        self.error.is_none()
            && !self.poisoned
            && !self.sender.must_close
            && !self.reader.at_eof()
            && self.sender.send == SendState::Idle
            && self.pending.is_empty()
            && self.reader.state() == RecvState::Idle
            && self.reader.buffered().is_empty()
    }

    /// Give back the memory of the receive and send buffers while the
    /// connection is idle — every response read, nothing buffered, nothing
    /// waiting to be sent — as a kept-alive connection in a pool is: an
    /// idle connection then holds no buffer at all. The next
    /// [`begin_recv`](Self::begin_recv) or request takes a buffer again (a
    /// fresh receive buffer is zero-filled once, so a connection that
    /// releases between every pair of requests pays that each time).
    /// Returns whether the connection was idle (and its buffers released);
    /// mid-exchange it changes nothing.
    pub fn release_buffers(&mut self) -> bool {
        let idle = self.pending.is_empty()
            && self.sender.send == SendState::Idle
            && !self.wants_write()
            && self.sender.held.is_empty()
            && self.reader.release_buffer();
        if idle {
            self.sender.out = BytesMut::new();
            self.sender.queue = VecDeque::new();
            self.sender.held = VecDeque::new();
        }
        idle
    }

    /// Bytes of buffer memory the connection holds on to (receive buffer
    /// and send buffer capacity): what [`release_buffers`](Self::release_buffers)
    /// gives back.
    pub fn buffer_capacity(&self) -> usize {
        self.reader.buf.capacity() + self.sender.out.capacity()
    }

    /// True when a response is expected, so the caller should read.
    pub fn wants_read(&self) -> bool {
        self.error.is_none() && !self.pending.is_empty() && !self.reader.at_eof()
    }

    /// True when `poll_transmit` has bytes to hand out.
    pub fn wants_write(&self) -> bool {
        !self.sender.queue.is_empty() || self.sender.sealed > 0
    }

    /// The requests that have not received a complete response, oldest
    /// first: after the connection died, these are the ones to retry.
    pub fn unanswered(&self) -> impl Iterator<Item = RequestId> + '_ {
        self.pending.iter().map(|p| p.id)
    }

    /// The request whose response is being read (or expected next).
    pub fn current_request(&self) -> Option<RequestId> {
        self.pending.front().map(|p| p.id)
    }

    /// httplib's `getresponse` precondition: `Ok` when a request has been
    /// sent whose response is yet to be read, else `ResponseNotReady`.
    pub fn check_response_ready(&self) -> Result<(), Error> {
        if self.pending.is_empty() || self.sender.send == SendState::Head {
            return Err(Error::ResponseNotReady {
                state: if self.sender.send == SendState::Head {
                    self.sender.send.name()
                } else {
                    "no request outstanding"
                },
            });
        }
        Ok(())
    }

    /// How far the oldest unanswered request got: whether retrying it is safe.
    pub fn retry_safety(&self) -> RetrySafety {
        match self.pending.front() {
            Some(p) if self.transmitted <= p.starts_at => RetrySafety::NothingSent,
            Some(_) if self.reader.response_started => RetrySafety::PartialResponse,
            Some(_) => RetrySafety::NoResponse,
            None => RetrySafety::NothingSent,
        }
    }

    /// The timer the engine wants running, if any. It is measured from when
    /// the bytes of the request head were transmitted; report its expiry
    /// with [`handle_timeout`](Self::handle_timeout).
    pub fn timer(&self) -> Option<Timer> {
        (self.sender.send == SendState::AwaitContinue)
            .then_some(Timer::ExpectContinue(self.config.expect_continue_timeout))
    }

    /// True when the server answered before a held-back body was sent.
    pub fn is_body_abandoned(&self) -> bool {
        self.sender.send == SendState::BodyAbandoned
    }

    // ----- input handlers -------------------------------------------------

    /// Begin a read: free space to read received bytes into (it moves
    /// what the buffer holds, so it is a command, not a getter); report how
    /// many were written with [`handle_recv`](Self::handle_recv). This is
    /// the one copy from the socket: events and body chunks borrow or slice
    /// this buffer.
    pub fn begin_recv(&mut self) -> &mut [u8] {
        self.reader.read_space(self.config.read_size.max(1))
    }

    /// The old name of [`begin_recv`](Self::begin_recv).
    #[deprecated(note = "renamed `begin_recv`: it begins a read, it does not just look")]
    pub fn recv_buffer(&mut self) -> &mut [u8] {
        self.begin_recv()
    }

    /// `n` bytes were written to the start of the slice `begin_recv` gave.
    /// `n == 0` is not the end of the stream: call `handle_eof` for that.
    /// A read that failed needs no call: the next input or poll forgets it.
    ///
    /// # Panics
    ///
    /// If `begin_recv` was not called before.
    pub fn handle_recv(&mut self, n: usize) {
        self.reader.filled(n);
        self.after_input();
    }

    /// Bytes received from the server (copied into the receive buffer).
    #[inline]
    pub fn handle_data(&mut self, data: &[u8]) {
        if self.reader.head_arriving() {
            // A head is arriving and nothing but bytes has come since the
            // last poll: nothing to release, and bytes of a response
            // awaited are not unsolicited.
            self.reader.buf.extend_from_slice(data);
            return;
        }
        self.reader.release();
        self.reader.buf.extend_from_slice(data);
        self.after_input();
    }

    fn after_input(&mut self) {
        if self.pending.is_empty()
            && self.reader.state() == RecvState::Idle
            && !self.reader.buffered().is_empty()
        {
            // RFC 9112 §6.3: a client must not treat unsolicited bytes as a response.
            self.poisoned = true;
        }
    }

    /// A read from a stream transport wrote `n` bytes into
    /// [`begin_recv`](Self::begin_recv), `0` meaning the stream ended:
    /// [`handle_recv`](Self::handle_recv) or [`handle_eof`](Self::handle_eof).
    pub fn handle_read(&mut self, n: usize) {
        if n == 0 {
            self.handle_eof();
        } else {
            self.handle_recv(n);
        }
    }

    /// The server closed its side of the connection.
    pub fn handle_eof(&mut self) {
        self.end_of_stream(false);
    }

    /// The stream ended without the transport's own end marker: a TLS
    /// connection closed without `close_notify` (rustls reports it as
    /// `UnexpectedEof`). The same as [`handle_eof`](Self::handle_eof) for a
    /// message complete by its framing; a body delimited by the close is
    /// then [`Error::TruncatedBody`], since an attacker on the path could
    /// have cut it short.
    pub fn handle_truncated_eof(&mut self) {
        self.end_of_stream(true);
    }

    fn end_of_stream(&mut self, truncated: bool) {
        self.reader.release();
        self.reader.end_of_stream(truncated);
        self.sender.on(SendInput::Eof);
    }

    /// The timer from [`timer`](Self::timer) fired.
    pub fn handle_timeout(&mut self, timer: Timer) {
        match timer {
            Timer::ExpectContinue(_) => self.sender.on(SendInput::ContinueTimeout),
        }
    }

    /// Writing to the transport failed: no request can go on this
    /// connection any more (the responses already due may still be read).
    pub fn handle_write_error(&mut self) {
        self.sender.on(SendInput::WriteFailed);
    }

    // ----- polls ---------------------------------------------------------

    /// The next bytes to transmit, in order. Every byte returned must be
    /// written before the next call's bytes.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        let b = if let Some(b) = self.sender.queue.pop_front() {
            b
        } else if self.sender.sealed > 0 {
            let n = std::mem::take(&mut self.sender.sealed);
            self.sender.out.split_to(n).freeze()
        } else {
            return None;
        };
        self.transmitted += b.len() as u64;
        Some(b)
    }

    /// Append every byte due for transmission to `dst` (for callers that
    /// write from one buffer of their own).
    pub fn transmit_into(&mut self, dst: &mut Vec<u8>) {
        while let Some(b) = self.sender.queue.pop_front() {
            self.transmitted += b.len() as u64;
            dst.extend_from_slice(&b);
        }
        let n = std::mem::take(&mut self.sender.sealed);
        if n > 0 {
            dst.extend_from_slice(&self.sender.out[..n]);
            if n == self.sender.out.len() {
                // All of it: the buffer starts over from its beginning.
                self.sender.out.clear();
            } else {
                bytes::Buf::advance(&mut self.sender.out, n);
            }
            self.transmitted += n as u64;
        }
    }

    /// The next event of the response being read. `Ok(None)`: nothing more
    /// until more bytes, the end of the stream, or a new request. Errors are
    /// final: the connection cannot be used afterwards, and every later
    /// call returns the same error.
    #[inline(always)]
    pub fn poll_event(&mut self) -> Result<Option<Event<'_>>, Error> {
        // Body bytes and `Done` — the usual events once the head is read —
        // straight from the reader's state, the event built once. This part
        // is inlined into the caller, so the event is built where the
        // caller uses it, not copied out of a returned 64-byte `Result`
        // (written field by field, then read back in wider blocks that
        // wait for those writes to land; docs/benchmarks.md).
        if self.shortcut_open() {
            match self.reader.poll_shortcut() {
                Some(Shortcut::Body(b)) => return Ok(Some(Event::BodyChunk(b))),
                Some(Shortcut::Done(d)) => {
                    on_done(d, &mut self.pending, &mut self.sender, &mut self.start_next);
                    return Ok(Some(Event::Done(d)));
                }
                None => {}
            }
        }
        self.poll_event_general()
    }

    /// The next piece of the response's body, when body bytes are what
    /// comes next: the `BodyChunk` event's bytes, without the event.
    /// `None` for anything else — then [`poll_event`](Self::poll_event)
    /// says what comes (the end of the body, a chunk line that is not
    /// plain, an error, more bytes needed).
    ///
    /// ```
    /// use httpcore::{Authority, Config, Connection, Event};
    ///
    /// let mut conn = Connection::new(Authority::parse("example.com", 80)?, Config::default());
    /// conn.request("GET", "/", None, &[] as &[(&str, &str)])?;
    /// while conn.poll_transmit().is_some() {}
    /// conn.handle_data(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    /// let head = conn.poll_head()?.expect("a whole head");
    /// assert_eq!(head.status.status, 200);
    /// let mut body = Vec::new();
    /// loop {
    ///     if let Some(piece) = conn.poll_body_chunk() {
    ///         body.extend_from_slice(&piece);
    ///         continue;
    ///     }
    ///     match conn.poll_event()? {
    ///         Some(Event::BodyChunk(piece)) => body.extend_from_slice(&piece),
    ///         Some(Event::Done(_)) | None => break,
    ///         Some(_) => {}
    ///     }
    /// }
    /// assert_eq!(body, b"hello");
    /// # Ok::<(), httpcore::Error>(())
    /// ```
    #[inline(always)]
    pub fn poll_body_chunk(&mut self) -> Option<Bytes> {
        if !self.shortcut_open() {
            return None;
        }
        self.reader.poll_body_shortcut()
    }

    /// Whether the reader's shortcut may answer a poll: no error stored
    /// (errors are final) and no next response to begin first.
    #[inline(always)]
    fn shortcut_open(&self) -> bool {
        self.error.is_none() && !self.start_next
    }

    /// [`poll_event`](Self::poll_event) for everything the shortcut
    /// leaves: a head arriving, the head's events, errors, the end of the
    /// stream, chunk lines that are not plain.
    #[inline(never)]
    fn poll_event_general(&mut self) -> Result<Option<Event<'_>>, Error> {
        if self.head_still_arriving() {
            return Ok(None);
        }
        let kind = match self.prepare_poll()? {
            Some(kind) => kind,
            None => return Ok(None),
        };
        match self.reader.poll(kind) {
            Ok(Some(ev)) => {
                match &ev {
                    Event::StatusLine(s) => self.sender.on(SendInput::Status(s.status)),
                    Event::EndOfHead(Framing::Switched) => self.sender.on(SendInput::Switched),
                    Event::Done(d) => on_done(
                        *d,
                        &mut self.pending,
                        &mut self.sender,
                        &mut self.start_next,
                    ),
                    _ => {}
                }
                Ok(Some(ev))
            }
            Ok(None) => Ok(None),
            Err(e) => Err(fail(
                e,
                &mut self.error,
                &mut self.sender,
                &self.pending,
                self.transmitted,
            )),
        }
    }

    /// The whole head of the response being read, once it is complete — the
    /// `StatusLine`, `Header` and `EndOfHead` events in one value, faster
    /// than draining them one by one. Afterwards `poll_event` continues with
    /// the body. Call it where the next event would be a `StatusLine`;
    /// elsewhere it answers `ResponseNotReady` (which does not end the
    /// connection).
    #[inline]
    pub fn poll_head(&mut self) -> Result<Option<Head<'_>>, Error> {
        if self.head_still_arriving() {
            return Ok(None);
        }
        self.poll_head_general()
    }

    /// A head arriving in pieces: the lines of each piece indexed (on the
    /// plain path), and nothing more to report until the next piece.
    #[inline(always)]
    fn head_still_arriving(&mut self) -> bool {
        // While the head is arriving (only bytes since the last poll said
        // so), no error can have been stored, no response has ended and
        // nothing is borrowed.
        if !self.reader.head_arriving() {
            if self.error.is_some() || self.start_next {
                return false;
            }
            self.reader.release();
        }
        debug_assert!(self.error.is_none() && !self.start_next);
        self.reader.head_incomplete()
    }

    /// [`poll_head`](Self::poll_head) for everything but a head still
    /// arriving: the status line, a complete head, errors.
    #[inline(never)]
    fn poll_head_general(&mut self) -> Result<Option<Head<'_>>, Error> {
        let kind = match self.prepare_poll()? {
            Some(kind) => kind,
            None => return Ok(None),
        };
        match self.reader.prepare_head(kind) {
            Ok(None) => Ok(None),
            Ok(Some((code, framing, len))) => {
                self.sender.on(SendInput::Status(code));
                if framing == Framing::Switched {
                    self.sender.on(SendInput::Switched);
                }
                Ok(Some(self.reader.head_view(framing, len)))
            }
            Err(e @ Error::ResponseNotReady { .. }) => Err(e),
            Err(e) => Err(fail(
                e,
                &mut self.error,
                &mut self.sender,
                &self.pending,
                self.transmitted,
            )),
        }
    }

    /// Before parsing: a stored error, the start of the next response.
    /// `Ok(None)` when no response is expected.
    #[inline(always)]
    fn prepare_poll(&mut self) -> Result<Option<RequestKind>, Error> {
        if self.error.is_some() || self.start_next {
            return self.prepare_poll_slow();
        }
        Ok(self.pending.front().map(|p| p.kind))
    }

    /// [`prepare_poll`](Self::prepare_poll) after an error or a response.
    #[inline(never)]
    fn prepare_poll_slow(&mut self) -> Result<Option<RequestKind>, Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if self.start_next {
            self.start_next = false;
            if self.pending.is_empty() {
                self.reader.release();
                if !self.reader.buffered().is_empty() {
                    self.poisoned = true;
                }
            } else {
                self.reader.start_response();
            }
        }
        Ok(self.pending.front().map(|p| p.kind))
    }

    /// After a 101 or a CONNECT tunnel (or at any time), take the bytes
    /// received and not parsed: they belong to whatever runs next on the
    /// stream. Taken in the middle of a response (its head or body not
    /// read to the end), the rest of the stream is the caller's too: the
    /// connection reads and sends no more (its receive state is
    /// `Switched`, and it is not reusable).
    pub fn take_leftover(&mut self) -> Bytes {
        let (bytes, handed_over) = self.reader.take_buffered();
        if handed_over {
            self.sender.on(SendInput::Switched);
        }
        bytes
    }

    /// Bytes received and not parsed, without taking them.
    pub fn leftover(&self) -> &[u8] {
        self.reader.buffered()
    }

    // ----- commands ------------------------------------------------------

    /// Start a request (httplib's `putrequest`): the request line, then,
    /// unless skipped, `Host` (from the authority, or from an absolute-form
    /// target) and `Accept-Encoding: identity`. A `Host` or
    /// `Accept-Encoding` put later replaces the automatic one.
    pub fn put_request(
        &mut self,
        method: &str,
        target: &str,
        skip_host: bool,
        skip_accept_encoding: bool,
    ) -> Result<RequestId, Error> {
        self.check_can_start()?;
        let m = method.as_bytes();
        let mut head = HeadFacts::start(m, target.as_bytes())?;
        let out = &mut self.sender.out;
        out.reserve(self.host_lines.room(m, target));
        (head.auto_host, head.auto_accept_encoding) =
            self.host_lines
                .write_request_line(out, m, target, !skip_host, !skip_accept_encoding);
        self.sender.head = head;
        let id = self.open_request();
        self.sender.on(SendInput::HeadStarted);
        Ok(id)
    }

    /// A request's head is being written: it joins the queue of requests
    /// awaiting a response (its `sender.head` as far as it is known), and
    /// its response is read next if none is before it.
    #[inline(always)]
    fn open_request(&mut self) -> RequestId {
        let id = RequestId(self.next_id);
        self.next_id += 1;
        self.pending.push_back(Pending {
            id,
            kind: self.sender.head.kind,
            starts_at: self.transmitted + self.sender.queued_len() + self.sender.sealed as u64,
        });
        if self.pending.len() == 1 && self.reader.state() == RecvState::Idle && !self.start_next {
            self.reader.start_response();
        }
        id
    }

    /// A new request may start: the usual answer in one condition, the
    /// error worked out only when it fails.
    #[inline(always)]
    fn check_can_start(&self) -> Result<(), Error> {
        if self.error.is_none()
            && !self.poisoned
            && !self.reader.at_eof()
            && self.sender.send == SendState::Idle
            && !self.sender.must_close
            && self.pending.len() < self.config.max_pipelined.max(1)
        {
            return Ok(());
        }
        self.cannot_start()
    }

    /// [`check_can_start`](Self::check_can_start)'s checks in full, in
    /// order: the error, or `Ok` where only the one condition was too
    /// strict (`must_close` while a request is still outstanding).
    #[cold]
    #[inline(never)]
    fn cannot_start(&self) -> Result<(), Error> {
        if self.error.is_some() {
            return Err(Error::NotConnected {
                reason: "the connection failed",
            });
        }
        if self.poisoned {
            return Err(Error::NotConnected {
                reason: "the server sent bytes no request asked for",
            });
        }
        if self.reader.at_eof() {
            return Err(Error::NotConnected {
                reason: "the server closed the connection",
            });
        }
        match self.sender.send {
            SendState::Idle => {}
            SendState::Closed | SendState::BodyAbandoned if self.pending.is_empty() => {
                return Err(Error::NotConnected {
                    reason: "the connection is closing",
                })
            }
            s => return Err(Error::CannotSendRequest { state: s.name() }),
        }
        if self.sender.must_close && self.pending.is_empty() {
            return Err(Error::NotConnected {
                reason: "the connection is closing",
            });
        }
        if self.pending.len() >= self.config.max_pipelined.max(1) {
            return Err(Error::CannotSendRequest {
                state: "response outstanding",
            });
        }
        Ok(())
    }

    /// Add a header field (httplib's `putheader`).
    pub fn put_header(
        &mut self,
        name: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<(), Error> {
        self.put_field(name.as_ref(), value.as_ref())
    }

    /// [`put_header`](Self::put_header) for the bytes: the state and both
    /// strings checked in one condition, the error worked out only when
    /// it fails.
    #[inline(always)]
    fn put_field(&mut self, name: &[u8], value: &[u8]) -> Result<(), Error> {
        if self.sender.send != SendState::Head
            || !chars::is_token_str(name)
            || !chars::is_field_value(value)
        {
            return Err(self.field_error(name, value));
        }
        if header_matters(name) {
            if let Some(range) = self.sender.head.note(name, value)? {
                self.remove_auto(range);
            }
        }
        write_field(&mut self.sender.out, name, value);
        Ok(())
    }

    /// Why `put_field` refused `name: value`.
    #[cold]
    #[inline(never)]
    fn field_error(&self, name: &[u8], value: &[u8]) -> Error {
        if self.sender.send != SendState::Head {
            return self.cannot_send_header();
        }
        field_error(name, value)
    }

    #[cold]
    fn cannot_send_header(&self) -> Error {
        Error::CannotSendHeader {
            state: self.sender.send.name(),
        }
    }

    /// Add a header field with several values, joined with `", "` (never
    /// as obs-fold continuation lines).
    pub fn put_header_values<V: AsRef<[u8]>>(
        &mut self,
        name: impl AsRef<[u8]>,
        values: &[V],
    ) -> Result<(), Error> {
        if self.sender.send != SendState::Head {
            return Err(self.cannot_send_header());
        }
        let name = name.as_ref();
        if !chars::is_token_str(name) {
            return Err(invalid(InvalidPart::HeaderName, name));
        }
        for v in values {
            let v = v.as_ref();
            if !chars::is_field_value(v) {
                return Err(invalid(InvalidPart::HeaderValue, v));
            }
        }
        let joined;
        let value: &[u8] = match values {
            [one] => one.as_ref(),
            _ => {
                joined = values
                    .iter()
                    .map(|v| v.as_ref())
                    .collect::<Vec<_>>()
                    .join(&b", "[..]);
                &joined
            }
        };
        if let Some(range) = self.sender.head.check_field(name, value)? {
            self.remove_auto(range);
        }
        write_field(&mut self.sender.out, name, value);
        Ok(())
    }

    /// Remove an automatic header line (offsets relative to the head start).
    fn remove_auto(&mut self, (a, b): (usize, usize)) {
        let head_start = self.head_start();
        let (a, b) = (head_start + a, head_start + b);
        let tail = self.sender.out.split_off(b);
        self.sender.out.truncate(a);
        self.sender.out.unsplit(tail);
        let shift = b - a;
        for r in [
            &mut self.sender.head.auto_host,
            &mut self.sender.head.auto_accept_encoding,
        ]
        .into_iter()
        .flatten()
        {
            if r.0 + head_start >= b {
                r.0 -= shift;
                r.1 -= shift;
            }
        }
    }

    /// Offset in `out` where the head being written starts.
    fn head_start(&self) -> usize {
        self.sender.sealed
    }

    /// End the head (httplib's `endheaders`). The body is framed by the
    /// `Content-Length` or `Transfer-Encoding` the caller put; without
    /// either the request has no body.
    pub fn end_headers(&mut self) -> Result<(), Error> {
        self.finish_head(None)
    }

    /// End the head, adding the framing header `body` calls for (unless the
    /// caller already put a matching one).
    pub fn end_headers_with(&mut self, body: BodyLength) -> Result<(), Error> {
        self.finish_head(Some(body))
    }

    fn finish_head(&mut self, body: Option<BodyLength>) -> Result<(), Error> {
        if self.sender.send != SendState::Head {
            return Err(self.cannot_send_header());
        }
        let (framing, line) = self.sender.head.framing(body)?;
        if let Some(line) = line {
            line.write(&mut self.sender.out);
        }
        self.sender.out.put_slice(b"\r\n");
        self.sender.sealed = self.sender.out.len();
        // Headers put since `put_request` may have changed the request's
        // facts (`Connection: close`, `Upgrade`).
        if let Some(p) = self.pending.back_mut() {
            p.kind = self.sender.head.kind;
        }
        self.sender.framing = framing;
        self.commit_head();
        Ok(())
    }

    /// The head is written and `sender.framing` says how its body is
    /// framed: our side moves on to the body, if there is one.
    #[inline]
    fn commit_head(&mut self) {
        self.sender.on(SendInput::HeadEnded);
    }

    /// Send body bytes (httplib's `send`), copying them.
    pub fn send_body(&mut self, data: &[u8]) -> Result<(), Error> {
        self.check_body(data.len())?;
        if data.is_empty() || self.sender.send == SendState::BodyAbandoned {
            return Ok(());
        }
        if self.sender.send == SendState::AwaitContinue {
            self.write_body_framed(Bytes::copy_from_slice(data), true);
            return Ok(());
        }
        if data.len() >= 4096 {
            self.write_body_framed(Bytes::copy_from_slice(data), false);
        } else {
            if self.sender.framing == Some(SendFraming::Chunked) {
                write_chunk_size(&mut self.sender.out, data.len());
            }
            self.sender.out.put_slice(data);
            if self.sender.framing == Some(SendFraming::Chunked) {
                self.sender.out.put_slice(b"\r\n");
            }
            self.sender.sealed = self.sender.out.len();
        }
        Ok(())
    }

    /// Send body bytes without copying them.
    pub fn send_body_bytes(&mut self, data: Bytes) -> Result<(), Error> {
        self.check_body(data.len())?;
        if data.is_empty() || self.sender.send == SendState::BodyAbandoned {
            return Ok(());
        }
        let hold = self.sender.send == SendState::AwaitContinue;
        self.write_body_framed(data, hold);
        Ok(())
    }

    fn check_body(&mut self, len: usize) -> Result<(), Error> {
        match self.sender.send {
            SendState::Body | SendState::AwaitContinue | SendState::BodyAbandoned => {}
            _ if self.sender.bodiless && len == 0 => return Ok(()),
            s => return Err(Error::CannotSendBody { state: s.name() }),
        }
        if let Some(SendFraming::Length { declared, sent }) = &mut self.sender.framing {
            let total = *sent + len as u64;
            if total > *declared {
                return Err(Error::BodyLengthMismatch {
                    declared: *declared,
                    sent: total,
                });
            }
            *sent = total;
        }
        Ok(())
    }

    fn write_body_framed(&mut self, data: Bytes, hold: bool) {
        let chunked = self.sender.framing == Some(SendFraming::Chunked);
        let mut parts = [None, Some(data), None];
        if chunked {
            let mut size = BytesMut::with_capacity(18);
            write_chunk_size(&mut size, parts[1].as_ref().map_or(0, Bytes::len));
            parts[0] = Some(size.freeze());
            parts[2] = Some(Bytes::from_static(b"\r\n"));
        }
        for part in parts.into_iter().flatten() {
            if hold {
                self.sender.held.push_back(part);
            } else {
                self.sender.enqueue(part);
            }
        }
    }

    /// Finish the body: checks that a declared length was met, or ends the
    /// chunked stream (with optional trailer fields).
    pub fn finish_body(&mut self) -> Result<(), Error> {
        self.finish_body_with_trailers::<&[u8], &[u8]>(&[])
    }

    /// Finish a chunked body with trailer fields.
    pub fn finish_body_with_trailers<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        trailers: &[(N, V)],
    ) -> Result<(), Error> {
        match self.sender.send {
            SendState::Body | SendState::AwaitContinue | SendState::BodyAbandoned => {}
            _ if self.sender.bodiless && trailers.is_empty() => return Ok(()),
            s => return Err(Error::CannotSendBody { state: s.name() }),
        }
        for (n, v) in trailers {
            let (n, v) = (n.as_ref(), v.as_ref());
            if !chars::is_token_str(n) || !chars::is_field_value(v) {
                return Err(field_error(n, v));
            }
        }
        match self.sender.framing {
            Some(SendFraming::Length { declared, sent }) => {
                if sent != declared {
                    return Err(Error::BodyLengthMismatch { declared, sent });
                }
                if !trailers.is_empty() {
                    return Err(invalid(
                        InvalidPart::Framing,
                        b"trailers on a Content-Length body",
                    ));
                }
            }
            Some(SendFraming::Chunked) => {
                let mut end = BytesMut::with_capacity(5);
                end.put_slice(b"0\r\n");
                for (n, v) in trailers {
                    write_field(&mut end, n.as_ref(), v.as_ref());
                }
                end.put_slice(b"\r\n");
                if self.sender.send == SendState::AwaitContinue {
                    self.sender.held.push_back(end.freeze());
                } else if self.sender.send == SendState::Body {
                    self.sender.out.put_slice(&end);
                    self.sender.sealed = self.sender.out.len();
                }
            }
            None => {}
        }
        self.sender.on(SendInput::BodyFinished);
        Ok(())
    }

    /// The whole request in one call (httplib's `request`): the head with
    /// the automatic headers, `headers` in order, framing for `body`
    /// (`Content-Length`, or `Content-Length: 0` for a bodiless POST, PUT
    /// or PATCH), and the body.
    pub fn request<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        method: &str,
        url: &str,
        body: Option<&[u8]>,
        headers: &[(N, V)],
    ) -> Result<RequestId, Error> {
        let length = body.map_or(BodyLength::Empty, |b| BodyLength::Known(b.len() as u64));
        let mut out = std::mem::take(&mut self.sender.out);
        let head = WholeHead {
            method,
            target: url,
            headers,
            body: length,
        };
        let id = self.write_head_at_once(head, &mut out);
        self.sender.out = out;
        let id = id?;
        self.sender.sealed = self.sender.out.len();
        if let Some(b) = body {
            self.send_body(b)?;
            self.finish_body()?;
        }
        Ok(id)
    }

    /// The head of a request in one call, written straight into `dst`
    /// after every byte due for transmission before it (what
    /// [`transmit_into`](Self::transmit_into) appends): the request line,
    /// the automatic `Host` and `Accept-Encoding` lines (unless `headers`
    /// has its own), `headers` in order, and the framing line `body` calls
    /// for, as [`end_headers_with`](Self::end_headers_with) adds it. The
    /// bytes written count as transmitted.
    ///
    /// The whole head is checked before the first byte is written: on an
    /// error `dst` holds only what was due before, and the connection is
    /// as if the call had not been made. A body (`BodyLength::Known` or
    /// `Unknown`) follows with [`send_body`](Self::send_body) and
    /// [`finish_body`](Self::finish_body), its bytes then come from
    /// `transmit_into` or [`poll_transmit`](Self::poll_transmit).
    ///
    /// For callers that keep one write buffer of their own and send the
    /// same headers often: the head is copied once, from the caller's
    /// strings to the caller's buffer.
    ///
    /// ```
    /// use httpcore::{Authority, BodyLength, Config, Connection};
    ///
    /// let mut conn = Connection::new(Authority::parse("example.com", 80)?, Config::default());
    /// let mut wire = Vec::new();
    /// conn.write_request("GET", "/", &[("Accept", "text/plain")], BodyLength::Empty, &mut wire)?;
    /// assert_eq!(
    ///     wire,
    ///     b"GET / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nAccept: text/plain\r\n\r\n"
    /// );
    /// # Ok::<(), httpcore::Error>(())
    /// ```
    pub fn write_request<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(N, V)],
        body: BodyLength,
        dst: &mut Vec<u8>,
    ) -> Result<RequestId, Error> {
        if self.sender.sealed > 0 || !self.sender.queue.is_empty() {
            self.transmit_into(dst);
        }
        let before = dst.len();
        let head = WholeHead {
            method,
            target,
            headers,
            body,
        };
        let id = self.write_head_at_once(head, dst)?;
        self.transmitted += (dst.len() - before) as u64;
        Ok(id)
    }

    /// [`request`](Self::request)'s and
    /// [`write_request`](Self::write_request)'s head, into `out`.
    #[inline(always)]
    fn write_head_at_once<S: GrowSink, N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        head: WholeHead<'_, N, V>,
        out: &mut S,
    ) -> Result<RequestId, Error> {
        match self.write_head_fast(&head, out) {
            Some(id) => Ok(id),
            None => self.write_head_checked_first(&head, out),
        }
    }

    /// The usual head written in one pass, each string checked as it is
    /// copied (see [`Window`]) and each header that matters noted as it
    /// goes; the framing once the fields are in. `None`, with `out` as it
    /// was, when anything is off or unusual (a header replacing an
    /// automatic line); then
    /// [`write_head_checked_first`](Self::write_head_checked_first) says
    /// which error comes first, or writes the unusual head.
    #[inline(always)]
    fn write_head_fast<S: GrowSink, N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        head: &WholeHead<'_, N, V>,
        out: &mut S,
    ) -> Option<RequestId> {
        self.check_can_start().ok()?;
        // Built in place: moved, its fields written one by one would be
        // read back in blocks that wait for those writes to land.
        self.sender.head = HeadFacts::for_method(head.method.as_bytes());
        let facts = &mut self.sender.head;
        let host_lines = &self.host_lines;
        let framing = out.write_in_spare(head.room(host_lines), |w| {
            if !write_usual_fields(w, facts, host_lines, head) {
                return None;
            }
            if facts.plain_empty(head.body) {
                w.put(b"\r\n");
                return Some(None);
            }
            let (framing, line) = facts.framing(Some(head.body)).ok()?;
            if let Some(line) = line {
                line.write(w);
            }
            w.put(b"\r\n");
            Some(framing)
        })?;
        self.sender.framing = framing;
        let id = self.open_request();
        self.commit_head();
        Some(id)
    }

    /// [`write_head_at_once`](Self::write_head_at_once) with every check
    /// first, in the order the step-by-step commands make them (so the
    /// same error comes first), then every write.
    #[inline(never)]
    fn write_head_checked_first<S: HeadSink, N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        head: &WholeHead<'_, N, V>,
        out: &mut S,
    ) -> Result<RequestId, Error> {
        self.check_can_start()?;
        let m = head.method.as_bytes();
        let mut facts = HeadFacts::start(m, head.target.as_bytes())?;
        for (n, v) in head.headers {
            // Nothing written yet: no automatic line to take out.
            facts.check_field(n.as_ref(), v.as_ref())?;
        }
        let (framing, line) = facts.framing(Some(head.body))?;
        out.reserve(head.room(&self.host_lines));
        self.host_lines.write_request_line(
            out,
            m,
            head.target,
            !facts.host,
            !facts.accept_encoding,
        );
        for (n, v) in head.headers {
            write_field(out, n.as_ref(), v.as_ref());
        }
        if let Some(line) = line {
            line.write(out);
        }
        out.put(b"\r\n");
        self.sender.head = facts;
        self.sender.framing = framing;
        let id = self.open_request();
        self.commit_head();
        Ok(id)
    }

    /// Discard a request whose head is being written (nothing of it was
    /// transmitted yet).
    pub fn abort_head(&mut self) {
        if self.sender.send == SendState::Head {
            let start = self.head_start();
            self.sender.out.truncate(start);
            self.pending.pop_back();
            self.sender.on(SendInput::HeadAborted);
            if self.pending.is_empty()
                && self.reader.state() == RecvState::Head
                && self.reader.buffered().is_empty()
            {
                self.reader.go_idle();
            }
        }
    }
}

/// [`Connection::write_head_fast`]'s writes up to the framing: the request
/// line, the automatic lines and the fields into `w`, each string checked
/// as it is copied, each header that matters noted in `head` as it goes.
/// `false` when anything is off or unusual (a header replacing an
/// automatic line).
#[inline(always)]
fn write_usual_fields<N: AsRef<[u8]>, V: AsRef<[u8]>>(
    w: &mut Window<'_>,
    facts: &mut HeadFacts,
    host_lines: &HostLines,
    head: &WholeHead<'_, N, V>,
) -> bool {
    if !w.put_checked(head.method.as_bytes(), Class::Name) {
        return false;
    }
    w.put(b" ");
    if !w.put_checked(head.target.as_bytes(), Class::Target) {
        return false;
    }
    // Their ranges are not kept: a `Host` header sends the head to the
    // other path (`facts.host` below). A caller's `Accept-Encoding` is
    // looked for first (a name of that length is rare) and takes the
    // automatic line's place.
    let own_accept = head
        .headers
        .iter()
        .any(|(n, _)| is_accept_encoding(n.as_ref()));
    host_lines.write_line_tail(w, head.target, true, !own_accept, 0);
    for (n, v) in head.headers {
        let (n, v) = (n.as_ref(), v.as_ref());
        if !w.put_checked(n, Class::Name) || header_matters(n) && facts.note(n, v).is_err() {
            return false;
        }
        w.put(b": ");
        let valid = w.put_checked(v, Class::Value);
        w.put(b"\r\n");
        if !valid {
            return false;
        }
    }
    !facts.host && facts.accept_encoding == own_accept
}

/// A request head given whole, to [`Connection::request`] or
/// [`Connection::write_request`].
struct WholeHead<'a, N, V> {
    method: &'a str,
    target: &'a str,
    headers: &'a [(N, V)],
    body: BodyLength,
}

impl<N: AsRef<[u8]>, V: AsRef<[u8]>> WholeHead<'_, N, V> {
    /// Room for the whole head: the request line and the automatic
    /// lines, the fields, a framing line, the blank line.
    #[inline(always)]
    fn room(&self, host_lines: &HostLines) -> usize {
        let fields: usize = self
            .headers
            .iter()
            .map(|(n, v)| n.as_ref().len() + v.as_ref().len() + 4)
            .sum();
        host_lines.room(self.method.as_bytes(), self.target) + fields + FramingLine::ROOM + 2
    }
}

/// A protocol error ends the connection (a free function so that it can run
/// while an event borrows the reader).
fn fail(
    e: Error,
    error: &mut Option<Error>,
    sender: &mut Sender,
    pending: &VecDeque<Pending>,
    transmitted: u64,
) -> Error {
    let transmitted_any = pending.front().is_some_and(|p| transmitted > p.starts_at);
    let e = match e {
        Error::RemoteDisconnected { .. } if !transmitted_any => Error::RemoteDisconnected {
            retry: RetrySafety::NothingSent,
        },
        e => e,
    };
    *error = Some(e.clone());
    sender.on(SendInput::Failed);
    e
}

/// A response is complete: its request leaves the queue.
fn on_done(d: Done, pending: &mut VecDeque<Pending>, sender: &mut Sender, start_next: &mut bool) {
    pending.pop_front();
    sender.on(SendInput::ResponseDone {
        reusable: d.reusable,
    });
    if !sender.switched {
        *start_next = true;
    }
}

fn write_chunk_size(out: &mut BytesMut, n: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 16];
    let mut i = digits.len();
    let mut v = n;
    loop {
        i -= 1;
        digits[i] = HEX[v & 15];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    out.put_slice(&digits[i..]);
    out.put_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sender in `state`, its request of `kind`, with a body due or not.
    fn sender(state: SendState, body: bool, expect_continue: bool, kind: RequestKind) -> Sender {
        let mut s = Sender::new();
        s.send = state;
        s.framing = body.then_some(SendFraming::Chunked);
        s.head.expect_continue = expect_continue;
        s.head.kind = kind;
        s
    }

    #[test]
    fn the_send_transition_table() {
        use SendInput::*;
        use SendState::*;
        let plain = RequestKind::PLAIN;
        let close = RequestKind {
            close: true,
            ..plain
        };
        let connect = RequestKind {
            connect: true,
            ..plain
        };
        /// From, body due, expect 100, the request, the input.
        type Before = (SendState, bool, bool, RequestKind, SendInput);
        /// To, must_close, bodiless.
        type After = (SendState, bool, bool);
        #[rustfmt::skip]
        let table: &[(Before, After)] = &[
            ((Idle, false, false, plain, HeadStarted), (Head, false, false)),
            ((Head, false, false, plain, HeadEnded), (Idle, false, true)),
            ((Head, false, false, close, HeadEnded), (Closed, true, true)),
            ((Head, false, false, connect, HeadEnded), (Closed, false, true)),
            ((Head, true, false, plain, HeadEnded), (Body, false, false)),
            ((Head, true, true, plain, HeadEnded), (AwaitContinue, false, false)),
            ((Body, true, false, plain, BodyFinished), (Idle, false, false)),
            ((Body, true, false, close, BodyFinished), (Closed, true, false)),
            ((AwaitContinue, true, true, plain, BodyFinished), (AwaitContinue, false, false)),
            ((AwaitContinue, true, true, plain, Status(100)), (Body, false, false)),
            ((AwaitContinue, true, true, plain, Status(103)), (AwaitContinue, false, false)),
            ((AwaitContinue, true, true, plain, ContinueTimeout), (Body, false, false)),
            ((AwaitContinue, false, true, plain, ContinueTimeout), (Idle, false, false)),
            ((AwaitContinue, true, true, plain, Status(417)), (BodyAbandoned, true, false)),
            ((BodyAbandoned, false, true, plain, BodyFinished), (BodyAbandoned, false, false)),
            ((Body, true, false, plain, Status(100)), (Body, false, false)),
            ((Head, false, false, plain, HeadAborted), (Idle, false, false)),
            ((Idle, false, false, plain, HeadAborted), (Idle, false, false)),
            ((Idle, false, false, plain, Switched), (Closed, false, false)),
            ((Idle, false, false, plain, ResponseDone { reusable: true }), (Idle, false, false)),
            ((Idle, false, false, plain, ResponseDone { reusable: false }), (Closed, true, false)),
            ((Body, true, false, plain, ResponseDone { reusable: false }), (Body, true, false)),
            ((Head, false, false, plain, Eof), (Head, false, false)),
            ((Body, true, false, plain, Eof), (Closed, false, false)),
            ((Idle, false, false, plain, Failed), (Closed, false, false)),
            ((Body, true, false, plain, WriteFailed), (Closed, true, false)),
        ];
        for (i, &((from, body, expect, kind, input), (to, must_close, bodiless))) in
            table.iter().enumerate()
        {
            let mut s = sender(from, body, expect, kind);
            s.on(input);
            assert_eq!(
                (s.send, s.must_close, s.bodiless),
                (to, must_close, bodiless),
                "row {i}: {from:?} + {input:?}"
            );
            assert_eq!(s.switched, input == Switched, "row {i}");
        }
    }

    #[test]
    fn a_held_body_goes_in_order_when_released_and_never_when_abandoned() {
        for (input, sent) in [
            (SendInput::Status(100), true),
            (SendInput::ContinueTimeout, true),
            (SendInput::Status(200), false),
        ] {
            let mut s = sender(SendState::AwaitContinue, true, true, RequestKind::PLAIN);
            s.held.push_back(Bytes::from_static(b"a"));
            s.held.push_back(Bytes::from_static(b"b"));
            s.on(input);
            let queued: Vec<Bytes> = s.queue.iter().cloned().collect();
            let want: Vec<Bytes> = if sent {
                vec![Bytes::from_static(b"a"), Bytes::from_static(b"b")]
            } else {
                vec![]
            };
            assert_eq!(queued, want, "{input:?}");
            assert!(s.held.is_empty(), "{input:?}");
        }
    }
}
