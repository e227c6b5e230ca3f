//! Parse a benchmark head many times and print the time per head (for
//! profilers: `perf record target/release/examples/profile_parse cdn`).
use std::time::{Duration, Instant};

use httpcore::{Authority, Config, Connection};

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "cdn".into());
    let head: &[u8] = match which.as_str() {
        "short" => include_bytes!("../benches/data/short.http"),
        _ => include_bytes!("../benches/data/cdn.http"),
    };
    let rounds: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let n = 200;
    let wire = head.repeat(n);
    let mut timed = Duration::ZERO;
    let mut events = 0usize;
    for _ in 0..rounds {
        let config = Config { max_pipelined: n, ..Config::default() };
        let mut c = Connection::new(Authority::parse("example.com", 80).unwrap(), config);
        for _ in 0..n {
            c.request("HEAD", "/", None, &[] as &[(&str, &str)]).unwrap();
        }
        while c.poll_transmit().is_some() {}
        c.handle_data(&wire);
        let t = Instant::now();
        while let Some(ev) = c.poll_event().unwrap() {
            std::hint::black_box(&ev);
            events += 1;
        }
        timed += t.elapsed();
    }
    println!("{which}: {:.1} ns per head, {} events per head", timed.as_nanos() as f64 / (rounds * n) as f64, events / (rounds * n));
}
