//! Set-up and workloads shared by the benches and
//! `examples/profile_parse.rs`, so that the profile measures exactly what
//! the benches time. Not every includer uses every item.
#![allow(dead_code)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use httpcore::{Authority, BodyLength, Config, Connection, Event};

/// A connection with `n` HEAD requests outstanding (pipelined, so `n`
/// responses can wait in the buffer and each has no body to read).
pub fn pipelined_heads(n: usize) -> Connection {
    let config = Config {
        max_pipelined: n,
        ..Config::default()
    };
    let mut c = Connection::new(Authority::parse("example.com", 80).unwrap(), config);
    for _ in 0..n {
        c.request("HEAD", "/", None, &[] as &[(&str, &str)])
            .unwrap();
    }
    while c.poll_transmit().is_some() {}
    c
}

/// Read every response waiting: each head at once with `poll_head` (what
/// `httparse::Response::parse` gives), then its events up to `Done`.
/// Returns a count that depends on every header value, so that nothing
/// is optimised away.
pub fn drain(c: &mut Connection) -> usize {
    let mut n = 0;
    loop {
        let head = match c.poll_head() {
            Ok(Some(head)) => head,
            Ok(None) => break,
            Err(e) => panic!("{e}"),
        };
        for h in head.headers() {
            n += h.value.len();
        }
        black_box(&head);
        while let Some(ev) = c.poll_event().unwrap() {
            n += 1;
            if matches!(black_box(ev), Event::Done(_)) {
                break;
            }
        }
    }
    n
}

/// `n` copies of `head` arriving in reads of `read` bytes, each fed with
/// `handle_data` and drained, as a loop over a socket would: the time per
/// head (`compare`'s `parse_cdn_64b`, and `read_floor`'s engine path).
pub fn timed_reads(head: &[u8], n: usize, read: usize) -> Duration {
    let mut c = pipelined_heads(n);
    let t = Instant::now();
    for _ in 0..n {
        for piece in head.chunks(read) {
            c.handle_data(piece);
            black_box(drain(&mut c));
        }
    }
    t.elapsed() / n as u32
}

/// The five headers of the `serialize_get5` request.
pub const GET5: [(&str, &str); 5] = [
    ("User-Agent", "httpcore-bench/0.1"),
    ("Accept", "application/json"),
    ("Accept-Language", "en-US,en;q=0.9"),
    ("Cache-Control", "no-cache"),
    ("X-Request-Id", "4f1c2d9e-7a3b-4c8d-9e0f-1a2b3c4d5e6f"),
];

/// A connection that accepts any number of requests without answers, to
/// serialise into.
pub fn serializer() -> Connection {
    let config = Config {
        max_pipelined: usize::MAX,
        ..Config::default()
    };
    Connection::new(Authority::parse("api.example.com", 80).unwrap(), config)
}

/// One GET with the five headers, every byte checked, written in one call
/// straight into the caller's reused buffer (cleared first), as the
/// reference writes.
pub fn serialize_get5(c: &mut Connection, out: &mut Vec<u8>) {
    out.clear();
    c.write_request(
        "GET",
        black_box("/v1/items?page=2"),
        &black_box(GET5),
        BodyLength::Empty,
        out,
    )
    .unwrap();
    black_box(&out);
}

/// [`serialize_get5`] step by step (httplib's `putrequest`, `putheader`,
/// `endheaders`), the head built in the connection's buffer and then
/// copied out.
pub fn serialize_get5_steps(c: &mut Connection, out: &mut Vec<u8>) {
    out.clear();
    c.put_request("GET", "/v1/items?page=2", false, false)
        .unwrap();
    for (name, value) in GET5 {
        c.put_header(name, value).unwrap();
    }
    c.end_headers().unwrap();
    c.transmit_into(out);
    black_box(&out);
}

/// The reference for [`serialize_get5`]: the same bytes written by hand
/// with `extend_from_slice`, nothing checked.
pub fn serialize_get5_by_hand(out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(b"GET");
    out.extend_from_slice(b" ");
    out.extend_from_slice(black_box(b"/v1/items?page=2"));
    out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
    out.extend_from_slice(black_box(b"api.example.com"));
    out.extend_from_slice(b"\r\nAccept-Encoding: identity\r\n");
    for (name, value) in black_box(GET5) {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    black_box(&out);
}

/// A chunked response of `total` body bytes in chunks of `chunk`.
pub fn chunked_body(total: usize, chunk: usize) -> Vec<u8> {
    let mut wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let data: Vec<u8> = (0..chunk).map(|i| (i * 7) as u8).collect();
    for _ in 0..total / chunk {
        wire.extend_from_slice(format!("{chunk:x}\r\n").as_bytes());
        wire.extend_from_slice(&data);
        wire.extend_from_slice(b"\r\n");
    }
    wire.extend_from_slice(b"0\r\n\r\n");
    wire
}

/// Read every event of `c`'s response, the body's pieces as events too
/// (each chunk's length counted, the chunk dropped); the body bytes seen
/// (`compare`'s `chunked_1mib_events`).
pub fn read_body_events(c: &mut Connection) -> usize {
    let mut body = 0;
    while let Some(ev) = c.poll_event().unwrap() {
        if let Event::BodyChunk(b) = ev {
            body += b.len();
            black_box(b);
        }
    }
    body
}

/// Read `c`'s response as an application reading a body does: the
/// body's pieces with `poll_body_chunk` (each chunk's length counted, the
/// chunk dropped), every other event with `poll_event`; the body bytes
/// seen (`compare`'s `chunked_1mib`).
pub fn read_body(c: &mut Connection) -> usize {
    let mut body = 0;
    loop {
        if let Some(b) = c.poll_body_chunk() {
            body += b.len();
            black_box(b);
            continue;
        }
        match c.poll_event().unwrap() {
            Some(Event::BodyChunk(b)) => {
                body += b.len();
                black_box(b);
            }
            Some(_) => {}
            None => return body,
        }
    }
}

/// A connection whose GET's answer, `wire`, waits whole in the receive
/// buffer (as after one large read).
pub fn answered_get(wire: &[u8]) -> Connection {
    let mut c = Connection::new(
        Authority::parse("example.com", 80).unwrap(),
        Config::default(),
    );
    c.request("GET", "/", None, &[] as &[(&str, &str)]).unwrap();
    while c.poll_transmit().is_some() {}
    c.handle_data(wire);
    c
}
