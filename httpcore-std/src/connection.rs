//! `HttpConnection` and `HttpsConnection`: httplib's connection objects on
//! blocking std sockets. They move bytes between a socket and the engine;
//! every protocol decision is the engine's.

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use httpcore::{Authority, BodyLength, Config, Connection, Framing, ResponseHead};
use httpcore_client::connect::{addresses, Resolve, SystemResolver, ATTEMPT_DELAY};
use httpcore_client::deadline::bound;
use httpcore_client::log;
use httpcore_client::{
    BodyStep, Deadline, Endpoint, Exchange, Proxy, ResponseState, Retries, SocksRoute, Timeouts,
    Tunnel,
};
use rustls::ClientConfig;

use crate::response::Response;
use crate::transport::{connect_tcp, Transport};
use crate::{server_name, Error, TlsOptions};

/// An HTTP/1.1 connection to one server, httplib's `HTTPConnection`.
///
/// ```no_run
/// use httpcore_std::HttpConnection;
/// use std::io::Read;
///
/// let mut conn = HttpConnection::new("www.example.com")?;
/// conn.request("GET", "/index.html", None, &[("Accept", "text/html")])?;
/// let mut r = conn.get_response()?;
/// println!("{} {}", r.status(), r.reason());
/// let mut body = Vec::new();
/// r.read_to_end(&mut body)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct HttpConnection {
    /// Where connections go, and how requests reach the server.
    endpoint: Endpoint,
    tls: Option<Arc<ClientConfig>>,
    timeouts: Timeouts,
    transport: Option<Transport>,
    exchange: Exchange,
    /// The current request's deadline, if its agent set one.
    cap: Option<Deadline>,
    /// Turns the server's name into addresses.
    resolver: Arc<dyn Resolve>,
    /// How long a connection attempt runs alone before the next address
    /// is tried beside it.
    attempt_delay: Duration,
    /// The read and write timeouts the socket has now, to set them only
    /// when they must change.
    applied: Option<SocketTimeouts>,
}

type SocketTimeouts = (Option<Duration>, Option<Duration>);

/// The phase of reads up to the response's head.
const HEAD: &str = "waiting for the response";

/// An HTTPS connection, httplib's `HTTPSConnection`: an [`HttpConnection`]
/// with TLS (rustls; certificates verified by default), default port 443.
#[derive(Debug)]
pub struct HttpsConnection(HttpConnection);

impl std::ops::Deref for HttpsConnection {
    type Target = HttpConnection;
    fn deref(&self) -> &HttpConnection {
        &self.0
    }
}

impl std::ops::DerefMut for HttpsConnection {
    fn deref_mut(&mut self) -> &mut HttpConnection {
        &mut self.0
    }
}

impl HttpsConnection {
    /// `"host"`, `"host:port"` or `"[v6]:port"`, default port 443, the
    /// default TLS options (built-in roots, verification on).
    pub fn new(host: &str) -> Result<HttpsConnection, Error> {
        HttpsConnection::with_options(host, &TlsOptions::default())
    }

    /// With the given TLS options (extra roots, client certificate, ...).
    pub fn with_options(host: &str, options: &TlsOptions) -> Result<HttpsConnection, Error> {
        HttpsConnection::with_tls_config(host, options.build()?)
    }

    /// With a rustls configuration of the caller's, used as is.
    pub fn with_tls_config(
        host: &str,
        config: Arc<ClientConfig>,
    ) -> Result<HttpsConnection, Error> {
        HttpConnection::with_tls(host, Some(config)).map(HttpsConnection)
    }

    /// Builder-style [`HttpConnection::set_timeouts`] with one timeout for
    /// everything.
    pub fn with_timeout(mut self, t: Duration) -> HttpsConnection {
        self.0.set_timeouts(Timeouts::all(t));
        self
    }

    /// The plain connection underneath.
    pub fn into_inner(self) -> HttpConnection {
        self.0
    }
}

impl HttpConnection {
    /// `"host"`, `"host:port"` or `"[v6]:port"` (default port 80). An empty
    /// or non-numeric port is `InvalidURL`, as in httplib. Nothing is
    /// connected until the first request (or [`connect`](Self::connect)).
    pub fn new(host: &str) -> Result<HttpConnection, Error> {
        HttpConnection::with_tls(host, None)
    }

    fn with_tls(host: &str, tls: Option<Arc<ClientConfig>>) -> Result<HttpConnection, Error> {
        let endpoint = Endpoint::new(host, tls.is_some())?;
        Ok(HttpConnection::for_endpoint(
            endpoint,
            tls,
            Config::default(),
        ))
    }

    /// To `endpoint` (a proxy already chosen), with TLS as `tls` says and
    /// the engine configured by `config`; nothing connected yet.
    pub(crate) fn for_endpoint(
        endpoint: Endpoint,
        tls: Option<Arc<ClientConfig>>,
        config: Config,
    ) -> HttpConnection {
        let mut conn = HttpConnection {
            exchange: Exchange::new(endpoint.origin().clone(), config),
            endpoint,
            tls,
            timeouts: Timeouts::default(),
            transport: None,
            cap: None,
            applied: None,
            resolver: Arc::new(SystemResolver),
            attempt_delay: ATTEMPT_DELAY,
        };
        let forward = conn.endpoint.forward();
        conn.exchange.set_forward(forward);
        conn
    }

    /// Builder-style: one timeout for connecting, reading and writing
    /// (httplib's `timeout`). A timeout is [`Error::Timeout`], never a hang.
    pub fn with_timeout(mut self, t: Duration) -> HttpConnection {
        self.set_timeouts(Timeouts::all(t));
        self
    }

    /// Set the connect, read and write timeouts.
    pub fn set_timeouts(&mut self, t: Timeouts) {
        self.timeouts = t;
        if let Some(tr) = &self.transport {
            let _ = tr.set_timeouts(t.read, t.write);
            self.applied = Some((t.read, t.write));
        }
    }

    /// Resolve the server's name (or the proxy's) with `resolver` instead
    /// of the operating system's, and try its addresses `attempt_delay`
    /// apart (RFC 8305; 250 ms by default), for connections opened from now
    /// on.
    pub fn set_resolver(&mut self, resolver: Arc<dyn Resolve>, attempt_delay: Duration) {
        self.resolver = resolver;
        self.attempt_delay = attempt_delay;
    }

    /// Bound every phase of the next request (and its response) by `cap`
    /// as well as by its own timeout; `None` for the own timeouts only.
    pub(crate) fn set_deadline(&mut self, cap: Option<Deadline>) {
        self.cap = cap;
    }

    /// Give the socket the timeouts the next blocking call may wait: the
    /// phases' own, shortened by the deadline if one is set. A system call
    /// only when what the socket has would cut the wait short or overrun
    /// the deadline by more than a sixteenth of what is left — a fresh
    /// deadline on a kept-alive connection usually costs none.
    fn arm(&mut self, during: &'static str) -> Result<(), Error> {
        let want = match &self.cap {
            None => (self.timeouts.read, self.timeouts.write),
            Some(cap) => {
                let now = Instant::now();
                (
                    Some(cap.bound(self.timeouts.read, now, during)?),
                    Some(cap.bound(self.timeouts.write, now, during)?),
                )
            }
        };
        if self.applied.is_some_and(|have| close_enough(have, want)) {
            return Ok(());
        }
        let t = connected(&mut self.transport)?;
        t.set_timeouts(want.0, want.1)
            .map_err(|e| Error::io(during, e))?;
        self.applied = Some(want);
        Ok(())
    }

    /// The engine configuration (limits, leniencies) for the next
    /// connection made; closes the current one.
    pub fn set_config(&mut self, config: Config) {
        self.close();
        self.exchange.set_config(config);
    }

    /// When a request is sent again on a new connection after the server
    /// closed the kept-alive one under it (default: only when that cannot
    /// make the server act twice; see [`httpcore_client::retry`]).
    pub fn set_retries(&mut self, retries: Retries) {
        self.exchange.set_retries(retries);
    }

    /// httplib's `set_debuglevel`: from 1 on, the request and the response
    /// heads are printed on stderr as httplib prints them.
    pub fn set_debug_level(&mut self, level: u8) {
        self.exchange.set_debug(level > 0);
    }

    /// Talk to `host:port` through this connection's server, a proxy, with
    /// `CONNECT` (httplib's `set_tunnel`). `headers` go with the CONNECT
    /// request (e.g. `Proxy-Authorization`). Takes effect at the next
    /// connection.
    pub fn set_tunnel(
        &mut self,
        host: &str,
        port: Option<u16>,
        headers: &[(&str, &str)],
    ) -> Result<(), Error> {
        self.endpoint.set_tunnel(host, port, headers)?;
        self.exchange.set_forward(None);
        self.close();
        Ok(())
    }

    /// Reach this connection's server through `proxy`: plain HTTP requests
    /// go to the proxy in absolute-form, HTTPS through a CONNECT tunnel;
    /// the proxy URL's credentials go to the proxy only
    /// (`Proxy-Authorization: Basic`). Takes effect at the next connection.
    pub fn set_proxy(&mut self, proxy: &Proxy) {
        self.endpoint.set_proxy(proxy);
        self.exchange.set_forward(self.endpoint.forward());
        self.close();
    }

    /// Where the TCP connection goes: the server, or the proxy.
    pub fn authority(&self) -> &Authority {
        self.endpoint.connect_to()
    }

    /// True when a connection is open.
    pub fn is_connected(&self) -> bool {
        self.transport.is_some()
    }

    /// How many responses the current connection has carried (0 when it is
    /// new): more than one means keep-alive reuse.
    pub fn responses_on_connection(&self) -> u32 {
        self.exchange.served()
    }

    /// The engine driving this connection (read-only: states, getters).
    pub fn engine(&self) -> &Connection {
        self.exchange.engine()
    }

    /// Connect now (otherwise the first request does).
    pub fn connect(&mut self) -> Result<(), Error> {
        if self.transport.is_some() {
            return Ok(());
        }
        let to = self.endpoint.connect_to();
        let addrs = addresses(&*self.resolver, to.host(), to.port())
            .map_err(|e| Error::io("resolving", e))?;
        let cap = self.cap.as_ref();
        // Resolving blocks in the system's resolver; the deadline is
        // checked when it returns.
        bound(cap, None, Instant::now(), "resolving")?;
        let connect = bound(cap, self.timeouts.connect, Instant::now(), "connecting")?;
        log::connecting(&to.socket_addr_string(), addrs.len());
        let tcp = connect_tcp(addrs, connect, self.attempt_delay)
            .map_err(|e| Error::io("connecting", e))?;
        let mut transport = Transport::Plain(tcp);
        // The tunnel and the TLS handshake run under the connect timeout.
        let now = Instant::now();
        let setup = bound(
            cap,
            self.timeouts.connect.or(self.timeouts.read),
            now,
            "TLS handshake",
        )?;
        let setup_write = bound(
            cap,
            self.timeouts.connect.or(self.timeouts.write),
            now,
            "TLS handshake",
        )?;
        transport
            .set_timeouts(setup, setup_write)
            .map_err(|e| Error::io("connecting", e))?;
        let leftover = match (self.endpoint.socks(), self.endpoint.tunnel()) {
            (Some(socks), _) => self.open_socks(&mut transport, socks)?,
            (None, Some(tunnel)) => self.open_tunnel(&mut transport, tunnel)?,
            (None, None) => Bytes::new(),
        };
        if let Some(config) = &self.tls {
            transport = transport.start_tls(
                config.clone(),
                server_name(self.endpoint.origin().host())?,
                &leftover,
            )?;
            log::tls_established(self.endpoint.origin().host());
        }
        transport
            .set_timeouts(self.timeouts.read, self.timeouts.write)
            .map_err(|e| Error::io("connecting", e))?;
        self.applied = Some((self.timeouts.read, self.timeouts.write));
        self.exchange.reconnected(self.endpoint.origin().clone());
        if self.tls.is_none() && !leftover.is_empty() {
            self.exchange.engine_mut().handle_data(&leftover);
        }
        self.transport = Some(transport);
        Ok(())
    }

    /// The SOCKS5 handshake through `transport` (the client layer's
    /// `Socks5Opener` writes and reads it); the bytes after the proxy's
    /// reply are returned, not lost.
    #[cfg(feature = "socks")]
    fn open_socks(&self, transport: &mut Transport, route: &SocksRoute) -> Result<Bytes, Error> {
        let resolved = if route.resolves_locally() {
            let t = route.target();
            let addrs = addresses(&*self.resolver, t.host(), t.port())
                .map_err(|e| Error::io("resolving", e))?;
            addrs.first().map(|a| a.ip())
        } else {
            None
        };
        let mut opener = route.opener(resolved)?;
        let mut buf = [0u8; 512];
        loop {
            if let Some(leftover) = opener.poll_established()? {
                return Ok(leftover);
            }
            let mut wrote = false;
            while let Some(b) = opener.poll_transmit() {
                transport
                    .write_all(&b)
                    .map_err(|e| Error::io("the SOCKS5 handshake", e))?;
                wrote = true;
            }
            if wrote {
                continue;
            }
            match transport.read(&mut buf) {
                Ok(0) => opener.handle_eof(),
                Ok(n) => opener.handle_data(&buf[..n]),
                Err(e) => return Err(Error::io("the SOCKS5 handshake", e)),
            }
        }
    }

    /// Without the `socks` feature no proxy URL makes a SOCKS route.
    #[cfg(not(feature = "socks"))]
    fn open_socks(&self, _: &mut Transport, _: &SocksRoute) -> Result<Bytes, Error> {
        Err(Error::Socks {
            reason: "built without the `socks` feature",
        })
    }

    /// Send CONNECT through `transport` (the engine writes it and reads the
    /// answer); the bytes after the proxy's 2xx head are returned, not lost.
    fn open_tunnel(&self, transport: &mut Transport, tunnel: &Tunnel) -> Result<Bytes, Error> {
        let config = self.exchange.engine().config().clone();
        let mut opener = tunnel.opener(self.endpoint.connect_to().clone(), config)?;
        while let Some(b) = opener.poll_transmit() {
            transport
                .write_all(&b)
                .map_err(|e| Error::io("sending CONNECT", e))?;
        }
        loop {
            if let Some(leftover) = opener.poll_established()? {
                return Ok(leftover);
            }
            let n = transport
                .read(opener.begin_recv())
                .map_err(|e| Error::io("reading the proxy's answer", e))?;
            opener.handle_read(n);
        }
    }

    /// Close the connection (the next request opens a new one).
    pub fn close(&mut self) {
        if let Some(mut t) = self.transport.take() {
            t.shutdown();
        }
        self.exchange.reconnected(self.endpoint.origin().clone());
    }

    /// Make sure a connection that can carry a new request is open: an idle
    /// kept-alive one the server has not closed or written to, or a new one.
    fn ready_for_request(&mut self) -> Result<(), Error> {
        if self.transport.is_some() && self.exchange.is_idle() {
            let usable = self.exchange.engine().is_reusable()
                && self.transport.as_mut().is_some_and(|t| t.idle_ok());
            if !usable {
                log::idle_check_failed(self.endpoint.origin().host());
                self.close();
            }
        }
        self.connect()
    }

    /// The whole request in one call (httplib's `request`): automatic
    /// `Host` and `Accept-Encoding: identity`, `Content-Length` for a body
    /// (or `Content-Length: 0` for a bodiless POST, PUT, PATCH).
    pub fn request<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        method: &str,
        url: &str,
        body: Option<&[u8]>,
        headers: &[(N, V)],
    ) -> Result<(), Error> {
        self.ready_for_request()?;
        self.exchange.request(method, url, body, headers)?;
        self.flush()
    }

    /// A request whose body is read from `body`: `Content-Length` when
    /// `len` is known, chunked otherwise. Streams in constant memory (and
    /// is therefore never sent twice).
    pub fn request_reader<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        method: &str,
        url: &str,
        body: &mut dyn Read,
        len: Option<u64>,
        headers: &[(N, V)],
    ) -> Result<(), Error> {
        self.put_request(method, url, false, false)?;
        for (n, v) in headers {
            self.put_header(n, v)?;
        }
        self.end_headers_with(len.map_or(BodyLength::Unknown, BodyLength::Known))?;
        // Each piece is read into room the last one left once the socket
        // took it, and queued as it is: no allocation and no copy per
        // piece (`Read` wants the room zeroed first, which costs less).
        const PIECE: usize = 64 * 1024;
        let mut buf = bytes::BytesMut::new();
        loop {
            buf.clear();
            buf.reserve(PIECE);
            buf.resize(PIECE, 0);
            let n = match body.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io("reading the request body", e)),
            };
            buf.truncate(n);
            self.exchange.send_streamed_bytes(buf.split().freeze())?;
            self.flush()?;
        }
        self.finish_body()
    }

    /// Start a request (httplib's `putrequest`).
    pub fn put_request(
        &mut self,
        method: &str,
        url: &str,
        skip_host: bool,
        skip_accept_encoding: bool,
    ) -> Result<(), Error> {
        self.ready_for_request()?;
        self.exchange
            .put_request(method, url, skip_host, skip_accept_encoding)?;
        Ok(())
    }

    /// Add a header (httplib's `putheader`).
    pub fn put_header(
        &mut self,
        name: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<(), Error> {
        self.exchange.put_header(name.as_ref(), value.as_ref())
    }

    /// End the head (httplib's `endheaders`); the body is framed by the
    /// `Content-Length` / `Transfer-Encoding` headers put, or absent.
    pub fn end_headers(&mut self) -> Result<(), Error> {
        self.exchange.end_headers()?;
        self.flush()
    }

    /// End the head, adding the framing header `body` calls for.
    pub fn end_headers_with(&mut self, body: BodyLength) -> Result<(), Error> {
        self.exchange.end_headers_with(body)?;
        self.flush()
    }

    /// Send body bytes (httplib's `send`).
    pub fn send(&mut self, data: &[u8]) -> Result<(), Error> {
        self.exchange.send_body(data)?;
        self.flush()
    }

    /// End the body: a chunked body gets its last chunk; a declared length
    /// must have been met. `get_response` does this when it was not done.
    pub fn finish_body(&mut self) -> Result<(), Error> {
        self.exchange.finish_body()?;
        self.flush()
    }

    /// Write everything the engine has to transmit.
    fn flush(&mut self) -> Result<(), Error> {
        while let Some(bytes) = self.exchange.poll_transmit(Instant::now) {
            self.print_debug();
            self.arm("sending the request")?;
            let t = connected(&mut self.transport)?;
            if let Err(e) = t.write_all(&bytes).and_then(|_| t.flush()) {
                self.exchange.handle_write_error();
                return Err(Error::io("sending the request", e));
            }
        }
        Ok(())
    }

    fn print_debug(&mut self) {
        while let Some(line) = self.exchange.poll_debug() {
            log::httplib(&line);
        }
    }

    /// Read once from the socket into the engine.
    fn fill(&mut self, during: &'static str) -> Result<(), Error> {
        self.arm(during)?;
        self.read_once(during)
    }

    /// Read once from the socket into the engine, under the timeouts the
    /// socket has.
    fn read_once(&mut self, during: &'static str) -> Result<(), Error> {
        let t = connected(&mut self.transport)?;
        match t.read(self.exchange.begin_recv()) {
            Ok(n) => self.exchange.handle_read(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // TLS closed without close_notify (rustls's `UnexpectedEof`).
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                self.exchange.handle_truncated_eof()
            }
            Err(e) => return Err(Error::io(during, e)),
        }
        Ok(())
    }

    /// Wait for the response head (httplib's `getresponse`). Interim 1xx
    /// responses are skipped. On a reused connection that the server had
    /// closed, the request is sent again on a new one when that cannot make
    /// the server act twice; a request that may have been processed is
    /// [`Error::MaybeProcessed`].
    pub fn get_response(&mut self) -> Result<Response<'_>, Error> {
        let head = self.response_head()?;
        Ok(Response::new(self, head))
    }

    /// `get_response`'s work: the final head of the response, and how its
    /// body is framed (for responses that own their connection).
    pub(crate) fn response_head(&mut self) -> Result<(ResponseHead, Framing), Error> {
        self.exchange.prepare_response()?;
        match self.read_head() {
            Ok(head) => Ok(head),
            Err(e) => {
                let why = e.to_string();
                self.exchange.recover(e)?;
                log::retry(&why);
                self.close();
                self.connect()?;
                self.exchange.replay()?;
                self.read_head()
            }
        }
    }

    fn read_head(&mut self) -> Result<(ResponseHead, Framing), Error> {
        let mut head = self.exchange.take_head();
        loop {
            let polled = self
                .flush()
                .and_then(|_| self.exchange.poll_head(&mut head));
            self.print_debug();
            match polled {
                Ok(Some(framing)) => return Ok((head, framing)),
                Ok(None) if self.exchange.engine().wants_write() => continue,
                Ok(None) => {}
                Err(e) => return Err(e),
            }
            self.wait_for_bytes()?;
        }
    }

    /// Read from the socket, no longer than the layer's next timer (the
    /// 100-continue wait) when one runs.
    fn wait_for_bytes(&mut self) -> Result<(), Error> {
        let Some(at) = self.exchange.poll_timeout() else {
            return self.fill(HEAD);
        };
        let wait = at.saturating_duration_since(Instant::now());
        if wait.is_zero() {
            self.exchange.handle_timeout(Instant::now());
            return Ok(());
        }
        self.arm(HEAD)?;
        let (read, write) = self
            .applied
            .unwrap_or((self.timeouts.read, self.timeouts.write));
        let t = connected(&mut self.transport)?;
        let _ = t.set_timeouts(Some(read.map_or(wait, |r| r.min(wait))), write);
        // Set for this one read: the next `arm` sets them again.
        self.applied = None;
        let result = self.read_once(HEAD);
        match result {
            Err(Error::Timeout { .. }) if Instant::now() >= at => {
                self.exchange.handle_timeout(Instant::now());
                Ok(())
            }
            r => r,
        }
    }

    /// A response's head, handed back for the next one's buffers.
    pub(crate) fn recycle(&mut self, head: ResponseHead) {
        self.exchange.recycle(head);
    }

    /// The next piece of body for a response's `state`: the piece not yet
    /// read, else one from the socket; `None` (and `state` ended) at the
    /// body's end. What every response type of this crate reads with.
    pub(crate) fn next_piece(&mut self, state: &mut ResponseState) -> Result<Option<Bytes>, Error> {
        if let Some(piece) = state.take_pending() {
            return Ok(Some(piece));
        }
        loop {
            if state.has_ended() {
                return Ok(None);
            }
            let raw = self.poll_body(state.head_mut())?;
            if raw.is_none() {
                state.end();
            }
            // Through the body's decoder, if it has one: a piece that
            // decodes to nothing yet means read on.
            match state.decode(raw)? {
                Some(piece) if piece.is_empty() => continue,
                piece => return Ok(piece),
            }
        }
    }

    /// The next piece of the body of the response being read; trailers go
    /// to `head`. `None` at its end, when the connection is released.
    fn poll_body(&mut self, head: &mut ResponseHead) -> Result<Option<Bytes>, Error> {
        loop {
            match self.exchange.poll_body(head)? {
                BodyStep::Chunk(b) => return Ok(Some(b)),
                BodyStep::Done => {
                    if self.exchange.is_finished() {
                        // Nothing more can go on this connection: release it now.
                        if let Some(mut t) = self.transport.take() {
                            t.shutdown();
                        }
                    }
                    return Ok(None);
                }
                BodyStep::NeedData => self.fill("reading the body")?,
            }
        }
    }

    /// After a `101 Switching Protocols` (or a `CONNECT` answered 2xx) has
    /// been read: the stream, now the caller's, with the bytes that arrived
    /// behind the head put back in front. The connection is closed for
    /// HTTP (the next request opens a new one).
    pub fn take_upgraded(&mut self) -> Result<Upgraded, Error> {
        self.exchange.check_switched()?;
        let transport = self.transport.take().ok_or(httpcore::Error::NotConnected {
            reason: "the connection was closed",
        })?;
        let prefix = self.exchange.engine_mut().take_leftover();
        self.close();
        Ok(Upgraded { prefix, transport })
    }
}

/// The stream after a protocol switch: the bytes that came behind the
/// `101` head first, then the transport's.
#[derive(Debug)]
pub struct Upgraded {
    prefix: Bytes,
    transport: Transport,
}

impl Read for Upgraded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.prefix.is_empty() {
            let n = buf.len().min(self.prefix.len());
            buf[..n].copy_from_slice(&self.prefix.split_to(n));
            return Ok(n);
        }
        self.transport.read(buf)
    }
}

impl Write for Upgraded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.transport.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.transport.flush()
    }
}

/// The open transport, or `NotConnected`.
fn connected(t: &mut Option<Transport>) -> Result<&mut Transport, Error> {
    t.as_mut().ok_or_else(|| {
        httpcore::Error::NotConnected {
            reason: "the connection was closed",
        }
        .into()
    })
}

/// Whether socket timeouts `have` serve for `want`: neither shorter (a
/// wait cut short) nor more than a sixteenth longer (a deadline overrun).
fn close_enough(have: SocketTimeouts, want: SocketTimeouts) -> bool {
    fn one(have: Option<Duration>, want: Option<Duration>) -> bool {
        match (have, want) {
            (Some(h), Some(w)) => h >= w && h <= w + w / 16,
            (None, None) => true,
            _ => false,
        }
    }
    one(have.0, want.0) && one(have.1, want.1)
}
