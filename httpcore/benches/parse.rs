//! Criterion benches over the corpora in `benches/data/`: httpcore and
//! httparse on each response head, chunked decoding, request serialising.
//!
//! `cargo bench -p httpcore --bench parse`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use httpcore::{Connection, Event};

mod support;

const CORPORA: [(&str, &[u8]); 4] = [
    ("short", include_bytes!("data/short.http")),
    ("cdn", include_bytes!("data/cdn.http")),
    (
        "httparse-resp-short",
        include_bytes!("data/httparse-resp-short.http"),
    ),
    ("httparse-resp", include_bytes!("data/httparse-resp.http")),
];

/// A connection with `n` HEAD requests outstanding and their `n` heads
/// received, as after one large socket read.
fn loaded(head: &[u8], n: usize) -> Connection {
    let mut c = support::pipelined_heads(n);
    c.handle_data(&head.repeat(n));
    c
}

/// Time `iters` heads, `BATCH` at a time: the setup of each batch is not
/// timed; the parse of each head and its `Done` is.
fn time_heads(head: &[u8], iters: u64, mut drain: impl FnMut(&mut Connection)) -> Duration {
    const BATCH: u64 = 100;
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(BATCH);
        let mut conn = loaded(head, n as usize);
        let t = Instant::now();
        for _ in 0..n {
            drain(&mut conn);
        }
        total += t.elapsed();
        left -= n;
    }
    total
}

fn heads(c: &mut Criterion) {
    for (name, head) in CORPORA {
        let mut g = c.benchmark_group(format!("head/{name}"));
        g.throughput(Throughput::Bytes(head.len() as u64));
        g.bench_function("httpcore poll_head", |b| {
            b.iter_custom(|iters| {
                time_heads(head, iters, |conn| {
                    let h = conn.poll_head().unwrap().unwrap();
                    black_box(h.headers().map(|h| h.value.len()).sum::<usize>());
                    while let Some(ev) = conn.poll_event().unwrap() {
                        if matches!(black_box(ev), Event::Done(_)) {
                            break;
                        }
                    }
                })
            })
        });
        g.bench_function("httpcore events", |b| {
            b.iter_custom(|iters| {
                time_heads(head, iters, |conn| {
                    while let Some(ev) = conn.poll_event().unwrap() {
                        if matches!(black_box(ev), Event::Done(_)) {
                            break;
                        }
                    }
                })
            })
        });
        g.bench_function("httparse", |b| {
            b.iter(|| {
                let mut headers = [httparse::EMPTY_HEADER; 64];
                let mut resp = httparse::Response::new(&mut headers);
                resp.parse(black_box(head)).unwrap();
                black_box(resp.headers.iter().map(|h| h.value.len()).sum::<usize>())
            })
        });
        g.finish();
    }
}

fn chunked(c: &mut Criterion) {
    let wire = support::chunked_body(1 << 20, 8 << 10);
    let mut g = c.benchmark_group("body");
    g.throughput(Throughput::Bytes(1 << 20));
    g.bench_function("chunked 1 MiB in 8 KiB chunks", |b| {
        b.iter_batched_ref(
            || support::answered_get(&wire),
            |conn| {
                let mut n = 0;
                while let Some(ev) = conn.poll_event().unwrap() {
                    if let Event::BodyChunk(b) = ev {
                        n += b.len();
                    }
                }
                n
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn serialize(c: &mut Criterion) {
    let mut conn = support::serializer();
    let mut out = Vec::with_capacity(1024);
    let mut sent = 0u32;
    c.bench_function("request/GET with 5 headers", |b| {
        b.iter(|| {
            if sent == 100_000 {
                conn.reset();
                sent = 0;
            }
            sent += 1;
            support::serialize_get5(&mut conn, &mut out);
            black_box(out.len())
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    targets = heads, chunked, serialize
}
criterion_main!(benches);
