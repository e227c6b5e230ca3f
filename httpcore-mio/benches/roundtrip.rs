//! Keep-alive GETs over one loopback connection to the in-process load
//! server httpcore-std's bench uses (a 13-byte body), in interleaved
//! rounds:
//!
//! * httpcore-mio, one request at a time, against a raw std socket loop
//!   (blocking: a fixed request written, a fixed-length answer read) and
//!   against a raw mio loop (the same, non-blocking, waiting in
//!   `Poll::poll`);
//! * httpcore-mio with 16 requests in flight (pipelined) against one at a
//!   time.
//!
//! * httpcore-mio giving its buffers back between requests (the default)
//!   against keeping them.
//!
//! Prints `ratio mio_vs_raw_std <v>`, `ratio mio_vs_raw_mio <v>`,
//! `ratio mio_pipelined_vs_sequential <v>` and `ratio
//! mio_release_idle_vs_keep <v>`: requests per second of the first over
//! the second, the median of the per-round ratios (testkit's `Contest`:
//! order reversed every round).
//!
//! `cargo bench -p httpcore-mio --bench roundtrip`

use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use httpcore_mio::mio::net::TcpStream as MioStream;
use httpcore_mio::mio::{Events, Poll, Token};
use httpcore_mio::{Connection, Output};
use testkit::bench::Contest;
use testkit::load::RESPONSE;

const H: &[(&str, &str)] = &[];

/// httpcore-mio on its own `Poll`: `n` requests, `depth` in flight.
struct Ours {
    poll: Poll,
    events: Events,
    conn: Connection,
}

impl Ours {
    /// `release`: whether the connection gives its buffers back when idle.
    fn new(addr: &str, release: bool) -> Ours {
        let poll = Poll::new().unwrap();
        let mut conn = Connection::http(addr)
            .unwrap()
            .with_release_when_idle(release);
        conn.register(poll.registry(), Token(0)).unwrap();
        Ours {
            poll,
            events: Events::with_capacity(64),
            conn,
        }
    }

    fn run(&mut self, n: usize, depth: usize) -> Duration {
        let t = Instant::now();
        let (mut sent, mut done) = (0, 0);
        while done < n {
            while sent < n && sent - done < depth {
                let registry = self.poll.registry();
                self.conn.request(registry, "GET", "/", None, H).unwrap();
                sent += 1;
            }
            self.poll.poll(&mut self.events, None).unwrap();
            let registry = self.poll.registry();
            for event in self.events.iter() {
                self.conn.handle_event(registry, event);
            }
            while let Some(out) = self.conn.poll_output(registry).unwrap() {
                match out {
                    Output::Head { head, .. } => {
                        assert_eq!(head.status(), 200);
                        self.conn.recycle(head);
                    }
                    Output::Body { chunk, .. } => assert_eq!(chunk.len(), 13),
                    Output::Done { .. } => done += 1,
                }
            }
        }
        t.elapsed()
    }
}

/// A raw mio loop: the fixed request written, the fixed-length answer read
/// as readiness allows.
struct RawMio {
    poll: Poll,
    events: Events,
    socket: MioStream,
    request: Vec<u8>,
}

impl RawMio {
    fn new(addr: &str, request: &[u8]) -> RawMio {
        let poll = Poll::new().unwrap();
        let socket = testkit::load::raw_mio_stream(addr, poll.registry());
        RawMio {
            poll,
            events: Events::with_capacity(64),
            socket,
            request: request.to_vec(),
        }
    }

    fn run(&mut self, n: usize) -> Duration {
        let t = Instant::now();
        let mut answer = [0u8; RESPONSE.len()];
        for _ in 0..n {
            self.socket.write_all(&self.request).unwrap();
            let mut got = 0;
            while got < answer.len() {
                match self.socket.read(&mut answer[got..]) {
                    Ok(0) => panic!("closed"),
                    Ok(k) => got += k,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        self.poll.poll(&mut self.events, None).unwrap()
                    }
                    Err(e) => panic!("{e}"),
                }
            }
        }
        t.elapsed()
    }
}

fn main() {
    let addr = testkit::load::start(128);
    let n = 300;
    let rounds = 31;
    let request = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nAccept-Encoding: identity\r\n\r\n");

    let mut ours = Ours::new(&addr, true);
    let mut kept = Ours::new(&addr, false);
    let mut piped = Ours::new(&addr, true);
    let mut raw_mio = RawMio::new(&addr, request.as_bytes());
    let mut raw_std = std::net::TcpStream::connect(&addr).unwrap();
    raw_std.set_nodelay(true).unwrap();

    let mut contest = Contest::new(None);
    contest
        .entrant("httpcore", || {
            ours.run(n, 1);
            n
        })
        .entrant("httpcore_kept", || {
            kept.run(n, 1);
            n
        })
        .entrant("httpcore_16", || {
            piped.run(n, 16);
            n
        })
        .entrant("raw_std", || {
            let mut answer = [0u8; RESPONSE.len()];
            for _ in 0..n {
                raw_std.write_all(request.as_bytes()).unwrap();
                raw_std.read_exact(&mut answer).unwrap();
            }
            n
        })
        .entrant("raw_mio", || {
            raw_mio.run(n);
            n
        })
        .run(rounds);
    contest.print_ratio("mio_vs_raw_std", "httpcore", "raw_std");
    contest.print_ratio("mio_vs_raw_mio", "httpcore", "raw_mio");
    contest.print_ratio("mio_pipelined_vs_sequential", "httpcore_16", "httpcore");
    contest.print_ratio("mio_release_idle_vs_keep", "httpcore", "httpcore_kept");
    let per = |name| 1e6 / contest.per_second(name);
    eprintln!(
        "  per request (medians of {rounds} rounds of {n}): httpcore-mio {:.1} us (buffers kept {:.1} us), raw std {:.1} us, raw mio {:.1} us, httpcore-mio 16 in flight {:.1} us",
        per("httpcore"),
        per("httpcore_kept"),
        per("raw_std"),
        per("raw_mio"),
        per("httpcore_16"),
    );
}
