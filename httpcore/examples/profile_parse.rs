//! Parse a benchmark head many times and print the time per head (for
//! profilers: `perf record target/release/examples/profile_parse cdn`).
use std::time::{Duration, Instant};

#[path = "../benches/support/mod.rs"]
mod support;

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "cdn".into());
    let head: &[u8] = match which.as_str() {
        "short" => include_bytes!("../benches/data/short.http"),
        // `cdn<N>`: the cdn head in reads of N bytes.
        _ => include_bytes!("../benches/data/cdn.http"),
    };
    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let n = 200;
    let wire = head.repeat(n);
    if which == "chunked" {
        let wire = support::chunked_body(1 << 20, 8 << 10);
        let mut timed = Duration::ZERO;
        for _ in 0..rounds {
            let mut c = support::answered_get(&wire);
            let t = Instant::now();
            assert_eq!(support::read_body(&mut c), 1 << 20);
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
            support::serialize_get5_by_hand(&mut out);
        }
        println!(
            "reference serialize: {:.1} ns per request",
            t.elapsed().as_nanos() as f64 / (rounds * n) as f64
        );
        return;
    }
    if which == "serialize" {
        // As `compare` does: one connection, reset before every `n`
        // requests (its buffers and request queue reused).
        let serialize = match std::env::args().nth(3).as_deref() {
            Some("steps") => support::serialize_get5_steps,
            _ => support::serialize_get5,
        };
        let mut out: Vec<u8> = Vec::with_capacity(1024);
        let mut timed = Duration::ZERO;
        let mut c = support::serializer();
        for _ in 0..rounds {
            c.reset();
            let t = Instant::now();
            for _ in 0..n {
                serialize(&mut c, &mut out);
            }
            timed += t.elapsed();
        }
        println!(
            "serialize: {:.1} ns per request",
            timed.as_nanos() as f64 / (rounds * n) as f64
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
        if let Some(size) = which
            .strip_prefix("cdn")
            .and_then(|s| s.parse::<usize>().ok())
        {
            for _ in 0..n {
                for piece in head.chunks(size) {
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
