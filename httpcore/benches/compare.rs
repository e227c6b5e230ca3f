//! Interleaved comparison of httpcore with its references, in one process:
//! each round times httpcore and the reference back to back, and each
//! comparison prints the median of the per-round ratios as
//! `ratio <name> <httpcore time / reference time>`.
//!
//! `cargo bench -p httpcore --bench compare`

use std::hint::black_box;
use std::time::{Duration, Instant};

mod support;

const SHORT: &[u8] = include_bytes!("data/short.http");
const CDN: &[u8] = include_bytes!("data/cdn.http");

/// Run `f` `iters` times and return the time per iteration.
fn per_iter(iters: usize, mut f: impl FnMut()) -> Duration {
    let t = Instant::now();
    for _ in 0..iters {
        f();
    }
    t.elapsed() / iters as u32
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Rounds of (httpcore, reference) timings; prints the ratio line and the
/// medians of both, returns the ratio.
fn compare(
    name: &str,
    rounds: usize,
    mut ours: impl FnMut() -> Duration,
    mut theirs: impl FnMut() -> Duration,
) -> f64 {
    // Warm up both.
    ours();
    theirs();
    let mut ratios = Vec::with_capacity(rounds);
    let mut a = Vec::with_capacity(rounds);
    let mut b = Vec::with_capacity(rounds);
    for r in 0..rounds {
        // Alternate which goes first, so drift hits both alike.
        let (x, y) = if r % 2 == 0 {
            let x = ours();
            (x, theirs())
        } else {
            let y = theirs();
            (ours(), y)
        };
        a.push(x.as_nanos() as f64);
        b.push(y.as_nanos() as f64);
        ratios.push(x.as_secs_f64() / y.as_secs_f64());
    }
    let ratio = median(&mut ratios);
    println!("ratio {name} {ratio:.3}");
    eprintln!(
        "  {name}: httpcore {:.1} ns, reference {:.1} ns (medians of {rounds} rounds)",
        median(&mut a),
        median(&mut b)
    );
    ratio
}

/// httpcore: `n` complete heads waiting in the receive buffer (as after a
/// socket read), parsed to their last event; time per head.
fn httpcore_heads(head: &[u8], n: usize) -> Duration {
    let mut c = support::pipelined_heads(n);
    let mut wire = Vec::with_capacity(head.len() * n);
    for _ in 0..n {
        wire.extend_from_slice(head);
    }
    c.handle_data(&wire);
    let t = Instant::now();
    black_box(support::drain(&mut c));
    let d = t.elapsed() / n as u32;
    assert!(c.is_reusable());
    d
}

fn httparse_heads(head: &[u8], n: usize) -> Duration {
    per_iter(n, || {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut resp = httparse::Response::new(&mut headers);
        let s = resp.parse(black_box(head)).unwrap();
        assert!(s.is_complete());
        let mut n = 0;
        for h in resp.headers.iter() {
            n += h.value.len();
        }
        black_box((&resp, n));
    })
}

/// httpcore: a chunked 1 MiB body waiting whole in the receive buffer,
/// read to its end with `read` (`support::read_body` or
/// `support::read_body_events`).
fn httpcore_chunked(wire: &[u8], read: impl Fn(&mut httpcore::Connection) -> usize) -> Duration {
    let mut c = support::answered_get(wire);
    let t = Instant::now();
    let body = read(&mut c);
    let d = t.elapsed();
    assert_eq!(body, 1 << 20);
    d
}

/// Not a target: the floor under `chunked_1mib` — the same wire in a
/// `BytesMut`, each size line read by hand, each chunk handed out as
/// `Bytes` (`split_to`, `freeze`) and dropped, nothing else checked or
/// kept: what one `Bytes` per chunk costs before any engine work.
fn bytes_per_chunk_floor(wire: &[u8]) -> Duration {
    use bytes::Buf;
    let mut buf = bytes::BytesMut::from(wire);
    let t = Instant::now();
    // The head, then `size CRLF data CRLF` until the last chunk.
    let head = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head")
        + 4;
    buf.advance(head);
    let mut body = 0;
    loop {
        let mut size = 0;
        let mut i = 0;
        while buf[i] != b'\r' {
            size = size * 16 + (buf[i] as char).to_digit(16).expect("hex") as usize;
            i += 1;
        }
        buf.advance(i + 2);
        if size == 0 {
            break;
        }
        let chunk = buf.split_to(size).freeze();
        body += chunk.len();
        black_box(chunk);
        buf.advance(2);
    }
    let d = t.elapsed();
    assert_eq!(body, 1 << 20);
    d
}

/// One of the chunked-body comparisons: the time to read the wire's body.
type ChunkedRun = dyn Fn(&[u8]) -> Duration;

fn memcpy_1mib(src: &[u8], dst: &mut [u8]) -> Duration {
    let t = Instant::now();
    dst.copy_from_slice(black_box(src));
    black_box(&dst);
    t.elapsed()
}

/// `n` requests on `c`, reset first (not timed): a long-lived connection
/// object, its buffers and request queue reused, as the reference reuses
/// its `Vec`.
fn httpcore_serialize(
    c: &mut httpcore::Connection,
    n: usize,
    out: &mut Vec<u8>,
    serialize: fn(&mut httpcore::Connection, &mut Vec<u8>),
) -> Duration {
    c.reset();
    let t = Instant::now();
    for _ in 0..n {
        serialize(c, out);
    }
    let d = t.elapsed() / n as u32;
    out.clear();
    d
}

fn handwritten_serialize(n: usize, out: &mut Vec<u8>) -> Duration {
    per_iter(n, || support::serialize_get5_by_hand(out))
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument picks the
    // comparisons whose names contain it (`... --bench compare chunked`).
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted =
        |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()));
    let rounds = 41;
    let n = 200;
    if wanted("parse_short") {
        compare(
            "parse_short",
            rounds,
            || httpcore_heads(SHORT, n),
            || httparse_heads(SHORT, n),
        );
    }
    if wanted("parse_cdn") {
        compare(
            "parse_cdn",
            rounds,
            || httpcore_heads(CDN, n),
            || httparse_heads(CDN, n),
        );
    }
    if wanted("parse_cdn_64b") {
        compare(
            "parse_cdn_64b",
            rounds,
            || support::timed_reads(CDN, n, 64),
            || httparse_heads(CDN, n),
        );
    }
    // The body read as an application would (`poll_body_chunk`), and two
    // lines that are not targets: its pieces as events, and the floor of
    // one `Bytes` per chunk with nothing else.
    let chunked: [(&str, &ChunkedRun); 3] = [
        ("chunked_1mib", &|w| httpcore_chunked(w, support::read_body)),
        ("chunked_1mib_events", &|w| {
            httpcore_chunked(w, support::read_body_events)
        }),
        ("chunked_1mib_floor", &bytes_per_chunk_floor),
    ];
    if chunked.iter().any(|(name, _)| wanted(name)) {
        let wire = support::chunked_body(1 << 20, 8 << 10);
        let src = vec![1u8; 1 << 20];
        let mut dst = vec![0u8; 1 << 20];
        for (name, ours) in chunked {
            if wanted(name) {
                compare(name, rounds, || ours(&wire), || memcpy_1mib(&src, &mut dst));
            }
        }
    }
    if wanted("serialize_get5") {
        let (mut a, mut b) = (Vec::with_capacity(1024), Vec::with_capacity(1024));
        let mut c = support::serializer();
        compare(
            "serialize_get5",
            rounds,
            || httpcore_serialize(&mut c, 2000, &mut a, support::serialize_get5),
            || handwritten_serialize(2000, &mut b),
        );
    }
    if wanted("serialize_get5_steps") {
        // Not a target: the same head step by step, for comparison.
        let (mut a, mut b) = (Vec::with_capacity(1024), Vec::with_capacity(1024));
        let mut c = support::serializer();
        compare(
            "serialize_get5_steps",
            rounds,
            || httpcore_serialize(&mut c, 2000, &mut a, support::serialize_get5_steps),
            || handwritten_serialize(2000, &mut b),
        );
    }
}
