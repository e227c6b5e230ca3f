//! The connection pool's policy, sans-IO: which connection a request
//! gets, when it must wait, which idle connections expire — with the time
//! passed in, so it is tested with a virtual clock. The pool holds the
//! adapter's connection values (`C`: a socket and its `Exchange`) and
//! never touches them; the adapter opens, checks and closes them.
//!
//! The protocol, for one request to `key`:
//!
//! 1. [`checkout`](Pool::checkout) answers [`Checkout::Reuse`] (an idle
//!    connection, the most recently used first: run the idle check on its
//!    socket, and if the server closed it, [`discard`](Pool::discard) it and
//!    check out again — a dead idle connection is never used),
//!    [`Checkout::Connect`] (a slot is counted for a new connection: open
//!    it, or `discard` if opening fails), or [`Checkout::Wait`] (the host is
//!    at its limit: wait to be handed a connection or a slot, in order).
//! 2. When the request is done with its connection: [`checkin`](Pool::checkin)
//!    if it can carry another request (it goes to the first waiter, or
//!    idle), [`discard`](Pool::discard) otherwise (the slot goes to the first
//!    waiter, who connects). Either may name a waiter to wake: what it was
//!    granted waits in the pool until it [`take_grant`](Pool::take_grant)s it.
//! 3. A waiter that gives up calls [`cancel`](Pool::cancel), whether or not
//!    it was granted something meanwhile: a grant it never took passes on
//!    to the next waiter (or goes idle), so a request cancelled at any point
//!    loses no slot and no connection.
//!
//! Idle connections past [`PoolConfig::idle_timeout`] are never handed out;
//! [`handle_timeout`](Pool::handle_timeout) moves them (and the ones the
//! idle limits push out) to [`poll_close`](Pool::poll_close), for the
//! adapter to close.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::time::{Duration, Instant};

use crate::deadline::later;

/// Where pooled connections go: only connections with equal keys are
/// shared. Two TLS configurations are told apart by `tls` (a number the
/// adapter gives each configuration it uses, e.g. its `Arc`'s address).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PoolKey {
    /// `https://` (else `http://`).
    pub https: bool,
    /// The origin's host.
    pub host: String,
    /// The origin's port.
    pub port: u16,
    /// The proxy the connection goes through, if any (`host:port`).
    pub proxy: Option<String>,
    /// Which TLS configuration (0 for none).
    pub tls: usize,
}

/// Every field, in as few writes as the hasher takes (a key is hashed on
/// every checkout and checkin): the host, the small fields in one word,
/// the proxy.
impl Hash for PoolKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(self.host.as_bytes());
        let small = u64::from(self.https) | u64::from(self.port) << 8 | (self.tls as u64) << 24;
        state.write_u64(small);
        if let Some(proxy) = &self.proxy {
            state.write(proxy.as_bytes());
        }
    }
}

/// How the pool hashes its keys, on every checkout and checkin: eight
/// bytes at a time, each folded in with one multiplication, and a final
/// 128-bit multiply to spread the bits (std's SipHash took ~250
/// instructions a key). Seeded per pool from std's `RandomState`, so a
/// third party choosing host names cannot aim them at one bucket without
/// the seed; and the map only ever holds the hosts with connections open,
/// idle or waited for (bounded by `max_idle` and the requests in flight),
/// so even a bad spread costs a scan of those, not more.
#[derive(Debug, Clone)]
struct KeyHashing {
    seed: u64,
}

impl KeyHashing {
    fn new() -> KeyHashing {
        KeyHashing {
            seed: RandomState::new().hash_one(0x706f_6f6c_u64),
        }
    }
}

impl BuildHasher for KeyHashing {
    type Hasher = KeyHasher;

    fn build_hasher(&self) -> KeyHasher {
        KeyHasher(self.seed)
    }
}

/// The state of one key's hash (see [`KeyHashing`]).
struct KeyHasher(u64);

/// An odd constant with well-mixed bits (the fractional part of the golden
/// ratio).
const MIX: u64 = 0x9e37_79b9_7f4a_7c15;

impl KeyHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(23) ^ word).wrapping_mul(MIX);
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let (words, tail) = bytes.as_chunks::<8>();
        for word in words {
            self.add(u64::from_le_bytes(*word));
        }
        let mut last = [0u8; 8];
        last[..tail.len()].copy_from_slice(tail);
        self.add(u64::from_le_bytes(last));
        // The length, so that `ab` and `ab\0` differ.
        self.add(bytes.len() as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn finish(&self) -> u64 {
        let wide = u128::from(self.0) * u128::from(MIX);
        (wide as u64) ^ ((wide >> 64) as u64)
    }
}

/// The pool's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolConfig {
    /// Connections per key, in use and idle together; requests beyond it
    /// wait. Default: no limit (as hyper-util and ureq), `usize::MAX`. 0
    /// acts as 1: a limit no request could ever get under would only make
    /// every request wait for nothing.
    pub max_per_host: usize,
    /// Idle connections kept per key. Default 8.
    pub max_idle_per_host: usize,
    /// Idle connections kept in all; past it the least recently used one
    /// goes. Default 100.
    pub max_idle: usize,
    /// How long an idle connection is kept. Default 30 s: between ureq's
    /// 15 s and hyper-util's 90 s, and under the 60–75 s after which large
    /// servers (nginx's 75 s, cloud load balancers' 60 s) close idle
    /// connections themselves — a connection the server is about to drop
    /// is rarely reused. The idle check and safe retries cover the rest.
    pub idle_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            max_per_host: usize::MAX,
            max_idle_per_host: 8,
            max_idle: 100,
            idle_timeout: Duration::from_secs(30),
        }
    }
}

/// A request waiting for a connection to its host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WaiterId(pub u64);

/// What [`Pool::checkout`] gives a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Checkout<C> {
    /// An idle connection (check its socket before using it).
    Reuse(C),
    /// Open a new connection: its slot is counted.
    Connect,
    /// Wait: the host is at `max_per_host`.
    Wait(WaiterId),
}

/// What a waiter is granted when a connection or a slot frees.
#[derive(Debug, PartialEq, Eq)]
pub enum Grant<C> {
    /// A connection handed back by another request (check its socket as
    /// for [`Checkout::Reuse`]).
    Reuse(C),
    /// A slot for a new connection: open it.
    Connect,
}

#[derive(Debug)]
struct Host<C> {
    /// Idle connections, least recently used first, each with the time
    /// it expires (worked out once, when it came back: checking it is then
    /// one comparison).
    idle: VecDeque<(C, Instant)>,
    /// Connections checked out or being opened.
    in_use: usize,
    waiters: VecDeque<WaiterId>,
}

impl<C> Host<C> {
    fn new() -> Self {
        Host {
            idle: VecDeque::new(),
            in_use: 0,
            waiters: VecDeque::new(),
        }
    }

    fn is_empty(&self) -> bool {
        self.idle.is_empty() && self.in_use == 0 && self.waiters.is_empty()
    }
}

/// Connections by key, with their limits and waiters.
#[derive(Debug)]
pub struct Pool<C> {
    config: PoolConfig,
    hosts: HashMap<PoolKey, Host<C>, KeyHashing>,
    idle: usize,
    next_waiter: u64,
    to_close: VecDeque<C>,
    /// What waiters were granted and have not taken yet (their slots are
    /// still counted in their host's `in_use`).
    granted: HashMap<WaiterId, (PoolKey, Grant<C>)>,
    /// No idle connection expires before this (a lower bound: checkins
    /// lower it, expiries only raise the true earliest), so
    /// `handle_timeout` on every request costs a comparison, not a walk
    /// over every host.
    next_expiry: Option<Instant>,
}

impl<C> Pool<C> {
    /// An empty pool with these limits.
    pub fn new(config: PoolConfig) -> Pool<C> {
        Pool {
            config,
            hosts: HashMap::with_hasher(KeyHashing::new()),
            idle: 0,
            next_waiter: 0,
            to_close: VecDeque::new(),
            granted: HashMap::new(),
            next_expiry: None,
        }
    }

    /// The limits.
    pub fn config(&self) -> &PoolConfig {
        &self.config
    }

    /// A connection for a request to `key` at `now` (see the module docs).
    pub fn checkout(&mut self, key: &PoolKey, now: Instant) -> Checkout<C> {
        let max = self.config.max_per_host.max(1);
        let host = match self.hosts.get_mut(key) {
            Some(host) => {
                let expired = expire(host, now, &mut self.to_close);
                self.idle -= expired;
                host
            }
            None => self.hosts.entry(key.clone()).or_insert_with(Host::new),
        };
        if let Some((conn, _)) = host.idle.pop_back() {
            host.in_use += 1;
            self.idle -= 1;
            return Checkout::Reuse(conn);
        }
        if host.in_use < max && host.waiters.is_empty() {
            host.in_use += 1;
            return Checkout::Connect;
        }
        let id = WaiterId(self.next_waiter);
        self.next_waiter += 1;
        host.waiters.push_back(id);
        Checkout::Wait(id)
    }

    /// A connection checked out from `key` can carry another request: to
    /// the first waiter (returned, to be woken), or idle (the most recently
    /// used is handed out first). Past an idle limit it is given to
    /// [`poll_close`](Self::poll_close).
    pub fn checkin(&mut self, key: &PoolKey, conn: C, now: Instant) -> Option<WaiterId> {
        let Some(host) = self.hosts.get_mut(key) else {
            self.to_close.push_back(conn);
            return None;
        };
        if let Some(waiter) = host.waiters.pop_front() {
            self.granted
                .insert(waiter, (key.clone(), Grant::Reuse(conn)));
            return Some(waiter);
        }
        host.in_use = host.in_use.saturating_sub(1);
        if host.idle.len() >= self.config.max_idle_per_host {
            self.to_close.push_back(conn);
        } else {
            let expiry = later(now, self.config.idle_timeout);
            host.idle.push_back((conn, expiry));
            self.idle += 1;
            self.next_expiry = Some(self.next_expiry.map_or(expiry, |e| e.min(expiry)));
            if self.idle > self.config.max_idle {
                self.evict_least_recently_used();
            }
            // Not empty: it holds this connection (or, evicted, another).
            return None;
        }
        self.forget_if_empty(key);
        None
    }

    /// A connection checked out from `key` (or being opened) is gone: its
    /// slot goes to the first waiter (returned, to be woken), who opens a
    /// new connection.
    pub fn discard(&mut self, key: &PoolKey) -> Option<WaiterId> {
        let host = self.hosts.get_mut(key)?;
        if let Some(waiter) = host.waiters.pop_front() {
            self.granted.insert(waiter, (key.clone(), Grant::Connect));
            return Some(waiter);
        }
        host.in_use = host.in_use.saturating_sub(1);
        self.forget_if_empty(key);
        None
    }

    /// What `waiter` was granted, once it has been (`None` while it waits,
    /// and after it took its grant or gave up).
    pub fn take_grant(&mut self, waiter: WaiterId) -> Option<Grant<C>> {
        self.granted.remove(&waiter).map(|(_, grant)| grant)
    }

    /// `waiter` (a request waiting for `key`) gives up: out of the queue if
    /// it was still in it; if it was granted something and never took it,
    /// that passes on as if given back — a connection to the next waiter
    /// or idle, a slot to the next waiter. Returns the waiter to wake, if
    /// any. Unknown or already-taken waiters change nothing.
    pub fn cancel(&mut self, key: &PoolKey, waiter: WaiterId, now: Instant) -> Option<WaiterId> {
        if let Some((key, grant)) = self.granted.remove(&waiter) {
            return match grant {
                Grant::Reuse(conn) => self.checkin(&key, conn, now),
                Grant::Connect => self.discard(&key),
            };
        }
        let host = self.hosts.get_mut(key)?;
        let at = host.waiters.iter().position(|&w| w == waiter)?;
        host.waiters.remove(at);
        self.forget_if_empty(key);
        None
    }

    /// Whether `waiter` is still in its host's queue (neither granted nor
    /// gone).
    pub fn is_waiting(&self, key: &PoolKey, waiter: WaiterId) -> bool {
        self.hosts
            .get(key)
            .is_some_and(|h| h.waiters.contains(&waiter))
    }

    /// When an idle connection next expires, for the adapter's timer.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.hosts
            .values()
            .filter_map(|h| h.idle.front().map(|&(_, expiry)| expiry))
            .min()
    }

    /// The time is `now`: idle connections past their time go to
    /// [`poll_close`](Self::poll_close).
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.next_expiry.is_none_or(|at| now < at) {
            return;
        }
        let mut keys: Vec<PoolKey> = self.hosts.keys().cloned().collect();
        // In key order, so that what goes to `poll_close` comes in the
        // same order for the same inputs.
        keys.sort_unstable();
        for key in &keys {
            self.expire_host(key, now);
        }
        self.next_expiry = self.poll_timeout();
    }

    /// The next connection the pool let go of (expired, or past an idle
    /// limit): the adapter closes it.
    pub fn poll_close(&mut self) -> Option<C> {
        self.to_close.pop_front()
    }

    /// Idle connections to `key`.
    pub fn idle(&self, key: &PoolKey) -> usize {
        self.hosts.get(key).map_or(0, |h| h.idle.len())
    }

    /// Connections to `key` checked out or being opened.
    pub fn in_use(&self, key: &PoolKey) -> usize {
        self.hosts.get(key).map_or(0, |h| h.in_use)
    }

    /// Requests waiting for a connection to `key`.
    pub fn waiting(&self, key: &PoolKey) -> usize {
        self.hosts.get(key).map_or(0, |h| h.waiters.len())
    }

    /// Idle connections in all.
    pub fn idle_total(&self) -> usize {
        self.idle
    }

    fn expire_host(&mut self, key: &PoolKey, now: Instant) {
        let Some(host) = self.hosts.get_mut(key) else {
            return;
        };
        self.idle -= expire(host, now, &mut self.to_close);
        self.forget_if_empty(key);
    }

    /// Let the least recently used idle connection of all go.
    fn evict_least_recently_used(&mut self) {
        let oldest = self
            .hosts
            .iter()
            // The earliest to expire came back first (one idle timeout for all).
            .filter_map(|(k, h)| h.idle.front().map(|&(_, expiry)| (expiry, k.clone())))
            // Ties go by key: the same inputs evict the same connection.
            .min();
        if let Some((_, key)) = oldest {
            let host = self.hosts.get_mut(&key).expect("found above");
            let (conn, _) = host.idle.pop_front().expect("found above");
            self.idle -= 1;
            self.to_close.push_back(conn);
            self.forget_if_empty(&key);
        }
    }

    /// A key with nothing in it takes no memory.
    fn forget_if_empty(&mut self, key: &PoolKey) {
        if self.hosts.get(key).is_some_and(Host::is_empty) {
            self.hosts.remove(key);
        }
    }
}

/// `host`'s idle connections expired at `now` moved to `to_close`; how
/// many.
fn expire<C>(host: &mut Host<C>, now: Instant, to_close: &mut VecDeque<C>) -> usize {
    let mut n = 0;
    while host.idle.front().is_some_and(|&(_, expiry)| expiry <= now) {
        let (conn, _) = host.idle.pop_front().expect("checked above");
        to_close.push_back(conn);
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_per_host_limit_of_zero_acts_as_one() {
        let mut p: Pool<u32> = Pool::new(PoolConfig {
            max_per_host: 0,
            ..PoolConfig::default()
        });
        let a = key("a");
        let t0 = Instant::now();
        assert_eq!(p.checkout(&a, t0), Checkout::Connect);
        assert!(matches!(p.checkout(&a, t0), Checkout::Wait(_)));
        assert_eq!(p.in_use(&a), 1);
    }

    #[test]
    fn an_idle_timeout_of_duration_max_never_expires_and_never_panics() {
        let mut p: Pool<u32> = Pool::new(PoolConfig {
            idle_timeout: Duration::MAX,
            ..PoolConfig::default()
        });
        let a = key("a");
        let t0 = Instant::now();
        assert_eq!(p.checkout(&a, t0), Checkout::Connect);
        assert_eq!(p.checkin(&a, 1, t0), None);
        assert!(p.poll_timeout().is_some_and(|at| at > t0));
        let much_later = t0 + Duration::from_secs(10 * 365 * 24 * 3600);
        p.handle_timeout(much_later);
        assert_eq!(p.poll_close(), None);
        assert_eq!(p.checkout(&a, much_later), Checkout::Reuse(1));
    }

    /// The pool's hasher tells similar keys apart and spreads them over
    /// the low bits (the bucket) and the top seven (hashbrown's tag).
    #[test]
    fn similar_keys_hash_apart_and_spread() {
        let hashing = KeyHashing::new();
        let mut keys = Vec::new();
        for i in 0..512 {
            // Hosts that differ in their last byte, past the first eight,
            // or only in length; and one host on many ports, TLS configs,
            // proxies.
            keys.push(key(&format!("host-{i:03}.example")));
            keys.push(key(&"a".repeat(i % 64 + 1)));
            keys.push(key(&format!("q{i:03}")));
            let mut k = key("same.example");
            k.port = i as u16;
            k.https = i % 2 == 1;
            k.tls = i / 2;
            keys.push(k);
        }
        keys.sort();
        keys.dedup();
        let mut proxied = key("same.example");
        proxied.proxy = Some("proxy.example:3128".into());
        keys.push(proxied);
        let hashes: Vec<u64> = keys.iter().map(|k| hashing.hash_one(k)).collect();
        let mut distinct = hashes.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), keys.len(), "no two keys hash alike");
        let buckets = |bits: fn(u64) -> u64| {
            let mut b: Vec<u64> = hashes.iter().map(|&h| bits(h)).collect();
            b.sort_unstable();
            b.dedup();
            b.len()
        };
        // ~1,600 keys in 1,024 buckets: a uniform spread fills ~79 %.
        assert!(
            buckets(|h| h & 1023) > 700,
            "low bits {}",
            buckets(|h| h & 1023)
        );
        assert_eq!(buckets(|h| h >> 57), 128, "top seven bits");
        // Zero padding is not the same as no bytes.
        assert_ne!(hashing.hash_one(key("ab")), hashing.hash_one(key("ab\0")));
        // Equal keys hash alike, and another pool has another seed.
        assert_eq!(hashing.hash_one(key("a")), hashing.hash_one(key("a")));
        assert_ne!(
            KeyHashing::new().hash_one(key("a")),
            hashing.hash_one(key("a"))
        );
    }

    fn key(host: &str) -> PoolKey {
        PoolKey {
            https: false,
            host: host.to_string(),
            port: 80,
            proxy: None,
            tls: 0,
        }
    }

    fn limited(per_host: usize) -> Pool<u32> {
        Pool::new(PoolConfig {
            max_per_host: per_host,
            ..PoolConfig::default()
        })
    }

    #[test]
    fn the_most_recently_used_idle_connection_goes_first() {
        let mut p = limited(10);
        let (a, t0) = (key("a"), Instant::now());
        for _ in 0..3 {
            assert_eq!(p.checkout(&a, t0), Checkout::Connect);
        }
        for (conn, s) in [(1, 1), (2, 2), (3, 3)] {
            assert_eq!(p.checkin(&a, conn, t0 + Duration::from_secs(s)), None);
        }
        let now = t0 + Duration::from_secs(4);
        assert_eq!(p.checkout(&a, now), Checkout::Reuse(3));
        assert_eq!(p.checkout(&a, now), Checkout::Reuse(2));
        assert_eq!((p.idle(&a), p.in_use(&a)), (1, 2));
    }

    #[test]
    fn waiters_are_served_in_order_with_connections_then_slots() {
        let mut p = limited(1);
        let (a, t) = (key("a"), Instant::now());
        assert_eq!(p.checkout(&a, t), Checkout::Connect);
        let w1 = p.checkout(&a, t);
        let w2 = p.checkout(&a, t);
        let w3 = p.checkout(&a, t);
        let (Checkout::Wait(w1), Checkout::Wait(w2), Checkout::Wait(w3)) = (w1, w2, w3) else {
            panic!("the limit is one")
        };
        assert_eq!(p.cancel(&a, w2, t), None, "w2 gives up");
        assert!(!p.is_waiting(&a, w2));
        assert_eq!(p.checkin(&a, 7, t), Some(w1), "the connection to w1");
        assert_eq!(p.take_grant(w3), None, "w3 still waits");
        assert_eq!(p.take_grant(w1), Some(Grant::Reuse(7)));
        assert_eq!(p.take_grant(w1), None, "taken once");
        assert_eq!(
            p.discard(&a),
            Some(w3),
            "w1's connection died: the slot to w3"
        );
        assert_eq!(p.take_grant(w3), Some(Grant::Connect));
        assert_eq!(p.cancel(&a, w3, t), None, "already taken: nothing changes");
        assert_eq!(p.in_use(&a), 1);
        assert_eq!(p.discard(&a), None);
        assert_eq!((p.in_use(&a), p.waiting(&a)), (0, 0));
        // A new request does not jump the queue while others wait.
        let mut p = limited(1);
        assert_eq!(p.checkout(&a, t), Checkout::Connect);
        assert!(matches!(p.checkout(&a, t), Checkout::Wait(_)));
        assert!(matches!(p.checkout(&a, t), Checkout::Wait(_)));
    }

    #[test]
    fn a_waiter_that_gives_up_after_its_grant_passes_it_on() {
        let mut p = limited(1);
        let (a, t) = (key("a"), Instant::now());
        assert_eq!(p.checkout(&a, t), Checkout::Connect);
        let (Checkout::Wait(w1), Checkout::Wait(w2)) = (p.checkout(&a, t), p.checkout(&a, t))
        else {
            panic!("the limit is one")
        };
        // A connection granted to w1, who gives up: it goes to w2.
        assert_eq!(p.checkin(&a, 7, t), Some(w1));
        assert_eq!(p.cancel(&a, w1, t), Some(w2));
        assert_eq!(p.take_grant(w1), None);
        // w2 gives up too: the connection goes idle, the slot is free.
        assert_eq!(p.cancel(&a, w2, t), None);
        assert_eq!((p.in_use(&a), p.idle(&a)), (0, 1));
        // A slot granted and given up is freed the same way.
        assert_eq!(p.checkout(&a, t), Checkout::Reuse(7));
        let Checkout::Wait(w3) = p.checkout(&a, t) else {
            panic!("the limit is one")
        };
        assert_eq!(p.discard(&a), Some(w3));
        assert_eq!(p.cancel(&a, w3, t), None);
        assert_eq!((p.in_use(&a), p.waiting(&a)), (0, 0));
        assert_eq!(p.checkout(&a, t), Checkout::Connect);
    }

    #[test]
    fn idle_connections_expire_and_are_never_handed_out() {
        let mut p: Pool<u32> = Pool::new(PoolConfig::default());
        let (a, t0) = (key("a"), Instant::now());
        let timeout = p.config().idle_timeout;
        assert_eq!(p.checkout(&a, t0), Checkout::Connect);
        p.checkin(&a, 1, t0);
        assert_eq!(p.poll_timeout(), Some(t0 + timeout));
        // Just before: still there. At expiry: closed, not reused.
        assert_eq!(
            p.checkout(&a, t0 + timeout - Duration::from_millis(1)),
            Checkout::Reuse(1)
        );
        p.checkin(&a, 1, t0);
        assert_eq!(p.checkout(&a, t0 + timeout), Checkout::Connect);
        assert_eq!(p.poll_close(), Some(1));
        // By the timer, without a checkout.
        p.checkin(&a, 2, t0 + timeout);
        p.handle_timeout(t0 + timeout * 2);
        assert_eq!((p.poll_close(), p.idle(&a)), (Some(2), 0));
        assert_eq!(p.poll_timeout(), None);
    }

    #[test]
    fn idle_limits_close_the_extra_and_the_least_recently_used() {
        let mut p: Pool<u32> = Pool::new(PoolConfig {
            max_idle_per_host: 2,
            max_idle: 3,
            ..PoolConfig::default()
        });
        let t0 = Instant::now();
        let at = |s| t0 + Duration::from_secs(s);
        let (a, b) = (key("a"), key("b"));
        for _ in 0..3 {
            p.checkout(&a, t0);
        }
        p.checkin(&a, 1, at(1));
        p.checkin(&a, 2, at(2));
        p.checkin(&a, 3, at(3));
        assert_eq!((p.idle(&a), p.poll_close()), (2, Some(3)), "per host");
        for _ in 0..2 {
            p.checkout(&b, t0);
        }
        p.checkin(&b, 4, at(4));
        p.checkin(&b, 5, at(5));
        assert_eq!(p.idle_total(), 3);
        assert_eq!(p.poll_close(), Some(1), "the least recently used of all");
        assert_eq!((p.idle(&a), p.idle(&b)), (1, 2));
    }

    #[test]
    fn keys_keep_their_connections_apart_and_empty_keys_are_forgotten() {
        let mut p = limited(1);
        let t = Instant::now();
        let plain = key("h");
        let tls = PoolKey {
            https: true,
            tls: 1,
            ..key("h")
        };
        let proxied = PoolKey {
            proxy: Some("p:3128".into()),
            ..key("h")
        };
        for k in [&plain, &tls, &proxied] {
            assert_eq!(p.checkout(k, t), Checkout::Connect, "{k:?}");
        }
        p.checkin(&plain, 1, t);
        assert_eq!(p.idle(&tls), 0);
        assert_eq!(p.discard(&tls), None);
        assert_eq!(p.discard(&proxied), None);
        assert_eq!(p.hosts.len(), 1, "only the key with an idle connection");
    }
}
