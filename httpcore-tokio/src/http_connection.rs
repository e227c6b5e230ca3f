//! `HttpConnection`: a connection to one server that keeps itself usable —
//! it reuses the kept-alive connection after the idle check, opens a new
//! one when the server closed it, retries a request when the engine says
//! that is safe, and can run through a proxy's CONNECT tunnel.
//! httpcore-std's `HttpConnection` on Tokio, and what the pooled
//! [`Client`](crate::Client) keeps in its pool.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use httpcore::{Config, Framing, ResponseHead};
use std::time::Duration;

use httpcore_client::connect::{Resolve, SystemResolver, ATTEMPT_DELAY};
use httpcore_client::{log, Deadline, Endpoint, Proxy, Retries, SocksRoute, Tunnel};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::rustls::ClientConfig;

use crate::{
    deadline, tcp, tls_handshake, Connection, Error, Limit, Response, Timeouts, TlsOptions,
    TlsStream,
};

/// A TCP stream with the bytes that arrived behind a proxy's CONNECT answer
/// put back in front.
#[derive(Debug)]
pub struct Rewind {
    prefix: Bytes,
    inner: TcpStream,
}

impl AsyncRead for Rewind {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.prefix.is_empty() {
            let n = buf.remaining().min(this.prefix.len());
            buf.put_slice(&this.prefix.split_to(n));
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Rewind {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// The stream under an [`HttpConnection`]: TCP, or TLS over TCP (either
/// possibly through a proxy's tunnel).
#[derive(Debug)]
pub enum Stream {
    /// Plain TCP.
    Plain(Rewind),
    /// rustls over TCP.
    Tls(Box<TlsStream<Rewind>>),
}

macro_rules! each {
    ($self:ident, $s:ident => $e:expr) => {
        match $self.get_mut() {
            Stream::Plain($s) => $e,
            Stream::Tls($s) => $e,
        }
    };
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        each!(self, s => Pin::new(s).poll_read(cx, buf))
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        each!(self, s => Pin::new(s).poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each!(self, s => Pin::new(s).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each!(self, s => Pin::new(s).poll_shutdown(cx))
    }
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => &s.inner,
            Stream::Tls(s) => &s.get_ref().0.inner,
        }
    }

    /// The idle check: nothing has arrived on the socket since the last
    /// response — no close, no bytes nobody asked for, no TLS record.
    /// Tokio's readiness answers first, without a system call (on a
    /// current-thread runtime the driver has just been turned: see
    /// [`HttpConnection::ready`]); when it says something came, the socket
    /// itself is asked with a peek, which also clears a readiness that
    /// turns out stale. Anything waiting means a new connection. Asked
    /// through `try_io`, which registers no waker (a readiness poll would
    /// put its own waker in the task's place, under Tokio's lock).
    fn is_quiet(&self) -> bool {
        if matches!(self, Stream::Plain(r) if !r.prefix.is_empty()) {
            return false;
        }
        let tcp = self.tcp();
        // Not called when Tokio's readiness is empty; Tokio's sockets are
        // non-blocking, so a peek that would block means nothing is waiting.
        let peek = || {
            let mut byte = [std::mem::MaybeUninit::<u8>::uninit(); 1];
            socket2::SockRef::from(tcp).peek(&mut byte)
        };
        matches!(
            tcp.try_io(tokio::io::Interest::READABLE, peek),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock
        )
    }
}

/// One server (or a proxy and a tunnel to one), reconnecting as needed.
///
/// ```no_run
/// # async fn demo() -> Result<(), httpcore_tokio::Error> {
/// use httpcore_tokio::HttpConnection;
///
/// let mut conn = HttpConnection::http("127.0.0.1:8080")?;
/// for path in ["/a", "/b"] {
///     // One connection for both unless the server closes it; a request on
///     // a connection the server closed under it is sent again.
///     let mut resp = conn.request("GET", path, None, &[] as &[(&str, &str)]).await?;
///     println!("{} {} bytes", resp.status(), resp.read_all().await?.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct HttpConnection {
    /// Where connections go, and how requests reach the server.
    endpoint: Endpoint,
    tls: Option<Arc<ClientConfig>>,
    config: Config,
    timeouts: Timeouts,
    retries: Retries,
    conn: Option<Connection<Stream>>,
    /// `conn`'s socket is driven by a current-thread runtime (asked once,
    /// when it was opened: a socket stays with the driver it was
    /// registered with). See [`ready`](Self::ready).
    current_thread: bool,
    /// The current request's deadline, if its client set one.
    cap: Option<Deadline>,
    /// Turns the server's name into addresses.
    resolver: Arc<dyn Resolve>,
    /// How long a connection attempt runs alone before the next address
    /// is tried beside it.
    attempt_delay: Duration,
}

impl HttpConnection {
    /// `http://host[:port]` (port 80 by default). Nothing is opened before
    /// the first request.
    pub fn http(host: &str) -> Result<HttpConnection, Error> {
        Ok(HttpConnection::new(Endpoint::new(host, false)?, None))
    }

    /// `https://host[:port]` (port 443 by default), certificates verified
    /// as `options` say (by default against the built-in roots).
    pub fn https(host: &str, options: &TlsOptions) -> Result<HttpConnection, Error> {
        Ok(HttpConnection::new(
            Endpoint::new(host, true)?,
            Some(options.build()?),
        ))
    }

    /// To `endpoint`, with TLS as `tls` says (`None`: plain TCP).
    pub(crate) fn new(endpoint: Endpoint, tls: Option<Arc<ClientConfig>>) -> HttpConnection {
        HttpConnection {
            endpoint,
            tls,
            config: Config::default(),
            timeouts: Timeouts::default(),
            retries: Retries::default(),
            conn: None,
            current_thread: false,
            cap: None,
            resolver: Arc::new(SystemResolver),
            attempt_delay: ATTEMPT_DELAY,
        }
    }

    /// The engine configuration for the connections it opens.
    pub fn with_config(mut self, config: Config) -> HttpConnection {
        self.config = config;
        self
    }

    /// Connect, read and write timeouts; each is `Error::Timeout` when it
    /// fires.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> HttpConnection {
        self.timeouts = timeouts;
        self
    }

    /// When a request is sent again on a new connection after the server
    /// closed the kept-alive one under it (default: only when that cannot
    /// make the server act twice; see [`httpcore_client::retry`]).
    pub fn with_retries(mut self, retries: Retries) -> HttpConnection {
        self.retries = retries;
        self
    }

    /// Resolve the server's name (or the proxy's) with `resolver` instead
    /// of the operating system's, and try its addresses `attempt_delay`
    /// apart (RFC 8305; 250 ms by default).
    pub fn with_resolver(
        mut self,
        resolver: Arc<dyn Resolve>,
        attempt_delay: Duration,
    ) -> HttpConnection {
        self.resolver = resolver;
        self.attempt_delay = attempt_delay;
        self
    }

    /// Reach this client's server through `proxy`: plain HTTP requests go
    /// to the proxy in absolute-form, HTTPS through a CONNECT tunnel; the
    /// proxy URL's credentials go to the proxy only.
    pub fn with_proxy(mut self, proxy: &Proxy) -> HttpConnection {
        self.endpoint.set_proxy(proxy);
        self.close();
        self
    }

    /// Talk to `host[:port]` through the proxy this client was made for,
    /// with a CONNECT tunnel (httplib's `set_tunnel`); `headers` go with
    /// the CONNECT (`Proxy-Authorization`). The default port is 443 for an
    /// HTTPS client, 80 otherwise; TLS, if any, runs end to end inside the
    /// tunnel, verified for `host`.
    pub fn set_tunnel(
        &mut self,
        host: &str,
        port: Option<u16>,
        headers: &[(&str, &str)],
    ) -> Result<(), Error> {
        self.endpoint.set_tunnel(host, port, headers)?;
        self.close();
        Ok(())
    }

    /// The open connection, if any (for the step-by-step API and the
    /// engine's getters).
    pub fn connection(&mut self) -> Option<&mut Connection<Stream>> {
        self.conn.as_mut()
    }

    /// After a `101 Switching Protocols` (or a CONNECT answered 2xx) was
    /// read: the stream, now the caller's, and the bytes that arrived
    /// behind the head (read them first). The client opens a new
    /// connection for its next request.
    pub fn take_upgraded(&mut self) -> Result<(Stream, Bytes), Error> {
        match &mut self.conn {
            Some(conn) => conn.exchange.check_switched()?,
            None => {
                return Err(httpcore::Error::NotConnected {
                    reason: "no connection is open",
                }
                .into())
            }
        }
        Ok(self.conn.take().expect("checked above").into_parts())
    }

    /// Close the connection; the next request opens a new one.
    pub fn close(&mut self) {
        self.conn = None;
    }

    /// Send a request (a body with its `Content-Length`) and wait for the
    /// response head, on the kept-alive connection when the idle check
    /// passes, on a new one otherwise. When the server closed a reused
    /// connection under the request, it goes once more on a new connection
    /// if that cannot make the server act twice; a request that may have
    /// been processed is [`Error::MaybeProcessed`].
    pub async fn request<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        method: &str,
        url: &str,
        body: Option<&[u8]>,
        headers: &[(N, V)],
    ) -> Result<Response<'_, Stream>, Error> {
        let parts = self.send_and_head(method, url, body, headers).await?;
        let conn = self.conn.as_mut().expect("open");
        Ok(Response::new(conn, parts))
    }

    /// [`request`](Self::request) up to the head: the request, sent again
    /// once when that is safe, and its response's head.
    pub(crate) async fn send_and_head<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        method: &str,
        url: &str,
        body: Option<&[u8]>,
        headers: &[(N, V)],
    ) -> Result<(ResponseHead, Framing), Error> {
        self.ready().await?;
        let conn = self.conn.as_mut().expect("ready() opened it");
        match conn.request_head(method, url, body, headers).await {
            Ok(r) => Ok(r),
            Err(e) => {
                let why = e.to_string();
                conn.exchange.recover(e)?;
                log::retry(&why);
                self.close();
                self.ready().await?;
                let conn = self.conn.as_mut().expect("ready() opened it");
                conn.request_head(method, url, body, headers).await
            }
        }
    }

    /// Bound every phase of the next request (and its response) by `cap`,
    /// or by the phases' own timeouts only (`None`).
    pub(crate) fn set_deadline(&mut self, cap: Option<Deadline>) {
        self.cap = cap;
        if let Some(conn) = &mut self.conn {
            conn.cap = cap;
        }
    }

    /// The open connection after [`ready`](Self::ready).
    pub(crate) fn open_connection(&mut self) -> Result<&mut Connection<Stream>, Error> {
        self.conn.as_mut().ok_or_else(|| {
            httpcore::Error::NotConnected {
                reason: "no connection is open",
            }
            .into()
        })
    }

    /// Whether the open connection can carry another request now (its last
    /// response read to the end, nothing cancelled or failed).
    pub(crate) fn can_carry_another(&self) -> bool {
        self.conn
            .as_ref()
            .is_some_and(|c| !c.busy && !c.broken && c.engine().is_reusable())
    }

    /// An open connection that can carry a request: the kept-alive one if
    /// the idle check passes, else a new one.
    ///
    /// On a current-thread runtime the task first yields once: Tokio polls
    /// its I/O driver before it runs a task that yielded again, so whatever
    /// reached the idle socket meanwhile (a close, unsolicited bytes) is in
    /// its readiness by then, even when nothing drove the runtime between
    /// two requests (`block_on` per call); the check then costs no system
    /// call, and one driver turn serves every task that yielded in the
    /// same round. On a multi-thread runtime a yield costs more than the
    /// peek it saves (measured with the `pool` bench): the readiness is
    /// taken as the driver on another worker left it, and the socket
    /// peeked whenever it says something came.
    pub(crate) async fn ready(&mut self) -> Result<(), Error> {
        let reusable = |c: &Connection<Stream>| !c.busy && !c.broken && c.engine().is_reusable();
        if self.conn.as_ref().is_some_and(reusable) {
            if self.current_thread {
                tokio::task::yield_now().await;
            }
            if self.conn.as_ref().is_some_and(|c| c.io.is_quiet()) {
                return Ok(());
            }
        }
        if self.conn.is_some() {
            log::idle_check_failed(self.endpoint.origin().host());
        }
        self.close();
        // Boxed: opening is rare next to reuse, and its future (resolver,
        // connect, TLS handshake) would otherwise sit in every request's
        // future and be copied with it at each call.
        self.conn = Some(Box::pin(self.open()).await?);
        // Asked here, not on every reuse: the handle is an `Arc` clone,
        // and on a multi-thread runtime its count is shared by every worker.
        self.current_thread = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread);
        Ok(())
    }

    async fn open(&self) -> Result<Connection<Stream>, Error> {
        let setup = Limit::new(self.timeouts.connect, self.cap);
        let mut tcp = tcp(
            self.endpoint.connect_to(),
            &self.resolver,
            self.attempt_delay,
            setup,
        )
        .await?;
        let origin = self.endpoint.origin().clone();
        let prefix = match (self.endpoint.socks(), self.endpoint.tunnel()) {
            (Some(socks), _) => {
                let opened = self.open_socks(&mut tcp, socks);
                deadline(setup, "the SOCKS5 handshake", opened).await?
            }
            (None, Some(t)) => {
                let opened = self.open_tunnel(&mut tcp, t);
                deadline(setup, "opening the tunnel", opened).await?
            }
            (None, None) => Bytes::new(),
        };
        let rewind = Rewind { prefix, inner: tcp };
        let stream = match &self.tls {
            None => Stream::Plain(rewind),
            Some(config) => {
                let tls = tls_handshake(config.clone(), &origin, rewind, setup).await?;
                log::tls_established(origin.host());
                Stream::Tls(Box::new(tls))
            }
        };
        let mut conn =
            Connection::new(stream, origin, self.config.clone()).with_timeouts(self.timeouts);
        conn.cap = self.cap;
        conn.exchange.set_retries(self.retries);
        conn.exchange.set_forward(self.endpoint.forward());
        Ok(conn)
    }

    /// The SOCKS5 handshake (the client layer's `Socks5Opener` writes and
    /// reads it); the bytes that followed the proxy's reply.
    #[cfg(feature = "socks")]
    async fn open_socks(&self, tcp: &mut TcpStream, route: &SocksRoute) -> Result<Bytes, Error> {
        let resolved = if route.resolves_locally() {
            let t = route.target().clone();
            let resolver = self.resolver.clone();
            let addrs = tokio::task::spawn_blocking(move || {
                httpcore_client::connect::addresses(&*resolver, t.host(), t.port())
            })
            .await
            .map_err(|e| Error::io("resolving", io::Error::other(e)))?
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
                tcp.write_all(&b)
                    .await
                    .map_err(|e| Error::io("the SOCKS5 handshake", e))?;
                wrote = true;
            }
            if wrote {
                continue;
            }
            match tcp.read(&mut buf).await {
                Ok(0) => opener.handle_eof(),
                Ok(n) => opener.handle_data(&buf[..n]),
                Err(e) => return Err(Error::io("the SOCKS5 handshake", e)),
            }
        }
    }

    /// Without the `socks` feature no proxy URL makes a SOCKS route.
    #[cfg(not(feature = "socks"))]
    async fn open_socks(&self, _: &mut TcpStream, _: &SocksRoute) -> Result<Bytes, Error> {
        Err(Error::Socks {
            reason: "built without the `socks` feature",
        })
    }

    /// Send CONNECT and read the proxy's answer (the engine does both);
    /// the bytes that followed it.
    async fn open_tunnel(&self, tcp: &mut TcpStream, tunnel: &Tunnel) -> Result<Bytes, Error> {
        let mut opener = tunnel.opener(self.endpoint.connect_to().clone(), self.config.clone())?;
        while let Some(b) = opener.poll_transmit() {
            tcp.write_all(&b)
                .await
                .map_err(|e| Error::io("sending CONNECT", e))?;
        }
        loop {
            if let Some(leftover) = opener.poll_established()? {
                return Ok(leftover);
            }
            let n = tcp
                .read(opener.begin_recv())
                .await
                .map_err(|e| Error::io("reading the proxy's answer", e))?;
            opener.handle_read(n);
        }
    }
}
