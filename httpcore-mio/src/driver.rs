//! A small event loop for callers without one of their own, built only
//! from [`Connection`]'s public methods: it owns a [`mio::Poll`], hands
//! each connection its events and timeouts, and collects whole responses.
//! Requests go either on a connection the caller added ([`Driver::request`]
//! by token) or to any URL ([`Driver::send`]), on connections the driver
//! keeps in a pool whose policy is the client layer's
//! ([`httpcore_client::pool`]): one thread, many hosts.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use httpcore::{Framing, RequestId, ResponseHead};
use httpcore_client::decode::{DecodeLimits, Decoder};
use httpcore_client::pool::{Checkout, Grant, Pool, PoolKey, WaiterId};
use httpcore_client::target::sets_authorization;
use httpcore_client::{ClientSettings, Endpoint, EnvProxies};
use mio::{Events, Poll, Token};
use rustls::ClientConfig;

use crate::{Connection, Error, Output};

/// Names a request made with [`Driver::send`] (its connection is the
/// pool's choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ticket(pub u64);

/// A request for the pool, kept until it reaches a connection.
#[derive(Debug)]
struct Queued {
    ticket: Ticket,
    key: PoolKey,
    endpoint: Endpoint,
    https: bool,
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Option<Bytes>,
    /// Its body is to be decoded, within these limits.
    decode: Option<DecodeLimits>,
}

/// A request that ended: its response, or why there is none.
#[derive(Debug)]
pub struct Finished {
    /// The connection it went on (`Token(usize::MAX)`, with `id`
    /// `RequestId(u64::MAX)`, for a [`Driver::send`] request whose
    /// connection could not be opened).
    pub token: Token,
    /// The request.
    pub id: RequestId,
    /// For a request made with [`Driver::send`]: its ticket.
    pub ticket: Option<Ticket>,
    /// The response head and whole body (trailers are in the head), or the
    /// error that ended the connection (the request being answered gets
    /// the error itself, the ones queued behind it `NotConnected`).
    pub result: Result<(ResponseHead, Vec<u8>), Error>,
}

/// The response being collected on one connection.
#[derive(Debug)]
struct Slot {
    conn: Connection,
    head: Option<(RequestId, ResponseHead)>,
    body: Vec<u8>,
    /// Requests queued on it and not finished.
    in_flight: usize,
    /// A request sent again on a new connection: its id there, and the id
    /// the caller knows it by.
    retried: Option<(RequestId, RequestId)>,
    /// For a pooled connection: its pool key, and whether a request holds
    /// it (else it is idle in the pool).
    pooled: Option<(PoolKey, bool)>,
    /// The tickets of the pooled requests on it, and whether their
    /// bodies are to be decoded.
    tickets: VecDeque<(RequestId, Ticket, Option<DecodeLimits>)>,
}

impl Slot {
    /// What request `id` (the connection's id) ended with, for the caller.
    fn finished(
        &mut self,
        token: Token,
        id: RequestId,
        result: Result<(ResponseHead, Vec<u8>), Error>,
    ) -> Finished {
        let id = self.caller_id(id);
        let (ticket, decode) = self
            .tickets
            .iter()
            .position(|&(i, ..)| i == id)
            .and_then(|at| self.tickets.remove(at))
            .map_or((None, None), |(_, t, d)| (Some(t), d));
        let result = match (result, decode) {
            (Ok((head, body)), Some(limits)) => decode_whole(head, body, limits),
            (result, _) => result,
        };
        Finished {
            token,
            id,
            ticket,
            result,
        }
    }

    /// The id the caller knows request `id` by.
    fn caller_id(&mut self, id: RequestId) -> RequestId {
        match self.retried {
            Some((now, was)) if now == id => {
                self.retried = None;
                was
            }
            _ => id,
        }
    }
}

/// Connections on one thread, driven by a [`mio::Poll`] of the driver's
/// own.
///
/// ```no_run
/// use httpcore_mio::{Connection, Driver};
///
/// let mut driver = Driver::new()?;
/// let a = driver.add(Connection::http("127.0.0.1:8080")?)?;
/// let b = driver.add(Connection::http("127.0.0.1:8081")?)?;
/// driver.request(a, "GET", "/one", None, &[] as &[(&str, &str)])?;
/// driver.request(a, "GET", "/two", None, &[] as &[(&str, &str)])?; // pipelined
/// driver.request(b, "GET", "/", None, &[] as &[(&str, &str)])?;
/// for done in driver.run()? {
///     let (head, body) = done.result?;
///     println!("{:?} {:?}: {} ({} bytes)", done.token, done.id, head.status(), body.len());
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Driver {
    poll: Poll,
    events: Events,
    slots: Vec<Option<Slot>>,
    /// Requests queued and not finished, over all connections (and, for
    /// the pool, waiting for one).
    in_flight: usize,
    /// How pooled connections are opened and kept.
    settings: ClientSettings,
    /// The environment's proxies, read once.
    env: EnvProxies,
    /// Built from `settings.tls` for the first `https://` request.
    tls: Option<Arc<ClientConfig>>,
    /// The pooled connections, by token.
    pool: Pool<Token>,
    /// Pooled requests waiting in line for a connection.
    waiting: HashMap<WaiterId, Queued>,
    next_ticket: u64,
    /// Pooled requests that ended before reaching a connection (it could
    /// not be opened), reported by the next turn.
    early: Vec<Finished>,
}

impl Driver {
    /// A driver with no connections (and the default settings for the
    /// ones it opens for [`send`](Self::send)).
    pub fn new() -> io::Result<Driver> {
        Driver::with_settings(ClientSettings::default())
    }

    /// A driver whose pooled connections ([`send`](Self::send)) follow
    /// `settings`: the pool's limits, timeouts, TLS, the engine's
    /// configuration, a proxy (or the environment's; an invalid one is an
    /// error here). (Redirects, the whole-request deadline, the
    /// resolver and the body cap are the blocking and async clients'; the
    /// driver resolves names with the system's resolver.)
    pub fn with_settings(settings: ClientSettings) -> io::Result<Driver> {
        let env = settings.env().map_err(io::Error::other)?;
        Ok(Driver {
            env,
            poll: Poll::new()?,
            events: Events::with_capacity(1024),
            slots: Vec::new(),
            in_flight: 0,
            pool: Pool::new(settings.pool),
            settings,
            tls: None,
            waiting: HashMap::new(),
            next_ticket: 0,
            early: Vec::new(),
        })
    }

    /// Register a connection; its token names it from now on.
    pub fn add(&mut self, mut conn: Connection) -> io::Result<Token> {
        let index = match self.slots.iter().position(Option::is_none) {
            Some(i) => i,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        let token = Token(index);
        conn.register(self.poll.registry(), token)?;
        self.slots[index] = Some(Slot {
            conn,
            head: None,
            body: Vec::new(),
            in_flight: 0,
            retried: None,
            pooled: None,
            tickets: VecDeque::new(),
        });
        Ok(token)
    }

    /// Deregister a connection and hand it back (its requests in flight
    /// stop counting).
    pub fn remove(&mut self, token: Token) -> Option<Connection> {
        let mut slot = self.slots.get_mut(token.0)?.take()?;
        let _ = slot.conn.deregister(self.poll.registry());
        self.in_flight -= slot.in_flight;
        Some(slot.conn)
    }

    /// A connection, for its getters and the step-by-step commands.
    pub fn connection(&mut self, token: Token) -> Option<&mut Connection> {
        self.slots
            .get_mut(token.0)
            .and_then(Option::as_mut)
            .map(|s| &mut s.conn)
    }

    /// The registry, for [`Connection::flush`] after step-by-step commands.
    pub fn registry(&self) -> &mio::Registry {
        self.poll.registry()
    }

    /// Queue a request on a connection ([`Connection::request`]). A
    /// connection with nothing in flight that cannot carry another request
    /// (the server closed it or asked to, sent bytes nobody asked for, or
    /// it failed: [`Connection::is_quiet`]) is first
    /// [reconnected](Connection::reconnect). When the server closes a
    /// kept-alive connection under a lone request, the request goes again
    /// if the client layer says that is safe ([`Connection::retry`]).
    pub fn request<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        token: Token,
        method: &str,
        target: &str,
        body: Option<&[u8]>,
        headers: &[(N, V)],
    ) -> Result<RequestId, Error> {
        let slot = self.slots.get_mut(token.0).and_then(Option::as_mut).ok_or(
            httpcore::Error::NotConnected {
                reason: "no connection has this token",
            },
        )?;
        if slot.in_flight == 0 && !slot.conn.is_quiet(self.poll.registry()) {
            slot.conn.reconnect(self.poll.registry())?;
        }
        let id = slot
            .conn
            .request(self.poll.registry(), method, target, body, headers)?;
        slot.in_flight += 1;
        self.in_flight += 1;
        Ok(id)
    }

    /// Requests queued and not yet finished.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// A request to an absolute `http://` or `https://` URL, on a pooled
    /// connection: an idle one to the same scheme, host, port and proxy
    /// (checked, and reconnected if the server closed it), a new one, or —
    /// at the pool's per-host limit — the next one freed, in the order the
    /// requests came. One request at a time per pooled connection; its
    /// connection goes back to the pool when its response has ended. The
    /// response comes out of [`turn`](Self::turn) / [`run`](Self::run) with
    /// this ticket. An error here (a bad URL, a connection that could not
    /// be opened) means the request was not queued.
    pub fn send<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        method: &str,
        url: &str,
        headers: &[(N, V)],
        body: Option<&[u8]>,
    ) -> Result<Ticket, Error> {
        let url = httpcore_client::target::Target::parse(url)?;
        let auth = url.authorization();
        let (key, endpoint) = self.settings.route(&self.env, &url);
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let mut headers: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (text(n.as_ref()), text(v.as_ref())))
            .collect();
        if let (Some(auth), false) = (auth, sets_authorization(&headers)) {
            headers.push(("Authorization".to_string(), auth));
        }
        let accept = self.settings.accept_encoding(&headers);
        headers.extend(accept.map(|v| ("Accept-Encoding".to_string(), v.to_string())));
        let ticket = Ticket(self.next_ticket);
        self.next_ticket += 1;
        let q = Queued {
            ticket,
            key,
            endpoint,
            https: url.https,
            method: method.to_string(),
            target: url.target.into_owned(),
            headers,
            body: body.map(Bytes::copy_from_slice),
            decode: accept.map(|_| self.settings.decode_limits),
        };
        let now = Instant::now();
        self.pool.handle_timeout(now);
        self.close_let_go();
        let checkout = self.pool.checkout(&q.key, now);
        let decision = match &checkout {
            Checkout::Reuse(_) => "reuse",
            Checkout::Connect => "connect",
            Checkout::Wait(_) => "wait",
        };
        httpcore_client::log::pool(decision, &q.key.host, q.key.port);
        match checkout {
            Checkout::Wait(w) => {
                self.waiting.insert(w, q);
            }
            Checkout::Reuse(token) => self.start_or_settle(Some(token), &q)?,
            Checkout::Connect => self.start_or_settle(None, &q)?,
        }
        self.in_flight += 1;
        Ok(ticket)
    }

    /// Pooled requests waiting in line for a connection.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// Start `q`; on failure its slot went back, and whoever that woke is
    /// served before the error is returned.
    fn start_or_settle(&mut self, reuse: Option<Token>, q: &Queued) -> Result<(), Error> {
        self.start(reuse, q).map_err(|(e, woken)| {
            self.settle(woken);
            e
        })
    }

    /// `q` on a pooled connection: `reuse`'s, or a new one. On failure the
    /// connection is closed and its slot discarded; the waiter that woke,
    /// if any, comes back with the error.
    fn start(&mut self, reuse: Option<Token>, q: &Queued) -> Result<(), (Error, Option<WaiterId>)> {
        let token = match reuse {
            Some(token) => token,
            None => match self.open(q) {
                Ok(token) => token,
                Err(e) => return Err((e, self.pool.discard(&q.key))),
            },
        };
        let registry = self.poll.registry();
        let slot = self.slots[token.0].as_mut().expect("a pooled slot");
        let queued = (|| {
            if !slot.conn.is_quiet(registry) {
                slot.conn.reconnect(registry)?;
            }
            let body = q.body.as_deref();
            slot.conn
                .request(registry, &q.method, &q.target, body, &q.headers)
        })();
        match queued {
            Ok(id) => {
                slot.in_flight += 1;
                slot.tickets.push_back((id, q.ticket, q.decode));
                slot.pooled = Some((q.key.clone(), true));
                Ok(())
            }
            Err(e) => {
                self.remove(token);
                Err((e, self.pool.discard(&q.key)))
            }
        }
    }

    /// A new pooled connection for `q`, registered.
    fn open(&mut self, q: &Queued) -> Result<Token, Error> {
        let tls = match (&self.tls, q.https) {
            (_, false) => None,
            (Some(tls), true) => Some(tls.clone()),
            (None, true) => {
                let tls = self.settings.tls.build()?;
                self.tls = Some(tls.clone());
                Some(tls)
            }
        };
        let config = httpcore::Config {
            max_pipelined: 1,
            ..self.settings.engine.clone()
        };
        let conn =
            Connection::open(&q.endpoint, tls, config)?.with_timeouts(self.settings.timeouts);
        let token = self
            .add(conn)
            .map_err(|e| Error::io("registering the connection", e))?;
        Ok(token)
    }

    /// Serve the waiter `woken` (and, if its connection fails to start,
    /// the next one) what the pool granted it; a failure ends that request
    /// with the error, reported by the next turn.
    fn settle(&mut self, mut woken: Option<WaiterId>) {
        while let Some(w) = woken.take() {
            let (Some(q), Some(grant)) = (self.waiting.remove(&w), self.pool.take_grant(w)) else {
                continue;
            };
            let reuse = match grant {
                Grant::Reuse(token) => Some(token),
                Grant::Connect => None,
            };
            if let Err((e, next)) = self.start(reuse, &q) {
                self.early.push(Finished {
                    token: Token(usize::MAX),
                    id: RequestId(u64::MAX),
                    ticket: Some(q.ticket),
                    result: Err(e),
                });
                woken = next;
            }
        }
    }

    /// A pooled connection whose request ended goes back to the pool when
    /// it can carry another, else it is closed; a waiter it frees is
    /// served.
    fn release(&mut self, token: Token) {
        let Some(slot) = self.slots.get_mut(token.0).and_then(Option::as_mut) else {
            return;
        };
        let Some((key, true)) = slot.pooled.clone() else {
            return;
        };
        if slot.in_flight > 0 {
            return;
        }
        slot.pooled = Some((key.clone(), false));
        let reusable = slot.conn.is_reusable();
        let decision = if reusable { "checkin" } else { "discard" };
        httpcore_client::log::pool(decision, &key.host, key.port);
        let woken = if reusable {
            self.pool.checkin(&key, token, Instant::now())
        } else {
            self.remove(token);
            self.pool.discard(&key)
        };
        self.close_let_go();
        self.settle(woken);
    }

    /// Close the idle connections the pool let go of (expired, or past an
    /// idle limit).
    fn close_let_go(&mut self) {
        while let Some(token) = self.pool.poll_close() {
            if let Some(mut conn) = self.remove(token) {
                conn.shutdown();
            }
        }
    }

    /// Wait for events (at most `max_wait`, and no longer than the nearest
    /// connection deadline), hand them out, run the timers that are due,
    /// and append every request that ended to `finished`.
    pub fn turn(
        &mut self,
        max_wait: Option<Duration>,
        finished: &mut Vec<Finished>,
    ) -> io::Result<()> {
        if !self.early.is_empty() {
            self.in_flight -= self.early.len();
            finished.append(&mut self.early);
            return Ok(());
        }
        let deadline = self
            .slots
            .iter()
            .flatten()
            .filter_map(|s| s.conn.deadline())
            .chain(self.pool.poll_timeout())
            .min();
        let now = Instant::now();
        let wait = match (deadline.map(|d| d.saturating_duration_since(now)), max_wait) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match self.poll.poll(&mut self.events, wait) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(()),
            r => r?,
        }
        let registry = self.poll.registry();
        let mut ended = Vec::new();
        for event in self.events.iter() {
            if let Some(Some(slot)) = self.slots.get_mut(event.token().0) {
                slot.conn.handle_event(registry, event);
                self.in_flight -= drain(slot, event.token(), registry, finished);
                ended.push(event.token());
            }
        }
        if deadline.is_some_and(|d| d <= Instant::now()) {
            let now = Instant::now();
            for (i, slot) in self.slots.iter_mut().enumerate() {
                let Some(slot) = slot else { continue };
                if slot.conn.deadline().is_some_and(|d| d <= now) {
                    slot.conn.handle_timeout(registry, now);
                    self.in_flight -= drain(slot, Token(i), registry, finished);
                    ended.push(Token(i));
                }
            }
            self.pool.handle_timeout(now);
            self.close_let_go();
        }
        for token in ended {
            self.release(token);
        }
        Ok(())
    }

    /// Turn until no request is in flight; every request that ended, in
    /// the order they ended.
    pub fn run(&mut self) -> io::Result<Vec<Finished>> {
        let mut finished = Vec::new();
        while self.in_flight > 0 {
            self.turn(None, &mut finished)?;
        }
        Ok(finished)
    }
}

/// A whole body decoded by its head's `Content-Encoding`.
fn decode_whole(
    head: ResponseHead,
    body: Vec<u8>,
    limits: DecodeLimits,
) -> Result<(ResponseHead, Vec<u8>), Error> {
    // No body (HEAD, 204, 304, an empty one) or no coding built in: as is.
    let decoder = head
        .header("content-encoding")
        .filter(|_| !body.is_empty())
        .and_then(|coding| Decoder::for_encoding(&coding, limits));
    let Some(mut decoder) = decoder else {
        return Ok((head, body));
    };
    let mut out = Vec::new();
    decoder.push(&body, &mut out)?;
    decoder.finish(&mut out)?;
    Ok((head, out))
}

/// Take every output of a connection; how many requests ended.
fn drain(
    slot: &mut Slot,
    token: Token,
    registry: &mio::Registry,
    finished: &mut Vec<Finished>,
) -> usize {
    if slot.conn.is_dead() {
        // Its requests were reported when it failed.
        return 0;
    }
    let ended = collect(slot, token, registry, finished);
    slot.in_flight -= ended;
    ended
}

fn collect(
    slot: &mut Slot,
    token: Token,
    registry: &mio::Registry,
    finished: &mut Vec<Finished>,
) -> usize {
    let mut ended = 0;
    loop {
        match slot.conn.poll_output(registry) {
            Ok(None) => return ended,
            Ok(Some(Output::Head {
                id,
                head,
                framing: Framing::Switched,
            })) => {
                // No longer HTTP: the request ends with its head; the
                // caller takes the stream with `remove` and `into_parts`.
                finished.push(slot.finished(token, id, Ok((head, Vec::new()))));
                ended += 1;
            }
            Ok(Some(Output::Head { id, head, .. })) => {
                slot.head = Some((id, head));
                slot.body.clear();
            }
            Ok(Some(Output::Body { chunk, .. })) => slot.body.extend_from_slice(&chunk),
            Ok(Some(Output::Done { id, trailers })) => {
                let (_, mut head) = slot.head.take().expect("a head comes before Done");
                for (name, value) in &trailers {
                    head.record(&httpcore::Event::Trailer(httpcore::Header { name, value }));
                }
                let body = std::mem::take(&mut slot.body);
                finished.push(slot.finished(token, id, Ok((head, body))));
                ended += 1;
            }
            Err(e) => {
                let lost = slot.conn.unanswered();
                slot.head = None;
                let e = match lost[..] {
                    [only] => match slot.conn.retry(registry, e) {
                        Ok(again) => {
                            let was = slot.caller_id(only);
                            slot.retried = Some((again, was));
                            continue;
                        }
                        Err(e) => e,
                    },
                    _ => e,
                };
                let mut error = Some(e);
                for id in lost {
                    let result = Err(error.take().unwrap_or_else(|| {
                        httpcore::Error::NotConnected {
                            reason: "the connection failed before this response",
                        }
                        .into()
                    }));
                    finished.push(slot.finished(token, id, result));
                    ended += 1;
                }
                return ended;
            }
        }
    }
}
