//! # httpcore-tokio
//!
//! The [`httpcore`] engine driven by async tasks on Tokio. A [`Connection`]
//! runs over any `AsyncRead + AsyncWrite + Unpin` stream — a `TcpStream`, a
//! tokio-rustls stream, a `UnixStream`, `tokio::io::duplex` — and moves
//! bytes only: every byte of HTTP is produced and parsed by the engine.
//!
//! ```no_run
//! # async fn demo() -> Result<(), httpcore_tokio::Error> {
//! let mut conn = httpcore_tokio::connect("127.0.0.1:8080").await?;
//! conn.request("GET", "/", None, &[("Accept", "text/plain")]).await?;
//! let mut resp = conn.get_response().await?;
//! println!("{} {}", resp.status(), resp.reason());
//! while let Some(chunk) = resp.chunk().await? {
//!     // `chunk` is the engine's `Bytes`, passed on without a copy.
//! }
//! # Ok(()) }
//! ```
//!
//! [`HttpConnection`] adds what one stream cannot: it reconnects when the
//! server closed the kept-alive connection (checked on the socket itself),
//! retries a request when the engine says nothing of the response arrived,
//! and runs through a proxy's CONNECT tunnel.
//!
//! ## Many hosts, many tasks: [`Client`]
//!
//! One cheap (`Clone`), `Send + Sync` client with a pool of kept-alive
//! connections, per-host limits, a whole-request deadline, opt-in
//! redirects, decompression, proxies, bodies from and to `AsyncRead` and
//! `Stream`, and cancellation at any await point (see `docs/client.md`).
//! This example runs:
//!
//! ```
//! # let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
//! # let addr = listener.local_addr()?;
//! # std::thread::spawn(move || {
//! #     use std::io::{Read, Write};
//! #     for s in listener.incoming().take(1) {
//! #         let mut s = s.unwrap();
//! #         let mut buf = [0u8; 4096];
//! #         let _ = s.read(&mut buf);
//! #         let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
//! #     }
//! # });
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! use httpcore_tokio::Client;
//!
//! let client = Client::new()?;
//! let mut resp = client.get(&format!("http://{addr}/")).await?;
//! assert_eq!((resp.status(), resp.read_all().await?), (200, b"hello".to_vec()));
//! # Ok::<(), httpcore_tokio::Error>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Runnable programs: `cargo run -p httpcore-tokio --example client_load` (64
//! tasks over one `Client`), `--example tower --features tower`,
//! `--example concurrent`.
//!
//! ## Features
//!
//! | feature | default | what it adds | pulls in |
//! | --- | --- | --- | --- |
//! | `aws-lc-rs` | yes | rustls's crypto provider, post-quantum key exchange first; used when both are on | `aws-lc-rs` (C, built by the C compiler) |
//! | `ring` | | the other provider: builds faster, no post-quantum key exchange | `ring` |
//! | `webpki-roots` | yes | Mozilla's roots, built in | `webpki-roots` |
//! | `platform-verifier` | | the operating system's verifier | `rustls-platform-verifier` |
//! | `gzip` | yes | the Client asks for and decodes gzip and deflate | `flate2` (zlib-rs) |
//! | `brotli` | | … and br | `brotli-decompressor` |
//! | `zstd` | | … and zstd | `zstd` (C library) |
//! | `socks` | | `socks5://` and `socks5h://` proxies | — |
//! | `http` | | `Client::send(http::Request)`, `ClientResponse: http_body::Body` | `http`, `http-body` |
//! | `tower` | | `Client: tower::Service<http::Request<B>>` | `tower-service` |
//!
//! ## Cancellation
//!
//! Every async method may be cancelled by dropping its future (a
//! `tokio::time::timeout`, a `select!`). A connection whose operation was
//! cancelled half-way is left **closed, never reused half-read**: the next
//! call on it returns `NotConnected`, and the caller opens a new one. A
//! [`Response`] dropped before its body was read leaves the connection busy
//! with that response (`CannotSendRequest` until it is read or the
//! connection dropped), as httplib does.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::future::{poll_fn, Future};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use httpcore::{Authority, BodyLength, Config, Framing, ResponseHead};
use httpcore_client::connect::{self, Resolve};
use httpcore_client::{BodyStep, Deadline, Exchange, ResponseState};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

mod client;
mod http_connection;
#[cfg(feature = "http")]
mod http_types;
mod limit;
mod tls_stream;

pub use client::{Body, Client, ClientResponse};
pub use http_connection::{HttpConnection, Rewind, Stream};
pub use httpcore;
pub use httpcore_client;
pub use httpcore_client::ClientSettings;
pub use httpcore_client::{Error, Proxy, Retries, Timeouts, TlsOptions};
use limit::{deadline, within, Limit, PhaseTimer};
pub use tls_stream::TlsStream;

/// Open a plain HTTP connection to `"host[:port]"` (default port 80).
pub async fn connect(host: &str) -> Result<Connection<TcpStream>, Error> {
    connect_with(host, Config::default(), Timeouts::default()).await
}

/// [`connect()`] with an engine configuration and timeouts.
pub async fn connect_with(
    host: &str,
    config: Config,
    timeouts: Timeouts,
) -> Result<Connection<TcpStream>, Error> {
    let authority = Authority::parse(host, httpcore::status::HTTP_PORT)?;
    let tcp = tcp(
        &authority,
        &system(),
        connect::ATTEMPT_DELAY,
        timeouts.connect.into(),
    )
    .await?;
    Ok(Connection::new(tcp, authority, config).with_timeouts(timeouts))
}

/// Open an HTTPS connection to `"host[:port]"` (default port 443) with
/// httpcore-std's TLS options: certificates verified by default.
pub async fn connect_tls(host: &str, options: &TlsOptions) -> Result<Connection<TlsStream>, Error> {
    connect_tls_with(host, options, Config::default(), Timeouts::default()).await
}

/// [`connect_tls`] with an engine configuration and timeouts.
pub async fn connect_tls_with(
    host: &str,
    options: &TlsOptions,
    config: Config,
    timeouts: Timeouts,
) -> Result<Connection<TlsStream>, Error> {
    let authority = Authority::parse(host, httpcore::status::HTTPS_PORT)?;
    let tcp = tcp(
        &authority,
        &system(),
        connect::ATTEMPT_DELAY,
        timeouts.connect.into(),
    )
    .await?;
    let tls = tls_handshake(options.build()?, &authority, tcp, timeouts.connect.into()).await?;
    Ok(Connection::new(tls, authority, config).with_timeouts(timeouts))
}

/// The operating system's resolver.
fn system() -> Arc<dyn Resolve> {
    Arc::new(connect::SystemResolver)
}

/// TLS over `io`, verifying `authority`'s host with `config`.
async fn tls_handshake<S: AsyncRead + AsyncWrite + Unpin>(
    config: std::sync::Arc<tokio_rustls::rustls::ClientConfig>,
    authority: &Authority,
    io: S,
    limit: Limit,
) -> Result<TlsStream<S>, Error> {
    let name = httpcore_client::server_name(authority.host())?;
    let connector = tokio_rustls::TlsConnector::from(config);
    let tls = within(limit, "TLS handshake", connector.connect(name, io)).await?;
    Ok(TlsStream::new(tls))
}

/// A TCP connection to `authority`: its name resolved by `resolver` (on
/// Tokio's blocking pool; an IP literal needs none), then its addresses
/// raced as RFC 8305 says. Resolving and connecting are each bounded by
/// `limit`.
async fn tcp(
    authority: &Authority,
    resolver: &Arc<dyn Resolve>,
    attempt_delay: Duration,
    limit: Limit,
) -> Result<TcpStream, Error> {
    let (host, port) = (authority.host().to_string(), authority.port());
    let addrs = match connect::literal(&host, port) {
        Some(addr) => vec![addr],
        None => {
            let resolver = resolver.clone();
            let lookup =
                tokio::task::spawn_blocking(move || connect::addresses(&*resolver, &host, port));
            within(limit, "resolving", async {
                lookup.await.map_err(io::Error::other)?
            })
            .await?
        }
    };
    httpcore_client::log::connecting(&authority.socket_addr_string(), addrs.len());
    let tcp = within(limit, "connecting", race(addrs, attempt_delay)).await?;
    tcp.set_nodelay(true)
        .map_err(|e| Error::io("connecting", e))?;
    Ok(tcp)
}

/// The first of `addrs` to connect, attempts started as
/// [`connect::Attempts`] schedules them; the losers are dropped (closed).
async fn race(addrs: Vec<SocketAddr>, delay: Duration) -> io::Result<TcpStream> {
    type Attempt = Pin<Box<dyn Future<Output = io::Result<TcpStream>> + Send>>;
    if let [one] = addrs.as_slice() {
        return TcpStream::connect(*one).await;
    }
    let mut attempts = connect::Attempts::new(addrs, delay, Instant::now());
    let mut running: Vec<Attempt> = Vec::new();
    let mut timer: Option<Pin<Box<Sleep>>> = None;
    poll_fn(|cx| loop {
        while let Some(addr) = attempts.poll_attempt(Instant::now()) {
            running.push(Box::pin(TcpStream::connect(addr)));
        }
        let (mut i, mut failed) = (0, false);
        while i < running.len() {
            match running[i].as_mut().poll(cx) {
                Poll::Ready(Ok(tcp)) => return Poll::Ready(Ok(tcp)),
                Poll::Ready(Err(e)) => {
                    drop(running.swap_remove(i));
                    attempts.failed(e);
                    failed = true;
                }
                Poll::Pending => i += 1,
            }
        }
        if attempts.exhausted() {
            return Poll::Ready(Err(attempts.take_error()));
        }
        if failed {
            // A failure may make the next attempt due at once.
            continue;
        }
        let Some(at) = attempts.poll_timeout() else {
            return Poll::Pending;
        };
        let at = tokio::time::Instant::from_std(at);
        let sleep = timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(at)));
        if sleep.deadline() != at {
            sleep.as_mut().reset(at);
        }
        if sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        // The next attempt is due: start it on the next turn.
    })
    .await
}

/// An HTTP/1.1 connection over an async stream `S`.
#[derive(Debug)]
pub struct Connection<S> {
    io: S,
    exchange: Exchange,
    timeouts: Timeouts,
    /// An async operation is under way; still set at the start of the next
    /// one means the previous future was dropped half-way.
    busy: bool,
    broken: bool,
    /// Bytes were written to `io` and it has not been flushed since (a TLS
    /// stream holds them until it is).
    unflushed: bool,
    /// The layer's timer (the 100-continue wait), while one runs.
    timer: Option<Pin<Box<Sleep>>>,
    /// Times the request's own phases: each write, the flush, the wait
    /// for the head.
    phase: PhaseTimer,
    /// The current request's deadline, if its client set one.
    cap: Option<Deadline>,
}

/// How far a request's sending got (see `Connection::poll_send` and
/// `Connection::poll_exchange`).
#[derive(Debug, Default)]
struct Sending {
    /// What is left of the piece being written.
    piece: Bytes,
    /// The flush has begun (its time is running).
    flushing: bool,
    /// Everything was sent; the response's head is awaited (its time is
    /// running).
    awaiting: bool,
}

/// The rest of a guarded operation that ends with a response's head
/// ([`Connection::request_head`], [`Connection::response_head`]): the
/// request's bytes sent, the final head read. A future written by hand:
/// every request of a pooled client goes through it, and it is one layer
/// where `async fn`s made three. Dropped half-way, it leaves the
/// connection busy, so the next operation finds it broken (see the crate
/// docs on cancellation).
#[derive(Debug)]
pub(crate) struct HeadWait<'c, S> {
    conn: &'c mut Connection<S>,
    /// Why the operation could not begin, given at the first poll.
    refused: Option<Error>,
    /// The head being read into.
    head: ResponseHead,
    sending: Sending,
}

impl<'c, S: AsyncRead + AsyncWrite + Unpin> HeadWait<'c, S> {
    /// The wait, on `conn` once `start` (the operation's first steps)
    /// went well.
    fn new(conn: &'c mut Connection<S>, start: Result<(), Error>) -> HeadWait<'c, S> {
        let (refused, head) = match start {
            Ok(()) => (None, conn.exchange.take_head()),
            Err(e) => (Some(e), ResponseHead::default()),
        };
        HeadWait {
            conn,
            refused,
            head,
            sending: Sending::default(),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Future for HeadWait<'_, S> {
    type Output = Result<(ResponseHead, Framing), Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(e) = this.refused.take() {
            return Poll::Ready(Err(e));
        }
        let r = std::task::ready!(this
            .conn
            .poll_exchange(cx, &mut this.head, &mut this.sending));
        let r = this.conn.leave(r);
        Poll::Ready(r.map(|framing| (std::mem::take(&mut this.head), framing)))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    /// A connection over `io`, already connected to `authority` (used for
    /// the automatic `Host` header).
    pub fn new(io: S, authority: Authority, config: Config) -> Connection<S> {
        Connection {
            io,
            exchange: Exchange::new(authority, config),
            timeouts: Timeouts::default(),
            busy: false,
            broken: false,
            unflushed: false,
            timer: None,
            phase: PhaseTimer::default(),
            cap: None,
        }
    }

    /// Builder-style read and write timeouts (the connect timeout is for the
    /// `connect*` functions). A timeout is `Error::Timeout`; the connection
    /// is then closed (see the crate docs on cancellation).
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Connection<S> {
        self.timeouts = timeouts;
        self
    }

    /// How long a phase whose own timeout is `own` may wait.
    fn limit(&self, own: Option<Duration>) -> Limit {
        Limit::new(own, self.cap)
    }

    /// The engine (states, getters).
    pub fn engine(&self) -> &httpcore::Connection {
        self.exchange.engine()
    }

    /// The client layer's exchange (retry policy, forward proxy, debug).
    pub fn exchange_mut(&mut self) -> &mut Exchange {
        &mut self.exchange
    }

    /// The stream, given back, and the bytes already read from it and not
    /// parsed: after a `101 Switching Protocols` (or a CONNECT answered
    /// 2xx), the first bytes of whatever runs next.
    pub fn into_parts(mut self) -> (S, Bytes) {
        let leftover = self.exchange.engine_mut().take_leftover();
        (self.io, leftover)
    }

    /// True when another request can go on this connection now: nothing
    /// outstanding, no cancelled operation, and — checked without waiting —
    /// the server has neither closed it nor sent bytes nobody asked for.
    /// Best effort: the stream is polled once, and Tokio's readiness may
    /// not have seen bytes that arrived while no task ran; [`Client`] asks
    /// the socket itself.
    pub fn is_reusable(&mut self) -> bool {
        if self.broken || !self.exchange.engine().is_reusable() {
            return false;
        }
        // Poll the stream once with a waker that does nothing: `Pending`
        // means quiet; a close or unsolicited bytes go to the engine.
        match self.poll_fill(&mut Context::from_waker(Waker::noop())) {
            Poll::Pending => true,
            Poll::Ready(Ok(())) => false,
            Poll::Ready(Err(_)) => {
                self.broken = true;
                false
            }
        }
    }

    /// `NotConnected` once an operation was cancelled or failed.
    fn usable(&self) -> Result<(), Error> {
        if self.broken {
            return Err(httpcore::Error::NotConnected {
                reason: "an earlier operation on this connection was cancelled or failed",
            }
            .into());
        }
        Ok(())
    }

    fn enter(&mut self) -> Result<(), Error> {
        if self.busy {
            // The previous operation's future was dropped half-way.
            self.broken = true;
        }
        self.usable()?;
        self.busy = true;
        Ok(())
    }

    /// Run a command of the layer, then send what it produced: one guarded
    /// operation (see the crate docs on cancellation).
    async fn command(
        &mut self,
        f: impl FnOnce(&mut Exchange) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.enter()?;
        let r = match f(&mut self.exchange) {
            Ok(()) => self.flush().await,
            Err(e) => Err(e),
        };
        self.leave(r)
    }

    fn leave<T>(&mut self, r: Result<T, Error>) -> Result<T, Error> {
        self.busy = false;
        if let Err(e) = &r {
            if !matches!(e, Error::Http(h) if !h.is_remote()) {
                self.broken = true;
            }
        }
        r
    }

    /// The whole request in one call (httplib's `request`).
    pub async fn request<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        method: &str,
        url: &str,
        body: Option<&[u8]>,
        headers: &[(N, V)],
    ) -> Result<(), Error> {
        self.command(|x| x.request(method, url, body, headers).map(|_| ()))
            .await
    }

    /// Start a request (httplib's `putrequest`); nothing is sent before
    /// `end_headers`.
    pub fn put_request(
        &mut self,
        method: &str,
        url: &str,
        skip_host: bool,
        skip_accept_encoding: bool,
    ) -> Result<(), Error> {
        self.usable()?;
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

    /// End the head and send it (httplib's `endheaders`); the body is framed
    /// by the `Content-Length` / `Transfer-Encoding` headers put, or absent.
    pub async fn end_headers(&mut self) -> Result<(), Error> {
        self.command(|x| x.end_headers()).await
    }

    /// End the head and send it, framed as `body` says.
    pub async fn end_headers_with(&mut self, body: BodyLength) -> Result<(), Error> {
        self.command(|x| x.end_headers_with(body)).await
    }

    /// Send body bytes (httplib's `send`).
    pub async fn send(&mut self, data: &[u8]) -> Result<(), Error> {
        self.command(|x| x.send_body(data)).await
    }

    /// Send body bytes read from a stream: not kept for a replay, so the
    /// request is never sent twice (and memory stays constant).
    pub(crate) async fn send_streamed(&mut self, data: Bytes) -> Result<(), Error> {
        self.command(|x| x.send_streamed_bytes(data)).await
    }

    /// End the body (the last chunk of a chunked one).
    pub async fn finish_body(&mut self) -> Result<(), Error> {
        self.command(|x| x.finish_body()).await
    }

    /// Send what the layer has to send, and flush it.
    async fn flush(&mut self) -> Result<(), Error> {
        let mut sending = Sending::default();
        poll_fn(|cx| self.poll_send(cx, &mut sending)).await
    }

    /// Write what the layer has to send, a piece at a time, each within
    /// the write timeout; then flush the stream if anything was written
    /// since it last was: `Ready(Ok)` once everything is out.
    fn poll_send(
        &mut self,
        cx: &mut Context<'_>,
        sending: &mut Sending,
    ) -> Poll<Result<(), Error>> {
        const SENDING: &str = "sending the request";
        loop {
            if sending.piece.is_empty() {
                let Some(piece) = self.exchange.poll_transmit(Instant::now) else {
                    break;
                };
                sending.piece = piece;
                self.unflushed = true;
                if let Err(e) = self.phase.start(self.limit(self.timeouts.write), SENDING) {
                    self.exchange.handle_write_error();
                    return Poll::Ready(Err(e));
                }
            }
            let e = match Pin::new(&mut self.io).poll_write(cx, &sending.piece) {
                Poll::Ready(Ok(n)) if n > 0 => {
                    bytes::Buf::advance(&mut sending.piece, n);
                    continue;
                }
                Poll::Ready(Ok(_)) => Error::io(SENDING, io::ErrorKind::WriteZero.into()),
                Poll::Ready(Err(e)) => Error::io(SENDING, e),
                Poll::Pending => std::task::ready!(self.phase.poll_expired(cx)),
            };
            self.exchange.handle_write_error();
            return Poll::Ready(Err(e));
        }
        if !self.unflushed {
            // Nothing written since the last flush: awaiting a response
            // after `request` (which flushed) has nothing to push out.
            return Poll::Ready(Ok(()));
        }
        if !sending.flushing {
            sending.flushing = true;
            self.phase.start(self.limit(self.timeouts.write), SENDING)?;
        }
        match Pin::new(&mut self.io).poll_flush(cx) {
            Poll::Ready(Ok(())) => {
                self.unflushed = false;
                sending.flushing = false;
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(Error::io(SENDING, e))),
            Poll::Pending => self.phase.poll_expired(cx).map(Err),
        }
    }

    /// Read once from the stream into the engine.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let mut buf = ReadBuf::new(self.exchange.begin_recv());
        match Pin::new(&mut self.io).poll_read(cx, &mut buf) {
            Poll::Pending => Poll::Pending,
            // TLS closed without close_notify (tokio-rustls's
            // `UnexpectedEof`): the engine judges the message by its framing.
            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                self.exchange.handle_truncated_eof();
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(Error::io("reading the response", e))),
            Poll::Ready(Ok(())) => {
                let n = buf.filled().len();
                self.exchange.handle_read(n);
                Poll::Ready(Ok(()))
            }
        }
    }

    /// Run the layer's timer: `Ready` once it fired (and was handled).
    fn poll_timer(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(at) = self.exchange.poll_timeout() else {
            self.timer = None;
            return Poll::Pending;
        };
        let deadline = tokio::time::Instant::from_std(at);
        let sleep = self
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if sleep.deadline() != deadline {
            sleep.as_mut().reset(deadline);
        }
        if sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.timer = None;
        self.exchange.handle_timeout(Instant::now().max(at));
        Poll::Ready(())
    }

    /// The final head of the response, or `Framing::Interim` when bytes
    /// wait to be written first (a `100 Continue` or the end of its wait
    /// released the body).
    fn poll_head(
        &mut self,
        cx: &mut Context<'_>,
        head: &mut ResponseHead,
    ) -> Poll<Result<Framing, Error>> {
        loop {
            if let Some(framing) = self.exchange.poll_head(head)? {
                return Poll::Ready(Ok(framing));
            }
            if self.exchange.engine().wants_write() || self.poll_timer(cx).is_ready() {
                return Poll::Ready(Ok(Framing::Interim));
            }
            match self.poll_fill(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// Wait for the response head (httplib's `getresponse`); 1xx interim
    /// responses are skipped.
    pub async fn get_response(&mut self) -> Result<Response<'_, S>, Error> {
        let parts = self.response_head().await?;
        Ok(Response::new(self, parts))
    }

    /// The head of the next response, as one guarded operation.
    pub(crate) fn response_head(&mut self) -> HeadWait<'_, S> {
        let start = self.enter().and_then(|()| {
            let r = self.exchange.prepare_response();
            self.leave_on_error(r)
        });
        HeadWait::new(self, start)
    }

    /// [`request`](Self::request) and then [`response_head`](Self::response_head)
    /// as one guarded operation: what they do in turn, with one step less
    /// for every request a pooled client sends.
    pub(crate) fn request_head<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        method: &str,
        url: &str,
        body: Option<&[u8]>,
        headers: &[(N, V)],
    ) -> HeadWait<'_, S> {
        let start = self.enter().and_then(|()| {
            let r = self
                .exchange
                .request(method, url, body, headers)
                .and_then(|_| self.exchange.prepare_response());
            self.leave_on_error(r)
        });
        HeadWait::new(self, start)
    }

    /// [`leave`](Self::leave) when `r` failed; still inside the operation
    /// otherwise.
    fn leave_on_error(&mut self, r: Result<(), Error>) -> Result<(), Error> {
        match r {
            Ok(()) => Ok(()),
            Err(e) => self.leave(Err(e)),
        }
    }

    /// A wait for the body's next piece begins: timed by the read timeout
    /// and the request's deadline, its expiry polled on
    /// [`phase`](Self::phase) while the socket has nothing.
    fn start_body_wait(&mut self) -> Result<(), Error> {
        self.phase
            .start(self.limit(self.timeouts.read), "reading the body")
    }

    /// Send what the request left to send, then wait for its response's
    /// final head (`Framing::Interim` never comes out: the body a
    /// `100 Continue` released is sent, and the wait goes on). Every
    /// phase is polled here, each timed as its own.
    fn poll_exchange(
        &mut self,
        cx: &mut Context<'_>,
        head: &mut ResponseHead,
        sending: &mut Sending,
    ) -> Poll<Result<Framing, Error>> {
        loop {
            if !sending.awaiting {
                std::task::ready!(self.poll_send(cx, sending))?;
                sending.awaiting = true;
                self.phase
                    .start(self.limit(self.timeouts.read), "waiting for the response")?;
            }
            return match self.poll_head(cx, head) {
                Poll::Ready(Ok(Framing::Interim)) => {
                    sending.awaiting = false;
                    continue;
                }
                Poll::Ready(r) => Poll::Ready(r),
                Poll::Pending => self.phase.poll_expired(cx).map(Err),
            };
        }
    }

    fn poll_body(
        &mut self,
        cx: &mut Context<'_>,
        head: &mut ResponseHead,
    ) -> Poll<Result<Option<Bytes>, Error>> {
        loop {
            match self.exchange.poll_body(head)? {
                BodyStep::Chunk(b) => return Poll::Ready(Ok(Some(b))),
                BodyStep::Done => return Poll::Ready(Ok(None)),
                BodyStep::NeedData => match self.poll_fill(cx) {
                    Poll::Ready(Ok(())) => {}
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => return Poll::Pending,
                },
            }
        }
    }
}

/// A response whose head has arrived; its body is read with
/// [`chunk`](Response::chunk) (zero-copy `Bytes`), [`read_all`](Response::read_all),
/// or as an [`AsyncRead`]. The getters (`status`, `reason`, `version`,
/// `header`, `headers`, `trailers`, `head`, `framing`) are
/// [`ResponseState`]'s, which it dereferences to.
#[derive(Debug)]
pub struct Response<'c, S: AsyncRead + AsyncWrite + Unpin> {
    conn: &'c mut Connection<S>,
    state: ResponseState,
}

impl<S: AsyncRead + AsyncWrite + Unpin> std::ops::Deref for Response<'_, S> {
    type Target = ResponseState;
    fn deref(&self) -> &ResponseState {
        &self.state
    }
}

impl<'c, S: AsyncRead + AsyncWrite + Unpin> Response<'c, S> {
    fn new(conn: &'c mut Connection<S>, (head, framing): (ResponseHead, Framing)) -> Self {
        Response {
            conn,
            state: ResponseState::new(head, framing),
        }
    }

    /// The next piece of the body, as the engine's `Bytes` (no copy), or
    /// `None` at its end.
    pub fn chunk(&mut self) -> impl Future<Output = Result<Option<Bytes>, Error>> + use<'_, 'c, S> {
        // One poll function, timed by the connection's phase timer (as the
        // request's phases are): a guarded operation from the first poll
        // to the piece.
        let mut entered = false;
        poll_fn(move |cx| {
            if !entered {
                if let Some(piece) = self.state.take_pending() {
                    return Poll::Ready(Ok(Some(piece)));
                }
                if self.state.has_ended() {
                    return Poll::Ready(Ok(None));
                }
                self.conn.enter()?;
                entered = true;
                if let Err(e) = self.conn.start_body_wait() {
                    return Poll::Ready(self.conn.leave(Err(e)));
                }
            }
            let r = match self.conn.poll_body(cx, self.state.head_mut()) {
                Poll::Ready(r) => r,
                Poll::Pending => Err(std::task::ready!(self.conn.phase.poll_expired(cx))),
            };
            let r = self.conn.leave(r);
            if matches!(r, Ok(None)) {
                self.state.end();
            }
            Poll::Ready(r)
        })
    }

    /// The whole body. A body cut short is `IncompleteRead` (or
    /// `TruncatedBody`) carrying every byte received.
    pub async fn read_all(&mut self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        loop {
            match self.chunk().await {
                Ok(Some(b)) => out.extend_from_slice(&b),
                Ok(None) => return Ok(out),
                Err(e) => return Err(e.with_partial(Bytes::from(out))),
            }
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Drop for Response<'_, S> {
    fn drop(&mut self) {
        // Hand the head's buffers back for the next response.
        self.conn.exchange.recycle(self.state.take_head());
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Response<'_, S> {
    /// The body as a byte stream (no timeout here: wrap reads in
    /// `tokio::time::timeout` if you need one).
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.state.has_pending() && !this.state.has_ended() {
            let (conn, head) = (&mut *this.conn, this.state.head_mut());
            match conn.poll_body(cx, head) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(Some(b))) => this.state.set_pending(b),
                Poll::Ready(Ok(None)) => this.state.end(),
                Poll::Ready(Err(e)) => {
                    this.conn.broken = true;
                    return Poll::Ready(Err(e.into()));
                }
            }
        }
        buf.put_slice(&this.state.split_pending(buf.remaining()));
        Poll::Ready(Ok(()))
    }
}
