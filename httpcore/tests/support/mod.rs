//! Test support shared by the integration tests: drive a `Connection` with
//! a response fed in any split, and record what came out as owned values.
#![allow(dead_code)]

use httpcore::{Authority, Config, Connection, Error, Event};

#[path = "../../../fuzz/src/lib.rs"]
pub mod harness;

pub use harness::{error_key, record, Ev};

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub events: Vec<Ev>,
    pub error: Option<Error>,
    /// Bytes received and not parsed, at the end.
    pub leftover: Vec<u8>,
    pub reusable: bool,
}

impl Outcome {
    /// Events and error, in a form that must not depend on the split.
    pub fn key(&self) -> (Vec<Ev>, Option<String>) {
        (self.events.clone(), self.error.as_ref().map(error_key))
    }

    pub fn body(&self) -> Vec<u8> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Ev::Body(b) => Some(b.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    pub fn final_status(&self) -> Option<u16> {
        let mut s = None;
        for e in &self.events {
            if let Ev::Status(_, code, _) = e {
                s = Some(*code);
            }
        }
        s
    }
}

/// Drain every event available now. Returns false once an error was seen.
pub fn drain(conn: &mut Connection, events: &mut Vec<Ev>, error: &mut Option<Error>) -> bool {
    if error.is_some() {
        return false;
    }
    loop {
        match conn.poll_event() {
            Ok(Some(ev)) => record(events, &ev),
            Ok(None) => return true,
            Err(e) => {
                // Errors are sticky.
                assert_eq!(conn.poll_event().unwrap_err(), e);
                *error = Some(e);
                return false;
            }
        }
    }
}

/// Like [`drain`], but taking each head at once with `poll_head`, and
/// recording it as the events it stands for.
pub fn drain_heads(conn: &mut Connection, events: &mut Vec<Ev>, error: &mut Option<Error>) -> bool {
    if error.is_some() {
        return false;
    }
    loop {
        match conn.poll_head() {
            Ok(Some(head)) => {
                record(events, &Event::StatusLine(head.status));
                for h in head.headers() {
                    record(events, &Event::Header(h));
                }
                record(events, &Event::EndOfHead(head.framing));
                continue;
            }
            Ok(None) => return true,
            Err(Error::ResponseNotReady { .. }) => {}
            Err(e) => {
                *error = Some(e);
                return false;
            }
        }
        match conn.poll_event() {
            Ok(Some(ev)) => record(events, &ev),
            Ok(None) => return true,
            Err(e) => {
                *error = Some(e);
                return false;
            }
        }
    }
}

/// Like [`drain`], but taking body bytes with `poll_body_chunk` whenever it
/// has them: the fuzz harness's drain, with its checks after an error.
pub fn drain_body_chunks(
    conn: &mut Connection,
    events: &mut Vec<Ev>,
    error: &mut Option<Error>,
) -> bool {
    error.is_none() && harness::drain(conn, events, error, true)
}

/// A connection that has sent one `method` request to example.com.
pub fn connection(method: &str, config: Config) -> Connection {
    let mut conn = Connection::new(Authority::parse("example.com", 80).unwrap(), config);
    match method {
        "CONNECT" => {
            conn.put_request("CONNECT", "example.com:443", true, true)
                .unwrap();
            conn.end_headers().unwrap();
        }
        m => {
            conn.request(m, "/", None, &[] as &[(&str, &str)]).unwrap();
        }
    }
    while conn.poll_transmit().is_some() {}
    conn
}

/// How a run drains the connection after each piece.
pub type Drain = fn(&mut Connection, &mut Vec<Ev>, &mut Option<Error>) -> bool;

/// Feed `input` cut at `cuts` (sorted offsets), then end of stream if
/// `eof`; record everything.
pub fn run_cuts(method: &str, config: Config, input: &[u8], cuts: &[usize], eof: bool) -> Outcome {
    run_cuts_with(method, config, input, cuts, eof, drain)
}

/// [`run_cuts`], taking each head at once with `poll_head`.
pub fn run_cuts_heads(
    method: &str,
    config: Config,
    input: &[u8],
    cuts: &[usize],
    eof: bool,
) -> Outcome {
    run_cuts_with(method, config, input, cuts, eof, drain_heads)
}

/// [`run_cuts`] with another way to drain the connection after each
/// piece.
pub fn run_cuts_with(
    method: &str,
    config: Config,
    input: &[u8],
    cuts: &[usize],
    eof: bool,
    drain: Drain,
) -> Outcome {
    let mut conn = connection(method, config);
    let mut events = Vec::new();
    let mut error = None;
    let mut last = 0;
    for &c in cuts.iter().chain(std::iter::once(&input.len())) {
        let c = c.clamp(last, input.len());
        // Alternate the two input paths so both are exercised.
        harness::feed(&mut conn, &input[last..c], c % 2 != 0);
        last = c;
        if !drain(&mut conn, &mut events, &mut error) {
            break;
        }
    }
    if eof && error.is_none() {
        conn.handle_eof();
        drain(&mut conn, &mut events, &mut error);
    }
    Outcome {
        events,
        error,
        leftover: conn.leftover().to_vec(),
        reusable: conn.is_reusable(),
    }
}

pub fn run_whole(method: &str, config: Config, input: &[u8], eof: bool) -> Outcome {
    run_cuts(method, config, input, &[], eof)
}

pub fn run_bytewise(method: &str, config: Config, input: &[u8], eof: bool) -> Outcome {
    let cuts: Vec<usize> = (1..input.len()).collect();
    run_cuts(method, config, input, &cuts, eof)
}

/// A small deterministic PRNG (xorshift) for split points.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn cuts(&mut self, len: usize, n: usize) -> Vec<usize> {
        if len == 0 {
            return Vec::new();
        }
        let mut v: Vec<usize> = (0..n)
            .map(|_| (self.next() % len as u64) as usize)
            .collect();
        v.sort_unstable();
        v
    }
}
