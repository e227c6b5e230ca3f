//! A small event loop for callers without one of their own, built only
//! from [`Connection`]'s public methods: it owns a [`mio::Poll`], hands
//! each connection its events and timeouts, and collects whole responses.

use std::io;
use std::time::{Duration, Instant};

use httpcore::{Framing, RequestId, ResponseHead};
use mio::{Events, Poll, Token};

use crate::{Connection, Error, Output};

/// A request that ended: its response, or why there is none.
#[derive(Debug)]
pub struct Finished {
    /// The connection it went on.
    pub token: Token,
    /// The request.
    pub id: RequestId,
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
}

impl Slot {
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
    /// Requests queued and not finished, over all connections.
    in_flight: usize,
}

impl Driver {
    /// A driver with no connections.
    pub fn new() -> io::Result<Driver> {
        Ok(Driver {
            poll: Poll::new()?,
            events: Events::with_capacity(1024),
            slots: Vec::new(),
            in_flight: 0,
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

    /// Wait for events (at most `max_wait`, and no longer than the nearest
    /// connection deadline), hand them out, run the timers that are due,
    /// and append every request that ended to `finished`.
    pub fn turn(
        &mut self,
        max_wait: Option<Duration>,
        finished: &mut Vec<Finished>,
    ) -> io::Result<()> {
        let deadline = self
            .slots
            .iter()
            .flatten()
            .filter_map(|s| s.conn.deadline())
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
        for event in self.events.iter() {
            if let Some(Some(slot)) = self.slots.get_mut(event.token().0) {
                slot.conn.handle_event(registry, event);
                self.in_flight -= drain(slot, event.token(), registry, finished);
            }
        }
        if deadline.is_some_and(|d| d <= Instant::now()) {
            let now = Instant::now();
            for (i, slot) in self.slots.iter_mut().enumerate() {
                let Some(slot) = slot else { continue };
                if slot.conn.deadline().is_some_and(|d| d <= now) {
                    slot.conn.handle_timeout(registry, now);
                    self.in_flight -= drain(slot, Token(i), registry, finished);
                }
            }
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
                finished.push(Finished {
                    token,
                    id: slot.caller_id(id),
                    result: Ok((head, Vec::new())),
                });
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
                finished.push(Finished {
                    token,
                    id: slot.caller_id(id),
                    result: Ok((head, std::mem::take(&mut slot.body))),
                });
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
                    let id = slot.caller_id(id);
                    let result = Err(error.take().unwrap_or_else(|| {
                        httpcore::Error::NotConnected {
                            reason: "the connection failed before this response",
                        }
                        .into()
                    }));
                    finished.push(Finished { token, id, result });
                    ended += 1;
                }
                return ended;
            }
        }
    }
}
