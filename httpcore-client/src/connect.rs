//! Connecting like a browser, sans-IO: name resolution behind a trait
//! ([`Resolve`]; tests and users plug in their own), and the order and
//! timing of connection attempts over every address a name resolves to
//! ([`Attempts`], RFC 8305 "happy eyeballs": IPv6 first, the families
//! alternating, the next attempt `delay` after the previous one started or
//! at once when it failed, the first to connect wins). The adapters run the
//! sockets and the timer; the order and the schedule are decided here.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

/// RFC 8305 §5's recommended "Connection Attempt Delay": how long an
/// attempt runs alone before the next address is tried beside it.
pub const ATTEMPT_DELAY: Duration = Duration::from_millis(250);

/// Turns a host name into addresses. Called from a blocking context (std
/// calls it directly; tokio on its blocking pool).
pub trait Resolve: Send + Sync + fmt::Debug {
    /// The addresses `host` has, each with `port`; in the resolver's order
    /// (the attempts reorder them).
    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>>;
}

/// The operating system's resolver (`getaddrinfo`, through std).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        Ok((host, port).to_socket_addrs()?.collect())
    }
}

/// `host` as an address if it is an IP literal (no resolver needed).
pub fn literal(host: &str, port: u16) -> Option<SocketAddr> {
    let ip: IpAddr = host.parse().ok()?;
    Some(SocketAddr::new(ip, port))
}

/// The addresses to try for `host:port`: the literal itself, or what
/// `resolver` says (none at all is `NotFound` naming the host).
pub fn addresses(resolver: &dyn Resolve, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    if let Some(addr) = literal(host, port) {
        return Ok(vec![addr]);
    }
    let addrs = resolver.resolve(host, port)?;
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{host} resolves to no address"),
        ));
    }
    Ok(addrs)
}

/// RFC 8305 §4: the first address of the preferred family (IPv6), then
/// the families alternating, each family in the resolver's order.
pub fn interleave(addrs: Vec<SocketAddr>) -> Vec<SocketAddr> {
    let (mut v6, mut v4): (VecDeque<_>, VecDeque<_>) =
        addrs.into_iter().partition(SocketAddr::is_ipv6);
    let mut out = Vec::with_capacity(v6.len() + v4.len());
    loop {
        match (v6.pop_front(), v4.pop_front()) {
            (None, None) => return out,
            (a, b) => out.extend(a.into_iter().chain(b)),
        }
    }
}

/// The attempts of one connect, with the time passed in.
#[derive(Debug)]
pub struct Attempts {
    queue: VecDeque<SocketAddr>,
    delay: Duration,
    /// When the next attempt may start without waiting for a failure.
    next_at: Instant,
    running: usize,
    last_error: Option<io::Error>,
}

impl Attempts {
    /// Attempts over `addrs` (reordered by [`interleave`]), the first due
    /// at `now`, each next one `delay` after the previous started.
    pub fn new(addrs: Vec<SocketAddr>, delay: Duration, now: Instant) -> Attempts {
        Attempts {
            queue: interleave(addrs).into(),
            delay,
            next_at: now,
            running: 0,
            last_error: None,
        }
    }

    /// The next address to try at `now`, if one is due: at once when
    /// nothing is running, else once the delay since the last start ran.
    pub fn poll_attempt(&mut self, now: Instant) -> Option<SocketAddr> {
        if self.running > 0 && now < self.next_at {
            return None;
        }
        let addr = self.queue.pop_front()?;
        self.running += 1;
        self.next_at = crate::deadline::later(now, self.delay);
        Some(addr)
    }

    /// When the next attempt is due (`None`: nothing left to start).
    pub fn poll_timeout(&self) -> Option<Instant> {
        (!self.queue.is_empty()).then_some(self.next_at)
    }

    /// A running attempt failed with `error`: when nothing else runs, the
    /// next one is due at once.
    pub fn failed(&mut self, error: io::Error) {
        self.running = self.running.saturating_sub(1);
        self.last_error = Some(error);
    }

    /// Nothing runs and nothing is left: the connect failed.
    pub fn exhausted(&self) -> bool {
        self.running == 0 && self.queue.is_empty()
    }

    /// Why the connect failed: the last attempt's error (taken).
    pub fn take_error(&mut self) -> io::Error {
        self.last_error
            .take()
            .unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address to connect to"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv6_first_then_the_families_alternate() {
        let got = interleave(vec![
            a("10.0.0.1:80"),
            a("10.0.0.2:80"),
            a("10.0.0.3:80"),
            a("[::1]:80"),
            a("[::2]:80"),
        ]);
        let want = [
            "[::1]:80",
            "10.0.0.1:80",
            "[::2]:80",
            "10.0.0.2:80",
            "10.0.0.3:80",
        ];
        assert_eq!(got, want.map(a));
        assert_eq!(interleave(vec![a("10.0.0.1:80")]), [a("10.0.0.1:80")]);
    }

    #[test]
    fn attempts_start_a_delay_apart_or_at_once_after_a_failure() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut at = Attempts::new(
            vec![a("10.0.0.1:80"), a("[::1]:80"), a("10.0.0.2:80")],
            ms(250),
            t0,
        );
        assert_eq!(at.poll_attempt(t0), Some(a("[::1]:80")));
        assert_eq!(at.poll_attempt(t0 + ms(100)), None, "the first runs alone");
        assert_eq!(at.poll_timeout(), Some(t0 + ms(250)));
        assert_eq!(at.poll_attempt(t0 + ms(250)), Some(a("10.0.0.1:80")));
        // Both fail: the last starts at once, without waiting for its slot.
        at.failed(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert_eq!(at.poll_attempt(t0 + ms(260)), None, "one still runs");
        at.failed(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert_eq!(at.poll_attempt(t0 + ms(270)), Some(a("10.0.0.2:80")));
        assert_eq!(at.poll_timeout(), None);
        assert!(!at.exhausted());
        at.failed(io::Error::from(io::ErrorKind::TimedOut));
        assert!(at.exhausted());
        assert_eq!(at.take_error().kind(), io::ErrorKind::TimedOut);
    }

    #[test]
    fn literals_skip_the_resolver_and_nothing_resolved_is_not_found() {
        #[derive(Debug)]
        struct Nothing;
        impl Resolve for Nothing {
            fn resolve(&self, _: &str, _: u16) -> io::Result<Vec<SocketAddr>> {
                Ok(Vec::new())
            }
        }
        assert_eq!(addresses(&Nothing, "::1", 8080).unwrap(), [a("[::1]:8080")]);
        assert_eq!(
            addresses(&Nothing, "127.0.0.1", 80).unwrap(),
            [a("127.0.0.1:80")]
        );
        let e = addresses(&Nothing, "nowhere.test", 80).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert!(e.to_string().contains("nowhere.test"));
    }
}
