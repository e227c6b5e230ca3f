//! Parse a benchmark head many times and print the time per head (for
//! profilers: `perf record target/release/examples/profile_parse cdn`).
use std::time::{Duration, Instant};

use httpcore::{Authority, Config, Connection};

#[path = "../benches/support/mod.rs"]
mod support;

const GET5: [(&str, &str); 5] = [
    ("User-Agent", "httpcore-bench/0.1"),
    ("Accept", "application/json"),
    ("Accept-Language", "en-US,en;q=0.9"),
    ("Cache-Control", "no-cache"),
    ("X-Request-Id", "4f1c2d9e-7a3b-4c8d-9e0f-1a2b3c4d5e6f"),
];

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "cdn".into());
    let head: &[u8] = match which.as_str() {
        "short" => include_bytes!("../benches/data/short.http"),
        "cdn64" => include_bytes!("../benches/data/cdn.http"),
        _ => include_bytes!("../benches/data/cdn.http"),
    };
    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let n = 200;
    let wire = head.repeat(n);
    if which == "chunked" {
        let mut wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..128 {
            wire.extend_from_slice(b"2000\r\n");
            wire.extend_from_slice(&[7u8; 8192]);
            wire.extend_from_slice(b"\r\n");
        }
        wire.extend_from_slice(b"0\r\n\r\n");
        let mut timed = Duration::ZERO;
        for _ in 0..rounds {
            let mut c = Connection::new(
                Authority::parse("example.com", 80).unwrap(),
                Config::default(),
            );
            c.request("GET", "/", None, &[] as &[(&str, &str)]).unwrap();
            while c.poll_transmit().is_some() {}
            c.handle_data(&wire);
            let t = Instant::now();
            while let Some(ev) = c.poll_event().unwrap() {
                std::hint::black_box(&ev);
            }
            timed += t.elapsed();
        }
        println!(
            "chunked: {:.1} ns per 1 MiB body",
            timed.as_nanos() as f64 / rounds as f64
        );
        return;
    }
    if which == "serialize" && std::env::args().nth(3).as_deref() == Some("reference") {
        // The compare bench's hand-written reference, for instruction counts.
        let mut out: Vec<u8> = Vec::with_capacity(1024);
        let t = Instant::now();
        for _ in 0..rounds * n {
            out.clear();
            out.extend_from_slice(b"GET");
            out.extend_from_slice(b" ");
            out.extend_from_slice(std::hint::black_box(b"/v1/items?page=2"));
            out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
            out.extend_from_slice(std::hint::black_box(b"api.example.com"));
            out.extend_from_slice(b"\r\nAccept-Encoding: identity\r\n");
            for (name, value) in std::hint::black_box(GET5) {
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b": ");
                out.extend_from_slice(value.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"\r\n");
            std::hint::black_box(&out);
        }
        println!(
            "reference serialize: {:.1} ns per request",
            t.elapsed().as_nanos() as f64 / (rounds * n) as f64
        );
        return;
    }
    if which == "serialize" {
        let config = Config {
            max_pipelined: usize::MAX,
            ..Config::default()
        };
        let mut c = Connection::new(Authority::parse("api.example.com", 80).unwrap(), config);
        let mut out: Vec<u8> = Vec::with_capacity(1024);
        let t = Instant::now();
        for _ in 0..rounds * n {
            out.clear();
            c.put_request("GET", "/v1/items?page=2", false, false)
                .unwrap();
            for (name, value) in GET5 {
                c.put_header(name, value).unwrap();
            }
            c.end_headers().unwrap();
            // As the compare bench takes it.
            c.transmit_into(&mut out);
            std::hint::black_box(&out);
        }
        println!(
            "serialize: {:.1} ns per request",
            t.elapsed().as_nanos() as f64 / (rounds * n) as f64
        );
        return;
    }
    if std::env::args().nth(3).as_deref() == Some("httparse") {
        let t = Instant::now();
        let mut total = 0;
        for _ in 0..rounds * n {
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut resp = httparse::Response::new(&mut headers);
            resp.parse(std::hint::black_box(head)).unwrap();
            total += resp.headers.iter().map(|h| h.value.len()).sum::<usize>();
        }
        std::hint::black_box(total);
        println!(
            "httparse {which}: {:.1} ns per head",
            t.elapsed().as_nanos() as f64 / (rounds * n) as f64
        );
        return;
    }
    let mut timed = Duration::ZERO;
    let mut events = 0usize;
    for _ in 0..rounds {
        let mut c = support::pipelined_heads(n);
        let t = Instant::now();
        if which == "cdn64" {
            for _ in 0..n {
                for piece in head.chunks(64) {
                    c.handle_data(piece);
                    events += support::drain(&mut c);
                }
            }
        } else {
            c.handle_data(&wire);
            events += support::drain(&mut c);
        }
        timed += t.elapsed();
    }
    println!(
        "{which}: {:.1} ns per head ({} value bytes and events per head)",
        timed.as_nanos() as f64 / (rounds * n) as f64,
        events / (rounds * n)
    );
}
