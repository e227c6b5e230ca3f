//! Sequential keep-alive GETs over one loopback connection to an in-process
//! server answering a 13-byte body: httpcore-std against a raw std socket
//! loop (a fixed request written, a fixed-length answer read) and against
//! ureq 3, in interleaved rounds. Prints `ratio std_vs_raw <v>` and
//! `ratio std_vs_ureq <v>`: requests per second of httpcore-std over the
//! other's, the median of the per-round ratios (above 1: httpcore-std is
//! faster). Also the peak memory of a 1 GiB streamed download.
//!
//! `cargo bench -p httpcore-std --bench roundtrip`

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use httpcore_std::HttpConnection;

use testkit::load::RESPONSE;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| {
        l.strip_prefix("VmHWM:")
            .map(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
    })?
}

fn main() {
    let addr = testkit::load::start(128);
    let n = 300;
    let rounds = 31;

    let mut ours = HttpConnection::new(&addr).unwrap();
    let mut run_ours = || {
        let t = Instant::now();
        for _ in 0..n {
            ours.request("GET", "/", None, &[] as &[(&str, &str)])
                .unwrap();
            let mut r = ours.get_response().unwrap();
            let mut body = [0u8; 64];
            let mut got = 0;
            loop {
                let k = r.read(&mut body[got..]).unwrap();
                if k == 0 {
                    break;
                }
                got += k;
            }
            assert_eq!(got, 13);
        }
        t.elapsed()
    };

    let mut raw = TcpStream::connect(&addr).unwrap();
    raw.set_nodelay(true).unwrap();
    let request = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nAccept-Encoding: identity\r\n\r\n");
    let mut run_raw = || {
        let t = Instant::now();
        let mut answer = [0u8; RESPONSE.len()];
        for _ in 0..n {
            raw.write_all(request.as_bytes()).unwrap();
            raw.read_exact(&mut answer).unwrap();
        }
        t.elapsed()
    };

    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    let url = format!("http://{addr}/");
    let run_ureq = || {
        let t = Instant::now();
        for _ in 0..n {
            let mut resp = agent.get(&url).call().unwrap();
            let body = resp.body_mut().read_to_vec().unwrap();
            assert_eq!(body.len(), 13);
        }
        t.elapsed()
    };

    // Warm up all three (connections opened, caches warm).
    run_ours();
    run_raw();
    run_ureq();
    let (mut vs_raw, mut vs_ureq) = (Vec::new(), Vec::new());
    let (mut t_ours, mut t_raw, mut t_ureq) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..rounds {
        let (a, b, c) = match r % 3 {
            0 => {
                let a = run_ours();
                (a, run_raw(), run_ureq())
            }
            1 => {
                let b = run_raw();
                let c = run_ureq();
                (run_ours(), b, c)
            }
            _ => {
                let c = run_ureq();
                let a = run_ours();
                (a, run_raw(), c)
            }
        };
        vs_raw.push(b.as_secs_f64() / a.as_secs_f64());
        vs_ureq.push(c.as_secs_f64() / a.as_secs_f64());
        let per = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
        t_ours.push(per(a));
        t_raw.push(per(b));
        t_ureq.push(per(c));
    }
    println!("ratio std_vs_raw {:.3}", median(&mut vs_raw));
    println!("ratio std_vs_ureq {:.3}", median(&mut vs_ureq));
    eprintln!(
        "  per request (medians of {rounds} rounds of {n}): httpcore-std {:.1} us, raw socket {:.1} us, ureq {:.1} us",
        median(&mut t_ours),
        median(&mut t_raw),
        median(&mut t_ureq)
    );

    // A 1 GiB download, streamed: memory must not grow with the body.
    let before = peak_rss_kib();
    let t = Instant::now();
    ours.request("GET", "/big", None, &[] as &[(&str, &str)])
        .unwrap();
    let mut r = ours.get_response().unwrap();
    let mut total = 0u64;
    while let Some(chunk) = r.next_chunk().unwrap() {
        total += chunk.len() as u64;
    }
    assert_eq!(total, 1 << 30);
    let secs = t.elapsed().as_secs_f64();
    println!(
        "download_1gib peak_rss_kib_before {} after {} seconds {:.2} mib_per_s {:.0}",
        before.unwrap_or(0),
        peak_rss_kib().unwrap_or(0),
        secs,
        1024.0 / secs
    );
    drop(r);

    // A 1 GiB upload from a reader: memory must not grow with the body.
    struct Pattern(u64);
    impl Read for Pattern {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = (self.0.min(buf.len() as u64)) as usize;
            buf[..n].fill(b'u');
            self.0 -= n as u64;
            Ok(n)
        }
    }
    let before = peak_rss_kib();
    let t = Instant::now();
    ours.request_reader(
        "PUT",
        "/sink",
        &mut Pattern(1 << 30),
        Some(1 << 30),
        &[] as &[(&str, &str)],
    )
    .unwrap();
    assert_eq!(ours.get_response().unwrap().status(), 204);
    let secs = t.elapsed().as_secs_f64();
    println!(
        "upload_1gib peak_rss_kib_before {} after {} seconds {:.2} mib_per_s {:.0}",
        before.unwrap_or(0),
        peak_rss_kib().unwrap_or(0),
        secs,
        1024.0 / secs
    );
}
