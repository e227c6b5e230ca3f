//! Fetch several URLs at once with tasks on a current-thread runtime.
//!
//! `cargo run -p httpcore-tokio --example concurrent -- [http[s]://host[:port]/path ...]`
//!
//! With no URL it starts a local server that answers slowly (50 ms per
//! request) and fetches 20 URLs from it concurrently: the total time shows
//! they ran at once, not one after the other.

use std::time::{Duration, Instant};

use httpcore_tokio::{Error, TlsOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn fetch(url: String) -> Result<(String, u16, usize), Error> {
    let httpcore_tokio::httpcore::Url {
        https,
        authority,
        target,
    } = httpcore_tokio::httpcore::Url::parse(&url)?;
    let (authority, path) = (authority.as_str(), target.as_str());
    let (status, len) = if https {
        let mut c = httpcore_tokio::connect_tls(authority, &TlsOptions::default()).await?;
        c.request("GET", path, None, &[] as &[(&str, &str)]).await?;
        let mut r = c.get_response().await?;
        (r.status(), r.read_all().await?.len())
    } else {
        let mut c = httpcore_tokio::connect(authority).await?;
        c.request("GET", path, None, &[] as &[(&str, &str)]).await?;
        let mut r = c.get_response().await?;
        (r.status(), r.read_all().await?.len())
    };
    Ok((url, status, len))
}

/// Answers every request after 50 ms, on as many connections as come.
async fn slow_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                let _ = s
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, world!")
                    .await;
            });
        }
    });
    addr
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut urls: Vec<String> = std::env::args().skip(1).collect();
    if urls.is_empty() {
        let addr = slow_server().await;
        urls = (0..20).map(|i| format!("http://{addr}/item/{i}")).collect();
        println!("no URL given: 20 requests to a local server that takes 50 ms each");
    }
    let start = Instant::now();
    let tasks: Vec<_> = urls.into_iter().map(|u| tokio::spawn(fetch(u))).collect();
    let mut failed = false;
    for t in tasks {
        match t.await.expect("task") {
            Ok((url, status, len)) => println!("{status} {len:>8} bytes  {url}"),
            Err(e) => {
                eprintln!("{}: {e}", e.name());
                failed = true;
            }
        }
    }
    println!(
        "all done in {:.0} ms on one thread",
        start.elapsed().as_secs_f64() * 1000.0
    );
    if failed {
        std::process::exit(1);
    }
}
