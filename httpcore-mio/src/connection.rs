//! One HTTP/1.x connection on a non-blocking mio socket, driven by the
//! readiness events of the caller's loop. It moves bytes between the
//! socket (or rustls) and the engine and keeps its registered interest in
//! step with what the engine wants; every protocol decision is the
//! engine's.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use httpcore::{Authority, Config, Framing, RequestId, ResponseHead, TunnelOpener};
use httpcore_client::deadline::later;
use httpcore_client::{server_name, BodyStep, Endpoint, Error, Exchange, Timeouts, TlsOptions};
use mio::net::TcpStream;
use mio::{Interest, Registry, Token};
use rustls::{ClientConfig, ClientConnection};

/// What a connection hands its caller, in the order the server sent it.
/// Every response is a `Head`, then zero or more `Body` chunks, then
/// `Done` — except after a `Head` whose framing is
/// [`Framing::Switched`] (a 101 or a CONNECT tunnel), after which the
/// stream is no longer HTTP: take it with
/// [`Connection::into_parts`].
#[derive(Debug)]
pub enum Output {
    /// The final head of the response to `id` (interim 1xx heads are
    /// consumed by the engine).
    Head {
        /// The request this answers.
        id: RequestId,
        /// Status line and header fields, owned.
        head: ResponseHead,
        /// How the body is framed.
        framing: Framing,
    },
    /// A piece of the body, framing removed, as the engine sliced it from
    /// the receive buffer (no copy).
    Body {
        /// The request this answers.
        id: RequestId,
        /// The bytes.
        chunk: Bytes,
    },
    /// The response to `id` is complete.
    Done {
        /// The request this answers.
        id: RequestId,
        /// Trailer fields of a chunked body (name, value), in received
        /// order; empty for most responses.
        trailers: Vec<(Bytes, Bytes)>,
    },
}

/// How many requests [`Connection::default_config`] lets be in flight on
/// one connection.
pub const PIPELINE_DEPTH: usize = 32;

/// The TLS session over the socket, if any.
type Tls = Option<Box<ClientConnection>>;

/// An HTTP/1.x connection registered with a caller's [`mio::Poll`].
///
/// The caller's loop does three things with it:
///
/// 1. hand it every event for its token: [`handle_event`](Self::handle_event);
/// 2. then drain it: [`poll_output`](Self::poll_output) until `Ok(None)`
///    (this is where it reads: edge-triggered readiness is consumed here,
///    one read at a time, so memory stays bounded however fast the server
///    sends);
/// 3. wake it at its [`deadline`](Self::deadline) with
///    [`handle_timeout`](Self::handle_timeout).
///
/// Requests may be queued at any time, before the TCP connection is even
/// established, and several may be in flight (pipelining): responses come
/// back in order, each [`Output`] naming its request.
///
/// ```no_run
/// use httpcore_mio::{Connection, Output};
/// use mio::{Events, Poll, Token};
///
/// let mut poll = Poll::new()?;
/// let mut conn = Connection::http("127.0.0.1:8080")?;
/// conn.register(poll.registry(), Token(0))?;
/// conn.request(poll.registry(), "GET", "/", None, &[] as &[(&str, &str)])?;
/// let mut events = Events::with_capacity(64);
/// 'outer: loop {
///     poll.poll(&mut events, conn.timeout_from_now())?;
///     for event in events.iter() {
///         conn.handle_event(poll.registry(), event);
///     }
///     conn.handle_timeout(poll.registry(), std::time::Instant::now());
///     while let Some(out) = conn.poll_output(poll.registry())? {
///         match out {
///             Output::Head { head, .. } => println!("{}", head.status()),
///             Output::Body { chunk, .. } => println!("{} bytes", chunk.len()),
///             Output::Done { .. } => break 'outer,
///         }
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Connection {
    exchange: Exchange,
    socket: TcpStream,
    tls: Tls,
    /// Where to connect again ([`reconnect`](Self::reconnect)), and how.
    peer: Option<Peer>,
    /// The CONNECT exchange with a proxy, while the tunnel is being opened:
    /// until it is, the socket carries its bytes only.
    tunnel: Option<TunnelOpener>,
    /// Where it is registered, and with what interest.
    registered: Option<(Token, Interest)>,
    /// Bytes taken from the engine and not yet accepted by the socket (or
    /// by rustls), from `written` on.
    out: Vec<u8>,
    written: usize,
    connected: bool,
    /// The socket may have bytes to read: set by a readable event, cleared
    /// when a read finds it drained.
    readable: bool,
    /// An event said the server closed its side: reads go on until they
    /// meet the end (a short read no longer means the socket is drained,
    /// and no further event will come).
    read_closed: bool,
    /// The last read from rustls's socket side saw the end of the stream.
    tls_eof: bool,
    /// The head of the response being read has been handed out.
    in_body: bool,
    /// A protocol switch was handed out: the stream is the caller's, and
    /// nothing more is read from it here.
    switched: bool,
    trailers: Vec<(Bytes, Bytes)>,
    timeouts: Timeouts,
    started: Instant,
    /// When the connection last made progress: connected, read or wrote
    /// bytes, or took a request.
    progress: Instant,
    /// An error met outside `poll_output` (by an event, a timeout or a
    /// write), reported by the next `poll_output`.
    error: Option<Error>,
    /// An error was reported: the connection is dead.
    dead: bool,
    /// An idle connection gives its buffers back (`set_release_when_idle`).
    release_when_idle: bool,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("authority", self.exchange.engine().authority())
            .field("tls", &self.tls.is_some())
            .field("registered", &self.registered)
            .field("connected", &self.connected)
            .field("send_state", &self.exchange.engine().send_state())
            .field("recv_state", &self.exchange.engine().recv_state())
            .field("in_flight", &self.in_flight())
            .field("dead", &self.dead)
            .finish()
    }
}

/// What a connection needs to be opened again.
#[derive(Debug, Clone)]
struct Peer {
    addr: SocketAddr,
    tls: Option<Arc<ClientConfig>>,
    endpoint: Option<Endpoint>,
}

impl Peer {
    /// The TLS session and the tunnel a new connection to it starts with.
    fn sessions(
        &self,
        origin: &Authority,
        config: &Config,
    ) -> Result<(Tls, Option<TunnelOpener>), Error> {
        let tls = match &self.tls {
            Some(tls) => Some(tls_session(tls, origin)?),
            None => None,
        };
        let tunnel = match self
            .endpoint
            .as_ref()
            .and_then(|e| e.tunnel().map(|t| (e, t)))
        {
            Some((e, t)) => Some(t.opener(e.connect_to().clone(), config.clone())?),
            None => None,
        };
        Ok((tls, tunnel))
    }
}

/// A TLS session verifying `authority`'s host.
fn tls_session(
    tls: &Arc<ClientConfig>,
    authority: &Authority,
) -> Result<Box<ClientConnection>, Error> {
    let name = server_name(authority.host())?;
    Ok(Box::new(
        ClientConnection::new(tls.clone(), name).map_err(Error::Tls)?,
    ))
}

/// Resolve `host[:port]` (blocking: a name is looked up with the system
/// resolver) to its first address.
fn resolve(authority: &Authority) -> Result<SocketAddr, Error> {
    let target = authority.socket_addr_string();
    target
        .to_socket_addrs()
        .map_err(|e| Error::io("resolving", e))?
        .next()
        .ok_or_else(|| {
            Error::io(
                "resolving",
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{target} resolves to no address"),
                ),
            )
        })
}

impl Connection {
    /// Start connecting to `addr` without blocking; `authority` (`host` or
    /// `host:port`) names the server in `Host`. The connection completes in
    /// the loop, after [`register`](Self::register).
    pub fn connect(addr: SocketAddr, authority: Authority, config: Config) -> Result<Self, Error> {
        let peer = Peer {
            addr,
            tls: None,
            endpoint: None,
        };
        Connection::start(peer, authority, config)
    }

    /// Start a TLS connection to `addr` without blocking, verifying the
    /// certificate for `authority`'s host with `tls`.
    pub fn connect_tls(
        addr: SocketAddr,
        authority: Authority,
        config: Config,
        tls: Arc<ClientConfig>,
    ) -> Result<Self, Error> {
        let peer = Peer {
            addr,
            tls: Some(tls),
            endpoint: None,
        };
        Connection::start(peer, authority, config)
    }

    /// Start a connection to `endpoint` (directly, through a forward proxy
    /// or through a CONNECT tunnel, which is opened in the loop before
    /// anything else), with TLS to the origin when `tls` is given. The name
    /// it connects to is resolved here, blocking.
    pub fn open(
        endpoint: &Endpoint,
        tls: Option<Arc<ClientConfig>>,
        config: Config,
    ) -> Result<Self, Error> {
        if endpoint.socks().is_some() {
            return Err(Error::Socks {
                reason: "httpcore-mio does not open SOCKS5 tunnels yet",
            });
        }
        let peer = Peer {
            addr: resolve(endpoint.connect_to())?,
            tls,
            endpoint: Some(endpoint.clone()),
        };
        let mut conn = Connection::start(peer, endpoint.origin().clone(), config)?;
        conn.exchange.set_forward(endpoint.forward());
        Ok(conn)
    }

    fn start(peer: Peer, origin: Authority, config: Config) -> Result<Self, Error> {
        let (tls, tunnel) = peer.sessions(&origin, &config)?;
        let socket = TcpStream::connect(peer.addr).map_err(|e| Error::io("connecting", e))?;
        let mut conn = Connection::from_parts(socket, tls, origin, config);
        conn.tunnel = tunnel;
        conn.peer = Some(peer);
        Ok(conn)
    }

    /// The configuration [`http`](Self::http) and [`https`](Self::https)
    /// use: the engine's defaults (strict parsing, its limits), with up to
    /// [`PIPELINE_DEPTH`] requests in flight.
    pub fn default_config() -> Config {
        Config {
            max_pipelined: PIPELINE_DEPTH,
            ..Config::default()
        }
    }

    /// `http://host[:port]` (port 80 by default) with
    /// [`default_config`](Self::default_config). The name is resolved here, blocking; connect to a
    /// [`SocketAddr`] with [`connect`](Self::connect) to keep name lookup
    /// out of the loop.
    pub fn http(host: &str) -> Result<Self, Error> {
        let endpoint = Endpoint::new(host, false)?;
        Connection::open(&endpoint, None, Connection::default_config())
    }

    /// `https://host[:port]` (port 443 by default), certificates verified
    /// as `options` say (by default against the built-in roots). The name
    /// is resolved here, blocking.
    pub fn https(host: &str, options: &TlsOptions) -> Result<Self, Error> {
        let endpoint = Endpoint::new(host, true)?;
        Connection::open(
            &endpoint,
            Some(options.build()?),
            Connection::default_config(),
        )
    }

    /// A connection over a socket that is connected or connecting, with a
    /// TLS session or none.
    pub fn from_parts(
        socket: TcpStream,
        tls: Option<Box<ClientConnection>>,
        authority: Authority,
        config: Config,
    ) -> Self {
        let now = Instant::now();
        Connection {
            exchange: Exchange::new(authority, config),
            socket,
            tls,
            peer: None,
            tunnel: None,
            registered: None,
            out: Vec::new(),
            written: 0,
            connected: false,
            readable: false,
            read_closed: false,
            tls_eof: false,
            in_body: false,
            switched: false,
            trailers: Vec::new(),
            timeouts: Timeouts::default(),
            started: now,
            progress: now,
            error: None,
            dead: false,
            release_when_idle: true,
        }
    }

    /// Connect, read and write timeouts (none by default): the read timeout
    /// runs while a response is awaited, the write timeout while bytes wait
    /// to be written, each measured from the last progress.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self.progress = Instant::now();
        self
    }

    /// Start over on a new socket to the same address (and a new TLS
    /// session and tunnel), registered under the same token: for a
    /// connection the server closed, or one that failed. Requests that were
    /// in flight are forgotten (see [`unanswered`](Self::unanswered) first).
    /// Only for connections made by [`connect`](Self::connect),
    /// [`connect_tls`](Self::connect_tls) or [`open`](Self::open) (and
    /// `http` / `https`).
    pub fn reconnect(&mut self, registry: &Registry) -> Result<(), Error> {
        let Some(peer) = self.peer.clone() else {
            return Err(httpcore::Error::NotConnected {
                reason: "made from parts: no address to connect to again",
            }
            .into());
        };
        let origin = self.exchange.engine().authority().clone();
        let (tls, tunnel) = peer.sessions(&origin, self.exchange.engine().config())?;
        let socket = TcpStream::connect(peer.addr).map_err(|e| Error::io("connecting", e))?;
        let registered = self.registered;
        if registered.is_some() {
            let _ = self.deregister(registry);
        }
        self.shutdown();
        let now = Instant::now();
        self.socket = socket;
        self.tls = tls;
        self.tunnel = tunnel;
        self.out.clear();
        self.written = 0;
        self.connected = false;
        self.readable = false;
        self.read_closed = false;
        self.tls_eof = false;
        self.in_body = false;
        self.switched = false;
        self.trailers.clear();
        self.started = now;
        self.progress = now;
        self.error = None;
        self.dead = false;
        // The exchange stays: its retry policy, forward proxy and the
        // request recorded for a retry.
        self.exchange.reconnected(origin);
        if let Some((token, _)) = registered {
            self.register(registry, token)
                .map_err(|e| Error::io("registering", e))?;
        }
        Ok(())
    }

    /// The connection failed with `error` (from
    /// [`poll_output`](Self::poll_output)) while one request was in flight:
    /// when the client layer says it may go again
    /// ([`httpcore_client::retry`]), reconnect and send it again, and return
    /// its new id; otherwise the error to report
    /// ([`Error::MaybeProcessed`] for a request the server may have acted
    /// on).
    pub fn retry(&mut self, registry: &Registry, error: Error) -> Result<RequestId, Error> {
        self.exchange.recover(error)?;
        self.reconnect(registry)?;
        let id = self.exchange.replay()?;
        self.flush(registry);
        Ok(id)
    }

    /// The client layer's exchange: its retry policy
    /// ([`set_retries`](Exchange::set_retries)) and debug lines.
    pub fn exchange_mut(&mut self) -> &mut Exchange {
        &mut self.exchange
    }

    /// The idle check before a new request on a kept-alive connection:
    /// false when the server closed it or sent bytes nobody asked for
    /// (asked of the socket itself, which no event may have reported yet).
    /// TLS records that carry no data (session tickets) are read and
    /// leave it usable.
    pub fn is_quiet(&mut self, registry: &Registry) -> bool {
        if !self.is_reusable() {
            return false;
        }
        if !self.connected || self.tunnel.is_some() {
            // Still connecting: nothing to look at yet.
            return true;
        }
        match self.socket.peek(&mut [0u8; 1]) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => true,
            Ok(n) if n > 0 && self.tls.is_some() => {
                self.readable = true;
                self.read_once(registry);
                let _ = self.exchange.engine_mut().poll_event();
                self.is_reusable()
            }
            _ => false,
        }
    }

    /// Take the connection apart: the socket, the TLS session, and the
    /// bytes received and not parsed (after a 101 or a CONNECT tunnel, the
    /// first bytes of whatever runs next). Deregister it first.
    pub fn into_parts(mut self) -> (TcpStream, Option<Box<ClientConnection>>, Bytes) {
        let leftover = self.exchange.engine_mut().take_leftover();
        (self.socket, self.tls, leftover)
    }

    // ----- getters ---------------------------------------------------------

    /// The engine, for its getters.
    pub fn engine(&self) -> &httpcore::Connection {
        self.exchange.engine()
    }

    /// The engine, for the step-by-step request commands (`put_request`,
    /// `put_header`, `end_headers`, `send_body`, ...). Call
    /// [`flush`](Self::flush) after them.
    pub fn engine_mut(&mut self) -> &mut httpcore::Connection {
        self.exchange.engine_mut()
    }

    /// The token it is registered under.
    pub fn token(&self) -> Option<Token> {
        self.registered.map(|(t, _)| t)
    }

    /// The interest it is registered with: always `READABLE` (so a close
    /// or unsolicited bytes are seen even when idle), plus `WRITABLE` while
    /// connecting or while bytes wait for the socket.
    pub fn interest(&self) -> Option<Interest> {
        self.registered.map(|(_, i)| i)
    }

    /// Requests sent or queued whose responses are not complete.
    pub fn in_flight(&self) -> usize {
        self.exchange.engine().unanswered().count()
    }

    /// The requests without a complete response, oldest first: after an
    /// error, these are the ones lost.
    pub fn unanswered(&self) -> Vec<RequestId> {
        self.exchange.engine().unanswered().collect()
    }

    /// True when another request may go on this connection now: no
    /// exchange in progress, nothing unsolicited received, the server has
    /// not closed it or asked to. (A close that arrived as an event is seen
    /// once [`poll_output`](Self::poll_output) has run.)
    pub fn is_reusable(&self) -> bool {
        !self.dead && self.error.is_none() && self.exchange.engine().is_reusable()
    }

    /// True once an error was reported: the connection cannot be used.
    pub fn is_dead(&self) -> bool {
        self.dead
    }

    /// The next instant the loop must wake this connection at (pass it to
    /// [`handle_timeout`](Self::handle_timeout)): the connect, read or
    /// write timeout, or the end of a `100 Continue` wait.
    pub fn deadline(&self) -> Option<Instant> {
        if self.dead {
            return None;
        }
        let mut next: Option<Instant> = None;
        let mut consider = |at: Option<Instant>| {
            if let Some(at) = at {
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        };
        if !self.connected {
            consider(self.timeouts.connect.map(|t| later(self.started, t)));
        } else {
            if self.exchange.engine().wants_read() {
                consider(self.timeouts.read.map(|t| later(self.progress, t)));
            }
            if self.written < self.out.len() {
                consider(self.timeouts.write.map(|t| later(self.progress, t)));
            }
            consider(self.exchange.poll_timeout());
        }
        next
    }

    /// The time from now to [`deadline`](Self::deadline), for
    /// `Poll::poll`'s timeout.
    pub fn timeout_from_now(&self) -> Option<Duration> {
        self.deadline()
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    // ----- registration ------------------------------------------------------

    /// Register with the caller's registry under `token`.
    pub fn register(&mut self, registry: &Registry, token: Token) -> io::Result<()> {
        let interest = self.wanted_interest();
        registry.register(&mut self.socket, token, interest)?;
        self.registered = Some((token, interest));
        Ok(())
    }

    /// Remove from the registry.
    pub fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        self.registered = None;
        registry.deregister(&mut self.socket)
    }

    fn wanted_interest(&self) -> Interest {
        let tls_writes = self.tls.as_ref().is_some_and(|t| t.wants_write());
        if !self.connected || self.written < self.out.len() || tls_writes {
            Interest::READABLE | Interest::WRITABLE
        } else {
            Interest::READABLE
        }
    }

    /// Re-register when the interest the engine needs changed.
    fn update_interest(&mut self, registry: &Registry) {
        let Some((token, current)) = self.registered else {
            return;
        };
        let wanted = self.wanted_interest();
        if wanted != current {
            match registry.reregister(&mut self.socket, token, wanted) {
                Ok(()) => self.registered = Some((token, wanted)),
                Err(e) => self.fail(Error::io("registering", e)),
            }
        }
    }

    // ----- inputs --------------------------------------------------------------

    /// Take note of an event for this connection's token, and write what
    /// can be written. Reading waits for [`poll_output`](Self::poll_output).
    /// Errors are reported there too.
    pub fn handle_event(&mut self, registry: &Registry, event: &mio::event::Event) {
        if event.is_readable() || event.is_read_closed() || event.is_error() {
            self.readable = true;
        }
        self.read_closed |= event.is_read_closed();
        if !self.connected {
            self.check_connected();
        }
        if event.is_writable() || event.is_error() {
            self.write_out();
        }
        self.update_interest(registry);
    }

    /// Whether the non-blocking connect completed (mio's recipe: a pending
    /// socket error, then `peer_addr`).
    fn check_connected(&mut self) {
        match self.socket.take_error() {
            Ok(Some(e)) | Err(e) => return self.fail(Error::io("connecting", e)),
            Ok(None) => {}
        }
        match self.socket.peer_addr() {
            Ok(_) => {
                self.connected = true;
                self.progress = Instant::now();
                // Requests are written whole; no delay for small heads.
                if let Err(e) = self.socket.set_nodelay(true) {
                    self.fail(Error::io("connecting", e));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotConnected => {}
            Err(e) if e.raw_os_error() == Some(EINPROGRESS) => {}
            Err(e) => self.fail(Error::io("connecting", e)),
        }
    }

    /// Run the timers that are due at `now`: a `100 Continue` wait that
    /// ran out sends the body; a connect, read or write timeout ends the
    /// connection with [`Error::Timeout`], reported by `poll_output`.
    pub fn handle_timeout(&mut self, registry: &Registry, now: Instant) {
        if self.dead || self.error.is_some() {
            return;
        }
        let due = |t: Option<Duration>, from: Instant| {
            t.is_some_and(|t| now.saturating_duration_since(from) >= t)
        };
        if !self.connected {
            if due(self.timeouts.connect, self.started) {
                self.fail(Error::Timeout {
                    during: "connecting",
                });
            }
            return;
        }
        self.exchange.handle_timeout(now);
        if self.exchange.engine().wants_write() {
            // The 100-continue wait ran out: the body goes.
            self.flush(registry);
        }
        if self.exchange.engine().wants_read() && due(self.timeouts.read, self.progress) {
            self.fail(Error::Timeout {
                during: "reading the response",
            });
        } else if self.written < self.out.len() && due(self.timeouts.write, self.progress) {
            self.fail(Error::Timeout {
                during: "writing the request",
            });
        }
    }

    /// Queue a request (httplib's `request`): the head, and the body with
    /// its `Content-Length` when there is one; then write what the socket
    /// takes. Several may be in flight; responses come back in order.
    pub fn request<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        registry: &Registry,
        method: &str,
        target: &str,
        body: Option<&[u8]>,
        headers: &[(N, V)],
    ) -> Result<RequestId, Error> {
        self.check_alive()?;
        if self.exchange.engine().unanswered().next().is_none() {
            // Idle until now: the read timeout runs from here.
            self.mark_progress();
        }
        let id = self.exchange.request(method, target, body, headers)?;
        self.flush(registry);
        Ok(id)
    }

    fn check_alive(&mut self) -> Result<(), Error> {
        if self.dead {
            return Err(httpcore::Error::NotConnected {
                reason: "the connection failed",
            }
            .into());
        }
        Ok(())
    }

    /// Write what the engine has to send (after the step-by-step commands
    /// of [`engine_mut`](Self::engine_mut)), as far as the socket takes it;
    /// the rest goes when the socket is writable again.
    pub fn flush(&mut self, registry: &Registry) {
        self.write_out();
        self.update_interest(registry);
    }

    fn write_out(&mut self) {
        if self.written == self.out.len() {
            self.out.clear();
            self.written = 0;
        }
        match &mut self.tunnel {
            // Until the tunnel is open, its CONNECT is all that goes.
            Some(opener) => {
                while let Some(b) = opener.poll_transmit() {
                    self.out.extend_from_slice(&b);
                }
            }
            None => self.exchange.transmit_into(&mut self.out, Instant::now),
        }
        if !self.connected || self.dead {
            return;
        }
        let before = self.written;
        let result = match (&mut self.tls, &self.tunnel) {
            (Some(tls), None) => write_tls(tls, &mut self.socket, &self.out, &mut self.written),
            _ => write_plain(&mut self.socket, &self.out, &mut self.written),
        };
        if self.written > before {
            self.mark_progress();
        }
        if let Err(e) = result {
            // Nothing more can be sent; the responses already due may still
            // be read, and the read side reports how the stream ended.
            self.exchange.handle_write_error();
            self.out.clear();
            self.written = 0;
            self.readable = true;
            if self.exchange.engine().unanswered().next().is_none() {
                self.fail(Error::io("writing the request", e));
            }
        }
        if self.written == self.out.len() {
            self.out.clear();
            self.written = 0;
        }
    }

    /// The connection made progress now (for the read and write
    /// timeouts; without them, no clock is read).
    #[inline]
    fn mark_progress(&mut self) {
        if self.timeouts.read.is_some() || self.timeouts.write.is_some() {
            self.progress = Instant::now();
        }
    }

    fn fail(&mut self, e: Error) {
        if self.error.is_none() && !self.dead {
            self.error = Some(e);
        }
    }

    // ----- outputs ----------------------------------------------------------

    /// The next piece of a response, reading from the socket as needed
    /// without blocking. `Ok(None)`: nothing more until the next event or
    /// timeout. An error is final: the connection is dead, and
    /// [`unanswered`](Self::unanswered) names the requests that got no
    /// (complete) response.
    pub fn poll_output(&mut self, registry: &Registry) -> Result<Option<Output>, Error> {
        loop {
            if let Some(e) = self.error.take() {
                self.dead = true;
                self.shutdown();
                return Err(e);
            }
            self.check_alive()?;
            if self.switched {
                return Ok(None);
            }
            match self.engine_output() {
                Ok(Some(out)) => return Ok(Some(out)),
                Ok(None) => {}
                Err(e) => {
                    self.dead = true;
                    self.shutdown();
                    return Err(e);
                }
            }
            if !self.readable || !self.connected {
                // A `100 Continue` may have released the body.
                if self.exchange.engine().wants_write() {
                    self.flush(registry);
                }
                return Ok(None);
            }
            self.read_once(registry);
        }
    }

    /// What the engine has parsed, as an `Output`.
    fn engine_output(&mut self) -> Result<Option<Output>, Error> {
        let Some(id) = self.exchange.engine().current_request() else {
            // Nothing expected: let the engine see what arrived (a close,
            // or bytes nobody asked for) so that reuse is judged right.
            self.exchange.engine_mut().poll_event()?;
            return Ok(None);
        };
        if !self.in_body {
            // The buffers of the last head given back, if any.
            let mut head = self.exchange.take_head();
            let Some(framing) = self.exchange.poll_head(&mut head)? else {
                self.exchange.recycle(head);
                return Ok(None);
            };
            self.in_body = framing != Framing::Switched;
            self.switched = framing == Framing::Switched;
            return Ok(Some(Output::Head { id, head, framing }));
        }
        Ok(match self.exchange.poll_body(&mut self.trailers)? {
            BodyStep::Chunk(chunk) => Some(Output::Body { id, chunk }),
            BodyStep::Done => {
                self.in_body = false;
                self.release_if_idle();
                let trailers = std::mem::take(&mut self.trailers);
                Some(Output::Done { id, trailers })
            }
            BodyStep::NeedData => None,
        })
    }

    /// Whether an idle connection — its last response read, nothing else in
    /// flight — gives its buffers back: on by default, so that ten thousand
    /// kept-alive connections cost little more than their sockets (about
    /// 3 KB each in all; the `idle` bench). Off, a connection that carries
    /// request after request keeps them between requests, saving an
    /// allocation and the zero-fill of its receive buffer (8 KiB) on each.
    pub fn with_release_when_idle(mut self, release: bool) -> Self {
        self.release_when_idle = release;
        self
    }

    /// The last response is read and nothing else is in flight: an idle
    /// connection holds no buffer (the engine's, the request kept for a
    /// retry, the outgoing bytes); the next request or readable event
    /// takes them again.
    fn release_if_idle(&mut self) {
        if self.release_when_idle
            && self.written == self.out.len()
            && self.exchange.release_buffers()
        {
            self.out = Vec::new();
            self.written = 0;
        }
    }

    /// Give a head's buffers back once done with it, so the next response's
    /// head reuses them instead of allocating.
    pub fn recycle(&mut self, head: ResponseHead) {
        self.exchange.recycle(head);
    }

    /// One read from the socket (through rustls if any) into the engine.
    fn read_once(&mut self, registry: &Registry) {
        let result = match (&mut self.tunnel, &mut self.tls) {
            (Some(opener), _) => read_plain(&mut self.socket, opener.begin_recv()),
            (None, None) => read_plain(&mut self.socket, self.exchange.begin_recv()),
            (None, Some(tls)) => read_tls(
                tls,
                &mut self.socket,
                self.exchange.begin_recv(),
                &mut self.tls_eof,
            ),
        };
        match result {
            Ok(ReadOutcome::Data { n, drained }) => {
                self.mark_progress();
                self.readable = !drained || self.read_closed;
                match &mut self.tunnel {
                    Some(opener) => opener.handle_recv(n),
                    None => self.exchange.handle_recv(n),
                }
            }
            Ok(ReadOutcome::Eof) => {
                self.readable = false;
                match &mut self.tunnel {
                    Some(opener) => opener.handle_eof(),
                    None => self.exchange.handle_eof(),
                }
            }
            Ok(ReadOutcome::TruncatedEof) => {
                self.readable = false;
                self.exchange.handle_truncated_eof();
            }
            Ok(ReadOutcome::Drained) => self.readable = false,
            Err(e) => {
                self.readable = false;
                self.fail(Error::io("reading the response", e));
            }
        }
        self.check_tunnel();
        if self.tls.as_ref().is_some_and(|t| t.wants_write())
            || self.exchange.engine().wants_write()
        {
            // The TLS handshake (or a key update) has something to say.
            self.flush(registry);
        }
    }

    /// Once the proxy said yes: the bytes after its answer go to TLS (or
    /// the engine), and the tunnel carries the connection from now on.
    fn check_tunnel(&mut self) {
        let Some(opener) = &mut self.tunnel else {
            return;
        };
        let leftover = match opener.poll_established() {
            Ok(Some(leftover)) => leftover,
            Ok(None) => return,
            Err(e) => return self.fail(e.into()),
        };
        self.tunnel = None;
        // What came behind the answer, and what may still wait, is read now.
        self.readable = true;
        match &mut self.tls {
            None => self.exchange.engine_mut().handle_data(&leftover),
            // (An empty read would tell rustls the stream ended.)
            Some(_) if leftover.is_empty() => {}
            Some(tls) => {
                let fed = tls.read_tls(&mut &leftover[..]).and_then(|_| {
                    tls.process_new_packets()
                        .map(|_| ())
                        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
                });
                if let Err(e) = fed {
                    self.fail(Error::io("starting TLS", e));
                }
            }
        }
    }

    /// Close the connection (sending TLS's `close_notify` when it can).
    /// Deregister it too if it is registered.
    pub fn shutdown(&mut self) {
        if let Some(tls) = &mut self.tls {
            tls.send_close_notify();
            let _ = tls.write_tls(&mut self.socket);
        }
        let _ = self.socket.shutdown(std::net::Shutdown::Both);
    }
}

/// The platform's "connect in progress" error number (mio: `peer_addr`
/// may answer it while the connect is under way).
#[cfg(unix)]
const EINPROGRESS: i32 = libc::EINPROGRESS;
#[cfg(not(unix))]
const EINPROGRESS: i32 = -1;

/// How a read went.
enum ReadOutcome {
    /// `n` bytes were read into the buffer; `drained`: the socket had no
    /// more.
    Data { n: usize, drained: bool },
    /// The server closed its side.
    Eof,
    /// The server closed its side without TLS `close_notify`.
    TruncatedEof,
    /// Nothing to read now.
    Drained,
}

fn read_plain(socket: &mut TcpStream, buf: &mut [u8]) -> io::Result<ReadOutcome> {
    let room = buf.len();
    loop {
        return match socket.read(buf) {
            Ok(0) => Ok(ReadOutcome::Eof),
            // A short read emptied the socket's queue: edge-triggered
            // readiness fires again when more arrives.
            Ok(n) => Ok(ReadOutcome::Data {
                n,
                drained: n < room,
            }),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(ReadOutcome::Drained),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => Err(e),
        };
    }
}

fn read_tls(
    tls: &mut ClientConnection,
    socket: &mut TcpStream,
    buf: &mut [u8],
    eof: &mut bool,
) -> io::Result<ReadOutcome> {
    loop {
        // Around `memcpy`'s slow case (httpcore_client::plaintext).
        match httpcore_client::plaintext::read_plaintext(tls.reader(), buf) {
            Ok(0) => return Ok(ReadOutcome::Eof),
            Ok(n) => return Ok(ReadOutcome::Data { n, drained: false }),
            // A server that closes without close_notify: the engine judges
            // whether the message was complete by its framing.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                return Ok(ReadOutcome::TruncatedEof)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
        if *eof {
            return Ok(ReadOutcome::Eof);
        }
        match tls.read_tls(socket) {
            Ok(0) => *eof = true,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(ReadOutcome::Drained),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        if let Err(e) = tls.process_new_packets() {
            // Tell the server why, then report it.
            let _ = tls.write_tls(socket);
            return Err(io::Error::new(io::ErrorKind::InvalidData, e));
        }
    }
}

fn write_plain(socket: &mut TcpStream, out: &[u8], written: &mut usize) -> io::Result<()> {
    while *written < out.len() {
        match socket.write(&out[*written..]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => *written += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn write_tls(
    tls: &mut ClientConnection,
    socket: &mut TcpStream,
    out: &[u8],
    written: &mut usize,
) -> io::Result<()> {
    loop {
        // Plaintext into rustls (bounded by its buffer limit) ...
        while *written < out.len() {
            match tls.writer().write(&out[*written..])? {
                0 => break,
                n => *written += n,
            }
        }
        // ... and records onto the socket.
        let mut progressed = false;
        while tls.wants_write() {
            match tls.write_tls(socket) {
                Ok(_) => progressed = true,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if *written == out.len() || !progressed {
            return Ok(());
        }
    }
}
