//! Sequential GETs over one connection on a current-thread runtime, for
//! profilers: `ours` drives httpcore-tokio, `raw` a raw tokio socket loop;
//! the server runs on the same runtime (as in the roundtrip bench).
//!
//! `cargo build --release -p httpcore-tokio --example profile_tokio &&
//! valgrind --tool=callgrind target/release/examples/profile_tokio ours 2000`

use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[path = "../benches/server/mod.rs"]
mod server;

use server::{server, RESPONSE};

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "ours".into());
    let n: usize = std::env::args().nth(2).map_or(2000, |n| n.parse().unwrap());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let addr = server().await;
        let t = Instant::now();
        if mode == "ours" {
            let mut c = httpcore_tokio::connect(&addr).await.unwrap();
            for _ in 0..n {
                c.request("GET", "/", None, &[] as &[(&str, &str)])
                    .await
                    .unwrap();
                let mut r = c.get_response().await.unwrap();
                while let Some(chunk) = r.chunk().await.unwrap() {
                    std::hint::black_box(chunk);
                }
            }
        } else {
            let mut s = TcpStream::connect(&addr).await.unwrap();
            s.set_nodelay(true).unwrap();
            let request =
                format!("GET / HTTP/1.1\r\nHost: {addr}\r\nAccept-Encoding: identity\r\n\r\n");
            let mut answer = [0u8; RESPONSE.len()];
            for _ in 0..n {
                s.write_all(request.as_bytes()).await.unwrap();
                s.read_exact(&mut answer).await.unwrap();
            }
        }
        eprintln!(
            "{mode}: {:.1} us/request",
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        );
    });
}
