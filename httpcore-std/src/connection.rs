//! `HttpConnection` and `HttpsConnection`: httplib's connection objects on
//! blocking std sockets. They move bytes between a socket and the engine;
//! every protocol decision is the engine's.

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use httpcore::{
    Authority, BodyLength, Config, Connection, Event, Framing, ResponseHead, Timer, TunnelOpener,
};
use rustls::ClientConfig;

use crate::response::Response;
use crate::tls::{server_name, TlsOptions};
use crate::transport::{connect_tcp, Transport};
use crate::Error;

/// Connect, read and write timeouts. `None` waits forever.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timeouts {
    /// For establishing the TCP connection (each address tried).
    pub connect: Option<Duration>,
    /// For each read from the socket.
    pub read: Option<Duration>,
    /// For each write to the socket.
    pub write: Option<Duration>,
}

impl Timeouts {
    /// The same timeout for everything, like httplib's `timeout`.
    pub fn all(t: Duration) -> Timeouts {
        Timeouts {
            connect: Some(t),
            read: Some(t),
            write: Some(t),
        }
    }
}

/// A CONNECT tunnel through the proxy this connection talks to.
#[derive(Debug, Clone)]
struct Tunnel {
    target: Authority,
    headers: Vec<(String, String)>,
}

/// What the request being sent was made of, so that it can be sent again
/// on a new connection when the engine says that is safe.
#[derive(Debug, Clone, Default)]
struct Recipe {
    method: String,
    url: String,
    skip_host: bool,
    skip_accept_encoding: bool,
    /// Header names and values, back to back; `fields` holds the ends.
    header_bytes: Vec<u8>,
    fields: Vec<(usize, usize)>,
    /// `None`: `end_headers()`; `Some`: `end_headers_with`.
    framing: Option<BodyLength>,
    ended: bool,
    body: Vec<u8>,
    finished: bool,
    /// False once the body came from a stream or grew past `REPLAY_LIMIT`.
    replayable: bool,
}

impl Recipe {
    /// Start recording a new request, keeping the buffers.
    fn start(&mut self, method: &str, url: &str, skip_host: bool, skip_accept_encoding: bool) {
        self.method.clear();
        self.method.push_str(method);
        self.url.clear();
        self.url.push_str(url);
        self.skip_host = skip_host;
        self.skip_accept_encoding = skip_accept_encoding;
        self.header_bytes.clear();
        self.fields.clear();
        self.framing = None;
        self.ended = false;
        self.body.clear();
        self.finished = false;
        self.replayable = true;
    }

    fn header(&mut self, name: &[u8], value: &[u8]) {
        self.header_bytes.extend_from_slice(name);
        let n = self.header_bytes.len();
        self.header_bytes.extend_from_slice(value);
        self.fields.push((n, self.header_bytes.len()));
    }

    fn headers(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        let mut start = 0;
        self.fields.iter().map(move |&(n, v)| {
            let field = (&self.header_bytes[start..n], &self.header_bytes[n..v]);
            start = v;
            field
        })
    }
}

/// Bodies up to this size are kept for a retry; larger ones are not.
const REPLAY_LIMIT: usize = 1 << 20;

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
    authority: Authority,
    tls: Option<Arc<ClientConfig>>,
    timeouts: Timeouts,
    config: Config,
    transport: Option<Transport>,
    engine: Connection,
    debug: u8,
    tunnel: Option<Tunnel>,
    /// Responses completed on the current transport (0: a fresh connection).
    served: u32,
    recipe: Recipe,
    /// A head buffer to reuse (handed back by each `Response`).
    pub(crate) spare_head: ResponseHead,
}

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
        let mut c = HttpConnection::with_default_port(host, httpcore::status::HTTPS_PORT)?;
        c.tls = Some(config);
        Ok(HttpsConnection(c))
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
        HttpConnection::with_default_port(host, httpcore::status::HTTP_PORT)
    }

    fn with_default_port(host: &str, default_port: u16) -> Result<HttpConnection, Error> {
        let authority = Authority::parse(host, default_port)?;
        let config = Config::default();
        Ok(HttpConnection {
            engine: Connection::new(authority.clone(), config.clone()),
            authority,
            tls: None,
            timeouts: Timeouts::default(),
            config,
            transport: None,
            debug: 0,
            tunnel: None,
            served: 0,
            recipe: Recipe::default(),
            spare_head: ResponseHead::new(),
        })
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
        }
    }

    /// The engine configuration (limits, leniencies) for the next
    /// connection made; closes the current one.
    pub fn set_config(&mut self, config: Config) {
        self.config = config;
        self.close();
    }

    /// httplib's `set_debuglevel`: from 1 on, the request and the response
    /// head are printed on stderr as httplib prints them.
    pub fn set_debug_level(&mut self, level: u8) {
        self.debug = level;
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
        let default = if self.tls.is_some() { 443 } else { 80 };
        let mut target = Authority::parse(host, default)?;
        if let Some(p) = port {
            target = Authority::new(target.host(), p, default);
        }
        self.tunnel = Some(Tunnel {
            target,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        });
        self.close();
        Ok(())
    }

    /// The server this connection talks to (the proxy, with a tunnel).
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// True when a connection is open.
    pub fn is_connected(&self) -> bool {
        self.transport.is_some()
    }

    /// How many responses the current connection has carried (0 when it is
    /// new): more than one means keep-alive reuse.
    pub fn responses_on_connection(&self) -> u32 {
        self.served
    }

    /// The engine driving this connection (read-only: states, getters).
    pub fn engine(&self) -> &Connection {
        &self.engine
    }

    /// Connect now (otherwise the first request does).
    pub fn connect(&mut self) -> Result<(), Error> {
        if self.transport.is_some() {
            return Ok(());
        }
        let addr = self.authority.socket_addr_string();
        let tcp =
            connect_tcp(&addr, self.timeouts.connect).map_err(|e| Error::io("connecting", e))?;
        tcp.set_read_timeout(self.timeouts.read)
            .map_err(|e| Error::io("connecting", e))?;
        tcp.set_write_timeout(self.timeouts.write)
            .map_err(|e| Error::io("connecting", e))?;
        let mut transport = Transport::Plain(tcp);
        let mut leftover = Bytes::new();
        let host_authority = match self.tunnel.clone() {
            Some(tunnel) => {
                let target = tunnel.target.clone();
                leftover = self.open_tunnel(&mut transport, tunnel)?;
                target
            }
            None => self.authority.clone(),
        };
        if let Some(config) = &self.tls {
            let Transport::Plain(tcp) = transport else {
                unreachable!("plain until TLS starts")
            };
            let mut tls =
                rustls::ClientConnection::new(config.clone(), server_name(host_authority.host())?)?;
            if !leftover.is_empty() {
                // Bytes of the TLS handshake that came with the proxy's answer.
                tls.read_tls(&mut &leftover[..])
                    .map_err(|e| Error::io("starting TLS", e))?;
                tls.process_new_packets()?;
                leftover = Bytes::new();
            }
            let mut stream = rustls::StreamOwned::new(tls, tcp);
            while stream.conn.is_handshaking() {
                stream
                    .conn
                    .complete_io(&mut stream.sock)
                    .map_err(|e| Error::io("TLS handshake", e))?;
            }
            transport = Transport::Tls(Box::new(stream));
        }
        self.engine = Connection::new(host_authority, self.config.clone());
        if !leftover.is_empty() {
            self.engine.handle_data(&leftover);
        }
        self.transport = Some(transport);
        self.served = 0;
        Ok(())
    }

    /// Send CONNECT through `transport` with an engine of its own; the bytes
    /// after the proxy's 2xx head are returned, not lost.
    fn open_tunnel(&self, transport: &mut Transport, tunnel: Tunnel) -> Result<Bytes, Error> {
        let mut opener = TunnelOpener::new(
            self.authority.clone(),
            &tunnel.target,
            &tunnel.headers,
            self.config.clone(),
        )?;
        while let Some(b) = opener.poll_transmit() {
            self.debug_send(&b);
            transport
                .write_all(&b)
                .map_err(|e| Error::io("sending CONNECT", e))?;
        }
        loop {
            if let Some(leftover) = opener.poll_established()? {
                return Ok(leftover);
            }
            let n = transport
                .read(opener.recv_buffer())
                .map_err(|e| Error::io("reading the proxy's answer", e))?;
            opener.handle_read(n);
        }
    }

    /// Close the connection (the next request opens a new one).
    pub fn close(&mut self) {
        if let Some(mut t) = self.transport.take() {
            t.shutdown();
        }
        self.engine = Connection::new(self.engine.authority().clone(), self.config.clone());
        self.served = 0;
    }

    /// Make sure a connection that can carry a new request is open: an idle
    /// kept-alive one the server has not closed or written to, or a new one.
    fn ready_for_request(&mut self) -> Result<(), Error> {
        if self.transport.is_some() {
            let idle = self.engine.unanswered().next().is_none()
                && matches!(
                    self.engine.send_state(),
                    httpcore::SendState::Idle | httpcore::SendState::Closed
                );
            if idle {
                let usable = self.engine.is_reusable()
                    && self.transport.as_mut().is_some_and(|t| t.idle_ok());
                if !usable {
                    self.close();
                }
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
        self.engine.request(method, url, body, headers)?;
        let r = &mut self.recipe;
        r.start(method, url, false, false);
        for (n, v) in headers {
            r.header(n.as_ref(), v.as_ref());
        }
        r.framing = Some(body.map_or(BodyLength::Empty, |b| BodyLength::Known(b.len() as u64)));
        r.ended = true;
        r.finished = true;
        match body {
            Some(b) if b.len() <= REPLAY_LIMIT => r.body.extend_from_slice(b),
            Some(_) => r.replayable = false,
            None => {}
        }
        self.flush()
    }

    /// A request whose body is read from `body`: `Content-Length` when
    /// `len` is known, chunked otherwise. Streams in constant memory.
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
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match body.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io("reading the request body", e)),
            };
            self.recipe.replayable = false;
            self.send(&buf[..n])?;
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
        self.engine
            .put_request(method, url, skip_host, skip_accept_encoding)?;
        self.recipe
            .start(method, url, skip_host, skip_accept_encoding);
        Ok(())
    }

    /// Add a header (httplib's `putheader`).
    pub fn put_header(
        &mut self,
        name: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<(), Error> {
        self.engine.put_header(name.as_ref(), value.as_ref())?;
        self.recipe.header(name.as_ref(), value.as_ref());
        Ok(())
    }

    /// End the head (httplib's `endheaders`); the body is framed by the
    /// `Content-Length` / `Transfer-Encoding` headers put, or absent.
    pub fn end_headers(&mut self) -> Result<(), Error> {
        self.end_head(None)
    }

    /// End the head, adding the framing header `body` calls for.
    pub fn end_headers_with(&mut self, body: BodyLength) -> Result<(), Error> {
        self.end_head(Some(body))
    }

    fn end_head(&mut self, framing: Option<BodyLength>) -> Result<(), Error> {
        match framing {
            None => self.engine.end_headers()?,
            Some(body) => self.engine.end_headers_with(body)?,
        }
        self.recipe.ended = true;
        self.recipe.framing = framing;
        self.flush()
    }

    /// Send body bytes (httplib's `send`).
    pub fn send(&mut self, data: &[u8]) -> Result<(), Error> {
        self.engine.send_body(data)?;
        if self.recipe.replayable && self.recipe.body.len() + data.len() <= REPLAY_LIMIT {
            self.recipe.body.extend_from_slice(data);
        } else {
            self.recipe.replayable = false;
        }
        self.flush()
    }

    /// End the body: a chunked body gets its last chunk; a declared length
    /// must have been met. `get_response` does this when it was not done.
    pub fn finish_body(&mut self) -> Result<(), Error> {
        self.engine.finish_body()?;
        self.recipe.finished = true;
        self.flush()
    }

    /// Write everything the engine has to transmit.
    fn flush(&mut self) -> Result<(), Error> {
        while let Some(bytes) = self.engine.poll_transmit() {
            self.debug_send(&bytes);
            let t = connected(&mut self.transport)?;
            if let Err(e) = t.write_all(&bytes).and_then(|_| t.flush()) {
                self.engine.handle_write_error();
                return Err(Error::io("sending the request", e));
            }
        }
        Ok(())
    }

    /// Read once from the socket into the engine.
    pub(crate) fn fill(&mut self) -> Result<(), Error> {
        let t = connected(&mut self.transport)?;
        match t.read(self.engine.recv_buffer()) {
            Ok(n) => self.engine.handle_read(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io("reading the response", e)),
        }
        Ok(())
    }

    /// Wait for the response head (httplib's `getresponse`). Interim 1xx
    /// responses are skipped. On a reused connection that the server had
    /// closed, the request is sent again on a new one when the engine says
    /// that is safe (nothing of a response arrived) and its body was kept.
    pub fn get_response(&mut self) -> Result<Response<'_>, Error> {
        self.engine.check_response_ready()?;
        if matches!(self.engine.send_state(), httpcore::SendState::Body) {
            self.finish_body()?;
        }
        let head = match self.read_head() {
            Ok(head) => head,
            Err(e) if self.retry_is_safe(&e) => {
                self.close();
                self.replay()?;
                self.read_head()?
            }
            Err(e) => return Err(e),
        };
        Ok(Response::new(self, head))
    }

    fn retry_is_safe(&self, e: &Error) -> bool {
        e.allows_retry(&self.engine)
            && self.served > 0
            && self.recipe.replayable
            && self.recipe.ended
    }

    /// Send the recorded request again on a new connection.
    fn replay(&mut self) -> Result<(), Error> {
        let r = std::mem::take(&mut self.recipe);
        self.put_request(&r.method, &r.url, r.skip_host, r.skip_accept_encoding)?;
        for (n, v) in r.headers() {
            self.put_header(n, v)?;
        }
        match r.framing {
            None => self.end_headers()?,
            Some(f) => self.end_headers_with(f)?,
        }
        if !r.body.is_empty() {
            self.send(&r.body)?;
        }
        if r.finished || matches!(self.engine.send_state(), httpcore::SendState::Body) {
            self.finish_body()?;
        }
        Ok(())
    }

    fn read_head(&mut self) -> Result<(ResponseHead, Framing), Error> {
        let mut head = std::mem::take(&mut self.spare_head);
        loop {
            self.flush()?;
            match self.engine.poll_head() {
                Ok(Some(h)) => {
                    head.record_head(&h);
                    let framing = h.framing;
                    self.debug_head(&head);
                    if framing == Framing::Interim {
                        continue;
                    }
                    return Ok((head, framing));
                }
                Ok(None) => {}
                Err(e) => return Err(e.into()),
            }
            self.wait_for_bytes()?;
        }
    }

    /// Read from the socket, running the engine's 100-continue timer.
    fn wait_for_bytes(&mut self) -> Result<(), Error> {
        let Some(Timer::ExpectContinue(wait)) = self.engine.timer() else {
            return self.fill();
        };
        let t = self.transport.as_ref().expect("connected");
        let read = self.timeouts.read;
        let _ = t
            .tcp()
            .set_read_timeout(Some(read.map_or(wait, |r| r.min(wait))));
        let result = self.fill();
        let _ = self
            .transport
            .as_ref()
            .expect("connected")
            .tcp()
            .set_read_timeout(read);
        match result {
            Err(Error::Timeout { .. }) => {
                self.engine.handle_timeout(Timer::ExpectContinue(wait));
                Ok(())
            }
            r => r,
        }
    }

    /// The next body event of the response being read.
    pub(crate) fn next_body_event(&mut self) -> Result<BodyEvent, Error> {
        loop {
            match self.engine.poll_event()? {
                Some(Event::BodyChunk(b)) => return Ok(BodyEvent::Chunk(b)),
                Some(Event::Trailer(h)) => {
                    return Ok(BodyEvent::Trailer(h.name.to_vec(), h.value.to_vec()))
                }
                Some(Event::Done(_)) => {
                    self.served += 1;
                    if !self.engine.is_reusable() && self.engine.unanswered().next().is_none() {
                        // Nothing more can go on this connection: release it now.
                        if let Some(mut t) = self.transport.take() {
                            t.shutdown();
                        }
                    }
                    return Ok(BodyEvent::Done);
                }
                Some(_) => continue,
                None => self.fill()?,
            }
        }
    }

    fn debug_send(&self, bytes: &[u8]) {
        if self.debug > 0 {
            eprintln!("send: b'{}'", httpcore::Escaped(bytes));
        }
    }

    fn debug_head(&self, head: &ResponseHead) {
        if self.debug > 0 {
            eprintln!(
                "reply: '{} {} {}\\r\\n'",
                head.version().as_str(),
                head.status(),
                String::from_utf8_lossy(head.reason())
            );
            for (n, v) in head.headers() {
                eprintln!(
                    "header: {}: {}",
                    String::from_utf8_lossy(n),
                    String::from_utf8_lossy(v)
                );
            }
        }
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

/// What the body of a response yields next.
pub(crate) enum BodyEvent {
    Chunk(Bytes),
    Trailer(Vec<u8>, Vec<u8>),
    Done,
}
