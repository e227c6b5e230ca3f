//! `Agent`: one cheap, shareable client for many hosts and many threads,
//! keeping connections alive in a pool whose policy is the client layer's
//! ([`httpcore_client::pool`]). Each pooled connection is an
//! [`HttpConnection`]; the agent only leases them out and takes them back.

use std::io::{self, Read};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use bytes::Bytes;
use httpcore::{Framing, ResponseHead};
use httpcore_client::deadline::{bound, later};
use httpcore_client::decode::DecodeLimits;
use httpcore_client::log;
use httpcore_client::pool::{Checkout, Grant, Pool, PoolKey, WaiterId};
use httpcore_client::redirect::Chain;
use httpcore_client::target::{with_authorization, Target};
use httpcore_client::ResponseState;
use httpcore_client::{ClientSettings, Deadline, Endpoint, EnvProxies, Routed};
use rustls::ClientConfig;

use crate::{Error, HttpConnection};

/// A client for any number of hosts, shared by any number of threads
/// (`Clone` is an `Arc` clone): requests to the same scheme, host, port and
/// proxy share kept-alive connections, within the pool's limits.
///
/// ```no_run
/// use httpcore_std::Agent;
///
/// let agent = Agent::new()?;
/// let mut resp = agent.get("http://127.0.0.1:8080/")?;
/// println!("{} {}", resp.status(), String::from_utf8_lossy(&resp.read_to_vec()?));
/// # Ok::<(), httpcore_std::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Agent {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: ClientSettings,
    /// The environment's proxies, read once.
    env: EnvProxies,
    /// Built once from `config.tls`, shared by every HTTPS connection.
    tls: Arc<ClientConfig>,
    shared: Mutex<Shared>,
    /// Signalled when the pool grants a waiter something.
    granted: Condvar,
}

/// Connections are boxed: leased, pooled and handed over by pointer (a
/// connection is a couple of kilobytes).
type Shared = Pool<Box<HttpConnection>>;

impl Agent {
    /// An agent with the default configuration.
    pub fn new() -> Result<Agent, Error> {
        Agent::with_config(ClientSettings::default())
    }

    /// An agent with `config` (its TLS settings are built here, once).
    pub fn with_config(config: ClientSettings) -> Result<Agent, Error> {
        let tls = config.tls.build()?;
        let env = config.env()?;
        let pool = Pool::new(config.pool);
        Ok(Agent {
            inner: Arc::new(Inner {
                config,
                env,
                tls,
                shared: Mutex::new(pool),
                granted: Condvar::new(),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ClientSettings {
        &self.inner.config
    }

    /// `GET url`.
    pub fn get(&self, url: &str) -> Result<AgentResponse, Error> {
        self.request("GET", url, &[], None)
    }

    /// A request to an absolute `http://` or `https://` URL with a body of
    /// known length (or none), on a pooled connection. Redirects are
    /// followed as [`ClientSettings::redirects`] says: 301/302/303 as a GET
    /// without the body, 307/308 with both; `Authorization`, `Cookie` and
    /// `Proxy-Authorization` are not sent to another origin.
    pub fn request(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<AgentResponse, Error> {
        let cap = self.deadline();
        let mut chain = Chain::new(self.inner.config.redirects, method, url);
        let (mut headers, decode) = self.inner.config.request_headers(headers);
        loop {
            let body = body.filter(|_| chain.keep_body());
            let method = chain.method();
            let mut resp = self.exchange(chain.url(), cap, decode, |conn, target, auth| {
                conn.request(method, target, body, &with_authorization(&headers, auth))
            })?;
            let location = resp.redirect_location();
            if !chain.follow(resp.status(), location.as_deref(), true)? {
                return Ok(resp);
            }
            let from = chain.previous_url().unwrap_or_default();
            log::redirect(resp.status(), from, chain.url());
            // The redirect's own body: read so its connection goes back
            // (dropped unread, the connection would be closed).
            let _ = resp.read_to_vec();
            headers
                .to_mut()
                .retain(|(name, _)| chain.keeps_header(name));
        }
    }

    /// Send `req` (feature `http`) — an absolute `http://` or `https://`
    /// URI, its method, headers and body — as [`request`](Self::request)
    /// does; the response's head is the `http::Response`'s, its body the
    /// [`AgentResponse`] (`Read`, capped `read_to_vec`).
    #[cfg(feature = "http")]
    pub fn send<B: AsRef<[u8]>>(
        &self,
        req: http::Request<B>,
    ) -> Result<http::Response<AgentResponse>, Error> {
        let (parts, body) = req.into_parts();
        let url = parts.uri.to_string();
        let headers = httpcore::header_pairs(&parts.headers)?;
        let body = body.as_ref();
        let body = (!body.is_empty()).then_some(body);
        let resp = self.request(parts.method.as_str(), &url, &headers, body)?;
        let (head, ()) = resp.head().to_http()?.into_parts();
        Ok(http::Response::from_parts(head, resp))
    }

    /// A request whose body is read from `body` (`Content-Length` when
    /// `len` is known, chunked otherwise), streamed in constant memory; it
    /// is never sent twice.
    pub fn request_reader(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &mut dyn Read,
        len: Option<u64>,
    ) -> Result<AgentResponse, Error> {
        let (headers, decode) = self.inner.config.request_headers(headers);
        self.exchange(url, self.deadline(), decode, |conn, target, auth| {
            conn.request_reader(
                method,
                target,
                body,
                len,
                &with_authorization(&headers, auth),
            )
        })
    }

    /// A new request's deadline, if the settings give one.
    fn deadline(&self) -> Option<Deadline> {
        let limit = self.inner.config.deadline?;
        Some(Deadline::after(limit, Instant::now()))
    }

    fn exchange(
        &self,
        url: &str,
        cap: Option<Deadline>,
        decode: bool,
        send: impl FnOnce(&mut HttpConnection, &str, Option<&str>) -> Result<(), Error>,
    ) -> Result<AgentResponse, Error> {
        let url = Target::parse(url)?;
        let auth = url.authorization();
        let routed = self.inner.config.routed(&self.inner.env, &url);
        let judged = |e| judge(cap, e);
        let mut conn = self.lease(&routed, url.https, cap).map_err(judged)?;
        let key = routed.key;
        conn.set_deadline(cap);
        let kept_alive = conn.is_connected() && conn.responses_on_connection() > 0;
        let head = send(&mut conn, &url.target, auth.as_deref()).and_then(|_| conn.response_head());
        match head {
            Ok(head) => {
                // Still the transport that had carried responses (a retry
                // on a new one starts the count again).
                let reused = kept_alive && conn.responses_on_connection() > 0;
                let limits = decode.then_some(self.inner.config.decode_limits);
                let lease = Lease {
                    agent: self.clone(),
                    key,
                    conn: Some(conn),
                    cap,
                };
                let mut resp = AgentResponse::new(lease, head, limits);
                resp.reused = reused;
                Ok(resp)
            }
            Err(e) => {
                self.give_back(&key, conn, false);
                Err(judged(e))
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A thread that panicked while holding the lock left the pool's
        // counts as they were: still consistent.
        self.inner
            .shared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A connection for `key`: an idle one, a new one, or one (or a slot)
    /// handed over by another request after waiting in line.
    fn lease(
        &self,
        routed: &Routed<'_>,
        https: bool,
        cap: Option<Deadline>,
    ) -> Result<Box<HttpConnection>, Error> {
        let key = &routed.key;
        let mut pool = self.lock();
        let now = Instant::now();
        pool.handle_timeout(now);
        let expired = drain_closed(&mut pool);
        // The lock goes before anything blocks (`wait` releases it while
        // it waits).
        let checkout = pool.checkout(key, now);
        let decision = match &checkout {
            Checkout::Reuse(_) => "reuse",
            Checkout::Connect => "connect",
            Checkout::Wait(_) => "wait",
        };
        log::pool(decision, &key.host, key.port);
        let grant = match checkout {
            Checkout::Reuse(conn) => {
                drop(pool);
                Grant::Reuse(conn)
            }
            Checkout::Connect => {
                drop(pool);
                Grant::Connect
            }
            Checkout::Wait(w) => self.wait(pool, key, w, cap)?,
        };
        close_all(expired);
        match grant {
            // The connection checks its socket before the request goes.
            Grant::Reuse(conn) => Ok(conn),
            Grant::Connect => self.open(routed.endpoint(), https).inspect_err(|_| {
                // The slot goes back (to the next waiter, if any).
                let mut pool = self.lock();
                let woken = pool.discard(key);
                self.wake(woken);
            }),
        }
    }

    /// Wait in line for `waiter`'s grant; no longer than the connect
    /// timeout or the request's deadline.
    fn wait(
        &self,
        mut pool: MutexGuard<'_, Shared>,
        key: &PoolKey,
        waiter: WaiterId,
        cap: Option<Deadline>,
    ) -> Result<Grant<Box<HttpConnection>>, Error> {
        const DURING: &str = "waiting for a pooled connection";
        let now = Instant::now();
        let own = self.inner.config.timeouts.connect;
        let deadline = bound(cap.as_ref(), own, now, DURING)?.map(|t| later(now, t));
        loop {
            if let Some(grant) = pool.take_grant(waiter) {
                return Ok(grant);
            }
            pool = match deadline {
                None => self
                    .inner
                    .granted
                    .wait(pool)
                    .unwrap_or_else(|p| p.into_inner()),
                Some(at) => {
                    let left = at.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        // Whatever was granted meanwhile passes on.
                        let woken = pool.cancel(key, waiter, Instant::now());
                        self.wake(woken);
                        // A connection it was granted may have gone past
                        // an idle limit.
                        let closed = drain_closed(&mut pool);
                        drop(pool);
                        close_all(closed);
                        return Err(Error::Timeout { during: DURING });
                    }
                    self.inner
                        .granted
                        .wait_timeout(pool, left)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
            };
        }
    }

    /// A new connection to `endpoint` (connected by its first request).
    fn open(&self, endpoint: Endpoint, https: bool) -> Result<Box<HttpConnection>, Error> {
        let config = &self.inner.config;
        let tls = https.then(|| self.inner.tls.clone());
        let mut conn = HttpConnection::for_endpoint(endpoint, tls, config.engine.clone());
        conn.set_timeouts(config.timeouts);
        conn.set_resolver(config.resolver.clone(), config.attempt_delay);
        conn.set_retries(config.retries);
        Ok(Box::new(conn))
    }

    /// A leased connection comes back: into the pool when it can carry
    /// another request, closed otherwise.
    fn give_back(&self, key: &PoolKey, mut conn: Box<HttpConnection>, reusable: bool) {
        conn.set_deadline(None);
        let reusable = reusable && conn.is_connected() && conn.engine().is_reusable();
        if !reusable {
            conn.close();
        }
        let mut pool = self.lock();
        log::pool(
            if reusable { "checkin" } else { "discard" },
            &key.host,
            key.port,
        );
        let woken = if reusable {
            pool.checkin(key, conn, Instant::now())
        } else {
            pool.discard(key)
        };
        self.wake(woken);
        let closed = drain_closed(&mut pool);
        drop(pool);
        close_all(closed);
    }

    /// A waiter was granted something (under the pool's lock): wake the
    /// waiting threads, each of which looks for its own grant.
    fn wake(&self, woken: Option<WaiterId>) {
        if woken.is_some() {
            self.inner.granted.notify_all();
        }
    }
}

// The pool's boxes, closed outside the lock: unboxing them first would
// only copy each one.
#[allow(clippy::vec_box)]
fn drain_closed(pool: &mut Shared) -> Vec<Box<HttpConnection>> {
    std::iter::from_fn(|| pool.poll_close()).collect()
}

#[allow(clippy::vec_box)]
fn close_all(conns: Vec<Box<HttpConnection>>) {
    for mut conn in conns {
        conn.close();
    }
}

/// A pooled connection lent to one response.
#[derive(Debug)]
struct Lease {
    agent: Agent,
    key: PoolKey,
    conn: Option<Box<HttpConnection>>,
    /// The request's deadline, which bounds the body too.
    cap: Option<Deadline>,
}

/// A phase's `Timeout` that fired when the request's deadline had run out
/// is the deadline's.
fn judge(cap: Option<Deadline>, e: Error) -> Error {
    match cap {
        Some(cap) => cap.judge(e, Instant::now()),
        None => e,
    }
}

/// A response from an [`Agent`]: the head's getters through
/// [`ResponseState`], the body through [`Read`],
/// [`next_chunk`](Self::next_chunk) or [`read_to_vec`](Self::read_to_vec).
/// Its connection goes back to the pool when the body has been read to the
/// end; dropped before that, the connection is closed (never reused
/// half-read).
#[derive(Debug)]
pub struct AgentResponse {
    lease: Lease,
    state: ResponseState,
    reused: bool,
}

impl std::ops::Deref for AgentResponse {
    type Target = ResponseState;
    fn deref(&self) -> &ResponseState {
        &self.state
    }
}

impl AgentResponse {
    fn new(
        lease: Lease,
        (head, framing): (ResponseHead, Framing),
        decode: Option<DecodeLimits>,
    ) -> AgentResponse {
        let mut r = AgentResponse {
            lease,
            state: ResponseState::new(head, framing),
            reused: false,
        };
        if let Some(limits) = decode {
            r.state.decode_body(limits);
        }
        if matches!(framing, Framing::Empty | Framing::Length(0)) {
            // Nothing to read: the connection goes back at once.
            let _ = r.next_chunk();
        }
        r
    }

    /// Whether the request went on a kept-alive connection that had
    /// carried responses before (not on one opened for it).
    pub fn reused_connection(&self) -> bool {
        self.reused
    }

    /// The next piece of the body (no copy), or `None` at its end.
    pub fn next_chunk(&mut self) -> Result<Option<Bytes>, Error> {
        let Some(conn) = self.lease.conn.as_mut() else {
            // Given back already: only a piece not yet read may be left.
            return Ok(self.state.take_pending());
        };
        let piece = conn.next_piece(&mut self.state);
        match &piece {
            Ok(Some(_)) => {}
            Ok(None) => self.release(true),
            Err(_) => self.release(false),
        }
        piece.map_err(|e| judge(self.lease.cap, e))
    }

    /// The whole body, up to the agent's `max_body` (`BodyTooLarge` past
    /// it). A body cut short is `IncompleteRead` carrying every byte
    /// received.
    pub fn read_to_vec(&mut self) -> Result<Vec<u8>, Error> {
        let limit = self.lease.agent.inner.config.max_body;
        let mut out = Vec::new();
        loop {
            match self.next_chunk() {
                Ok(Some(b)) if out.len() + b.len() > limit => {
                    self.release(false);
                    return Err(Error::BodyTooLarge { limit });
                }
                Ok(Some(b)) => out.extend_from_slice(&b),
                Ok(None) => return Ok(out),
                Err(e) => return Err(e.with_partial(Bytes::from(out))),
            }
        }
    }

    /// Give the connection back (reusable only after the body's end).
    fn release(&mut self, ended: bool) {
        if let Some(conn) = self.lease.conn.take() {
            self.lease.agent.give_back(&self.lease.key, conn, ended);
        }
    }
}

impl Drop for AgentResponse {
    fn drop(&mut self) {
        // Not read to the end: the connection is closed, never reused.
        self.release(false);
    }
}

impl Read for AgentResponse {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if let Some(piece) = self.next_chunk()? {
            self.state.set_pending(piece);
        }
        Ok(self.state.copy_pending(buf))
    }
}
