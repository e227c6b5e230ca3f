//! Sequential keep-alive GETs against an in-process server, for profilers:
//! `perf record target/release/examples/profile_roundtrip`.
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Instant;

fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_nodelay(true).unwrap();
        let mut buf = [0u8; 4096];
        loop {
            let n = match s.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let heads = buf[..n].windows(4).filter(|w| w == b"\r\n\r\n").count();
            for _ in 0..heads {
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, world!");
            }
        }
    });
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(50_000);
    let mut c = httpcore_std::HttpConnection::new(&addr).unwrap();
    let t = Instant::now();
    for _ in 0..n {
        c.request("GET", "/", None, &[] as &[(&str, &str)]).unwrap();
        let mut r = c.get_response().unwrap();
        let body = r.read_all().unwrap();
        assert_eq!(body.len(), 13);
    }
    println!(
        "{:.1} us per request",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}
