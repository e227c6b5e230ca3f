//! Deterministic simulation of the client layer: the pool, the exchange
//! with its retries, redirects and deadlines — all I/O-free — driven by a
//! seeded simulated network and a virtual clock, with no sockets and no
//! threads. Each step the world does one thing chosen from the seed (or
//! from fuzz input): a request starts, bytes cross one way or the other
//! (a few at a time), a server closes or resets a connection, the clock
//! jumps, a request is cancelled. After every step the invariants are
//! checked: the pool's limits and counts, no request received twice by a
//! server when that is not allowed, every response its own request's, no
//! request answered after its deadline; and once the world is left to
//! settle, every request answered, failed with a typed error, or timed
//! out — none left waiting.
//!
//! Behind the `sim` feature: for this crate's tests and the fuzz target
//! `client_sim`, not for applications.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::pool::{Checkout, Grant, Pool, PoolConfig, PoolKey, WaiterId};
use crate::redirect::{Chain, Redirects};
use crate::{BodyStep, Deadline, Error, Exchange};
use httpcore::{Authority, Config, ResponseHead};

/// A small deterministic generator (SplitMix64), for seeded choices here
/// and in the test suites.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// From a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// Where the choices come from: a seeded generator, or bytes (a fuzz
/// input; once they run out, a generator seeded from them, so that the
/// world still settles).
pub enum Choices<'a> {
    /// A seed's numbers.
    Seeded(Rng),
    /// A fuzz input's bytes, then the generator.
    Bytes(&'a [u8], Rng),
}

impl<'a> Choices<'a> {
    /// The choices of a fuzz input.
    pub fn bytes(data: &'a [u8]) -> Choices<'a> {
        let seed = data.iter().fold(0xCBF2_9CE4_8422_2325u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
        });
        Choices::Bytes(data, Rng::new(seed))
    }

    fn below(&mut self, n: u64) -> u64 {
        match self {
            Choices::Seeded(r) => r.below(n),
            Choices::Bytes(b, r) => match b.split_first() {
                Some((&first, rest)) => {
                    *b = rest;
                    u64::from(first) % n
                }
                None => r.below(n),
            },
        }
    }

    fn exhausted(&self) -> bool {
        matches!(self, Choices::Bytes(b, _) if b.is_empty())
    }
}

/// The fuzz target `client_sim`: the first byte picks the per-host limit
/// (1 to 3), the rest the world's choices; every invariant must hold.
pub fn fuzz(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    Sim::new(Choices::bytes(rest), 1 + usize::from(first % 3)).run(20_000);
}

const HOSTS: u8 = 2;

fn key(k: u8) -> PoolKey {
    PoolKey {
        https: false,
        host: format!("h{k}"),
        port: 80,
        proxy: None,
        tls: 0,
    }
}

/// One simulated connection: the client's exchange, the bytes on the wire
/// both ways, and the server's side.
struct Conn {
    key: u8,
    ex: Exchange,
    /// Sent by the client, not yet at the server.
    up: VecDeque<u8>,
    /// At the server, not yet parsed.
    server_in: Vec<u8>,
    /// Sent by the server, not yet at the client.
    down: VecDeque<u8>,
    /// The server closed its side after what is in `down`.
    server_closed: bool,
    /// The request on it, by index.
    holder: Option<usize>,
    /// The response being read.
    head: Option<ResponseHead>,
    body: Vec<u8>,
}

impl Conn {
    fn new(k: u8) -> Conn {
        Conn {
            key: k,
            ex: Exchange::new(authority(k), Config::default()),
            up: VecDeque::new(),
            server_in: Vec::new(),
            down: VecDeque::new(),
            server_closed: false,
            holder: None,
            head: None,
            body: Vec::new(),
        }
    }

    /// A new transport under the same exchange (a reconnect, a retry).
    fn reopen(&mut self) {
        self.up.clear();
        self.server_in.clear();
        self.down.clear();
        self.server_closed = false;
        self.head = None;
        self.body.clear();
        self.ex.reconnected(authority(self.key));
    }

    /// What the idle check sees: a close or bytes nobody asked for.
    fn idle_ok(&self) -> bool {
        !self.server_closed && self.down.is_empty() && self.ex.engine().is_reusable()
    }
}

fn authority(k: u8) -> Authority {
    Authority::parse(&format!("h{k}"), 80).unwrap()
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Waiting(WaiterId),
    On(usize),
    Done(Result<(), String>),
}

struct Req {
    id: u64,
    key: u8,
    post: bool,
    chain: Chain<'static>,
    deadline: Deadline,
    state: State,
}

/// The world.
pub struct Sim<'a> {
    choices: Choices<'a>,
    now: Instant,
    pool: Pool<usize>,
    max_per_host: usize,
    conns: HashMap<usize, Conn>,
    next_conn: usize,
    reqs: Vec<Req>,
    /// Requests the servers received, by method and target.
    received: HashMap<String, usize>,
    /// Steps taken.
    pub steps: u64,
    retried: usize,
    /// Waiters the pool granted something, whose task has not run yet.
    woken: VecDeque<WaiterId>,
}

/// What a run did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    /// Steps taken.
    pub steps: u64,
    /// Requests made.
    pub requests: usize,
    /// Answered.
    pub ok: usize,
    /// Failed with a typed error (deadlines and cancellations included).
    pub failed: usize,
    /// Of those: timed out, cancelled.
    pub timed_out: usize,
    /// Cancelled by their caller.
    pub cancelled: usize,
    /// Requests sent again after their connection failed.
    pub retried: usize,
}

impl<'a> Sim<'a> {
    /// A world whose choices come from `choices`, with at most
    /// `max_per_host` connections per host.
    pub fn new(choices: Choices<'a>, max_per_host: usize) -> Sim<'a> {
        Sim {
            choices,
            now: Instant::now(),
            pool: Pool::new(PoolConfig {
                max_per_host,
                max_idle_per_host: 2,
                max_idle: 3,
                idle_timeout: Duration::from_secs(5),
            }),
            max_per_host,
            conns: HashMap::new(),
            next_conn: 0,
            reqs: Vec::new(),
            received: HashMap::new(),
            steps: 0,
            retried: 0,
            woken: VecDeque::new(),
        }
    }

    /// Run `steps` steps with faults, then let the world settle (no more
    /// faults or new requests; bytes flow, time passes) and check that
    /// every request ended. Panics with the broken invariant.
    pub fn run(mut self, steps: u64) -> Tally {
        for _ in 0..steps {
            if self.choices.exhausted() {
                break;
            }
            self.step(true);
        }
        let mut settle = 0;
        while self.reqs.iter().any(|r| !matches!(r.state, State::Done(_))) {
            settle += 1;
            assert!(
                settle < 100_000,
                "the world did not settle: {}",
                self.describe()
            );
            self.step(false);
        }
        let mut t = Tally {
            retried: self.retried,
            steps: self.steps,
            requests: self.reqs.len(),
            ..Tally::default()
        };
        for r in &self.reqs {
            match &r.state {
                State::Done(Ok(())) => t.ok += 1,
                State::Done(Err(e)) if e == "DeadlineExceeded" => t.timed_out += 1,
                State::Done(Err(e)) if e == "Cancelled" => t.cancelled += 1,
                _ => t.failed += 1,
            }
        }
        t
    }

    fn describe(&self) -> String {
        let open: Vec<String> = self
            .reqs
            .iter()
            .filter(|r| !matches!(r.state, State::Done(_)))
            .map(|r| format!("#{} {:?}", r.id, r.state))
            .collect();
        format!("open requests: {open:?}")
    }

    fn step(&mut self, faults: bool) {
        self.steps += 1;
        let choice = if faults {
            self.choices.below(21)
        } else {
            // Settling: bytes flow, woken tasks run, time passes.
            [6, 7, 12, 19][self.choices.below(4) as usize]
        };
        match choice {
            0..=3 => self.new_request(),
            4..=8 => self.deliver_up(),
            9..=13 => self.deliver_down(),
            14 => self.server_close(),
            15 => self.reset(),
            16 | 17 => self.advance(),
            18 => self.cancel(),
            19 => self.run_woken(),
            _ => {
                // A big jump of the clock.
                self.now += Duration::from_millis(self.choices.below(8000));
                self.expire();
            }
        }
        if !faults {
            self.now += Duration::from_millis(50);
            self.expire();
        }
        self.check();
    }

    fn new_request(&mut self) {
        let id = self.reqs.len() as u64;
        let k = self.choices.below(u64::from(HOSTS)) as u8;
        let post = self.choices.below(3) == 0;
        let redirect = self.choices.below(4) == 0;
        let target = if redirect {
            format!("http://h{k}/{id}/r")
        } else {
            format!("http://h{k}/{id}")
        };
        let method = if post { "POST" } else { "GET" };
        let limit = Duration::from_millis(1000 + self.choices.below(9000));
        self.reqs.push(Req {
            id,
            key: k,
            post,
            chain: Chain::new(Redirects::follow(3), method, target),
            deadline: Deadline::after(limit, self.now),
            state: State::Done(Ok(())),
        });
        self.lease(id as usize);
    }

    /// Put request `r` (its chain's current hop) on a connection, or in
    /// line.
    fn lease(&mut self, r: usize) {
        let k = self.reqs[r].key;
        self.pool.handle_timeout(self.now);
        self.close_let_go();
        match self.pool.checkout(&key(k), self.now) {
            Checkout::Reuse(c) => self.start(r, Some(c)),
            Checkout::Connect => self.start(r, None),
            Checkout::Wait(w) => self.reqs[r].state = State::Waiting(w),
        }
    }

    fn start(&mut self, r: usize, reuse: Option<usize>) {
        let k = self.reqs[r].key;
        let c = match reuse {
            Some(c) => {
                let conn = self.conns.get_mut(&c).expect("a pooled connection exists");
                if !conn.idle_ok() {
                    conn.reopen();
                }
                c
            }
            None => {
                let c = self.next_conn;
                self.next_conn += 1;
                self.conns.insert(c, Conn::new(k));
                c
            }
        };
        let req = &mut self.reqs[r];
        let (method, keep_body) = (req.chain.method().to_string(), req.chain.keep_body());
        let target = req
            .chain
            .url()
            .splitn(4, '/')
            .nth(3)
            .map_or("/".into(), |p| format!("/{p}"));
        let id = req.id.to_string();
        let body = (req.post && keep_body).then(|| id.clone().into_bytes());
        let conn = self.conns.get_mut(&c).unwrap();
        conn.holder = Some(r);
        conn.head = None;
        conn.body.clear();
        req.state = State::On(c);
        let sent = conn
            .ex
            .request(&method, &target, body.as_deref(), &[("X-Id", id.as_str())]);
        if let Err(e) = sent {
            self.fail(c, e);
            return;
        }
        self.transmit(c);
    }

    /// What the client has to send goes on the wire.
    fn transmit(&mut self, c: usize) {
        let now = self.now;
        let conn = self.conns.get_mut(&c).unwrap();
        while let Some(b) = conn.ex.poll_transmit(|| now) {
            conn.up.extend(b.iter());
        }
    }

    fn pick_conn(&mut self, want: impl Fn(&Conn) -> bool) -> Option<usize> {
        let mut ids: Vec<usize> = self
            .conns
            .iter()
            .filter(|(_, c)| want(c))
            .map(|(&i, _)| i)
            .collect();
        if ids.is_empty() {
            return None;
        }
        ids.sort_unstable();
        Some(ids[self.choices.below(ids.len() as u64) as usize])
    }

    /// Some bytes reach a server, which answers the requests they complete.
    fn deliver_up(&mut self) {
        let Some(c) = self.pick_conn(|c| !c.up.is_empty() && !c.server_closed) else {
            return;
        };
        let n = 1 + self.choices.below(200) as usize;
        let close_after = self.choices.below(6) == 0;
        // The server acts on the request, then dies before answering.
        let crash = self.choices.below(8) == 0;
        let conn = self.conns.get_mut(&c).unwrap();
        let n = n.min(conn.up.len());
        conn.server_in.extend(conn.up.drain(..n));
        // The server answers each whole request it has.
        while let Some(end) = conn.server_in.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&conn.server_in[..end]).into_owned();
            let len: usize = head
                .to_ascii_lowercase()
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if conn.server_in.len() < end + 4 + len {
                break;
            }
            conn.server_in.drain(..end + 4 + len);
            let line = head.lines().next().unwrap_or("").to_string();
            let request = line
                .rsplit_once(' ')
                .map_or(line.clone(), |(r, _)| r.to_string());
            let n = self.received.entry(request.clone()).or_default();
            *n += 1;
            let limit = if request.starts_with("POST ") { 1 } else { 2 };
            assert!(*n <= limit, "{request} received {n} times");
            let target = request.split(' ').nth(1).unwrap_or("/");
            let id = head
                .lines()
                .find_map(|l| l.strip_prefix("X-Id: "))
                .unwrap_or("?");
            if crash {
                conn.server_closed = true;
                conn.server_in.clear();
                conn.up.clear();
                break;
            }
            let close = if close_after {
                "Connection: close\r\n"
            } else {
                ""
            };
            let answer = match target.strip_suffix("/r") {
                Some(to) => format!(
                    "HTTP/1.1 302 Found\r\nLocation: {to}\r\n{close}Content-Length: 0\r\n\r\n"
                ),
                None => format!(
                    "HTTP/1.1 200 OK\r\n{close}Content-Length: {}\r\n\r\n{id}",
                    id.len()
                ),
            };
            conn.down.extend(answer.bytes());
            if close_after {
                conn.server_closed = true;
                conn.server_in.clear();
                conn.up.clear();
                break;
            }
        }
    }

    /// Some bytes reach a client (and, once it has them all, the close).
    fn deliver_down(&mut self) {
        let Some(c) =
            self.pick_conn(|c| !c.down.is_empty() || (c.server_closed && c.holder.is_some()))
        else {
            return;
        };
        let n = 1 + self.choices.below(300) as usize;
        let conn = self.conns.get_mut(&c).unwrap();
        let n = n.min(conn.down.len());
        if n > 0 {
            let bytes: Vec<u8> = conn.down.drain(..n).collect();
            let mut at = 0;
            while at < bytes.len() {
                let buf = conn.ex.begin_recv();
                let k = buf.len().min(bytes.len() - at);
                buf[..k].copy_from_slice(&bytes[at..at + k]);
                conn.ex.handle_read(k);
                at += k;
            }
        } else if conn.server_closed {
            conn.ex.handle_eof();
        }
        self.read(c);
    }

    /// The client reads what it has on connection `c`.
    fn read(&mut self, c: usize) {
        let Some(conn) = self.conns.get_mut(&c) else {
            return;
        };
        let Some(r) = conn.holder else {
            return;
        };
        loop {
            let conn = self.conns.get_mut(&c).unwrap();
            if conn.head.is_none() {
                let mut head = conn.ex.take_head();
                match conn.ex.poll_head(&mut head) {
                    Ok(Some(_)) => conn.head = Some(head),
                    Ok(None) => return,
                    Err(e) => return self.fail(c, e),
                }
            }
            let conn = self.conns.get_mut(&c).unwrap();
            let mut trailers = Vec::new();
            match conn.ex.poll_body(&mut trailers) {
                Ok(BodyStep::Chunk(b)) => conn.body.extend_from_slice(&b),
                Ok(BodyStep::NeedData) => return,
                Ok(BodyStep::Done) => return self.complete(r, c),
                Err(e) => return self.fail(c, e),
            }
        }
    }

    /// Request `r`'s response on `c` ended.
    fn complete(&mut self, r: usize, c: usize) {
        let conn = self.conns.get_mut(&c).unwrap();
        let head = conn.head.take().expect("a head before the end");
        let body = std::mem::take(&mut conn.body);
        let (status, location) = (
            head.status(),
            head.header("location")
                .map(|v| String::from_utf8_lossy(&v).into_owned()),
        );
        let req = &mut self.reqs[r];
        assert!(
            self.now < req.deadline.at(),
            "request #{} answered after its deadline",
            req.id
        );
        let follow = req.chain.follow(status, location.as_deref(), true);
        self.release(c);
        match follow {
            Ok(true) => self.lease(r),
            Ok(false) => {
                assert_eq!(status, 200, "request #{}: {status}", self.reqs[r].id);
                assert_eq!(
                    body,
                    self.reqs[r].id.to_string().as_bytes(),
                    "request #{} got another's response",
                    self.reqs[r].id
                );
                self.reqs[r].state = State::Done(Ok(()));
            }
            Err(e) => self.reqs[r].state = State::Done(Err(e.name().to_string())),
        }
    }

    /// Connection `c` failed under its request: sent again on a new
    /// transport when the client layer says so, else the request fails.
    fn fail(&mut self, c: usize, e: Error) {
        let conn = self.conns.get_mut(&c).unwrap();
        let Some(r) = conn.holder else {
            return;
        };
        match conn.ex.recover(e) {
            Ok(()) => {
                self.retried += 1;
                conn.reopen();
                if let Err(e) = conn.ex.replay() {
                    self.reqs[r].state = State::Done(Err(e.name().to_string()));
                    self.discard(c);
                    return;
                }
                self.transmit(c);
            }
            Err(e) => {
                self.reqs[r].state = State::Done(Err(e.name().to_string()));
                self.discard(c);
            }
        }
    }

    /// The request on `c` is done with it: back to the pool if it can carry
    /// another, else closed.
    fn release(&mut self, c: usize) {
        let conn = self.conns.get_mut(&c).unwrap();
        conn.holder = None;
        let k = conn.key;
        if conn.ex.engine().is_reusable() && !conn.server_closed {
            let woken = self.pool.checkin(&key(k), c, self.now);
            self.close_let_go();
            self.settle(woken);
        } else {
            self.discard(c);
        }
    }

    /// `c` is closed; its slot goes to the next waiter.
    fn discard(&mut self, c: usize) {
        let Some(conn) = self.conns.remove(&c) else {
            return;
        };
        if let Some(r) = conn.holder {
            if let State::On(_) = self.reqs[r].state {
                self.reqs[r].state = State::Done(Err("Closed".into()));
            }
        }
        let woken = self.pool.discard(&key(conn.key));
        self.settle(woken);
    }

    /// The pool granted `woken` something: its task runs at a later step
    /// (a woken task is not polled at once), so it may be cancelled first.
    fn settle(&mut self, woken: Option<WaiterId>) {
        if let Some(w) = woken {
            assert!(
                self.reqs.iter().any(|q| q.state == State::Waiting(w)),
                "the pool woke a waiter nobody is: {w:?}"
            );
            self.woken.push_back(w);
        }
    }

    /// The first woken task runs: it takes its grant and starts.
    fn run_woken(&mut self) {
        let Some(w) = self.woken.pop_front() else {
            return;
        };
        let Some(r) = self.reqs.iter().position(|q| q.state == State::Waiting(w)) else {
            // It gave up meanwhile (its grant passed on).
            return;
        };
        match self.pool.take_grant(w).expect("a woken waiter has a grant") {
            Grant::Reuse(c) => self.start(r, Some(c)),
            Grant::Connect => self.start(r, None),
        }
    }

    fn close_let_go(&mut self) {
        while let Some(c) = self.pool.poll_close() {
            let conn = self.conns.remove(&c).expect("an idle connection exists");
            assert!(
                conn.holder.is_none(),
                "the pool let go of a held connection"
            );
        }
    }

    /// A server closes one connection (after what it already sent).
    fn server_close(&mut self) {
        if let Some(c) = self.pick_conn(|c| !c.server_closed) {
            let conn = self.conns.get_mut(&c).unwrap();
            conn.server_closed = true;
            conn.up.clear();
            conn.server_in.clear();
        }
    }

    /// A connection is reset: everything on the wire is lost.
    fn reset(&mut self) {
        let Some(c) = self.pick_conn(|_| true) else {
            return;
        };
        let conn = self.conns.get_mut(&c).unwrap();
        conn.down.clear();
        conn.server_closed = true;
        conn.up.clear();
        conn.server_in.clear();
        if conn.holder.is_some() {
            let e = Error::io(
                "reading the response",
                std::io::Error::from(std::io::ErrorKind::ConnectionReset),
            );
            conn.ex.handle_write_error();
            self.fail(c, e);
        }
    }

    fn advance(&mut self) {
        self.now += Duration::from_millis(self.choices.below(500));
        self.expire();
    }

    /// Requests past their deadline fail; idle connections expire.
    fn expire(&mut self) {
        for r in 0..self.reqs.len() {
            if self.now < self.reqs[r].deadline.at() {
                continue;
            }
            match self.reqs[r].state.clone() {
                State::Waiting(w) => {
                    self.reqs[r].state = State::Done(Err("DeadlineExceeded".into()));
                    let woken = self.pool.cancel(&key(self.reqs[r].key), w, self.now);
                    self.close_let_go();
                    self.settle(woken);
                }
                State::On(c) => {
                    self.reqs[r].state = State::Done(Err("DeadlineExceeded".into()));
                    self.conns.get_mut(&c).unwrap().holder = None;
                    self.discard(c);
                }
                State::Done(_) => {}
            }
        }
        self.pool.handle_timeout(self.now);
        self.close_let_go();
    }

    /// A request is given up by its caller.
    fn cancel(&mut self) {
        let open: Vec<usize> = (0..self.reqs.len())
            .filter(|&r| !matches!(self.reqs[r].state, State::Done(_)))
            .collect();
        if open.is_empty() {
            return;
        }
        let r = open[self.choices.below(open.len() as u64) as usize];
        match self.reqs[r].state.clone() {
            State::Waiting(w) => {
                self.reqs[r].state = State::Done(Err("Cancelled".into()));
                let woken = self.pool.cancel(&key(self.reqs[r].key), w, self.now);
                self.close_let_go();
                self.settle(woken);
            }
            State::On(c) => {
                self.reqs[r].state = State::Done(Err("Cancelled".into()));
                self.conns.get_mut(&c).unwrap().holder = None;
                self.discard(c);
            }
            State::Done(_) => {}
        }
    }

    /// The invariants, after every step.
    fn check(&self) {
        let mut waiting_on: HashMap<WaiterId, u8> = HashMap::new();
        for r in &self.reqs {
            if let State::Waiting(w) = r.state {
                waiting_on.insert(w, r.key);
            }
        }
        for k in 0..HOSTS {
            let pk = key(k);
            let held = self
                .conns
                .values()
                .filter(|c| c.key == k && c.holder.is_some())
                .count();
            let granted = self
                .woken
                .iter()
                .filter(|w| waiting_on.get(w) == Some(&k))
                .count();
            assert_eq!(self.pool.in_use(&pk), held + granted, "host {k}: in use");
            assert!(
                held + granted + self.pool.idle(&pk) <= self.max_per_host,
                "host {k}: over the limit"
            );
            // Every open connection is held, idle in the pool, or granted
            // to a waiter (none is lost to the pool's bookkeeping).
            let open = self.conns.values().filter(|c| c.key == k).count();
            assert!(
                open <= held + granted + self.pool.idle(&pk),
                "host {k}: {open} connections open, {held} held, {granted} granted, {} idle",
                self.pool.idle(&pk)
            );
            let waiting = waiting_on.values().filter(|&&h| h == k).count() - granted;
            assert_eq!(self.pool.waiting(&pk), waiting, "host {k}: waiters");
            assert!(
                waiting == 0 || held + granted == self.max_per_host,
                "host {k}: {waiting} wait with room"
            );
        }
        for c in self.conns.values() {
            if let Some(r) = c.holder {
                assert!(
                    matches!(self.reqs[r].state, State::On(x) if self.conns.get(&x).is_some_and(|h| std::ptr::eq(h, c))),
                    "a connection held by a request that is not on it"
                );
            }
        }
    }
}

/// The fuzz target `client_parsers`: the client layer's own byte parsers
/// on arbitrary input — the SOCKS5 handshake fed the input as the proxy's
/// replies, proxy URLs, `no_proxy` lists, (with their features) the body
/// decoders, and request URLs. None may panic; each either succeeds or
/// returns a typed error; and a URL the fast path of
/// [`Target::parse`](crate::target::Target::parse) splits must come out
/// as the WHATWG parser has it.
pub fn fuzz_parsers(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    if mode >= 0xf0 {
        // Request URLs: the input after `http://` (the fast path's usual
        // prefix, so that the fuzzer need not find it) or as it is.
        let url = if mode % 2 == 0 {
            format!("http://{text}")
        } else {
            text.to_string()
        };
        crate::target::check_fast_path(&url);
        return;
    }
    match mode % 4 {
        0 => {
            let _ = crate::Proxy::parse(&text);
            let _ = crate::EnvProxies::from_vars(|name| {
                (name == "https_proxy" || name == "no_proxy").then(|| text.to_string())
            });
        }
        1 => {
            let list = crate::NoProxy::parse(&text);
            for host in ["example.com", "10.1.2.3", "::1", "a.b.example.com", ""] {
                let _ = list.matches(host, 80);
            }
            for token in text.split(',') {
                let _ = list.matches(token.trim(), 443);
            }
        }
        2 => {
            #[cfg(feature = "socks")]
            {
                use crate::socks::{Socks5Opener, SocksTarget};
                let target = if rest.first().is_some_and(|b| b % 2 == 0) {
                    SocksTarget::Name("origin.example".into(), 443)
                } else {
                    SocksTarget::Ip("10.0.0.1".parse().expect("an address"), 80)
                };
                let mut opener =
                    Socks5Opener::new(target, Some(("user", "pw"))).expect("valid credentials");
                for piece in rest.chunks(3) {
                    while opener.poll_transmit().is_some() {}
                    match opener.poll_established() {
                        Ok(Some(_)) | Err(_) => return,
                        Ok(None) => opener.handle_data(piece),
                    }
                }
                opener.handle_eof();
                let _ = opener.poll_established();
            }
        }
        _ => {
            let codings: &[&[u8]] = &[b"gzip", b"deflate", b"br", b"zstd"];
            let coding = codings[usize::from(rest.first().copied().unwrap_or(0)) % 4];
            let limits = crate::decode::DecodeLimits {
                max_decoded: 1 << 24,
                ..Default::default()
            };
            if let Some(mut d) = crate::decode::Decoder::for_encoding(coding, limits) {
                let mut out = Vec::new();
                for piece in rest.chunks(7) {
                    out.clear();
                    if d.push(piece, &mut out).is_err() {
                        return;
                    }
                }
                out.clear();
                let _ = d.finish(&mut out);
            }
        }
    }
}
