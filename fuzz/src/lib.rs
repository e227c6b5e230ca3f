//! The fuzz harness for the httpcore engine: one function per target, each
//! panicking when an invariant breaks. The cargo-fuzz binaries in
//! `fuzz_targets/` call these; `httpcore/tests/fuzz_corpus.rs` includes this
//! file and replays every corpus and artifact file through them on stable.
//!
//! Inputs are decoded from raw bytes by hand (no `arbitrary`), so that the
//! same file means the same case everywhere.

use httpcore::{
    Authority, BodyLength, Config, Connection, Error, Event, Framing, Leniency, Limits, Version,
};

/// Bytes consumed from the front of a fuzz input.
struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// A length-prefixed piece (one length byte).
    fn piece(&mut self) -> &'a [u8] {
        let n = (self.byte() as usize).min(self.data.len());
        let (a, b) = self.data.split_at(n);
        self.data = b;
        a
    }

    fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }
}

/// Small limits, so that every limit is reachable by short inputs.
fn tiny_limits() -> Limits {
    Limits {
        max_status_line: 64,
        max_header_line: 64,
        max_headers: 4,
        max_head_bytes: 256,
        max_chunk_line: 16,
        max_chunk_ext_bytes: 24,
        max_trailer_bytes: 64,
        max_trailers: 2,
        max_interim_responses: 2,
    }
}

fn config(flags: u8) -> Config {
    let mut c = Config::default();
    if flags & 1 != 0 {
        c.leniency = Leniency::LENIENT;
    }
    if flags & 2 != 0 {
        c.limits = tiny_limits();
    }
    c.read_size = 64;
    c
}

/// An owned event. Adjacent body chunks are merged, so that recordings of
/// the same bytes fed in different splits compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ev {
    /// `Event::StatusLine`.
    Status(Version, u16, Vec<u8>),
    /// `Event::Header`.
    Header(Vec<u8>, Vec<u8>),
    /// `Event::EndOfHead`.
    EndOfHead(Framing),
    /// `Event::BodyChunk`s, merged.
    Body(Vec<u8>),
    /// `Event::Trailer`.
    Trailer(Vec<u8>, Vec<u8>),
    /// `Event::Done`.
    Done(bool),
}

/// Push one event into a recording, merging body chunks.
pub fn record(events: &mut Vec<Ev>, ev: &Event<'_>) {
    let owned = match ev {
        Event::StatusLine(s) => Ev::Status(s.version, s.status, s.reason.to_vec()),
        Event::Header(h) => Ev::Header(h.name.to_vec(), h.value.to_vec()),
        Event::EndOfHead(f) => Ev::EndOfHead(*f),
        Event::BodyChunk(b) => {
            assert!(!b.is_empty(), "empty body chunk");
            if let Some(Ev::Body(prev)) = events.last_mut() {
                prev.extend_from_slice(b);
                return;
            }
            Ev::Body(b.to_vec())
        }
        Event::Trailer(h) => Ev::Trailer(h.name.to_vec(), h.value.to_vec()),
        Event::Done(d) => Ev::Done(d.reusable),
    };
    events.push(owned);
}

/// The parts of an error that cannot depend on the split.
pub fn error_key(e: &Error) -> String {
    match e {
        Error::LineTooLong { .. } | Error::LimitExceeded { .. } | Error::IncompleteRead { .. } => {
            format!("{e:?}")
        }
        _ => e.name().to_string(),
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    events: Vec<Ev>,
    error: Option<String>,
    leftover: Option<Vec<u8>>,
}

/// Hand `piece` to the connection, by `handle_data` or — the way an adapter
/// reads from a socket — through `begin_recv` + `handle_recv`.
pub fn feed(conn: &mut Connection, mut piece: &[u8], via_begin_recv: bool) {
    if !via_begin_recv {
        conn.handle_data(piece);
        return;
    }
    // A read that would block: the space is offered, scribbled on, and
    // never reported. None of it may ever be parsed.
    conn.begin_recv().fill(b'\n');
    while !piece.is_empty() {
        let buf = conn.begin_recv();
        // Past what a read reports, the buffer holds whatever it held:
        // junk that would change the parse if it were ever read.
        buf.fill(b'\n');
        let n = buf.len().min(piece.len());
        buf[..n].copy_from_slice(&piece[..n]);
        conn.handle_recv(n);
        piece = &piece[n..];
    }
}

/// Drain events; `false` once an error ended the connection. With
/// `body_chunks`, body bytes are taken with `poll_body_chunk` wherever it
/// has them (recorded as the `BodyChunk` events they stand for), so that
/// the comparisons between splits hold it to `poll_event`.
pub fn drain(
    conn: &mut Connection,
    events: &mut Vec<Ev>,
    error: &mut Option<Error>,
    body_chunks: bool,
) -> bool {
    loop {
        if body_chunks {
            if let Some(b) = conn.poll_body_chunk() {
                record(events, &Event::BodyChunk(b));
                continue;
            }
        }
        match conn.poll_event() {
            Ok(Some(ev)) => record(events, &ev),
            Ok(None) => return true,
            Err(e) => {
                assert!(
                    e.is_remote() || matches!(e, Error::RemoteDisconnected { .. }),
                    "non-wire error from poll_event: {e:?}"
                );
                assert_eq!(conn.poll_event().unwrap_err(), e, "errors must be sticky");
                assert!(
                    conn.poll_body_chunk().is_none(),
                    "body bytes after an error"
                );
                assert!(
                    conn.put_request("GET", "/", false, false).is_err(),
                    "a failed connection took a request"
                );
                *error = Some(e);
                return false;
            }
        }
    }
}

fn run(
    method: &str,
    pipelined: usize,
    cfg: &Config,
    input: &[u8],
    cuts: &[usize],
    eof: bool,
) -> Outcome {
    let config = Config {
        max_pipelined: pipelined.max(1),
        ..cfg.clone()
    };
    let mut conn = Connection::new(Authority::new("example.com", 80, 80), config);
    for _ in 0..pipelined.max(1) {
        match method {
            "CONNECT" => {
                conn.put_request("CONNECT", "example.com:443", false, true)
                    .unwrap();
                conn.end_headers().unwrap();
            }
            "UPGRADE" => {
                conn.request(
                    "GET",
                    "/",
                    None,
                    &[("Connection", "upgrade"), ("Upgrade", "x")],
                )
                .unwrap();
            }
            m => {
                conn.request(m, "/", None, &[] as &[(&str, &str)]).unwrap();
            }
        }
        if method == "CONNECT" || method == "UPGRADE" {
            break;
        }
    }
    while conn.poll_transmit().is_some() {}
    let mut events = Vec::new();
    let mut error = None;
    let mut last = 0;
    let mut alive = true;
    for &c in cuts.iter().chain(std::iter::once(&input.len())) {
        let c = c.clamp(last, input.len());
        let piece = &input[last..c];
        last = c;
        feed(&mut conn, piece, c % 3 != 0);
        if !drain(&mut conn, &mut events, &mut error, c % 2 != 0) {
            alive = false;
            break;
        }
        // Memory stays bounded: the engine never holds much more than
        // what it was given plus one read's worth.
        assert!(conn.leftover().len() <= input.len() + 64);
    }
    if alive && eof {
        conn.handle_eof();
        drain(&mut conn, &mut events, &mut error, true);
    }
    if error.is_none() && conn.is_reusable() {
        assert!(
            conn.unanswered().next().is_none(),
            "reusable with requests unanswered"
        );
    }
    Outcome {
        events,
        leftover: if error.is_none() {
            Some(conn.leftover().to_vec())
        } else {
            None
        },
        error: error.as_ref().map(error_key),
    }
}

/// Target 1, response stream: arbitrary bytes, arbitrary split points,
/// request method and strict/lenient mode. Never a panic; the same events,
/// error and leftover bytes for every split.
pub fn response_stream(data: &[u8]) {
    let mut input = Input { data };
    let flags = input.byte();
    let seed = u64::from(input.byte()) << 8 | u64::from(input.byte());
    let method = [
        "GET", "HEAD", "CONNECT", "UPGRADE", "GET", "GET", "POST", "GET",
    ][(flags >> 2 & 7) as usize];
    let pipelined = if flags & 0x20 != 0 { 3 } else { 1 };
    let eof = flags & 0x40 != 0;
    let cfg = config(flags);
    let body = input.rest();
    let whole = run(method, pipelined, &cfg, body, &[], eof);
    // Random cuts from the seed, and one byte at a time for short inputs.
    let mut s = seed | 1;
    let mut cuts: Vec<usize> = (0..(seed % 13) as usize)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % (body.len() as u64 + 1)) as usize
        })
        .collect();
    cuts.sort_unstable();
    assert_eq!(
        run(method, pipelined, &cfg, body, &cuts, eof),
        whole,
        "cuts {cuts:?}"
    );
    if body.len() <= 512 {
        let all: Vec<usize> = (1..body.len()).collect();
        assert_eq!(
            run(method, pipelined, &cfg, body, &all, eof),
            whole,
            "byte by byte"
        );
    }
}

/// What the strict engine accepts and httparse refuses, on purpose
/// (`docs/security.md`): HTTP/1.x versions other than 1.0 and 1.1 (read as
/// 1.1, RFC 9110 §2.5) and an `HTTP/0.9` status line (read with 1.0
/// semantics).
fn deliberate_difference(head: &[u8]) -> bool {
    head.len() >= 8
        && head.starts_with(b"HTTP/")
        && !head.starts_with(b"HTTP/1.0")
        && !head.starts_with(b"HTTP/1.1")
}

/// Target 2, differential: a head that both httparse and the strict engine
/// accept must give the same status, reason and fields; a head the strict
/// engine accepts must be one httparse accepts, or a documented difference.
pub fn differential(data: &[u8]) {
    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut resp = httparse::Response::new(&mut headers);
    let theirs = resp.parse(data);

    // The engine, strict, answering a HEAD request (no body to read).
    let mut conn = Connection::new(Authority::new("example.com", 80, 80), Config::default());
    conn.request("HEAD", "/", None, &[] as &[(&str, &str)])
        .unwrap();
    while conn.poll_transmit().is_some() {}
    conn.handle_data(data);
    let ours = match conn.poll_head() {
        Ok(Some(head)) => Some((
            head.status,
            head.headers()
                .map(|h| (h.name.to_vec(), h.value.to_vec()))
                .collect::<Vec<_>>(),
        )),
        _ => None,
    };
    let Some((status, fields)) = ours else { return };
    let n = match theirs {
        Ok(httparse::Status::Complete(n)) => n,
        other => {
            assert!(
                deliberate_difference(data),
                "the strict engine accepted a head httparse refuses ({other:?}): {:?}",
                String::from_utf8_lossy(&data[..data.len().min(200)])
            );
            return;
        }
    };
    let _ = n;
    assert_eq!(Some(status.status), resp.code, "status code");
    if let Some(reason) = resp.reason {
        if !reason.is_empty() || status.reason.is_ascii() {
            assert_eq!(reason.as_bytes(), status.reason, "reason phrase");
        }
    }
    let version = match status.version {
        Version::Http10 => Some(0),
        Version::Http11 => Some(1),
        Version::Http09 => None,
    };
    if version.is_some() && !deliberate_difference(data) {
        assert_eq!(resp.version, version, "version");
    }
    let theirs: Vec<(Vec<u8>, Vec<u8>)> = resp
        .headers
        .iter()
        .map(|h| (h.name.as_bytes().to_vec(), trim(h.value).to_vec()))
        .collect();
    assert_eq!(fields, theirs, "header fields");
}

/// `v` without SP / HTAB at either end.
pub fn trim(v: &[u8]) -> &[u8] {
    let s = v
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(v.len());
    let e = v
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(s, |e| e + 1);
    &v[s..e.max(s)]
}

/// Target 3, request serialiser: an arbitrary method, target, fields and
/// body are either refused with a typed error — and then nothing at all is
/// transmitted — or serialised to bytes that httparse reads back as exactly
/// that request, with nothing before or after it. With both automatic
/// lines, `write_request` writes the same head in one call, or refuses it
/// with the same error.
pub fn request_serializer(data: &[u8]) {
    let mut input = Input { data };
    let flags = input.byte();
    let method = String::from_utf8_lossy(input.piece()).into_owned();
    let target = String::from_utf8_lossy(input.piece()).into_owned();
    let count = (input.byte() % 8) as usize;
    let fields: Vec<(&[u8], &[u8])> = (0..count).map(|_| (input.piece(), input.piece())).collect();
    let body = input.rest();
    let skip_host = flags & 1 != 0;
    let skip_ae = flags & 2 != 0;
    let chunked = flags & 4 != 0;

    let framing = if chunked {
        BodyLength::Unknown
    } else {
        BodyLength::Known(body.len() as u64)
    };
    if !skip_host && !skip_ae {
        one_call_head_matches_steps(&method, &target, &fields, framing, flags & 8 != 0);
    }

    let mut conn = Connection::new(Authority::new("example.com", 8080, 80), Config::default());
    let result = (|| -> Result<(), Error> {
        conn.put_request(&method, &target, skip_host, skip_ae)?;
        for (n, v) in &fields {
            conn.put_header(n, v)?;
        }
        conn.end_headers_with(framing)?;
        for part in body.chunks(1 + (flags >> 4) as usize * 7) {
            conn.send_body(part)?;
        }
        conn.finish_body()
    })();
    let mut wire = Vec::new();
    if let Err(e) = result {
        assert!(!e.is_remote(), "a refusal is never a wire error: {e:?}");
        conn.abort_head();
        conn.transmit_into(&mut wire);
        // A head refused half-way sends nothing; a body refused after its
        // head sends only whole, earlier parts.
        if matches!(e, Error::InvalidRequest { .. }) {
            assert!(wire.is_empty(), "bytes transmitted after a refusal: {e:?}");
        }
        return;
    }
    conn.transmit_into(&mut wire);

    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut req = httparse::Request::new(&mut headers);
    let head_len = match req.parse(&wire) {
        Ok(httparse::Status::Complete(n)) => n,
        other => panic!(
            "serialised head does not parse ({other:?}): {:?}",
            String::from_utf8_lossy(&wire)
        ),
    };
    assert_eq!(req.method, Some(method.as_str()));
    assert_eq!(req.path, Some(target.as_str()));
    assert_eq!(req.version, Some(1));
    // The caller's fields, in order, exactly, among the head's.
    let got: Vec<(&[u8], &[u8])> = req
        .headers
        .iter()
        .map(|h| (h.name.as_bytes(), h.value))
        .collect();
    let mut at = 0;
    for (n, v) in &fields {
        let pos = got[at..]
            .iter()
            .position(|(gn, gv)| gn == n && trim(gv) == trim(v));
        let pos = pos.unwrap_or_else(|| {
            panic!(
                "field {:?} lost: {:?}",
                String::from_utf8_lossy(n),
                String::from_utf8_lossy(&wire)
            )
        });
        at += pos + 1;
    }
    let hosts = got
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(b"host"))
        .count();
    assert!(hosts <= 1, "two Host fields");
    // The body, de-framed independently, and nothing after it.
    let rest = &wire[head_len..];
    if chunked {
        let mut out = Vec::new();
        let mut r = rest;
        loop {
            match httparse::parse_chunk_size(r) {
                Ok(httparse::Status::Complete((n, size))) => {
                    let size = size as usize;
                    r = &r[n..];
                    if size == 0 {
                        break;
                    }
                    out.extend_from_slice(&r[..size]);
                    assert_eq!(&r[size..size + 2], b"\r\n");
                    r = &r[size + 2..];
                }
                other => panic!("bad chunk framing {other:?}"),
            }
        }
        assert_eq!(r, b"\r\n");
        assert_eq!(out, body);
    } else {
        assert_eq!(rest, body);
    }
}

/// `write_request` (the head checked while it is copied, straight into the
/// caller's buffer) writes what `put_request`, `put_header` and
/// `end_headers_with` write, or fails with the error they fail with first,
/// leaving the connection as if it had not been called; so does `request`
/// for a bodiless head, into the connection's own buffer. With `pipelined`,
/// a request before it is still waiting to be transmitted. Shared by the
/// serialiser fuzz target and the property tests.
pub fn one_call_head_matches_steps<N: AsRef<[u8]>, V: AsRef<[u8]>>(
    method: &str,
    target: &str,
    fields: &[(N, V)],
    body: BodyLength,
    pipelined: bool,
) {
    let new = || {
        let config = Config {
            max_pipelined: 4,
            ..Config::default()
        };
        let mut c = Connection::new(Authority::new("example.com", 8080, 80), config);
        if pipelined {
            c.request("GET", "/first", None, &[("A", "b")]).unwrap();
        }
        c
    };
    let mut steps = new();
    let stepped = (|| -> Result<_, Error> {
        let id = steps.put_request(method, target, false, false)?;
        for (n, v) in fields {
            steps.put_header(n, v)?;
        }
        steps.end_headers_with(body)?;
        Ok(id)
    })();
    if stepped.is_err() {
        steps.abort_head();
    }
    let mut stepped_wire = Vec::new();
    steps.transmit_into(&mut stepped_wire);

    let mut once = new();
    let mut once_wire = b"(before)".to_vec();
    let written = once.write_request(method, target, fields, body, &mut once_wire);
    assert_eq!(written, stepped, "write_request and the steps disagree");
    assert_eq!(
        &once_wire[..8],
        b"(before)",
        "write_request lost the caller's bytes"
    );
    assert_eq!(
        &once_wire[8..],
        &stepped_wire[..],
        "write_request wrote {:?}, the steps {:?}",
        String::from_utf8_lossy(&once_wire[8..]),
        String::from_utf8_lossy(&stepped_wire)
    );
    let mut rest = Vec::new();
    once.transmit_into(&mut rest);
    assert!(rest.is_empty(), "write_request left bytes behind");
    assert_eq!(once.send_state(), steps.send_state());
    assert_eq!(once.unanswered().count(), steps.unanswered().count());
    assert_eq!(once.retry_safety(), steps.retry_safety());

    if body == BodyLength::Empty {
        let mut req = new();
        let requested = req.request(method, target, None, fields);
        assert_eq!(requested, stepped, "request and the steps disagree");
        let mut req_wire = Vec::new();
        req.transmit_into(&mut req_wire);
        assert_eq!(req_wire, stepped_wire, "request wrote other bytes");
        assert_eq!(req.send_state(), steps.send_state());
    }
}

/// Target 4, connection: arbitrary sequences of commands and inputs give
/// typed errors only, and the state stays consistent: responses are matched
/// to requests in order, never to another's.
pub fn connection(data: &[u8]) {
    const RESPONSES: [&[u8]; 8] = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 100 Continue\r\n\r\n",
        b"HTTP/1.1 204 No Content\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
        b"HTTP/1.0 200 OK\r\n\r\nbody",
        b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n",
    ];
    const FIELDS: [(&str, &str); 8] = [
        ("Expect", "100-continue"),
        ("Connection", "close"),
        ("Content-Length", "3"),
        ("Transfer-Encoding", "chunked"),
        ("Upgrade", "x"),
        ("Host", "h"),
        ("X", "y"),
        ("Bad Name", "v"),
    ];
    let mut input = Input { data };
    let flags = input.byte();
    let mut config = config(flags);
    config.max_pipelined = 1 + (flags >> 4) as usize % 4;
    let mut conn = Connection::new(Authority::new("example.com", 80, 80), config);
    let mut started: Vec<httpcore::RequestId> = Vec::new();
    let mut answered = 0usize;
    let mut failed = false;
    let mut steps = 0;
    while !input.data.is_empty() && steps < 200 {
        steps += 1;
        let op = input.byte();
        let arg = input.byte();
        let r: Result<(), Error> = match op % 16 {
            0 => conn
                .put_request(
                    ["GET", "HEAD", "POST", "CONNECT"][arg as usize % 4],
                    "/",
                    arg & 4 != 0,
                    arg & 8 != 0,
                )
                .map(|id| started.push(id)),
            1 => {
                let (n, v) = FIELDS[arg as usize % 8];
                conn.put_header(n, v)
            }
            2 => conn.end_headers(),
            3 => conn.end_headers_with(
                [BodyLength::Empty, BodyLength::Known(3), BodyLength::Unknown][arg as usize % 3],
            ),
            4 => conn.send_body(&b"abcdef"[..arg as usize % 7]),
            5 => conn.finish_body(),
            6 => conn
                .request(
                    ["GET", "HEAD", "POST"][arg as usize % 3],
                    "/",
                    (arg & 4 != 0).then_some(&b"xyz"[..]),
                    &[] as &[(&str, &str)],
                )
                .map(|id| started.push(id)),
            7 | 8 => {
                let r = RESPONSES[arg as usize % 8];
                let cut = (arg as usize / 8).min(r.len());
                conn.handle_data(&r[..cut]);
                conn.handle_data(&r[cut..]);
                Ok(())
            }
            9 => {
                conn.handle_data(input.piece());
                Ok(())
            }
            10 => {
                conn.handle_eof();
                Ok(())
            }
            11 => {
                if let Some(t) = conn.timer() {
                    conn.handle_timeout(t);
                }
                Ok(())
            }
            12 => {
                let mut out = Vec::new();
                conn.transmit_into(&mut out);
                Ok(())
            }
            13 => {
                conn.abort_head();
                // An aborted head takes its request back.
                if let Some(&last) = started.last() {
                    if started.len() > answered && !conn.unanswered().any(|u| u == last) {
                        started.pop();
                    }
                }
                Ok(())
            }
            14 => match conn.poll_head() {
                Ok(_) => Ok(()),
                Err(e) => Err(e),
            },
            _ => {
                let _ = conn.begin_recv();
                if arg & 1 == 0 {
                    conn.handle_recv(0);
                }
                if arg & 6 == 6 {
                    // The bytes taken at any point: after a 101, or in the
                    // middle of a response (which hands the stream over).
                    let _ = conn.take_leftover();
                }
                Ok(())
            }
        };
        if let Err(e) = r {
            // Typed, and named.
            assert!(!e.name().is_empty());
            if e.is_remote() {
                failed = true;
            }
        }
        // Drain, checking that each response completes the oldest request.
        loop {
            let current = conn.current_request();
            match conn.poll_event() {
                Ok(Some(Event::Done(_))) => {
                    let id = current.expect("a response without a request");
                    assert_eq!(
                        Some(&id),
                        started.get(answered),
                        "response matched to the wrong request"
                    );
                    answered += 1;
                }
                Ok(Some(_)) => {
                    assert!(current.is_some(), "an event with no request outstanding");
                }
                Ok(None) => break,
                Err(e) => {
                    assert!(e.is_remote(), "poll_event returned a non-wire error {e:?}");
                    failed = true;
                    break;
                }
            }
        }
        let unanswered: Vec<_> = conn.unanswered().collect();
        assert!(
            unanswered.windows(2).all(|w| w[0] < w[1]),
            "unanswered out of order"
        );
        if conn.is_reusable() {
            assert!(
                unanswered.is_empty() && !failed,
                "reusable with work outstanding or after an error"
            );
        }
        if failed {
            assert!(conn.put_request("GET", "/", false, false).is_err());
        }
    }
}
