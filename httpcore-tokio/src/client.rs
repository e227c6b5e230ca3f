//! `Client`: one cheap, shareable client for many hosts and many tasks,
//! keeping connections alive in a pool whose policy is the client layer's
//! ([`httpcore_client::pool`]). Each pooled connection is an
//! [`HttpConnection`]; the client only leases them out and takes them back.
//!
//! Cancellation: a request future or a response dropped at any point gives
//! its connection back through [`Lease`]'s `Drop` — closed unless its
//! response was read to the end — and a request dropped while it waits in
//! line gives up its place (or passes on what it was granted meanwhile).

use std::collections::HashMap;
use std::future::{poll_fn, Future};
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use futures_core::Stream as BytesStream;
use httpcore::{BodyLength, Framing, ResponseHead};
use httpcore_client::log;
use httpcore_client::pool::{Checkout, Grant, Pool, PoolKey, WaiterId};
use httpcore_client::redirect::Chain;
use httpcore_client::target::{with_authorization, Target};
use httpcore_client::{ClientSettings, Deadline, Endpoint, EnvProxies, ResponseState, Routed};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};
use tokio_rustls::rustls::ClientConfig;

use crate::{deadline, Error, HttpConnection, Limit};

/// A request body: none, bytes (sent again on a redirect or a safe retry),
/// or read from an [`AsyncRead`] or a [`Stream`](futures_core::Stream) of
/// `Bytes` (streamed in constant memory, never sent twice): with a
/// `Content-Length` when the length is given, chunked otherwise.
pub struct Body {
    kind: Kind,
}

enum Kind {
    Bytes(Option<Bytes>),
    Reader(Pin<Box<dyn AsyncRead + Send>>, Option<u64>),
    Stream(
        Pin<Box<dyn BytesStream<Item = io::Result<Bytes>> + Send>>,
        Option<u64>,
    ),
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            Kind::Bytes(b) => write!(f, "Body::Bytes({:?} bytes)", b.as_ref().map(Bytes::len)),
            Kind::Reader(_, len) => write!(f, "Body::Reader(length {len:?})"),
            Kind::Stream(_, len) => write!(f, "Body::Stream(length {len:?})"),
        }
    }
}

impl Body {
    /// No body.
    pub fn empty() -> Body {
        Body {
            kind: Kind::Bytes(None),
        }
    }

    /// A body read from `reader` until its end; `len` is its length if
    /// known (`Content-Length`), else it goes chunked.
    pub fn reader(reader: impl AsyncRead + Send + 'static, len: Option<u64>) -> Body {
        Body {
            kind: Kind::Reader(Box::pin(reader), len),
        }
    }

    /// A body made of the pieces `stream` yields; `len` as for
    /// [`reader`](Self::reader). An error from the stream ends the request
    /// with `Io` ("reading the request body").
    pub fn stream<S, E>(stream: S, len: Option<u64>) -> Body
    where
        S: BytesStream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        struct MapErr<S>(S);
        impl<S, E> BytesStream for MapErr<S>
        where
            S: BytesStream<Item = Result<Bytes, E>> + Unpin,
            E: Into<Box<dyn std::error::Error + Send + Sync>>,
        {
            type Item = io::Result<Bytes>;
            fn poll_next(
                mut self: Pin<&mut Self>,
                cx: &mut Context<'_>,
            ) -> Poll<Option<Self::Item>> {
                Pin::new(&mut self.0)
                    .poll_next(cx)
                    .map(|o| o.map(|r| r.map_err(io::Error::other)))
            }
        }
        Body {
            kind: Kind::Stream(Box::pin(MapErr(Box::pin(stream))), len),
        }
    }

    /// Whether the body can go again (bytes, or none).
    fn is_replayable(&self) -> bool {
        matches!(self.kind, Kind::Bytes(_))
    }
}

impl From<Bytes> for Body {
    fn from(b: Bytes) -> Body {
        Body {
            kind: Kind::Bytes(Some(b)),
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(b: Vec<u8>) -> Body {
        Bytes::from(b).into()
    }
}

impl From<String> for Body {
    fn from(s: String) -> Body {
        Bytes::from(s).into()
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Body {
        Bytes::from_static(s.as_bytes()).into()
    }
}

impl From<&'static [u8]> for Body {
    fn from(s: &'static [u8]) -> Body {
        Bytes::from_static(s).into()
    }
}

impl From<Option<Bytes>> for Body {
    fn from(b: Option<Bytes>) -> Body {
        Body {
            kind: Kind::Bytes(b),
        }
    }
}

/// A client for any number of hosts, shared by any number of tasks
/// (`Clone` is an `Arc` clone): requests to the same scheme, host, port and
/// proxy share kept-alive connections, within the pool's limits.
///
/// ```no_run
/// # async fn demo() -> Result<(), httpcore_tokio::Error> {
/// use httpcore_tokio::Client;
///
/// let client = Client::new()?;
/// let mut resp = client.get("http://127.0.0.1:8080/").await?;
/// println!("{} {}", resp.status(), String::from_utf8_lossy(&resp.read_all().await?));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    settings: ClientSettings,
    /// The environment's proxies, read once.
    env: EnvProxies,
    /// Built once from `settings.tls`, shared by every HTTPS connection.
    tls: Arc<ClientConfig>,
    shared: Mutex<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// Connections are boxed: leased, pooled and handed over by pointer
    /// (a connection is a couple of kilobytes; every future and response
    /// holding one by value copied it at each move).
    pool: Pool<Box<HttpConnection>>,
    /// The tasks waiting in line, woken when the pool grants them something.
    wakers: HashMap<WaiterId, Waker>,
}

impl Shared {
    fn wake(&mut self, woken: Option<WaiterId>) {
        if let Some(waker) = woken.and_then(|w| self.wakers.remove(&w)) {
            waker.wake();
        }
    }

    // The pool's boxes, dropped by the caller outside the lock: unboxing
    // them first would only copy each one.
    #[allow(clippy::vec_box)]
    fn drain_closed(&mut self) -> Vec<Box<HttpConnection>> {
        std::iter::from_fn(|| self.pool.poll_close()).collect()
    }
}

impl Client {
    /// A client with the default settings.
    pub fn new() -> Result<Client, Error> {
        Client::with_settings(ClientSettings::default())
    }

    /// A client with `settings` (its TLS settings are built here, once,
    /// and the environment's proxies read).
    pub fn with_settings(settings: ClientSettings) -> Result<Client, Error> {
        let tls = settings.tls.build()?;
        let env = settings.env()?;
        let pool = Pool::new(settings.pool);
        Ok(Client {
            inner: Arc::new(Inner {
                settings,
                env,
                tls,
                shared: Mutex::new(Shared {
                    pool,
                    wakers: HashMap::new(),
                }),
            }),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &ClientSettings {
        &self.inner.settings
    }

    /// `GET url`.
    pub async fn get(&self, url: &str) -> Result<ClientResponse, Error> {
        self.request("GET", url, &[], Body::empty()).await
    }

    /// A request to an absolute `http://` or `https://` URL, on a pooled
    /// connection. Redirects are followed as [`ClientSettings::redirects`]
    /// says: 301/302/303 as a GET without the body, 307/308 with both when
    /// the body is bytes; `Authorization`, `Cookie` and
    /// `Proxy-Authorization` are not sent to another origin.
    pub async fn request(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> Result<ClientResponse, Error> {
        let mut body = body.into();
        let cap = self
            .inner
            .settings
            .deadline
            .map(|limit| Deadline::after(limit, Instant::now()));
        let mut chain = Chain::new(self.inner.settings.redirects, method, url);
        let (mut headers, decode) = self.inner.settings.request_headers(headers);
        loop {
            if !chain.keep_body() {
                body = Body::empty();
            }
            let replayable = body.is_replayable();
            let mut resp = self
                .exchange(chain.method(), chain.url(), &headers, &mut body, cap)
                .await?;
            if decode {
                resp.state.decode_body(self.inner.settings.decode_limits);
            }
            let location = resp.redirect_location();
            if !chain.follow(resp.status(), location.as_deref(), replayable)? {
                return Ok(resp);
            }
            let from = chain.previous_url().unwrap_or_default();
            log::redirect(resp.status(), from, chain.url());
            // The redirect's own body: read so its connection goes back.
            let _ = resp.read_all().await;
            headers
                .to_mut()
                .retain(|(name, _)| chain.keeps_header(name));
        }
    }

    /// One request on a leased connection, up to its response's head.
    async fn exchange(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &mut Body,
        cap: Option<Deadline>,
    ) -> Result<ClientResponse, Error> {
        let url = Target::parse(url)?;
        let auth = url.authorization();
        let headers = with_authorization(headers, auth.as_deref());
        let headers = &headers[..];
        let routed = self.inner.settings.routed(&self.inner.env, &url);
        let tls = url.https.then(|| self.inner.tls.clone());
        let mut lease = self.lease(routed, tls, cap).await?;
        let conn = lease.conn.as_mut().expect("a lease holds its connection");
        conn.set_deadline(cap);
        let parts = match &mut body.kind {
            Kind::Bytes(bytes) => {
                conn.send_and_head(method, &url.target, bytes.as_deref(), headers)
                    .await?
            }
            Kind::Reader(reader, len) => {
                let source = Source::Reader(reader, BytesMut::with_capacity(READ_PIECE));
                send_streamed(conn, method, &url.target, headers, *len, source).await?
            }
            Kind::Stream(stream, len) => {
                let source = Source::Stream(stream);
                send_streamed(conn, method, &url.target, headers, *len, source).await?
            }
        };
        // Taken once: a streamed body cannot go to a redirect's target.
        if !body.is_replayable() {
            *body = Body::empty();
        }
        // The connection keeps the request's deadline (`set_deadline`
        // above) until it goes back: it bounds the body too.
        Ok(ClientResponse::new(lease, parts))
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A task that panicked while holding the lock left the pool's
        // counts as they were: still consistent.
        self.inner
            .shared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A connection for `key`: an idle one (checked before its request
    /// goes), a new one, or one (or a slot) handed over after waiting in
    /// line, no longer than the connect timeout.
    async fn lease(
        &self,
        routed: Routed<'_>,
        tls: Option<Arc<ClientConfig>>,
        cap: Option<Deadline>,
    ) -> Result<Lease, Error> {
        let key = &routed.key;
        let (checkout, expired) = {
            let mut shared = self.lock();
            let now = Instant::now();
            shared.pool.handle_timeout(now);
            let expired = shared.drain_closed();
            (shared.pool.checkout(key, now), expired)
        };
        let decision = match &checkout {
            Checkout::Reuse(_) => "reuse",
            Checkout::Connect => "connect",
            Checkout::Wait(_) => "wait",
        };
        log::pool(decision, &key.host, key.port);
        drop(expired);
        let grant = match checkout {
            Checkout::Reuse(conn) => Grant::Reuse(conn),
            Checkout::Connect => Grant::Connect,
            Checkout::Wait(waiter) => {
                let waiting = Waiting {
                    client: self,
                    key,
                    waiter,
                    done: false,
                };
                let limit = Limit::new(self.inner.settings.timeouts.connect, cap);
                deadline(limit, "waiting for a pooled connection", async {
                    Ok(waiting.await)
                })
                .await?
            }
        };
        let conn = match grant {
            Grant::Reuse(conn) => conn,
            Grant::Connect => self.open(routed.endpoint(), tls),
        };
        Ok(Lease {
            client: self.clone(),
            key: routed.key,
            conn: Some(conn),
        })
    }

    /// A new connection to `endpoint` (opened by its first request).
    fn open(&self, endpoint: Endpoint, tls: Option<Arc<ClientConfig>>) -> Box<HttpConnection> {
        let s = &self.inner.settings;
        Box::new(
            HttpConnection::new(endpoint, tls)
                .with_config(s.engine.clone())
                .with_timeouts(s.timeouts)
                .with_retries(s.retries)
                .with_resolver(s.resolver.clone(), s.attempt_delay),
        )
    }

    /// A leased connection comes back: into the pool when it can carry
    /// another request, closed otherwise.
    fn give_back(&self, key: &PoolKey, mut conn: Box<HttpConnection>, reusable: bool) {
        conn.set_deadline(None);
        let reusable = reusable && conn.can_carry_another();
        log::pool(
            if reusable { "checkin" } else { "discard" },
            &key.host,
            key.port,
        );
        let mut shared = self.lock();
        let (woken, dropped) = if reusable {
            (shared.pool.checkin(key, conn, Instant::now()), None)
        } else {
            (shared.pool.discard(key), Some(conn))
        };
        shared.wake(woken);
        let closed = shared.drain_closed();
        drop(shared);
        drop((dropped, closed));
    }
}

/// How much of a reader body is read at a time.
const READ_PIECE: usize = 64 * 1024;

/// Where a streamed request body comes from.
enum Source<'a> {
    /// A reader, and the buffer it reads into.
    Reader(&'a mut Pin<Box<dyn AsyncRead + Send>>, BytesMut),
    Stream(&'a mut Pin<Box<dyn BytesStream<Item = io::Result<Bytes>> + Send>>),
}

impl Source<'_> {
    /// Send the body, piece by piece, until its end: a reader's bytes go
    /// straight from its buffer, a stream's pieces as they come.
    async fn send_all(&mut self, c: &mut crate::Connection<crate::Stream>) -> Result<(), Error> {
        let failed = |e| Error::io("reading the request body", e);
        loop {
            match self {
                Source::Reader(reader, buf) => {
                    // The room the last piece left is reclaimed once the
                    // socket took it (no allocation, no copy, no zeroing).
                    buf.reserve(READ_PIECE);
                    let n = reader.read_buf(buf).await.map_err(failed)?;
                    if n == 0 {
                        return Ok(());
                    }
                    c.send_streamed(buf.split().freeze()).await?;
                }
                Source::Stream(stream) => match poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
                    None => return Ok(()),
                    Some(piece) => c.send_streamed(piece.map_err(failed)?).await?,
                },
            }
        }
    }
}

/// Send a request whose body comes piece by piece from `source`, then
/// read its response's head. Never sent twice: a failure is the error the
/// retry policy names (`MaybeProcessed` once the request may have reached
/// the server).
async fn send_streamed(
    conn: &mut HttpConnection,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    len: Option<u64>,
    mut source: Source<'_>,
) -> Result<(ResponseHead, Framing), Error> {
    conn.ready().await?;
    let c = conn.open_connection()?;
    c.put_request(method, target, false, false)?;
    for (n, v) in headers {
        c.put_header(n, v)?;
    }
    let sent = async {
        c.end_headers_with(len.map_or(BodyLength::Unknown, BodyLength::Known))
            .await?;
        source.send_all(c).await?;
        c.response_head().await
    }
    .await;
    match sent {
        Ok(parts) => Ok(parts),
        Err(e) => Err(match c.exchange.recover(e) {
            Err(e) => e,
            // A streamed body is never replayable, so this cannot be; if it
            // were, the request is still not sent again.
            Ok(()) => httpcore::Error::NotConnected {
                reason: "the connection failed under a streamed request body",
            }
            .into(),
        }),
    }
}

/// A request waiting in line for a connection to its host. Dropped before
/// its grant arrived (a timeout, a `select!`), it gives up its place; one
/// granted and not taken passes what it was granted on.
struct Waiting<'a> {
    client: &'a Client,
    key: &'a PoolKey,
    waiter: WaiterId,
    done: bool,
}

impl Future for Waiting<'_> {
    type Output = Grant<Box<HttpConnection>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut shared = this.client.lock();
        match shared.pool.take_grant(this.waiter) {
            Some(grant) => {
                this.done = true;
                shared.wakers.remove(&this.waiter);
                Poll::Ready(grant)
            }
            None => {
                shared.wakers.insert(this.waiter, cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut shared = self.client.lock();
        shared.wakers.remove(&self.waiter);
        let woken = shared.pool.cancel(self.key, self.waiter, Instant::now());
        shared.wake(woken);
        // A connection it was granted may have gone past an idle limit.
        let closed = shared.drain_closed();
        drop(shared);
        drop(closed);
    }
}

/// A pooled connection lent to one request and its response. Dropped while
/// it still holds the connection — a future cancelled half-way, a response
/// not read to its end — it gives the connection back to be closed.
#[derive(Debug)]
struct Lease {
    client: Client,
    key: PoolKey,
    conn: Option<Box<HttpConnection>>,
}

impl Lease {
    fn release(&mut self, ended: bool) {
        if let Some(conn) = self.conn.take() {
            self.client.give_back(&self.key, conn, ended);
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.release(false);
    }
}

/// A response from a [`Client`]: the head's getters through
/// [`ResponseState`], the body through [`chunk`](Self::chunk),
/// [`read_all`](Self::read_all), [`AsyncRead`] or as a
/// [`Stream`](futures_core::Stream) of `Bytes`. `'static` and `Send`: it
/// owns its connection, which goes back to the pool when the body has been
/// read to the end; dropped before that, the connection is closed (never
/// reused half-read).
#[derive(Debug)]
pub struct ClientResponse {
    lease: Lease,
    state: ResponseState,
    /// The trailers were handed out as an `http_body` frame.
    #[cfg(feature = "http")]
    trailers_taken: bool,
}

impl std::ops::Deref for ClientResponse {
    type Target = ResponseState;
    fn deref(&self) -> &ResponseState {
        &self.state
    }
}

impl ClientResponse {
    fn new(lease: Lease, (head, framing): (ResponseHead, Framing)) -> ClientResponse {
        let mut r = ClientResponse {
            lease,
            state: ResponseState::new(head, framing),
            #[cfg(feature = "http")]
            trailers_taken: false,
        };
        if matches!(framing, Framing::Empty | Framing::Length(0)) {
            // Nothing to read: the connection goes back at once (the
            // engine answers without reading the socket).
            let _ = r.poll_piece(&mut Context::from_waker(Waker::noop()));
        }
        r
    }

    /// The next piece of the body, or `None` at its end; the connection is
    /// given back at the end (reusable) or on an error (closed).
    pub(crate) fn poll_piece(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Bytes>, Error>> {
        if let Some(piece) = self.state.take_pending() {
            return Poll::Ready(Ok(Some(piece)));
        }
        if self.state.has_ended() {
            // Read to its end (a decoder's last piece may have come after
            // the last read): the connection goes back.
            self.lease.release(true);
            return Poll::Ready(Ok(None));
        }
        let Some(conn) = self.lease.conn.as_mut() else {
            return Poll::Ready(Err(httpcore::Error::NotConnected {
                reason: "the response's connection was closed",
            }
            .into()));
        };
        loop {
            let raw = match conn.open_connection() {
                Ok(c) => std::task::ready!(c.poll_body(cx, self.state.head_mut())),
                Err(e) => Err(e),
            };
            if matches!(raw, Ok(None)) {
                self.state.end();
            }
            // Through the body's decoder, if it has one: a piece that
            // decodes to nothing yet means read on.
            let r = raw.and_then(|raw| self.state.decode(raw));
            match &r {
                Ok(Some(piece)) if piece.is_empty() && !self.state.has_ended() => continue,
                Ok(Some(_)) => {}
                Ok(None) => self.lease.release(true),
                Err(_) => self.lease.release(false),
            }
            return Poll::Ready(r);
        }
    }

    /// The trailers, once, as a header map (`None` when there are none, or
    /// they were taken).
    #[cfg(feature = "http")]
    pub(crate) fn take_trailers(&mut self) -> Option<http::HeaderMap> {
        if self.trailers_taken {
            return None;
        }
        self.trailers_taken = true;
        let mut map = http::HeaderMap::new();
        for (n, v) in self.state.trailers() {
            if let (Ok(n), Ok(v)) = (
                http::HeaderName::from_bytes(n),
                http::HeaderValue::from_bytes(v),
            ) {
                map.append(n, v);
            }
        }
        (!map.is_empty()).then_some(map)
    }

    /// Whether trailers wait to be handed out as a frame.
    #[cfg(feature = "http")]
    pub(crate) fn has_untaken_trailers(&self) -> bool {
        !self.trailers_taken && self.state.trailers().next().is_some()
    }

    /// The next piece of the body, as the engine's `Bytes` (no copy), or
    /// `None` at its end; each wait is bounded by the read timeout.
    pub fn chunk(&mut self) -> impl Future<Output = Result<Option<Bytes>, Error>> + Send + '_ {
        // One poll function, timed by the connection's phase timer: the
        // body's pieces are asked for in a loop, most of them already
        // received, and an `async fn` around a time-limit future was two
        // layers to build and poll for each.
        let mut started = false;
        poll_fn(move |cx| {
            let r = std::task::ready!(self.poll_timed_piece(cx, &mut started));
            if r.is_err() {
                self.lease.release(false);
            }
            Poll::Ready(r)
        })
    }

    /// [`poll_piece`](Self::poll_piece) within the connection's read
    /// timeout and the request's deadline (the connection carries both
    /// while it is leased), timed from the first poll (`started`).
    fn poll_timed_piece(
        &mut self,
        cx: &mut Context<'_>,
        started: &mut bool,
    ) -> Poll<Result<Option<Bytes>, Error>> {
        if !*started {
            *started = true;
            if let Some(c) = self.lease.conn.as_mut().and_then(|c| c.connection()) {
                c.start_body_wait()?;
            }
        }
        match self.poll_piece(cx) {
            Poll::Ready(r) => Poll::Ready(r),
            // Waiting on the socket: the connection is there.
            Poll::Pending => match self.lease.conn.as_mut().and_then(|c| c.connection()) {
                Some(c) => c.phase.poll_expired(cx).map(Err),
                None => Poll::Pending,
            },
        }
    }

    /// The whole body, up to the client's `max_body` (`BodyTooLarge` past
    /// it). A body cut short is `IncompleteRead` (or `TruncatedBody`)
    /// carrying every byte received.
    pub async fn read_all(&mut self) -> Result<Vec<u8>, Error> {
        let limit = self.lease.client.inner.settings.max_body;
        let mut out = Vec::new();
        loop {
            match self.chunk().await {
                Ok(Some(b)) if out.len() + b.len() > limit => {
                    self.lease.release(false);
                    return Err(Error::BodyTooLarge { limit });
                }
                Ok(Some(b)) => out.extend_from_slice(&b),
                Ok(None) => return Ok(out),
                Err(e) => return Err(e.with_partial(Bytes::from(out))),
            }
        }
    }
}

impl AsyncRead for ClientResponse {
    /// The body as a byte stream (no timeout here: wrap reads in
    /// `tokio::time::timeout` if you need one).
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.state.has_pending() {
            match std::task::ready!(this.poll_piece(cx)) {
                Ok(Some(piece)) => this.state.set_pending(piece),
                Ok(None) => return Poll::Ready(Ok(())),
                Err(e) => return Poll::Ready(Err(e.into())),
            }
        }
        buf.put_slice(&this.state.split_pending(buf.remaining()));
        Poll::Ready(Ok(()))
    }
}

impl BytesStream for ClientResponse {
    type Item = Result<Bytes, Error>;

    /// The body's pieces as they arrive (no copy), then `None`.
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_piece(cx).map(Result::transpose)
    }
}
